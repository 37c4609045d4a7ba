/*
 * domain.h - host names as analysis needs them: both IDN forms and the
 * registrable ("organisational") domain.
 *
 * domain_info() lower-cases a host, strips a trailing dot and brackets,
 * recognises IP literals (v4 and v6), converts between the ASCII
 * (punycode, "xn--") and Unicode forms with libidn2 (IDNA 2008,
 * non-transitional, as browsers do), and finds the registrable domain with
 * libpsl: the public suffix plus one label (mail.example.co.jp ->
 * example.co.jp). The PSL comes from Debian's publicsuffix package when
 * present (it is updated with the system), else libpsl's built-in copy.
 *
 * Memory: domain_info_t owns its strings (domain_info_clear).
 * Thread safety: domain_init() once; then reentrant (the PSL is read-only).
 * Errors: a name libidn2 rejects keeps its written form and valid=false.
 */
#ifndef SG_INTEL_DOMAIN_H
#define SG_INTEL_DOMAIN_H

#include <stdbool.h>

/* Longest DNS name (RFC 1035 3.1: 255 octets on the wire). */
#define DOMAIN_MAX_LEN 253

typedef struct domain_info {
    char *ascii;   /* A-label form, lower case ("xn--...") */
    char *unicode; /* U-label form, lower case */
    char *org;     /* registrable domain, ASCII; NULL for IPs and bare suffixes */
    bool idn;      /* has a non-ASCII label */
    bool ip;       /* an IPv4/IPv6 literal */
    bool valid;    /* a syntactically valid host name or IP */
} domain_info_t;

int domain_init(void);
void domain_info(const char *host, domain_info_t *out);
void domain_info_clear(domain_info_t *d);
/* Domain part of an address (after the last '@'), lower case; NULL if none.
 * g_free the result. */
char *domain_of_address(const char *addr);
/* Registrable domain of a host (ASCII), or NULL; g_free the result.
 * Answers are cached per thread (bounded); domain_cache_clear frees the
 * calling thread's cache. */
char *domain_org(const char *host);
void domain_cache_clear(void);
/* True if host equals dom or is a subdomain of it (ASCII, case-insensitive). */
bool domain_is_within(const char *host, const char *dom);

#endif
