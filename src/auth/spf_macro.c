/*
 * spf_macro.c - SPF macro strings (RFC 7208 section 7); see spf_macro.h.
 *
 * One walker serves both the syntax check (env == NULL, nothing written)
 * and the expansion, so the two can never disagree on what is valid.
 * "exp" mode is the explain-string of a TXT record fetched for exp=
 * (7.1, 6.2): it may hold spaces and the c, r, t letters; a domain-spec
 * may hold neither.
 */
#include "auth/spf_macro.h"

#include <glib.h>
#include <string.h>

static bool is_delim(char c)
{
    return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' || c == '_' || c == '=';
}

static bool is_unreserved(unsigned char c)
{
    return g_ascii_isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

typedef struct macro_spec {
    char letter; /* lower case */
    bool upper;
    unsigned digits; /* 0: all */
    bool reverse;
    char delims[8];
    size_t ndelims;
} macro_spec_t;

/* Parse "%{...}" at s (s->p[0] == '%', s->p[1] == '{'); advance on success. */
static int parse_expand(slice_t *s, bool exp, macro_spec_t *m, const char **why)
{
    size_t i = 2;
    memset(m, 0, sizeof *m);
    if (i >= s->n) {
        *why = "unterminated macro";
        return -1;
    }
    char c = s->p[i++];
    char lc = g_ascii_tolower(c);
    if (lc == '\0' || !strchr("slodipvhcrt", lc)) {
        *why = "unknown macro letter";
        return -1;
    }
    if (!exp && strchr("crt", lc)) {
        *why = "macro letters c, r and t are allowed only in explanation text";
        return -1;
    }
    m->letter = lc;
    m->upper = c != lc;
    bool any_digit = false;
    unsigned long d = 0;
    while (i < s->n && g_ascii_isdigit(s->p[i])) {
        any_digit = true;
        if (d <= SPF_MACRO_MAX_DIGITS)
            d = d * 10 + (unsigned long)(s->p[i] - '0');
        i++;
    }
    if (any_digit && d == 0) {
        *why = "macro digit transformer must not be zero";
        return -1;
    }
    m->digits = d > SPF_MACRO_MAX_DIGITS ? SPF_MACRO_MAX_DIGITS : (unsigned)d;
    if (i < s->n && (s->p[i] == 'r' || s->p[i] == 'R')) {
        m->reverse = true;
        i++;
    }
    while (i < s->n && is_delim(s->p[i])) {
        if (m->ndelims < sizeof m->delims && !memchr(m->delims, s->p[i], m->ndelims))
            m->delims[m->ndelims++] = s->p[i];
        i++;
    }
    if (i >= s->n || s->p[i] != '}') {
        *why = "malformed macro";
        return -1;
    }
    s->p += i + 1;
    s->n -= i + 1;
    return 0;
}

static const char *macro_value(const macro_spec_t *m, const spf_macro_env_t *env, char *tbuf,
                               size_t tlen)
{
    switch (m->letter) {
    case 's':
        return env->sender;
    case 'l':
        return env->local;
    case 'o':
        return env->sender_domain;
    case 'd':
        return env->domain;
    case 'i':
        return env->ip_dotted;
    case 'v':
        return env->ip_version;
    case 'h':
        return env->helo;
    case 'c':
        return env->ip_readable;
    case 'r':
        return env->receiver ? env->receiver : "unknown";
    case 't':
        g_snprintf(tbuf, tlen, "%lld", (long long)env->now);
        return tbuf;
    case 'p':
        return env->validated ? env->validated(env->ud, env->domain) : "unknown";
    }
    return "";
}

/* Split value on the delimiters, keep the right-most digits parts after
 * an optional reversal, join with '.', URL-escape if upper. */
static int expand_one(const macro_spec_t *m, const char *value, buf_t *out, const char **why)
{
    const char *delims = m->ndelims ? m->delims : ".";
    size_t nd = m->ndelims ? m->ndelims : 1;
    GPtrArray *parts = g_ptr_array_new();
    slice_t v = slice_cstr(value ? value : "");
    size_t start = 0;
    for (size_t i = 0; i <= v.n; i++) {
        if (i == v.n || memchr(delims, v.p[i], nd)) {
            slice_t *part = g_new(slice_t, 1);
            *part = slice_make(v.p + start, i - start);
            g_ptr_array_add(parts, part);
            start = i + 1;
        }
    }
    if (m->reverse)
        for (guint a = 0, b = parts->len ? parts->len - 1 : 0; a < b; a++, b--) {
            gpointer t = parts->pdata[a];
            parts->pdata[a] = parts->pdata[b];
            parts->pdata[b] = t;
        }
    guint first = 0;
    if (m->digits && m->digits < parts->len)
        first = parts->len - m->digits;
    int rc = 0;
    for (guint i = first; i < parts->len && rc == 0; i++) {
        const slice_t *part = parts->pdata[i];
        if (i > first && buf_append_char(out, '.') != BUF_OK)
            rc = -1;
        for (size_t k = 0; k < part->n && rc == 0; k++) {
            unsigned char c = (unsigned char)part->p[k];
            if (m->upper && !is_unreserved(c))
                rc = buf_printf(out, "%%%02X", c) == BUF_OK ? 0 : -1;
            else
                rc = buf_append_char(out, (char)c) == BUF_OK ? 0 : -1;
        }
    }
    for (guint i = 0; i < parts->len; i++)
        g_free(parts->pdata[i]);
    g_ptr_array_unref(parts);
    if (rc)
        *why = "macro expansion too long";
    return rc;
}

static int walk(slice_t s, bool exp, const spf_macro_env_t *env, buf_t *out, const char **why)
{
    while (s.n) {
        unsigned char c = (unsigned char)s.p[0];
        if (c != '%') {
            bool ok = (c >= 0x21 && c <= 0x7e) || (exp && c == ' ');
            if (!ok) {
                *why = c == ' ' ? "space in a domain-spec" : "character outside printable ASCII";
                return -1;
            }
            if (out && buf_append_char(out, (char)c) != BUF_OK) {
                *why = "macro expansion too long";
                return -1;
            }
            s.p++;
            s.n--;
            continue;
        }
        if (s.n < 2) {
            *why = "'%' at the end of a macro-string";
            return -1;
        }
        const char *lit = NULL;
        switch (s.p[1]) {
        case '%':
            lit = "%";
            break;
        case '_':
            lit = " ";
            break;
        case '-':
            lit = "%20";
            break;
        case '{':
            break;
        default:
            *why = "'%' not followed by '{', '%', '_' or '-'";
            return -1;
        }
        if (lit) {
            if (out && buf_append_str(out, lit) != BUF_OK) {
                *why = "macro expansion too long";
                return -1;
            }
            s.p += 2;
            s.n -= 2;
            continue;
        }
        macro_spec_t m;
        if (parse_expand(&s, exp, &m, why) < 0)
            return -1;
        if (out) {
            char tbuf[32];
            if (expand_one(&m, macro_value(&m, env, tbuf, sizeof tbuf), out, why) < 0)
                return -1;
        }
    }
    return 0;
}

int spf_macro_check(slice_t s, bool exp, const char **why)
{
    return walk(s, exp, NULL, NULL, why);
}

int spf_macro_expand(slice_t s, bool exp, const spf_macro_env_t *env, buf_t *out, const char **why)
{
    return walk(s, exp, env, out, why);
}
