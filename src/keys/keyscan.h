/*
 * keyscan.h - find credentials in files, directories, archives, stdin and
 * in-memory blobs, with one Hyperscan pass per chunk and worker threads.
 *
 * What: a keyscan_t takes inputs (keyscan_path, keyscan_stdin,
 * keyscan_submit_blob, or keyscan_buffer for a synchronous scan), runs them
 * on KEYSCAN_THREADS worker threads (default: one per core), and collects
 * findings. keyscan_finish waits for the workers, ties SES SMTP passwords
 * to the secret access keys that yield them, and sorts the findings so that
 * reports are reproducible.
 *
 * How a buffer is scanned: Hyperscan runs every rule's prefilter over the
 * chunk in one pass; each hit is confirmed with the rule's PCRE pattern
 * over a window from max_len bytes before to 2 * max_len after the hit
 * (GRegex, raw bytes), then the rule's shape check, keywords, `near` and `pair` are
 * applied (see keyrules.h). A match on a line containing KEYSCAN_ALLOW_MARK
 * is kept but marked allowed.
 *
 * Memory: bounded regardless of input size. Files are read with large
 * sequential read(2)s into one KEYSCAN_CHUNK + KEYSCAN_OVERLAP buffer per
 * worker; a chunk owns the matches that start in it, except in its last
 * KEYSCAN_OVERLAP bytes, which the next chunk owns after carrying them
 * over together with the KEYSCAN_OVERLAP bytes before them (the context of
 * look-behinds and keywords). KEYSCAN_OVERLAP is larger than three times
 * the longest rule, so a match that straddles two chunks is seen whole.
 * At most KEYSCAN_QUEUE_JOBS inputs and KEYSCAN_QUEUE_BYTES bytes of blobs
 * wait for a worker; submitters block beyond that. At most
 * KEYSCAN_MAX_FINDINGS findings are kept (a warning says when more were
 * dropped), and past KEYSCAN_SECRET_BUDGET bytes of stored secrets the
 * rest are stored truncated. The keyscan_t owns every finding until keyscan_free.
 *
 * Limits: archives (zip, tar, gzip, bzip2, xz via libarchive) are opened
 * one level deep, KEYSCAN_MAX_ENTRY bytes per entry, KEYSCAN_MAX_ARCHIVE
 * bytes and KEYSCAN_MAX_ENTRIES entries per archive (zip bombs); an
 * archive inside an archive is not opened. A file whose first
 * KEYSCAN_SNIFF bytes hold a NUL byte is binary and skipped (so UTF-16
 * text is skipped too). Secrets longer than KEYRULES_MAX_LEN are not
 * reported.
 *
 * Errors: an unreadable input is logged with log_err (naming the path and
 * the reason) and counted; the scan of the other inputs goes on. A file
 * that looks like an archive but is corrupt (a truncated .gz test fixture)
 * was read, so it is only a warning: the members before the damage are
 * scanned, and the scan does not fail for it.
 *
 * Security: every byte scanned is hostile. Reads are bounded, regexes run
 * on bounded windows, and archive sizes and counts are capped. Findings
 * hold raw secrets in memory; reports redact them unless asked not to.
 */
#ifndef SG_KEYS_KEYSCAN_H
#define SG_KEYS_KEYSCAN_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "keys/awskey.h"
#include "keys/keyrules.h"

#define KEYSCAN_CHUNK        (8u * 1024 * 1024)
#define KEYSCAN_OVERLAP      (64u * 1024)
#define KEYSCAN_SNIFF        8000
#define KEYSCAN_MAX_ENTRY    (64u * 1024 * 1024)
#define KEYSCAN_MAX_ARCHIVE  (1024ull * 1024 * 1024)
#define KEYSCAN_MAX_ENTRIES  100000
#define KEYSCAN_MAX_FINDINGS 100000
#define KEYSCAN_QUEUE_JOBS   1024
#define KEYSCAN_QUEUE_BYTES  (64u * 1024 * 1024)
#define KEYSCAN_MAX_THREADS  64
#define KEYSCAN_ALLOW_MARK   "sesguard:allow"
/* Stored secret bytes beyond which secrets are kept truncated to
 * KEYSCAN_SHORT_SECRET bytes (fingerprints are taken before). */
#define KEYSCAN_SECRET_BUDGET (64u * 1024 * 1024)
#define KEYSCAN_SHORT_SECRET  80
/* AWS secrets whose SES SMTP passwords are derived (31 regions x 5 HMACs
 * each), and only when some SMTP password was found at all. */
#define KEYSCAN_MAX_DERIVE 10000

/* Where a history finding came from (all strings owned by the finding). */
typedef struct keyscan_origin {
    char *commit;      /* 40 hex digits */
    char *author_date; /* ISO 8601, UTC */
    char *author;      /* name <email>, bounded */
} keyscan_origin_t;

typedef struct keyfinding {
    int rule;                             /* index into the keyrules_t */
    char *path;                           /* display path; archive members as "a.zip!x" */
    uint64_t offset;                      /* byte offset of the secret in its object */
    uint64_t line;                        /* 1-based */
    uint32_t column;                      /* 1-based, in bytes */
    char *secret;                         /* raw bytes as found (NUL-terminated copy) */
    char *paired_secret;                  /* the secret merged into this finding, or NULL */
    int paired_rule;                      /* rule of paired_secret, or -1 */
    char *key_id;                         /* AWS access key id, or NULL */
    char account[AWSKEY_ACCOUNT_LEN + 1]; /* "" when unknown */
    awskey_kind_t kind;
    bool example;        /* AWS documentation example */
    bool canary;         /* a canary-token account */
    bool allowed;        /* inline KEYSCAN_ALLOW_MARK */
    int smtp_version;    /* 4 or 2 for SES SMTP passwords, else 0 */
    char *smtp_region;   /* region whose SMTP password this is, or NULL */
    char *smtp_key;      /* key id (or fingerprint) of the secret it comes from */
    char *smtp_endpoint; /* region of an email-smtp.<region>.amazonaws.com nearby, or NULL */
    keyscan_origin_t origin;
    char fingerprint[65];
} keyfinding_t;

typedef struct keyscan_opts {
    int threads;                /* 0: one per core */
    bool git_internals;         /* descend into .git directories */
    bool gitignore;             /* skip what the repository's .gitignore files ignore */
    bool archives;              /* open zip/tar/gz (default on) */
    bool progress;              /* progress line on a terminal */
    const char *const *include; /* globs; NULL or empty = everything */
    const char *const *exclude; /* globs */
} keyscan_opts_t;

typedef struct keyscan keyscan_t;

keyscan_t *keyscan_new(const keyrules_t *rs, const keyscan_opts_t *opts);
/* Scan a file or directory tree; returns the number of inputs that could
 * not be read so far (logged). */
void keyscan_path(keyscan_t *ks, const char *path);
/* Scan standard input as one text (not opened as an archive). */
void keyscan_stdin(keyscan_t *ks);
/* Queue an in-memory object (a git blob); takes ownership of data (g_free)
 * and of origin's strings. Blocks while the queue is full. */
void keyscan_submit_blob(keyscan_t *ks, char *path, char *data, size_t len,
                         keyscan_origin_t *origin);
/* Scan bytes now, in the calling thread (tests, fuzzing). */
void keyscan_buffer(keyscan_t *ks, const char *path, const char *data, size_t len);
/* Count an input error (already logged by the caller). */
void keyscan_count_error(keyscan_t *ks);
/* Wait for the workers and post-process; call once, before reading. */
void keyscan_finish(keyscan_t *ks);
/* The findings, sorted; owned by ks. */
const GPtrArray *keyscan_findings(const keyscan_t *ks);
unsigned long keyscan_errors(const keyscan_t *ks);
unsigned long keyscan_files(const keyscan_t *ks);
uint64_t keyscan_bytes(const keyscan_t *ks);
const keyrules_t *keyscan_rules(const keyscan_t *ks);
void keyscan_free(keyscan_t *ks);

#endif
