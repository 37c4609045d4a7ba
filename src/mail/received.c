/*
 * received.c - one Received field into a mail_hop_t; see received.h.
 *
 * What: a tokenizer over the value (words, nested comments, quoted
 * strings, <addr>, [literal]) up to the first top-level ';' (the date
 * follows it); clause keywords (from, by, via, with, id, for) take the
 * next word as their value. The comments of the "from" clause are read as
 * TCP-info, whatever MTA wrote them:
 *   - the first word that is an IP address, bare or in [...] (with an
 *     optional "IPv6:" prefix, ":port" suffix, "user@" ident prefix, a
 *     host name glued in front: "host[192.0.2.1]", or "192.0.2.1:port"),
 *     validated with inet_pton and stored in inet_ntop's canonical form;
 *   - the reverse DNS name is the host-like word right before that IP in
 *     the same comment ("unknown" means none; a trailing dot is dropped);
 *   - the HELO name from "helo=NAME" (Exim) or "HELO NAME"/"EHLO NAME"
 *     (qmail, Yahoo), else the name after "from" (Postfix, Sendmail,
 *     Exchange write the HELO name there).
 * Exim puts the verified host name after "from" and the IP in the comment
 * ("from NAME ([IP]:PORT helo=H)"); when the comment has Exim's marks
 * (helo=, ident=, port=, [IP]:PORT) but no name before the IP, the name
 * after "from" is taken as the reverse DNS. "from NAME ([IP])" without
 * such marks is ambiguous (Sendmail writes the HELO name there, Exim the
 * verified name): rdns stays "". When no comment holds an IP, the name
 * after "from" when it is an address ("from [192.0.2.1] (helo=x)" of
 * Exim, "from 192.0.2.1 (HELO x)" of some qmail setups) or a domain
 * literal after it (fetchmail's "from host [127.0.0.1]") gives it.
 *
 * Memory: the hop and its strings are the caller's (received_hop_free).
 * Limits: work is linear in len; comment nesting is a counter, not
 * recursion, so 1 MB of '(' costs one pass. An unclosed comment, quote or
 * bracket runs to the end of the value.
 * Errors: never fails; what is not found is "" (an unparsable value still
 * gives a hop with raw set, so the hop count stays true).
 * Security: the value is untrusted and not NUL-terminated; IP text is
 * copied into a fixed buffer only when it fits; strings stored are as
 * written (from_name, helo, by, with may be anything the sender chose).
 */
#include "mail/received.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <string.h>

#include "util/slice.h"

typedef enum { TK_END, TK_WORD, TK_COMMENT, TK_SEMI } tk_kind_t;

typedef struct tok {
    tk_kind_t kind;
    slice_t s; /* the word, or the comment's inside (without the parens) */
} tok_t;

enum clause { CL_NONE, CL_FROM, CL_BY, CL_VIA, CL_WITH, CL_ID, CL_FOR };

typedef struct hop_parse {
    slice_t from, by, via, with_first, id;
    GString *with;
    bool with_closed;
    char ip[INET6_ADDRSTRLEN];
    char literal_ip[INET6_ADDRSTRLEN]; /* from a [literal] outside comments */
    slice_t rdns, helo;
    bool have_rdns, have_helo, exim;
} hop_parse_t;

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\0';
}

static void adv(slice_t *s, size_t n)
{
    s->p += n;
    s->n -= n;
}

/* Length of a comment starting at s.p[0] == '(' including the parens (or
 * to the end when unclosed); quoted pairs honoured. */
static size_t comment_len(slice_t s)
{
    size_t depth = 0, i = 0;
    while (i < s.n) {
        char c = s.p[i];
        if (c == '\\') {
            i += (i + 1 < s.n) ? 2 : 1;
            continue;
        }
        if (c == '(')
            depth++;
        else if (c == ')' && --depth == 0)
            return i + 1;
        i++;
    }
    return s.n;
}

/* Index of the closing char c from i, honouring quoted pairs; s.n if none. */
static size_t close_at(slice_t s, size_t i, char c)
{
    while (i < s.n) {
        if (s.p[i] == '\\') {
            i += 2;
            continue;
        }
        if (s.p[i] == c)
            return i;
        i++;
    }
    return s.n;
}

static tok_t next_tok(slice_t *cur)
{
    while (cur->n > 0 && is_ws(cur->p[0]))
        adv(cur, 1);
    if (cur->n == 0)
        return (tok_t){TK_END, {cur->p, 0}};
    char c = cur->p[0];
    if (c == ';') {
        adv(cur, 1);
        return (tok_t){TK_SEMI, {cur->p - 1, 1}};
    }
    if (c == '(') {
        size_t n = comment_len(*cur);
        slice_t in = slice_make(cur->p + 1, n - 1);
        if (n >= 2 && cur->p[n - 1] == ')')
            in.n--;
        adv(cur, n);
        return (tok_t){TK_COMMENT, in};
    }
    size_t i = 0;
    if (c == '"' || c == '<' || c == '[') {
        char close = c == '"' ? '"' : c == '<' ? '>' : ']';
        i = close_at(*cur, 1, close);
        i = i < cur->n ? i + 1 : cur->n;
    }
    while (i < cur->n && !is_ws(cur->p[i]) && cur->p[i] != '(' && cur->p[i] != ';')
        i++;
    tok_t t = {TK_WORD, slice_make(cur->p, i)};
    adv(cur, i);
    return t;
}

/* Words of a comment's inside, skipping nested comments. */
static bool comment_word(slice_t *cur, slice_t *word)
{
    for (;;) {
        while (cur->n > 0 && (is_ws(cur->p[0]) || cur->p[0] == ')'))
            adv(cur, 1);
        if (cur->n == 0)
            return false;
        if (cur->p[0] == '(') {
            adv(cur, comment_len(*cur));
            continue;
        }
        size_t i = 0;
        if (cur->p[0] == '[') {
            i = close_at(*cur, 1, ']');
            i = i < cur->n ? i + 1 : cur->n;
        }
        while (i < cur->n && !is_ws(cur->p[i]) && cur->p[i] != '(' && cur->p[i] != ')')
            i++;
        *word = slice_make(cur->p, i);
        adv(cur, i);
        while (word->n > 0 && (word->p[word->n - 1] == ',' || word->p[word->n - 1] == ';'))
            word->n--;
        if (word->n > 0)
            return true;
    }
}

/* Validate s as an IPv4/IPv6 address; on success write canonical text. */
static bool ip_parse(slice_t s, char out[INET6_ADDRSTRLEN])
{
    char buf[INET6_ADDRSTRLEN + 8];
    if (s.n == 0 || s.n >= sizeof buf)
        return false;
    memcpy(buf, s.p, s.n);
    buf[s.n] = '\0';
    unsigned char bin[16];
    if (inet_pton(AF_INET, buf, bin) == 1)
        return inet_ntop(AF_INET, bin, out, INET6_ADDRSTRLEN) != NULL;
    if (inet_pton(AF_INET6, buf, bin) == 1)
        return inet_ntop(AF_INET6, bin, out, INET6_ADDRSTRLEN) != NULL;
    return false;
}

/* An IP written as a word: "1.2.3.4", "[1.2.3.4]", "[1.2.3.4]:25",
 * "[IPv6:2001:db8::1]", "user@1.2.3.4". *port is set for "[IP]:PORT". */
static bool word_ip(slice_t w, char out[INET6_ADDRSTRLEN], bool *port)
{
    long at = -1;
    for (size_t i = 0; i < w.n; i++)
        if (w.p[i] == '@')
            at = (long)i;
    if (at >= 0)
        adv(&w, (size_t)at + 1);
    *port = false;
    long lb = slice_find(w, '[');
    if (lb > 0 && w.p[w.n - 1] == ']') /* "host[192.0.2.1]", glued */
        adv(&w, (size_t)lb);
    if (w.n > 0 && w.p[0] == '[') {
        long close = slice_find(w, ']');
        if (close < 0)
            return false;
        slice_t in = slice_make(w.p + 1, (size_t)close - 1);
        slice_t rest = slice_make(w.p + close + 1, w.n - (size_t)close - 1);
        slice_skip_prefix_ci(&in, "IPv6:");
        if (rest.n > 0) {
            if (rest.p[0] != ':' || rest.n < 2)
                return false;
            for (size_t i = 1; i < rest.n; i++)
                if (rest.p[i] < '0' || rest.p[i] > '9')
                    return false;
            *port = true;
        }
        return ip_parse(in, out);
    }
    long colon = slice_find(w, ':');
    if (colon > 0 && slice_find(slice_make(w.p + colon + 1, w.n - (size_t)colon - 1), ':') < 0) {
        /* "192.0.2.1:52239": IPv4 and a port (one colon is never IPv6) */
        for (size_t i = (size_t)colon + 1; i < w.n; i++)
            if (w.p[i] < '0' || w.p[i] > '9')
                return false;
        if ((size_t)colon + 1 == w.n)
            return false;
        w.n = (size_t)colon; /* not Exim's "[IP]:port": *port stays false */
    }
    return ip_parse(w, out);
}

static bool host_like(slice_t w)
{
    bool letter = false;
    if (w.n == 0)
        return false;
    for (size_t i = 0; i < w.n; i++) {
        unsigned char c = (unsigned char)w.p[i];
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
            letter = true;
        else if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '_'))
            return false;
    }
    return letter;
}

static slice_t strip_dot(slice_t s)
{
    while (s.n > 0 && s.p[s.n - 1] == '.')
        s.n--;
    return s;
}

static slice_t after_at(slice_t w)
{
    for (size_t i = w.n; i > 0; i--)
        if (w.p[i - 1] == '@')
            return slice_make(w.p + i, w.n - i);
    return w;
}

/* One comment of the "from" clause. */
static void tcp_info(hop_parse_t *h, slice_t in)
{
    slice_t w, prev = {NULL, 0};
    bool prev_helo_kw = false, prev_prev_helo_kw = false;
    while (comment_word(&in, &w)) {
        slice_t t = w;
        bool helo_kw = slice_eq_ci(w, "HELO") || slice_eq_ci(w, "EHLO");
        if (slice_skip_prefix_ci(&t, "helo=") || slice_skip_prefix_ci(&t, "ehlo=")) {
            h->exim = true;
            if (!h->have_helo && t.n > 0) {
                h->helo = t;
                h->have_helo = true;
            }
        } else if (slice_skip_prefix_ci(&t, "ident=") || slice_skip_prefix_ci(&t, "port=")) {
            h->exim = true;
        } else if (prev_helo_kw) {
            if (!h->have_helo) {
                h->helo = w;
                h->have_helo = true;
            }
        } else if (!helo_kw && h->ip[0] == '\0') {
            bool port;
            if (word_ip(w, h->ip, &port)) {
                h->exim |= port;
                slice_t r = strip_dot(after_at(prev));
                if (prev.n > 0 && !prev_prev_helo_kw && host_like(r) &&
                    !slice_eq_ci(r, "unknown")) {
                    h->rdns = r;
                    h->have_rdns = true;
                }
            }
        }
        prev_prev_helo_kw = prev_helo_kw;
        prev_helo_kw = helo_kw;
        prev = w;
    }
}

static enum clause keyword(slice_t w)
{
    static const char *const kw[] = {"from", "by", "via", "with", "id", "for"};
    for (size_t i = 0; i < G_N_ELEMENTS(kw); i++)
        if (slice_eq_ci(w, kw[i]))
            return (enum clause)(i + 1);
    return CL_NONE;
}

static char *dup_or_empty(slice_t s)
{
    return s.p ? slice_dup(s) : g_strdup("");
}

/* The value without CR, LF and NUL (unfolded, C-string safe). */
static char *unfold(const char *v, size_t len)
{
    char *o = g_malloc(len + 1);
    size_t j = 0;
    for (size_t i = 0; i < len; i++)
        if (v[i] != '\r' && v[i] != '\n' && v[i] != '\0')
            o[j++] = v[i];
    o[j] = '\0';
    return o;
}

mail_hop_t *received_parse(const char *value, size_t len)
{
    hop_parse_t h;
    memset(&h, 0, sizeof h);
    h.with = g_string_new(NULL);
    slice_t cur = slice_make(value ? value : "", value ? len : 0);
    enum clause clause = CL_NONE;
    bool want_value = false, have_from = false;
    for (;;) {
        tok_t t = next_tok(&cur);
        if (t.kind == TK_END || t.kind == TK_SEMI)
            break;
        if (t.kind == TK_COMMENT) {
            if (clause == CL_FROM)
                tcp_info(&h, t.s);
            if (clause == CL_WITH && h.with->len > 0)
                h.with_closed = true;
            continue;
        }
        enum clause k = keyword(t.s);
        if (k != CL_NONE) {
            clause = k;
            want_value = true;
            continue;
        }
        if (want_value) {
            want_value = false;
            switch (clause) {
            case CL_FROM:
                if (!have_from) {
                    h.from = t.s;
                    have_from = true;
                }
                break;
            case CL_BY:
                if (h.by.p == NULL)
                    h.by = t.s;
                break;
            case CL_VIA:
                if (h.via.p == NULL)
                    h.via = t.s;
                break;
            case CL_WITH:
                if (h.with->len == 0)
                    g_string_append_len(h.with, t.s.p, (gssize)t.s.n);
                else
                    h.with_closed = true;
                break;
            default:
                break;
            }
            continue;
        }
        /* extra words: "with Microsoft SMTP Server", "from host [IP]" */
        if (clause == CL_WITH && h.with->len > 0 && !h.with_closed) {
            g_string_append_c(h.with, ' ');
            g_string_append_len(h.with, t.s.p, (gssize)t.s.n);
        } else if (clause == CL_FROM && h.literal_ip[0] == '\0' && t.s.n > 0 && t.s.p[0] == '[') {
            bool port;
            if (!word_ip(t.s, h.literal_ip, &port))
                h.literal_ip[0] = '\0';
        }
    }
    if (h.ip[0] == '\0' && have_from && h.from.n > 0) { /* "from [IP]", "from IP (HELO x)" */
        bool port;
        if (!word_ip(h.from, h.ip, &port))
            h.ip[0] = '\0';
    }
    if (h.ip[0] == '\0' && h.literal_ip[0] != '\0')
        memcpy(h.ip, h.literal_ip, sizeof h.ip);
    /* Exim: "from NAME ([IP]:PORT helo=H)" names the verified host first */
    if (!h.have_rdns && h.exim && h.ip[0] != '\0' && have_from && h.from.n > 0 &&
        h.from.p[0] != '[' && host_like(strip_dot(h.from)) && !slice_eq_ci(h.from, "unknown")) {
        h.rdns = strip_dot(h.from);
        h.have_rdns = true;
    }

    mail_hop_t *hop = g_new0(mail_hop_t, 1);
    hop->from_name = dup_or_empty(h.from);
    hop->helo = h.have_helo ? slice_dup(h.helo) : dup_or_empty(h.from);
    hop->rdns = h.have_rdns ? slice_dup(h.rdns) : g_strdup("");
    hop->ip = g_strdup(h.ip);
    hop->by = dup_or_empty(h.by);
    hop->with = g_string_free(h.with, FALSE);
    hop->raw = unfold(value ? value : "", value ? len : 0);
    return hop;
}

void received_hop_free(gpointer p)
{
    mail_hop_t *h = p;
    if (h == NULL)
        return;
    g_free(h->from_name);
    g_free(h->helo);
    g_free(h->rdns);
    g_free(h->ip);
    g_free(h->by);
    g_free(h->with);
    g_free(h->raw);
    g_free(h);
}
