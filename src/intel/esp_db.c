/*
 * esp_db.c - load data/platforms.conf into an esp_db_t; see esp_db.h.
 *
 * The format (documented for users in the data file itself and in
 * docs/platforms.md) is line-oriented:
 *
 *   platform ID "Label"
 *       STRENGTH KIND ARGS [OPTION...]
 *       region-code CODE REGION
 *
 * Tokens are bare words, "quoted strings" (\" and \\ escapes) or
 * /regular expressions/flags ending at the first unescaped '/'. Indentation
 * is for the reader only: a marker belongs to the last platform line.
 *
 * Why a hand-written format rather than JSON or key = value: one marker per
 * line keeps diffs and reviews readable, and a regex needs no second layer
 * of quoting. The parser is strict (unknown kinds, options, capture names
 * and duplicate platforms are errors) so that a typo in the data file is
 * caught at start-up instead of silently disabling a fingerprint.
 *
 * Security: the text is treated as untrusted (fuzzed by
 * tests/fuzz/fuzz_esp_db.c): every token is length-checked, NUL bytes are
 * refused, patterns are compiled in byte mode (G_REGEX_RAW) so no UTF-8
 * assumption is made on either side. Pathological patterns cannot hang a
 * scan: subjects are cut to ESP_MATCH_MAX_BYTES in esp.c and PCRE2's
 * default match limit (10 million steps) ends any runaway backtracking.
 */
#include "intel/esp_db.h"

#include <glib/gstdio.h>
#include <stdarg.h>
#include <string.h>

#include "util/slice.h"

static const char *const cap_names[ESP_CAP_COUNT] = {
    "region", "account", "account64", "regioncode", "sendtime", "sendday", "accountlist64",
};

const char *esp_db_cap_name(esp_cap_t c)
{
    return (unsigned)c < ESP_CAP_COUNT ? cap_names[c] : "?";
}

/* ---- tokens ---- */

typedef enum tok_kind { TOK_END = 0, TOK_WORD, TOK_QUOTED, TOK_REGEX } tok_kind_t;

typedef struct tok {
    tok_kind_t kind;
    char *text;  /* owned; the word, the unquoted string or the pattern */
    char *flags; /* regex flags, owned, "" if none */
} tok_t;

static void tok_clear(tok_t *t)
{
    g_free(t->text);
    g_free(t->flags);
    memset(t, 0, sizeof *t);
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static void skip_space(slice_t *s)
{
    while (s->n > 0 && is_space(s->p[0])) {
        s->p++;
        s->n--;
    }
}

/* Read one token; advances *s only on success. Returns false with *why. */
static bool tok_next(slice_t *s, tok_t *t, const char **why)
{
    slice_t c = *s;
    skip_space(&c);
    memset(t, 0, sizeof *t);
    if (c.n == 0) {
        *s = c;
        return true; /* TOK_END */
    }
    if (c.p[0] == '"') {
        GString *out = g_string_new(NULL);
        size_t i = 1;
        bool closed = false;
        while (i < c.n) {
            char ch = c.p[i];
            if (ch == '\\' && i + 1 < c.n) {
                g_string_append_c(out, c.p[i + 1]);
                i += 2;
                continue;
            }
            i++;
            if (ch == '"') {
                closed = true;
                break;
            }
            g_string_append_c(out, ch);
        }
        if (!closed) {
            g_string_free(out, TRUE);
            *why = "unterminated quoted string";
            return false;
        }
        t->kind = TOK_QUOTED;
        t->text = g_string_free(out, FALSE);
        c.p += i;
        c.n -= i;
    } else if (c.p[0] == '/') {
        size_t i = 1;
        bool closed = false;
        while (i < c.n) {
            if (c.p[i] == '\\' && i + 1 < c.n) {
                i += 2;
                continue;
            }
            if (c.p[i] == '/') {
                closed = true;
                break;
            }
            i++;
        }
        if (!closed) {
            *why = "unterminated /pattern/";
            return false;
        }
        size_t plen = i - 1;
        size_t f = i + 1;
        while (f < c.n && !is_space(c.p[f]))
            f++;
        t->kind = TOK_REGEX;
        t->text = slice_dup(slice_make(c.p + 1, plen));
        t->flags = slice_dup(slice_make(c.p + i + 1, f - i - 1));
        c.p += f;
        c.n -= f;
    } else {
        size_t i = 0;
        while (i < c.n && !is_space(c.p[i]))
            i++;
        t->kind = TOK_WORD;
        t->text = slice_dup(slice_make(c.p, i));
        c.p += i;
        c.n -= i;
    }
    *s = c;
    return true;
}

/* ---- validation helpers ---- */

static bool valid_id(const char *s, size_t max)
{
    size_t n = strlen(s);
    if (n == 0 || n > max || s[0] == '-')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return false;
    return true;
}

static bool valid_header_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 128)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 33 || c > 126 || c == ':')
            return false;
    }
    return true;
}

static bool valid_domain(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 253)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
            return false;
    }
    return strcmp(s, ".") != 0;
}

static bool valid_label(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 128 || !g_utf8_validate(s, (gssize)n, NULL))
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 32 || s[i] == 127)
            return false;
    return true;
}

/* Check every named group of the pattern against the known capture names.
 * Escapes are skipped so "\(?<" is not taken for a group. */
static bool check_group_names(const char *pat, const char **why)
{
    size_t n = strlen(pat);
    for (size_t i = 0; i < n; i++) {
        if (pat[i] == '\\') {
            i++;
            continue;
        }
        if (pat[i] != '(' || i + 2 >= n || pat[i + 1] != '?')
            continue;
        size_t j = i + 2;
        char close = '>';
        if (pat[j] == 'P' && j + 1 < n && pat[j + 1] == '<')
            j += 2;
        else if (pat[j] == '<')
            j += 1;
        else if (pat[j] == '\'') {
            j += 1;
            close = '\'';
        } else
            continue;
        if (j >= n || pat[j] == '=' || pat[j] == '!')
            continue; /* look-behind */
        size_t k = j;
        while (k < n && pat[k] != close)
            k++;
        bool known = false;
        for (int c = 0; c < ESP_CAP_COUNT; c++)
            if (k - j == strlen(cap_names[c]) && memcmp(pat + j, cap_names[c], k - j) == 0)
                known = true;
        if (!known) {
            *why = "unknown capture name (known: region, account, account64, regioncode, "
                   "sendtime, sendday, accountlist64)";
            return false;
        }
        i = k;
    }
    return true;
}

/* ---- literal prefilter ---- */

static bool is_quantifier(char c)
{
    return c == '?' || c == '*' || c == '+' || c == '{';
}

/* End the current run: keep it if it is the longest so far. */
static void run_end(GString *run, GString *best)
{
    if (run->len > best->len)
        g_string_assign(best, run->str);
    g_string_truncate(run, 0);
}

char *esp_db_required_literal(const char *pat)
{
    size_t n = strlen(pat);
    GString *run = g_string_new(NULL), *best = g_string_new(NULL);
    int depth = 0;
    bool give_up = false;
    for (size_t i = 0; i < n && !give_up; i++) {
        char c = pat[i];
        if (c == '(') {
            /* Inline options ((?i), (?x), ...) change what follows: stop. */
            if (i + 2 < n && pat[i + 1] == '?' && g_ascii_isalpha(pat[i + 2]) && pat[i + 2] != 'P')
                give_up = true;
            run_end(run, best);
            depth++;
            continue;
        }
        if (c == ')') {
            depth = depth > 0 ? depth - 1 : 0;
            /* a quantified group is fine: the run ended at '(' */
            continue;
        }
        if (c == '[') { /* skip a class; ']' right after '[' or '[^' is literal */
            size_t j = i + 1;
            if (j < n && pat[j] == '^')
                j++;
            if (j < n && pat[j] == ']')
                j++;
            while (j < n && pat[j] != ']') {
                if (pat[j] == '\\')
                    j++;
                j++;
            }
            i = j;
            run_end(run, best);
            continue;
        }
        if (depth > 0) {
            if (c == '\\')
                i++;
            continue;
        }
        if (c == '{') { /* a counted repeat: its digits are not text */
            while (i < n && pat[i] != '}')
                i++;
            run_end(run, best);
            continue;
        }
        if (c == '|') {
            give_up = true;
            break;
        }
        char lit = 0;
        if (c == '\\') {
            if (i + 1 < n && !g_ascii_isalnum(pat[i + 1]))
                lit = pat[++i];
        } else if (!strchr(".^$?*+{}", c)) {
            lit = c;
        }
        if (lit == 0) {
            if (is_quantifier(c) && run->len > 0)
                g_string_truncate(run, run->len - 1);
            run_end(run, best);
            continue;
        }
        if (i + 1 < n && is_quantifier(pat[i + 1])) {
            run_end(run, best); /* this char is optional or repeated */
            continue;
        }
        g_string_append_c(run, lit);
    }
    run_end(run, best);
    g_string_free(run, TRUE);
    char *out = NULL;
    if (!give_up && best->len >= 3)
        out = g_strdup(best->str);
    g_string_free(best, TRUE);
    return out;
}

/* ---- objects ---- */

static void matcher_free(gpointer p)
{
    esp_matcher_t *mt = p;
    if (mt == NULL)
        return;
    g_free(mt->header);
    g_free(mt->domain);
    if (mt->re)
        g_regex_unref(mt->re);
    g_free(mt->source);
    g_free(mt->region_default);
    g_free(mt->literal);
    g_free(mt);
}

static void platform_free(gpointer p)
{
    esp_platform_t *pl = p;
    if (pl == NULL)
        return;
    g_free(pl->name);
    g_free(pl->label);
    g_ptr_array_free(pl->matchers, TRUE);
    g_hash_table_destroy(pl->region_codes);
    g_free(pl);
}

void esp_db_free(esp_db_t *db)
{
    if (db == NULL)
        return;
    g_ptr_array_free(db->platforms, TRUE);
    g_free(db);
}

static esp_platform_t *platform_new(void)
{
    esp_platform_t *pl = g_new0(esp_platform_t, 1);
    pl->matchers = g_ptr_array_new_with_free_func(matcher_free);
    pl->region_codes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return pl;
}

/* ---- line parsing ---- */

typedef struct parser {
    const char *name;
    int line;
    esp_db_t *db;
    esp_platform_t *cur;
    char *err;
} parser_t;

static bool fail(parser_t *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool fail(parser_t *ps, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *why = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (ps->err == NULL)
        ps->err = g_strdup_printf("%s:%d: %s", ps->name, ps->line, why);
    g_free(why);
    return false;
}

static bool next(parser_t *ps, slice_t *s, tok_t *t)
{
    const char *why = NULL;
    if (!tok_next(s, t, &why))
        return fail(ps, "%s", why);
    return true;
}

/* A platform must have a strong marker, or it could never be chosen. */
static bool finish_platform(parser_t *ps)
{
    if (ps->cur == NULL)
        return true;
    for (guint i = 0; i < ps->cur->matchers->len; i++) {
        const esp_matcher_t *mt = g_ptr_array_index(ps->cur->matchers, i);
        if (mt->strong)
            return true;
    }
    return fail(ps, "platform %s has no strong marker", ps->cur->name);
}

static bool parse_platform(parser_t *ps, slice_t *s)
{
    tok_t id = {0}, label = {0}, extra = {0};
    bool ok = false;
    if (!finish_platform(ps))
        return false;
    if (!next(ps, s, &id) || !next(ps, s, &label) || !next(ps, s, &extra))
        goto out;
    if (id.kind != TOK_WORD || !valid_id(id.text, 64)) {
        fail(ps, "platform: expected an id of [a-z0-9-]");
        goto out;
    }
    if (label.kind != TOK_QUOTED || !valid_label(label.text)) {
        fail(ps, "platform %s: expected a \"Label\" (UTF-8, at most 128 bytes)", id.text);
        goto out;
    }
    if (extra.kind != TOK_END) {
        fail(ps, "platform %s: unexpected text after the label", id.text);
        goto out;
    }
    for (guint i = 0; i < ps->db->platforms->len; i++) {
        const esp_platform_t *o = g_ptr_array_index(ps->db->platforms, i);
        if (strcmp(o->name, id.text) == 0) {
            fail(ps, "platform %s defined twice", id.text);
            goto out;
        }
    }
    if (ps->db->platforms->len >= ESP_DB_MAX_PLATFORMS) {
        fail(ps, "more than %d platforms", ESP_DB_MAX_PLATFORMS);
        goto out;
    }
    esp_platform_t *pl = platform_new();
    pl->name = g_steal_pointer(&id.text);
    pl->label = g_steal_pointer(&label.text);
    g_ptr_array_add(ps->db->platforms, pl);
    ps->cur = pl;
    ok = true;
out:
    tok_clear(&id);
    tok_clear(&label);
    tok_clear(&extra);
    return ok;
}

static bool parse_region_code(parser_t *ps, slice_t *s)
{
    tok_t code = {0}, region = {0}, extra = {0};
    bool ok = false;
    if (ps->cur == NULL)
        return fail(ps, "region-code before any platform line");
    if (!next(ps, s, &code) || !next(ps, s, &region) || !next(ps, s, &extra))
        goto out;
    if (code.kind != TOK_WORD || strlen(code.text) > 16) {
        fail(ps, "region-code: expected a code of at most 16 characters");
        goto out;
    }
    char *lc = g_ascii_strdown(code.text, -1);
    bool code_ok = lc[0] != '\0';
    for (const char *p = lc; *p; p++)
        if (!g_ascii_isalnum(*p))
            code_ok = false;
    if (!code_ok) {
        g_free(lc);
        fail(ps, "region-code: the code must be letters and digits");
        goto out;
    }
    if (region.kind != TOK_WORD || !valid_id(region.text, 64) || extra.kind != TOK_END) {
        g_free(lc);
        fail(ps, "region-code %s: expected one region name of [a-z0-9-]", code.text);
        goto out;
    }
    if (g_hash_table_contains(ps->cur->region_codes, lc)) {
        g_free(lc);
        fail(ps, "region-code %s given twice", code.text);
        goto out;
    }
    if (g_hash_table_size(ps->cur->region_codes) >= ESP_DB_MAX_REGION_CODES) {
        g_free(lc);
        fail(ps, "more than %d region codes", ESP_DB_MAX_REGION_CODES);
        goto out;
    }
    g_hash_table_insert(ps->cur->region_codes, lc, g_steal_pointer(&region.text));
    ok = true;
out:
    tok_clear(&code);
    tok_clear(&region);
    tok_clear(&extra);
    return ok;
}

static const struct {
    const char *word;
    esp_kind_t kind;
} kinds[] = {
    {"header", ESP_KIND_HEADER},
    {"header-present", ESP_KIND_HEADER_PRESENT},
    {"dkim", ESP_KIND_DKIM},
    {"received-from", ESP_KIND_RECEIVED_FROM},
    {"received-by", ESP_KIND_RECEIVED_BY},
    {"received", ESP_KIND_RECEIVED},
    {"message-id", ESP_KIND_MESSAGE_ID},
    {"return-path", ESP_KIND_RETURN_PATH},
};

static bool compile(parser_t *ps, esp_matcher_t *mt, const tok_t *t)
{
    const char *why = NULL;
    GRegexCompileFlags cf = G_REGEX_RAW | G_REGEX_OPTIMIZE;
    if (strlen(t->text) == 0 || strlen(t->text) > ESP_DB_MAX_PATTERN)
        return fail(ps, "pattern empty or longer than %d bytes", ESP_DB_MAX_PATTERN);
    for (const char *f = t->flags; *f; f++) {
        if (*f == 'i')
            cf |= G_REGEX_CASELESS;
        else
            return fail(ps, "unknown pattern flag '%c' (only i)", *f);
    }
    if (!check_group_names(t->text, &why))
        return fail(ps, "%s", why);
    GError *e = NULL;
    mt->re = g_regex_new(t->text, cf, 0, &e);
    if (mt->re == NULL) {
        fail(ps, "bad pattern: %s", e ? e->message : "?");
        g_clear_error(&e);
        return false;
    }
    mt->source = g_strdup(t->text);
    mt->literal = esp_db_required_literal(t->text);
    mt->literal_ci = (cf & G_REGEX_CASELESS) != 0;
    if (mt->literal_ci && mt->literal) {
        char *lc = g_ascii_strdown(mt->literal, -1);
        g_free(mt->literal);
        mt->literal = lc;
    }
    for (int c = 0; c < ESP_CAP_COUNT; c++)
        mt->cap[c] = g_regex_get_string_number(mt->re, cap_names[c]);
    return true;
}

/* ARGS of each kind; on return *s is at the options. */
static bool parse_args(parser_t *ps, slice_t *s, esp_matcher_t *mt)
{
    tok_t a = {0}, b = {0};
    bool ok = false;
    if (!next(ps, s, &a))
        return false;
    switch (mt->kind) {
    case ESP_KIND_HEADER:
    case ESP_KIND_HEADER_PRESENT:
        if (a.kind != TOK_WORD || !valid_header_name(a.text)) {
            fail(ps, "expected a header name");
            goto out;
        }
        mt->header = g_steal_pointer(&a.text);
        mt->header_len = strlen(mt->header);
        if (mt->kind == ESP_KIND_HEADER_PRESENT) {
            ok = true;
            goto out;
        }
        if (!next(ps, s, &b))
            goto out;
        if (b.kind != TOK_REGEX) {
            fail(ps, "header %s: expected a /pattern/", mt->header);
            goto out;
        }
        ok = compile(ps, mt, &b);
        goto out;
    case ESP_KIND_DKIM:
        if (a.kind == TOK_REGEX) {
            ok = compile(ps, mt, &a);
            goto out;
        }
        if (a.kind != TOK_WORD || !valid_domain(a.text)) {
            fail(ps, "dkim: expected a lower-case domain, .suffix or /pattern/");
            goto out;
        }
        mt->domain = g_steal_pointer(&a.text);
        ok = true;
        goto out;
    default:
        if (a.kind != TOK_REGEX) {
            fail(ps, "expected a /pattern/");
            goto out;
        }
        ok = compile(ps, mt, &a);
        goto out;
    }
out:
    tok_clear(&a);
    tok_clear(&b);
    return ok;
}

static bool parse_options(parser_t *ps, slice_t *s, esp_matcher_t *mt)
{
    for (;;) {
        tok_t o = {0};
        if (!next(ps, s, &o))
            return false;
        if (o.kind == TOK_END)
            return true;
        bool ok = true;
        if (o.kind == TOK_WORD && strcmp(o.text, "forged-alone") == 0) {
            mt->forged_alone = true;
        } else if (o.kind == TOK_WORD && g_str_has_prefix(o.text, "region=") &&
                   valid_id(o.text + 7, 64) && mt->region_default == NULL) {
            mt->region_default = g_strdup(o.text + 7);
        } else {
            ok = fail(ps, "unknown or repeated option \"%s\"", o.text ? o.text : "");
        }
        tok_clear(&o);
        if (!ok)
            return false;
    }
}

static bool parse_marker(parser_t *ps, slice_t *s, bool strong)
{
    tok_t k = {0};
    if (ps->cur == NULL)
        return fail(ps, "marker before any platform line");
    if (ps->cur->matchers->len >= ESP_DB_MAX_MATCHERS)
        return fail(ps, "more than %d markers in platform %s", ESP_DB_MAX_MATCHERS, ps->cur->name);
    if (!next(ps, s, &k))
        return false;
    int kind = -1;
    for (size_t i = 0; i < G_N_ELEMENTS(kinds); i++)
        if (k.kind == TOK_WORD && strcmp(k.text, kinds[i].word) == 0)
            kind = (int)kinds[i].kind;
    tok_clear(&k);
    if (kind < 0)
        return fail(ps, "unknown marker kind (header, header-present, dkim, received-from, "
                        "received-by, received, message-id, return-path)");
    esp_matcher_t *mt = g_new0(esp_matcher_t, 1);
    mt->kind = (esp_kind_t)kind;
    mt->strong = strong;
    mt->line = ps->line;
    for (int c = 0; c < ESP_CAP_COUNT; c++)
        mt->cap[c] = -1;
    if (!parse_args(ps, s, mt) || !parse_options(ps, s, mt)) {
        matcher_free(mt);
        return false;
    }
    if (mt->cap[ESP_CAP_REGIONCODE] >= 0 && mt->kind == ESP_KIND_HEADER_PRESENT) {
        matcher_free(mt);
        return fail(ps, "captures need a pattern");
    }
    g_ptr_array_add(ps->cur->matchers, mt);
    return true;
}

static bool parse_line(parser_t *ps, slice_t line)
{
    slice_t s = line;
    tok_t first = {0};
    skip_space(&s);
    if (s.n == 0 || s.p[0] == '#')
        return true;
    if (memchr(s.p, '\0', s.n) != NULL)
        return fail(ps, "NUL byte in line");
    if (!next(ps, &s, &first))
        return false;
    bool ok;
    if (first.kind != TOK_WORD)
        ok = fail(ps, "expected platform, region-code, strong or weak");
    else if (strcmp(first.text, "platform") == 0)
        ok = parse_platform(ps, &s);
    else if (strcmp(first.text, "region-code") == 0)
        ok = parse_region_code(ps, &s);
    else if (strcmp(first.text, "strong") == 0)
        ok = parse_marker(ps, &s, true);
    else if (strcmp(first.text, "weak") == 0)
        ok = parse_marker(ps, &s, false);
    else
        ok = fail(ps, "expected platform, region-code, strong or weak");
    tok_clear(&first);
    return ok;
}

esp_db_t *esp_db_parse(const char *name, const char *text, size_t len, char **err)
{
    parser_t ps = {.name = name ? name : "platforms.conf"};
    ps.db = g_new0(esp_db_t, 1);
    ps.db->platforms = g_ptr_array_new_with_free_func(platform_free);
    bool ok = true;
    if (len > ESP_DB_MAX_BYTES) {
        ps.line = 0;
        ok = fail(&ps, "file larger than %u bytes", ESP_DB_MAX_BYTES);
    }
    slice_t rest = slice_make(text ? text : "", text ? len : 0);
    while (ok && rest.n > 0) {
        slice_t line = slice_split(&rest, '\n');
        if (line.n > 0 && line.p[line.n - 1] == '\r')
            line.n--;
        ps.line++;
        ok = parse_line(&ps, line);
    }
    if (ok)
        ok = finish_platform(&ps);
    if (ok && ps.db->platforms->len == 0) {
        ok = fail(&ps, "no platform defined");
    }
    if (!ok) {
        esp_db_free(ps.db);
        if (err)
            *err = ps.err;
        else
            g_free(ps.err);
        return NULL;
    }
    g_free(ps.err);
    return ps.db;
}

esp_db_t *esp_db_load(const char *path, char **err)
{
    gchar *text = NULL;
    gsize len = 0;
    GError *e = NULL;
    GStatBuf st;
    if (g_stat(path, &st) == 0 && (guint64)st.st_size > ESP_DB_MAX_BYTES) {
        if (err)
            *err = g_strdup_printf("%s:0: file larger than %u bytes", path, ESP_DB_MAX_BYTES);
        return NULL;
    }
    if (!g_file_get_contents(path, &text, &len, &e)) {
        if (err)
            *err = g_strdup_printf("%s:0: %s", path, e ? e->message : "cannot read");
        g_clear_error(&e);
        return NULL;
    }
    esp_db_t *db = esp_db_parse(path, text, len, err);
    g_free(text);
    return db;
}
