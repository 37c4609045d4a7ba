/*
 * arc.c - ARC chain validation; see arc.h.
 *
 * The steps follow RFC 8617 5.2: collect, newest cv=fail means fail,
 * structure, newest AMS, every AS. The AS of instance k signs, in
 * relaxed canonicalisation, AAR(1) AMS(1) AS(1) ... AAR(k) AMS(k) AS(k),
 * the last with its b= value removed and no final CRLF (RFC 8617 5.1.1);
 * the prefix for k+1 is the prefix for k plus set k, so all seals are
 * checked in time linear in the size of the chain.
 */
#include "auth/arc.h"

#include <stdarg.h>
#include <string.h>

#include "auth/dkimcanon.h"

#define ARC_MAX_AAR_TEXT 1024

typedef struct slot {
    long aar, ams, as; /* header field index, -1 when absent */
    slice_t aar_rest;
    dkimsig_t *ams_sig, *as_sig;
} slot_t;

const char *arc_cv_name(arc_cv_t cv)
{
    return cv == ARC_PASS ? "pass" : cv == ARC_FAIL ? "fail" : "none";
}

static bool is_fws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

unsigned arc_aar_instance(slice_t v, slice_t *rest)
{
    size_t p = 0;
    while (p < v.n && is_fws(v.p[p]))
        p++;
    if (p >= v.n || v.p[p] != 'i')
        return 0;
    p++;
    while (p < v.n && is_fws(v.p[p]))
        p++;
    if (p >= v.n || v.p[p] != '=')
        return 0;
    p++;
    while (p < v.n && is_fws(v.p[p]))
        p++;
    size_t ds = p;
    while (p < v.n && v.p[p] >= '0' && v.p[p] <= '9')
        p++;
    uint64_t inst;
    if (!dkimsig_parse_u64(slice_make(v.p + ds, p - ds), &inst) || inst < 1 ||
        inst > DKIMSIG_ARC_MAX_INSTANCE)
        return 0;
    while (p < v.n && is_fws(v.p[p]))
        p++;
    if (p >= v.n || v.p[p] != ';')
        return 0;
    *rest = slice_make(v.p + p + 1, v.n - p - 1);
    return (unsigned)inst;
}

static void set_free(arc_set_t *s)
{
    g_free(s->authserv_id);
    g_free(s->aar);
    g_free(s->ams_domain);
    g_free(s->ams_selector);
    g_free(s->as_domain);
    g_free(s->as_selector);
    g_free(s->ams_reason);
    g_free(s->as_reason);
    g_free(s);
}

void arc_result_free(arc_result_t *r)
{
    if (r == NULL)
        return;
    g_free(r->reason);
    g_ptr_array_unref(r->sets);
    g_free(r);
}

static arc_result_t *result_new(void)
{
    arc_result_t *r = g_new0(arc_result_t, 1);
    r->cv = ARC_NONE;
    r->reason = g_strdup("no ARC sets");
    r->sets = g_ptr_array_new_with_free_func((GDestroyNotify)set_free);
    return r;
}

static void verdict(arc_result_t *r, arc_cv_t cv, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void verdict(arc_result_t *r, arc_cv_t cv, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_free(r->reason);
    r->reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    r->cv = cv;
}

/* Collect the sets; returns false (r set to fail) on a malformed or
 * duplicated field. */
static bool collect(const dkimmsg_t *m, slot_t *slots, unsigned *n_out, bool *any, arc_result_t *r)
{
    unsigned n = 0;
    for (size_t i = 0; i < m->fields->len; i++) {
        const dkimmsg_field_t *f = dkimmsg_field(m, i);
        const char *why = NULL;
        unsigned inst = 0;
        if (slice_eq_ci(f->name, "ARC-Authentication-Results")) {
            *any = true;
            slice_t rest;
            inst = arc_aar_instance(f->value, &rest);
            if (inst == 0) {
                verdict(r, ARC_FAIL, "malformed ARC-Authentication-Results (no leading i=N;)");
                return false;
            }
            if (slots[inst].aar >= 0) {
                verdict(r, ARC_FAIL, "two ARC-Authentication-Results with i=%u", inst);
                return false;
            }
            slots[inst].aar = (long)i;
            slots[inst].aar_rest = rest;
        } else if (slice_eq_ci(f->name, "ARC-Message-Signature") ||
                   slice_eq_ci(f->name, "ARC-Seal")) {
            *any = true;
            bool ams = slice_eq_ci(f->name, "ARC-Message-Signature");
            dkimsig_t *sig = NULL;
            if (dkimsig_parse(f->value, ams ? DKIMSIG_AMS : DKIMSIG_AS, &sig, &why) != 0) {
                verdict(r, ARC_FAIL, "malformed %s: %s", ams ? "ARC-Message-Signature" : "ARC-Seal",
                        why);
                return false;
            }
            inst = sig->instance;
            long *idx = ams ? &slots[inst].ams : &slots[inst].as;
            dkimsig_t **sp = ams ? &slots[inst].ams_sig : &slots[inst].as_sig;
            if (*idx >= 0) {
                dkimsig_free(sig);
                verdict(r, ARC_FAIL, "two %s with i=%u", ams ? "ARC-Message-Signature" : "ARC-Seal",
                        inst);
                return false;
            }
            *idx = (long)i;
            *sp = sig;
        } else {
            continue;
        }
        if (inst > n)
            n = inst;
    }
    *n_out = n;
    return true;
}

static bool check_structure(const slot_t *slots, unsigned n, arc_result_t *r)
{
    if (slots[n].as_sig && slots[n].as_sig->cv == DKIM_CV_FAIL) {
        verdict(r, ARC_FAIL, "the newest ARC-Seal (i=%u) has cv=fail", n);
        return false;
    }
    for (unsigned k = 1; k <= n; k++) {
        const slot_t *s = &slots[k];
        if (s->aar < 0 || s->ams < 0 || s->as < 0) {
            verdict(r, ARC_FAIL, "ARC set i=%u is incomplete (missing %s)", k,
                    s->aar < 0   ? "ARC-Authentication-Results"
                    : s->ams < 0 ? "ARC-Message-Signature"
                                 : "ARC-Seal");
            return false;
        }
        dkimsig_cv_t want = k == 1 ? DKIM_CV_NONE : DKIM_CV_PASS;
        if (s->as_sig->cv != want) {
            verdict(r, ARC_FAIL, "ARC-Seal i=%u has cv=%s (expected %s)", k,
                    s->as_sig->cv == DKIM_CV_FAIL   ? "fail"
                    : s->as_sig->cv == DKIM_CV_PASS ? "pass"
                                                    : "none",
                    k == 1 ? "none" : "pass");
            return false;
        }
        if (s->as_sig->alg == DKIM_ALG_RSA_SHA1 || s->ams_sig->alg == DKIM_ALG_RSA_SHA1) {
            verdict(r, ARC_FAIL, "ARC set i=%u uses rsa-sha1", k);
            return false;
        }
        for (guint h = 0; h < s->ams_sig->hfields->len; h++)
            if (strcmp(s->ams_sig->hfields->pdata[h], "arc-seal") == 0) {
                verdict(r, ARC_FAIL, "ARC-Message-Signature i=%u signs ARC-Seal", k);
                return false;
            }
    }
    return true;
}

static arc_set_t *describe(const dkimmsg_t *m, const slot_t *s, unsigned k)
{
    arc_set_t *set = g_new0(arc_set_t, 1);
    set->instance = k;
    set->ams_domain = g_strdup(s->ams_sig->domain);
    set->ams_selector = g_strdup(s->ams_sig->selector);
    set->as_domain = g_strdup(s->as_sig->domain);
    set->as_selector = g_strdup(s->as_sig->selector);
    set->ams_result = set->as_result = DKIM_NEUTRAL;
    set->cv = s->as_sig->cv == DKIM_CV_PASS   ? "pass"
              : s->as_sig->cv == DKIM_CV_FAIL ? "fail"
                                              : "none";
    slice_t rest = s->aar_rest;
    slice_t id = slice_trim(slice_split(&rest, ';'));
    if (id.n > 0 && id.n <= 255)
        set->authserv_id = dkim_printable(id);
    rest = slice_trim(rest);
    if (rest.n > ARC_MAX_AAR_TEXT)
        rest.n = ARC_MAX_AAR_TEXT;
    set->aar = dkim_printable(rest);
    (void)m;
    return set;
}

static dkim_result_t check_ams(const dkimmsg_t *m, const slot_t *s, const dkim_opts_t *o,
                               dkim_bhcache_t *cache, char **reason)
{
    dkim_sigres_t *res = dkim_sigres_new();
    dkim_check_sig(m, (size_t)s->ams, s->ams_sig, o, cache, res);
    dkim_result_t rc = res->result;
    *reason = g_strdup(res->reason);
    dkim_sigres_free(res);
    return rc;
}

/* Verify every AS; returns the first failing instance or 0. */
static unsigned check_seals(const dkimmsg_t *m, const slot_t *slots, unsigned n,
                            const dkim_opts_t *o, arc_result_t *r)
{
    buf_t prefix, data;
    buf_init(&prefix, DKIM_MAX_HASHED_HEADER);
    buf_init(&data, DKIM_MAX_HASHED_HEADER);
    unsigned bad = 0;
    for (unsigned k = 1; k <= n && bad == 0; k++) {
        const slot_t *s = &slots[k];
        arc_set_t *set = r->sets->pdata[k - 1];
        const dkimmsg_field_t *aar = dkimmsg_field(m, (size_t)s->aar);
        const dkimmsg_field_t *ams = dkimmsg_field(m, (size_t)s->ams);
        const dkimmsg_field_t *as = dkimmsg_field(m, (size_t)s->as);
        buf_reset(&data);
        int rc = buf_append(&data, prefix.data ? prefix.data : "", prefix.len);
        rc |= dkimcanon_header(&data, aar->raw, DKIM_CANON_RELAXED, true);
        rc |= dkimcanon_header(&data, ams->raw, DKIM_CANON_RELAXED, true);
        rc |= dkim_append_sig_field(&data, as, s->as_sig);
        dkim_sigres_t *res = dkim_sigres_new();
        if (rc != 0)
            dkim_sigres_set(res, DKIM_PERMERROR, "ARC header data too large");
        else
            dkim_check_header_sig(o, s->as_sig, data.data, data.len, res);
        set->as_result = res->result;
        set->as_reason = g_strdup(res->reason);
        if (res->result != DKIM_PASS)
            bad = k;
        dkim_sigres_free(res);
        rc = dkimcanon_header(&prefix, aar->raw, DKIM_CANON_RELAXED, true);
        rc |= dkimcanon_header(&prefix, ams->raw, DKIM_CANON_RELAXED, true);
        rc |= dkimcanon_header(&prefix, as->raw, DKIM_CANON_RELAXED, true);
        if (rc != 0 && bad == 0 && k < n)
            bad = k + 1;
    }
    buf_free(&prefix);
    buf_free(&data);
    return bad;
}

static void validate(const dkimmsg_t *m, slot_t *slots, const dkim_opts_t *o, arc_result_t *r)
{
    unsigned n = 0;
    bool any = false;
    if (!collect(m, slots, &n, &any, r) || !any)
        return;
    r->instances = n;
    if (!check_structure(slots, n, r))
        return;
    for (unsigned k = 1; k <= n; k++)
        g_ptr_array_add(r->sets, describe(m, &slots[k], k));
    dkim_bhcache_t *cache = dkim_bhcache_new();
    arc_set_t *newest = r->sets->pdata[n - 1];
    newest->ams_result = check_ams(m, &slots[n], o, cache, &newest->ams_reason);
    if (newest->ams_result != DKIM_PASS) {
        verdict(r, ARC_FAIL, "ARC-Message-Signature i=%u: %s", n, newest->ams_reason);
    } else {
        unsigned bad = check_seals(m, slots, n, o, r);
        if (bad) {
            arc_set_t *b = r->sets->pdata[bad - 1];
            verdict(r, ARC_FAIL, "ARC-Seal i=%u: %s", bad,
                    b->as_reason ? b->as_reason : "header data too large");
        } else {
            verdict(r, ARC_PASS, "chain of %u verified", n);
            r->oldest_pass = 0;
            for (unsigned k = n - 1; k >= 1; k--) {
                arc_set_t *set = r->sets->pdata[k - 1];
                set->ams_result = check_ams(m, &slots[k], o, cache, &set->ams_reason);
                if (set->ams_result != DKIM_PASS) {
                    r->oldest_pass = k + 1;
                    break;
                }
            }
        }
    }
    dkim_bhcache_free(cache);
}

arc_result_t *arc_validate_msg(const dkimmsg_t *m, const dkim_opts_t *opts)
{
    dkim_opts_t o = *opts;
    if (o.keys == NULL)
        o.keys = dkim_keycache_new();
    arc_result_t *r = result_new();
    slot_t slots[DKIMSIG_ARC_MAX_INSTANCE + 1];
    for (size_t i = 0; i < G_N_ELEMENTS(slots); i++)
        slots[i] = (slot_t){-1, -1, -1, {NULL, 0}, NULL, NULL};
    validate(m, slots, &o, r);
    for (size_t i = 0; i < G_N_ELEMENTS(slots); i++) {
        dkimsig_free(slots[i].ams_sig);
        dkimsig_free(slots[i].as_sig);
    }
    if (opts->keys == NULL)
        dkim_keycache_free(o.keys);
    return r;
}

arc_result_t *arc_validate(const char *raw, size_t len, const dkim_opts_t *o)
{
    dkimmsg_t *m = dkimmsg_parse(raw, len);
    if (m == NULL)
        return NULL;
    arc_result_t *r = arc_validate_msg(m, o);
    dkimmsg_free(m);
    return r;
}
