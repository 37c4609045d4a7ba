/*
 * keywalk.c - d_type directory walk; see keywalk.h.
 */
#include "keys/keywalk.h"

#include <dirent.h>
#include <errno.h>
#include <glib.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>

#include "util/fswalk.h"

typedef struct walk {
    const keywalk_opts_t *o;
    GHashTable *seen; /* "dev:ino" */
    GString *path;
    int errors;
    int stop;
} walk_t;

static void report(walk_t *w, int errnum)
{
    w->errors++;
    if (w->o->on_error)
        w->o->on_error(w->path->str, errnum, w->o->ctx);
}

static void walk_dir(walk_t *w, int depth);

/* w->path names a directory entry of type t (DT_*); dispatch on it. */
static void visit(walk_t *w, unsigned char t, int depth)
{
    if (t == DT_LNK || t == DT_UNKNOWN) {
        struct stat st;
        if (stat(w->path->str, &st) != 0) {
            report(w, errno);
            return;
        }
        t = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
    }
    if (t == DT_REG && w->o->on_file)
        w->stop = w->o->on_file(w->path->str, w->o->ctx);
    else if (t == DT_DIR)
        walk_dir(w, depth);
}

static void walk_dir(walk_t *w, int depth)
{
    if (depth >= FSWALK_MAX_DEPTH) {
        report(w, ELOOP);
        return;
    }
    DIR *d = opendir(w->path->str);
    if (d == NULL) {
        report(w, errno);
        return;
    }
    struct stat st;
    if (fstat(dirfd(d), &st) != 0) {
        report(w, errno);
        closedir(d);
        return;
    }
    char *key = g_strdup_printf("%ju:%ju", (uintmax_t)st.st_dev, (uintmax_t)st.st_ino);
    if (!g_hash_table_add(w->seen, key)) {
        closedir(d); /* entered before: a loop or a second link to it */
        return;
    }
    size_t base = w->path->len;
    struct dirent *e;
    while (!w->stop && (errno = 0, e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
            continue;
        g_string_truncate(w->path, base);
        if (base == 0 || w->path->str[base - 1] != '/')
            g_string_append_c(w->path, '/');
        g_string_append(w->path, name);
        if (w->path->len >= PATH_MAX) {
            report(w, ENAMETOOLONG);
            continue;
        }
        if (e->d_type == DT_DIR || e->d_type == DT_LNK || e->d_type == DT_UNKNOWN) {
            /* a skip decision needs the parent and the name separately */
            char *dir = g_strndup(w->path->str, base);
            bool skip = false;
            if (w->o->skip_dir &&
                (e->d_type == DT_DIR || g_file_test(w->path->str, G_FILE_TEST_IS_DIR)))
                skip = w->o->skip_dir(dir, name, w->o->ctx);
            g_free(dir);
            if (skip)
                continue;
        }
        visit(w, e->d_type, depth + 1);
    }
    if (errno != 0 && !w->stop) {
        g_string_truncate(w->path, base);
        report(w, errno);
    }
    g_string_truncate(w->path, base);
    closedir(d);
}

int keywalk(const char *root, const keywalk_opts_t *opts)
{
    walk_t w = {opts, g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                g_string_new(root), 0, 0};
    visit(&w, DT_UNKNOWN, 0);
    g_hash_table_destroy(w.seen);
    g_string_free(w.path, TRUE);
    return w.stop ? w.stop : w.errors;
}
