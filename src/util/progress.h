/*
 * progress.h - a progress line on stderr for long runs.
 *
 * Shown only when stderr is a terminal (never in pipes, logs or CI), redrawn
 * at most five times a second, and erased by progress_done so that the
 * report on stdout and the errors on stderr stay clean.
 */
#ifndef SG_UTIL_PROGRESS_H
#define SG_UTIL_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct progress progress_t;

/* what: a short noun for the items ("messages", "files", "records"). */
progress_t *progress_new(const char *what);
/* Account for one more item of nbytes bytes; redraws when due. */
void progress_step(progress_t *p, uint64_t nbytes);
void progress_done(progress_t *p);
bool progress_enabled(const progress_t *p);

#endif
