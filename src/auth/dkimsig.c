/*
 * dkimsig.c - tag lists and signature fields; see dkimsig.h.
 *
 * Tag names are matched case-sensitively and values of a= c= cv= q=
 * case-insensitively, as RFC 6376 3.2 and 3.5 say. Tag values are read
 * leniently (any byte but ';'), names strictly (ALPHA *(ALPHA/DIGIT/"_")),
 * and the values that name things (d=, s=, h=) are checked so that a
 * hostile value can never build a surprising DNS name.
 */
#include "auth/dkimsig.h"

#include <limits.h>
#include <openssl/evp.h>
#include <string.h>

static bool is_fws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

int dkimsig_tags_parse(slice_t in, dkimsig_tag_t *tags, size_t max, size_t *n, const char **why)
{
    size_t pos = 0, count = 0;
    *n = 0;
    while (pos < in.n) {
        while (pos < in.n && is_fws(in.p[pos]))
            pos++;
        if (pos == in.n)
            break;
        size_t ns = pos;
        if (!is_alpha(in.p[pos])) {
            *why = "bad tag name";
            return -1;
        }
        while (pos < in.n && (is_alpha(in.p[pos]) || is_digit(in.p[pos]) || in.p[pos] == '_'))
            pos++;
        slice_t name = slice_make(in.p + ns, pos - ns);
        while (pos < in.n && is_fws(in.p[pos]))
            pos++;
        if (pos == in.n || in.p[pos] != '=') {
            *why = "tag without '='";
            return -1;
        }
        pos++;
        size_t vs = pos;
        while (pos < in.n && in.p[pos] != ';')
            pos++;
        for (size_t i = 0; i < count; i++)
            if (tags[i].name.n == name.n && memcmp(tags[i].name.p, name.p, name.n) == 0) {
                *why = "duplicate tag";
                return -1;
            }
        if (count == max) {
            *why = "too many tags";
            return -1;
        }
        tags[count].name = name;
        tags[count].value = slice_trim(slice_make(in.p + vs, pos - vs));
        tags[count].raw_off = vs;
        tags[count].raw_end = pos;
        count++;
        if (pos < in.n)
            pos++; /* the ';' */
    }
    *n = count;
    return 0;
}

const dkimsig_tag_t *dkimsig_tag_find(const dkimsig_tag_t *tags, size_t n, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < n; i++)
        if (tags[i].name.n == len && memcmp(tags[i].name.p, name, len) == 0)
            return &tags[i];
    return NULL;
}

static bool is_b64(char c)
{
    return is_alpha(c) || is_digit(c) || c == '+' || c == '/';
}

/* The syntax is checked here (alphabet, '=' only at the end, at most two,
 * length), the decoding is OpenSSL's. Unpadded input is padded first, as
 * EVP_DecodeBlock wants whole quanta. */
unsigned char *dkimsig_b64_decode(slice_t in, size_t *out_len)
{
    char *compact = g_malloc(in.n + 4);
    size_t n = 0, pad = 0;
    for (size_t i = 0; i < in.n; i++) {
        char c = in.p[i];
        if (is_fws(c))
            continue;
        if (c == '=') {
            pad++;
        } else if (!is_b64(c) || pad > 0) {
            g_free(compact);
            return NULL;
        }
        compact[n++] = c;
    }
    size_t chars = n - pad;
    if (pad > 2 || chars % 4 == 1 || (pad > 0 && n % 4 != 0) || n > (size_t)INT_MAX - 4) {
        g_free(compact);
        return NULL;
    }
    while (n % 4 != 0) {
        compact[n++] = '=';
        pad++;
    }
    unsigned char *out = g_malloc(n / 4 * 3 + 1);
    int got = n ? EVP_DecodeBlock(out, (const unsigned char *)compact, (int)n) : 0;
    g_free(compact);
    if (got < 0 || (size_t)got < pad) {
        g_free(out);
        return NULL;
    }
    *out_len = (size_t)got - pad;
    return out;
}

bool dkimsig_parse_u64(slice_t in, uint64_t *out)
{
    if (in.n == 0 || in.n > 18)
        return false;
    uint64_t v = 0;
    for (size_t i = 0; i < in.n; i++) {
        if (!is_digit(in.p[i]))
            return false;
        v = v * 10 + (uint64_t)(in.p[i] - '0');
    }
    *out = v;
    return true;
}

const char *dkimsig_alg_name(dkimsig_alg_t a)
{
    switch (a) {
    case DKIM_ALG_RSA_SHA256:
        return "rsa-sha256";
    case DKIM_ALG_RSA_SHA1:
        return "rsa-sha1";
    case DKIM_ALG_ED25519_SHA256:
        return "ed25519-sha256";
    }
    return "?";
}

const char *dkimsig_canon_name(dkimsig_canon_t c)
{
    return c == DKIM_CANON_RELAXED ? "relaxed" : "simple";
}

bool dkimsig_alg_is_rsa(dkimsig_alg_t a)
{
    return a == DKIM_ALG_RSA_SHA256 || a == DKIM_ALG_RSA_SHA1;
}

static bool parse_alg(slice_t v, dkimsig_alg_t *a)
{
    if (slice_eq_ci(v, "rsa-sha256"))
        *a = DKIM_ALG_RSA_SHA256;
    else if (slice_eq_ci(v, "rsa-sha1"))
        *a = DKIM_ALG_RSA_SHA1;
    else if (slice_eq_ci(v, "ed25519-sha256"))
        *a = DKIM_ALG_ED25519_SHA256;
    else
        return false;
    return true;
}

static bool parse_canon1(slice_t v, dkimsig_canon_t *c)
{
    v = slice_trim(v);
    if (slice_eq_ci(v, "simple"))
        *c = DKIM_CANON_SIMPLE;
    else if (slice_eq_ci(v, "relaxed"))
        *c = DKIM_CANON_RELAXED;
    else
        return false;
    return true;
}

/* A domain name or selector: labels of letters, digits, '-' and '_',
 * separated by single dots, no leading or trailing dot, at most 253. */
static bool valid_name(slice_t v)
{
    if (v.n == 0 || v.n > 253 || v.p[0] == '.' || v.p[v.n - 1] == '.')
        return false;
    for (size_t i = 0; i < v.n; i++) {
        char c = v.p[i];
        if (c == '.') {
            if (v.p[i + 1] == '.')
                return false;
        } else if (!is_alpha(c) && !is_digit(c) && c != '-' && c != '_') {
            return false;
        }
    }
    return true;
}

static bool valid_field_name(slice_t v)
{
    if (v.n == 0)
        return false;
    for (size_t i = 0; i < v.n; i++)
        if ((unsigned char)v.p[i] <= 0x20 || (unsigned char)v.p[i] >= 0x7f || v.p[i] == ':')
            return false;
    return true;
}

static bool colon_list_has(slice_t v, const char *want)
{
    while (v.n > 0) {
        slice_t item = slice_trim(slice_split(&v, ':'));
        if (slice_eq_ci(item, want))
            return true;
    }
    return false;
}

/* i= must be within d=: equal, or a subdomain (RFC 6376 3.5 "i=").
 * Compared ASCII case-insensitively. */
static bool auid_within(const char *auid, const char *domain)
{
    const char *at = strrchr(auid, '@');
    if (at == NULL)
        return false;
    const char *ad = at + 1;
    size_t al = strlen(ad), dl = strlen(domain);
    if (al < dl || dl == 0)
        return false;
    if (g_ascii_strcasecmp(ad + al - dl, domain) != 0)
        return false;
    return al == dl || ad[al - dl - 1] == '.';
}

static int hexval(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* i= is dkim-quoted-printable (RFC 6376 2.11): "=XX" stands for a byte;
 * FWS is ignored. NULL for a bad escape, a NUL or a control byte. */
static char *qp_decode(slice_t v)
{
    GString *o = g_string_sized_new(v.n);
    for (size_t k = 0; k < v.n; k++) {
        char c = v.p[k];
        if (is_fws(c))
            continue;
        if (c == '=') {
            int hi = k + 2 < v.n ? hexval(v.p[k + 1]) : -1;
            int lo = hi >= 0 ? hexval(v.p[k + 2]) : -1;
            if (lo < 0) {
                g_string_free(o, TRUE);
                return NULL;
            }
            c = (char)(hi * 16 + lo);
            k += 2;
        }
        if ((unsigned char)c < 0x21 || c == 0x7f) {
            g_string_free(o, TRUE);
            return NULL;
        }
        g_string_append_c(o, c);
    }
    return g_string_free(o, FALSE);
}

static int fail(dkimsig_t *s, const char **why, const char *reason, int code)
{
    dkimsig_free(s);
    *why = reason;
    return code;
}

static int parse_hfields(dkimsig_t *s, slice_t v, const char **why)
{
    for (;;) {
        bool last = slice_find(v, ':') < 0;
        slice_t item = slice_trim(slice_split(&v, ':'));
        /* An empty name ("from::to") selects no field and adds nothing,
         * as deployed verifiers do (ValiMail ams_fields_h_mis_hdr). */
        if (item.n > 0 && !valid_field_name(item)) {
            *why = "bad header name in h=";
            return -1;
        }
        if (s->hfields->len >= DKIMSIG_MAX_HFIELDS) {
            *why = "too many header names in h=";
            return -1;
        }
        g_ptr_array_add(s->hfields, g_ascii_strdown(item.p, (gssize)item.n));
        if (last)
            return 0;
    }
}

static int parse_times(dkimsig_t *s, const dkimsig_tag_t *tags, size_t n, const char **why)
{
    const dkimsig_tag_t *t = dkimsig_tag_find(tags, n, "t");
    const dkimsig_tag_t *x = dkimsig_tag_find(tags, n, "x");
    uint64_t u;
    if (t) {
        if (!dkimsig_parse_u64(t->value, &u)) {
            *why = "bad t=";
            return -1;
        }
        s->has_t = true;
        s->t = (int64_t)u;
    }
    if (x) {
        if (!dkimsig_parse_u64(x->value, &u)) {
            *why = "bad x=";
            return -1;
        }
        s->has_x = true;
        s->x = (int64_t)u;
    }
    if (s->has_t && s->has_x && s->x < s->t) {
        *why = "x= earlier than t=";
        return DKIMSIG_EUNUSABLE;
    }
    return 0;
}

static int parse_dkim_only(dkimsig_t *s, const dkimsig_tag_t *tags, size_t n, const char **why)
{
    const dkimsig_tag_t *v = dkimsig_tag_find(tags, n, "v");
    if (v == NULL) {
        *why = "missing v=";
        return DKIMSIG_EUNUSABLE;
    }
    if (!(v->value.n == 1 && v->value.p[0] == '1')) {
        *why = "unsupported version v=";
        return DKIMSIG_EUNUSABLE;
    }
    const dkimsig_tag_t *i = dkimsig_tag_find(tags, n, "i");
    if (i) {
        s->auid = qp_decode(i->value);
        if (s->auid == NULL || !auid_within(s->auid, s->domain)) {
            *why = "i= not within d=";
            return DKIMSIG_EUNUSABLE;
        }
    } else {
        s->auid = g_strconcat("@", s->domain, NULL);
    }
    const dkimsig_tag_t *l = dkimsig_tag_find(tags, n, "l");
    if (l) {
        if (!dkimsig_parse_u64(l->value, &s->l)) {
            *why = "bad l=";
            return -1;
        }
        s->has_l = true;
    }
    const dkimsig_tag_t *q = dkimsig_tag_find(tags, n, "q");
    if (q && !colon_list_has(q->value, "dns/txt")) {
        *why = "unsupported query method q=";
        return DKIMSIG_EUNUSABLE;
    }
    bool from = false;
    for (guint k = 0; k < s->hfields->len; k++)
        from |= strcmp(s->hfields->pdata[k], "from") == 0;
    if (!from) {
        *why = "From not signed (h= lacks from)";
        return DKIMSIG_EUNUSABLE;
    }
    return 0;
}

static int parse_arc_only(dkimsig_t *s, const dkimsig_tag_t *tags, size_t n, const char **why)
{
    const dkimsig_tag_t *i = dkimsig_tag_find(tags, n, "i");
    uint64_t u;
    if (i == NULL || !dkimsig_parse_u64(i->value, &u) || u < 1 || u > DKIMSIG_ARC_MAX_INSTANCE) {
        *why = "missing or bad instance i=";
        return DKIMSIG_EUNUSABLE;
    }
    s->instance = (unsigned)u;
    if (s->kind == DKIMSIG_AS) {
        const dkimsig_tag_t *cv = dkimsig_tag_find(tags, n, "cv");
        if (cv == NULL) {
            *why = "missing cv=";
            return DKIMSIG_EUNUSABLE;
        }
        if (slice_eq_ci(cv->value, "none"))
            s->cv = DKIM_CV_NONE;
        else if (slice_eq_ci(cv->value, "pass"))
            s->cv = DKIM_CV_PASS;
        else if (slice_eq_ci(cv->value, "fail"))
            s->cv = DKIM_CV_FAIL;
        else {
            *why = "bad cv=";
            return DKIMSIG_EUNUSABLE;
        }
        if (dkimsig_tag_find(tags, n, "h")) {
            *why = "h= in ARC-Seal";
            return DKIMSIG_EUNUSABLE;
        }
    }
    return 0;
}

int dkimsig_parse(slice_t value, dkimsig_kind_t kind, dkimsig_t **out, const char **why)
{
    dkimsig_tag_t tags[DKIMSIG_MAX_TAGS];
    size_t n;
    *out = NULL;
    if (dkimsig_tags_parse(value, tags, DKIMSIG_MAX_TAGS, &n, why) != 0)
        return DKIMSIG_ESYNTAX;
    dkimsig_t *s = g_new0(dkimsig_t, 1);
    s->kind = kind;
    s->hfields = g_ptr_array_new_with_free_func(g_free);
    s->hcanon = s->bcanon = DKIM_CANON_SIMPLE;

    const dkimsig_tag_t *a = dkimsig_tag_find(tags, n, "a");
    if (a == NULL)
        return fail(s, why, "missing a=", DKIMSIG_EUNUSABLE);
    if (!parse_alg(a->value, &s->alg))
        return fail(s, why, "unknown algorithm a=", DKIMSIG_EUNUSABLE);
    const dkimsig_tag_t *b = dkimsig_tag_find(tags, n, "b");
    if (b == NULL)
        return fail(s, why, "missing b=", DKIMSIG_EUNUSABLE);
    s->b = dkimsig_b64_decode(b->value, &s->b_len);
    if (s->b == NULL || s->b_len == 0)
        return fail(s, why, "bad base64 in b=", DKIMSIG_ESYNTAX);
    s->b_raw_off = b->raw_off;
    s->b_raw_end = b->raw_end;
    size_t hb = 0;
    for (size_t k = 0; k < b->value.n && hb < DKIMSIG_HEADER_B_LEN; k++)
        if (!is_fws(b->value.p[k]))
            s->header_b[hb++] = b->value.p[k];
    s->header_b[hb] = '\0';
    const dkimsig_tag_t *d = dkimsig_tag_find(tags, n, "d");
    if (d == NULL || !valid_name(d->value))
        return fail(s, why,
                    d ? "bad domain d=" : "missing d=", d ? DKIMSIG_ESYNTAX : DKIMSIG_EUNUSABLE);
    s->domain = slice_dup(d->value);
    const dkimsig_tag_t *sel = dkimsig_tag_find(tags, n, "s");
    if (sel == NULL || !valid_name(sel->value))
        return fail(s, why, sel ? "bad selector s=" : "missing s=",
                    sel ? DKIMSIG_ESYNTAX : DKIMSIG_EUNUSABLE);
    s->selector = slice_dup(sel->value);

    if (kind != DKIMSIG_AS) {
        const dkimsig_tag_t *bh = dkimsig_tag_find(tags, n, "bh");
        if (bh == NULL)
            return fail(s, why, "missing bh=", DKIMSIG_EUNUSABLE);
        s->bh = dkimsig_b64_decode(bh->value, &s->bh_len);
        if (s->bh == NULL || s->bh_len == 0)
            return fail(s, why, "bad base64 in bh=", DKIMSIG_ESYNTAX);
        const dkimsig_tag_t *h = dkimsig_tag_find(tags, n, "h");
        if (h == NULL)
            return fail(s, why, "missing h=", DKIMSIG_EUNUSABLE);
        /* An empty h= signs nothing but itself: meaningless for DKIM (From
         * must be signed) but valid for an AMS (ValiMail ams_fields_h_empty). */
        if (!(kind == DKIMSIG_AMS && h->value.n == 0) && parse_hfields(s, h->value, why) != 0)
            return fail(s, why, *why, DKIMSIG_ESYNTAX);
        const dkimsig_tag_t *c = dkimsig_tag_find(tags, n, "c");
        /* ARC sealers sign relaxed/relaxed; an AMS without c= is read so
         * (ValiMail ams_fields_c_na), a DKIM-Signature as simple/simple. */
        if (kind == DKIMSIG_AMS)
            s->hcanon = s->bcanon = DKIM_CANON_RELAXED;
        if (c) {
            slice_t cv = c->value;
            slice_t hc = slice_split(&cv, '/');
            if (!parse_canon1(hc, &s->hcanon))
                return fail(s, why, "bad canonicalization c=", DKIMSIG_ESYNTAX);
            if (hc.n != c->value.n && !parse_canon1(cv, &s->bcanon))
                return fail(s, why, "bad canonicalization c=", DKIMSIG_ESYNTAX);
        }
    } else {
        s->hcanon = s->bcanon = DKIM_CANON_RELAXED;
    }
    int rc = parse_times(s, tags, n, why);
    if (rc != 0)
        return fail(s, why, *why, rc);
    rc = kind == DKIMSIG_DKIM ? parse_dkim_only(s, tags, n, why) : parse_arc_only(s, tags, n, why);
    if (rc != 0)
        return fail(s, why, *why, rc);
    *out = s;
    return 0;
}

void dkimsig_free(dkimsig_t *s)
{
    if (s == NULL)
        return;
    g_free(s->domain);
    g_free(s->selector);
    g_free(s->auid);
    if (s->hfields)
        g_ptr_array_free(s->hfields, TRUE);
    g_free(s->b);
    g_free(s->bh);
    g_free(s);
}
