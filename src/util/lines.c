/*
 * lines.c - bounded line reader; see lines.h.
 */
#include "util/lines.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

struct lines {
    FILE *f;
    char *buf;
    size_t cap, start, end, max_line;
    bool eof, in_long_line;
    unsigned long long offset;
};

lines_t *lines_new(FILE *f, size_t max_line)
{
    lines_t *r = g_new0(lines_t, 1);
    r->f = f;
    r->max_line = max_line ? max_line : 1;
    r->cap = (max_line + 1 > LINES_CHUNK ? max_line + 1 : LINES_CHUNK) + LINES_CHUNK;
    r->buf = g_malloc(r->cap);
    return r;
}

void lines_rebind(lines_t *r, FILE *f)
{
    r->f = f;
    r->start = r->end = 0;
    r->eof = r->in_long_line = false;
    r->offset = 0;
}

void lines_free(lines_t *r)
{
    if (r == NULL)
        return;
    g_free(r->buf);
    g_free(r);
}

unsigned long long lines_offset(const lines_t *r)
{
    return r->offset;
}

static int refill(lines_t *r)
{
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    if (r->eof || r->end == r->cap)
        return 0;
    size_t n = fread(r->buf + r->end, 1, r->cap - r->end, r->f);
    if (n == 0) {
        if (ferror(r->f))
            return -1;
        r->eof = true;
    }
    r->end += n;
    return 0;
}

int lines_next(lines_t *r, slice_t *line, bool *continued)
{
    for (;;) {
        size_t avail = r->end - r->start;
        const char *p = r->buf + r->start;
        size_t look = avail < r->max_line ? avail : r->max_line;
        const char *nl = look ? memchr(p, '\n', look) : NULL;
        size_t take = 0;
        if (nl)
            take = (size_t)(nl - p) + 1;
        else if (avail >= r->max_line)
            take = r->max_line; /* a piece of a long line */
        else if (r->eof)
            take = avail; /* last line without '\n' */
        if (take > 0) {
            *line = slice_make(p, take);
            *continued = r->in_long_line;
            r->in_long_line = nl == NULL;
            r->start += take;
            r->offset += take;
            return 1;
        }
        if (r->eof && avail == 0)
            return 0;
        if (refill(r) < 0)
            return -1;
    }
}
