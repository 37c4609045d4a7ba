/*
 * conf.c - configuration file parser; see conf.h.
 */
#include "util/conf.h"

#include <glib.h>
#include <string.h>

#include "util/slice.h"
#include "util/readfile.h"

struct conf {
    GHashTable *values; /* key -> GPtrArray of char* */
    GHashTable *lists;  /* key -> GStrv cache for conf_get_list */
    GPtrArray *keys;
};

static void free_ptr_array(gpointer p)
{
    g_ptr_array_unref(p);
}

conf_t *conf_new(void)
{
    conf_t *c = g_new0(conf_t, 1);
    c->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, free_ptr_array);
    c->lists = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_strfreev);
    c->keys = g_ptr_array_new_with_free_func(g_free);
    return c;
}

void conf_free(conf_t *c)
{
    if (c == NULL)
        return;
    g_hash_table_destroy(c->values);
    g_hash_table_destroy(c->lists);
    g_ptr_array_unref(c->keys);
    g_free(c);
}

void conf_add(conf_t *c, const char *key, const char *value)
{
    GPtrArray *a = g_hash_table_lookup(c->values, key);
    if (a == NULL) {
        a = g_ptr_array_new_with_free_func(g_free);
        g_hash_table_insert(c->values, g_strdup(key), a);
    }
    g_ptr_array_add(a, g_strdup(value));
    g_hash_table_remove(c->lists, key);
}

static bool key_ok(slice_t k)
{
    if (k.n == 0)
        return false;
    for (size_t i = 0; i < k.n; i++) {
        char ch = k.p[i];
        if (!(g_ascii_isalnum(ch) || ch == '_' || ch == '.' || ch == '-'))
            return false;
    }
    return true;
}

int conf_load_text(conf_t *c, const char *name, const char *text, size_t len, char **err)
{
    GPtrArray *pending = g_ptr_array_new_with_free_func(g_free);
    slice_t rest = slice_make(text, len);
    unsigned lineno = 0;
    while (rest.n > 0) {
        slice_t line = slice_split(&rest, '\n');
        lineno++;
        line = slice_trim(line);
        if (line.n == 0 || line.p[0] == '#')
            continue;
        if (memchr(line.p, '\0', line.n) != NULL) {
            *err = g_strdup_printf("%s:%u: NUL byte in line", name, lineno);
            goto fail;
        }
        bool has_eq = slice_find(line, '=') >= 0;
        slice_t key = slice_trim(slice_split(&line, '='));
        if (!has_eq || !key_ok(key)) {
            *err = g_strdup_printf("%s:%u: expected \"key = value\"", name, lineno);
            goto fail;
        }
        g_ptr_array_add(pending, slice_dup(key));
        g_ptr_array_add(pending, slice_dup(slice_trim(line)));
    }
    for (guint i = 0; i + 1 < pending->len; i += 2)
        conf_add(c, pending->pdata[i], pending->pdata[i + 1]);
    g_ptr_array_unref(pending);
    return 0;
fail:
    g_ptr_array_unref(pending);
    return -1;
}

int conf_load_file(conf_t *c, const char *path, char **err)
{
    size_t len = 0;
    char *text = readfile(path, CONF_MAX_BYTES, &len, err);
    if (text == NULL)
        return -1;
    int rc = conf_load_text(c, path, text, len, err);
    g_free(text);
    return rc;
}

const char *conf_get(const conf_t *c, const char *key)
{
    GPtrArray *a = g_hash_table_lookup(c->values, key);
    return (a && a->len) ? a->pdata[a->len - 1] : NULL;
}

const char *const *conf_get_list(conf_t *c, const char *key)
{
    gchar **cached = g_hash_table_lookup(c->lists, key);
    if (cached)
        return (const char *const *)cached;
    GPtrArray *out = g_ptr_array_new();
    GPtrArray *a = g_hash_table_lookup(c->values, key);
    for (guint i = 0; a && i < a->len; i++) {
        gchar **words = g_strsplit_set(a->pdata[i], " \t,", -1);
        for (gchar **w = words; *w; w++)
            if (**w)
                g_ptr_array_add(out, g_strdup(*w));
        g_strfreev(words);
    }
    g_ptr_array_add(out, NULL);
    gchar **list = (gchar **)g_ptr_array_free(out, FALSE);
    g_hash_table_insert(c->lists, g_strdup(key), list);
    return (const char *const *)list;
}

void conf_resolve_paths(conf_t *c, const char *key, const char *base_dir)
{
    GPtrArray *a = g_hash_table_lookup(c->values, key);
    for (guint i = 0; a && i < a->len; i++) {
        gchar **words = g_strsplit_set(a->pdata[i], " \t,", -1);
        GString *out = g_string_new(NULL);
        for (gchar **w = words; *w; w++) {
            if (**w == '\0')
                continue;
            if (out->len)
                g_string_append_c(out, ' ');
            if (g_path_is_absolute(*w)) {
                g_string_append(out, *w);
            } else {
                char *p = g_build_filename(base_dir, *w, NULL);
                g_string_append(out, p);
                g_free(p);
            }
        }
        g_strfreev(words);
        g_free(a->pdata[i]);
        a->pdata[i] = g_string_free(out, FALSE);
    }
    g_hash_table_remove(c->lists, key);
}

bool conf_get_bool(const conf_t *c, const char *key, bool dflt)
{
    const char *v = conf_get(c, key);
    if (v == NULL)
        return dflt;
    return g_ascii_strcasecmp(v, "yes") == 0 || g_ascii_strcasecmp(v, "true") == 0 ||
           strcmp(v, "1") == 0 || g_ascii_strcasecmp(v, "on") == 0;
}

static gint cmp_strp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

const char *const *conf_keys(conf_t *c)
{
    g_ptr_array_set_size(c->keys, 0);
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, c->values);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_ptr_array_add(c->keys, g_strdup(k));
    g_ptr_array_sort(c->keys, cmp_strp);
    g_ptr_array_add(c->keys, NULL);
    return (const char *const *)c->keys->pdata;
}
