/*
 * urls.c - URLs written in plain text; see urls.h.
 *
 * What: one left-to-right pass. At a word boundary we try, in order, a
 * scheme URL (http, https, ftp, hxxp, hxxps; case-insensitive), a
 * "www." host, and a bare ASCII host name followed by '/' (or ":port/").
 * A URL is then: the authority (host, may hold IDN characters), and an
 * ASCII path/query/fragment. It ends at ASCII white space and controls,
 * at " ' < > `, at full-width and ideographic punctuation (U+3000-303F,
 * the punctuation of U+FF00-FF65, U+2010-206F general punctuation, NBSP,
 * guillemets, BOM), and at the first non-ASCII character after the host,
 * because Japanese prose runs straight on from a URL ("…/loginから").
 * In the host, an ASCII last label that runs into non-ASCII letters
 * ("example.jpへ") is cut where the script changes. Trailing sentence
 * punctuation (. , ; : ! ? *) and unbalanced closing brackets are dropped.
 *
 * Memory: appends mail_link_t (MAIL_LINK_TEXT, text "") owned by the
 * caller's array. No other allocation survives the call.
 *
 * Limits: at most max links are added (counting what the array already
 * held); URLs past that are only counted. Work is linear in len: every
 * attempt that fails at a boundary skips the alphanumeric run it looked
 * at, a candidate's host scan never restarts inside the same run, and the
 * trailing-bracket trim keeps running counts.
 *
 * Errors: none; text without URLs adds nothing and returns 0.
 * Security: input is untrusted and not NUL-terminated; every read is
 * bounded by len; invalid UTF-8 bytes are treated as one non-ASCII
 * character each (they end a path, they stay in a host as written).
 * Defanged hxxp URLs are returned as written; refanging is the caller's
 * choice. Bare hosts are ASCII-only: with no scheme and no "www." there
 * is no telling where a non-ASCII host would start in Japanese prose.
 */
#include "mail/urls.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "mail/link.h"
#include "util/slice.h"

#define TLD_MIN 2
#define TLD_MAX 24

/* Decode one UTF-8 sequence at p[0..n), n > 0. Invalid bytes decode as
 * U+FFFD of length 1, so the scan always advances. */
static uint32_t utf8_at(const unsigned char *p, size_t n, size_t *len)
{
    uint32_t c = p[0];
    size_t need;
    if (c < 0x80) {
        *len = 1;
        return c;
    } else if ((c & 0xE0) == 0xC0) {
        need = 2;
        c &= 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
        need = 3;
        c &= 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
        need = 4;
        c &= 0x07;
    } else {
        *len = 1;
        return 0xFFFD;
    }
    if (need > n) {
        *len = 1;
        return 0xFFFD;
    }
    for (size_t i = 1; i < need; i++) {
        if ((p[i] & 0xC0) != 0x80) {
            *len = 1;
            return 0xFFFD;
        }
        c = (c << 6) | (p[i] & 0x3F);
    }
    /* overlong forms, surrogates and values past U+10FFFF are invalid */
    static const uint32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (c < min[need] || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF) {
        *len = 1;
        return 0xFFFD;
    }
    *len = need;
    return c;
}

static bool is_alpha(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(unsigned char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

/* ASCII bytes that end a URL anywhere. */
static bool ascii_end(unsigned char c)
{
    return c <= 0x20 || c == 0x7F || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`';
}

/* Non-ASCII characters that end a URL even inside an (IDN) host. */
static bool wide_end(uint32_t c)
{
    return (c >= 0x3000 && c <= 0x303F) || (c >= 0xFF01 && c <= 0xFF0F) ||
           (c >= 0xFF1A && c <= 0xFF20) || (c >= 0xFF3B && c <= 0xFF40) ||
           (c >= 0xFF5B && c <= 0xFF65) || (c >= 0x2000 && c <= 0x206F) || c == 0x00A0 ||
           c == 0x00AB || c == 0x00BB || c == 0xFEFF || c == 0xFFFD || c == 0x0085;
}

/* A byte before a www./bare host candidate that makes it a fresh word. */
static bool host_boundary(const char *t, size_t i)
{
    if (i == 0)
        return true;
    unsigned char c = (unsigned char)t[i - 1];
    if (c >= 0x80)
        return true; /* Japanese right before the host */
    return !(is_alnum(c) || c == '.' || c == '-' || c == '_' || c == '@' || c == '/' || c == ':' ||
             c == '%' || c == '+' || c == '=' || c == '&' || c == '~' || c == '#' || c == '?' ||
             c == '\\');
}

static const char *const schemes[] = {"https://", "http://", "hxxps://", "hxxp://", "ftp://", NULL};

static size_t scheme_at(const char *t, size_t len, size_t i)
{
    char c0 = (char)(t[i] | 0x20); /* every scheme starts with h or f */
    if (c0 != 'h' && c0 != 'f')
        return 0;
    for (size_t k = 0; schemes[k] != NULL; k++) {
        slice_t s = slice_make(t + i, len - i);
        if (slice_skip_prefix_ci(&s, schemes[k]))
            return strlen(schemes[k]);
    }
    return 0;
}

/* Scan an authority/host from i: stops at '/', '?', '#', a terminator, or
 * (when idn is false) any non-ASCII byte. Returns the end index. Then
 * cuts an ASCII last label that runs into non-ASCII characters. */
static size_t scan_host(const char *t, size_t len, size_t i, bool idn, bool authority)
{
    size_t start = i, last_dot = (size_t)-1;
    while (i < len) {
        unsigned char c = (unsigned char)t[i];
        if (c < 0x80) {
            if (ascii_end(c) || c == '/' || c == '?' || c == '#')
                break;
            if (!authority && !(is_alnum(c) || c == '-' || c == '.'))
                break;
            if (c == '.')
                last_dot = i;
            i++;
            continue;
        }
        if (!idn)
            break;
        size_t l;
        uint32_t cp = utf8_at((const unsigned char *)t + i, len - i, &l);
        if (wide_end(cp))
            break;
        i += l;
    }
    /* "example.jpへ": the last label starts ASCII and turns non-ASCII */
    size_t lab = last_dot == (size_t)-1 ? start : last_dot + 1;
    if (lab < i && (unsigned char)t[lab] < 0x80) {
        for (size_t k = lab; k < i; k++) {
            if ((unsigned char)t[k] >= 0x80) {
                i = k;
                break;
            }
        }
    }
    return i;
}

/* Host t[s..e) has a dot after min_dot, and its last label looks like a
 * TLD: 2-24 ASCII letters, or (idn) a label with non-ASCII letters. */
static bool host_ok(const char *t, size_t s, size_t e, size_t min_dot, bool idn)
{
    size_t dot = (size_t)-1;
    for (size_t k = s; k < e; k++)
        if (t[k] == '.')
            dot = k;
    if (dot == (size_t)-1 || dot <= min_dot || dot + 1 >= e)
        return false;
    bool letters = true, wide = false;
    for (size_t k = dot + 1; k < e; k++) {
        unsigned char c = (unsigned char)t[k];
        if (c >= 0x80)
            wide = true;
        else if (!is_alpha(c))
            letters = false;
    }
    if (wide)
        return idn && letters;
    return letters && e - dot - 1 >= TLD_MIN && e - dot - 1 <= TLD_MAX;
}

/* Path, query, fragment: ASCII only, up to a terminator. */
static size_t scan_rest(const char *t, size_t len, size_t i)
{
    while (i < len) {
        unsigned char c = (unsigned char)t[i];
        if (c >= 0x80 || ascii_end(c))
            break;
        i++;
    }
    return i;
}

/* Drop trailing sentence punctuation and unbalanced closers from t[s..e);
 * never below min. */
static size_t trim_tail(const char *t, size_t s, size_t e, size_t min)
{
    long paren = 0, brack = 0, brace = 0;
    for (size_t k = s; k < e; k++) {
        switch (t[k]) {
        case '(':
            paren++;
            break;
        case ')':
            paren--;
            break;
        case '[':
            brack++;
            break;
        case ']':
            brack--;
            break;
        case '{':
            brace++;
            break;
        case '}':
            brace--;
            break;
        default:
            break;
        }
    }
    while (e > min) {
        char c = t[e - 1];
        if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '*') {
            e--;
        } else if (c == ')' && paren < 0) {
            paren++;
            e--;
        } else if (c == ']' && brack < 0) {
            brack++;
            e--;
        } else if (c == '}' && brace < 0) {
            brace++;
            e--;
        } else {
            break;
        }
    }
    return e;
}

/* Try a URL starting at i; on success set *end and return true. */
static bool url_at(const char *t, size_t len, size_t i, size_t *end, size_t *no_host_before)
{
    size_t sl = scheme_at(t, len, i);
    if (sl > 0) {
        if (i > 0 && is_alnum((unsigned char)t[i - 1]))
            return false;
        size_t hs = i + sl;
        size_t he = scan_host(t, len, hs, true, true);
        size_t e = he;
        if (e < len && (t[e] == '/' || t[e] == '?' || t[e] == '#'))
            e = scan_rest(t, len, e);
        e = trim_tail(t, i, e, hs);
        if (e <= hs)
            return false;
        *end = e;
        return true;
    }
    if (!host_boundary(t, i) || i < *no_host_before)
        return false;
    slice_t w = slice_make(t + i, len - i);
    bool www = slice_skip_prefix_ci(&w, "www.");
    size_t he = scan_host(t, len, i, www, false);
    size_t hend = he; /* trailing dots belong to the sentence */
    while (hend > i && t[hend - 1] == '.')
        hend--;
    if (!host_ok(t, i, hend, www ? i + 3 : i, www)) {
        /* a later start inside this host scans to the same end and fails
         * the same way: never rescan it (keeps the pass linear) */
        *no_host_before = he;
        return false;
    }
    size_t e = hend;
    if (hend == he && e < len && t[e] == ':') { /* ":port" */
        size_t k = e + 1;
        while (k < len && k - e <= 5 && t[k] >= '0' && t[k] <= '9')
            k++;
        if (k > e + 1 && k - e <= 6)
            e = k;
    }
    if (e < len && (t[e] == '/' || (www && (t[e] == '?' || t[e] == '#'))))
        e = scan_rest(t, len, e);
    else if (!www)
        return false; /* a bare host needs a path */
    *end = trim_tail(t, i, e, hend);
    return true;
}

/* Can t hold a URL at all? Every scheme has "//" and a bare host needs a
 * path, so without a '/' only a "www." host remains. */
static bool may_hold_url(const char *t, size_t len)
{
    if (memchr(t, '/', len) != NULL)
        return true;
    for (const char *d = t; (d = memchr(d, '.', len - (size_t)(d - t))) != NULL; d++)
        if (d - t >= 3 && (d[-1] | 0x20) == 'w' && (d[-2] | 0x20) == 'w' && (d[-3] | 0x20) == 'w')
            return true;
    return false;
}

size_t urls_find(const char *utf8, size_t len, GPtrArray *links, size_t max)
{
    size_t found = 0, i = 0, no_host_before = 0;
    if (utf8 == NULL || !may_hold_url(utf8, len))
        return 0;
    while (i < len) {
        unsigned char c = (unsigned char)utf8[i];
        if (!is_alnum(c)) {
            i++;
            continue;
        }
        size_t end;
        if (url_at(utf8, len, i, &end, &no_host_before)) {
            found++;
            if (links != NULL && links->len < max) {
                char *u = g_strndup(utf8 + i, end - i);
                g_ptr_array_add(links, mail_link_new(u, "", MAIL_LINK_TEXT));
                g_free(u);
            }
            i = end;
            continue;
        }
        /* nothing here: skip the rest of this alphanumeric run, so no
         * position inside it is tried again */
        i++;
        while (i < len && is_alnum((unsigned char)utf8[i]))
            i++;
    }
    return found;
}
