/*
 * keyrules.h - credential rules as data, compiled for one Hyperscan pass.
 *
 * What: loads data/keys/rules.txt (and the two fact lists beside it,
 * aws-canary-accounts.txt and ses-regions.txt), checks every rule, compiles
 * every rule's prefilter into one Hyperscan database (block mode) and every
 * full pattern into a GRegex (PCRE2) that confirms a Hyperscan hit.
 *
 * Rule file format (one rule per "[id]" section; "key = value" lines; '#'
 * comments; the value is the raw rest of the line, trimmed, so regular
 * expressions need no escaping):
 *   name, name_ja   what the credential is, in English and Japanese
 *   provider        who issued it ("aws", "sendgrid", ...), for the advice
 *   pattern         PCRE; group 1 (if any) is the secret, else the match
 *   prefilter       Hyperscan expression that must fire wherever pattern
 *                   can match (default: pattern, in prefilter mode)
 *   keywords        comma-separated, case-insensitive: when given, one must
 *                   occur within `window` bytes of the match (or inside it)
 *   window          bytes before the match searched for keywords (def. 200)
 *   near            id of a rule whose finding within KEYRULES_NEAR_BYTES
 *                   stands in for a keyword (a secret next to its key id);
 *                   each such finding also makes the scanner look for this
 *                   rule around it, so the prefilter need only cover the
 *                   keywords
 *   pair            id of a rule whose nearby finding is merged into this
 *                   one (the id and its secret reported as one pair)
 *   validate        a built-in shape check (see keyrules_validator_t)
 *   max_len         longest match in bytes (default 256, at most
 *                   KEYRULES_MAX_LEN); longer matches are not reported
 *   example         a text the rule must find (repeatable; "\n" = newline)
 *   negative        a text the rule must not find (repeatable)
 *
 * Memory: keyrules_t owns every rule, string, regex and the database; the
 * pointers it hands out live until keyrules_free. The loaded set is
 * read-only afterwards and may be shared by threads (GRegex and a Hyperscan
 * database are immutable; each thread needs its own hs_scratch_t).
 *
 * Limits: KEYRULES_MAX_RULES rules, KEYRULES_MAX_FILE bytes per data file.
 *
 * Errors: keyrules_load returns NULL and a one-line "file:line: reason"
 * message; a broken rule file is a configuration error, not a finding.
 *
 * Security: the rule files are trusted configuration (installed with the
 * binary); the scanned data is not, which is why rules are compiled once
 * and every match is re-checked with bounded windows.
 */
#ifndef SG_KEYS_KEYRULES_H
#define SG_KEYS_KEYRULES_H

#include <glib.h>
#include <hs/hs.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/slice.h"

#define KEYRULES_MAX_RULES 256
#define KEYRULES_MAX_FILE  (1024 * 1024)
/* A PEM RSA-4096 key is about 3.3 KB; 16 KiB bounds the longest rule. */
#define KEYRULES_MAX_LEN 16384
/* A secret counts as "next to" a key id within this many bytes (a few
 * lines of a config file, one CSV row of a credentials export). */
#define KEYRULES_NEAR_BYTES 512

typedef enum {
    KEYRULES_V_NONE = 0,
    KEYRULES_V_AWS_KEY_ID, /* prefix + base32 */
    KEYRULES_V_AWS_SECRET, /* awskey_secret_plausible */
    KEYRULES_V_SES_SMTP,   /* version byte 0x04 or 0x02 */
    KEYRULES_V_GITHUB,     /* CRC32 checksum of classic tokens */
    KEYRULES_V_PEM,        /* body of base64 lines, not a placeholder */
    KEYRULES_V_MIXED,      /* not a run of one character, not all one class */
} keyrules_validator_t;

typedef struct keyrule {
    char *id;
    char *name;
    char *name_ja;
    char *provider;
    char *pattern;
    char *prefilter;
    GRegex *re;
    char **keywords; /* lower-cased, NULL-terminated, may be empty */
    size_t window;
    size_t max_len;
    int near; /* rule index or -1 */
    int pair; /* rule index or -1 */
    keyrules_validator_t validate;
    GPtrArray *examples;  /* char * */
    GPtrArray *negatives; /* char * */
} keyrule_t;

typedef struct keyrules keyrules_t;

/* Load rules.txt, aws-canary-accounts.txt and ses-regions.txt from dir.
 * The compiled Hyperscan database is cached in $XDG_CACHE_HOME/sesguard
 * (keyed by the Hyperscan version and the prefilters; SESGUARD_NO_CACHE=1
 * disables it). */
keyrules_t *keyrules_load(const char *dir, char **err);
/* Load rules from text (tests and fuzzing); no canary or region lists. */
keyrules_t *keyrules_load_text(const char *name, const char *text, size_t len, char **err);
void keyrules_free(keyrules_t *rs);

size_t keyrules_count(const keyrules_t *rs);
const keyrule_t *keyrules_get(const keyrules_t *rs, size_t i);
/* Index of the rule with this id, or -1. */
int keyrules_find(const keyrules_t *rs, const char *id);
const hs_database_t *keyrules_db(const keyrules_t *rs);
/* True if account (12 digits) is a known canary-token account. */
bool keyrules_is_canary(const keyrules_t *rs, const char *account);
/* SES regions, NULL-terminated (empty when none were loaded). */
const char *const *keyrules_ses_regions(const keyrules_t *rs);
/* Apply a rule's built-in shape check to a candidate secret. */
bool keyrules_validate(const keyrule_t *r, slice_t secret);

#endif
