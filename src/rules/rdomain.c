/*
 * rdomain.c - domains that imitate: look-alikes of brand domains and of
 * our own, brand names inside unrelated domains, deceptive IDNs.
 *
 * Candidates are the From and Reply-To domains and the hosts of links a
 * reader can follow (anchors, forms, plain-text URLs; not images), at
 * most RDOMAIN_MAX_HOSTS distinct ones. For each candidate that no brand
 * owns, its registrable domain's first label is compared with every brand
 * domain's label:
 *   - same UTS #39 skeleton but different spelling (paypa1, rnicrosoft),
 *     or the same after folding typo-squatting edits (amaz0n, paypall,
 *     pay-pal) -> LOOKALIKE_DOMAIN;
 *   - a brand label as a whole word of the host (amazon-co-jp.verify.top)
 *     or, for labels of six letters or more, inside a label
 *     (paypalsecure.com) -> BRAND_IN_DOMAIN;
 *   - an IDN whose Unicode form mixes scripts or whose skeleton is a brand
 *     label -> IDN_DECEPTIVE.
 * The organisation's own domains (own_domains) get the same look-alike
 * test with a slightly wider edit distance -> LOOKALIKE_OWN_DOMAIN.
 * Generic labels (mail, online, secure, ...) are never brand labels.
 */
#include <string.h>

#include "intel/domain.h"
#include "intel/normalise.h"
#include "rules/rules.h"

#define RDOMAIN_MAX_HOSTS 30
#define RDOMAIN_MIN_LABEL 4

/* Brand labels searched for inside other labels. */
#define RDOMAIN_MIN_INSIDE 6

typedef struct dindex {
    GHashTable *labels; /* label -> brand_t* */
    GHashTable *skels;  /* skeleton(label) -> label (owned by labels) */
    GHashTable *typos;  /* typo_fold(label) -> label (owned by labels) */
    /* labels of RDOMAIN_MIN_INSIDE letters or more, numbered in the order
     * of the labels table; by_prefix maps their first RDOMAIN_MIN_INSIDE
     * bytes to a GArray of those numbers */
    const char **inside;
    brand_t **inside_brand;
    unsigned n_inside;
    GHashTable *by_prefix;
} dindex_t;

/* Fold the edits typo-squatters make: digits for letters (amaz0n,
 * paypa1), doubled letters (amazzon, paypall), hyphens (pay-pal), i/l
 * swaps. Two labels with the same fold and different spellings are one
 * typo apart in the way that fools a reader; plain one-letter distance
 * would also match unrelated words (zanshin/hanshin). */
static char *typo_fold(const char *label)
{
    GString *o = g_string_new(NULL);
    for (const char *p = label; *p; p++) {
        char c = g_ascii_tolower(*p);
        switch (c) {
        case '0':
            c = 'o';
            break;
        case '1':
        case 'i':
            c = 'l';
            break;
        case '3':
            c = 'e';
            break;
        case '4':
            c = 'a';
            break;
        case '5':
            c = 's';
            break;
        case '7':
            c = 't';
            break;
        case '8':
            c = 'b';
            break;
        case '-':
        case '_':
            continue;
        default:
            break;
        }
        if (o->len && o->str[o->len - 1] == c)
            continue;
        g_string_append_c(o, c);
    }
    return g_string_free(o, FALSE);
}

static const char *const generic[] = {
    "mail",   "email", "post",    "news",   "info",    "online",   "secure", "cloud",
    "group",  "home",  "shop",    "store",  "service", "support",  "japan",  "global",
    "portal", "login", "account", "bank",   "card",    "web",      "site",   "apps",
    "mobile", "smart", "net",     "direct", "plus",    "life",     "point",  "club",
    "media",  "world", "express", "travel", "market",  "delivery",
};

static bool is_generic(const char *l)
{
    for (size_t i = 0; i < G_N_ELEMENTS(generic); i++)
        if (strcmp(l, generic[i]) == 0)
            return true;
    return false;
}

/* First label of the registrable domain of host; g_free it. */
static char *org_label(const char *host)
{
    char *org = domain_org(host);
    const char *o = org ? org : host;
    const char *dot = strchr(o, '.');
    char *l = dot ? g_strndup(o, (gsize)(dot - o)) : g_strdup(o);
    g_free(org);
    return l;
}

/* A brand's data lists third parties that legitimately send for it
 * (payment processors, survey tools); only domains whose label spells the
 * brand's own name make a "brand label": "amazon" for Amazon, not "affirm". */
static bool label_names_brand(const brand_db_t *db, const brand_t *b, const char *label)
{
    bool yes = false;
    for (guint i = 0; !yes; i++) {
        const char *name = brand_name_at(db, b, i);
        if (name == NULL)
            break;
        GString *ascii = g_string_new(NULL);
        for (const char *p = name; *p; p++)
            if (g_ascii_isalnum(*p))
                g_string_append_c(ascii, g_ascii_tolower(*p));
        yes = ascii->len >= 3 && (strstr(label, ascii->str) || strstr(ascii->str, label));
        g_string_free(ascii, TRUE);
    }
    return yes;
}

void *rdomain_index_new(const brand_db_t *brands)
{
    dindex_t *x = g_new0(dindex_t, 1);
    x->labels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    x->skels = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    x->typos = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    const GPtrArray *all = brand_all(brands);
    for (guint i = 0; i < all->len; i++) {
        brand_t *b = all->pdata[i];
        for (char **d = b->domains; *d; d++) {
            char *l = org_label(*d);
            if (strlen(l) < RDOMAIN_MIN_LABEL || is_generic(l) ||
                g_hash_table_contains(x->labels, l) || !label_names_brand(brands, b, l)) {
                g_free(l);
                continue;
            }
            g_hash_table_insert(x->labels, l, b);
            char *sk = normalise_skeleton(l);
            if (!g_hash_table_contains(x->skels, sk))
                g_hash_table_insert(x->skels, sk, l);
            else
                g_free(sk);
            char *t = typo_fold(l);
            if (!g_hash_table_contains(x->typos, t))
                g_hash_table_insert(x->typos, t, l);
            else
                g_free(t);
        }
    }
    guint n = g_hash_table_size(x->labels);
    x->inside = g_new0(const char *, n + 1);
    x->inside_brand = g_new0(brand_t *, n + 1);
    x->by_prefix =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_array_unref);
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, x->labels);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        if (strlen(k) < RDOMAIN_MIN_INSIDE)
            continue;
        unsigned id = x->n_inside++;
        x->inside[id] = k;
        x->inside_brand[id] = v;
        char *pre = g_strndup(k, RDOMAIN_MIN_INSIDE);
        GArray *ids = g_hash_table_lookup(x->by_prefix, pre);
        if (ids == NULL) {
            ids = g_array_new(FALSE, FALSE, sizeof(unsigned));
            g_hash_table_insert(x->by_prefix, pre, ids);
        } else {
            g_free(pre);
        }
        g_array_append_val(ids, id);
    }
    return x;
}

void rdomain_index_free(void *index)
{
    dindex_t *x = index;
    if (x == NULL)
        return;
    if (x->by_prefix)
        g_hash_table_destroy(x->by_prefix);
    g_free(x->inside);
    g_free(x->inside_brand);
    g_hash_table_destroy(x->skels);
    g_hash_table_destroy(x->typos);
    g_hash_table_destroy(x->labels);
    g_free(x);
}

/* host without its public suffix ("a.b.example.co.jp" -> "a.b.example"):
 * tokens of the suffix itself (".example", ".amazon") say nothing. */
static char *before_suffix(const char *host)
{
    char *org = domain_org(host);
    const char *dot = org ? strchr(org, '.') : NULL;
    char *out;
    size_t hl = strlen(host);
    if (dot && hl > strlen(dot))
        out = g_strndup(host, hl - strlen(dot));
    else
        out = g_strdup(host);
    g_free(org);
    return out;
}

static bool is_own(const engine_t *e, const char *host)
{
    for (char **o = e->own_domains; o && *o; o++)
        if (domain_is_within(host, *o))
            return true;
    return false;
}

typedef struct cand {
    const char *host;
    const char *where; /* "From", "Reply-To", "link" */
    bool close;        /* worth the edit-distance check */
} cand_t;

static void check_own(engine_t *e, scan_t *s, const cand_t *c, const char *label)
{
    for (char **o = e->own_domains; o && *o; o++) {
        char *ol = org_label(*o);
        bool hit = false;
        if (strlen(ol) >= RDOMAIN_MIN_LABEL && strcmp(ol, label) != 0) {
            char *a = normalise_skeleton(label), *b = normalise_skeleton(ol);
            unsigned cap = strlen(ol) >= 8 ? 2 : 1;
            hit = strcmp(a, b) == 0 || rules_edit_distance(label, ol, cap) <= cap;
            g_free(a);
            g_free(b);
        }
        if (!hit && strlen(ol) >= 5) {
            char *pre = before_suffix(c->host);
            gchar **toks = g_strsplit_set(pre, ".-", -1);
            g_free(pre);
            for (gchar **t = toks; *t && !hit; t++)
                hit = strcmp(*t, ol) == 0;
            g_strfreev(toks);
        }
        if (hit)
            scan_add_symbol(s, "LOOKALIKE_OWN_DOMAIN", c->host, *o, "%s %s imitates %s", c->where,
                            c->host, *o);
        g_free(ol);
    }
}

static void check_brand(engine_t *e, scan_t *s, const cand_t *c, const char *label)
{
    dindex_t *x = e->domain_index;
    /* look-alike by skeleton or one edit */
    char *sk = normalise_skeleton(label);
    const char *twin = g_hash_table_lookup(x->skels, sk);
    g_free(sk);
    if (twin && strcmp(twin, label) != 0) {
        brand_t *b = g_hash_table_lookup(x->labels, twin);
        scan_add_symbol(s, "LOOKALIKE_DOMAIN", c->host, b->id,
                        "%s %s: \"%s\" looks like \"%s\" (%s)", c->where, c->host, label, twin,
                        b->id);
        return;
    }
    if (c->close && strlen(label) >= 5) {
        char *t = typo_fold(label);
        const char *orig = g_hash_table_lookup(x->typos, t);
        if (orig && strcmp(orig, label) != 0) {
            brand_t *b = g_hash_table_lookup(x->labels, orig);
            scan_add_symbol(s, "LOOKALIKE_DOMAIN", c->host, b->id,
                            "%s %s: \"%s\" is a typo-style variant of \"%s\" (%s)", c->where,
                            c->host, label, orig, b->id);
            g_free(t);
            return;
        }
        g_free(t);
    }
    /* the brand's own label under another suffix (yahoo.com for a brand
     * owning yahoo.co.jp) is most often the brand's sister site, not a
     * fake: not judged here */
    if (g_hash_table_contains(x->labels, label))
        return;
    /* brand names inside the host (not in its public suffix) */
    char *pre = before_suffix(c->host);
    gchar **toks = g_strsplit_set(pre, ".-_", -1);
    for (gchar **t = toks; *t; t++) {
        brand_t *b = g_hash_table_lookup(x->labels, *t);
        if (b && !brand_owns(b, c->host)) {
            scan_add_symbol(s, "BRAND_IN_DOMAIN", c->host, b->id, "%s %s contains \"%s\" (%s)",
                            c->where, c->host, *t, b->id);
            g_strfreev(toks);
            g_free(pre);
            return;
        }
    }
    g_strfreev(toks);
    /* of the longer labels found anywhere inside the host, the first in
     * table order that the host's owner does not own */
    unsigned best = x->n_inside;
    size_t plen = strlen(pre);
    char key[RDOMAIN_MIN_INSIDE + 1];
    for (size_t i = 0; i + RDOMAIN_MIN_INSIDE <= plen; i++) {
        memcpy(key, pre + i, RDOMAIN_MIN_INSIDE);
        key[RDOMAIN_MIN_INSIDE] = '\0';
        const GArray *ids = g_hash_table_lookup(x->by_prefix, key);
        for (guint j = 0; ids && j < ids->len; j++) {
            unsigned id = g_array_index(ids, unsigned, j);
            size_t ll = strlen(x->inside[id]);
            if (id < best && i + ll <= plen && memcmp(pre + i, x->inside[id], ll) == 0 &&
                !brand_owns(x->inside_brand[id], c->host))
                best = id;
        }
    }
    if (best < x->n_inside)
        scan_add_symbol(s, "BRAND_IN_DOMAIN", c->host, x->inside_brand[best]->id,
                        "%s %s contains \"%s\" (%s)", c->where, c->host, x->inside[best],
                        x->inside_brand[best]->id);
    g_free(pre);
}

/* The label with accents stripped (NFD, marks removed), if that leaves
 * plain ASCII different from the label: "robínhood" -> "robinhood". */
static char *deaccent(const char *label)
{
    char *nfd = g_utf8_normalize(label, -1, G_NORMALIZE_NFD);
    if (nfd == NULL)
        return NULL;
    GString *o = g_string_new(NULL);
    bool ascii = true;
    for (const char *p = nfd; *p; p = g_utf8_next_char(p)) {
        gunichar ch = g_utf8_get_char(p);
        if (g_unichar_type(ch) == G_UNICODE_NON_SPACING_MARK)
            continue;
        if (ch >= 0x80)
            ascii = false;
        g_string_append_unichar(o, ch);
    }
    g_free(nfd);
    if (!ascii || strcmp(o->str, label) == 0) {
        g_string_free(o, TRUE);
        return NULL;
    }
    return g_string_free(o, FALSE);
}

static bool matches_display_name(const scan_t *s, const char *ascii)
{
    if (s->facts.from == NULL)
        return false;
    GString *sq = g_string_new(NULL);
    for (const char *p = s->facts.from->display_norm; *p; p++)
        if (g_ascii_isalnum(*p))
            g_string_append_c(sq, g_ascii_tolower(*p));
    bool yes = sq->len >= 4 && strcmp(sq->str, ascii) == 0;
    g_string_free(sq, TRUE);
    return yes;
}

static void check_idn(engine_t *e, scan_t *s, const cand_t *c)
{
    if (strstr(c->host, "xn--") == NULL)
        return;
    domain_info_t di;
    domain_info(c->host, &di);
    /* the Unicode form of the registrable domain's first label */
    char *ulabel = NULL;
    {
        gchar **parts = g_strsplit(di.unicode, ".", -1);
        guint np = g_strv_length(parts), norg = 1;
        for (const char *p = di.org ? di.org : ""; *p; p++)
            norg += *p == '.';
        ulabel = g_strdup(np >= norg ? parts[np - norg] : di.unicode);
        g_strfreev(parts);
    }
    char *plain = deaccent(ulabel);
    if (plain && (g_hash_table_contains(((dindex_t *)e->domain_index)->labels, plain) ||
                  matches_display_name(s, plain))) {
        scan_add_symbol(s, "IDN_DECEPTIVE", di.unicode, plain, "%s %s (%s) imitates \"%s\"",
                        c->where, di.unicode, c->host, plain);
        g_free(plain);
        g_free(ulabel);
        domain_info_clear(&di);
        return;
    }
    g_free(plain);
    g_free(ulabel);
    normalise_flags_t fl;
    gchar **labels = g_strsplit(di.unicode, ".", -1);
    for (gchar **l = labels; *l; l++) {
        g_free(normalise_text(*l, &fl));
        char *sk = normalise_skeleton(*l);
        const char *twin = g_hash_table_lookup(((dindex_t *)e->domain_index)->skels, sk);
        if (fl.mixed_script || (twin && strcmp(twin, *l) != 0)) {
            scan_add_symbol(s, "IDN_DECEPTIVE", di.unicode, twin ? twin : "mixed scripts",
                            "%s %s (%s)", c->where, di.unicode, c->host);
            g_free(sk);
            break;
        }
        g_free(sk);
    }
    g_strfreev(labels);
    domain_info_clear(&di);
}

static void add_cand(GArray *cands, GHashTable *seen, const char *host, const char *where,
                     bool close)
{
    if (host == NULL || *host == '\0' || cands->len >= RDOMAIN_MAX_HOSTS ||
        !g_hash_table_add(seen, (gpointer)host))
        return;
    cand_t c = {host, where, close};
    g_array_append_val(cands, c);
}

void rdomain_run(engine_t *e, scan_t *s)
{
    GArray *cands = g_array_new(FALSE, FALSE, sizeof(cand_t));
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    const identity_t *rt = identity_find(s->identities, ID_REPLY_TO);
    add_cand(cands, seen, s->facts.from_domain, "From", true);
    add_cand(cands, seen, rt ? rt->domain : NULL, "Reply-To", true);
    unsigned close_links = 0;
    for (guint i = 0; i < s->links->len; i++) {
        const scan_link_t *l = s->links->pdata[i];
        if (l->link->kind == MAIL_LINK_IMAGE || l->info.host == NULL || l->info.ip_host)
            continue;
        bool close = l->link->kind != MAIL_LINK_OTHER && close_links < 10;
        close_links += close;
        add_cand(cands, seen, l->info.host, "link", close);
    }
    for (guint i = 0; i < cands->len; i++) {
        const cand_t *c = &g_array_index(cands, cand_t, i);
        if (is_own(e, c->host) || brand_of_domain(e->brands, c->host) ||
            domlist_has(e->redirectors, c->host))
            continue;
        char *label = org_label(c->host);
        if (strlen(label) >= 3) {
            check_own(e, s, c, label);
            check_brand(e, s, c, label);
            check_idn(e, s, c);
        }
        g_free(label);
    }
    g_hash_table_destroy(seen);
    g_array_free(cands, TRUE);
}
