/*
 * rfc2047.c - join adjacent encoded words; see rfc2047.h.
 */
#include "mail/rfc2047.h"

#include <glib.h>
#include <string.h>

#include "util/slice.h"

/* RFC 2047 allows 75 characters per word; real mailers write longer ones,
 * but none near these. The caps keep a hostile header of "=?" fragments
 * from costing quadratic time. */
#define RFC2047_MAX_CHARSET 64
#define RFC2047_MAX_TEXT    2048

typedef struct word {
    size_t start, end; /* byte range of "=?...?=" in the input */
    slice_t charset;   /* without any "*lang" suffix */
    char enc;          /* 'B' or 'Q' */
    slice_t text;
} word_t;

/* Parse an encoded word at s[i]; cursor style: *w filled only on success. */
static bool parse_word(const char *s, size_t n, size_t i, word_t *w)
{
    if (i + 8 > n || s[i] != '=' || s[i + 1] != '?')
        return false;
    size_t p = i + 2, cs = p;
    while (p < n && s[p] != '?' && s[p] != ' ' && s[p] != '\t' && p - cs < RFC2047_MAX_CHARSET)
        p++;
    if (p >= n || s[p] != '?' || p == cs)
        return false;
    size_t cs_end = p;
    const char *star = memchr(s + cs, '*', cs_end - cs);
    if (star)
        cs_end = (size_t)(star - s);
    if (p + 3 >= n || s[p + 2] != '?')
        return false;
    char enc = g_ascii_toupper(s[p + 1]);
    if (enc != 'B' && enc != 'Q')
        return false;
    size_t t = p + 3, te = t;
    while (te + 1 < n && !(s[te] == '?' && s[te + 1] == '=')) {
        if (s[te] == ' ' || s[te] == '\t' || te - t >= RFC2047_MAX_TEXT)
            return false;
        te++;
    }
    if (te + 1 >= n)
        return false;
    w->start = i;
    w->end = te + 2;
    w->charset = slice_make(s + cs, cs_end - cs);
    w->enc = enc;
    w->text = slice_make(s + t, te - t);
    return true;
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

static void decode_payload(const word_t *w, GByteArray *out)
{
    if (w->enc == 'B') {
        unsigned acc = 0;
        int bits = 0;
        for (size_t i = 0; i < w->text.n; i++) {
            int v = b64val(w->text.p[i]);
            if (v < 0)
                continue; /* '=' padding and stray bytes */
            acc = (acc << 6) | (unsigned)v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                guint8 b = (guint8)(acc >> bits);
                g_byte_array_append(out, &b, 1);
            }
        }
        return;
    }
    for (size_t i = 0; i < w->text.n; i++) {
        char c = w->text.p[i];
        guint8 b = (guint8)c;
        if (c == '_')
            b = ' ';
        else if (c == '=' && i + 2 < w->text.n && g_ascii_isxdigit(w->text.p[i + 1]) &&
                 g_ascii_isxdigit(w->text.p[i + 2])) {
            b = (guint8)(g_ascii_xdigit_value(w->text.p[i + 1]) * 16 +
                         g_ascii_xdigit_value(w->text.p[i + 2]));
            i += 2;
        }
        g_byte_array_append(out, &b, 1);
    }
}

static bool only_space(const char *s, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
            return false;
    return true;
}

static bool same_charset(slice_t a, slice_t b)
{
    return a.n == b.n && g_ascii_strncasecmp(a.p, b.p, a.n) == 0;
}

char *rfc2047_merge(const char *s, size_t n)
{
    GString *out = NULL;
    size_t copied = 0, i = 0;
    while (i < n) {
        word_t first;
        const char *q = memchr(s + i, '=', n - i);
        if (q == NULL)
            break;
        i = (size_t)(q - s);
        if (!parse_word(s, n, i, &first)) {
            i++;
            continue;
        }
        /* extend the run */
        word_t last = first, next;
        unsigned count = 1;
        size_t j = first.end;
        for (;;) {
            size_t k = j;
            while (k < n && (s[k] == ' ' || s[k] == '\t' || s[k] == '\r' || s[k] == '\n'))
                k++;
            if (k == j || !parse_word(s, n, k, &next) || !only_space(s, j, k) ||
                !same_charset(next.charset, first.charset))
                break;
            last = next;
            count++;
            j = next.end;
        }
        if (count < 2) {
            i = first.end;
            continue;
        }
        if (out == NULL)
            out = g_string_sized_new(n);
        g_string_append_len(out, s + copied, (gssize)(first.start - copied));
        GByteArray *bytes = g_byte_array_new();
        size_t k = first.start;
        while (k < last.end) {
            word_t w;
            if (parse_word(s, n, k, &w)) {
                decode_payload(&w, bytes);
                k = w.end;
            } else {
                k++;
            }
        }
        char *b64 = g_base64_encode(bytes->data, bytes->len);
        g_string_append(out, "=?");
        g_string_append_len(out, first.charset.p, (gssize)first.charset.n);
        g_string_append(out, "?B?");
        g_string_append(out, b64);
        g_string_append(out, "?=");
        g_free(b64);
        g_byte_array_unref(bytes);
        copied = last.end;
        i = last.end;
    }
    if (out == NULL)
        return NULL;
    g_string_append_len(out, s + copied, (gssize)(n - copied));
    return g_string_free(out, FALSE);
}
