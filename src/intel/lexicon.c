/*
 * lexicon.c - lure phrase groups; see lexicon.h.
 */
#include "intel/lexicon.h"

#include <glib.h>
#include <stdbool.h>
#include <hs/hs.h>
#include <string.h>

#include "intel/normalise.h"
#include "util/slice.h"
#include "util/readfile.h"

#define LEXICON_MAX_BYTES (4 * 1024 * 1024)

typedef struct phrase {
    int group;
    char *raw;
    char *folded;
} phrase_t;

static gint lex_gen; /* generations handed to lexicons */

struct lexicon {
    char *groups[LEXICON_MAX_GROUPS];
    int ngroups;
    GPtrArray *phrases; /* phrase_t* */
    hs_database_t *hs;
    guint gen; /* identifies this database to the per-thread scratch */
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
    if (l->hs)
        hs_free_database(l->hs);
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
    if (l->phrases->len) {
        guint n = l->phrases->len;
        const char **pats = g_new0(const char *, n);
        unsigned *flags = g_new0(unsigned, n), *ids = g_new0(unsigned, n);
        size_t *lens = g_new0(size_t, n);
        for (guint i = 0; i < n; i++) {
            phrase_t *x = l->phrases->pdata[i];
            pats[i] = x->folded;
            lens[i] = strlen(x->folded);
            ids[i] = i;
            flags[i] = 0; /* every position: the first may fail the word test */
        }
        hs_compile_error_t *ce = NULL;
        hs_error_t rc =
            hs_compile_lit_multi(pats, flags, ids, lens, n, HS_MODE_BLOCK, NULL, &l->hs, &ce);
        g_free(pats);
        g_free(flags);
        g_free(ids);
        g_free(lens);
        if (rc != HS_SUCCESS) {
            *err = g_strdup_printf("%s: Hyperscan: %s", fname, ce ? ce->message : "failed");
            hs_free_compile_error(ce);
            goto fail;
        }
    }
    l->gen = (guint)g_atomic_int_add(&lex_gen, 1) + 1;
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

static int on_match(unsigned int id, unsigned long long from, unsigned long long to,
                    unsigned int flags, void *ctx)
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

/* One scratch per thread, re-sized only when the database changes
 * (hs_alloc_scratch validates the whole database). */
static __thread hs_scratch_t *scratch;
static __thread guint scratch_gen;

void lexicon_scan_folded(const lexicon_t *l, const char *folded, lexicon_hits_t *out)
{
    memset(out, 0, sizeof *out);
    if (l == NULL || l->hs == NULL || folded == NULL || *folded == '\0')
        return;
    if ((scratch && scratch_gen == l->gen) || hs_alloc_scratch(l->hs, &scratch) == HS_SUCCESS) {
        scratch_gen = l->gen;
        scan_ctx_t c = {l, out, folded, strlen(folded)};
        hs_scan(l->hs, folded, (unsigned)strlen(folded), 0, scratch, on_match, &c);
    }
}

void lexicon_scan(const lexicon_t *l, const char *text, size_t max, lexicon_hits_t *out)
{
    memset(out, 0, sizeof *out);
    if (l == NULL || l->hs == NULL || text == NULL || *text == '\0')
        return;
    char *n = normalise_text_n(text, max, NULL);
    char *folded = g_utf8_casefold(n, -1);
    if ((scratch && scratch_gen == l->gen) || hs_alloc_scratch(l->hs, &scratch) == HS_SUCCESS) {
        scratch_gen = l->gen;
        scan_ctx_t c = {l, out, folded, strlen(folded)};
        hs_scan(l->hs, folded, (unsigned)strlen(folded), 0, scratch, on_match, &c);
    }
    g_free(folded);
    g_free(n);
}
