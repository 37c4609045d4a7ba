/*
 * paths.c - data and locale directories; see paths.h.
 */
#include "util/paths.h"

#include <glib.h>
#include <unistd.h>

static gboolean in_build_tree(void)
{
    static int cached = -1;
    if (cached < 0) {
        char *exe = g_file_read_link("/proc/self/exe", NULL);
        cached = 0;
        if (exe) {
            char *dir = g_path_get_dirname(exe);
            char *cache = g_build_filename(dir, "CMakeCache.txt", NULL);
            char *cache_up = g_build_filename(dir, "..", "CMakeCache.txt", NULL);
            cached = access(cache, F_OK) == 0 || access(cache_up, F_OK) == 0;
            g_free(cache);
            g_free(cache_up);
            g_free(dir);
            g_free(exe);
        }
    }
    return cached;
}

const char *paths_datadir(void)
{
    const char *env = g_getenv("SESGUARD_DATADIR");
    if (env && *env)
        return env;
    return in_build_tree() ? SG_SOURCE_DATADIR : SG_INSTALL_DATADIR;
}

const char *paths_localedir(void)
{
    const char *env = g_getenv("SESGUARD_LOCALEDIR");
    if (env && *env)
        return env;
    return in_build_tree() ? SG_BUILD_LOCALEDIR : SG_INSTALL_LOCALEDIR;
}

const char *paths_sysconfdir(void)
{
    return SG_SYSCONFDIR;
}

char *paths_data_file(const char *name)
{
    return g_build_filename(paths_datadir(), name, NULL);
}
