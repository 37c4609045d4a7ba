/*
 * brand.c - brand names found in text, and the domains brands own; see
 * brand.h.
 */
#include "intel/brand.h"

#include <string.h>

#include "intel/domain.h"
#include "intel/litset.h"
#include "intel/normalise.h"
#include "util/slice.h"
#include "util/readfile.h"

#define BRAND_DB_MAX_BYTES (4 * 1024 * 1024)
#define BRAND_NAME_MAX     128

typedef struct bname {
    brand_t *b;
    char *raw;       /* as in the data, without '=' */
    char *norm;      /* normalise_text */
    char *folded;    /* casefold(norm) */
    char *skel;      /* skeleton, or NULL when too short to be safe */
    bool whole;      /* "=NAME": only a whole display name */
    bool exact_case; /* short upper-case Latin: compare norm, not folded */
    bool latin_start, latin_end;
    bool long_name; /* five characters or more: skeleton and squeezed forms are safe */
} bname_t;

struct brand_db {
    GPtrArray *brands;     /* brand_t* */
    GPtrArray *names;      /* bname_t* */
    GHashTable *by_domain; /* domain -> brand_t* */
    litset_t *lits;        /* folded names for bodies; id = index into names */
    litset_t *any;         /* every form a name is compared in (norm, folded,
                            * skeleton): which names can match a field */
};

static void brand_free(gpointer p)
{
    brand_t *b = p;
    g_free(b->id);
    g_free(b->category);
    g_strfreev(b->domains);
    g_free(b);
}

static void bname_free(gpointer p)
{
    bname_t *n = p;
    g_free(n->raw);
    g_free(n->norm);
    g_free(n->folded);
    g_free(n->skel);
    g_free(n);
}

static bool ascii_alnum(unsigned char c)
{
    return c < 0x80 && g_ascii_isalnum(c);
}

static bname_t *bname_new(brand_t *b, const char *spec)
{
    bname_t *n = g_new0(bname_t, 1);
    n->b = b;
    n->whole = spec[0] == '=';
    n->raw = g_strdup(spec + (n->whole ? 1 : 0));
    n->norm = normalise_text(n->raw, NULL);
    n->folded = g_utf8_casefold(n->norm, -1);
    size_t len = strlen(n->norm);
    bool upper = len > 0;
    for (size_t i = 0; i < len; i++)
        if (!(g_ascii_isupper(n->norm[i]) || g_ascii_isdigit(n->norm[i])))
            upper = false;
    n->exact_case = upper && len <= 4;
    n->long_name = g_utf8_strlen(n->folded, -1) >= 5;
    if (n->long_name)
        n->skel = normalise_skeleton(n->raw);
    n->latin_start = len > 0 && ascii_alnum((unsigned char)n->norm[0]);
    n->latin_end = len > 0 && ascii_alnum((unsigned char)n->norm[len - 1]);
    return n;
}

static void add_domain(brand_db_t *db, brand_t *b, const char *d)
{
    if (!g_hash_table_contains(db->by_domain, d))
        g_hash_table_insert(db->by_domain, g_strdup(d), b);
}

/* The literal set of the names' forms: `body` picks the folded forms that
 * bodies are searched for, otherwise every form a field is compared in. */
static litset_t *names_set(const brand_db_t *db, bool body, char **err)
{
    guint n = db->names->len;
    const char **pats = g_new0(const char *, (gsize)n * 3);
    unsigned *ids = g_new0(unsigned, (gsize)n * 3);
    unsigned k = 0;
    for (guint i = 0; i < n; i++) {
        bname_t *bn = db->names->pdata[i];
        if (body && (bn->whole || bn->exact_case))
            continue;
        const char *forms[] = {bn->folded, body ? NULL : bn->norm, body ? NULL : bn->skel};
        for (size_t f = 0; f < G_N_ELEMENTS(forms); f++) {
            if (forms[f] && forms[f][0]) {
                pats[k] = forms[f];
                ids[k] = i;
                k++;
            }
        }
    }
    char *e = NULL;
    litset_t *set = litset_new(pats, ids, k, &e);
    g_free(pats);
    g_free(ids);
    if (set == NULL) {
        *err = g_strdup_printf("brands: %s", e);
        g_free(e);
    }
    return set;
}

static int compile(brand_db_t *db, char **err)
{
    db->lits = names_set(db, true, err);
    if (db->lits == NULL)
        return -1;
    db->any = names_set(db, false, err);
    return db->any ? 0 : -1;
}

brand_db_t *brand_db_parse(const char *fname, const char *text, size_t len, char **err)
{
    brand_db_t *db = g_new0(brand_db_t, 1);
    db->brands = g_ptr_array_new_with_free_func(brand_free);
    db->names = g_ptr_array_new_with_free_func(bname_free);
    db->by_domain = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    brand_t *cur = NULL;
    slice_t rest = slice_make(text, len);
    unsigned lineno = 0;
    while (rest.n > 0) {
        slice_t line = slice_trim(slice_split(&rest, '\n'));
        lineno++;
        if (line.n == 0 || line.p[0] == '#')
            continue;
        if (line.p[0] == '[' && line.p[line.n - 1] == ']' && line.n > 2) {
            cur = g_new0(brand_t, 1);
            cur->id = g_strndup(line.p + 1, line.n - 2);
            cur->category = g_strdup("");
            cur->domains = g_new0(char *, 1);
            g_ptr_array_add(db->brands, cur);
            continue;
        }
        if (cur == NULL || slice_find(line, '=') < 0) {
            *err = g_strdup_printf("%s:%u: expected [brand] or \"key = value\"", fname, lineno);
            goto fail;
        }
        slice_t key = slice_trim(slice_split(&line, '='));
        char *val = slice_dup(slice_trim(line));
        if (!g_utf8_validate(val, -1, NULL)) {
            *err = g_strdup_printf("%s:%u: not UTF-8", fname, lineno);
            g_free(val);
            goto fail;
        }
        if (slice_eq_ci(key, "category")) {
            g_free(cur->category);
            cur->category = val;
            continue;
        }
        if (slice_eq_ci(key, "names")) {
            gchar **parts = g_strsplit(val, "|", -1);
            for (gchar **p = parts; *p; p++) {
                char *nm = g_strstrip(*p);
                if (*nm == '\0' || strlen(nm) > BRAND_NAME_MAX)
                    continue;
                g_ptr_array_add(db->names, bname_new(cur, nm));
            }
            g_strfreev(parts);
        } else if (slice_eq_ci(key, "domains")) {
            gchar **parts = g_strsplit_set(val, " \t,", -1);
            GPtrArray *d = g_ptr_array_new();
            for (char **old = cur->domains; *old; old++)
                g_ptr_array_add(d, *old);
            g_free(cur->domains);
            for (gchar **p = parts; *p; p++)
                if (**p) {
                    char *low = g_ascii_strdown(*p, -1);
                    g_ptr_array_add(d, low);
                    add_domain(db, cur, low);
                }
            g_ptr_array_add(d, NULL);
            cur->domains = (char **)g_ptr_array_free(d, FALSE);
            g_strfreev(parts);
        } else {
            *err = g_strdup_printf("%s:%u: unknown key", fname, lineno);
            g_free(val);
            goto fail;
        }
        g_free(val);
    }
    if (compile(db, err) != 0)
        goto fail;
    return db;
fail:
    brand_db_free(db);
    return NULL;
}

brand_db_t *brand_db_load(const char *path, char **err)
{
    size_t len = 0;
    char *text = readfile(path, BRAND_DB_MAX_BYTES, &len, err);
    if (text == NULL)
        return NULL;
    brand_db_t *db = brand_db_parse(path, text, len, err);
    g_free(text);
    return db;
}

void brand_db_free(brand_db_t *db)
{
    if (db == NULL)
        return;
    litset_free(db->lits);
    litset_free(db->any);
    g_hash_table_destroy(db->by_domain);
    g_ptr_array_unref(db->names);
    g_ptr_array_unref(db->brands);
    g_free(db);
}

unsigned brand_db_count(const brand_db_t *db)
{
    return db->brands->len;
}

const char *brand_name_at(const brand_db_t *db, const brand_t *b, unsigned i)
{
    for (guint k = 0; k < db->names->len; k++) {
        const bname_t *n = db->names->pdata[k];
        if (n->b == b && i-- == 0)
            return n->raw;
    }
    return NULL;
}

const GPtrArray *brand_all(const brand_db_t *db)
{
    return db->brands;
}

bool brand_owns(const brand_t *b, const char *host)
{
    if (host == NULL)
        return false;
    for (char **d = b->domains; *d; d++)
        if (domain_is_within(host, *d))
            return true;
    return false;
}

const brand_t *brand_of_domain(const brand_db_t *db, const char *host)
{
    if (host == NULL)
        return NULL;
    for (const char *p = host; p; p = strchr(p, '.') ? strchr(p, '.') + 1 : NULL) {
        const brand_t *b = g_hash_table_lookup(db->by_domain, p);
        if (b)
            return b;
    }
    return NULL;
}

/* ---- matching ---- */

static bool bounded(const bname_t *n, const char *hay, const char *at, size_t len)
{
    if (n->latin_start && at > hay && ascii_alnum((unsigned char)at[-1]))
        return false;
    if (n->latin_end && ascii_alnum((unsigned char)at[len]))
        return false;
    return true;
}

static bool contains(const bname_t *n, const char *hay, const char *needle)
{
    size_t len = strlen(needle);
    if (len == 0)
        return false;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        if (bounded(n, hay, p, len))
            return true;
    return false;
}

/* Join runs of three or more one-character tokens: "c o i n b a s e" and
 * "p.a.y.p.a.l" become "coinbase" and "paypal"; other words stay apart. */
static bool squeeze_sep(gunichar c)
{
    return g_unichar_isspace(c) || c == '.' || c == '-' || c == '_' || c == 0xb7 || c == 0x30fb ||
           c == '|' || c == '/';
}

static char *squeeze(const char *folded)
{
    GPtrArray *toks = g_ptr_array_new_with_free_func(g_free);
    const char *start = NULL;
    for (const char *p = folded;; p = g_utf8_next_char(p)) {
        gunichar c = *p ? g_utf8_get_char(p) : 0;
        if (c == 0 || squeeze_sep(c)) {
            if (start)
                g_ptr_array_add(toks, g_strndup(start, (gsize)(p - start)));
            start = NULL;
            if (c == 0)
                break;
        } else if (start == NULL) {
            start = p;
        }
    }
    GString *out = g_string_new(NULL);
    guint n = toks->len;
    for (guint i = 0; i < n;) {
        guint j = i;
        while (j < n && g_utf8_strlen(toks->pdata[j], -1) == 1)
            j++;
        if (j - i >= 3) {
            if (out->len)
                g_string_append_c(out, ' ');
            for (guint k = i; k < j; k++)
                g_string_append(out, toks->pdata[k]);
            i = j;
        } else {
            if (out->len)
                g_string_append_c(out, ' ');
            g_string_append(out, toks->pdata[i]);
            i++;
        }
    }
    g_ptr_array_unref(toks);
    return g_string_free(out, FALSE);
}

static bool add_hit(brand_hit_t *hits, unsigned *count, unsigned max, const bname_t *n,
                    const char *how)
{
    for (unsigned i = 0; i < *count; i++)
        if (hits[i].brand == n->b) {
            if (strlen(n->raw) > strlen(hits[i].name)) {
                hits[i].name = n->raw;
                hits[i].how = how;
            }
            return true;
        }
    if (*count >= max)
        return false;
    hits[*count] = (brand_hit_t){n->b, n->raw, how};
    (*count)++;
    return true;
}

typedef struct match_ctx {
    const brand_db_t *db;
    const char *hay;
    size_t hay_len;
    brand_hit_t *hits;
    unsigned *count;
    unsigned max;
} match_ctx_t;

static int on_lit(unsigned id, size_t end, void *ctx)
{
    match_ctx_t *c = ctx;
    const bname_t *n = c->db->names->pdata[id];
    size_t len = strlen(n->folded);
    if (end < len || end > c->hay_len)
        return 0;
    const char *at = c->hay + (end - len);
    if (bounded(n, c->hay, at, len))
        add_hit(c->hits, c->count, c->max, n, "text");
    return 0;
}

/* Scripts without case (CaseFolding.txt maps nothing in them): kana, CJK
 * ideographs and their punctuation, Hangul syllables. Japanese text is
 * mostly these, and copying them beats GLib's per-character fold. */
static bool caseless(gunichar c)
{
    return (c >= 0x3000 && c <= 0x30FF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0xAC00 && c <= 0xD7A3);
}

/* g_utf8_casefold(s), faster on ASCII and caseless scripts; s is valid
 * UTF-8 (normalise_text_n's output). */
static char *casefold(const char *s, size_t n)
{
    GString *o = g_string_sized_new(n + 1);
    const char *p = s, *end = s + n;
    while (p < end) {
        unsigned char b = (unsigned char)*p;
        if (b < 0x80) {
            g_string_append_c(o, g_ascii_tolower((char)b));
            p++;
            continue;
        }
        const char *next = g_utf8_next_char(p);
        if (next > end)
            next = end;
        if (caseless(g_utf8_get_char(p))) {
            g_string_append_len(o, p, next - p);
        } else {
            char *f = g_utf8_casefold(p, next - p);
            g_string_append(o, f);
            g_free(f);
        }
        p = next;
    }
    return g_string_free(o, FALSE);
}

char *brand_fold_text(const char *text)
{
    size_t n = strlen(text);
    if (n > BRAND_TEXT_MAX) {
        n = BRAND_TEXT_MAX;
        while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
            n--;
    }
    char *cut = g_strndup(text, n);
    char *norm = normalise_text_n(cut, BRAND_TEXT_MAX, NULL);
    size_t nl = strlen(norm);
    bool ascii = true;
    for (size_t i = 0; i < nl && ascii; i++)
        ascii = (unsigned char)norm[i] < 0x80;
    /* case folding ASCII is lower-casing it */
    char *folded = ascii ? g_ascii_strdown(norm, (gssize)nl) : casefold(norm, nl);
    g_free(norm);
    g_free(cut);
    return folded;
}

unsigned brand_find_folded(const brand_db_t *db, const char *folded, brand_hit_t *hits,
                           unsigned max)
{
    unsigned count = 0;
    if (folded == NULL || max == 0)
        return 0;
    match_ctx_t c = {db, folded, strlen(folded), hits, &count, max};
    litset_scan(db->lits, folded, c.hay_len, on_lit, &c);
    return count;
}

static int mark_candidate(unsigned id, size_t end, void *ctx)
{
    ((guint8 *)ctx)[id] = 1;
    return 0;
}

unsigned brand_find(const brand_db_t *db, const char *text, brand_field_t field, brand_hit_t *hits,
                    unsigned max)
{
    unsigned count = 0;
    if (text == NULL || *text == '\0' || max == 0)
        return 0;
    if (field == BRAND_FIELD_TEXT) {
        char *folded = brand_fold_text(text);
        count = brand_find_folded(db, folded, hits, max);
        g_free(folded);
        return count;
    }
    char *norm = normalise_text(text, NULL);
    char *folded = g_utf8_casefold(norm, -1);
    char *skel = normalise_skeleton(text);
    char *sq = squeeze(folded);
    char *normfold_whole = g_strstrip(g_strdup(folded));
    /* A name can only match where one of its forms occurs in one of the
     * field's forms: one literal pass finds those names, and only they go
     * through the comparisons below (in list order, as before). */
    guint8 *cand = g_new0(guint8, db->names->len);
    const char *const hays[] = {norm, folded, skel, sq};
    for (size_t i = 0; i < G_N_ELEMENTS(hays); i++)
        if (litset_scan(db->any, hays[i], strlen(hays[i]), mark_candidate, cand) != 0)
            memset(cand, 1, db->names->len); /* no scratch: compare them all */
    for (guint i = 0; i < db->names->len; i++) {
        if (!cand[i])
            continue;
        const bname_t *n = db->names->pdata[i];
        if (n->whole) {
            if (field == BRAND_FIELD_NAME &&
                (strcmp(normfold_whole, n->folded) == 0 ||
                 (n->exact_case && strcmp(g_strstrip(norm), n->norm) == 0)))
                add_hit(hits, &count, max, n, "text");
            continue;
        }
        if (n->exact_case) {
            if (contains(n, norm, n->norm))
                add_hit(hits, &count, max, n, "text");
            continue;
        }
        if (contains(n, folded, n->folded))
            add_hit(hits, &count, max, n, "text");
        else if (n->skel && contains(n, skel, n->skel))
            add_hit(hits, &count, max, n, "skeleton");
        else if (n->long_name && contains(n, sq, n->folded))
            add_hit(hits, &count, max, n, "squeezed");
    }
    g_free(cand);
    g_free(normfold_whole);
    g_free(sq);
    g_free(skel);
    g_free(folded);
    g_free(norm);
    return count;
}
