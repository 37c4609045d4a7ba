/*
 * dns.h - one resolver interface, two backends (DESIGN.md "dns/").
 *
 *   dns_unbound_new()  live DNS through libunbound: cache, DNSSEC
 *                      validation when given a trust anchor, a
 *                      forwarder (HOST[:PORT]) or /etc/resolv.conf;
 *   dns_zone_new()     answers from RFC 1035 master files (parsed with
 *                      ldns), for offline and reproducible analysis: a name
 *                      with no record of any type is NXDOMAIN, a name with
 *                      records of other types only is NODATA.
 *
 * Authentication code (SPF, DKIM, DMARC, ARC) sees only this interface, so
 * every test can run on zone files and the CLI can run offline.
 *
 * Results: a failure to get an answer (timeout, SERVFAIL, network down) is
 * DNS_TEMPFAIL and never a hang: every query is bounded by the resolver's
 * timeout. A malformed answer is DNS_TEMPFAIL too (RFC 7208 5.x treats it
 * as a temporary error).
 *
 * Memory: a dns_answer_t owns its records (dns_answer_clear). Strings are
 * NUL-terminated; TXT data may contain NUL bytes, so use text_len.
 * Thread safety: one resolver per thread (libunbound contexts are not
 * shared here); the zone backend is read-only after loading and may be
 * shared.
 */
#ifndef SG_DNS_DNS_H
#define SG_DNS_DNS_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum dns_type {
    DNS_T_A = 1,
    DNS_T_CNAME = 5,
    DNS_T_PTR = 12,
    DNS_T_MX = 15,
    DNS_T_TXT = 16,
    DNS_T_AAAA = 28,
} dns_type_t;

typedef enum dns_status {
    DNS_OK = 0,   /* records present (may still be zero of the wanted kind after filtering) */
    DNS_NXDOMAIN, /* the name does not exist */
    DNS_NODATA,   /* the name exists, no record of this type */
    DNS_TEMPFAIL, /* timeout, SERVFAIL, network, malformed answer */
} dns_status_t;

typedef struct dns_rr {
    dns_type_t type;
    char *text;      /* A/AAAA: address in text form; TXT: all character-strings
                        of the record concatenated (RFC 7208 3.3, RFC 6376 3.6.2.2);
                        MX/PTR/CNAME: target name, lower case, no trailing dot */
    size_t text_len; /* bytes of text (TXT may hold NULs) */
    unsigned pref;   /* MX preference */
} dns_rr_t;

typedef struct dns_answer {
    dns_status_t status;
    GPtrArray *records; /* dns_rr_t*, never NULL after dns_query */
    bool secure;        /* DNSSEC-validated (unbound backend only) */
    char *why;          /* for DNS_TEMPFAIL: a short reason, or NULL */
} dns_answer_t;

typedef struct dns_resolver dns_resolver_t;

/* forwarder: "HOST[:PORT]" or NULL for /etc/resolv.conf; timeout_ms > 0.
 * Returns NULL with *err set. */
dns_resolver_t *dns_unbound_new(const char *forwarder, unsigned timeout_ms, char **err);
/* Validate answers with DNSSEC from this trust-anchor file (DS or DNSKEY
 * records, e.g. /usr/share/dns/root.key); call before the first query.
 * Off by default (see dns_unbound.c). 0, or -1 with *err. */
int dns_unbound_trust_anchor(dns_resolver_t *r, const char *file, char **err);
/* files: NULL-terminated list of master files; names must be absolute
 * (or relative to a $ORIGIN line). Returns NULL with *err = "file:line: why". */
dns_resolver_t *dns_zone_new(const char *const *files, char **err);
/* The same from master-file text in memory (tests, fuzzing); label names
 * the text in error messages. */
dns_resolver_t *dns_zone_new_text(const char *label, const char *text, size_t len, char **err);

/* A resolver that answers through inner until max_queries queries or
 * max_ms milliseconds (0: no limit) are spent, then DNS_TEMPFAIL ("lookup
 * budget exhausted"): one per message or per check, so that the total DNS
 * work of one input is bounded, not only each query (RFC 7208 4.6.4 asks
 * this of SPF). Borrows inner; dns_resolver_free frees the budget only. */
dns_resolver_t *dns_budget_new(dns_resolver_t *inner, unsigned max_queries, unsigned max_ms);
/* Queries made and milliseconds since dns_budget_new (0, 0 for a resolver
 * that is not a budget). */
void dns_budget_used(const dns_resolver_t *r, unsigned *queries, unsigned *ms);

/* name: a domain name (A-label form; a trailing dot is optional). Always
 * fills out (status set, records possibly empty); returns out->status. */
dns_status_t dns_query(dns_resolver_t *r, const char *name, dns_type_t type, dns_answer_t *out);
void dns_answer_clear(dns_answer_t *a);
void dns_resolver_free(dns_resolver_t *r);
const char *dns_status_name(dns_status_t s);

#endif
