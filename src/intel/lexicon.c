/*
 * lexicon.c - lure phrase groups; see lexicon.h.
 */
#include "intel/lexicon.h"

#include <glib.h>
#include <stdbool.h>
#include <string.h>

#include "intel/litset.h"
#include "intel/normalise.h"
#include "util/slice.h"
#include "util/readfile.h"

#define LEXICON_MAX_BYTES (4 * 1024 * 1024)

typedef struct phrase {
    int group;
    char *raw;
    char *folded;
} phrase_t;

struct lexicon {
    char *groups[LEXICON_MAX_GROUPS];
    int ngroups;
    GPtrArray *phrases; /* phrase_t* */
    litset_t *lits;
};

static void phrase_free(gpointer p)
{
    phrase_t *ph = p;
    g_free(ph->raw);
    g_free(ph->folded);
    g_free(ph);
}

void lexicon_free(lexicon_t *l)
{
    if (l == NULL)
        return;
    for (int i = 0; i < l->ngroups; i++)
        g_free(l->groups[i]);
    litset_free(l->lits);
    g_ptr_array_unref(l->phrases);
    g_free(l);
}

int lexicon_group(const lexicon_t *l, const char *name)
{
    for (int i = 0; i < l->ngroups; i++)
        if (strcmp(l->groups[i], name) == 0)
            return i;
    return -1;
}

lexicon_t *lexicon_parse(const char *fname, const char *text, size_t len, char **err)
{
    lexicon_t *l = g_new0(lexicon_t, 1);
    l->phrases = g_ptr_array_new_with_free_func(phrase_free);
    int cur = -1;
    slice_t rest = slice_make(text, len);
    unsigned lineno = 0;
    while (rest.n > 0) {
        slice_t line = slice_trim(slice_split(&rest, '\n'));
        lineno++;
        if (line.n == 0 || line.p[0] == '#')
            continue;
        if (line.p[0] == '[' && line.p[line.n - 1] == ']' && line.n > 2) {
            if (l->ngroups >= LEXICON_MAX_GROUPS) {
                *err = g_strdup_printf("%s:%u: more than %d groups", fname, lineno,
                                       LEXICON_MAX_GROUPS);
                goto fail;
            }
            l->groups[l->ngroups] = g_strndup(line.p + 1, line.n - 2);
            cur = l->ngroups++;
            continue;
        }
        if (cur < 0 || slice_find(line, '=') < 0) {
            *err = g_strdup_printf("%s:%u: expected [group] or \"lang = phrase | phrase\"", fname,
                                   lineno);
            goto fail;
        }
        slice_split(&line, '=');
        char *val = slice_dup(slice_trim(line));
        if (!g_utf8_validate(val, -1, NULL)) {
            *err = g_strdup_printf("%s:%u: not UTF-8", fname, lineno);
            g_free(val);
            goto fail;
        }
        gchar **parts = g_strsplit(val, "|", -1);
        for (gchar **p = parts; *p; p++) {
            char *ph = g_strstrip(*p);
            if (*ph == '\0')
                continue;
            phrase_t *x = g_new0(phrase_t, 1);
            x->group = cur;
            x->raw = g_strdup(ph);
            char *n = normalise_text(ph, NULL);
            x->folded = g_utf8_casefold(n, -1);
            g_free(n);
            g_ptr_array_add(l->phrases, x);
        }
        g_strfreev(parts);
        g_free(val);
    }
    guint n = l->phrases->len;
    const char **pats = g_new0(const char *, n + 1);
    unsigned *ids = g_new0(unsigned, n + 1);
    for (guint i = 0; i < n; i++) {
        pats[i] = ((phrase_t *)l->phrases->pdata[i])->folded;
        ids[i] = i;
    }
    char *e = NULL;
    l->lits = litset_new(pats, ids, n, &e);
    g_free(pats);
    g_free(ids);
    if (l->lits == NULL) {
        *err = g_strdup_printf("%s: %s", fname, e);
        g_free(e);
        goto fail;
    }
    return l;
fail:
    lexicon_free(l);
    return NULL;
}

lexicon_t *lexicon_load(const char *path, char **err)
{
    size_t len = 0;
    char *text = readfile(path, LEXICON_MAX_BYTES, &len, err);
    if (text == NULL)
        return NULL;
    lexicon_t *l = lexicon_parse(path, text, len, err);
    g_free(text);
    return l;
}

typedef struct scan_ctx {
    const lexicon_t *l;
    lexicon_hits_t *out;
    const char *hay;
    size_t hay_len;
} scan_ctx_t;

static bool alnum(unsigned char c)
{
    return c < 0x80 && g_ascii_isalnum(c);
}

static int on_match(unsigned id, size_t to, void *ctx)
{
    scan_ctx_t *c = ctx;
    const phrase_t *x = c->l->phrases->pdata[id];
    size_t n = strlen(x->folded);
    if (to < n || to > c->hay_len)
        return 0;
    /* Latin phrases match whole words only: "locked" is not in "blocked" */
    const char *at = c->hay + (to - n);
    if (alnum((unsigned char)x->folded[0]) && at > c->hay && alnum((unsigned char)at[-1]))
        return 0;
    if (alnum((unsigned char)x->folded[n - 1]) && alnum((unsigned char)at[n]))
        return 0;
    c->out->count[x->group]++;
    if (c->out->first[x->group] == NULL)
        c->out->first[x->group] = x->raw;
    return 0;
}

void lexicon_scan_folded(const lexicon_t *l, const char *folded, lexicon_hits_t *out)
{
    memset(out, 0, sizeof *out);
    if (l == NULL || folded == NULL || *folded == '\0')
        return;
    scan_ctx_t c = {l, out, folded, strlen(folded)};
    litset_scan(l->lits, folded, c.hay_len, on_match, &c);
}

void lexicon_scan(const lexicon_t *l, const char *text, size_t max, lexicon_hits_t *out)
{
    memset(out, 0, sizeof *out);
    if (l == NULL || text == NULL || *text == '\0')
        return;
    char *n = normalise_text_n(text, max, NULL);
    char *folded = g_utf8_casefold(n, -1);
    lexicon_scan_folded(l, folded, out);
    g_free(folded);
    g_free(n);
}
