/*
 * fuzz_mime.c - the header block and multipart readers (mime.h) on
 * arbitrary bytes (libFuzzer target).
 *
 * Invariants: every field and part lies inside the input; fields are in
 * input order and do not overlap; a field name is non-empty and holds no
 * ':', blank or control byte; the body offset is at most the input length;
 * parts are in order, do not overlap, and each follows a delimiter line.
 * The boundary is taken from the first input line (at most 70 bytes, RFC
 * 2046), the rest is the body, split once without and once with a toy
 * rule for parts that nest on the same boundary.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_block(const char *d, size_t n, mime_where_t where)
{
    mime_block_t b;
    mime_block_read(d, n, where, 64, &b);
    if (b.body > n || b.fields->len > 64 || b.total_fields < b.fields->len)
        abort();
    size_t prev_end = 0;
    for (guint i = 0; i < b.fields->len; i++) {
        const mime_field_t *f = &g_array_index(b.fields, mime_field_t, i);
        if (f->name != d + f->offset || f->name_len == 0 || f->offset < prev_end)
            abort();
        if (f->value < f->name + f->name_len || f->value + f->value_len > d + n)
            abort();
        for (size_t k = 0; k < f->name_len; k++) {
            unsigned char c = (unsigned char)f->name[k];
            if (c == ':' || c == ' ' || c == '\t' || c < 0x20 || c == 0x7f)
                abort();
        }
        prev_end = (size_t)(f->value + f->value_len - d);
    }
    if (b.no_headers && b.fields->len != 0)
        abort();
    mime_block_clear(&b);
}

/* A toy nesting rule: a part opens a same-boundary multipart when it
 * starts with 'N' (exercises the depth counting). */
static bool starts_with_n(const char *part, size_t len, void *ctx)
{
    (void)ctx;
    return len > 0 && part[0] == 'N';
}

static void check_split(const char *body, size_t n, const char *b, size_t blen,
                        mime_nests_fn nests);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *d = (const char *)data;
    check_block(d, size, MIME_TOP);
    check_block(d, size, MIME_PART);

    const char *nl = memchr(d, '\n', size);
    size_t blen = nl ? (size_t)(nl - d) : size;
    if (blen > 70 || blen == 0)
        return 0;
    const char *body = nl ? nl + 1 : d + size;
    size_t n = size - (size_t)(body - d);
    for (int nesting = 0; nesting < 2; nesting++)
        check_split(body, n, d, blen, nesting ? starts_with_n : NULL);
    return 0;
}

static void check_split(const char *body, size_t n, const char *b, size_t blen, mime_nests_fn nests)
{
    mime_split_t s;
    mime_split(body, n, b, blen, 32, nests, NULL, &s);
    size_t prev = 0;
    for (guint i = 0; i < s.parts->len; i++) {
        const mime_span_t *p = &g_array_index(s.parts, mime_span_t, i);
        if (p->start < prev || p->start > n || p->len > n - p->start)
            abort();
        /* a part starts right after a delimiter line: "--" boundary ... \n */
        if (p->start > 0 && p->start < n && body[p->start - 1] != '\n')
            abort();
        prev = p->start + p->len;
    }
    if (s.parts->len > 32 || (s.parts->len > 0 && !s.found) || (s.closed && !s.found))
        abort();
    mime_split_clear(&s);
}
