/*
 * ruleset.h - the symbols rules may emit, as data: weight, group, and the
 * explanation a person reads, in English and Japanese.
 *
 * data/symbols.conf holds one block per symbol:
 *
 *   [BRAND_DISPLAY_NAME_MISMATCH]
 *   weight = 6
 *   group = brand
 *   en = The sender's name claims to be {1}, but the mail does not come from {1}.
 *   ja = 差出人名は「{1}」を名乗っていますが、{1} のドメインから送られていません。
 *
 * {1} and {2} are replaced by the arguments the rule passes (a brand, a
 * domain). Code holds the mechanism (when a symbol fires, with what
 * evidence); data holds the weight and the words, so an administrator can
 * re-weigh or reword without a rebuild. The user configuration may
 * override any weight ("weight.NAME = 2.5") and switch symbols off
 * ("disable = NAME NAME") or back on ("enable = NAME").
 *
 * Memory: the ruleset owns everything; rule_def_t pointers stay valid
 * until ruleset_free. Errors: "path:line: reason" for a bad file or an
 * unknown symbol in the configuration.
 */
#ifndef SG_RULES_RULESET_H
#define SG_RULES_RULESET_H

#include <glib.h>
#include <stdbool.h>

#include "util/conf.h"

typedef struct rule_def {
    char *name;
    double weight;
    bool enabled;
    char *group;
    char *en;
    char *ja;
} rule_def_t;

typedef struct ruleset ruleset_t;

ruleset_t *ruleset_load(const char *path, char **err);
ruleset_t *ruleset_parse(const char *name, const char *text, size_t len, char **err);
/* Apply weight./disable/enable overrides; -1 with *err on a bad value. */
int ruleset_apply_conf(ruleset_t *rs, conf_t *c, char **err);
const rule_def_t *ruleset_get(const ruleset_t *rs, const char *name);
/* Every definition, sorted by group then name. Owned by rs. */
const GPtrArray *ruleset_all(const ruleset_t *rs);
/* The template for lang ("ja" or "en") with {1}/{2} filled; g_free it. */
char *ruleset_explain(const rule_def_t *d, const char *lang, const char *a1, const char *a2);
void ruleset_free(ruleset_t *rs);

#endif
