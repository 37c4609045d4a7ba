/*
 * hscache.h - compiled Hyperscan databases kept in the cache (cache.h).
 *
 * Compiling a database costs milliseconds to seconds; the keys scanner and
 * the literal sets of the mail engine both keep theirs. A database is only
 * valid for the Hyperscan version that built it, and one built for fewer
 * CPU features (under valgrind, on an older machine sharing the home
 * directory) loads on a newer CPU but runs slower: hscache_key_new seeds
 * the cache key with both, and callers add their patterns.
 *
 * Errors: a missing or undeserializable file is a miss (NULL); storing is
 * best effort. Thread safety: reentrant.
 */
#ifndef SG_UTIL_HSCACHE_H
#define SG_UTIL_HSCACHE_H

#include <glib.h>
#include <hs/hs.h>

/* A SHA-256 over the Hyperscan version and the CPU features it compiles
 * for; the caller adds its patterns, passes it to cache_path and frees it. */
GChecksum *hscache_key_new(void);
/* The database cached at path, or NULL (path may be NULL: caching off). */
hs_database_t *hscache_load(const char *path);
/* Serialize db to path (nothing when path is NULL). */
void hscache_store(const char *path, const hs_database_t *db);

#endif
