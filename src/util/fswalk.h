/*
 * fswalk.h - walk files and directories the way a scanner needs.
 *
 * A path is a file or a directory; directories are walked recursively in
 * sorted order (reports are reproducible), symbolic links are followed,
 * and every directory is entered at most once (device + inode), so a link
 * loop or a link to an ancestor cannot make the walk endless. Only regular
 * files reach on_file; sockets, FIFOs and devices are skipped silently
 * (reading a FIFO would block). Depth is bounded by FSWALK_MAX_DEPTH.
 *
 * Errors (unreadable directory, dangling link, too deep) go to on_error and
 * the walk goes on. fswalk returns the number of errors, or the first
 * non-zero value on_file returned, which stops the walk early.
 */
#ifndef SG_UTIL_FSWALK_H
#define SG_UTIL_FSWALK_H

#include <stdbool.h>
#include <sys/stat.h>

/* Deeper trees exist only as attacks or accidents; 256 is far beyond any
 * real Maildir or source tree and well within PATH_MAX. */
#define FSWALK_MAX_DEPTH 256

typedef struct fswalk_opts {
    /* Called for each regular file; non-zero stops the walk. */
    int (*on_file)(const char *path, const struct stat *st, void *ctx);
    /* Return true to skip the directory dir/name (e.g. ".git"). May be NULL. */
    bool (*skip_dir)(const char *dir, const char *name, void *ctx);
    /* Called for each error; errnum is an errno value. May be NULL. */
    void (*on_error)(const char *path, int errnum, void *ctx);
    void *ctx;
} fswalk_opts_t;

int fswalk(const char *path, const fswalk_opts_t *opts);

#endif
