/*
 * dmarc.h - DMARC (RFC 7489, with DMARCbis's np= tag): is the From domain
 * authenticated by an aligned SPF or DKIM pass, and what does its owner
 * ask receivers to do when it is not?
 *
 * Policy discovery: the TXT record at _dmarc.<From domain>; when there is
 * none (or it is not a single v=DMARC1 record), at _dmarc.<organisational
 * domain> (the registrable domain by the Public Suffix List, libpsl with
 * Debian's publicsuffix data). Several records at one name count as none
 * (RFC 7489 6.6.3). A record with a bad or missing p= acts as p=none if it
 * has a valid rua= (6.6.3 step 6), else as no record.
 *
 * Alignment: relaxed (the default) compares organisational domains, strict
 * requires the same name (RFC 7489 3.1). Result pass when SPF passed for
 * an aligned domain or any DKIM signature passed for an aligned d=.
 *
 * Several From domains (RFC 7489 6.6.1 leaves it to the receiver; DMARCbis
 * says evaluate each): each distinct domain is evaluated and the worst
 * result and strictest policy are returned, with the domain they came
 * from.
 *
 * The policy: p= for the organisational domain itself, sp= (else p=) for
 * its subdomains, np= (else sp=, else p=) for a subdomain that does not
 * exist (NXDOMAIN for A, AAAA and MX). pct= is reported, and the applied
 * policy is the requested one when pct is 100 (sampling is the receiver's
 * business; we report what the owner asked).
 *
 * Memory: dmarc_result_t owns its strings (dmarc_result_clear).
 * Errors: a DNS failure during discovery is temperror; never a hang (the
 * resolver bounds every query).
 */
#ifndef SG_AUTH_DMARC_H
#define SG_AUTH_DMARC_H

#include <glib.h>
#include <stdbool.h>

#include "dns/dns.h"

/* Longest DMARC record we parse; real ones are under 300 bytes. */
#define DMARC_MAX_RECORD 4096

typedef enum dmarc_res {
    DMARC_NONE = 0, /* no policy published */
    DMARC_PASS,
    DMARC_FAIL,
    DMARC_TEMPERROR,
    DMARC_PERMERROR,
} dmarc_res_t;

typedef enum dmarc_policy { DMARC_P_NONE = 0, DMARC_P_QUARANTINE, DMARC_P_REJECT } dmarc_policy_t;

typedef struct dmarc_record {
    dmarc_policy_t p, sp, np;
    bool has_sp, has_np;
    bool strict_dkim, strict_spf;
    unsigned pct;
    bool has_rua;
} dmarc_record_t;

/* What authentication established for one message. */
typedef struct dmarc_dkim {
    const char *domain; /* d= */
    bool pass;
} dmarc_dkim_t;

typedef struct dmarc_input {
    const char *const *from_domains; /* NULL-terminated, ASCII */
    const char *spf_domain;          /* the MAIL FROM (or HELO) domain SPF checked */
    bool spf_pass;
    const dmarc_dkim_t *dkim; /* n_dkim entries */
    unsigned n_dkim;
} dmarc_input_t;

typedef struct dmarc_result {
    dmarc_res_t result;
    dmarc_policy_t policy; /* what the owner asks for this message */
    unsigned pct;
    char *from_domain;
    char *org_domain;
    char *record_domain; /* where the record was found, or NULL */
    char *record;        /* its text, or NULL */
    char *spf_aligned;   /* the aligned SPF domain that passed, or NULL */
    char *dkim_aligned;  /* the aligned DKIM d= that passed, or NULL */
    char *problem;       /* for none/temperror/permerror: why */
} dmarc_result_t;

/* Parse a record's text. Returns 0, -1 if it is not DMARC at all (no
 * v=DMARC1 first), -2 if it is DMARC but p= is unusable and no rua=. */
int dmarc_parse_record(const char *txt, size_t len, dmarc_record_t *out);
dmarc_res_t dmarc_check(dns_resolver_t *dns, const dmarc_input_t *in, dmarc_result_t *out);
void dmarc_result_clear(dmarc_result_t *r);
const char *dmarc_res_name(dmarc_res_t r);
const char *dmarc_policy_name(dmarc_policy_t p);

#endif
