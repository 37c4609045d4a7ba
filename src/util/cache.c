/*
 * cache.c - cache files under $XDG_CACHE_HOME/sesguard; see cache.h.
 */
#include "util/cache.h"

#include <string.h>

char *cache_path(const char *kind, GChecksum *key, const char *ext)
{
    const char *off = g_getenv("SESGUARD_NO_CACHE");
    if (off && *off && strcmp(off, "0") != 0)
        return NULL;
    GChecksum *ck = g_checksum_copy(key);
    char *name = g_strdup_printf("%s-%.32s.%s", kind, g_checksum_get_string(ck), ext);
    char *path = g_build_filename(g_get_user_cache_dir(), "sesguard", name, NULL);
    g_checksum_free(ck);
    g_free(name);
    return path;
}

bool cache_read(const char *path, char **data, size_t *len)
{
    gsize n = 0;
    *data = NULL;
    *len = 0;
    if (path == NULL || !g_file_get_contents(path, data, &n, NULL))
        return false;
    *len = n;
    return true;
}

void cache_write(const char *path, const void *data, size_t len)
{
    if (path == NULL)
        return;
    char *dir = g_path_get_dirname(path);
    if (g_mkdir_with_parents(dir, 0700) == 0)
        g_file_set_contents(path, data, (gssize)len, NULL); /* temporary file + rename */
    g_free(dir);
}
