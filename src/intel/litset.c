/*
 * litset.c - literal multi-pattern search through Hyperscan; see litset.h.
 */
#include "intel/litset.h"

#include <glib.h>
#include <hs/hs.h>
#include <stdbool.h>
#include <string.h>

#include "util/cache.h"
#include "util/hscache.h"

struct litset {
    hs_database_t *db; /* NULL for an empty set */
    guint gen;
};

static gint generations;
/* One scratch per thread serves every set: hs_alloc_scratch() grows it to
 * fit each new database and it stays valid for the earlier ones. The
 * generations it has been fitted to are remembered so that the (costly,
 * validating) call happens once per thread and set, not once per scan. */
#define FITTED_MAX 32
static __thread hs_scratch_t *scratch;
static __thread guint fitted[FITTED_MAX];
static __thread unsigned n_fitted;

static bool scratch_fits(guint gen)
{
    for (unsigned i = 0; i < n_fitted; i++) {
        if (fitted[i] == gen)
            return true;
    }
    return false;
}

/* Compiling a set costs milliseconds (a fifth of sesguard mail's start-up
 * for the brand and phrase sets); a compiled set is cached (util/hscache.h)
 * under the Hyperscan version, the CPU features it targets and every
 * literal and id. */
static char *set_cache_path(const char *const *lits, const unsigned *ids, unsigned n)
{
    GChecksum *ck = hscache_key_new();
    for (unsigned i = 0; i < n; i++) {
        char head[32];
        int hl = g_snprintf(head, sizeof head, "\n%u %zu ", ids[i], strlen(lits[i]));
        g_checksum_update(ck, (const guchar *)head, hl);
        g_checksum_update(ck, (const guchar *)lits[i], (gssize)strlen(lits[i]));
    }
    char *path = cache_path("lit", ck, "hsdb");
    g_checksum_free(ck);
    return path;
}

litset_t *litset_new(const char *const *lits, const unsigned *ids, unsigned n, char **err)
{
    litset_t *s = g_new0(litset_t, 1);
    s->gen = (guint)g_atomic_int_add(&generations, 1) + 1;
    if (n == 0)
        return s;
    char *cpath = set_cache_path(lits, ids, n);
    if ((s->db = hscache_load(cpath)) != NULL) {
        g_free(cpath);
        return s;
    }
    unsigned *flags = g_new0(unsigned, n);
    size_t *lens = g_new0(size_t, n);
    for (unsigned i = 0; i < n; i++)
        lens[i] = strlen(lits[i]);
    hs_compile_error_t *ce = NULL;
    hs_error_t rc =
        hs_compile_lit_multi(lits, flags, ids, lens, n, HS_MODE_BLOCK, NULL, &s->db, &ce);
    g_free(flags);
    g_free(lens);
    if (rc != HS_SUCCESS) {
        *err = g_strdup_printf("Hyperscan: %s", ce ? ce->message : "compile failed");
        hs_free_compile_error(ce);
        g_free(cpath);
        g_free(s);
        return NULL;
    }
    hscache_store(cpath, s->db);
    g_free(cpath);
    return s;
}

typedef struct scan_ctx {
    litset_match_fn fn;
    void *ctx;
} scan_ctx_t;

static int on_hs(unsigned int id, unsigned long long from, unsigned long long to,
                 unsigned int flags, void *ctx)
{
    scan_ctx_t *c = ctx;
    return c->fn(id, (size_t)to, c->ctx);
}

int litset_scan(const litset_t *s, const char *text, size_t len, litset_match_fn on_match,
                void *ctx)
{
    if (s == NULL || s->db == NULL || len == 0)
        return 0;
    if (scratch == NULL || !scratch_fits(s->gen)) {
        if (hs_alloc_scratch(s->db, &scratch) != HS_SUCCESS)
            return -1;
        if (n_fitted == FITTED_MAX)
            n_fitted = 0; /* forget old sets; they are only re-fitted */
        fitted[n_fitted++] = s->gen;
    }
    scan_ctx_t c = {on_match, ctx};
    hs_scan(s->db, text, (unsigned)MIN(len, (size_t)G_MAXUINT), 0, scratch, on_hs, &c);
    return 0;
}

void litset_free(litset_t *s)
{
    if (s == NULL)
        return;
    if (s->db)
        hs_free_database(s->db);
    g_free(s);
}
