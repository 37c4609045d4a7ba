/*
 * authres.c - Authentication-Results (RFC 8601) parser; see authres.h.
 *
 * What: a cursor over the value, moved only when a piece parses:
 *   payload  = [CFWS] authserv-id [CFWS version] (";" "none" / *(";" resinfo)) [CFWS]
 *   resinfo  = method ["/" version] "=" result [reason=value] *(ptype "." property "=" pvalue)
 * CFWS (white space and comments, nested, with quoted pairs) may sit
 * between any two pieces. Deviations real writers produce are accepted:
 *   - pvalues are read up to white space, ';', '(' or ')' (RFC 8601 allows
 *     "@domain" and local-part@domain; base64 header.b values carry '/',
 *     '+', '='), or as a quoted string;
 *   - a property without ptype ("action=none", "compauth=pass
 *     reason=100" as Microsoft writes them) is kept with ptype "";
 *     "reason=" is the reason wherever it appears, the first time;
 *   - "none" without ';' after the authserv-id, empty resinfo (";;") and
 *     a trailing ';' are accepted;
 *   - a field that starts with "method=result" has no authserv-id
 *     (Exchange Online writes such): authserv_id is "" (which no trust
 *     list matches) and the results are read;
 *   - non-ASCII bytes (RFC 6532 UTF-8) are allowed in values.
 * Anything else ends the method list: what was parsed is kept, ok false.
 *
 * Memory: authres_t owns everything (g_*); authres_free.
 * Limits: AUTHRES_MAX_METHODS results and AUTHRES_MAX_PROPS properties per
 * result are kept; the rest is parsed and dropped, so work stays linear in
 * len (comment nesting is a counter, not recursion).
 * Errors: never NULL; ok is false when the value did not parse to its end.
 * Security: the value is untrusted and not NUL-terminated; a NUL or any
 * control byte ends a token and so the parse.
 */
#include "mail/authres.h"

#include <string.h>

#include "util/slice.h"

static void adv(slice_t *c, size_t n)
{
    c->p += n;
    c->n -= n;
}

static bool is_wsp(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Skip white space and (nested) comments. An unclosed comment runs to the
 * end of the value. */
static void cfws(slice_t *c)
{
    while (c->n > 0) {
        if (is_wsp(c->p[0])) {
            adv(c, 1);
            continue;
        }
        if (c->p[0] != '(')
            return;
        size_t depth = 0, i = 0;
        while (i < c->n) {
            char ch = c->p[i];
            if (ch == '\\') {
                i += (i + 1 < c->n) ? 2 : 1;
                continue;
            }
            i++;
            if (ch == '(')
                depth++;
            else if (ch == ')' && --depth == 0)
                break;
        }
        adv(c, i);
    }
}

static bool eat(slice_t *c, char ch)
{
    if (c->n == 0 || c->p[0] != ch)
        return false;
    adv(c, 1);
    return true;
}

static bool kw_char(unsigned char ch, bool dots)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '_' || (dots && ch == '.');
}

/* Keyword: letters, digits, '-', '_' (and '.' for property names). */
static bool keyword(slice_t *c, slice_t *out, bool dots)
{
    size_t i = 0;
    while (i < c->n && kw_char((unsigned char)c->p[i], dots && i > 0))
        i++;
    if (i == 0)
        return false;
    *out = slice_make(c->p, i);
    adv(c, i);
    return true;
}

/* quoted-string, unquoted into a new string. */
static bool quoted(slice_t *c, char **out)
{
    if (c->n == 0 || c->p[0] != '"')
        return false;
    GString *s = g_string_new(NULL);
    size_t i = 1;
    while (i < c->n && c->p[i] != '"') {
        if (c->p[i] == '\\' && i + 1 < c->n)
            i++;
        g_string_append_c(s, c->p[i]);
        i++;
    }
    if (i >= c->n) { /* unterminated */
        g_string_free(s, TRUE);
        return false;
    }
    adv(c, i + 1);
    *out = g_string_free(s, FALSE);
    return true;
}

static bool token_char(unsigned char ch)
{
    return ch > 0x20 && ch != 0x7F && ch != ';' && ch != '(' && ch != ')' && ch != '"';
}

/* A value: quoted-string or a run of token characters (lenient). With
 * allow_empty, nothing at all is the empty value. */
static bool value(slice_t *c, char **out, bool allow_empty)
{
    if (quoted(c, out))
        return true;
    size_t i = 0;
    while (i < c->n && token_char((unsigned char)c->p[i]))
        i++;
    if (i == 0 && (!allow_empty || (c->n > 0 && c->p[0] == '"')))
        return false;
    *out = slice_dup(slice_make(c->p, i));
    adv(c, i);
    return true;
}

static char *lower_dup(slice_t s)
{
    char *d = slice_dup(s);
    for (char *p = d; *p; p++)
        *p = g_ascii_tolower(*p);
    return d;
}

static void prop_free(gpointer p)
{
    authres_prop_t *pr = p;
    g_free(pr->ptype);
    g_free(pr->property);
    g_free(pr->value);
    g_free(pr);
}

static void result_free(gpointer p)
{
    authres_result_t *r = p;
    if (r == NULL)
        return;
    g_free(r->method);
    g_free(r->result);
    g_free(r->reason);
    g_ptr_array_unref(r->props);
    g_free(r);
}

/* One property (or reason) of r; false leaves *c unmoved. */
static bool propspec(slice_t *c, authres_result_t *r)
{
    slice_t cur = *c, k1, k2 = {NULL, 0};
    char *val = NULL;
    if (!keyword(&cur, &k1, false))
        return false;
    cfws(&cur);
    bool dotted = eat(&cur, '.');
    if (dotted) {
        cfws(&cur);
        if (!keyword(&cur, &k2, true))
            return false;
        cfws(&cur);
    }
    if (!eat(&cur, '='))
        return false;
    cfws(&cur);
    if (!value(&cur, &val, true))
        return false;
    if (!dotted && slice_eq_ci(k1, "reason") && r->reason == NULL) {
        r->reason = val;
    } else if (r->props->len < AUTHRES_MAX_PROPS) {
        authres_prop_t *p = g_new0(authres_prop_t, 1);
        p->ptype = dotted ? lower_dup(k1) : g_strdup("");
        p->property = dotted ? lower_dup(k2) : lower_dup(k1);
        p->value = val;
        g_ptr_array_add(r->props, p);
    } else {
        g_free(val);
    }
    *c = cur;
    return true;
}

/* method ["/" version] "=" result, then reason and properties. */
static authres_result_t *resinfo(slice_t *c)
{
    slice_t cur = *c, method, result, ver;
    if (!keyword(&cur, &method, false))
        return NULL;
    cfws(&cur);
    if (eat(&cur, '/')) {
        cfws(&cur);
        if (!keyword(&cur, &ver, false))
            return NULL;
        cfws(&cur);
    }
    if (!eat(&cur, '='))
        return NULL;
    cfws(&cur);
    if (!keyword(&cur, &result, false))
        return NULL;
    authres_result_t *r = g_new0(authres_result_t, 1);
    r->method = lower_dup(method);
    r->result = lower_dup(result);
    r->props = g_ptr_array_new_with_free_func(prop_free);
    for (;;) {
        cfws(&cur);
        if (cur.n == 0 || cur.p[0] == ';')
            break;
        if (!propspec(&cur, r))
            break; /* the caller sees no ';' here and stops */
    }
    *c = cur;
    return r;
}

authres_t *authres_parse(const char *v, size_t len)
{
    authres_t *a = g_new0(authres_t, 1);
    a->results = g_ptr_array_new_with_free_func(result_free);
    slice_t c = slice_make(v ? v : "", v ? len : 0);
    char *id = NULL;
    cfws(&c);
    slice_t start = c;
    if (!value(&c, &id, false)) {
        a->authserv_id = g_strdup("");
        return a;
    }
    /* "dkim=none (...) header.d=none;dmarc=..." (Exchange Online writes
     * some without an authserv-id): id "", results read from the start */
    bool no_id = strchr(id, '=') != NULL;
    a->authserv_id = no_id ? g_strdup("") : g_ascii_strdown(id, -1);
    g_free(id);
    if (no_id)
        c = start;
    cfws(&c);
    slice_t digits;
    slice_t save = c;
    if (!no_id && keyword(&c, &digits, false)) { /* authres-version, or a bare "none" */
        bool all_digits = true;
        for (size_t i = 0; i < digits.n; i++)
            all_digits &= digits.p[i] >= '0' && digits.p[i] <= '9';
        if (!all_digits && !slice_eq_ci(digits, "none"))
            c = save;
        cfws(&c);
    }
    unsigned parsed = 0;
    for (;;) {
        cfws(&c);
        if (c.n == 0) {
            a->ok = true;
            break;
        }
        if (!eat(&c, ';') && !(no_id && parsed == 0))
            break;
        cfws(&c);
        if (c.n == 0 || c.p[0] == ';')
            continue;
        slice_t none = c, kw;
        if (parsed == 0 && keyword(&none, &kw, false) && slice_eq_ci(kw, "none")) {
            slice_t after = none;
            cfws(&after);
            if (after.n == 0 || after.p[0] == ';') {
                c = after;
                continue;
            }
        }
        authres_result_t *r = resinfo(&c);
        if (r == NULL)
            break;
        parsed++;
        if (a->results->len < AUTHRES_MAX_METHODS)
            g_ptr_array_add(a->results, r);
        else
            result_free(r);
    }
    return a;
}

void authres_free(gpointer p)
{
    authres_t *a = p;
    if (a == NULL)
        return;
    g_free(a->authserv_id);
    g_ptr_array_unref(a->results);
    g_free(a);
}

const authres_result_t *authres_find(const authres_t *a, const char *method)
{
    if (a == NULL || method == NULL)
        return NULL;
    for (guint i = 0; i < a->results->len; i++) {
        const authres_result_t *r = a->results->pdata[i];
        if (g_ascii_strcasecmp(r->method, method) == 0)
            return r;
    }
    return NULL;
}

const char *authres_prop(const authres_result_t *r, const char *ptype, const char *property)
{
    if (r == NULL || ptype == NULL || property == NULL)
        return NULL;
    for (guint i = 0; i < r->props->len; i++) {
        const authres_prop_t *p = r->props->pdata[i];
        if (g_ascii_strcasecmp(p->ptype, ptype) == 0 &&
            g_ascii_strcasecmp(p->property, property) == 0)
            return p->value;
    }
    return NULL;
}
