/*
 * conf.h - the configuration file: "key = value" lines.
 *
 * Format: one setting per line, "key = value"; '#' starts a comment at the
 * start of a line; keys are [a-z0-9_.-]; a key given twice keeps both
 * values (list settings such as trusted_hosts may be spread over lines).
 * Unknown keys are accepted here and reported by the caller, which knows
 * the schema (docs/configuration.md lists every key and its default).
 *
 * Limits: CONF_MAX_BYTES for the whole file (a config is small; anything
 * bigger is a mistake), lines of any length within it.
 * Memory: the conf_t owns everything; strings returned are valid until
 * conf_free.
 */
#ifndef SG_UTIL_CONF_H
#define SG_UTIL_CONF_H

#include <stdbool.h>
#include <stddef.h>

#define CONF_MAX_BYTES (1024 * 1024)

typedef struct conf conf_t;

conf_t *conf_new(void);
/* Parse a file into c. Returns 0, or -1 with *err set to a one-line
 * "path:line: reason" (g_free it). Nothing is added on error. */
int conf_load_file(conf_t *c, const char *path, char **err);
/* Parse text; name is used in error messages. */
int conf_load_text(conf_t *c, const char *name, const char *text, size_t len, char **err);
void conf_add(conf_t *c, const char *key, const char *value);
/* Last value given for key, or NULL. */
const char *conf_get(const conf_t *c, const char *key);
/* Every word of every value of key (split at white space and commas), as a
 * NULL-terminated array owned by c; never NULL. */
const char *const *conf_get_list(conf_t *c, const char *key);
bool conf_get_bool(const conf_t *c, const char *key, bool dflt);
/* Make the relative paths among key's values relative to base_dir (the
 * folder of the file that named them). */
void conf_resolve_paths(conf_t *c, const char *key, const char *base_dir);
/* Keys present, NULL-terminated, owned by c (for unknown-key checks). */
const char *const *conf_keys(conf_t *c);
void conf_free(conf_t *c);

#endif
