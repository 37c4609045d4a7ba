/*
 * ctread.h - read CloudTrail records from files, directories and stdin, in
 * every shape AWS delivers them, and hand each record to a callback.
 *
 * Shapes: {"Records":[...]} (S3 delivery, .json or .json.gz), a bare array
 * of records, JSON Lines / concatenated records (CloudWatch Logs exports),
 * EventBridge envelopes (record in "detail"), LookupEvents output (record
 * as a JSON string in "CloudTrailEvent", inside "Events"), CloudTrail Lake
 * query results ("QueryResultRows": rows of one-key objects). gzip is
 * detected by content, not by name (zlib reads plain files transparently).
 * Directories are walked (S3 layout, organisation trails); digest files
 * (CloudTrail-Digest) and files that are not .json/.json.gz/.jsonl/.gz are
 * skipped there. A single file named on the command line is always read.
 *
 * Streaming: the outer value of a file is never held whole. The Records
 * (or bare) array is cut into elements as bytes arrive, so memory is one
 * read chunk plus the largest record (CTREAD_MAX_VALUE), whatever the file
 * size. Records are handed over one at a time; the callback copies what it
 * keeps.
 *
 * Errors: a file that cannot be opened, is truncated, malformed or holds a
 * value over CTREAD_MAX_VALUE is reported with log_err (path and reason,
 * with the byte offset) and the reader goes on with the next file; records
 * before the fault were already delivered (they are real evidence).
 * Elements that are not records are counted, not errors.
 */
#ifndef SG_TRAIL_CTREAD_H
#define SG_TRAIL_CTREAD_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "trail/ctrec.h"

/* One record is at most ~250 KB in CloudTrail (100 KB of parameters, 100 KB
 * of response, the rest); an envelope (LookupEvents page, EventBridge event)
 * a few records. 8 MB leaves room and still bounds memory. */
#define CTREAD_MAX_VALUE (8u * 1024 * 1024)
#define CTREAD_CHUNK     (1u * 1024 * 1024)
/* Envelopes nest at most: array > envelope > CloudTrailEvent string > record. */
#define CTREAD_MAX_NEST 4

typedef enum { CTREAD_FAST, CTREAD_JSONC } ctread_mode_t;

/* Return non-zero to stop reading (the reader returns that value). */
typedef int (*ctread_fn)(ctrec_t *rec, void *ctx);

typedef struct ctread_stats {
    uint64_t files;       /* files read */
    uint64_t skipped;     /* files skipped in directory walks */
    uint64_t bad_files;   /* files reported with log_err */
    uint64_t records;     /* records delivered */
    uint64_t non_records; /* values that were not CloudTrail records */
    uint64_t bytes;       /* uncompressed JSON bytes read */
} ctread_stats_t;

typedef struct ctread ctread_t;

ctread_t *ctread_new(ctread_mode_t mode, ctread_fn fn, void *ctx);
void ctread_free(ctread_t *r);
/* A file, a directory (walked) or "-" (stdin). Returns 0, -1 if some file
 * was bad (already logged), or the callback's non-zero value. */
int ctread_path(ctread_t *r, const char *path);
/* The files ctread_path(path) would read, in the same order, appended to out
 * (g_strdup'ed): a directory is walked (digests and non-log files skipped
 * and counted), a file or "-" is returned as is. Errors are logged and
 * counted in r's stats. Lets a caller read files on several threads, one
 * ctread_t per thread (a ctread_t is not shared between threads). */
int ctread_list(ctread_t *r, const char *path, GPtrArray *out);
/* Add another reader's counters into r (after its thread is done). */
void ctread_add_stats(ctread_t *r, const ctread_stats_t *more);
/* Bytes already in memory (tests, fuzzing); name is used in messages. */
int ctread_buffer(ctread_t *r, const char *name, const void *data, size_t n);
const ctread_stats_t *ctread_get_stats(const ctread_t *r);
/* Show a progress line (files, MB) while reading. */
void ctread_set_progress(ctread_t *r, int on);

#endif
