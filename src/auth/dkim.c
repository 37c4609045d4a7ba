/*
 * dkim.c - verify every DKIM signature of a message; see dkim.h.
 *
 * Order of checks for one signature: syntax (dkimsig_parse), times (x=,
 * t=), body hash (no DNS needed, so a modified body is reported as such
 * even offline), key (DNS), key constraints (revoked, k=, h=, t=s, RSA
 * size), then the signature over the selected header fields.
 *
 * Header selection (RFC 6376 5.4.2): for each name in h=, the bottom-most
 * field of that name not yet used; a name with no unused field left
 * contributes nothing (over-signing). The signature's own field is never
 * selected: when it was signed it did not exist yet.
 */
#include "auth/dkim.h"

#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "auth/dkimcanon.h"

struct bh_entry {
    dkimsig_canon_t canon;
    bool sha1;
    uint64_t limit;
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned dlen;
    uint64_t canon_len;
};

struct dkim_bhcache {
    struct bh_entry e[DKIM_MAX_BODY_HASHES];
    size_t n;
};

dkim_bhcache_t *dkim_bhcache_new(void)
{
    return g_new0(dkim_bhcache_t, 1);
}

void dkim_bhcache_free(dkim_bhcache_t *c)
{
    g_free(c);
}

const char *dkim_result_name(dkim_result_t r)
{
    static const char *names[] = {"pass", "fail", "neutral", "temperror", "permerror", "policy"};
    return (unsigned)r < G_N_ELEMENTS(names) ? names[r] : "permerror";
}

dkim_sigres_t *dkim_sigres_new(void)
{
    dkim_sigres_t *r = g_new0(dkim_sigres_t, 1);
    r->result = DKIM_PERMERROR;
    r->reason = g_strdup("not verified");
    r->signed_headers = g_ptr_array_new_with_free_func(g_free);
    r->unsigned_copies = g_ptr_array_new_with_free_func(g_free);
    return r;
}

void dkim_sigres_free(dkim_sigres_t *r)
{
    if (r == NULL)
        return;
    g_free(r->reason);
    g_free(r->domain);
    g_free(r->selector);
    g_free(r->auid);
    g_free(r->algorithm);
    g_free(r->canonicalization);
    g_free(r->header_b);
    g_free(r->key_type);
    g_ptr_array_unref(r->signed_headers);
    g_ptr_array_unref(r->unsigned_copies);
    g_free(r);
}

void dkim_sigres_set(dkim_sigres_t *r, dkim_result_t result, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_free(r->reason);
    r->reason = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    r->result = result;
}

/* ---- key lookup ---- */

dkim_lookup_status_t dkim_lookup_dns(void *ctx, const char *name, GPtrArray *records, char **why)
{
    dns_answer_t ans = {0};
    dns_status_t st = dns_query(ctx, name, DNS_T_TXT, &ans);
    dkim_lookup_status_t rc = DKIM_LOOKUP_NONE;
    if (st == DNS_TEMPFAIL) {
        *why = g_strdup(ans.why ? ans.why : "DNS failure");
        rc = DKIM_LOOKUP_TEMPFAIL;
    } else if (st == DNS_OK) {
        for (guint i = 0; ans.records && i < ans.records->len; i++) {
            const dns_rr_t *rr = ans.records->pdata[i];
            if (rr->type != DNS_T_TXT)
                continue;
            g_ptr_array_add(records, g_bytes_new(rr->text, rr->text_len));
            rc = DKIM_LOOKUP_OK;
        }
    }
    dns_answer_clear(&ans);
    return rc;
}

typedef struct key_entry {
    dkim_lookup_status_t st;
    GPtrArray *recs; /* GBytes* */
    char *why;
} key_entry_t;

struct dkim_keycache {
    GHashTable *names; /* lower-case name -> key_entry_t* */
    unsigned lookups;
};

static void key_entry_free(gpointer p)
{
    key_entry_t *e = p;
    g_ptr_array_unref(e->recs);
    g_free(e->why);
    g_free(e);
}

dkim_keycache_t *dkim_keycache_new(void)
{
    dkim_keycache_t *c = g_new0(dkim_keycache_t, 1);
    c->names = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, key_entry_free);
    return c;
}

void dkim_keycache_free(dkim_keycache_t *c)
{
    if (c == NULL)
        return;
    g_hash_table_destroy(c->names);
    g_free(c);
}

/* The cached answer for name, asking the lookup function at most once;
 * NULL when the budget is spent. */
static const key_entry_t *lookup_cached(const dkim_opts_t *o, const char *name)
{
    dkim_keycache_t *c = o->keys;
    char *low = g_ascii_strdown(name, -1);
    key_entry_t *e = g_hash_table_lookup(c->names, low);
    if (e != NULL) {
        g_free(low);
        return e;
    }
    if (c->lookups >= DKIM_MAX_KEY_LOOKUPS) {
        g_free(low);
        return NULL;
    }
    c->lookups++;
    e = g_new0(key_entry_t, 1);
    e->recs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    e->st = o->lookup(o->lookup_ctx, name, e->recs, &e->why);
    g_hash_table_insert(c->names, low, e);
    return e;
}

dkim_result_t dkim_fetch_key(const dkim_opts_t *o, const char *selector, const char *domain,
                             dkimkey_t **out, char **reason)
{
    *out = NULL;
    if (o->lookup == NULL) {
        *reason = g_strdup("no key lookup configured");
        return DKIM_TEMPERROR;
    }
    dkim_opts_t local = *o;
    if (local.keys == NULL)
        local.keys = dkim_keycache_new();
    char *name = g_strconcat(selector, "._domainkey.", domain, NULL);
    const key_entry_t *e = lookup_cached(&local, name);
    dkim_result_t rc;
    if (e == NULL) {
        *reason = g_strdup_printf("key lookup %s not done: more than %d key lookups for one "
                                  "message",
                                  name, DKIM_MAX_KEY_LOOKUPS);
        rc = DKIM_TEMPERROR;
    } else if (e->st == DKIM_LOOKUP_TEMPFAIL) {
        *reason =
            g_strdup_printf("key lookup %s failed: %s", name, e->why ? e->why : "temporary error");
        rc = DKIM_TEMPERROR;
    } else if (e->st == DKIM_LOOKUP_NONE || e->recs->len == 0) {
        *reason = g_strdup_printf("no key record at %s", name);
        rc = DKIM_PERMERROR;
    } else {
        /* RFC 6376 6.1.2: with several records, use the first usable one. */
        const char *first_why = NULL;
        for (guint i = 0; i < e->recs->len && *out == NULL; i++) {
            gsize n;
            const char *p = g_bytes_get_data(e->recs->pdata[i], &n);
            const char *kwhy = NULL;
            if (dkimkey_parse(slice_make(p, n), out, &kwhy) != 0 && first_why == NULL)
                first_why = kwhy;
        }
        if (*out == NULL) {
            *reason = g_strdup_printf("bad key record at %s: %s", name, first_why);
            rc = DKIM_PERMERROR;
        } else {
            rc = DKIM_PASS;
        }
    }
    g_free(name);
    if (o->keys == NULL)
        dkim_keycache_free(local.keys);
    return rc;
}

/* ---- hashing ---- */

static int body_hash(const dkimmsg_t *m, const dkimsig_t *sig, dkim_bhcache_t *cache,
                     const struct bh_entry **out)
{
    bool sha1 = sig->alg == DKIM_ALG_RSA_SHA1;
    uint64_t limit = sig->has_l ? sig->l : UINT64_MAX;
    for (size_t i = 0; i < cache->n; i++) {
        const struct bh_entry *e = &cache->e[i];
        if (e->canon == sig->bcanon && e->sha1 == sha1 && e->limit == limit) {
            *out = e;
            return 0;
        }
    }
    /* Cache full: a hostile message asks for many distinct l= values or
     * canonicalisations, each a pass over a body of up to 64 MB. Refuse. */
    if (cache->n == DKIM_MAX_BODY_HASHES)
        return -2;
    struct bh_entry tmp, *e = &cache->e[cache->n];
    tmp.canon = sig->bcanon;
    tmp.sha1 = sha1;
    tmp.limit = limit;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    int rc = -1;
    if (ctx && EVP_DigestInit_ex(ctx, sha1 ? EVP_sha1() : EVP_sha256(), NULL) == 1 &&
        dkimcanon_body(ctx, m->body, sig->bcanon, limit, &tmp.canon_len) == 0 &&
        EVP_DigestFinal_ex(ctx, tmp.digest, &tmp.dlen) == 1)
        rc = 0;
    EVP_MD_CTX_free(ctx);
    if (rc != 0)
        return -1;
    *e = tmp;
    cache->n++;
    *out = e;
    return 0;
}

int dkim_append_sig_field(buf_t *out, const dkimmsg_field_t *f, const dkimsig_t *sig)
{
    size_t voff = (size_t)(f->value.p - f->raw.p);
    size_t cut = voff + sig->b_raw_off, resume = voff + sig->b_raw_end;
    if (resume > f->raw.n || cut > resume)
        return -1;
    buf_t tmp;
    buf_init(&tmp, f->raw.n + 1);
    int rc = buf_append(&tmp, f->raw.p, cut) == BUF_OK &&
                     buf_append(&tmp, f->raw.p + resume, f->raw.n - resume) == BUF_OK
                 ? dkimcanon_header(out, buf_slice(&tmp), sig->hcanon, false)
                 : -1;
    buf_free(&tmp);
    return rc;
}

static int build_header_data(const dkimmsg_t *m, size_t field_index, const dkimsig_t *sig,
                             buf_t *out)
{
    size_t nf = m->fields->len;
    bool *used = g_new0(bool, nf + 1);
    used[field_index] = true;
    int rc = 0;
    for (guint k = 0; k < sig->hfields->len && rc == 0; k++) {
        const char *want = sig->hfields->pdata[k];
        for (size_t j = nf; j-- > 0;) {
            const dkimmsg_field_t *f = dkimmsg_field(m, j);
            if (used[j] || !slice_eq_ci(f->name, want))
                continue;
            used[j] = true;
            rc = dkimcanon_header(out, f->raw, sig->hcanon, true);
            break;
        }
    }
    g_free(used);
    if (rc == 0)
        rc = dkim_append_sig_field(out, dkimmsg_field(m, field_index), sig);
    return rc;
}

static void fill_from_sig(dkim_sigres_t *res, const dkimsig_t *sig)
{
    g_free(res->domain);
    res->domain = g_strdup(sig->domain);
    g_free(res->selector);
    res->selector = g_strdup(sig->selector);
    g_free(res->auid);
    res->auid = g_strdup(sig->auid);
    g_free(res->algorithm);
    res->algorithm = g_strdup(dkimsig_alg_name(sig->alg));
    g_free(res->canonicalization);
    res->canonicalization =
        g_strdup_printf("%s/%s", dkimsig_canon_name(sig->hcanon), dkimsig_canon_name(sig->bcanon));
    g_free(res->header_b);
    res->header_b = g_strdup(sig->header_b);
    res->weak = sig->alg == DKIM_ALG_RSA_SHA1;
    res->body_length_limited = sig->has_l;
    res->body_length = sig->l;
    res->has_t = sig->has_t;
    res->t = sig->t;
    res->has_x = sig->has_x;
    res->x = sig->x;
    g_ptr_array_set_size(res->signed_headers, 0);
    for (guint i = 0; i < sig->hfields->len; i++)
        g_ptr_array_add(res->signed_headers, g_strdup(sig->hfields->pdata[i]));
}

static bool key_acceptable(const dkimkey_t *key, const dkimsig_t *sig, dkim_sigres_t *res)
{
    if (key->revoked) {
        dkim_sigres_set(res, DKIM_PERMERROR, "key revoked (empty p=)");
        return false;
    }
    if (dkimsig_alg_is_rsa(sig->alg) != (key->type == DKIMKEY_RSA)) {
        dkim_sigres_set(res, DKIM_PERMERROR, "key type %s does not match a=%s",
                        dkimkey_type_name(key->type), dkimsig_alg_name(sig->alg));
        return false;
    }
    bool sha1 = sig->alg == DKIM_ALG_RSA_SHA1;
    if ((sha1 && !key->allow_sha1) || (!sha1 && !key->allow_sha256)) {
        dkim_sigres_set(res, DKIM_PERMERROR,
                        "hash of a=%s not allowed by the key's h=", dkimsig_alg_name(sig->alg));
        return false;
    }
    if (key->strict && sig->auid) {
        const char *at = strrchr(sig->auid, '@');
        if (at == NULL || g_ascii_strcasecmp(at + 1, sig->domain) != 0) {
            dkim_sigres_set(res, DKIM_PERMERROR, "key has t=s but i= is a subdomain of d=");
            return false;
        }
    }
    if (key->type == DKIMKEY_RSA && key->bits < DKIMKEY_MIN_RSA_BITS) {
        dkim_sigres_set(res, DKIM_POLICY, "RSA key of %u bits (under %u, RFC 8301)", key->bits,
                        DKIMKEY_MIN_RSA_BITS);
        return false;
    }
    return true;
}

/* Names in h= with more fields in the message than h= selects. */
static void find_unsigned_copies(const dkimmsg_t *m, size_t field_index, const dkimsig_t *sig,
                                 dkim_sigres_t *res)
{
    g_ptr_array_set_size(res->unsigned_copies, 0);
    for (guint k = 0; k < sig->hfields->len; k++) {
        const char *name = sig->hfields->pdata[k];
        bool seen = false;
        unsigned listed = 0, present = 0;
        for (guint j = 0; j < sig->hfields->len; j++) {
            if (strcmp(sig->hfields->pdata[j], name) == 0) {
                seen |= j < k;
                listed++;
            }
        }
        if (seen || name[0] == '\0')
            continue; /* counted at its first listing */
        for (size_t i = 0; i < m->fields->len; i++)
            present += i != field_index && slice_eq_ci(dkimmsg_field(m, i)->name, name);
        if (present > listed)
            g_ptr_array_add(res->unsigned_copies, g_strdup(name));
    }
}

void dkim_check_sig(const dkimmsg_t *m, size_t field_index, const dkimsig_t *sig,
                    const dkim_opts_t *o, dkim_bhcache_t *cache, dkim_sigres_t *res)
{
    int64_t now = o->now ? o->now : (int64_t)time(NULL);
    fill_from_sig(res, sig);
    res->field_index = (unsigned)field_index;
    find_unsigned_copies(m, field_index, sig, res);
    if (sig->has_x && sig->x < now) {
        dkim_sigres_set(res, DKIM_PERMERROR, "signature expired (x=%" G_GINT64_FORMAT ")", sig->x);
        return;
    }
    if (sig->has_t && sig->t > now + DKIM_CLOCK_SKEW) {
        dkim_sigres_set(res, DKIM_PERMERROR,
                        "signature time in the future (t=%" G_GINT64_FORMAT ")", sig->t);
        return;
    }
    const struct bh_entry *bh = NULL;
    int bhrc = body_hash(m, sig, cache, &bh);
    if (bhrc == -2) {
        dkim_sigres_set(res, DKIM_PERMERROR, "not verified: more than %d distinct body hashes",
                        DKIM_MAX_BODY_HASHES);
        return;
    }
    if (bhrc != 0) {
        dkim_sigres_set(res, DKIM_TEMPERROR, "digest failure");
        return;
    }
    if (sig->has_l) {
        if (sig->l > bh->canon_len) {
            dkim_sigres_set(res, DKIM_PERMERROR,
                            "l=%" G_GUINT64_FORMAT " exceeds the canonical body (%" G_GUINT64_FORMAT
                            " bytes)",
                            sig->l, bh->canon_len);
            return;
        }
        res->body_unsigned = bh->canon_len - sig->l;
    }
    if (bh->dlen != sig->bh_len || memcmp(bh->digest, sig->bh, bh->dlen) != 0) {
        dkim_sigres_set(res, DKIM_FAIL, "body hash mismatch");
        return;
    }
    buf_t hd;
    buf_init(&hd, DKIM_MAX_HASHED_HEADER);
    if (build_header_data(m, field_index, sig, &hd) != 0)
        dkim_sigres_set(res, DKIM_PERMERROR, "signed header data too large");
    else
        dkim_check_header_sig(o, sig, hd.data, hd.len, res);
    buf_free(&hd);
}

void dkim_check_header_sig(const dkim_opts_t *o, const dkimsig_t *sig, const void *data, size_t len,
                           dkim_sigres_t *res)
{
    dkimkey_t *key = NULL;
    char *why = NULL;
    dkim_result_t kr = dkim_fetch_key(o, sig->selector, sig->domain, &key, &why);
    if (kr != DKIM_PASS) {
        dkim_sigres_set(res, kr, "%s", why);
        g_free(why);
        return;
    }
    g_free(res->key_type);
    res->key_type = g_strdup(dkimkey_type_name(key->type));
    res->key_bits = key->bits;
    res->testing = key->testing;
    if (key_acceptable(key, sig, res)) {
        int v = dkimkey_verify(key, sig->alg, data, len, sig->b, sig->b_len);
        if (v == 1)
            dkim_sigres_set(res, DKIM_PASS, "%s",
                            res->testing ? "verified (key in testing mode t=y)" : "verified");
        else if (v == 0)
            dkim_sigres_set(res, DKIM_FAIL, "signature did not verify");
        else
            dkim_sigres_set(res, DKIM_PERMERROR, "key unusable for a=%s",
                            dkimsig_alg_name(sig->alg));
    }
    dkimkey_free(key);
}

char *dkim_printable(slice_t s)
{
    char *v = g_utf8_make_valid(s.p ? s.p : "", (gssize)s.n);
    for (char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = (*p == '\t' || *p == '\r' || *p == '\n') ? ' ' : '?';
    return v;
}

/* For a field that does not parse, still say what it claimed. */
static void fill_best_effort(dkim_sigres_t *res, slice_t value)
{
    dkimsig_tag_t tags[DKIMSIG_MAX_TAGS];
    size_t n = 0;
    const char *why;
    if (dkimsig_tags_parse(value, tags, DKIMSIG_MAX_TAGS, &n, &why) != 0)
        return;
    const dkimsig_tag_t *t;
    if ((t = dkimsig_tag_find(tags, n, "d")) && t->value.n <= 253)
        res->domain = dkim_printable(t->value);
    if ((t = dkimsig_tag_find(tags, n, "s")) && t->value.n <= 253)
        res->selector = dkim_printable(t->value);
    if ((t = dkimsig_tag_find(tags, n, "a")) && t->value.n <= 64)
        res->algorithm = dkim_printable(t->value);
}

GPtrArray *dkim_verify_msg(const dkimmsg_t *m, const dkim_opts_t *opts)
{
    dkim_opts_t local = *opts;
    const dkim_opts_t *o = &local;
    if (local.keys == NULL)
        local.keys = dkim_keycache_new();
    GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)dkim_sigres_free);
    unsigned max = o->max_sigs ? o->max_sigs : DKIM_MAX_SIGS;
    unsigned seen = 0;
    dkim_bhcache_t *cache = dkim_bhcache_new();
    for (size_t i = 0; i < m->fields->len; i++) {
        const dkimmsg_field_t *f = dkimmsg_field(m, i);
        if (!slice_eq_ci(f->name, "DKIM-Signature"))
            continue;
        dkim_sigres_t *res = dkim_sigres_new();
        res->field_index = (unsigned)i;
        g_ptr_array_add(out, res);
        if (++seen > max) {
            fill_best_effort(res, f->value);
            dkim_sigres_set(res, DKIM_PERMERROR, "not verified: more than %u signatures", max);
            continue;
        }
        dkimsig_t *sig = NULL;
        const char *why = NULL;
        int prc = dkimsig_parse(f->value, DKIMSIG_DKIM, &sig, &why);
        if (prc != 0) {
            fill_best_effort(res, f->value);
            if (prc == DKIMSIG_ESYNTAX)
                dkim_sigres_set(res, DKIM_NEUTRAL, "signature syntax error: %s", why);
            else
                dkim_sigres_set(res, DKIM_PERMERROR, "unusable signature: %s", why);
            continue;
        }
        dkim_check_sig(m, i, sig, o, cache, res);
        dkimsig_free(sig);
    }
    dkim_bhcache_free(cache);
    if (opts->keys == NULL)
        dkim_keycache_free(local.keys);
    return out;
}

GPtrArray *dkim_verify(const char *raw, size_t len, const dkim_opts_t *o)
{
    dkimmsg_t *m = dkimmsg_parse(raw, len);
    if (m == NULL)
        return NULL;
    GPtrArray *r = dkim_verify_msg(m, o);
    dkimmsg_free(m);
    return r;
}
