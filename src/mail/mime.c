/*
 * mime.c - zero-copy header blocks and multipart bodies (see mime.h).
 *
 * Both readers walk the input line by line with memchr and never copy: a
 * field or part is an offset and a length into the caller's bytes.
 */
#include "mail/mime.h"

#include <string.h>

/* One line: [start, eol) without its '\n'; next is where the following
 * line starts (n at the end of input). */
typedef struct line {
    size_t start, eol, next;
} line_t;

static inline bool next_line(const char *d, size_t n, size_t p, line_t *l)
{
    if (p >= n)
        return false;
    const char *nl = memchr(d + p, '\n', n - p);
    l->start = p;
    l->eol = nl ? (size_t)(nl - d) : n;
    l->next = nl ? l->eol + 1 : n;
    return true;
}

static inline bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Length of the field name if the line starts a valid field, else 0;
 * *colon is the offset of the ':'. */
static size_t field_name(const char *d, const line_t *l, size_t *colon)
{
    bool blank = false;
    size_t i = l->start;
    for (; i < l->eol && d[i] != ':'; i++) {
        unsigned char c = (unsigned char)d[i];
        if (is_blank((char)c))
            blank = true;
        else if (blank || c < 0x20 || c == 0x7f)
            return 0;
    }
    if (i >= l->eol)
        return 0;
    size_t end = i;
    while (end > l->start && is_blank(d[end - 1]))
        end--;
    *colon = i;
    return end - l->start;
}

static bool is_empty_line(const char *d, const line_t *l)
{
    size_t len = l->eol - l->start;
    /* a lone CR at the end of input is not a line break */
    return len == 0 || (len == 1 && d[l->start] == '\r' && l->eol < l->next);
}

static bool is_mbox_from(const char *d, const line_t *l)
{
    size_t len = l->eol - l->start;
    const char *s = d + l->start;
    if (len > 0 && *s == '>') {
        s++;
        len--;
    }
    return len >= 5 && memcmp(s, "From ", 5) == 0;
}

void mime_block_read(const char *d, size_t n, mime_where_t where, size_t max_fields,
                     mime_block_t *out)
{
    memset(out, 0, sizeof(*out));
    out->fields = g_array_sized_new(FALSE, FALSE, sizeof(mime_field_t), 16);
    out->body = n;
    mime_field_t cur = {0};
    bool have = false, first = true, ended = false;
    line_t l;
    size_t p = 0;
    while (next_line(d, n, p, &l)) {
        p = l.next;
        if (is_empty_line(d, &l)) {
            out->body = l.next;
            ended = true;
            break;
        }
        if (is_blank(d[l.start]) && !first) {
            /* a continuation: of the current field, or of a dropped line */
            if (have)
                cur.value_len = l.eol - (size_t)(cur.value - d);
            continue;
        }
        if (have) {
            out->total_fields++;
            if (out->fields->len < max_fields)
                g_array_append_val(out->fields, cur);
            have = false;
        }
        size_t colon = 0, nlen = field_name(d, &l, &colon);
        if (nlen == 0) {
            if (first) {
                if (where == MIME_TOP && is_mbox_from(d, &l))
                    continue;
                out->no_headers = true;
                out->body = where == MIME_TOP ? 0 : l.start;
                return;
            }
            if (out->invalid++ == 0)
                out->first_invalid = l.start;
            continue;
        }
        first = false;
        have = true;
        cur.name = d + l.start;
        cur.name_len = nlen;
        cur.value = d + colon + 1;
        cur.value_len = l.eol - colon - 1;
        cur.offset = l.start;
    }
    if (have) {
        out->total_fields++;
        if (out->fields->len < max_fields)
            g_array_append_val(out->fields, cur);
    }
    out->unterminated = !ended;
}

void mime_block_clear(mime_block_t *b)
{
    if (b->fields)
        g_array_unref(b->fields);
    b->fields = NULL;
}

const mime_field_t *mime_block_find(const mime_block_t *b, const char *name)
{
    size_t len = strlen(name);
    for (guint i = 0; b->fields && i < b->fields->len; i++) {
        const mime_field_t *f = &g_array_index(b->fields, mime_field_t, i);
        if (f->name_len == len && g_ascii_strncasecmp(f->name, name, len) == 0)
            return f;
    }
    return NULL;
}

/* 0 not a delimiter, 1 a delimiter, 2 the close delimiter. */
static int delimiter(const char *d, const line_t *l, const char *b, size_t blen)
{
    size_t end = l->eol;
    if (end > l->start && d[end - 1] == '\r')
        end--;
    size_t q = l->start;
    if (end - q < 2 + blen || d[q] != '-' || d[q + 1] != '-' || memcmp(d + q + 2, b, blen) != 0)
        return 0;
    q += 2 + blen;
    int kind = 1;
    if (end - q >= 2 && d[q] == '-' && d[q + 1] == '-') {
        kind = 2;
        q += 2;
    }
    for (; q < end; q++)
        if (!is_blank(d[q]))
            return 0;
    return kind;
}

static void add_part(const char *d, size_t start, size_t end, bool at_delimiter, size_t max_parts,
                     mime_split_t *out)
{
    /* the line break before a delimiter belongs to the delimiter */
    if (at_delimiter && end > start && d[end - 1] == '\n') {
        end--;
        if (end > start && d[end - 1] == '\r')
            end--;
    }
    if (out->parts->len >= max_parts) {
        out->more = true;
        return;
    }
    mime_span_t s = {start, end - start};
    g_array_append_val(out->parts, s);
}

void mime_split(const char *d, size_t n, const char *boundary, size_t blen, size_t max_parts,
                mime_nests_fn nests, void *ctx, mime_split_t *out)
{
    memset(out, 0, sizeof(*out));
    out->parts = g_array_sized_new(FALSE, FALSE, sizeof(mime_span_t), 4);
    bool in_part = false;
    size_t start = 0, p = 0, depth = 0; /* depth: open inner multiparts on our boundary */
    line_t l;
    while (next_line(d, n, p, &l)) {
        p = l.next;
        /* cheap test first: most lines do not start with "--" */
        if (l.eol - l.start < 2 || d[l.start] != '-' || d[l.start + 1] != '-')
            continue;
        int k = delimiter(d, &l, boundary, blen);
        if (k == 0)
            continue;
        if (depth > 0) { /* a delimiter of an inner multipart: part of the current part */
            if (k == 2)
                depth--;
            else if (nests && nests(d + l.next, n - l.next, ctx))
                depth++;
            continue;
        }
        if (in_part)
            add_part(d, start, l.start, true, max_parts, out);
        out->found = true;
        if (k == 2) {
            out->closed = true;
            return;
        }
        in_part = true;
        start = l.next;
        if (nests && nests(d + start, n - start, ctx))
            depth = 1;
    }
    if (in_part)
        add_part(d, start, n, false, max_parts, out);
}

void mime_split_clear(mime_split_t *s)
{
    if (s->parts)
        g_array_unref(s->parts);
    s->parts = NULL;
}
