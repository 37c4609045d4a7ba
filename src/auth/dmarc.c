/*
 * dmarc.c - DMARC evaluation; see dmarc.h.
 */
#include "auth/dmarc.h"

#include <string.h>

#include "intel/domain.h"
#include "util/slice.h"

const char *dmarc_res_name(dmarc_res_t r)
{
    static const char *const n[] = {"none", "pass", "fail", "temperror", "permerror"};
    return (unsigned)r < G_N_ELEMENTS(n) ? n[r] : "none";
}

const char *dmarc_policy_name(dmarc_policy_t p)
{
    static const char *const n[] = {"none", "quarantine", "reject"};
    return (unsigned)p < G_N_ELEMENTS(n) ? n[p] : "none";
}

static int policy_of(slice_t v, dmarc_policy_t *out)
{
    if (slice_eq_ci(v, "none"))
        *out = DMARC_P_NONE;
    else if (slice_eq_ci(v, "quarantine"))
        *out = DMARC_P_QUARANTINE;
    else if (slice_eq_ci(v, "reject"))
        *out = DMARC_P_REJECT;
    else
        return -1;
    return 0;
}

int dmarc_parse_record(const char *txt, size_t len, dmarc_record_t *out)
{
    memset(out, 0, sizeof *out);
    out->pct = 100;
    if (len > DMARC_MAX_RECORD)
        return -1;
    slice_t rest = slice_make(txt, len);
    bool first = true, p_ok = false;
    while (rest.n > 0) {
        slice_t tag = slice_trim(slice_split(&rest, ';'));
        if (tag.n == 0) {
            if (first)
                return -1;
            continue;
        }
        long eq = slice_find(tag, '=');
        if (eq < 0) {
            if (first)
                return -1;
            continue; /* unknown junk is ignored after v= (RFC 7489 6.3) */
        }
        slice_t name = slice_trim(slice_make(tag.p, (size_t)eq));
        slice_t val = slice_trim(slice_make(tag.p + eq + 1, tag.n - (size_t)eq - 1));
        if (first) {
            if (!slice_eq_ci(name, "v") || !(val.n == 6 && memcmp(val.p, "DMARC1", 6) == 0))
                return -1;
            first = false;
            continue;
        }
        if (slice_eq_ci(name, "p")) {
            p_ok = policy_of(val, &out->p) == 0;
        } else if (slice_eq_ci(name, "sp")) {
            out->has_sp = policy_of(val, &out->sp) == 0;
        } else if (slice_eq_ci(name, "np")) {
            out->has_np = policy_of(val, &out->np) == 0;
        } else if (slice_eq_ci(name, "adkim")) {
            out->strict_dkim = slice_eq_ci(val, "s");
        } else if (slice_eq_ci(name, "aspf")) {
            out->strict_spf = slice_eq_ci(val, "s");
        } else if (slice_eq_ci(name, "pct")) {
            unsigned v = 0;
            bool ok = val.n > 0 && val.n <= 3;
            for (size_t i = 0; ok && i < val.n; i++) {
                ok = g_ascii_isdigit(val.p[i]);
                v = v * 10 + (unsigned)(val.p[i] - '0');
            }
            if (ok && v <= 100)
                out->pct = v;
        } else if (slice_eq_ci(name, "rua")) {
            out->has_rua = slice_find(val, ':') > 0;
        }
    }
    if (first)
        return -1;
    if (!p_ok) {
        if (!out->has_rua)
            return -2;
        out->p = DMARC_P_NONE; /* RFC 7489 6.6.3 step 6 */
    }
    if (!out->has_sp)
        out->sp = out->p;
    if (!out->has_np)
        out->np = out->sp;
    return 0;
}

/* 0: one record found and parsed; 1: none; -1: temperror. */
static int fetch(dns_resolver_t *dns, const char *domain, dmarc_record_t *rec, char **text,
                 char **problem)
{
    char *name = g_strconcat("_dmarc.", domain, NULL);
    dns_answer_t a;
    dns_status_t st = dns_query(dns, name, DNS_T_TXT, &a);
    int rc = 1;
    if (st == DNS_TEMPFAIL) {
        *problem = g_strdup_printf("DNS for %s: %s", name, a.why ? a.why : "temporary failure");
        rc = -1;
    } else if (st == DNS_OK) {
        unsigned found = 0;
        dmarc_record_t r;
        for (guint i = 0; i < a.records->len; i++) {
            const dns_rr_t *rr = a.records->pdata[i];
            if (rr->type != DNS_T_TXT)
                continue;
            int p = dmarc_parse_record(rr->text, rr->text_len, &r);
            if (p == -1)
                continue; /* not a DMARC record */
            found++;
            if (p == 0 && found == 1) {
                *rec = r;
                g_free(*text);
                *text = g_utf8_make_valid(rr->text, (gssize)rr->text_len);
            }
        }
        if (found == 1 && *text)
            rc = 0;
        else if (found > 1)
            *problem = g_strdup_printf("%s has %u DMARC records: treated as none", name, found);
    }
    dns_answer_clear(&a);
    g_free(name);
    return rc;
}

static bool aligned(const char *auth, const char *from, const char *from_org, bool strict)
{
    if (auth == NULL || *auth == '\0')
        return false;
    if (strict)
        return g_ascii_strcasecmp(auth, from) == 0;
    char *o = domain_org(auth);
    bool yes = o && from_org && g_ascii_strcasecmp(o, from_org) == 0;
    g_free(o);
    return yes;
}

/* DMARCbis np=: the From domain does not exist at all. */
static bool nonexistent(dns_resolver_t *dns, const char *domain)
{
    static const dns_type_t types[] = {DNS_T_A, DNS_T_AAAA, DNS_T_MX};
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
        dns_answer_t a;
        dns_status_t st = dns_query(dns, domain, types[i], &a);
        dns_answer_clear(&a);
        if (st != DNS_NXDOMAIN)
            return false;
    }
    return true;
}

static dmarc_res_t check_one(dns_resolver_t *dns, const dmarc_input_t *in, const char *from,
                             dmarc_result_t *out)
{
    memset(out, 0, sizeof *out);
    out->from_domain = g_ascii_strdown(from, -1);
    out->org_domain = domain_org(out->from_domain);
    if (out->org_domain == NULL)
        out->org_domain = g_strdup(out->from_domain);
    dmarc_record_t rec;
    char *text = NULL, *problem = NULL;
    int rc = fetch(dns, out->from_domain, &rec, &text, &problem);
    const char *where = out->from_domain;
    if (rc == 1 && strcmp(out->org_domain, out->from_domain) != 0) {
        g_free(problem);
        problem = NULL;
        rc = fetch(dns, out->org_domain, &rec, &text, &problem);
        where = out->org_domain;
    }
    out->problem = problem;
    if (rc < 0) {
        g_free(text);
        return out->result = DMARC_TEMPERROR;
    }
    if (rc == 1) {
        g_free(text);
        if (out->problem == NULL)
            out->problem = g_strdup_printf("no DMARC record at _dmarc.%s", out->from_domain);
        return out->result = DMARC_NONE;
    }
    out->record_domain = g_strdup(where);
    out->record = text;
    out->pct = rec.pct;
    if (in->spf_pass && aligned(in->spf_domain, out->from_domain, out->org_domain, rec.strict_spf))
        out->spf_aligned = g_ascii_strdown(in->spf_domain, -1);
    for (unsigned i = 0; i < in->n_dkim && out->dkim_aligned == NULL; i++)
        if (in->dkim[i].pass &&
            aligned(in->dkim[i].domain, out->from_domain, out->org_domain, rec.strict_dkim))
            out->dkim_aligned = g_ascii_strdown(in->dkim[i].domain, -1);
    bool is_org = strcmp(out->from_domain, out->org_domain) == 0;
    out->policy = is_org ? rec.p : (nonexistent(dns, out->from_domain) ? rec.np : rec.sp);
    out->result = (out->spf_aligned || out->dkim_aligned) ? DMARC_PASS : DMARC_FAIL;
    return out->result;
}

/* worse results first: fail beats temperror beats permerror beats none beats pass */
static int rank(dmarc_res_t r)
{
    switch (r) {
    case DMARC_FAIL:
        return 4;
    case DMARC_TEMPERROR:
        return 3;
    case DMARC_PERMERROR:
        return 2;
    case DMARC_NONE:
        return 1;
    default:
        return 0;
    }
}

dmarc_res_t dmarc_check(dns_resolver_t *dns, const dmarc_input_t *in, dmarc_result_t *out)
{
    memset(out, 0, sizeof *out);
    domain_init();
    if (in->from_domains == NULL || in->from_domains[0] == NULL) {
        out->problem = g_strdup("no From domain");
        return out->result = DMARC_PERMERROR;
    }
    bool have = false;
    for (const char *const *d = in->from_domains; *d; d++) {
        if (**d == '\0')
            continue;
        dmarc_result_t r;
        check_one(dns, in, *d, &r);
        if (!have || rank(r.result) > rank(out->result) ||
            (rank(r.result) == rank(out->result) && r.policy > out->policy)) {
            dmarc_result_clear(out);
            *out = r;
            have = true;
        } else {
            dmarc_result_clear(&r);
        }
    }
    if (!have) {
        out->problem = g_strdup("no usable From domain");
        out->result = DMARC_PERMERROR;
    }
    return out->result;
}

void dmarc_result_clear(dmarc_result_t *r)
{
    g_free(r->from_domain);
    g_free(r->org_domain);
    g_free(r->record_domain);
    g_free(r->record);
    g_free(r->spf_aligned);
    g_free(r->dkim_aligned);
    g_free(r->problem);
    memset(r, 0, sizeof *r);
}
