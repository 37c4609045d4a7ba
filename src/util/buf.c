/*
 * buf.c - bounded growable buffer; see buf.h.
 */
#include "util/buf.h"

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

void buf_init(buf_t *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void buf_free(buf_t *b)
{
    g_free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_reset(buf_t *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

static int ensure(buf_t *b, size_t extra)
{
    if (extra > b->max || b->len > b->max - extra)
        return BUF_ETOOBIG;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return BUF_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    b->data = g_realloc(b->data, cap);
    b->cap = cap;
    return BUF_OK;
}

int buf_append(buf_t *b, const void *p, size_t n)
{
    if (ensure(b, n) != BUF_OK)
        return BUF_ETOOBIG;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return BUF_OK;
}

int buf_append_slice(buf_t *b, slice_t s)
{
    return buf_append(b, s.p, s.n);
}

int buf_append_str(buf_t *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_append_char(buf_t *b, char c)
{
    return buf_append(b, &c, 1);
}

int buf_printf(buf_t *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    int rc = buf_append_str(b, s);
    g_free(s);
    return rc;
}

char *buf_steal(buf_t *b)
{
    char *d = b->data ? b->data : g_strdup("");
    b->data = NULL;
    b->len = b->cap = 0;
    return d;
}
