/*
 * slice.c - byte views; see slice.h.
 */
#include "util/slice.h"

#include <glib.h>

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

bool slice_eq_ci(slice_t s, const char *lit)
{
    size_t n = strlen(lit);
    if (n != s.n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s.p[i]) != lower((unsigned char)lit[i]))
            return false;
    return true;
}

bool slice_skip_prefix_ci(slice_t *s, const char *lit)
{
    size_t n = strlen(lit);
    if (n > s->n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)s->p[i]) != lower((unsigned char)lit[i]))
            return false;
    s->p += n;
    s->n -= n;
    return true;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

slice_t slice_trim(slice_t s)
{
    while (s.n > 0 && is_ws(s.p[0])) {
        s.p++;
        s.n--;
    }
    while (s.n > 0 && is_ws(s.p[s.n - 1]))
        s.n--;
    return s;
}

long slice_find(slice_t s, char c)
{
    const char *hit = s.n ? memchr(s.p, c, s.n) : NULL;
    return hit ? (long)(hit - s.p) : -1;
}

slice_t slice_split(slice_t *s, char c)
{
    long i = slice_find(*s, c);
    slice_t head;
    if (i < 0) {
        head = *s;
        s->p += s->n;
        s->n = 0;
        return head;
    }
    head = slice_make(s->p, (size_t)i);
    s->p += i + 1;
    s->n -= (size_t)i + 1;
    return head;
}

char *slice_dup(slice_t s)
{
    return g_strndup(s.p ? s.p : "", s.n);
}
