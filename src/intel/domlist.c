/*
 * domlist.c - domain sets; see domlist.h.
 */
#include "intel/domlist.h"

#include <glib.h>
#include <string.h>

#include "util/slice.h"
#include "util/readfile.h"

#define DOMLIST_MAX_BYTES (8 * 1024 * 1024)

struct domlist {
    GHashTable *exact; /* lower-case domain -> itself */
    GPtrArray *globs;  /* patterns with '*' */
};

domlist_t *domlist_parse(const char *text, size_t len)
{
    domlist_t *l = g_new0(domlist_t, 1);
    l->exact = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    l->globs = g_ptr_array_new_with_free_func(g_free);
    slice_t rest = slice_make(text, len);
    while (rest.n > 0) {
        slice_t line = slice_trim(slice_split(&rest, '\n'));
        if (line.n == 0 || line.p[0] == '#' || line.n > 253)
            continue;
        char *d = g_ascii_strdown(line.p, (gssize)line.n);
        if (strchr(d, '*'))
            g_ptr_array_add(l->globs, d);
        else
            g_hash_table_replace(l->exact, d, d);
    }
    return l;
}

domlist_t *domlist_load(const char *path, char **err)
{
    size_t len = 0;
    char *text = readfile(path, DOMLIST_MAX_BYTES, &len, err);
    if (text == NULL)
        return NULL;
    domlist_t *l = domlist_parse(text, len);
    g_free(text);
    return l;
}

/* '*' is any run of characters inside one label, never across a dot (at
 * least one character when it is the whole label). Without allocation:
 * every link's host goes through here for every pattern. */
static bool glob_match_at(const char *p, const char *h, bool label_start)
{
    for (;; p++, h++) {
        if (*p == '\0')
            return *h == '\0';
        if (*p == '*') {
            bool whole = label_start && (p[1] == '.' || p[1] == '\0');
            size_t run = strcspn(h, ".");
            for (size_t k = whole ? 1 : 0; k <= run; k++)
                if (glob_match_at(p + 1, h + k, false))
                    return true;
            return false;
        }
        if (*p != *h)
            return false;
        label_start = *p == '.';
    }
}

static bool glob_match(const char *pat, const char *host)
{
    return glob_match_at(pat, host, true);
}

const char *domlist_match(const domlist_t *l, const char *host)
{
    if (l == NULL || host == NULL || *host == '\0')
        return NULL;
    char *h = g_ascii_strdown(host, -1);
    const char *hit = NULL;
    for (const char *p = h; p && *p && hit == NULL;
         p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
        hit = g_hash_table_lookup(l->exact, p);
        for (guint i = 0; hit == NULL && i < l->globs->len; i++)
            if (glob_match(l->globs->pdata[i], p))
                hit = l->globs->pdata[i];
    }
    g_free(h);
    return hit;
}

unsigned domlist_count(const domlist_t *l)
{
    return g_hash_table_size(l->exact) + l->globs->len;
}

void domlist_free(domlist_t *l)
{
    if (l == NULL)
        return;
    g_hash_table_destroy(l->exact);
    g_ptr_array_unref(l->globs);
    g_free(l);
}
