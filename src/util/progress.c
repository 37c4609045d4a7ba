/*
 * progress.c - terminal progress line; see progress.h.
 */
#include "util/progress.h"

#include <glib.h>
#include <stdio.h>
#include <unistd.h>

struct progress {
    char *what;
    bool enabled;
    bool drawn;
    uint64_t items, bytes;
    gint64 start, last;
};

progress_t *progress_new(const char *what)
{
    progress_t *p = g_new0(progress_t, 1);
    p->what = g_strdup(what);
    p->enabled = isatty(STDERR_FILENO) == 1;
    p->start = p->last = g_get_monotonic_time();
    return p;
}

bool progress_enabled(const progress_t *p)
{
    return p && p->enabled;
}

static void draw(progress_t *p, gint64 now)
{
    double secs = (double)(now - p->start) / 1e6;
    double rate = secs > 0 ? (double)p->items / secs : 0;
    fprintf(stderr, "\r\033[K%llu %s, %.1f MB, %.0f/s", (unsigned long long)p->items, p->what,
            (double)p->bytes / 1e6, rate);
    fflush(stderr);
    p->drawn = true;
}

void progress_step(progress_t *p, uint64_t nbytes)
{
    if (p == NULL)
        return;
    p->items++;
    p->bytes += nbytes;
    if (!p->enabled)
        return;
    gint64 now = g_get_monotonic_time();
    if (now - p->last >= 200000) {
        p->last = now;
        draw(p, now);
    }
}

void progress_done(progress_t *p)
{
    if (p == NULL)
        return;
    if (p->enabled && p->drawn)
        fprintf(stderr, "\r\033[K");
    g_free(p->what);
    g_free(p);
}
