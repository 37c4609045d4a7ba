/*
 * keyreport.c - JSON Lines, SARIF and text reports, and baselines; see
 * keyreport.h.
 */
#include "keys/keyreport.h"

#include <json-c/json.h>
#include <string.h>

#include "util/i18n.h"

struct keybaseline {
    GHashTable *fps;
};

static bool is_fp(slice_t s)
{
    if (s.n != 64)
        return false;
    for (size_t i = 0; i < s.n; i++)
        if (!g_ascii_isxdigit(s.p[i]))
            return false;
    return true;
}

keybaseline_t *keybaseline_load(const char *path, char **err)
{
    char *text = NULL;
    gsize len = 0;
    GError *ge = NULL;
    if (!g_file_get_contents(path, &text, &len, &ge)) {
        *err = g_strdup_printf("%s: %s", path, ge->message);
        g_error_free(ge);
        return NULL;
    }
    if (len > KEYREPORT_MAX_BASELINE) {
        *err = g_strdup_printf("%s: larger than %d bytes", path, KEYREPORT_MAX_BASELINE);
        g_free(text);
        return NULL;
    }
    keybaseline_t *b = g_new0(keybaseline_t, 1);
    b->fps = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    slice_t rest = slice_make(text, len);
    unsigned lineno = 0;
    while (rest.n > 0) {
        slice_t line = slice_trim(slice_split(&rest, '\n'));
        lineno++;
        if (line.n == 0 || line.p[0] == '#')
            continue;
        slice_t fp = line;
        json_object *obj = NULL;
        if (line.p[0] == '{') {
            json_tokener *tok = json_tokener_new();
            obj = json_tokener_parse_ex(tok, line.p, (int)MIN(line.n, (size_t)G_MAXINT));
            json_tokener_free(tok);
            json_object *v = NULL;
            if (obj && json_object_object_get_ex(obj, "fingerprint", &v) &&
                json_object_is_type(v, json_type_string))
                fp = slice_cstr(json_object_get_string(v));
            else
                fp = slice_make(NULL, 0);
        }
        bool ok = is_fp(fp);
        if (ok)
            g_hash_table_add(b->fps, g_ascii_strdown(fp.p, (gssize)fp.n));
        json_object_put(obj);
        if (!ok) {
            *err =
                g_strdup_printf("%s:%u: not a finding fingerprint or a JSON finding", path, lineno);
            keybaseline_free(b);
            g_free(text);
            return NULL;
        }
    }
    g_free(text);
    return b;
}

bool keybaseline_has(const keybaseline_t *b, const char *fingerprint)
{
    return b && fingerprint && g_hash_table_contains(b->fps, fingerprint);
}

void keybaseline_free(keybaseline_t *b)
{
    if (b == NULL)
        return;
    g_hash_table_destroy(b->fps);
    g_free(b);
}

keyreport_status_t keyreport_status(const keyfinding_t *f, const keyreport_opts_t *o)
{
    if (f->allowed)
        return KEYREPORT_ALLOWED;
    if (keybaseline_has(o->baseline, f->fingerprint))
        return KEYREPORT_BASELINE;
    return KEYREPORT_NEW;
}

size_t keyreport_count_new(const keyscan_t *ks, const keyreport_opts_t *o)
{
    const GPtrArray *fs = keyscan_findings(ks);
    size_t n = 0;
    for (guint i = 0; i < fs->len; i++)
        n += keyreport_status(g_ptr_array_index((GPtrArray *)fs, i), o) == KEYREPORT_NEW;
    return n;
}

static const char *status_name(keyreport_status_t s)
{
    return s == KEYREPORT_ALLOWED ? "allowed" : s == KEYREPORT_BASELINE ? "baseline" : "new";
}

char *keyreport_redact(const char *secret)
{
    size_t n = strlen(secret);
    if (strncmp(secret, "-----BEGIN ", 11) == 0) {
        const char *end = strstr(secret + 11, "-----");
        size_t k = end ? (size_t)(end - secret) + 5 : 11;
        return g_strdup_printf("%.*s****", (int)MIN(k, (size_t)64), secret);
    }
    size_t k = MIN((size_t)4, n / 5);
    return g_strdup_printf("%.*s****", (int)k, secret);
}

/* Input text (paths, authors) as valid UTF-8 for JSON. */
static json_object *jstr(const char *s)
{
    char *v = g_utf8_make_valid(s, -1);
    json_object *o = json_object_new_string(v);
    g_free(v);
    return o;
}

static json_object *secret_value(const char *s, const keyreport_opts_t *o)
{
    if (o->show_secrets)
        return jstr(s);
    char *r = keyreport_redact(s);
    json_object *j = jstr(r);
    g_free(r);
    return j;
}

static const char *aws_secret_of(const keyrules_t *rs, const keyfinding_t *f)
{
    if (keyrules_get(rs, (size_t)f->rule)->validate == KEYRULES_V_AWS_SECRET)
        return f->secret;
    if (f->paired_rule >= 0 &&
        keyrules_get(rs, (size_t)f->paired_rule)->validate == KEYRULES_V_AWS_SECRET)
        return f->paired_secret;
    return NULL;
}

static json_object *smtp_passwords(const keyrules_t *rs, const char *secret)
{
    json_object *o = json_object_new_object();
    char pw[AWSKEY_SMTP_PW_LEN + 1];
    for (const char *const *r = keyrules_ses_regions(rs); *r; r++)
        if (awskey_smtp_password(slice_cstr(secret), *r, pw) == 0)
            json_object_object_add(o, *r, json_object_new_string(pw));
    return o;
}

static json_object *finding_json(const keyrules_t *rs, const keyfinding_t *f,
                                 const keyreport_opts_t *o)
{
    const keyrule_t *r = keyrules_get(rs, (size_t)f->rule);
    json_object *j = json_object_new_object();
    json_object_object_add(j, "schema", json_object_new_int(KEYREPORT_SCHEMA));
    json_object_object_add(j, "rule", json_object_new_string(r->id));
    json_object_object_add(j, "name", json_object_new_string(r->name));
    if (r->provider)
        json_object_object_add(j, "provider", json_object_new_string(r->provider));
    json_object_object_add(j, "path", jstr(f->path));
    json_object_object_add(j, "line", json_object_new_int64((int64_t)f->line));
    json_object_object_add(j, "column", json_object_new_int64(f->column));
    json_object_object_add(j, "secret", secret_value(f->secret, o));
    json_object_object_add(j, "secret_length", json_object_new_int64((int64_t)strlen(f->secret)));
    if (f->key_id) {
        json_object_object_add(j, "key_id", json_object_new_string(f->key_id));
        json_object_object_add(j, "account_id",
                               f->account[0] ? json_object_new_string(f->account) : NULL);
        json_object_object_add(j, "key_kind", json_object_new_string(awskey_kind_name(f->kind)));
    }
    if (f->paired_secret) {
        json_object_object_add(
            j, "paired_rule", json_object_new_string(keyrules_get(rs, (size_t)f->paired_rule)->id));
        json_object_object_add(j, "paired_secret", secret_value(f->paired_secret, o));
    }
    if (r->provider && strcmp(r->provider, "aws") == 0) {
        json_object_object_add(j, "example", json_object_new_boolean(f->example));
        json_object_object_add(j, "canary", json_object_new_boolean(f->canary));
    }
    json_object_object_add(j, "likely_live", json_object_new_boolean(!f->example && !f->canary));
    if (f->smtp_version) {
        json_object *s = json_object_new_object();
        json_object_object_add(s, "version", json_object_new_int(f->smtp_version));
        if (f->smtp_endpoint)
            json_object_object_add(s, "endpoint_region", json_object_new_string(f->smtp_endpoint));
        if (f->smtp_region) {
            json_object_object_add(s, "region", json_object_new_string(f->smtp_region));
            json_object_object_add(s, "derived_from", json_object_new_string(f->smtp_key));
        }
        json_object_object_add(j, "ses_smtp", s);
    }
    const char *aws_secret = aws_secret_of(rs, f);
    if (aws_secret && o->show_secrets)
        json_object_object_add(j, "ses_smtp_passwords", smtp_passwords(rs, aws_secret));
    if (f->origin.commit) {
        json_object_object_add(j, "commit", json_object_new_string(f->origin.commit));
        json_object_object_add(j, "author_date", jstr(f->origin.author_date));
        if (f->origin.author)
            json_object_object_add(j, "author", jstr(f->origin.author));
    }
    json_object_object_add(j, "status",
                           json_object_new_string(status_name(keyreport_status(f, o))));
    json_object_object_add(j, "fingerprint", json_object_new_string(f->fingerprint));
    return j;
}

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

int keyreport_json(FILE *out, const keyscan_t *ks, const keyreport_opts_t *o)
{
    const GPtrArray *fs = keyscan_findings(ks);
    for (guint i = 0; i < fs->len; i++) {
        json_object *j = finding_json(keyscan_rules(ks), g_ptr_array_index((GPtrArray *)fs, i), o);
        fputs(json_object_to_json_string_ext(j, JSON_FLAGS), out);
        fputc('\n', out);
        json_object_put(j);
    }
    return ferror(out) ? -1 : 0;
}

static char *sarif_uri(const char *path)
{
    while (path[0] == '.' && path[1] == '/')
        path += 2;
    char *v = g_utf8_make_valid(path, -1);
    char *u = g_uri_escape_string(v, "/!", TRUE);
    g_free(v);
    if (path[0] == '/') { /* absolute: a file URI; relative: a relative reference */
        char *f = g_strconcat("file://", u, NULL);
        g_free(u);
        u = f;
    }
    return u;
}

static json_object *sarif_rules(const keyrules_t *rs)
{
    json_object *arr = json_object_new_array();
    for (size_t i = 0; i < keyrules_count(rs); i++) {
        const keyrule_t *r = keyrules_get(rs, i);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "id", json_object_new_string(r->id));
        json_object_object_add(o, "name", json_object_new_string(r->id));
        json_object *sd = json_object_new_object();
        json_object_object_add(sd, "text", json_object_new_string(r->name));
        json_object_object_add(o, "shortDescription", sd);
        json_object *help = json_object_new_object();
        json_object_object_add(
            help, "text",
            json_object_new_string("A credential is in the repository. Revoke or deactivate it "
                                   "at its provider first, check its use in the provider's logs "
                                   "(for AWS: CloudTrail, with `sesguard trail`), rotate it, then "
                                   "remove it from the files and the git history."));
        json_object_object_add(o, "help", help);
        json_object *dc = json_object_new_object();
        json_object_object_add(dc, "level", json_object_new_string("error"));
        json_object_object_add(o, "defaultConfiguration", dc);
        json_object *props = json_object_new_object();
        json_object *tags = json_object_new_array();
        json_object_array_add(tags, json_object_new_string("security"));
        json_object_array_add(tags, json_object_new_string("secret"));
        json_object_object_add(props, "tags", tags);
        json_object_object_add(props, "security-severity", json_object_new_string("9.0"));
        json_object_object_add(o, "properties", props);
        json_object_array_add(arr, o);
    }
    return arr;
}

static json_object *sarif_result(const keyrules_t *rs, const keyfinding_t *f,
                                 const keyreport_opts_t *o)
{
    const keyrule_t *r = keyrules_get(rs, (size_t)f->rule);
    json_object *res = json_object_new_object();
    json_object_object_add(res, "ruleId", json_object_new_string(r->id));
    json_object_object_add(res, "ruleIndex", json_object_new_int(f->rule));
    json_object_object_add(res, "level", json_object_new_string("error"));
    char *red = o->show_secrets ? g_strdup(f->secret) : keyreport_redact(f->secret);
    char *text;
    if (f->key_id)
        text = g_strdup_printf("%s %s (account %s, %s)%s", r->name, f->key_id,
                               f->account[0] ? f->account : "unknown", awskey_kind_name(f->kind),
                               f->paired_secret ? " with its secret access key" : "");
    else
        text = g_strdup_printf("%s %s", r->name, red);
    json_object *msg = json_object_new_object();
    json_object_object_add(msg, "text", jstr(text));
    json_object_object_add(res, "message", msg);
    g_free(text);
    g_free(red);
    json_object *region = json_object_new_object();
    json_object_object_add(region, "startLine", json_object_new_int64((int64_t)f->line));
    json_object_object_add(region, "startColumn", json_object_new_int64(f->column));
    json_object *art = json_object_new_object();
    char *uri = sarif_uri(f->path);
    json_object_object_add(art, "uri", json_object_new_string(uri));
    g_free(uri);
    json_object *phys = json_object_new_object();
    json_object_object_add(phys, "artifactLocation", art);
    json_object_object_add(phys, "region", region);
    json_object *loc = json_object_new_object();
    json_object_object_add(loc, "physicalLocation", phys);
    json_object *locs = json_object_new_array();
    json_object_array_add(locs, loc);
    json_object_object_add(res, "locations", locs);
    json_object *pf = json_object_new_object();
    json_object_object_add(pf, "sesguard/v1", json_object_new_string(f->fingerprint));
    json_object_object_add(res, "partialFingerprints", pf);
    keyreport_status_t st = keyreport_status(f, o);
    if (st != KEYREPORT_NEW) {
        json_object *sup = json_object_new_object();
        json_object_object_add(
            sup, "kind", json_object_new_string(st == KEYREPORT_ALLOWED ? "inSource" : "external"));
        json_object *sups = json_object_new_array();
        json_object_array_add(sups, sup);
        json_object_object_add(res, "suppressions", sups);
    }
    if (f->origin.commit) {
        json_object *props = json_object_new_object();
        json_object_object_add(props, "commit", json_object_new_string(f->origin.commit));
        json_object_object_add(props, "authorDate", jstr(f->origin.author_date));
        json_object_object_add(res, "properties", props);
    }
    return res;
}

int keyreport_sarif(FILE *out, const keyscan_t *ks, const keyreport_opts_t *o)
{
    const keyrules_t *rs = keyscan_rules(ks);
    json_object *root = json_object_new_object();
    json_object_object_add(root, "$schema",
                           json_object_new_string("https://json.schemastore.org/sarif-2.1.0.json"));
    json_object_object_add(root, "version", json_object_new_string("2.1.0"));
    json_object *driver = json_object_new_object();
    json_object_object_add(driver, "name", json_object_new_string("sesguard"));
    json_object_object_add(driver, "semanticVersion", json_object_new_string(SG_VERSION));
    json_object_object_add(driver, "rules", sarif_rules(rs));
    json_object *tool = json_object_new_object();
    json_object_object_add(tool, "driver", driver);
    json_object *results = json_object_new_array();
    const GPtrArray *fs = keyscan_findings(ks);
    for (guint i = 0; i < fs->len; i++)
        json_object_array_add(results, sarif_result(rs, g_ptr_array_index((GPtrArray *)fs, i), o));
    json_object *run = json_object_new_object();
    json_object_object_add(run, "tool", tool);
    json_object_object_add(run, "results", results);
    json_object *runs = json_object_new_array();
    json_object_array_add(runs, run);
    json_object_object_add(root, "runs", runs);
    fputs(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE),
          out);
    fputc('\n', out);
    json_object_put(root);
    return ferror(out) ? -1 : 0;
}

/* Attacker text on a terminal: no control characters, no escapes. */
static void put_clean(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc(((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s, out);
}

static void text_finding(FILE *out, const keyrules_t *rs, const keyfinding_t *f,
                         const keyreport_opts_t *o, bool ja)
{
    const keyrule_t *r = keyrules_get(rs, (size_t)f->rule);
    put_clean(out, f->path);
    fprintf(out, ":%llu:%u: %s [%s]\n", (unsigned long long)f->line, f->column,
            ja && r->name_ja ? r->name_ja : r->name, r->id);
    char *red = o->show_secrets ? g_strdup(f->secret) : keyreport_redact(f->secret);
    if (f->key_id) {
        fprintf(out, _("    key id %s, account %s, %s key\n"), f->key_id,
                f->account[0] ? f->account : _("not encoded (older key)"),
                _(awskey_kind_name(f->kind)));
    } else {
        fputs(_("    secret: "), out);
        put_clean(out, red);
        fputc('\n', out);
    }
    g_free(red);
    if (f->paired_secret) {
        char *pr =
            o->show_secrets ? g_strdup(f->paired_secret) : keyreport_redact(f->paired_secret);
        fputs(_("    with its secret: "), out);
        put_clean(out, pr);
        fputc('\n', out);
        g_free(pr);
    }
    if (f->example)
        fputs(_("    note: AWS documentation example key, not a live credential\n"), out);
    if (f->canary)
        fputs(_("    note: canary-token account: a planted tripwire, not a leaked key\n"), out);
    if (f->smtp_region)
        fprintf(out, _("    SES SMTP password of key %s (region %s)\n"), f->smtp_key,
                f->smtp_region);
    if (f->origin.commit) {
        fprintf(out, _("    introduced in commit %.12s on %s"), f->origin.commit,
                f->origin.author_date ? f->origin.author_date : "?");
        if (f->origin.author) {
            fputs(" (", out);
            put_clean(out, f->origin.author);
            fputc(')', out);
        }
        fputc('\n', out);
    }
}

static void text_advice(FILE *out, bool aws, bool other)
{
    if (aws)
        fputs(_("\nWhat to do now about a leaked AWS key (assume it is already in use):\n"
                "  1. Deactivate it in IAM now: aws iam update-access-key --status Inactive\n"
                "     --access-key-id KEY_ID (or in the console: IAM > Users > Security\n"
                "     credentials).\n"
                "  2. Check what it was used for: get the key's CloudTrail events (all\n"
                "     regions) and run `sesguard trail` on them; look for SES sending,\n"
                "     sandbox lift requests and new IAM users or keys.\n"
                "  3. Rotate: create a new key, deploy it, then delete the old one. SES SMTP\n"
                "     passwords derived from the old key stop working with it.\n"
                "  4. Remove it from the files and from git history (git filter-repo);\n"
                "     deleting the file is not enough, clones and forks keep it.\n"),
              out);
    if (other)
        fputs(_("\nFor other credentials: revoke the key at its provider (SendGrid, Mailgun,\n"
                "GitHub, Slack, ...), check the provider's activity log, issue a new key,\n"
                "and remove the old one from the files and the git history.\n"),
              out);
}

int keyreport_text(FILE *out, const keyscan_t *ks, const keyreport_opts_t *o)
{
    const keyrules_t *rs = keyscan_rules(ks);
    const GPtrArray *fs = keyscan_findings(ks);
    bool ja = strcmp(i18n_lang(), "ja") == 0;
    size_t fresh = 0, accepted = 0;
    bool aws = false, other = false;
    for (guint i = 0; i < fs->len; i++) {
        const keyfinding_t *f = g_ptr_array_index((GPtrArray *)fs, i);
        if (keyreport_status(f, o) != KEYREPORT_NEW) {
            accepted++;
            continue;
        }
        fresh++;
        const keyrule_t *r = keyrules_get(rs, (size_t)f->rule);
        bool is_aws = r->provider && strcmp(r->provider, "aws") == 0;
        if (is_aws && !f->example && !f->canary)
            aws = true;
        else if (!is_aws)
            other = true;
        text_finding(out, rs, f, o, ja);
    }
    fprintf(out,
            _("%zu new findings, %zu accepted (sesguard:allow or baseline); "
              "%lu files, %.1f MB scanned\n"),
            fresh, accepted, keyscan_files(ks), (double)keyscan_bytes(ks) / 1e6);
    if (fresh)
        text_advice(out, aws, other);
    return ferror(out) ? -1 : 0;
}
