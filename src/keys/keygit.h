/*
 * keygit.h - feed every blob of a git history to the scanner (libgit2).
 *
 * What: opens the repository at (or above) a path, walks every commit
 * reachable from every reference (branches, tags, remotes, stash, HEAD) in
 * reverse topological order (parents first), diffs each commit against its
 * first parent, and queues each blob the first time it appears, with the
 * commit that introduced it, the path it had there and the author date. A
 * key committed and later deleted is therefore found, once, at the commit
 * that added it.
 *
 * Memory: blobs are copied out of libgit2 and handed to the scanner's
 * bounded queue (the walk waits while the workers are behind). The set of
 * blob ids already queued grows with the number of distinct blobs in the
 * history (about 60 bytes each), never with their size.
 *
 * Limits: blobs larger than KEYGIT_MAX_BLOB are skipped with a warning
 * (credentials are not in 64 MiB files; packs of such blobs would only
 * slow the scan). Submodules are not entered.
 *
 * Errors: a path that is not a repository, or a broken object, is logged
 * with log_err, counted, and the walk goes on where it can.
 *
 * Security: the repository is hostile input; libgit2 parses it, the scanner
 * bounds every read, and paths are only used as labels, never opened.
 */
#ifndef SG_KEYS_KEYGIT_H
#define SG_KEYS_KEYGIT_H

#include "keys/keyscan.h"

#define KEYGIT_MAX_BLOB (64u * 1024 * 1024)

/* Returns 0, or -1 if the repository could not be opened or walked. */
int keygit_scan(keyscan_t *ks, const char *path);

#endif
