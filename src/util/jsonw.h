/*
 * jsonw.h - write JSON text straight into a buffer, without building a tree.
 *
 * Reports of one message are written once and never read back, so
 * building json-c objects only to print them cost a tenth of the mail
 * analysis. The writer appends tokens in order and places the commas and
 * colons itself:
 *
 *   jsonw_t w;
 *   jsonw_init(&w, gstring);
 *   jsonw_obj(&w);
 *     jsonw_key(&w, "name"); jsonw_str(&w, "x");
 *     jsonw_key(&w, "list"); jsonw_arr(&w); jsonw_int(&w, 1); jsonw_end(&w);
 *   jsonw_end(&w);
 *
 * Output is compact, like json-c's JSON_C_TO_STRING_PLAIN with
 * NOSLASHESCAPE: strings escape '"', '\\' and control characters, and
 * keep every other character as UTF-8; bytes that are not valid UTF-8 are
 * replaced (U+FFFD), so the output is always valid JSON text in UTF-8.
 * Doubles print as json-c prints them ("%.17g", with ".0" when integral);
 * NaN and infinities, which JSON cannot hold, print as null.
 *
 * Misuse (a key outside an object, nesting past JSONW_MAX_DEPTH, ending
 * more than was begun) is a programming error: it sets w->error and the
 * text is then not valid JSON; tests check the flag.
 */
#ifndef SG_UTIL_JSONW_H
#define SG_UTIL_JSONW_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSONW_MAX_DEPTH 32

typedef struct jsonw {
    GString *out;
    unsigned depth;
    bool error;
    bool after_key;
    bool has_items[JSONW_MAX_DEPTH]; /* per level: a comma is due */
    bool is_object[JSONW_MAX_DEPTH];
} jsonw_t;

void jsonw_init(jsonw_t *w, GString *out);
void jsonw_obj(jsonw_t *w);
void jsonw_arr(jsonw_t *w);
void jsonw_end(jsonw_t *w); /* closes the innermost object or array */
void jsonw_key(jsonw_t *w, const char *key);
void jsonw_str(jsonw_t *w, const char *s); /* NULL writes null */
void jsonw_str_n(jsonw_t *w, const char *s, size_t n);
void jsonw_int(jsonw_t *w, int64_t v);
void jsonw_double(jsonw_t *w, double v);
void jsonw_bool(jsonw_t *w, bool v);
void jsonw_null(jsonw_t *w);

#endif
