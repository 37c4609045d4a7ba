/*
 * jsonw.c - streaming JSON writer; see jsonw.h.
 */
#include "util/jsonw.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void jsonw_init(jsonw_t *w, GString *out)
{
    memset(w, 0, sizeof *w);
    w->out = out;
}

/* Before any value: the comma after a sibling, nothing after a key. */
static void before_value(jsonw_t *w)
{
    if (w->after_key) {
        w->after_key = false;
        return;
    }
    if (w->depth > 0) {
        if (w->is_object[w->depth - 1])
            w->error = true; /* a value in an object needs a key */
        if (w->has_items[w->depth - 1])
            g_string_append_c(w->out, ',');
        w->has_items[w->depth - 1] = true;
    }
}

static void open_level(jsonw_t *w, char c, bool object)
{
    before_value(w);
    g_string_append_c(w->out, c);
    if (w->depth >= JSONW_MAX_DEPTH) {
        w->error = true;
        return;
    }
    w->has_items[w->depth] = false;
    w->is_object[w->depth] = object;
    w->depth++;
}

void jsonw_obj(jsonw_t *w)
{
    open_level(w, '{', true);
}

void jsonw_arr(jsonw_t *w)
{
    open_level(w, '[', false);
}

void jsonw_end(jsonw_t *w)
{
    if (w->depth == 0 || w->after_key) {
        w->error = true;
        return;
    }
    w->depth--;
    g_string_append_c(w->out, w->is_object[w->depth] ? '}' : ']');
}

/* Room for n more bytes at the end of out; returns where they go. */
static char *grow(GString *out, size_t n)
{
    size_t at = out->len;
    g_string_set_size(out, at + n);
    return out->str + at;
}

static void put_string(GString *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    const char *end = s + n;
    const char *run = s; /* start of bytes to copy unchanged */
    /* printable ASCII without '"' and '\\' (keys, most values) is copied
     * as it is, in one piece; the first other byte starts the careful loop */
    const char *p = s;
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if ((unsigned char)(c - 0x20) >= 0x60 || c == '"' || c == '\\')
            break;
        p++;
    }
    if (p == end) {
        char *o = grow(out, n + 2);
        o[0] = '"';
        memcpy(o + 1, s, n);
        o[n + 1] = '"';
        return;
    }
    g_string_append_c(out, '"');
    /* valid UTF-8 (nearly always): only '"', '\\' and controls change */
    bool valid = p == end || g_utf8_validate_len(p, end - p, NULL);
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c != '"' && c != '\\' && (c < 0x80 || valid)) {
            p++;
            continue;
        }
        if (c >= 0x80) {
            gunichar u = g_utf8_get_char_validated(p, end - p);
            if (u != (gunichar)-1 && u != (gunichar)-2) {
                p = g_utf8_next_char(p); /* a whole valid character */
                continue;
            }
            g_string_append_len(out, run, p - run);
            g_string_append(out, "\xEF\xBF\xBD"); /* U+FFFD for the bad byte */
            p++;
            run = p;
            continue;
        }
        g_string_append_len(out, run, p - run);
        switch (c) {
        case '"':
            g_string_append(out, "\\\"");
            break;
        case '\\':
            g_string_append(out, "\\\\");
            break;
        case '\b':
            g_string_append(out, "\\b");
            break;
        case '\f':
            g_string_append(out, "\\f");
            break;
        case '\n':
            g_string_append(out, "\\n");
            break;
        case '\r':
            g_string_append(out, "\\r");
            break;
        case '\t':
            g_string_append(out, "\\t");
            break;
        default: {
            char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], '\0'};
            g_string_append(out, u);
        }
        }
        p++;
        run = p;
    }
    g_string_append_len(out, run, end - run);
    g_string_append_c(out, '"');
}

void jsonw_key(jsonw_t *w, const char *key)
{
    if (w->depth == 0 || !w->is_object[w->depth - 1] || w->after_key) {
        w->error = true;
        return;
    }
    if (w->has_items[w->depth - 1])
        g_string_append_c(w->out, ',');
    w->has_items[w->depth - 1] = true;
    put_string(w->out, key, strlen(key));
    g_string_append_c(w->out, ':');
    w->after_key = true;
}

void jsonw_str_n(jsonw_t *w, const char *s, size_t n)
{
    before_value(w);
    put_string(w->out, s, n);
}

void jsonw_str(jsonw_t *w, const char *s)
{
    if (s == NULL) {
        jsonw_null(w);
        return;
    }
    jsonw_str_n(w, s, strlen(s));
}

void jsonw_int(jsonw_t *w, int64_t v)
{
    before_value(w);
    g_string_append_printf(w->out, "%" PRId64, v);
}

void jsonw_double(jsonw_t *w, double v)
{
    if (!isfinite(v)) {
        jsonw_null(w);
        return;
    }
    before_value(w);
    char b[32];
    int n = snprintf(b, sizeof b, "%.17g", v);
    g_string_append_len(w->out, b, n);
    if (strpbrk(b, ".eE") == NULL)
        g_string_append(w->out, ".0");
}

void jsonw_bool(jsonw_t *w, bool v)
{
    before_value(w);
    g_string_append(w->out, v ? "true" : "false");
}

void jsonw_null(jsonw_t *w)
{
    before_value(w);
    g_string_append(w->out, "null");
}
