/*
 * cache.h - files that spare recomputing something costly at start-up
 * (compiled Hyperscan databases).
 *
 * A cache file lives in $XDG_CACHE_HOME/sesguard (default ~/.cache) and is
 * named by a kind and the SHA-256 of everything its content depends on
 * (the library version and the inputs), so a change of either never
 * reuses a stale file. Callers validate what they read (Hyperscan checks
 * a deserialized database) and recompute on any failure; writing is best
 * effort and atomic (temporary file and rename), so a crash or a full disk
 * never leaves a half file. The directory belongs to the user: whoever can
 * write there can already run code as the user. SESGUARD_NO_CACHE set to
 * anything but "" or "0" turns caching off.
 *
 * Thread safety: reentrant.
 */
#ifndef SG_UTIL_CACHE_H
#define SG_UTIL_CACHE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

/* Path of the cache file "<kind>-<32 hex of the checksum>.<ext>", or NULL
 * when caching is off. key is the caller's SHA-256 over the content's
 * inputs (not consumed). g_free the result. */
char *cache_path(const char *kind, GChecksum *key, const char *ext);
/* The file's bytes (g_free), or false when it is missing or unreadable. */
bool cache_read(const char *path, char **data, size_t *len);
/* Store bytes at path, creating the directory (0700); failures are
 * ignored (the next run recomputes). */
void cache_write(const char *path, const void *data, size_t len);

#endif
