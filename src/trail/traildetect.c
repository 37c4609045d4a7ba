/*
 * traildetect.c - per-key state and the incidents built from it; see
 * traildetect.h for the model, limits and security notes.
 *
 * The hot path (every record) is: benign check, one hash lookup for the
 * key, a short linear search of the key's addresses and agents (with the
 * last hit cached: a key mostly talks from one place), one hash lookup of
 * the event name. Everything else runs only for evidence events.
 */
#include "trail/traildetect.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "trail/cttime.h"
#include "util/log.h"

typedef struct srcent {
    const char *val;
    int64_t first, last;
    uint64_t count;
    bool evidence; /* did evidence events */
} srcent_t;

typedef struct prodreq {
    int64_t time;
    const char *region;
} prodreq_t;

/* The earliest `max` events of a kind; the rest counted. */
typedef struct evbuf {
    trail_event_t *ev; /* grown by doubling up to its maximum */
    uint32_t n, cap, max_idx;
    uint64_t dropped;
} evbuf_t;

typedef struct tkey {
    const char *id, *access_key, *principal, *ptype, *account;
    int64_t first, last;
    uint64_t records;
    srcent_t *ips, *uas; /* grown by doubling up to TD_MAX_IPS / TD_MAX_UAS */
    uint16_t n_ips, n_uas, hit_ip, hit_ua, cap_ips, cap_uas;
    /* evidence, allocated on the first evidence event */
    evbuf_t ev;      /* evidence events, TD_MAX_EVENTS */
    evbuf_t denials; /* AccessDenied without other evidence */
    uint64_t dets;
    uint32_t *det_counts;
    prodreq_t *prod;
    uint32_t n_prod;
    int64_t *denied;
    uint32_t n_denied;
    uint64_t denied_total;
    const char *tool;
    const char *created[TD_MAX_CREATED];
    uint32_t n_created;
} tkey_t;

struct traildetect {
    const trailrules_t *rules;
    GHashTable *keys; /* id -> tkey_t* */
    GStringChunk *chunk;
    GHashTable *interned; /* string set */
    GHashTable *seen;     /* 64-bit eventID hashes of kept evidence */
    GHashTable *tools;    /* interned user agent -> tool label or "" */
    bool seen_full_warned;
    traildetect_stats_t st;
    GPtrArray *incidents; /* trail_incident_t* */
    int det_prod, det_burst, det_new_ip, det_new_ua, det_tool, det_storm, det_recon;
    int det_created_used; /* -1 when the data file does not define it */
};

static const char *intern_n(traildetect_t *d, const char *p, size_t n)
{
    char stack[CTREC_MAX_FIELD + 1];
    if (n > CTREC_MAX_FIELD)
        n = CTREC_MAX_FIELD;
    if (n)
        memcpy(stack, p, n);
    stack[n] = '\0';
    const char *s = g_hash_table_lookup(d->interned, stack);
    if (s)
        return s;
    /* Embedded NULs cut the string; invalid UTF-8 becomes U+FFFD. */
    char *valid = g_utf8_make_valid(stack, -1);
    const char *v = g_string_chunk_insert_const(d->chunk, valid);
    const char *key = strcmp(valid, stack) == 0 ? v : g_string_chunk_insert_const(d->chunk, stack);
    g_free(valid);
    g_hash_table_insert(d->interned, (gpointer)key, (gpointer)v);
    s = v;
    return s;
}

static const char *intern(traildetect_t *d, slice_t s)
{
    return intern_n(d, s.p ? s.p : "", s.p ? s.n : 0);
}

static void tkey_free(gpointer p)
{
    tkey_t *k = p;
    g_free(k->ips);
    g_free(k->uas);
    g_free(k->ev.ev);
    g_free(k->denials.ev);
    g_free(k->det_counts);
    g_free(k->prod);
    g_free(k->denied);
    g_free(k);
}

static void incident_free(gpointer p)
{
    trail_incident_t *in = p;
    g_free(in->title);
    g_free(in->regions);
    g_free(in->source_ips);
    g_free(in->user_agents);
    g_free(in->new_ips);
    g_free(in->new_uas);
    g_free(in->created);
    g_free(in->events);
    g_strfreev(in->attack);
    g_free(in);
}

traildetect_t *traildetect_new(const trailrules_t *rules)
{
    traildetect_t *d = g_new0(traildetect_t, 1);
    d->rules = rules;
    d->keys = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, tkey_free);
    d->chunk = g_string_chunk_new(64 * 1024);
    d->interned = g_hash_table_new(g_str_hash, g_str_equal);
    d->seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    d->tools = g_hash_table_new(g_direct_hash, g_direct_equal);
    d->incidents = g_ptr_array_new_with_free_func(incident_free);
    d->det_prod = trailrules_find(rules, "ses_production_access");
    d->det_burst = trailrules_find(rules, "ses_production_burst");
    d->det_new_ip = trailrules_find(rules, "new_source_ip");
    d->det_new_ua = trailrules_find(rules, "new_user_agent");
    d->det_tool = trailrules_find(rules, "attacker_user_agent");
    d->det_storm = trailrules_find(rules, "access_denied_storm");
    d->det_recon = trailrules_find(rules, "ses_recon");
    d->det_created_used = trailrules_find(rules, "created_key_used");
    return d;
}

void traildetect_free(traildetect_t *d)
{
    if (d == NULL)
        return;
    g_hash_table_destroy(d->keys);
    g_hash_table_destroy(d->interned);
    g_hash_table_destroy(d->seen);
    g_hash_table_destroy(d->tools);
    g_string_chunk_free(d->chunk);
    g_ptr_array_free(d->incidents, TRUE);
    g_free(d);
}

const traildetect_stats_t *traildetect_stats(const traildetect_t *d)
{
    return &d->st;
}

const trailrules_t *traildetect_rules(const traildetect_t *d)
{
    return d->rules;
}

/* ---- per record --------------------------------------------------------- */

static slice_t corr_key(const ctrec_t *r)
{
    if (r->f[CTF_ID_KEY].n)
        return r->f[CTF_ID_KEY];
    if (r->f[CTF_ID_ARN].n)
        return r->f[CTF_ID_ARN];
    if (r->f[CTF_ID_PRINCIPAL].n)
        return r->f[CTF_ID_PRINCIPAL];
    if (r->f[CTF_ID_INVOKED_BY].n)
        return r->f[CTF_ID_INVOKED_BY];
    return SLICE_LIT("(unknown principal)");
}

static tkey_t *get_key(traildetect_t *d, const ctrec_t *r)
{
    slice_t id = corr_key(r);
    char buf[CTREC_MAX_FIELD + 1];
    if (id.n > CTREC_MAX_FIELD)
        id.n = CTREC_MAX_FIELD;
    memcpy(buf, id.p, id.n);
    buf[id.n] = '\0';
    tkey_t *k = g_hash_table_lookup(d->keys, buf);
    if (k)
        return k;
    if (g_hash_table_size(d->keys) >= TD_MAX_KEYS) {
        if (d->st.untracked++ == 0)
            log_warn("trail: more than %d distinct keys; further keys are not tracked",
                     TD_MAX_KEYS);
        return NULL;
    }
    k = g_new0(tkey_t, 1);
    k->id = intern(d, id);
    k->access_key = intern(d, r->f[CTF_ID_KEY]);
    k->first = INT64_MAX;
    k->last = INT64_MIN;
    g_hash_table_insert(d->keys, (gpointer)k->id, k);
    d->st.keys++;
    return k;
}

/* s (stored, NUL-terminated) equals the slice v. */
static bool str_eq_slice(const char *s, slice_t v)
{
    if (v.n == 0)
        return s[0] == '\0';
    return strncmp(s, v.p, v.n) == 0 && s[v.n] == '\0';
}

/* Whether (t, v) was first seen before entry e: earlier time, or the same
 * time and a smaller value. Unknown times come last. */
static bool seen_before_entry(int64_t t, slice_t v, const srcent_t *e)
{
    if (t == CTTIME_INVALID)
        return false;
    if (e->first == CTTIME_INVALID)
        return true;
    if (t != e->first)
        return t < e->first;
    size_t el = strlen(e->val);
    int c = v.n ? memcmp(v.p, e->val, MIN(v.n, el)) : 0;
    return c < 0 || (c == 0 && v.n < el);
}

/* Whether entry a was first seen after entry b (the same order). */
static bool entry_after(const srcent_t *a, const srcent_t *b)
{
    return seen_before_entry(b->first, slice_cstr(b->val), a);
}

/* Find or add val in the table. A full table keeps the `max` values seen
 * first (by time, then value): the entry seen latest gives way, so that
 * the set does not depend on the order of the input. Returns the entry, or
 * NULL when val is not among them. */
static srcent_t *src_touch(traildetect_t *d, srcent_t **tab, uint16_t *n, uint16_t *cap,
                           uint16_t *hit, uint16_t max, slice_t val, int64_t t)
{
    if (*n > 0 && *hit < *n) {
        srcent_t *e = &(*tab)[*hit];
        if (str_eq_slice(e->val, val))
            goto found;
    }
    for (uint16_t i = 0; i < *n; i++) {
        srcent_t *e = &(*tab)[i];
        if (str_eq_slice(e->val, val)) {
            *hit = i;
            goto found;
        }
    }
    if (*n >= max) {
        uint16_t latest = 0;
        for (uint16_t i = 1; i < *n; i++)
            if (entry_after(&(*tab)[i], &(*tab)[latest]))
                latest = i;
        if (!seen_before_entry(t, val, &(*tab)[latest]))
            return NULL;
        srcent_t *e = &(*tab)[latest];
        memset(e, 0, sizeof *e);
        e->val = intern(d, val);
        e->first = e->last = t;
        *hit = latest;
        goto found;
    }
    if (*n == *cap) {
        /* most keys talk from one place: start with one entry */
        *cap = *cap ? (uint16_t)MIN(*cap * 2, max) : 1;
        *tab = g_renew(srcent_t, *tab, *cap);
    }
    srcent_t *e = &(*tab)[*n];
    memset(e, 0, sizeof *e);
    e->val = intern(d, val);
    e->first = e->last = t;
    *hit = (*n)++;
found:;
    srcent_t *f = &(*tab)[*hit];
    if (t != CTTIME_INVALID) {
        if (f->first == CTTIME_INVALID || t < f->first)
            f->first = t;
        if (f->last == CTTIME_INVALID || t > f->last)
            f->last = t;
    }
    f->count++;
    return f;
}

static bool is_denied(slice_t err)
{
    static const char *const pats[] = {"AccessDenied", "UnauthorizedOperation",
                                       "UnauthorizedAccess", "NotAuthorized"};
    for (size_t i = 0; i < G_N_ELEMENTS(pats); i++) {
        size_t pn = strlen(pats[i]);
        for (size_t j = 0; j + pn <= err.n; j++)
            if (memcmp(err.p + j, pats[i], pn) == 0)
                return true;
    }
    return false;
}

static uint64_t fnv1a(slice_t s)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < s.n; i++) {
        h ^= (unsigned char)s.p[i];
        h *= 1099511628211ull;
    }
    return h | 1; /* never 0 (NULL) */
}

/* The attack tool named in a user agent, looked up once per distinct agent
 * (agents are interned, so the pointer is the key). */
static const char *tool_of(traildetect_t *d, const srcent_t *ua, slice_t raw)
{
    static const char none[] = "";
    if (ua == NULL)
        return trailrules_tool(d->rules, raw);
    const char *label = g_hash_table_lookup(d->tools, ua->val);
    if (label == NULL) {
        label = trailrules_tool(d->rules, slice_cstr(ua->val));
        if (label == NULL)
            label = none;
        g_hash_table_insert(d->tools, (gpointer)ua->val, (gpointer)label);
    }
    return label[0] ? label : NULL;
}

/* true if this event was already kept (a duplicated eventID). */
static bool seen_before(traildetect_t *d, const ctrec_t *r)
{
    if (r->f[CTF_EVENT_ID].n == 0)
        return false;
    gpointer h = (gpointer)(uintptr_t)fnv1a(r->f[CTF_EVENT_ID]);
    if (g_hash_table_contains(d->seen, h))
        return true;
    if (g_hash_table_size(d->seen) >= TD_MAX_SEEN) {
        if (!d->seen_full_warned)
            log_warn("trail: duplicate check limit reached; later duplicates may count twice");
        d->seen_full_warned = true;
        return false;
    }
    g_hash_table_add(d->seen, h);
    return false;
}

static void ensure_evidence(tkey_t *k)
{
    if (k->det_counts == NULL) {
        k->det_counts = g_new0(uint32_t, TRAILRULES_MAX_DETECTIONS);
    }
}

static void fill_event(traildetect_t *d, trail_event_t *e, const ctrec_t *r, int det)
{
    slice_t src = r->f[CTF_EVENT_SOURCE];
    slice_t suffix = SLICE_LIT(".amazonaws.com");
    if (src.n > suffix.n && memcmp(src.p + src.n - suffix.n, suffix.p, suffix.n) == 0)
        src.n -= suffix.n;
    e->time = r->time;
    e->source = intern(d, src);
    e->name = intern(d, r->f[CTF_EVENT_NAME]);
    e->region = intern(d, r->f[CTF_REGION]);
    e->ip = intern(d, r->f[CTF_SOURCE_IP]);
    e->user_agent = intern(d, r->f[CTF_USER_AGENT]);
    e->result = r->f[CTF_ERROR_CODE].n ? intern(d, r->f[CTF_ERROR_CODE]) : "success";
    e->det = det;
}

/* Keep the `max` earliest events (by time, then name, so that the result
 * does not depend on the order of the input). Returns false when the event
 * was only counted. */
static int cmp_event(const void *a, const void *b);
static int cmp_str(const void *a, const void *b);

static bool keep_event(traildetect_t *d, evbuf_t *b, uint32_t max, const ctrec_t *r, int det)
{
    trail_event_t e;
    fill_event(d, &e, r, det);
    if (b->n < max) {
        if (b->n == b->cap) {
            b->cap = b->cap ? MIN(b->cap * 2, max) : 4;
            b->ev = g_renew(trail_event_t, b->ev, b->cap);
        }
        b->ev[b->n] = e;
        if (b->n == 0 || cmp_event(&b->ev[b->n], &b->ev[b->max_idx]) > 0)
            b->max_idx = b->n;
        b->n++;
        return true;
    }
    b->dropped++;
    if (cmp_event(&e, &b->ev[b->max_idx]) >= 0)
        return false;
    b->ev[b->max_idx] = e;
    uint32_t mx = 0;
    for (uint32_t i = 1; i < b->n; i++)
        if (cmp_event(&b->ev[i], &b->ev[mx]) > 0)
            mx = i;
    b->max_idx = mx;
    return true;
}

static void note_created(traildetect_t *d, tkey_t *k, ctrec_t *r, const char *what)
{
    slice_t v = slice_make(NULL, 0);
    if (strcmp(what, "key") == 0)
        v = ctrec_param(r, 1, "accessKey.accessKeyId");
    else
        v = ctrec_param(r, 0, "userName");
    if (v.n == 0 || k->n_created >= TD_MAX_CREATED)
        return;
    char *s = g_strdup_printf("%s %.*s", what, (int)(v.n > 256 ? 256 : v.n), v.p);
    const char *in = intern_n(d, s, strlen(s));
    g_free(s);
    for (uint32_t i = 0; i < k->n_created; i++)
        if (k->created[i] == in)
            return;
    k->created[k->n_created++] = in;
}

int traildetect_record(ctrec_t *r, void *ctx)
{
    traildetect_t *d = ctx;
    d->st.records++;
    if (trailrules_benign(d->rules, r)) {
        d->st.benign++;
        return 0;
    }
    tkey_t *k = get_key(d, r);
    if (k == NULL)
        return 0;
    k->records++;
    int64_t t = r->time;
    if (t != CTTIME_INVALID) {
        if (t < k->first)
            k->first = t;
        if (t > k->last)
            k->last = t;
    }
    if (k->principal == NULL || (k->principal[0] == '\0' && r->f[CTF_ID_ARN].n)) {
        k->principal = intern(d, r->f[CTF_ID_ARN]);
        k->ptype = intern(d, r->f[CTF_ID_TYPE]);
        k->account =
            intern(d, r->f[CTF_ID_ACCOUNT].n ? r->f[CTF_ID_ACCOUNT] : r->f[CTF_ID_PRINCIPAL]);
    }
    srcent_t *ip = src_touch(d, &k->ips, &k->n_ips, &k->cap_ips, &k->hit_ip, TD_MAX_IPS,
                             r->f[CTF_SOURCE_IP], t);
    srcent_t *ua = src_touch(d, &k->uas, &k->n_uas, &k->cap_uas, &k->hit_ua, TD_MAX_UAS,
                             r->f[CTF_USER_AGENT], t);
    /* every record from an attack tool's user agent is evidence, not only
     * the first to arrive: which one came first depends on the order of
     * the input (files read in parallel) */
    bool tool_hit = false;
    const char *label = tool_of(d, ua, r->f[CTF_USER_AGENT]);
    if (label) {
        /* several tools: keep the same one whatever the record order */
        if (k->tool == NULL || strcmp(label, k->tool) < 0)
            k->tool = label;
        tool_hit = true;
    }
    int det = trailrules_match(d->rules, r);
    bool denied = is_denied(r->f[CTF_ERROR_CODE]);
    if (det < 0 && !denied && !tool_hit)
        return 0;
    ensure_evidence(k);
    if (det < 0 && tool_hit)
        det = d->det_tool;
    if (seen_before(d, r)) {
        d->st.duplicates++;
        k->records--; /* counted once (exact for evidence; see header) */
        return 0;
    }
    if (ip)
        ip->evidence = true;
    if (ua)
        ua->evidence = true;
    if (denied) {
        k->denied_total++;
        if (k->n_denied < TD_MAX_DENIED && t != CTTIME_INVALID) {
            if (k->denied == NULL)
                k->denied = g_new(int64_t, TD_MAX_DENIED);
            k->denied[k->n_denied++] = t;
        }
    }
    if (det < 0) {
        keep_event(d, &k->denials, TD_MAX_DENIED_ON_TIMELINE, r, det);
        return 0;
    }
    keep_event(d, &k->ev, TD_MAX_EVENTS, r, det);
    if (det < 0)
        return 0;
    k->dets |= 1ull << det;
    k->det_counts[det]++;
    if (det == d->det_prod && k->n_prod < TD_MAX_PROD && t != CTTIME_INVALID) {
        if (k->prod == NULL)
            k->prod = g_new(prodreq_t, TD_MAX_PROD);
        k->prod[k->n_prod].time = t;
        k->prod[k->n_prod].region = intern(d, r->f[CTF_REGION]);
        k->n_prod++;
    }
    const trail_detection_t *dd = trailrules_get(d->rules, det);
    if (dd && strcmp(dd->name, "iam_user_created") == 0)
        note_created(d, k, r, "user");
    else if (dd && strncmp(dd->name, "iam_access_key", 14) == 0)
        note_created(d, k, r, "key");
    return 0;
}

/* ---- building incidents ------------------------------------------------- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_prod(const void *a, const void *b)
{
    return cmp_i64(&((const prodreq_t *)a)->time, &((const prodreq_t *)b)->time);
}

static int cmp_event(const void *a, const void *b)
{
    const trail_event_t *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    int c = strcmp(x->name, y->name);
    if (c == 0)
        c = strcmp(x->region, y->region);
    if (c == 0)
        c = strcmp(x->ip, y->ip);
    if (c == 0)
        c = strcmp(x->user_agent, y->user_agent);
    if (c == 0)
        c = strcmp(x->result, y->result);
    if (c == 0)
        c = strcmp(x->source, y->source);
    return c ? c : (x->det > y->det) - (x->det < y->det);
}

/* Largest number of distinct regions within TD_BURST_SECONDS. */
static void find_burst(tkey_t *k, int *regions, int *seconds)
{
    *regions = 0;
    *seconds = 0;
    qsort(k->prod, k->n_prod, sizeof *k->prod, cmp_prod);
    for (uint32_t i = 0; i < k->n_prod; i++) {
        const char *seen[TD_MAX_PROD];
        int n = 0;
        int64_t end = k->prod[i].time;
        for (uint32_t j = i; j < k->n_prod && k->prod[j].time - k->prod[i].time <= TD_BURST_SECONDS;
             j++) {
            bool dup = false;
            for (int s = 0; s < n && !dup; s++)
                dup = seen[s] == k->prod[j].region;
            if (!dup)
                seen[n++] = k->prod[j].region;
            end = k->prod[j].time;
        }
        if (n > *regions) {
            *regions = n;
            *seconds = (int)(end - k->prod[i].time);
        }
    }
}

static bool storm(tkey_t *k)
{
    qsort(k->denied, k->n_denied, sizeof *k->denied, cmp_i64);
    for (uint32_t i = 0, j = 0; j < k->n_denied; j++) {
        while (k->denied[j] - k->denied[i] > TD_STORM_SECONDS)
            i++;
        if (j - i + 1 >= TD_STORM_COUNT)
            return true;
    }
    return false;
}

static bool looks_like_ip(const char *s)
{
    /* sourceIPAddress can be a service name; only addresses can be "new". */
    for (; *s; s++)
        if (!(g_ascii_isxdigit(*s) || *s == '.' || *s == ':'))
            return false;
    return true;
}

static void new_sources(traildetect_t *d, tkey_t *k, trail_incident_t *in)
{
    if (strncmp(k->access_key, "AKIA", 4) != 0 || k->n_ips + k->n_uas < 3)
        return;
    int64_t first = INT64_MAX;
    for (uint16_t i = 0; i < k->n_ips; i++)
        if (k->ips[i].first != CTTIME_INVALID && k->ips[i].first < first)
            first = k->ips[i].first;
    in->new_ips = g_new0(const char *, k->n_ips + 1);
    in->new_uas = g_new0(const char *, k->n_uas + 1);
    for (uint16_t i = 0; i < k->n_ips && k->n_ips > 1; i++) {
        srcent_t *e = &k->ips[i];
        if (e->evidence && looks_like_ip(e->val) && e->first != CTTIME_INVALID &&
            e->first > first + TD_NEW_GRACE)
            in->new_ips[in->n_new_ips++] = e->val;
    }
    for (uint16_t i = 0; i < k->n_uas && k->n_uas > 1; i++) {
        srcent_t *e = &k->uas[i];
        if (e->evidence && e->first != CTTIME_INVALID && e->first > first + TD_NEW_GRACE)
            in->new_uas[in->n_new_uas++] = e->val;
    }
    qsort(in->new_ips, in->n_new_ips, sizeof *in->new_ips, cmp_str);
    qsort(in->new_uas, in->n_new_uas, sizeof *in->new_uas, cmp_str);
    if (in->n_new_ips && d->det_new_ip >= 0)
        in->dets |= 1ull << d->det_new_ip;
    if (in->n_new_uas && d->det_new_ua >= 0)
        in->dets |= 1ull << d->det_new_ua;
}

static bool has(const trail_incident_t *in, int det)
{
    return det >= 0 && (in->dets >> det & 1);
}

static bool stage_at_least(const traildetect_t *d, const trail_incident_t *in, tstage_t st,
                           tsev_t min)
{
    for (int i = 0; i < trailrules_count(d->rules); i++) {
        const trail_detection_t *dd = trailrules_get(d->rules, i);
        if (has(in, i) && dd->stage == st && dd->severity >= min)
            return true;
    }
    return false;
}

static size_t distinct_recon(const traildetect_t *d, const tkey_t *k)
{
    const char *names[TD_MAX_EVENTS];
    size_t n = 0;
    for (uint32_t i = 0; i < k->ev.n; i++) {
        if (k->ev.ev[i].det != d->det_recon)
            continue;
        bool dup = false;
        for (size_t j = 0; j < n && !dup; j++)
            dup = names[j] == k->ev.ev[i].name;
        if (!dup)
            names[n++] = k->ev.ev[i].name;
    }
    return n;
}

static void add_unique(const char **arr, size_t *n, size_t max, const char *s)
{
    if (s == NULL || s[0] == '\0')
        return;
    for (size_t i = 0; i < *n; i++)
        if (arr[i] == s)
            return;
    if (*n < max)
        arr[(*n)++] = s;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void score(traildetect_t *d, tkey_t *k, trail_incident_t *in)
{
    const trailrules_t *R = d->rules;
    tsev_t sev = TSEV_NONE;
    int lead = -1;
    for (int i = 0; i < trailrules_count(R); i++) {
        const trail_detection_t *dd = trailrules_get(R, i);
        if (!has(in, i))
            continue;
        tsev_t s = dd->severity;
        if (i == d->det_recon && distinct_recon(d, k) < TD_RECON_DISTINCT)
            s = TSEV_NONE; /* an application reading its own quota */
        if (s > sev || lead < 0) {
            if (s > sev || sev == TSEV_NONE)
                lead = i;
            if (s > sev)
                sev = s;
        }
    }
    bool prod = stage_at_least(d, in, TSTAGE_PRODUCTION, TSEV_MEDIUM);
    bool ident = stage_at_least(d, in, TSTAGE_IDENTITY, TSEV_LOW);
    bool sending = stage_at_least(d, in, TSTAGE_SENDING, TSEV_MEDIUM);
    bool recon = has(in, d->det_recon);
    bool persist = stage_at_least(d, in, TSTAGE_PERSISTENCE, TSEV_MEDIUM);
    bool tamper = stage_at_least(d, in, TSTAGE_TAMPER, TSEV_MEDIUM);
    int chain = recon + prod + ident + sending;
    if ((prod && (ident || sending)) || (chain >= 3 && (prod || sending))) {
        sev = TSEV_CRITICAL;
        in->chain = true;
    }
    if ((prod || sending) && (persist || tamper))
        sev = TSEV_CRITICAL;
    /* How the key was used (new address, attack tool) makes the rest more
     * credible: raise what the other evidence says by one level. */
    tsev_t rest = TSEV_NONE;
    for (int i = 0; i < trailrules_count(R); i++) {
        const trail_detection_t *dd = trailrules_get(R, i);
        if (has(in, i) && dd->stage != TSTAGE_ACCESS && dd->severity > rest &&
            !(i == d->det_recon && distinct_recon(d, k) < TD_RECON_DISTINCT))
            rest = dd->severity;
    }
    bool access = has(in, d->det_new_ip) || has(in, d->det_tool);
    if (access && rest >= TSEV_MEDIUM && rest < TSEV_CRITICAL && sev < rest + 1)
        sev = rest + 1;
    in->severity = sev;
    in->lead = lead;
    const trail_detection_t *ld = trailrules_get(R, lead);
    int others = 0;
    for (int i = 0; i < trailrules_count(R); i++)
        others += has(in, i) && i != lead && trailrules_get(R, i)->severity > TSEV_NONE;
    if (in->chain)
        in->title = g_strdup("SES takeover: the sandbox was lifted and sending was prepared");
    else if (others)
        in->title = g_strdup_printf("%s (+%d more)", ld ? ld->title : "?", others);
    else
        in->title = g_strdup(ld ? ld->title : "?");
}

static void collect(traildetect_t *d, tkey_t *k, trail_incident_t *in)
{
    in->key = k->id;
    in->access_key = k->access_key;
    in->principal = k->principal ? k->principal : "";
    in->principal_type = k->ptype ? k->ptype : "";
    in->account = k->account ? k->account : "";
    in->long_term = strncmp(k->access_key, "AKIA", 4) == 0;
    in->key_first = k->first == INT64_MAX ? CTTIME_INVALID : k->first;
    in->key_last = k->last == INT64_MIN ? CTTIME_INVALID : k->last;
    in->records = k->records;
    in->n_events = k->ev.n + k->denials.n;
    in->events = g_new(trail_event_t, in->n_events ? in->n_events : 1);
    if (k->ev.n)
        memcpy(in->events, k->ev.ev, k->ev.n * sizeof *k->ev.ev);
    if (k->denials.n)
        memcpy(in->events + k->ev.n, k->denials.ev, k->denials.n * sizeof *k->denials.ev);
    qsort(in->events, in->n_events, sizeof *in->events, cmp_event);
    in->events_dropped = k->ev.dropped + k->denials.dropped;
    in->first_seen = in->last_seen = CTTIME_INVALID;
    size_t cap = in->n_events + 1;
    in->regions = g_new0(const char *, cap);
    in->source_ips = g_new0(const char *, cap);
    in->user_agents = g_new0(const char *, cap);
    for (size_t i = 0; i < in->n_events; i++) {
        const trail_event_t *e = &in->events[i];
        if (e->time != CTTIME_INVALID) {
            if (in->first_seen == CTTIME_INVALID || e->time < in->first_seen)
                in->first_seen = e->time;
            if (in->last_seen == CTTIME_INVALID || e->time > in->last_seen)
                in->last_seen = e->time;
        }
        add_unique(in->regions, &in->n_regions, cap, e->region);
        add_unique(in->source_ips, &in->n_ips, cap, e->ip);
        add_unique(in->user_agents, &in->n_uas, cap, e->user_agent);
    }
    if (in->n_events == 0) {
        /* a linked key without evidence: show where it was used from */
        g_free(in->source_ips);
        g_free(in->user_agents);
        in->source_ips = g_new0(const char *, k->n_ips + 1);
        in->user_agents = g_new0(const char *, k->n_uas + 1);
        for (uint16_t i = 0; i < k->n_ips; i++)
            in->source_ips[in->n_ips++] = k->ips[i].val;
        for (uint16_t i = 0; i < k->n_uas; i++)
            in->user_agents[in->n_uas++] = k->uas[i].val;
        qsort(in->source_ips, in->n_ips, sizeof *in->source_ips, cmp_str);
        qsort(in->user_agents, in->n_uas, sizeof *in->user_agents, cmp_str);
        in->first_seen = in->key_first;
        in->last_seen = in->key_last;
    }
    qsort(in->regions, in->n_regions, sizeof *in->regions, cmp_str);
    in->created = g_new0(const char *, TD_MAX_CREATED + 1);
    if (k->n_created)
        memcpy(in->created, k->created, k->n_created * sizeof *k->created);
    in->n_created = k->n_created;
    qsort(in->created, in->n_created, sizeof *in->created, cmp_str);
    in->tool = k->tool;
    in->denied = k->denied_total;
    memcpy(in->det_counts, k->det_counts, sizeof in->det_counts);
}

static void attack_ids(traildetect_t *d, trail_incident_t *in)
{
    GPtrArray *ids = g_ptr_array_new();
    g_ptr_array_add(ids, (gpointer) "T1078.004"); /* a valid cloud key was used */
    for (int i = 0; i < trailrules_count(d->rules); i++) {
        if (!has(in, i))
            continue;
        for (char **a = trailrules_get(d->rules, i)->attack; a && *a; a++)
            if ((*a)[0])
                g_ptr_array_add(ids, *a);
    }
    g_ptr_array_sort(ids, cmp_str);
    GPtrArray *out = g_ptr_array_new();
    for (guint i = 0; i < ids->len; i++)
        if (i == 0 || strcmp(ids->pdata[i], ids->pdata[i - 1]) != 0)
            g_ptr_array_add(out, g_strdup(ids->pdata[i]));
    g_ptr_array_add(out, NULL);
    in->attack = (char **)g_ptr_array_free(out, FALSE);
    g_ptr_array_free(ids, TRUE);
}

static int cmp_incident(const void *a, const void *b)
{
    const trail_incident_t *x = *(trail_incident_t *const *)a, *y = *(trail_incident_t *const *)b;
    if (x->severity != y->severity)
        return x->severity > y->severity ? -1 : 1;
    if (x->first_seen != y->first_seen)
        return x->first_seen < y->first_seen ? -1 : 1;
    return strcmp(x->key, y->key);
}

void traildetect_finish(traildetect_t *d)
{
    GHashTableIter it;
    gpointer kk, vv;
    /* keys created by other keys: "key AKIA..." entries of `created` */
    GHashTable *created_by = g_hash_table_new(g_str_hash, g_str_equal);
    g_hash_table_iter_init(&it, d->keys);
    while (g_hash_table_iter_next(&it, &kk, &vv)) {
        tkey_t *k = vv;
        for (uint32_t i = 0; i < k->n_created; i++)
            if (strncmp(k->created[i], "key ", 4) == 0)
                g_hash_table_insert(created_by, (gpointer)(k->created[i] + 4), (gpointer)k->id);
    }
    g_hash_table_iter_init(&it, d->keys);
    while (g_hash_table_iter_next(&it, &kk, &vv)) {
        tkey_t *k = vv;
        const char *creator = k->access_key[0] && d->det_created_used >= 0
                                  ? g_hash_table_lookup(created_by, k->access_key)
                                  : NULL;
        if (creator && strcmp(creator, k->id) == 0)
            creator = NULL; /* a key cannot reveal itself */
        if (k->det_counts == NULL && creator == NULL)
            continue;
        ensure_evidence(k);
        trail_incident_t *in = g_new0(trail_incident_t, 1);
        in->dets = k->dets;
        if (creator) {
            in->dets |= 1ull << d->det_created_used;
            k->det_counts[d->det_created_used] = (uint32_t)MIN(k->records, UINT32_MAX);
            in->created_by = creator;
        }
        if (k->n_prod) {
            find_burst(k, &in->burst_regions, &in->burst_seconds);
            if (in->burst_regions >= TD_BURST_REGIONS && d->det_burst >= 0)
                in->dets |= 1ull << d->det_burst;
        }
        if (k->n_denied >= TD_STORM_COUNT && storm(k) && d->det_storm >= 0)
            in->dets |= 1ull << d->det_storm;
        if (k->tool && d->det_tool >= 0)
            in->dets |= 1ull << d->det_tool;
        collect(d, k, in);
        new_sources(d, k, in);
        score(d, k, in);
        if (in->severity == TSEV_NONE) {
            incident_free(in);
            continue;
        }
        attack_ids(d, in);
        g_ptr_array_add(d->incidents, in);
    }
    g_hash_table_destroy(created_by);
    g_ptr_array_sort(d->incidents, cmp_incident);
}

size_t traildetect_count(const traildetect_t *d)
{
    return d->incidents->len;
}

const trail_incident_t *traildetect_get(const traildetect_t *d, size_t i)
{
    return i < d->incidents->len ? g_ptr_array_index(d->incidents, i) : NULL;
}
