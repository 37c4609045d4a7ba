/*
 * lexicon.h - phrase groups a lure uses (urgency, credential requests,
 * account threats, rewards), as data (data/lexicon.conf).
 *
 * File: one block per group, "[group]", then "LANG = phrase | phrase"
 * lines (ja, en, and any other language). Phrases are matched in the
 * normalised, case-folded text (see normalise.h); phrases that begin or
 * end with a Latin letter match on word boundaries there. One Hyperscan literal database covers
 * every phrase. A phrase list only carries within its language: rules weigh these lightly and lean
 * on language-independent signals.
 *
 * Memory: immutable after loading; shareable (scratch is per thread).
 */
#ifndef SG_INTEL_LEXICON_H
#define SG_INTEL_LEXICON_H

#include <stddef.h>

#define LEXICON_MAX_GROUPS 16

typedef struct lexicon lexicon_t;

typedef struct lexicon_hits {
    unsigned count[LEXICON_MAX_GROUPS];    /* matches found */
    const char *first[LEXICON_MAX_GROUPS]; /* the first phrase found, as written */
} lexicon_hits_t;

lexicon_t *lexicon_load(const char *path, char **err);
lexicon_t *lexicon_parse(const char *name, const char *text, size_t len, char **err);
void lexicon_free(lexicon_t *l);
/* Index of a group by name, or -1. */
int lexicon_group(const lexicon_t *l, const char *name);
/* Scan UTF-8 text (normalised and folded here; at most max bytes). */
void lexicon_scan(const lexicon_t *l, const char *text, size_t max, lexicon_hits_t *out);
/* The same on text already normalised and case-folded (brand_fold_text). */
void lexicon_scan_folded(const lexicon_t *l, const char *folded, lexicon_hits_t *out);

#endif
