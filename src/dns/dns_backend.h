/*
 * dns_backend.h - private: the table of operations behind dns_resolver_t.
 *
 * Only src/dns/ includes this. Each backend embeds dns_resolver_t as the
 * first member of its own state, so a pointer to either is a pointer to the
 * other; dns.c dispatches through ops and owns nothing of the backend.
 */
#ifndef SG_DNS_DNS_BACKEND_H
#define SG_DNS_DNS_BACKEND_H

#include <ldns/ldns.h>

#include "dns/dns.h"

typedef struct dns_backend_ops {
    /* Fill out (status, records, why); out->records already allocated. */
    dns_status_t (*query)(dns_resolver_t *r, const char *name, dns_type_t type, dns_answer_t *out);
    void (*destroy)(dns_resolver_t *r);
} dns_backend_ops_t;

struct dns_resolver {
    const dns_backend_ops_t *ops;
};

/* Helpers shared by the backends (dns.c). */
dns_rr_t *dns_rr_new(dns_type_t type, const char *text, size_t len, unsigned pref);
void dns_answer_set_fail(dns_answer_t *a, const char *why);
/* Presentation form of a domain name as the interface hands it out: lower
 * case, no trailing dot (the root is ""). g_free the result. */
char *dns_name_tidy(const char *presentation);
/* One A, AAAA, TXT, MX, PTR or CNAME record in the interface's form; NULL
 * for other types and for rdata that does not have the type's shape. */
dns_rr_t *dns_rr_from_ldns(const ldns_rr *rr);
/* Add the answer-section records of a wire-format DNS message (an
 * attacker may have written every byte) that are of type, or CNAMEs, to
 * out->records; *found tells whether any is of type. -1 if ldns cannot
 * parse the message (nothing added). */
int dns_answer_add_wire(dns_answer_t *out, const void *pkt, size_t len, dns_type_t type,
                        bool *found);
#endif
