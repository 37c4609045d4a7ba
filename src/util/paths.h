/*
 * paths.h - where sesguard finds its data files and translations.
 *
 * Order: the environment (SESGUARD_DATADIR, SESGUARD_LOCALEDIR), then the
 * source tree when the binary runs from its build tree (a developer never
 * has to install to try a change), then the installed locations. Returned
 * strings are static and valid for the life of the process.
 */
#ifndef SG_UTIL_PATHS_H
#define SG_UTIL_PATHS_H

const char *paths_datadir(void);
const char *paths_localedir(void);
const char *paths_sysconfdir(void);
/* g_build_filename(paths_datadir(), name); g_free the result. */
char *paths_data_file(const char *name);

#endif
