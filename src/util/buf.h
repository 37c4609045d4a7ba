/*
 * buf.h - a growable byte buffer with a hard maximum size.
 *
 * Every buffer is given its maximum when it is made (curl's dynbuf rule):
 * an append that would pass it fails with BUF_ETOOBIG and leaves the
 * contents unchanged, so a hostile input can never make us allocate without
 * bound. The data is always NUL-terminated after len bytes (not counted),
 * which makes it safe to hand to C APIs, but the bytes may contain NULs.
 *
 * Memory: the buffer owns data; buf_free releases it; buf_steal hands it to
 * the caller (free with g_free).
 */
#ifndef SG_UTIL_BUF_H
#define SG_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

#include "util/slice.h"

typedef struct buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
} buf_t;

enum buf_status { BUF_OK = 0, BUF_ETOOBIG = -1 };

void buf_init(buf_t *b, size_t max);
void buf_free(buf_t *b);
void buf_reset(buf_t *b);
int buf_append(buf_t *b, const void *p, size_t n);
int buf_append_slice(buf_t *b, slice_t s);
int buf_append_str(buf_t *b, const char *s);
int buf_append_char(buf_t *b, char c);
int buf_printf(buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static inline slice_t buf_slice(const buf_t *b)
{
    return slice_make(b->data ? b->data : "", b->len);
}
/* Return the data (NUL-terminated, g_free it) and reset the buffer. */
char *buf_steal(buf_t *b);

#endif
