/*
 * readfile.h - read a whole (configuration or data) file, with a size cap.
 *
 * The cap is checked before the file is read (fstat) and again while
 * reading, so a huge or growing file costs at most max bytes of memory.
 * The result is NUL-terminated (not counted in *len) and may hold NULs.
 * Errors: NULL with *err = "path: reason" (g_free it).
 */
#ifndef SG_UTIL_READFILE_H
#define SG_UTIL_READFILE_H

#include <stddef.h>

char *readfile(const char *path, size_t max, size_t *len, char **err);

#endif
