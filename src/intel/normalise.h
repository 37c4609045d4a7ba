/*
 * normalise.h - text forms that defeat disguise, for names and subjects.
 *
 * Lures disguise brand names so that a phrase match fails: mathematical
 * bold letters (𝗔𝗺𝗮𝘇𝗼𝗻), full-width forms (Ａｍａｚｏｎ), zero-width and
 * invisible characters inside a word (コ⁡インチェ︉ック), combining strokes
 * (M̶icrosoft), look-alike letters from other scripts (Аmazon with a
 * Cyrillic А). Two forms undo this:
 *   normalise_text  NFKC, then every default-ignorable and format character
 *                   (U+200B-U+200F, U+2060-U+2064, U+FEFF, U+00AD, bidi
 *                   controls, variation selectors, tag characters) and
 *                   every combining mark left after NFKC removed; case kept.
 *   normalise_skeleton  the UTS #39 confusable skeleton of the normalised
 *                   text (ICU uspoof), lower-cased: two strings that look
 *                   alike have the same skeleton ("paypa1" vs "paypal").
 * normalise_flags reports what was found, as evidence for the rules.
 *
 * Memory: results are g_malloc'd UTF-8, owned by the caller.
 * Limits: input longer than NORMALISE_MAX_BYTES is cut there first (a
 * display name or subject never needs more).
 * Thread safety: reentrant; the ICU spoof checker is opened per thread.
 */
#ifndef SG_INTEL_NORMALISE_H
#define SG_INTEL_NORMALISE_H

#include <stdbool.h>
#include <stddef.h>

#define NORMALISE_MAX_BYTES 4096

typedef struct normalise_flags {
    unsigned invisible; /* format / default-ignorable characters removed */
    unsigned combining; /* combining marks removed */
    unsigned compat;    /* characters changed by NFKC (bold, full-width, ...) */
    bool mixed_script;  /* letters of more than one script in one word */
} normalise_flags_t;

/* flags may be NULL. Never returns NULL. */
char *normalise_text(const char *utf8, normalise_flags_t *flags);
/* The same with another input bound (bodies). */
char *normalise_text_n(const char *utf8, size_t max_bytes, normalise_flags_t *flags);
char *normalise_skeleton(const char *utf8);

#endif
