/*
 * lines.h - read a stream line by line with bounded memory.
 *
 * getline() allocates as much as the longest line, so one hostile 4 GB
 * line costs 4 GB. This reader never holds more than its buffer: a line
 * longer than max_line is delivered in pieces of max_line bytes, each
 * flagged as a continuation of the same line except the first. Reads are
 * large (LINES_CHUNK) for sequential-I/O speed.
 *
 * Memory: the returned slice points into the reader's buffer and is valid
 * until the next call. The reader does not own the FILE.
 * Errors: lines_next returns -1 on a read error (errno set).
 */
#ifndef SG_UTIL_LINES_H
#define SG_UTIL_LINES_H

#include <stdbool.h>
#include <stdio.h>

#include "util/slice.h"

#define LINES_CHUNK (256 * 1024)

typedef struct lines lines_t;

lines_t *lines_new(FILE *f, size_t max_line);
/* 1: *line holds the next line (with its '\n' if it had one) and
 *    *continued says it continues the previous piece; 0: end of stream;
 *   -1: read error. */
int lines_next(lines_t *r, slice_t *line, bool *continued);
/* Reuse the reader (and its buffer) for another stream, from its start. */
void lines_rebind(lines_t *r, FILE *f);
/* Bytes consumed so far. */
unsigned long long lines_offset(const lines_t *r);
void lines_free(lines_t *r);

#endif
