/*
 * iamreport.c - IAM credential report checks; see iamreport.h.
 *
 * The CSV reader is a few lines over slices: the credential report is
 * plain comma-separated text without embedded newlines, but quoted fields
 * ("a,b" and "" inside quotes) are honoured so that an odd user name
 * cannot shift the columns.
 */
#include "trail/iamreport.h"

#include <glib.h>
#include <json-c/json.h>
#include <string.h>

#include "trail/cttime.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/paths.h"

typedef struct check {
    char *name, *control, *cis, *advice;
    tsev_t severity;
} check_t;

struct iamreport {
    GPtrArray *checks;   /* check_t* */
    GPtrArray *findings; /* iam_finding_t* */
    size_t users;
};

enum col {
    C_USER,
    C_ARN,
    C_CREATED,
    C_PW_ENABLED,
    C_PW_USED,
    C_PW_CHANGED,
    C_PW_NEXT,
    C_MFA,
    C_K1_ACTIVE,
    C_K1_ROTATED,
    C_K1_USED,
    C_K1_REGION,
    C_K1_SERVICE,
    C_K2_ACTIVE,
    C_K2_ROTATED,
    C_K2_USED,
    C_K2_REGION,
    C_K2_SERVICE,
    C_C1_ACTIVE,
    C_C1_ROTATED,
    C_C2_ACTIVE,
    C_C2_ROTATED
};

static const char *const col_names[IAMREPORT_COLUMNS] = {"user",
                                                         "arn",
                                                         "user_creation_time",
                                                         "password_enabled",
                                                         "password_last_used",
                                                         "password_last_changed",
                                                         "password_next_rotation",
                                                         "mfa_active",
                                                         "access_key_1_active",
                                                         "access_key_1_last_rotated",
                                                         "access_key_1_last_used_date",
                                                         "access_key_1_last_used_region",
                                                         "access_key_1_last_used_service",
                                                         "access_key_2_active",
                                                         "access_key_2_last_rotated",
                                                         "access_key_2_last_used_date",
                                                         "access_key_2_last_used_region",
                                                         "access_key_2_last_used_service",
                                                         "cert_1_active",
                                                         "cert_1_last_rotated",
                                                         "cert_2_active",
                                                         "cert_2_last_rotated"};

static void check_free(gpointer p)
{
    check_t *c = p;
    g_free(c->name);
    g_free(c->control);
    g_free(c->cis);
    g_free(c->advice);
    g_free(c);
}

static void finding_free(gpointer p)
{
    iam_finding_t *f = p;
    g_free(f->user);
    g_free(f->arn);
    g_free(f->check);
    g_free(f->key);
    g_free(f->detail);
    g_free(f);
}

static const char *const sev_words[] = {"none", "low", "medium", "high", "critical"};

iamreport_t *iamreport_new(const char *dir, char **err)
{
    char *own = dir ? NULL : paths_data_file("trail");
    char *path = g_build_filename(dir ? dir : own, "iam-checks.tsv", NULL);
    g_free(own);
    char *text = NULL;
    GError *ge = NULL;
    *err = NULL;
    if (!g_file_get_contents(path, &text, NULL, &ge)) {
        *err = g_strdup_printf("%s: %s", path, ge->message);
        g_error_free(ge);
        g_free(path);
        return NULL;
    }
    iamreport_t *r = g_new0(iamreport_t, 1);
    r->checks = g_ptr_array_new_with_free_func(check_free);
    r->findings = g_ptr_array_new_with_free_func(finding_free);
    char **lines = g_strsplit(text, "\n", -1);
    for (int i = 0; lines[i] && *err == NULL; i++) {
        g_strchomp(lines[i]);
        if (lines[i][0] == '\0' || lines[i][0] == '#')
            continue;
        char **c = g_strsplit(lines[i], "\t", 6);
        int sev = -1;
        for (int s = 0; c[0] && c[1] && s < (int)G_N_ELEMENTS(sev_words); s++)
            if (strcmp(c[1], sev_words[s]) == 0)
                sev = s;
        if (g_strv_length(c) < 5 || sev < 0) {
            *err = g_strdup_printf("%s:%d: expected: check, severity, control, cis, advice", path,
                                   i + 1);
        } else {
            check_t *k = g_new0(check_t, 1);
            k->name = g_strdup(c[0]);
            k->severity = (tsev_t)sev;
            k->control = g_strdup(c[2]);
            k->cis = g_strdup(c[3]);
            k->advice = g_strdup(c[4]);
            g_ptr_array_add(r->checks, k);
        }
        g_strfreev(c);
    }
    g_strfreev(lines);
    g_free(text);
    g_free(path);
    if (*err) {
        iamreport_free(r);
        return NULL;
    }
    return r;
}

void iamreport_free(iamreport_t *r)
{
    if (r == NULL)
        return;
    g_ptr_array_free(r->checks, TRUE);
    g_ptr_array_free(r->findings, TRUE);
    g_free(r);
}

size_t iamreport_count(const iamreport_t *r)
{
    return r->findings->len;
}

const iam_finding_t *iamreport_get(const iamreport_t *r, size_t i)
{
    return i < r->findings->len ? g_ptr_array_index(r->findings, i) : NULL;
}

size_t iamreport_users(const iamreport_t *r)
{
    return r->users;
}

/* ---- CSV ---------------------------------------------------------------- */

/* Split one line into at most max fields (NUL-terminated copies, cut at
 * IAMREPORT_MAX_FIELD). Returns the number of fields. */
static int csv_fields(slice_t line, char **out, int max)
{
    int n = 0;
    size_t i = 0;
    for (;;) {
        GString *f = g_string_new(NULL);
        if (i < line.n && line.p[i] == '"') {
            i++;
            while (i < line.n) {
                if (line.p[i] == '"') {
                    if (i + 1 < line.n && line.p[i + 1] == '"') {
                        if (f->len < IAMREPORT_MAX_FIELD)
                            g_string_append_c(f, '"');
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (f->len < IAMREPORT_MAX_FIELD)
                    g_string_append_c(f, line.p[i]);
                i++;
            }
            while (i < line.n && line.p[i] != ',')
                i++; /* junk after the closing quote */
        } else {
            while (i < line.n && line.p[i] != ',') {
                if (f->len < IAMREPORT_MAX_FIELD)
                    g_string_append_c(f, line.p[i]);
                i++;
            }
        }
        if (n < max) {
            char *s = g_string_free(f, FALSE);
            char *v = g_utf8_make_valid(s, -1);
            g_free(s);
            out[n] = v;
        } else {
            g_string_free(f, TRUE);
        }
        n++;
        if (i >= line.n)
            return n;
        i++; /* the comma */
    }
}

static bool is_true(const char *s)
{
    return g_ascii_strcasecmp(s, "true") == 0;
}

/* A date column: Unix seconds, or CTTIME_INVALID for N/A, no_information,
 * not_supported, empty or unparsable. */
static int64_t date_of(const char *s)
{
    return cttime_parse(s, strlen(s));
}

static const check_t *find_check(const iamreport_t *r, const char *name)
{
    for (guint i = 0; i < r->checks->len; i++) {
        const check_t *c = g_ptr_array_index(r->checks, i);
        if (strcmp(c->name, name) == 0)
            return c;
    }
    return NULL;
}

static void add(iamreport_t *r, char **row, const char *check, const char *key, char *detail)
{
    const check_t *c = find_check(r, check);
    if (c == NULL) {
        g_free(detail);
        return;
    }
    iam_finding_t *f = g_new0(iam_finding_t, 1);
    f->user = g_strdup(row[C_USER]);
    f->arn = g_strdup(row[C_ARN]);
    f->check = g_strdup(check);
    f->key = g_strdup(key ? key : "");
    f->detail = detail;
    f->severity = c->severity;
    f->control = c->control;
    f->cis = c->cis;
    f->advice = c->advice;
    g_ptr_array_add(r->findings, f);
}

static int64_t days(int64_t now, int64_t t)
{
    return (now - t) / 86400;
}

static void check_key(iamreport_t *r, char **row, int k, int64_t now)
{
    const char *key = k == 1 ? "access_key_1" : "access_key_2";
    int off = k == 1 ? 0 : C_K2_ACTIVE - C_K1_ACTIVE;
    if (!is_true(row[C_K1_ACTIVE + off]))
        return;
    bool root = strcmp(row[C_USER], "<root_account>") == 0;
    int64_t rotated = date_of(row[C_K1_ROTATED + off]);
    int64_t used = date_of(row[C_K1_USED + off]);
    int64_t created = date_of(row[C_CREATED]);
    if (root)
        add(r, row, "root_access_key", key,
            g_strdup_printf("active; last used %s", row[C_K1_USED + off]));
    if (rotated != CTTIME_INVALID && days(now, rotated) >= IAMREPORT_ROTATE_DAYS)
        add(r, row, "key_not_rotated", key,
            g_strdup_printf("last rotated %s (%lld days)", row[C_K1_ROTATED + off],
                            (long long)days(now, rotated)));
    /* Unused: since the last use, or since creation/rotation if never used. */
    int64_t since = used != CTTIME_INVALID ? used : rotated;
    if (since != CTTIME_INVALID) {
        int64_t idle = days(now, since);
        const char *what = used != CTTIME_INVALID ? "last used" : "never used; created";
        const char *when = used != CTTIME_INVALID ? row[C_K1_USED + off] : row[C_K1_ROTATED + off];
        if (idle >= IAMREPORT_UNUSED_DAYS)
            add(r, row, "key_unused_90", key,
                g_strdup_printf("%s %s (%lld days)", what, when, (long long)idle));
        else if (idle >= IAMREPORT_STALE_DAYS)
            add(r, row, "key_unused_45", key,
                g_strdup_printf("%s %s (%lld days)", what, when, (long long)idle));
    }
    if (used == CTTIME_INVALID && rotated != CTTIME_INVALID && created != CTTIME_INVALID &&
        rotated - created <= IAMREPORT_WITH_USER_SECS && rotated >= created && !root)
        add(r, row, "key_created_with_user", key,
            g_strdup_printf("user created %s, key %s, never used", row[C_CREATED],
                            row[C_K1_ROTATED + off]));
}

static void check_row(iamreport_t *r, char **row, int64_t now)
{
    bool root = strcmp(row[C_USER], "<root_account>") == 0;
    bool pw =
        is_true(row[C_PW_ENABLED]) || (root && strcmp(row[C_PW_ENABLED], "not_supported") == 0);
    bool mfa = is_true(row[C_MFA]);
    if (root && !mfa)
        add(r, row, "root_no_mfa", NULL, g_strdup("mfa_active=false"));
    else if (!root && is_true(row[C_PW_ENABLED]) && !mfa)
        add(r, row, "console_no_mfa", NULL, g_strdup("password_enabled=true, mfa_active=false"));
    check_key(r, row, 1, now);
    check_key(r, row, 2, now);
    if (is_true(row[C_K1_ACTIVE]) && is_true(row[C_K2_ACTIVE]))
        add(r, row, "two_active_keys", "access_key_1,access_key_2",
            g_strdup("access_key_1_active=true, access_key_2_active=true"));
    if (!root && pw) {
        int64_t used = date_of(row[C_PW_USED]);
        int64_t since = used != CTTIME_INVALID ? used : date_of(row[C_PW_CHANGED]);
        if (since == CTTIME_INVALID)
            since = date_of(row[C_CREATED]);
        if (since != CTTIME_INVALID) {
            int64_t idle = days(now, since);
            if (idle >= IAMREPORT_UNUSED_DAYS)
                add(r, row, "password_unused_90", "password",
                    g_strdup_printf("password_last_used %s (%lld days idle)", row[C_PW_USED],
                                    (long long)idle));
            else if (idle >= IAMREPORT_STALE_DAYS)
                add(r, row, "password_unused_45", "password",
                    g_strdup_printf("password_last_used %s (%lld days idle)", row[C_PW_USED],
                                    (long long)idle));
        }
    }
}

int iamreport_parse(iamreport_t *r, const char *name, const char *data, size_t n, int64_t now)
{
    if (n > IAMREPORT_MAX_BYTES) {
        log_err("%s: larger than %u bytes; not a credential report", name, IAMREPORT_MAX_BYTES);
        return -1;
    }
    slice_t rest = slice_make(data, n);
    /* A UTF-8 byte order mark is harmless. */
    if (rest.n >= 3 && memcmp(rest.p, "\xEF\xBB\xBF", 3) == 0) {
        rest.p += 3;
        rest.n -= 3;
    }
    int map[IAMREPORT_COLUMNS];
    int ncols = 0, bad = 0;
    size_t lineno = 0, rows = 0;
    bool header = false;
    while (rest.n > 0) {
        slice_t line = slice_split(&rest, '\n');
        lineno++;
        if (line.n && line.p[line.n - 1] == '\r')
            line.n--;
        if (slice_trim(line).n == 0)
            continue;
        char *f[64] = {0};
        int nf = csv_fields(line, f, 64);
        int kept = nf < 64 ? nf : 64;
        if (!header) {
            for (int c = 0; c < IAMREPORT_COLUMNS; c++) {
                map[c] = -1;
                for (int k = 0; k < kept; k++)
                    if (g_ascii_strcasecmp(g_strstrip(f[k]), col_names[c]) == 0)
                        map[c] = k;
            }
            int missing = -1;
            for (int c = 0; c < IAMREPORT_COLUMNS && missing < 0; c++)
                if (map[c] < 0 && c < C_C1_ACTIVE) /* certificate columns optional */
                    missing = c;
            for (int k = 0; k < kept; k++)
                g_free(f[k]);
            if (missing >= 0) {
                log_err("%s:%zu: not an IAM credential report (no '%s' column)", name, lineno,
                        col_names[missing]);
                return -1;
            }
            header = true;
            ncols = nf;
            continue;
        }
        if (nf != ncols || ++rows > IAMREPORT_MAX_ROWS) {
            if (rows > IAMREPORT_MAX_ROWS)
                log_err("%s:%zu: more than %d rows; the rest is skipped", name, lineno,
                        IAMREPORT_MAX_ROWS);
            else
                log_err("%s:%zu: %d fields, expected %d; row skipped", name, lineno, nf, ncols);
            for (int k = 0; k < kept; k++)
                g_free(f[k]);
            bad++;
            if (rows > IAMREPORT_MAX_ROWS)
                break;
            continue;
        }
        char *row[IAMREPORT_COLUMNS];
        for (int c = 0; c < IAMREPORT_COLUMNS; c++)
            row[c] = map[c] >= 0 ? g_strstrip(f[map[c]]) : (char *)"N/A";
        r->users++;
        check_row(r, row, now);
        for (int k = 0; k < kept; k++)
            g_free(f[k]);
    }
    if (!header) {
        log_err("%s: empty; not an IAM credential report", name);
        return -1;
    }
    return bad ? -1 : 0;
}

int iamreport_file(iamreport_t *r, const char *path, int64_t now)
{
    char *data = NULL;
    gsize n = 0;
    GError *ge = NULL;
    bool is_stdin = strcmp(path, "-") == 0;
    if (is_stdin) {
        GString *s = g_string_new(NULL);
        char buf[65536];
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, stdin)) > 0 && s->len <= IAMREPORT_MAX_BYTES)
            g_string_append_len(s, buf, (gssize)got);
        n = s->len;
        data = g_string_free(s, FALSE);
    } else if (!g_file_get_contents(path, &data, &n, &ge)) {
        log_err("%s: %s", path, ge->message);
        g_error_free(ge);
        return -1;
    }
    int rc = iamreport_parse(r, is_stdin ? "stdin" : path, data, n, now);
    g_free(data);
    return rc;
}

/* ---- output --------------------------------------------------------------- */

void iamreport_json(FILE *out, const iamreport_t *r)
{
    for (size_t i = 0; i < iamreport_count(r); i++) {
        const iam_finding_t *f = iamreport_get(r, i);
        json_object *o = json_object_new_object();
        json_object_object_add(o, "schema", json_object_new_int(1));
        json_object_object_add(o, "user", json_object_new_string(f->user));
        json_object_object_add(o, "arn", json_object_new_string(f->arn));
        json_object_object_add(o, "check", json_object_new_string(f->check));
        json_object_object_add(o, "severity", json_object_new_string(sev_words[f->severity]));
        json_object_object_add(o, "key", json_object_new_string(f->key));
        json_object_object_add(o, "control", json_object_new_string(f->control));
        json_object_object_add(o, "cis", json_object_new_string(f->cis));
        json_object_object_add(o, "detail", json_object_new_string(f->detail ? f->detail : ""));
        json_object_object_add(o, "advice", json_object_new_string(f->advice));
        fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                    JSON_C_TO_STRING_NOSLASHESCAPE),
              out);
        fputc('\n', out);
        json_object_put(o);
    }
}

static void safe(FILE *out, const char *s)
{
    for (; s && *s; s++)
        fputc(((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s, out);
}

void iamreport_text(FILE *out, const iamreport_t *r)
{
    for (size_t i = 0; i < iamreport_count(r); i++) {
        const iam_finding_t *f = iamreport_get(r, i);
        static const char *const labels[] = {N_("INFO"), N_("LOW"), N_("MEDIUM"), N_("HIGH"),
                                             N_("CRITICAL")};
        fprintf(out, "[%s] ", _(labels[f->severity]));
        safe(out, f->user);
        fprintf(out, "  %s", f->check);
        if (f->key[0])
            fprintf(out, " (%s)", f->key);
        fputs("  [", out);
        if (strcmp(f->control, "-") != 0)
            fprintf(out, "Security Hub %s, ", f->control);
        fprintf(out, "CIS %s]\n", f->cis);
        fprintf(out, "    %s ", _("detail:"));
        safe(out, f->detail);
        fprintf(out, "\n    %s %s\n", _("what to do:"), _(f->advice));
    }
    fprintf(out, _("%zu finding(s) for %zu user(s)\n"), iamreport_count(r), iamreport_users(r));
}
