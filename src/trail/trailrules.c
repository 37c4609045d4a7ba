/*
 * trailrules.c - loading and matching the data-driven detections; see
 * trailrules.h. Matching runs once per record, so the event name lookup
 * is one hash probe on a stack copy of the name; conditions (which parse
 * requestParameters with json-c) run only for the few events that matched.
 */
#include "trail/trailrules.h"

#include <glib.h>
#include <string.h>

#include "util/paths.h"

typedef struct rule {
    char *source;
    int det;
    char *key; /* condition key or NULL */
    char op;   /* '=', '~', '?' */
    char *value;
} rule_t;

typedef struct tool {
    char *needle; /* lower case */
    char *label;
} tool_t;

struct trailrules {
    GPtrArray *dets;      /* trail_detection_t* */
    GHashTable *by_event; /* eventName -> GPtrArray of rule_t* */
    GPtrArray *tools;     /* tool_t* */
    GPtrArray *benign_type, *benign_invoker, *benign_ip_suffix; /* char* */
    int det_trust_external; /* verified in code, see trusts_other_account */
};

static const char *const sev_names[] = {"none", "low", "medium", "high", "critical"};
static const char *const stage_names[] = {"context", "recon",       "production", "identity",
                                          "sending", "persistence", "tamper",     "access"};

const char *tsev_name(tsev_t s)
{
    return s <= TSEV_CRITICAL ? sev_names[s] : "none";
}

const char *tstage_name(tstage_t s)
{
    return s < TSTAGE_COUNT ? stage_names[s] : "context";
}

static void det_free(gpointer p)
{
    trail_detection_t *d = p;
    g_free(d->name);
    g_strfreev(d->attack);
    g_free(d->title);
    g_free(d);
}

static void rule_free(gpointer p)
{
    rule_t *r = p;
    g_free(r->source);
    g_free(r->key);
    g_free(r->value);
    g_free(r);
}

static void tool_free(gpointer p)
{
    tool_t *t = p;
    g_free(t->needle);
    g_free(t->label);
    g_free(t);
}

void trailrules_free(trailrules_t *t)
{
    if (t == NULL)
        return;
    g_ptr_array_free(t->dets, TRUE);
    g_hash_table_destroy(t->by_event);
    g_ptr_array_free(t->tools, TRUE);
    g_ptr_array_free(t->benign_type, TRUE);
    g_ptr_array_free(t->benign_invoker, TRUE);
    g_ptr_array_free(t->benign_ip_suffix, TRUE);
    g_free(t);
}

typedef int (*line_fn)(trailrules_t *t, char **cols, int ncols, char **why);

/* Read dir/name, split each non-comment line at TABs, call fn. */
static int load_file(trailrules_t *t, const char *dir, const char *name, line_fn fn, char **err)
{
    char *path = g_build_filename(dir, name, NULL);
    char *text = NULL;
    gsize len = 0;
    GError *ge = NULL;
    int rc = 0;
    if (!g_file_get_contents(path, &text, &len, &ge)) {
        *err = g_strdup_printf("%s: %s", path, ge->message);
        g_error_free(ge);
        g_free(path);
        return -1;
    }
    if (len > TRAILRULES_MAX_FILE || memchr(text, '\0', len) != NULL) {
        *err = g_strdup_printf("%s: too large or not text", path);
        rc = -1;
    }
    char **lines = rc ? NULL : g_strsplit(text, "\n", -1);
    for (int i = 0; lines && lines[i] && rc == 0; i++) {
        char *l = lines[i];
        size_t ln = strlen(l);
        if (ln && l[ln - 1] == '\r')
            l[--ln] = '\0';
        if (ln == 0 || l[0] == '#')
            continue;
        if (ln > TRAILRULES_MAX_LINE) {
            *err = g_strdup_printf("%s:%d: line too long", path, i + 1);
            rc = -1;
            break;
        }
        char **cols = g_strsplit(l, "\t", 8);
        int n = (int)g_strv_length(cols);
        for (int k = 0; k < n; k++)
            g_strstrip(cols[k]);
        char *why = NULL;
        if (fn(t, cols, n, &why) != 0) {
            *err = g_strdup_printf("%s:%d: %s", path, i + 1, why ? why : "bad line");
            rc = -1;
        }
        g_free(why);
        g_strfreev(cols);
    }
    g_strfreev(lines);
    g_free(text);
    g_free(path);
    return rc;
}

static int parse_enum(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

static int det_line(trailrules_t *t, char **c, int n, char **why)
{
    if (n < 5) {
        *why = g_strdup("expected: detection, severity, stage, attack ids, title");
        return -1;
    }
    int sev = parse_enum(c[1], sev_names, G_N_ELEMENTS(sev_names));
    int stage = parse_enum(c[2], stage_names, G_N_ELEMENTS(stage_names));
    if (sev < 0 || stage < 0) {
        *why = g_strdup_printf("unknown severity '%s' or stage '%s'", c[1], c[2]);
        return -1;
    }
    if (trailrules_find(t, c[0]) >= 0 || t->dets->len >= TRAILRULES_MAX_DETECTIONS) {
        *why = g_strdup_printf("duplicate detection '%s' or too many detections", c[0]);
        return -1;
    }
    trail_detection_t *d = g_new0(trail_detection_t, 1);
    d->name = g_strdup(c[0]);
    d->severity = (tsev_t)sev;
    d->stage = (tstage_t)stage;
    d->attack = g_strsplit(c[3], ",", 16);
    for (int i = 0; d->attack[i]; i++)
        g_strstrip(d->attack[i]);
    d->title = g_strdup(c[4]);
    g_ptr_array_add(t->dets, d);
    return 0;
}

static int event_line(trailrules_t *t, char **c, int n, char **why)
{
    if (n < 3) {
        *why = g_strdup("expected: eventSource, eventName, detection [, condition]");
        return -1;
    }
    int det = trailrules_find(t, c[2]);
    if (det < 0) {
        *why = g_strdup_printf("unknown detection '%s'", c[2]);
        return -1;
    }
    rule_t *r = g_new0(rule_t, 1);
    r->source = g_strdup(c[0]);
    r->det = det;
    if (n >= 4 && c[3][0]) {
        size_t k = strcspn(c[3], "=~?");
        if (c[3][k] == '\0' || k == 0) {
            rule_free(r);
            *why = g_strdup_printf("bad condition '%s'", c[3]);
            return -1;
        }
        r->op = c[3][k];
        r->key = g_strndup(c[3], k);
        r->value = g_strdup(c[3] + k + 1);
    }
    GPtrArray *list = g_hash_table_lookup(t->by_event, c[1]);
    if (list == NULL) {
        list = g_ptr_array_new_with_free_func(rule_free);
        g_hash_table_insert(t->by_event, g_strdup(c[1]), list);
    }
    g_ptr_array_add(list, r);
    return 0;
}

static int tool_line(trailrules_t *t, char **c, int n, char **why)
{
    if (n < 2 || c[0][0] == '\0') {
        *why = g_strdup("expected: substring, label");
        return -1;
    }
    tool_t *tl = g_new0(tool_t, 1);
    tl->needle = g_ascii_strdown(c[0], -1);
    tl->label = g_strdup(c[1]);
    g_ptr_array_add(t->tools, tl);
    return 0;
}

static int benign_line(trailrules_t *t, char **c, int n, char **why)
{
    GPtrArray *to = NULL;
    if (n >= 2 && strcmp(c[0], "identity_type") == 0)
        to = t->benign_type;
    else if (n >= 2 && strcmp(c[0], "invoked_by") == 0)
        to = t->benign_invoker;
    else if (n >= 2 && strcmp(c[0], "source_ip_suffix") == 0)
        to = t->benign_ip_suffix;
    if (to == NULL || c[1][0] == '\0') {
        *why = g_strdup("expected: identity_type|invoked_by|source_ip_suffix, value");
        return -1;
    }
    g_ptr_array_add(to, g_strdup(c[1]));
    return 0;
}

static const char *const required[] = {"ses_production_access", "ses_production_burst",
                                       "new_source_ip",         "new_user_agent",
                                       "attacker_user_agent",   "access_denied_storm"};

trailrules_t *trailrules_load(const char *dir, char **err)
{
    trailrules_t *t = g_new0(trailrules_t, 1);
    t->dets = g_ptr_array_new_with_free_func(det_free);
    t->by_event =
        g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_ptr_array_unref);
    t->tools = g_ptr_array_new_with_free_func(tool_free);
    t->benign_type = g_ptr_array_new_with_free_func(g_free);
    t->benign_invoker = g_ptr_array_new_with_free_func(g_free);
    t->benign_ip_suffix = g_ptr_array_new_with_free_func(g_free);
    char *own = dir ? NULL : paths_data_file("trail");
    const char *d = dir ? dir : own;
    *err = NULL;
    int rc = load_file(t, d, "detections.tsv", det_line, err);
    if (rc == 0)
        rc = load_file(t, d, "events.tsv", event_line, err);
    if (rc == 0)
        rc = load_file(t, d, "useragents.tsv", tool_line, err);
    if (rc == 0)
        rc = load_file(t, d, "benign.tsv", benign_line, err);
    for (size_t i = 0; rc == 0 && i < G_N_ELEMENTS(required); i++)
        if (trailrules_find(t, required[i]) < 0) {
            *err = g_strdup_printf("%s/detections.tsv: detection '%s' is required", d, required[i]);
            rc = -1;
        }
    g_free(own);
    if (rc != 0) {
        trailrules_free(t);
        return NULL;
    }
    t->det_trust_external = trailrules_find(t, "iam_role_trust_external");
    return t;
}

int trailrules_count(const trailrules_t *t)
{
    return (int)t->dets->len;
}

const trail_detection_t *trailrules_get(const trailrules_t *t, int det)
{
    return det >= 0 && (guint)det < t->dets->len ? g_ptr_array_index(t->dets, det) : NULL;
}

int trailrules_find(const trailrules_t *t, const char *name)
{
    for (guint i = 0; i < t->dets->len; i++)
        if (strcmp(((trail_detection_t *)g_ptr_array_index(t->dets, i))->name, name) == 0)
            return (int)i;
    return -1;
}

static bool contains_ci(slice_t hay, const char *needle)
{
    size_t nn = strlen(needle);
    if (nn == 0)
        return true;
    for (size_t i = 0; i + nn <= hay.n; i++)
        if (g_ascii_strncasecmp(hay.p + i, needle, nn) == 0)
            return true;
    return false;
}

static bool cond_holds(const rule_t *r, ctrec_t *rec)
{
    if (r->key == NULL)
        return true;
    slice_t v = ctrec_param(rec, 0, r->key);
    switch (r->op) {
    case '?':
        return v.n > 0;
    case '~':
        return contains_ci(v, r->value);
    default:
        return slice_eq_ci(v, r->value);
    }
}

/* Does the trust policy (a JSON document in the string parameter key) name
 * a 12-digit account id other than the caller's? Account ids appear as
 * "123456789012" or inside "arn:aws:iam::123456789012:root". A backdoor
 * role trusted by the attacker's own account is the pattern (T1098.003). */
static bool trusts_other_account(ctrec_t *rec, const char *key)
{
    slice_t own = rec->f[CTF_ID_ACCOUNT];
    slice_t doc = key ? ctrec_param(rec, 0, key) : slice_make(NULL, 0);
    if (own.n != 12)
        return false;
    for (size_t i = 0; i + 12 <= doc.n; i++) {
        if (i > 0 && g_ascii_isdigit(doc.p[i - 1]))
            continue;
        size_t k = 0;
        while (k < 12 && g_ascii_isdigit(doc.p[i + k]))
            k++;
        if (k < 12 || (i + 12 < doc.n && g_ascii_isdigit(doc.p[i + 12])))
            continue;
        if (memcmp(doc.p + i, own.p, 12) != 0)
            return true;
        i += 11;
    }
    return false;
}

int trailrules_match(const trailrules_t *t, ctrec_t *rec)
{
    slice_t name = rec->f[CTF_EVENT_NAME];
    char key[128];
    if (name.n == 0 || name.n >= sizeof key)
        return -1;
    memcpy(key, name.p, name.n);
    key[name.n] = '\0';
    GPtrArray *list = g_hash_table_lookup(t->by_event, key);
    if (list == NULL)
        return -1;
    slice_t src = rec->f[CTF_EVENT_SOURCE];
    for (guint i = 0; i < list->len; i++) {
        const rule_t *r = g_ptr_array_index(list, i);
        if (src.n != strlen(r->source) || memcmp(src.p, r->source, src.n) != 0)
            continue;
        if (!cond_holds(r, rec))
            continue;
        if (r->det == t->det_trust_external && !trusts_other_account(rec, r->key))
            continue;
        return r->det;
    }
    return -1;
}

static bool eq_any(slice_t s, const GPtrArray *list)
{
    for (guint i = 0; i < list->len; i++) {
        const char *v = g_ptr_array_index(list, i);
        if (s.n == strlen(v) && memcmp(s.p, v, s.n) == 0)
            return true;
    }
    return false;
}

bool trailrules_benign(const trailrules_t *t, const ctrec_t *rec)
{
    if (eq_any(rec->f[CTF_ID_TYPE], t->benign_type) ||
        eq_any(rec->f[CTF_ID_INVOKED_BY], t->benign_invoker))
        return true;
    slice_t ip = rec->f[CTF_SOURCE_IP];
    for (guint i = 0; i < t->benign_ip_suffix->len; i++) {
        const char *suf = g_ptr_array_index(t->benign_ip_suffix, i);
        size_t sn = strlen(suf);
        if (ip.n >= sn && memcmp(ip.p + ip.n - sn, suf, sn) == 0)
            return true;
    }
    return false;
}

const char *trailrules_tool(const trailrules_t *t, slice_t ua)
{
    /* Lower-case once, then one strstr per tool (memmem-fast in glibc). */
    char low[CTREC_MAX_FIELD + 1];
    size_t n = ua.n < CTREC_MAX_FIELD ? ua.n : CTREC_MAX_FIELD;
    for (size_t i = 0; i < n; i++)
        low[i] = g_ascii_tolower(ua.p[i] ? ua.p[i] : ' ');
    low[n] = '\0';
    for (guint i = 0; i < t->tools->len; i++) {
        const tool_t *tl = g_ptr_array_index(t->tools, i);
        if (strstr(low, tl->needle))
            return tl->label;
    }
    return NULL;
}
