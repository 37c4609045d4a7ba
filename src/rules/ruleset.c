/*
 * ruleset.c - symbol definitions as data; see ruleset.h.
 */
#include "rules/ruleset.h"

#include <string.h>

#include "util/slice.h"
#include "util/readfile.h"

/* A symbols file is small; this bounds a mistaken or hostile one. */
#define RULESET_MAX_BYTES (4 * 1024 * 1024)

struct ruleset {
    GHashTable *by_name; /* name -> rule_def_t* (owned by list) */
    GPtrArray *list;
};

static void def_free(gpointer p)
{
    rule_def_t *d = p;
    g_free(d->name);
    g_free(d->group);
    g_free(d->en);
    g_free(d->ja);
    g_free(d);
}

static gint def_cmp(gconstpointer a, gconstpointer b)
{
    const rule_def_t *x = *(rule_def_t *const *)a, *y = *(rule_def_t *const *)b;
    int c = strcmp(x->group, y->group);
    return c ? c : strcmp(x->name, y->name);
}

static bool name_ok(slice_t s)
{
    if (s.n == 0 || s.n > 64)
        return false;
    for (size_t i = 0; i < s.n; i++)
        if (!(g_ascii_isupper(s.p[i]) || g_ascii_isdigit(s.p[i]) || s.p[i] == '_'))
            return false;
    return true;
}

ruleset_t *ruleset_parse(const char *name, const char *text, size_t len, char **err)
{
    ruleset_t *rs = g_new0(ruleset_t, 1);
    rs->by_name = g_hash_table_new(g_str_hash, g_str_equal);
    rs->list = g_ptr_array_new_with_free_func(def_free);
    rule_def_t *cur = NULL;
    slice_t rest = slice_make(text, len);
    unsigned lineno = 0;
    while (rest.n > 0) {
        slice_t line = slice_trim(slice_split(&rest, '\n'));
        lineno++;
        if (line.n == 0 || line.p[0] == '#')
            continue;
        if (line.p[0] == '[') {
            if (line.p[line.n - 1] != ']' || !name_ok(slice_make(line.p + 1, line.n - 2))) {
                *err = g_strdup_printf("%s:%u: expected [SYMBOL_NAME]", name, lineno);
                goto fail;
            }
            cur = g_new0(rule_def_t, 1);
            cur->name = g_strndup(line.p + 1, line.n - 2);
            cur->enabled = true;
            cur->group = g_strdup("misc");
            cur->en = g_strdup("");
            cur->ja = g_strdup("");
            if (!g_hash_table_insert(rs->by_name, cur->name, cur)) {
                *err = g_strdup_printf("%s:%u: %s defined twice", name, lineno, cur->name);
                def_free(cur);
                goto fail;
            }
            g_ptr_array_add(rs->list, cur);
            continue;
        }
        if (cur == NULL || slice_find(line, '=') < 0) {
            *err = g_strdup_printf("%s:%u: expected \"key = value\" inside a [SYMBOL] block", name,
                                   lineno);
            goto fail;
        }
        slice_t key = slice_trim(slice_split(&line, '='));
        char *val = slice_dup(slice_trim(line));
        if (!g_utf8_validate(val, -1, NULL)) {
            *err = g_strdup_printf("%s:%u: not UTF-8", name, lineno);
            g_free(val);
            goto fail;
        }
        if (slice_eq_ci(key, "weight")) {
            char *end = NULL;
            cur->weight = g_ascii_strtod(val, &end);
            bool bad = end == val || *end != '\0';
            g_free(val);
            if (bad) {
                *err = g_strdup_printf("%s:%u: weight is not a number", name, lineno);
                goto fail;
            }
        } else if (slice_eq_ci(key, "group")) {
            g_free(cur->group);
            cur->group = val;
        } else if (slice_eq_ci(key, "en")) {
            g_free(cur->en);
            cur->en = val;
        } else if (slice_eq_ci(key, "ja")) {
            g_free(cur->ja);
            cur->ja = val;
        } else if (slice_eq_ci(key, "enabled")) {
            cur->enabled = strcmp(val, "no") != 0 && strcmp(val, "false") != 0;
            g_free(val);
        } else {
            *err = g_strdup_printf("%s:%u: unknown key", name, lineno);
            g_free(val);
            goto fail;
        }
    }
    g_ptr_array_sort(rs->list, def_cmp);
    return rs;
fail:
    ruleset_free(rs);
    return NULL;
}

ruleset_t *ruleset_load(const char *path, char **err)
{
    size_t len = 0;
    char *text = readfile(path, RULESET_MAX_BYTES, &len, err);
    if (text == NULL)
        return NULL;
    ruleset_t *rs = ruleset_parse(path, text, len, err);
    g_free(text);
    return rs;
}

int ruleset_apply_conf(ruleset_t *rs, conf_t *c, char **err)
{
    for (const char *const *k = conf_keys(c); *k; k++) {
        if (!g_str_has_prefix(*k, "weight."))
            continue;
        rule_def_t *d = g_hash_table_lookup(rs->by_name, *k + 7);
        const char *v = conf_get(c, *k);
        char *end = NULL;
        double w = v ? g_ascii_strtod(v, &end) : 0;
        if (d == NULL || v == NULL || end == v || *end != '\0') {
            *err = g_strdup_printf("configuration: %s: %s", *k,
                                   d ? "not a number" : "no such symbol (see sesguard rules)");
            return -1;
        }
        d->weight = w;
    }
    static const char *const keys[] = {"disable", "enable"};
    for (size_t i = 0; i < G_N_ELEMENTS(keys); i++)
        for (const char *const *n = conf_get_list(c, keys[i]); *n; n++) {
            rule_def_t *d = g_hash_table_lookup(rs->by_name, *n);
            if (d == NULL) {
                *err = g_strdup_printf("configuration: %s: no such symbol \"%s\"", keys[i], *n);
                return -1;
            }
            d->enabled = i == 1;
        }
    return 0;
}

const rule_def_t *ruleset_get(const ruleset_t *rs, const char *name)
{
    return g_hash_table_lookup(rs->by_name, name);
}

const GPtrArray *ruleset_all(const ruleset_t *rs)
{
    return rs->list;
}

char *ruleset_explain(const rule_def_t *d, const char *lang, const char *a1, const char *a2)
{
    const char *t = (lang && strcmp(lang, "ja") == 0 && d->ja[0]) ? d->ja : d->en;
    GString *s = g_string_new(NULL);
    for (const char *p = t; *p; p++) {
        if (p[0] == '{' && (p[1] == '1' || p[1] == '2') && p[2] == '}') {
            const char *a = p[1] == '1' ? a1 : a2;
            g_string_append(s, a ? a : "");
            p += 2;
            continue;
        }
        g_string_append_c(s, *p);
    }
    return g_string_free(s, FALSE);
}

void ruleset_free(ruleset_t *rs)
{
    if (rs == NULL)
        return;
    g_hash_table_destroy(rs->by_name);
    g_ptr_array_unref(rs->list);
    g_free(rs);
}
