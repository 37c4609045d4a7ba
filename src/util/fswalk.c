/*
 * fswalk.c - recursive file walk; see fswalk.h.
 */
#include "util/fswalk.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <glib.h>
#include <string.h>

struct walk {
    const fswalk_opts_t *o;
    GHashTable *seen; /* "dev:ino" of directories entered */
    int errors;
};

static void report(struct walk *w, const char *path, int errnum)
{
    w->errors++;
    if (w->o->on_error)
        w->o->on_error(path, errnum, w->o->ctx);
}

static int walk_path(struct walk *w, const char *path, int depth);

static int walk_dir(struct walk *w, const char *path, const struct stat *st, int depth)
{
    char *key = g_strdup_printf("%ju:%ju", (uintmax_t)st->st_dev, (uintmax_t)st->st_ino);
    if (!g_hash_table_add(w->seen, key))
        return 0; /* already walked: a loop or a second link to it */
    if (depth >= FSWALK_MAX_DEPTH) {
        report(w, path, ELOOP);
        return 0;
    }
    struct dirent **names = NULL;
    int n = scandir(path, &names, NULL, alphasort);
    if (n < 0) {
        report(w, path, errno);
        return 0;
    }
    int rc = 0;
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        if (rc == 0 && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
            char *child = g_build_filename(path, name, NULL);
            struct stat cst;
            bool is_dir = stat(child, &cst) == 0 && S_ISDIR(cst.st_mode);
            if (!(is_dir && w->o->skip_dir && w->o->skip_dir(path, name, w->o->ctx)))
                rc = walk_path(w, child, depth + 1);
            g_free(child);
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

static int walk_path(struct walk *w, const char *path, int depth)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        report(w, path, errno);
        return 0;
    }
    if (S_ISDIR(st.st_mode))
        return walk_dir(w, path, &st, depth);
    if (S_ISREG(st.st_mode) && w->o->on_file)
        return w->o->on_file(path, &st, w->o->ctx);
    return 0;
}

int fswalk(const char *path, const fswalk_opts_t *opts)
{
    struct walk w = {opts, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL), 0};
    int rc = walk_path(&w, path, 0);
    g_hash_table_destroy(w.seen);
    return rc != 0 ? rc : w.errors;
}
