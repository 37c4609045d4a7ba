/*
 * keyrules.c - load, check and compile credential rules; see keyrules.h.
 *
 * The parser is line-based and strict: an unknown key, a rule without a
 * pattern, a pattern that neither PCRE2 nor Hyperscan accepts, or a `near`
 * or `pair` naming an unknown rule stops the load with "file:line: reason".
 * Hyperscan compiles every prefilter with HS_FLAG_PREFILTER, which accepts
 * the PCRE constructs Hyperscan cannot run exactly (look-arounds,
 * back-references) by widening them; the GRegex confirmation then holds the
 * exact meaning, so a rule author writes plain PCRE.
 */
#include "keys/keyrules.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "keys/awskey.h"
#include "util/cache.h"
#include "util/hscache.h"

struct keyrules {
    GPtrArray *rules; /* keyrule_t * */
    hs_database_t *db;
    GHashTable *canaries; /* 12-digit account strings */
    GPtrArray *regions;   /* char *, NULL-terminated */
};

static void rule_free(gpointer p)
{
    keyrule_t *r = p;
    if (r == NULL)
        return;
    g_free(r->id);
    g_free(r->name);
    g_free(r->name_ja);
    g_free(r->provider);
    g_free(r->pattern);
    g_free(r->prefilter);
    if (r->re)
        g_regex_unref(r->re);
    g_strfreev(r->keywords);
    g_ptr_array_free(r->examples, TRUE);
    g_ptr_array_free(r->negatives, TRUE);
    g_free(r);
}

static keyrule_t *rule_new(const char *id)
{
    keyrule_t *r = g_new0(keyrule_t, 1);
    r->id = g_strdup(id);
    r->window = 200;
    r->max_len = 256;
    r->near = r->pair = -1;
    r->keywords = g_new0(char *, 1);
    r->examples = g_ptr_array_new_with_free_func(g_free);
    r->negatives = g_ptr_array_new_with_free_func(g_free);
    return r;
}

static keyrules_t *rules_new(void)
{
    keyrules_t *rs = g_new0(keyrules_t, 1);
    rs->rules = g_ptr_array_new_with_free_func(rule_free);
    rs->canaries = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    rs->regions = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(rs->regions, NULL);
    return rs;
}

void keyrules_free(keyrules_t *rs)
{
    if (rs == NULL)
        return;
    g_ptr_array_free(rs->rules, TRUE);
    hs_free_database(rs->db);
    g_hash_table_destroy(rs->canaries);
    g_ptr_array_free(rs->regions, TRUE);
    g_free(rs);
}

/* "\n" in example texts stands for a newline; "\\" for a backslash. */
static char *unescape_example(slice_t v)
{
    GString *s = g_string_sized_new(v.n);
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] == '\\' && i + 1 < v.n && v.p[i + 1] == 'n') {
            g_string_append_c(s, '\n');
            i++;
        } else if (v.p[i] == '\\' && i + 1 < v.n && v.p[i + 1] == '\\') {
            g_string_append_c(s, '\\');
            i++;
        } else {
            g_string_append_c(s, v.p[i]);
        }
    }
    return g_string_free(s, FALSE);
}

static bool parse_size(slice_t v, size_t lo, size_t hi, size_t *out)
{
    size_t n = 0;
    if (v.n == 0 || v.n > 9)
        return false;
    for (size_t i = 0; i < v.n; i++) {
        if (v.p[i] < '0' || v.p[i] > '9')
            return false;
        n = n * 10 + (size_t)(v.p[i] - '0');
    }
    if (n < lo || n > hi)
        return false;
    *out = n;
    return true;
}

static const struct {
    const char *name;
    keyrules_validator_t v;
} validators[] = {{"none", KEYRULES_V_NONE},
                  {"aws_key_id", KEYRULES_V_AWS_KEY_ID},
                  {"aws_secret", KEYRULES_V_AWS_SECRET},
                  {"ses_smtp", KEYRULES_V_SES_SMTP},
                  {"github", KEYRULES_V_GITHUB},
                  {"pem", KEYRULES_V_PEM},
                  {"mixed", KEYRULES_V_MIXED}};

/* Names of `near`/`pair` are resolved after the whole file is read. */
typedef struct pending_ref {
    keyrule_t *rule;
    char *near, *pair;
    unsigned line;
} pending_ref_t;

static int set_field(keyrule_t *r, pending_ref_t *ref, slice_t key, slice_t v, const char **why)
{
    char *val = slice_dup(v);
    int rc = 0;
    if (slice_eq_ci(key, "name")) {
        g_free(r->name), r->name = val, val = NULL;
    } else if (slice_eq_ci(key, "name_ja")) {
        g_free(r->name_ja), r->name_ja = val, val = NULL;
    } else if (slice_eq_ci(key, "provider")) {
        g_free(r->provider), r->provider = val, val = NULL;
    } else if (slice_eq_ci(key, "pattern")) {
        g_free(r->pattern), r->pattern = val, val = NULL;
    } else if (slice_eq_ci(key, "prefilter")) {
        g_free(r->prefilter), r->prefilter = val, val = NULL;
    } else if (slice_eq_ci(key, "keywords")) {
        gchar **words = g_strsplit(val, ",", -1);
        GPtrArray *kw = g_ptr_array_new();
        for (gchar **w = words; *w; w++) {
            char *t = g_ascii_strdown(g_strstrip(*w), -1);
            if (*t)
                g_ptr_array_add(kw, t);
            else
                g_free(t);
        }
        g_ptr_array_add(kw, NULL);
        g_strfreev(words);
        g_strfreev(r->keywords);
        r->keywords = (char **)g_ptr_array_free(kw, FALSE);
    } else if (slice_eq_ci(key, "window")) {
        if (!parse_size(v, 0, 4096, &r->window))
            rc = -1, *why = "window must be 0..4096";
    } else if (slice_eq_ci(key, "max_len")) {
        if (!parse_size(v, 8, KEYRULES_MAX_LEN, &r->max_len))
            rc = -1, *why = "max_len must be 8..16384";
    } else if (slice_eq_ci(key, "near")) {
        g_free(ref->near), ref->near = val, val = NULL;
    } else if (slice_eq_ci(key, "pair")) {
        g_free(ref->pair), ref->pair = val, val = NULL;
    } else if (slice_eq_ci(key, "validate")) {
        rc = -1;
        for (size_t i = 0; i < G_N_ELEMENTS(validators); i++)
            if (strcmp(val, validators[i].name) == 0)
                r->validate = validators[i].v, rc = 0;
        if (rc != 0)
            *why = "unknown validator";
    } else if (slice_eq_ci(key, "example")) {
        g_ptr_array_add(r->examples, unescape_example(v));
    } else if (slice_eq_ci(key, "negative")) {
        g_ptr_array_add(r->negatives, unescape_example(v));
    } else {
        rc = -1, *why = "unknown key";
    }
    g_free(val);
    return rc;
}

static bool valid_id(slice_t id)
{
    if (id.n == 0 || id.n > 64)
        return false;
    for (size_t i = 0; i < id.n; i++) {
        char c = id.p[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

/* Compile one rule's confirming regex; checks it has at most one group
 * that matters (group 1 is the secret). */
static int compile_rule(keyrule_t *r, const char **why)
{
    if (r->pattern == NULL || r->name == NULL) {
        *why = "rule needs name and pattern";
        return -1;
    }
    GError *ge = NULL;
    r->re = g_regex_new(r->pattern, G_REGEX_RAW | G_REGEX_OPTIMIZE, 0, &ge);
    if (r->re == NULL) {
        /* The loader runs once at start-up; a static message is enough. */
        static _Thread_local char msg[256];
        g_snprintf(msg, sizeof msg, "rule %s: pattern does not compile: %s", r->id,
                   ge ? ge->message : "?");
        *why = msg;
        g_clear_error(&ge);
        return -1;
    }
    if (r->prefilter == NULL)
        r->prefilter = g_strdup(r->pattern);
    return 0;
}

static int resolve_refs(keyrules_t *rs, GArray *refs, const char *name, char **err)
{
    for (guint i = 0; i < refs->len; i++) {
        pending_ref_t *p = &g_array_index(refs, pending_ref_t, i);
        if (p->near && (p->rule->near = keyrules_find(rs, p->near)) < 0) {
            *err = g_strdup_printf("%s:%u: near names unknown rule '%s'", name, p->line, p->near);
            return -1;
        }
        if (p->pair && (p->rule->pair = keyrules_find(rs, p->pair)) < 0) {
            *err = g_strdup_printf("%s:%u: pair names unknown rule '%s'", name, p->line, p->pair);
            return -1;
        }
    }
    /* `near` may not chain: the scanner follows it one step, without a
     * recursion budget. */
    for (guint i = 0; i < refs->len; i++) {
        pending_ref_t *p = &g_array_index(refs, pending_ref_t, i);
        if (p->rule->near >= 0 && keyrules_get(rs, (size_t)p->rule->near)->near >= 0) {
            *err =
                g_strdup_printf("%s:%u: near names a rule that has a near itself", name, p->line);
            return -1;
        }
    }
    return 0;
}

static int compile_db_now(keyrules_t *rs, const char *name, char **err)
{
    guint n = rs->rules->len;
    if (n == 0) {
        *err = g_strdup_printf("%s: no rules", name);
        return -1;
    }
    const char **exprs = g_new(const char *, n);
    unsigned *flags = g_new(unsigned, n);
    unsigned *ids = g_new(unsigned, n);
    for (guint i = 0; i < n; i++) {
        keyrule_t *r = g_ptr_array_index(rs->rules, i);
        exprs[i] = r->prefilter;
        flags[i] = HS_FLAG_PREFILTER;
        ids[i] = i;
    }
    hs_compile_error_t *ce = NULL;
    int rc = 0;
    if (hs_compile_multi(exprs, flags, ids, n, HS_MODE_BLOCK, NULL, &rs->db, &ce) != HS_SUCCESS) {
        const char *rid = "?";
        if (ce && ce->expression >= 0 && (guint)ce->expression < n)
            rid = ((keyrule_t *)g_ptr_array_index(rs->rules, ce->expression))->id;
        *err = g_strdup_printf("%s: rule %s: hyperscan: %s", name, rid,
                               ce && ce->message ? ce->message : "compile failed");
        hs_free_compile_error(ce);
        rs->db = NULL;
        rc = -1;
    }
    g_free(exprs);
    g_free(flags);
    g_free(ids);
    return rc;
}

/* The compiled database is cached (util/hscache.h), keyed by the
 * Hyperscan version, the CPU features and every prefilter. Why: compiling
 * costs more than scanning a small tree, and a pre-commit hook runs often.
 * A file that does not deserialize is ignored and rewritten. */
static char *db_cache_path(const keyrules_t *rs)
{
    GChecksum *ck = hscache_key_new();
    for (guint i = 0; i < rs->rules->len; i++) {
        const keyrule_t *r = g_ptr_array_index(rs->rules, i);
        g_checksum_update(ck, (const guchar *)"\n", 1);
        g_checksum_update(ck, (const guchar *)r->prefilter, -1);
    }
    char *path = cache_path("keys", ck, "hsdb");
    g_checksum_free(ck);
    return path;
}

static int compile_db(keyrules_t *rs, const char *name, char **err, bool cache)
{
    char *cpath = cache ? db_cache_path(rs) : NULL;
    if (cpath && (rs->db = hscache_load(cpath)) != NULL) {
        g_free(cpath);
        return 0;
    }
    int rc = compile_db_now(rs, name, err);
    if (rc == 0 && cpath)
        hscache_store(cpath, rs->db);
    g_free(cpath);
    return rc;
}

static void pending_clear(gpointer p)
{
    pending_ref_t *r = p;
    g_free(r->near);
    g_free(r->pair);
}

static int parse_rules(keyrules_t *rs, const char *name, const char *text, size_t len, bool cache,
                       char **err)
{
    GArray *refs = g_array_new(FALSE, TRUE, sizeof(pending_ref_t));
    g_array_set_clear_func(refs, pending_clear);
    slice_t rest = slice_make(text, len);
    keyrule_t *cur = NULL;
    unsigned lineno = 0;
    const char *why = NULL;
    while (rest.n > 0 && why == NULL) {
        slice_t line = slice_trim(slice_split(&rest, '\n'));
        lineno++;
        if (line.n == 0 || line.p[0] == '#')
            continue;
        if (line.p[0] == '[') {
            if (line.p[line.n - 1] != ']' || !valid_id(slice_make(line.p + 1, line.n - 2))) {
                why = "bad section header (want [rule-id], a-z 0-9 -)";
                break;
            }
            char *id = slice_dup(slice_make(line.p + 1, line.n - 2));
            if (keyrules_find(rs, id) >= 0)
                why = "duplicate rule id";
            else if (rs->rules->len >= KEYRULES_MAX_RULES)
                why = "too many rules";
            if (why == NULL && cur && compile_rule(cur, &why) != 0)
                lineno = g_array_index(refs, pending_ref_t, refs->len - 1).line;
            if (why == NULL) {
                cur = rule_new(id);
                g_ptr_array_add(rs->rules, cur);
                pending_ref_t p = {cur, NULL, NULL, lineno};
                g_array_append_val(refs, p);
            }
            g_free(id);
            continue;
        }
        long eq = slice_find(line, '=');
        if (cur == NULL || eq <= 0) {
            why = cur ? "expected key = value" : "key outside a [rule] section";
            break;
        }
        slice_t key = slice_trim(slice_make(line.p, (size_t)eq));
        slice_t val = slice_trim(slice_make(line.p + eq + 1, line.n - (size_t)eq - 1));
        set_field(cur, &g_array_index(refs, pending_ref_t, refs->len - 1), key, val, &why);
    }
    if (why == NULL && cur && compile_rule(cur, &why) != 0)
        lineno = g_array_index(refs, pending_ref_t, refs->len - 1).line;
    int rc = 0;
    if (why) {
        *err = g_strdup_printf("%s:%u: %s", name, lineno, why);
        rc = -1;
    } else if (resolve_refs(rs, refs, name, err) != 0 || compile_db(rs, name, err, cache) != 0) {
        rc = -1;
    }
    g_array_free(refs, TRUE);
    return rc;
}

static keyrules_t *load_text(const char *name, const char *text, size_t len, bool cache, char **err)
{
    keyrules_t *rs = rules_new();
    if (len > KEYRULES_MAX_FILE) {
        *err = g_strdup_printf("%s: larger than %d bytes", name, KEYRULES_MAX_FILE);
        keyrules_free(rs);
        return NULL;
    }
    if (parse_rules(rs, name, text, len, cache, err) != 0) {
        keyrules_free(rs);
        return NULL;
    }
    return rs;
}

keyrules_t *keyrules_load_text(const char *name, const char *text, size_t len, char **err)
{
    return load_text(name, text, len, false, err);
}

static char *read_small(const char *path, size_t *len, char **err)
{
    char *text = NULL;
    GError *ge = NULL;
    gsize n = 0;
    if (!g_file_get_contents(path, &text, &n, &ge)) {
        *err = g_strdup_printf("%s: %s", path, ge->message);
        g_error_free(ge);
        return NULL;
    }
    if (n > KEYRULES_MAX_FILE) {
        *err = g_strdup_printf("%s: larger than %d bytes", path, KEYRULES_MAX_FILE);
        g_free(text);
        return NULL;
    }
    *len = n;
    return text;
}

/* One word per line, '#' comments; each word must pass ok(). */
static int load_list(const char *path, bool (*ok)(slice_t), void (*add)(keyrules_t *, slice_t),
                     keyrules_t *rs, char **err)
{
    size_t len;
    char *text = read_small(path, &len, err);
    if (text == NULL)
        return -1;
    slice_t rest = slice_make(text, len);
    unsigned lineno = 0;
    int rc = 0;
    while (rest.n > 0 && rc == 0) {
        slice_t line = slice_split(&rest, '\n');
        lineno++;
        long hash = slice_find(line, '#');
        if (hash >= 0)
            line.n = (size_t)hash;
        line = slice_trim(line);
        if (line.n == 0)
            continue;
        if (!ok(line)) {
            *err = g_strdup_printf("%s:%u: malformed entry", path, lineno);
            rc = -1;
        } else {
            add(rs, line);
        }
    }
    g_free(text);
    return rc;
}

static bool account_ok(slice_t s)
{
    if (s.n != AWSKEY_ACCOUNT_LEN)
        return false;
    for (size_t i = 0; i < s.n; i++)
        if (s.p[i] < '0' || s.p[i] > '9')
            return false;
    return true;
}

static void account_add(keyrules_t *rs, slice_t s)
{
    g_hash_table_add(rs->canaries, slice_dup(s));
}

static bool region_ok(slice_t s)
{
    if (s.n == 0 || s.n > AWSKEY_REGION_MAX)
        return false;
    for (size_t i = 0; i < s.n; i++)
        if (!((s.p[i] >= 'a' && s.p[i] <= 'z') || (s.p[i] >= '0' && s.p[i] <= '9') ||
              s.p[i] == '-'))
            return false;
    return true;
}

static void region_add(keyrules_t *rs, slice_t s)
{
    /* Keep the array NULL-terminated: replace the terminator, re-add it. */
    g_ptr_array_index(rs->regions, rs->regions->len - 1) = slice_dup(s);
    g_ptr_array_add(rs->regions, NULL);
}

keyrules_t *keyrules_load(const char *dir, char **err)
{
    char *path = g_build_filename(dir, "rules.txt", NULL);
    size_t len;
    char *text = read_small(path, &len, err);
    keyrules_t *rs = NULL;
    if (text) {
        rs = load_text(path, text, len, true, err);
        g_free(text);
    }
    g_free(path);
    if (rs == NULL)
        return NULL;
    char *canary = g_build_filename(dir, "aws-canary-accounts.txt", NULL);
    char *regions = g_build_filename(dir, "ses-regions.txt", NULL);
    if (load_list(canary, account_ok, account_add, rs, err) != 0 ||
        load_list(regions, region_ok, region_add, rs, err) != 0) {
        keyrules_free(rs);
        rs = NULL;
    }
    g_free(canary);
    g_free(regions);
    return rs;
}

size_t keyrules_count(const keyrules_t *rs)
{
    return rs->rules->len;
}

const keyrule_t *keyrules_get(const keyrules_t *rs, size_t i)
{
    return i < rs->rules->len ? g_ptr_array_index(rs->rules, i) : NULL;
}

int keyrules_find(const keyrules_t *rs, const char *id)
{
    for (guint i = 0; i < rs->rules->len; i++)
        if (strcmp(((keyrule_t *)g_ptr_array_index(rs->rules, i))->id, id) == 0)
            return (int)i;
    return -1;
}

const hs_database_t *keyrules_db(const keyrules_t *rs)
{
    return rs->db;
}

bool keyrules_is_canary(const keyrules_t *rs, const char *account)
{
    return account && g_hash_table_contains(rs->canaries, account);
}

const char *const *keyrules_ses_regions(const keyrules_t *rs)
{
    return (const char *const *)rs->regions->pdata;
}

static size_t longest_run(slice_t s)
{
    size_t best = s.n ? 1 : 0, run = 1;
    for (size_t i = 1; i < s.n; i++) {
        run = s.p[i] == s.p[i - 1] ? run + 1 : 1;
        if (run > best)
            best = run;
    }
    return best;
}

/* Words that mark a placeholder, not a credential ("your_key_here"). */
static bool placeholder(slice_t s)
{
    static const char *const words[] = {"your",    "here",  "xxxx",     "placeholder", "changeme",
                                        "example", "dummy", "redacted", "insert"};
    for (size_t w = 0; w < G_N_ELEMENTS(words); w++) {
        size_t k = strlen(words[w]);
        for (size_t i = 0; i + k <= s.n; i++)
            if (g_ascii_strncasecmp(s.p + i, words[w], k) == 0)
                return true;
    }
    return false;
}

static bool mixed(slice_t s)
{
    if (longest_run(s) >= AWSKEY_MAX_RUN + 2 || placeholder(s))
        return false;
    bool seen[256] = {false};
    size_t distinct = 0;
    for (size_t i = 0; i < s.n; i++)
        if (!seen[(unsigned char)s.p[i]]) {
            seen[(unsigned char)s.p[i]] = true;
            distinct++;
        }
    return distinct >= 6;
}

/* GitHub classic tokens (ghp_, gho_, ghu_, ghs_, ghr_): 30 random base62
 * characters and a 6-character base62 CRC32 of them. */
static bool github_ok(slice_t s)
{
    static const char b62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    if (s.n != 40 || s.p[3] != '_')
        return mixed(s); /* other shapes (github_pat_) carry no known checksum */
    slice_t body = slice_make(s.p + 4, 30);
    uLong crc = crc32(0L, (const Bytef *)body.p, (uInt)body.n);
    char want[6];
    for (int i = 5; i >= 0; i--) {
        want[i] = b62[crc % 62];
        crc /= 62;
    }
    return memcmp(want, s.p + 34, 6) == 0;
}

static bool pem_ok(slice_t s)
{
    size_t b64 = 0;
    for (size_t i = 0; i < s.n; i++) {
        char c = s.p[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '+' || c == '/')
            b64++;
        if (c == '.' && i + 2 < s.n && s.p[i + 1] == '.' && s.p[i + 2] == '.')
            return false; /* "..." elides a key in documentation */
    }
    return b64 >= 128 && longest_run(s) < 24;
}

bool keyrules_validate(const keyrule_t *r, slice_t secret)
{
    switch (r->validate) {
    case KEYRULES_V_NONE:
        return true;
    case KEYRULES_V_AWS_KEY_ID:
        return awskey_id_valid(secret) &&
               longest_run(slice_make(secret.p + 4, secret.n - 4)) < AWSKEY_MAX_RUN;
    case KEYRULES_V_AWS_SECRET:
        return awskey_secret_plausible(secret);
    case KEYRULES_V_SES_SMTP:
        return awskey_smtp_version(secret) > 0 && mixed(secret);
    case KEYRULES_V_GITHUB:
        return github_ok(secret);
    case KEYRULES_V_PEM:
        return pem_ok(secret);
    case KEYRULES_V_MIXED:
        return mixed(secret);
    }
    return false;
}
