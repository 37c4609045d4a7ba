/*
 * dns.c - the resolver interface: dispatch to a backend, answers, names.
 *
 * Memory: dns_query always leaves out->records allocated (possibly empty)
 * and out->why NULL or owned; dns_answer_clear frees both and may be called
 * on a zeroed or already cleared answer.
 * Errors: a backend that fails in any way reports DNS_TEMPFAIL with a why;
 * dns_query never returns without a status.
 */
#include "dns/dns.h"

#include <arpa/inet.h>
#include <string.h>

#include "dns/dns_backend.h"

static void rr_free(gpointer p)
{
    dns_rr_t *rr = p;
    if (rr) {
        g_free(rr->text);
        g_free(rr);
    }
}

dns_rr_t *dns_rr_new(dns_type_t type, const char *text, size_t len, unsigned pref)
{
    dns_rr_t *rr = g_new0(dns_rr_t, 1);
    rr->type = type;
    rr->text = g_malloc(len + 1);
    if (len)
        memcpy(rr->text, text, len);
    rr->text[len] = '\0';
    rr->text_len = len;
    rr->pref = pref;
    return rr;
}

void dns_answer_set_fail(dns_answer_t *a, const char *why)
{
    a->status = DNS_TEMPFAIL;
    g_ptr_array_set_size(a->records, 0);
    g_free(a->why);
    a->why = g_strdup(why ? why : "lookup failed");
}

char *dns_name_tidy(const char *presentation)
{
    size_t n = strlen(presentation);
    if (n && presentation[n - 1] == '.' && !(n >= 2 && presentation[n - 2] == '\\'))
        n--;
    char *s = g_strndup(presentation, n);
    for (char *p = s; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return s;
}

dns_status_t dns_query(dns_resolver_t *r, const char *name, dns_type_t type, dns_answer_t *out)
{
    out->status = DNS_TEMPFAIL;
    out->records = g_ptr_array_new_with_free_func(rr_free);
    out->secure = false;
    out->why = NULL;
    if (!r || !r->ops || !name) {
        dns_answer_set_fail(out, "no resolver");
        return out->status;
    }
    return r->ops->query(r, name, type, out);
}

void dns_answer_clear(dns_answer_t *a)
{
    if (!a)
        return;
    if (a->records)
        g_ptr_array_unref(a->records);
    a->records = NULL;
    g_free(a->why);
    a->why = NULL;
    a->status = DNS_TEMPFAIL;
    a->secure = false;
}

void dns_resolver_free(dns_resolver_t *r)
{
    if (r && r->ops)
        r->ops->destroy(r);
}

dns_rr_t *dns_rr_from_ldns(const ldns_rr *rr)
{
    ldns_rr_type t = ldns_rr_get_type(rr);
    char addr[INET6_ADDRSTRLEN];
    switch (t) {
    case LDNS_RR_TYPE_A:
    case LDNS_RR_TYPE_AAAA: {
        const ldns_rdf *f = ldns_rr_rdf(rr, 0);
        size_t want = t == LDNS_RR_TYPE_A ? 4 : 16;
        if (!f || ldns_rdf_size(f) != want)
            return NULL;
        if (!inet_ntop(t == LDNS_RR_TYPE_A ? AF_INET : AF_INET6, ldns_rdf_data(f), addr,
                       sizeof addr))
            return NULL;
        return dns_rr_new(t == LDNS_RR_TYPE_A ? DNS_T_A : DNS_T_AAAA, addr, strlen(addr), 0);
    }
    case LDNS_RR_TYPE_TXT: {
        GByteArray *acc = g_byte_array_new();
        for (size_t i = 0; i < ldns_rr_rd_count(rr); i++) {
            const ldns_rdf *f = ldns_rr_rdf(rr, i);
            const uint8_t *d = ldns_rdf_data(f);
            size_t n = ldns_rdf_size(f);
            if (n == 0 || (size_t)d[0] + 1 > n) {
                g_byte_array_unref(acc);
                return NULL;
            }
            g_byte_array_append(acc, d + 1, d[0]);
        }
        dns_rr_t *out = dns_rr_new(DNS_T_TXT, (const char *)acc->data, acc->len, 0);
        g_byte_array_unref(acc);
        return out;
    }
    case LDNS_RR_TYPE_MX:
    case LDNS_RR_TYPE_PTR:
    case LDNS_RR_TYPE_CNAME: {
        size_t idx = t == LDNS_RR_TYPE_MX ? 1 : 0;
        const ldns_rdf *f = ldns_rr_rdf(rr, idx);
        if (!f || ldns_rdf_get_type(f) != LDNS_RDF_TYPE_DNAME)
            return NULL;
        unsigned pref = 0;
        if (t == LDNS_RR_TYPE_MX) {
            const ldns_rdf *p = ldns_rr_rdf(rr, 0);
            if (!p || ldns_rdf_size(p) != 2)
                return NULL;
            pref = ldns_rdf2native_int16(p);
        }
        char *pres = ldns_rdf2str(f);
        if (!pres)
            return NULL;
        char *tidy = dns_name_tidy(pres);
        free(pres);
        dns_type_t dt = t == LDNS_RR_TYPE_MX    ? DNS_T_MX
                        : t == LDNS_RR_TYPE_PTR ? DNS_T_PTR
                                                : DNS_T_CNAME;
        dns_rr_t *out = dns_rr_new(dt, tidy, strlen(tidy), pref);
        g_free(tidy);
        return out;
    }
    default:
        return NULL;
    }
}

int dns_answer_add_wire(dns_answer_t *out, const void *pkt, size_t len, dns_type_t type,
                        bool *found)
{
    ldns_pkt *p = NULL;
    *found = false;
    if (ldns_wire2pkt(&p, pkt, len) != LDNS_STATUS_OK)
        return -1;
    const ldns_rr_list *an = ldns_pkt_answer(p);
    for (size_t i = 0; an && i < ldns_rr_list_rr_count(an); i++) {
        const ldns_rr *rr = ldns_rr_list_rr(an, i);
        unsigned t = ldns_rr_get_type(rr);
        if (t != (unsigned)type && t != LDNS_RR_TYPE_CNAME)
            continue;
        dns_rr_t *c = dns_rr_from_ldns(rr);
        if (!c)
            continue;
        g_ptr_array_add(out->records, c);
        if (t == (unsigned)type)
            *found = true;
    }
    ldns_pkt_free(p);
    return 0;
}

const char *dns_status_name(dns_status_t s)
{
    switch (s) {
    case DNS_OK:
        return "ok";
    case DNS_NXDOMAIN:
        return "nxdomain";
    case DNS_NODATA:
        return "nodata";
    case DNS_TEMPFAIL:
        return "tempfail";
    }
    return "unknown";
}
