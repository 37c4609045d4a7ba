/*
 * slice.h - a read-only view of bytes: pointer and length.
 *
 * Untrusted bytes are never assumed to be NUL-terminated; code that reads
 * input passes slices and advances them with the cursor helpers below,
 * which move only on success so that calls chain (curl's strparse idea).
 * A slice never owns its bytes.
 */
#ifndef SG_UTIL_SLICE_H
#define SG_UTIL_SLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct slice {
    const char *p;
    size_t n;
} slice_t;

#define SLICE_LIT(s) ((slice_t){(s), sizeof(s) - 1})

static inline slice_t slice_make(const char *p, size_t n)
{
    return (slice_t){p, n};
}

static inline slice_t slice_cstr(const char *s)
{
    return (slice_t){s, s ? strlen(s) : 0};
}

/* Case-insensitive ASCII comparison of a slice with a C string. */
bool slice_eq_ci(slice_t s, const char *lit);
/* True if s starts with lit (ASCII case-insensitive); on success advance. */
bool slice_skip_prefix_ci(slice_t *s, const char *lit);
/* Strip ASCII white space (SP, HT, CR, LF) at both ends. */
slice_t slice_trim(slice_t s);
/* Split at the first occurrence of c: head is returned, *s becomes the rest
 * after c. If c is absent the whole slice is returned and *s becomes empty. */
slice_t slice_split(slice_t *s, char c);
/* Index of the first byte c in s, or -1. */
long slice_find(slice_t s, char c);
/* Newly allocated NUL-terminated copy (g_malloc; never NULL). */
char *slice_dup(slice_t s);

#endif
