/*
 * brand.h - brands, the names people write for them, and the domains they
 * really send from (data/brands.conf; see its header for the format).
 *
 * brand_find() answers "does this text name a brand?" in a way disguise
 * does not defeat: the text and every brand name are compared in the
 * normalised form of normalise.h (NFKC, so full-width and mathematical
 * letters fold; invisible characters and combining marks removed),
 * case-folded; names of five or more characters are also compared as
 * UTS #39 skeletons (paypa1, Cyrillic look-alikes, WaIIet) and, in short
 * fields, with spaces and dots squeezed out ("C o i n b a s e"). Latin
 * names match on word boundaries ("Amazonas" is not Amazon); short
 * upper-case names (JCB, ANA, ETC) match case-sensitively so that "Ana"
 * or "etc." do not; names marked "=" match only a whole display name.
 * Long texts (bodies) go through one Hyperscan literal database.
 *
 * Memory: the brand_db_t is immutable after loading and may be shared by
 * threads (Hyperscan scratch is per thread).
 * Limits: BRAND_TEXT_MAX bytes of a body are searched; names up to 128
 * bytes. Errors: "path:line: reason".
 */
#ifndef SG_INTEL_BRAND_H
#define SG_INTEL_BRAND_H

#include <glib.h>
#include <stdbool.h>

/* The lure is at the top of a body; 64 KB bounds the work per message. */
#define BRAND_TEXT_MAX (64 * 1024)

typedef struct brand {
    char *id;
    char *category;
    char **domains; /* NULL-terminated, lower case */
} brand_t;

typedef enum brand_field {
    BRAND_FIELD_NAME,    /* a display name: all forms, whole-name entries */
    BRAND_FIELD_SUBJECT, /* a subject: all forms but whole-name entries */
    BRAND_FIELD_TEXT,    /* a body: normalised form through Hyperscan */
} brand_field_t;

typedef struct brand_hit {
    const brand_t *brand;
    const char *name; /* the brand name as written in the data */
    const char *how;  /* "text", "skeleton", "squeezed" */
} brand_hit_t;

typedef struct brand_db brand_db_t;

brand_db_t *brand_db_load(const char *path, char **err);
brand_db_t *brand_db_parse(const char *name, const char *text, size_t len, char **err);
void brand_db_free(brand_db_t *db);
unsigned brand_db_count(const brand_db_t *db);

/* Brands named in text (UTF-8), at most max hits, distinct brands, the
 * longest name first for each. Returns the number of hits. */
unsigned brand_find(const brand_db_t *db, const char *text, brand_field_t field, brand_hit_t *hits,
                    unsigned max);
/* The normalised, case-folded form of a body (its first BRAND_TEXT_MAX
 * bytes) that BRAND_FIELD_TEXT searches, and the search on it: a caller
 * that also runs the lexicon folds the text once. g_free the result. */
char *brand_fold_text(const char *text);
unsigned brand_find_folded(const brand_db_t *db, const char *folded, brand_hit_t *hits,
                           unsigned max);
/* True if host (or its registrable domain) is one of the brand's domains
 * or a subdomain of one. */
bool brand_owns(const brand_t *b, const char *host);
/* The brand owning host, or NULL. */
const brand_t *brand_of_domain(const brand_db_t *db, const char *host);
/* The i-th name written for brand b (0-based), or NULL past the last. */
const char *brand_name_at(const brand_db_t *db, const brand_t *b, unsigned i);
/* All brands (for lookalike checks). */
const GPtrArray *brand_all(const brand_db_t *db);

#endif
