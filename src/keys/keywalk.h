/*
 * keywalk.h - a directory walk tuned for the scanner.
 *
 * What: like util/fswalk, but it takes each entry's type from readdir's
 * d_type and calls stat(2) only for symbolic links and file systems that
 * do not report a type, and it does not sort. On a source tree in the page
 * cache this makes the walk several times cheaper, and the walk runs on
 * the one thread that feeds the scanning workers, so its cost is the
 * scanner's floor. Order does not matter: findings are sorted at the end.
 *
 * Symbolic links are followed; every directory is entered at most once
 * (device + inode of the opened directory), so link loops end. Depth is
 * bounded by FSWALK_MAX_DEPTH, paths by PATH_MAX. Only regular files reach
 * on_file; FIFOs, sockets and devices are skipped (reading a FIFO blocks).
 *
 * Memory: one path buffer and the set of directories entered (16 bytes
 * each); nothing outlives the call. Paths passed to callbacks are valid
 * only during the call.
 *
 * Errors: each unreadable directory, dangling link or over-deep path goes
 * to on_error with its errno, and the walk goes on. keywalk returns the
 * number of errors, or the first non-zero value on_file returned (which
 * stops the walk).
 */
#ifndef SG_KEYS_KEYWALK_H
#define SG_KEYS_KEYWALK_H

#include <stdbool.h>

typedef struct keywalk_opts {
    int (*on_file)(const char *path, void *ctx);
    /* true: do not enter dir/name. May be NULL. */
    bool (*skip_dir)(const char *dir, const char *name, void *ctx);
    void (*on_error)(const char *path, int errnum, void *ctx);
    void *ctx;
} keywalk_opts_t;

int keywalk(const char *root, const keywalk_opts_t *opts);

#endif
