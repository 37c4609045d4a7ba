/*
 * spf.h - Sender Policy Framework, RFC 7208: check_host() and the two
 * identities (MAIL FROM, and HELO, 2.3).
 *
 * What: spf_check() evaluates the MAIL FROM identity (or, for the null
 * reverse-path, postmaster@HELO as RFC 7208 2.4 says); spf_check_helo()
 * the HELO identity; spf_check_host() is check_host() itself for a given
 * domain. All mechanisms (all include a mx ptr ip4 ip6 exists), redirect=
 * and exp=, macros (spf_macro.h), IPv4-mapped IPv6 clients treated as
 * IPv4, and the seven results.
 *
 * Why it matters here: phishing relayed through a trusted sending service
 * *passes* SPF for the service's domain; the result alone says little, so
 * the result carries what matched, in which domain's record, after how
 * many lookups, and a step-by-step trace.
 *
 * Limits (RFC 7208 4.6.4): at most SPF_MAX_DNS_TERMS (10) terms that cause
 * DNS queries (include a mx ptr exists redirect) per check, over all
 * includes and redirects; more is permerror. At most SPF_MAX_VOID (2)
 * "void" lookups (NXDOMAIN, or no answer of the type) per check; more is
 * permerror. An MX answer with more than SPF_MAX_MX_NAMES (10) names is
 * permerror; only the first SPF_MAX_PTR_NAMES (10) PTR names are used by
 * ptr and %{p}. The 10-term limit also bounds include/redirect recursion;
 * SPF_MAX_DEPTH is a second, independent guard. The exp= lookup is not
 * counted (4.6.4) and any failure there only drops the explanation (6.2).
 * All DNS goes through a dns_budget (SPF_MAX_QUERIES queries,
 * SPF_MAX_TIME_MS of wall time, as 4.6.4 asks): past it every lookup
 * fails and the result is temperror.
 *
 * Errors: a DNS failure (timeout, SERVFAIL) where the RFC requires an
 * answer is temperror; a syntax error anywhere in a record, two SPF
 * records, an include of a domain without a record, or a limit exceeded is
 * permerror; result->problem says which.
 *
 * Memory: spf_result_t owns its strings and trace (spf_result_clear).
 * Security: every record and answer is attacker-written; records are
 * parsed before use (spf_record.h), macro expansions are bounded
 * (SPF_MAX_EXPANSION), expanded names over 253 octets are cut from the
 * left (7.3), and the total DNS work per check is bounded by the limits
 * above times the resolver's timeout.
 */
#ifndef SG_AUTH_SPF_H
#define SG_AUTH_SPF_H

#include <glib.h>
#include <stdbool.h>

#include "dns/dns.h"
#include "util/slice.h"

#define SPF_MAX_DNS_TERMS 10 /* RFC 7208 4.6.4 */
#define SPF_MAX_VOID      2  /* RFC 7208 4.6.4 (SHOULD, default two) */
#define SPF_MAX_MX_NAMES  10 /* RFC 7208 4.6.4 */
#define SPF_MAX_PTR_NAMES 10 /* RFC 7208 4.6.4 */
#define SPF_MAX_DEPTH     20 /* include/redirect nesting, beside the 10-term limit */
#define SPF_MAX_EXPANSION 4096
/* RFC 7208 4.6.4: a limit on the total time of check_host(), "at least 20
 * seconds", then temperror; and on queries, above the ~135 the other
 * limits allow (10 terms, 10 names behind each MX or PTR, %{p}, exp=). */
#define SPF_MAX_TIME_MS 20000
#define SPF_MAX_QUERIES 150
#define SPF_MAX_TRACE   300 /* trace lines kept; one more says "truncated" */

typedef enum spf_res {
    SPF_NONE = 0,
    SPF_NEUTRAL,
    SPF_PASS,
    SPF_FAIL,
    SPF_SOFTFAIL,
    SPF_TEMPERROR,
    SPF_PERMERROR,
} spf_res_t;

typedef enum spf_identity { SPF_ID_MAILFROM, SPF_ID_HELO } spf_identity_t;

typedef struct spf_options {
    const char *receiver; /* %{r}; NULL: "unknown" */
    unsigned max_void;    /* 0: SPF_MAX_VOID */
    unsigned max_lookups; /* 0: SPF_MAX_DNS_TERMS */
    time_t now;           /* %{t}; 0: time(NULL) */
    unsigned max_time_ms; /* total DNS time per check; 0: SPF_MAX_TIME_MS */
} spf_options_t;

typedef struct spf_result {
    spf_res_t result;
    spf_identity_t identity;
    char *sender;        /* <sender> as evaluated (postmaster@ added) */
    char *domain;        /* the checked domain (the identity's) */
    char *record_domain; /* the domain whose record decided (after redirects) */
    char *record;        /* that record's text */
    char *mechanism;     /* the directive that matched, "default" if none
                            did (neutral), NULL when no record decided */
    char *explanation;   /* fail with a usable exp=, else NULL */
    char *problem;       /* temperror / permerror / none: why */
    unsigned lookups;    /* DNS-querying terms counted (4.6.4) */
    unsigned void_lookups;
    GPtrArray *trace; /* char*, one step per line */
} spf_result_t;

/* ip: IPv4 or IPv6 text; sender: MAIL FROM (may be "" or NULL: then the
 * HELO identity is checked); helo: the HELO/EHLO name (may be NULL).
 * Fills out completely and returns out->result. A bad ip is permerror with
 * a problem (no DNS is done). */
spf_res_t spf_check(dns_resolver_t *dns, const spf_options_t *opt, const char *ip,
                    const char *sender, const char *helo, spf_result_t *out);
/* The HELO identity (RFC 7208 2.3): check_host(ip, helo, postmaster@helo). */
spf_res_t spf_check_helo(dns_resolver_t *dns, const spf_options_t *opt, const char *ip,
                         const char *helo, spf_result_t *out);
/* check_host() for domain; when record is non-NULL it is used instead of
 * the domain's TXT lookup (to try a policy before publishing it). */
spf_res_t spf_check_host(dns_resolver_t *dns, const spf_options_t *opt, const char *ip,
                         const char *domain, const char *sender, const char *helo,
                         const char *record, spf_result_t *out);
void spf_result_clear(spf_result_t *r);
const char *spf_res_name(spf_res_t r);
/* Bytes of an attacker-written record or answer as printable ASCII, every
 * other byte (and the backslash) as \xHH; g_free the result. */
char *spf_printable(slice_t s);

#endif
