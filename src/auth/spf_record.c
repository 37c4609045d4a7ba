/*
 * spf_record.c - the SPF record parser; see spf_record.h.
 *
 * Terms are read with slice cursors; a mechanism's optional CIDR suffix is
 * taken from the end of the term (a domain-spec may itself contain '/',
 * which is a macro delimiter), then what remains must be empty or
 * ":" domain-spec.
 */
#include "auth/spf_record.h"

#include <arpa/inet.h>
#include <string.h>

#include "auth/spf_macro.h"

static const struct {
    const char *name;
    spf_mech_t mech;
} mech_names[] = {
    {"all", SPF_MECH_ALL}, {"include", SPF_MECH_INCLUDE}, {"a", SPF_MECH_A},
    {"mx", SPF_MECH_MX},   {"ptr", SPF_MECH_PTR},         {"ip4", SPF_MECH_IP4},
    {"ip6", SPF_MECH_IP6}, {"exists", SPF_MECH_EXISTS},
};

const char *spf_mech_name(spf_mech_t m)
{
    for (size_t i = 0; i < G_N_ELEMENTS(mech_names); i++)
        if (mech_names[i].mech == m)
            return mech_names[i].name;
    return "?";
}

bool spf_record_is_spf(slice_t txt)
{
    if (!slice_skip_prefix_ci(&txt, "v=spf1"))
        return false;
    return txt.n == 0 || txt.p[0] == ' ';
}

static void term_free(gpointer p)
{
    spf_term_t *t = p;
    if (!t)
        return;
    g_free(t->spec);
    g_free(t->text);
    g_free(t);
}

void spf_record_free(spf_record_t *r)
{
    if (!r)
        return;
    g_ptr_array_unref(r->terms);
    g_free(r->redirect);
    g_free(r->exp);
    g_free(r);
}

/* toplabel = ( *alphanum ALPHA *alphanum ) /
 *            ( 1*alphanum "-" *( alphanum / "-" ) alphanum ) */
static bool is_toplabel(slice_t l)
{
    if (l.n == 0 || !g_ascii_isalnum(l.p[0]) || !g_ascii_isalnum(l.p[l.n - 1]))
        return false;
    bool alpha = false, dash = false;
    for (size_t i = 0; i < l.n; i++) {
        char c = l.p[i];
        if (g_ascii_isalpha(c))
            alpha = true;
        else if (c == '-')
            dash = true;
        else if (!g_ascii_isdigit(c))
            return false;
    }
    return alpha || dash;
}

int spf_record_check_domain_spec(slice_t spec, const char **why)
{
    if (spec.n == 0) {
        *why = "empty domain-spec";
        return -1;
    }
    if (spf_macro_check(spec, false, why) < 0)
        return -1;
    /* Find where the literal tail after the last macro-expand starts. */
    size_t tail = 0;
    bool last_macro = false;
    for (size_t i = 0; i < spec.n;) {
        if (spec.p[i] == '%') {
            if (i + 1 < spec.n && spec.p[i + 1] == '{') {
                const char *close = memchr(spec.p + i, '}', spec.n - i);
                if (!close) {
                    *why = "malformed macro";
                    return -1;
                }
                i = (size_t)(close - spec.p) + 1;
            } else {
                i += 2;
            }
            tail = i;
            last_macro = true;
        } else {
            i++;
            last_macro = false;
        }
    }
    if (last_macro)
        return 0;
    slice_t t = slice_make(spec.p + tail, spec.n - tail);
    if (t.n && t.p[t.n - 1] == '.')
        t.n--;
    const char *dot = t.n ? memrchr(t.p, '.', t.n) : NULL;
    if (!dot) {
        *why = "domain-spec does not end in a top-level label or a macro";
        return -1;
    }
    slice_t top = slice_make(dot + 1, t.n - (size_t)(dot + 1 - t.p));
    if (!is_toplabel(top)) {
        *why = "domain-spec does not end in a valid top-level label";
        return -1;
    }
    return 0;
}

/* ip4-cidr-length = "/" ( "0" / %x31-39 0*1DIGIT ); likewise ip6 with up
 * to 128. digits is the text after the slash. */
static int parse_cidr(slice_t digits, int max, int *out)
{
    if (digits.n == 0 || digits.n > 3 || (digits.n > 1 && digits.p[0] == '0'))
        return -1;
    int v = 0;
    for (size_t i = 0; i < digits.n; i++) {
        if (!g_ascii_isdigit(digits.p[i]))
            return -1;
        v = v * 10 + (digits.p[i] - '0');
    }
    if (v > max)
        return -1;
    *out = v;
    return 0;
}

/* Length of the run of digits at the end of s. */
static size_t trailing_digits(slice_t s)
{
    size_t n = 0;
    while (n < s.n && g_ascii_isdigit(s.p[s.n - 1 - n]))
        n++;
    return n;
}

/* Take "[/N][//M]" off the end of *s; -1 on a malformed length. */
static int take_dual_cidr(slice_t *s, int *c4, int *c6)
{
    size_t d = trailing_digits(*s);
    if (d && s->n >= d + 2 && s->p[s->n - d - 1] == '/' && s->p[s->n - d - 2] == '/') {
        if (parse_cidr(slice_make(s->p + s->n - d, d), 128, c6) < 0)
            return -1;
        s->n -= d + 2;
        d = trailing_digits(*s);
    }
    if (d && s->n >= d + 1 && s->p[s->n - d - 1] == '/') {
        if (parse_cidr(slice_make(s->p + s->n - d, d), 32, c4) < 0)
            return -1;
        s->n -= d + 1;
    }
    return 0;
}

/* ip4-network: four qnums, no leading zeros, each at most 255. */
static int parse_ip4(slice_t s, uint8_t out[4])
{
    for (int k = 0; k < 4; k++) {
        size_t n = 0;
        unsigned v = 0;
        while (n < s.n && n < 4 && g_ascii_isdigit(s.p[n]))
            v = v * 10 + (unsigned)(s.p[n++] - '0');
        if (n == 0 || n > 3 || v > 255 || (n > 1 && s.p[0] == '0'))
            return -1;
        out[k] = (uint8_t)v;
        s.p += n;
        s.n -= n;
        if (k < 3) {
            if (!s.n || s.p[0] != '.')
                return -1;
            s.p++;
            s.n--;
        }
    }
    return s.n == 0 ? 0 : -1;
}

static int parse_ip6(slice_t s, uint8_t out[16])
{
    if (s.n == 0 || s.n > 45)
        return -1;
    for (size_t i = 0; i < s.n; i++)
        if (!g_ascii_isxdigit(s.p[i]) && s.p[i] != ':' && s.p[i] != '.')
            return -1;
    char tmp[46];
    memcpy(tmp, s.p, s.n);
    tmp[s.n] = '\0';
    return inet_pton(AF_INET6, tmp, out) == 1 ? 0 : -1;
}

static char *term_error(slice_t term, const char *why)
{
    char *t = slice_dup(term);
    char *e = g_strdup_printf("'%s': %s", t, why);
    g_free(t);
    return e;
}

static int parse_mechanism(slice_t term, spf_term_t *t, char **err)
{
    slice_t s = term;
    t->qualifier = '+';
    if (s.n && strchr("+-~?", s.p[0])) {
        t->qualifier = s.p[0];
        s.p++;
        s.n--;
    }
    size_t n = 0;
    while (n < s.n && s.p[n] != ':' && s.p[n] != '/')
        n++;
    slice_t name = slice_make(s.p, n);
    slice_t rest = slice_make(s.p + n, s.n - n);
    bool known = false;
    for (size_t i = 0; i < G_N_ELEMENTS(mech_names); i++)
        if (slice_eq_ci(name, mech_names[i].name)) {
            t->mech = mech_names[i].mech;
            known = true;
        }
    if (!known) {
        *err = term_error(term, "unknown mechanism");
        return -1;
    }
    const char *why = NULL;
    t->cidr4 = t->cidr6 = -1;
    switch (t->mech) {
    case SPF_MECH_ALL:
        if (rest.n)
            why = "\"all\" takes no argument";
        break;
    case SPF_MECH_INCLUDE:
    case SPF_MECH_EXISTS:
    case SPF_MECH_PTR:
        if (rest.n == 0 && t->mech == SPF_MECH_PTR)
            break;
        if (rest.n == 0 || rest.p[0] != ':') {
            why = "expected ':' and a domain-spec";
            break;
        }
        rest.p++;
        rest.n--;
        if (spf_record_check_domain_spec(rest, &why) == 0)
            t->spec = slice_dup(rest);
        break;
    case SPF_MECH_A:
    case SPF_MECH_MX:
        if (take_dual_cidr(&rest, &t->cidr4, &t->cidr6) < 0) {
            why = "malformed CIDR length";
            break;
        }
        if (rest.n == 0)
            break;
        if (rest.p[0] != ':') {
            why = "expected ':' and a domain-spec";
            break;
        }
        rest.p++;
        rest.n--;
        if (spf_record_check_domain_spec(rest, &why) == 0)
            t->spec = slice_dup(rest);
        break;
    case SPF_MECH_IP4:
    case SPF_MECH_IP6: {
        bool v4 = t->mech == SPF_MECH_IP4;
        if (rest.n == 0 || rest.p[0] != ':') {
            why = "expected ':' and a network";
            break;
        }
        rest.p++;
        rest.n--;
        long slash = slice_find(rest, '/');
        slice_t net = rest;
        if (slash >= 0) {
            net.n = (size_t)slash;
            slice_t len = slice_make(rest.p + slash + 1, rest.n - (size_t)slash - 1);
            if (parse_cidr(len, v4 ? 32 : 128, v4 ? &t->cidr4 : &t->cidr6) < 0) {
                why = "malformed CIDR length";
                break;
            }
        }
        if ((v4 ? parse_ip4(net, t->net) : parse_ip6(net, t->net)) < 0)
            why = v4 ? "malformed IPv4 network" : "malformed IPv6 network";
        break;
    }
    }
    if (why) {
        *err = term_error(term, why);
        return -1;
    }
    return 0;
}

/* name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ); length of name if
 * the term is "name=...", else 0. */
static size_t modifier_name_len(slice_t term)
{
    if (!term.n || !g_ascii_isalpha(term.p[0]))
        return 0;
    size_t n = 1;
    while (n < term.n && (g_ascii_isalnum(term.p[n]) || strchr("-_.", term.p[n])))
        n++;
    return n < term.n && term.p[n] == '=' ? n : 0;
}

static int parse_modifier(spf_record_t *r, slice_t term, size_t nlen, char **err)
{
    slice_t name = slice_make(term.p, nlen);
    slice_t value = slice_make(term.p + nlen + 1, term.n - nlen - 1);
    const char *why = NULL;
    char **slot = NULL;
    if (slice_eq_ci(name, "redirect"))
        slot = &r->redirect;
    else if (slice_eq_ci(name, "exp"))
        slot = &r->exp;
    if (!slot) {
        /* unknown-modifier = name "=" macro-string: checked, then ignored */
        if (spf_macro_check(value, true, &why) < 0) {
            *err = term_error(term, why);
            return -1;
        }
        return 0;
    }
    if (*slot) {
        *err = term_error(term, "modifier given twice");
        return -1;
    }
    if (spf_record_check_domain_spec(value, &why) < 0) {
        *err = term_error(term, why);
        return -1;
    }
    *slot = slice_dup(value);
    return 0;
}

spf_record_t *spf_record_parse(slice_t txt, char **err)
{
    *err = NULL;
    if (!spf_record_is_spf(txt)) {
        *err = g_strdup("not an SPF record (no \"v=spf1\")");
        return NULL;
    }
    for (size_t i = 0; i < txt.n; i++) {
        unsigned char c = (unsigned char)txt.p[i];
        if (c < 0x20 || c > 0x7e) {
            *err = g_strdup_printf("byte 0x%02x at offset %zu: SPF records are printable "
                                   "ASCII separated by spaces (RFC 7208 3.1, 4.6.1)",
                                   c, i);
            return NULL;
        }
    }
    spf_record_t *r = g_new0(spf_record_t, 1);
    r->terms = g_ptr_array_new_with_free_func(term_free);
    slice_t s = slice_make(txt.p + 6, txt.n - 6);
    unsigned nterms = 0;
    while (s.n) {
        slice_t term = slice_split(&s, ' ');
        if (term.n == 0)
            continue;
        if (++nterms > SPF_RECORD_MAX_TERMS) {
            *err = g_strdup_printf("more than %d terms", SPF_RECORD_MAX_TERMS);
            break;
        }
        size_t nlen = modifier_name_len(term);
        if (nlen) {
            if (parse_modifier(r, term, nlen, err) < 0)
                break;
            continue;
        }
        spf_term_t *t = g_new0(spf_term_t, 1);
        if (parse_mechanism(term, t, err) < 0) {
            term_free(t);
            break;
        }
        t->text = slice_dup(term);
        if (t->mech == SPF_MECH_ALL)
            r->has_all = true;
        g_ptr_array_add(r->terms, t);
    }
    if (*err) {
        spf_record_free(r);
        return NULL;
    }
    return r;
}
