/*
 * esp.c - name the sending platform of a message; see esp.h.
 *
 * What: runs the markers of data/platforms.conf (loaded by esp_db.c) over
 * the parts of a message a sending platform writes: header fields, DKIM
 * d= domains, Received hops, Message-ID and envelope sender. A platform
 * with at least one strong marker is a candidate; the candidate with most
 * strong markers (then most weak ones, then the earliest in the data file)
 * is the answer. Then the checks that need code run on its captures:
 *   - region: every marker that names a region (a region group, a region
 *     code looked up in the platform's table, or a marker's region=
 *     default) must agree, else MAIL_ANOM_PLATFORM_MISMATCH;
 *   - send time (hex Unix ms, SES Message-ID) against Date: a skew beyond
 *     ESP_SES_MAX_SKEW_S is MAIL_ANOM_PLATFORM_MISMATCH; a send day
 *     (X-SES-Outgoing) more than a day off is one too;
 *   - account: as written, base64 of its digits (SendGrid uid), or the
 *     first string of a base64 JSON array (Mailgun X-Mailgun-Sid);
 *   - custom MAIL FROM: an envelope sender whose local part is the
 *     platform's Message-ID local part (SES uses one id for both) but whose
 *     domain no return-path marker of the platform accepts.
 * Independently, a forged-alone marker (SES-shaped Message-ID) matched
 * while no strong marker of its platform did is MAIL_ANOM_FORGED_PLATFORM_ID:
 * the id was written by someone who is not the platform.
 *
 * Where it looks (the trusted boundary). Headers above the boundary were
 * written by our own hosts: an organisation on Exchange Online gets the
 * X-MS-Exchange-* family, tenant id included, stamped on every inbound
 * message, so counting them would make every message "Microsoft 365" with
 * our own tenant. With a configured boundary, header and DKIM markers see
 * only headers[trusted_header_end..], and hop markers see the hops from
 * first_untrusted_hop down (that hop, written by our MX, records the
 * outside client and is the best evidence there is). The envelope sender
 * (Return-Path, written at delivery) and Message-ID are always used.
 * Without a boundary (b NULL, not configured, or configured but not found
 * because the top hop is not ours) every header and hop is
 * used, but an account id is taken preferably from a marker found below
 * the platform's own strong Received hop (the hop where the mail left the
 * platform), since what sits above it was written after the mail left the
 * platform, i.e. by the receiving side. This is a guess; configure the
 * boundary when the receiving system is itself a platform we name.
 *
 * Memory: the result and its strings belong to the caller
 * (esp_result_free); nothing else is allocated beyond the call.
 * Limits: each subject is cut to ESP_MATCH_MAX_BYTES before matching, at
 * most ESP_MAX_HITS markers are kept per platform, evidence quotes at most
 * ESP_EVIDENCE_CHARS characters of a value.
 * Security: every value is attacker-written. Matching is bounded (subject
 * length, PCRE2 match limit), evidence and anomaly details are made valid
 * UTF-8 with control characters replaced, hex and base64 are decoded with
 * explicit bounds. A platform is context for later rules, never a verdict.
 */
#include "intel/esp.h"

#include <limits.h>
#include <string.h>

#include "intel/esp_db.h"
#include "util/slice.h"

/* Platform markers sit in the first few hundred bytes of a value (a
 * Feedback-ID is ~70, a Received line ~300); 2 KB covers every real one
 * and bounds the regex work per value whatever the header size. */
#define ESP_MATCH_MAX_BYTES 2048
/* A message has at most MAIL_MAX_HEADERS fields; a platform's markers
 * repeat a few times at most. More hits add nothing but work. */
#define ESP_MAX_HITS 256
/* Evidence quotes enough of a value to recognise it. */
#define ESP_EVIDENCE_CHARS 200
/* An address read from a Received "envelope-from <...>" comment. */
#define ESP_MAX_ADDR 320
/* Envelope senders looked at: Return-Path plus a few list/relay hops. */
#define ESP_MAX_ENVELOPES 16

typedef struct hit {
    const esp_matcher_t *mt;
    guint order; /* index of the matcher in its platform (file order) */
    long pos;    /* header index where found; LONG_MAX when not positional */
    char *evidence;
    char *cap[ESP_CAP_COUNT];
} hit_t;

typedef struct envelope {
    char *addr;
    const char *label; /* "Return-Path" or "Received envelope-from" */
    long pos;
} envelope_t;

/* What the matchers may look at, per the boundary. */
typedef struct view {
    mail_msg_t *m;
    bool trusted;     /* a configured boundary */
    size_t hdr_start; /* headers[hdr_start..] */
    guint hop_start;  /* hops[hop_start..] */
    GArray *hop_pos;  /* long: header index of hops[k] */
    GPtrArray *envs;  /* envelope_t* */
    long msgid_pos;
    size_t *name_len; /* strlen of each header name: a cheap first test */
    GPtrArray *dkim;  /* dkim_sig_t*, signatures in range, top first */
} view_t;

typedef struct dkim_sig {
    long pos;
    char d[]; /* lower-case d= */
} dkim_sig_t;

/* ---- small helpers ---- */

static void hit_free(gpointer p)
{
    hit_t *h = p;
    if (h == NULL)
        return;
    g_free(h->evidence);
    for (int c = 0; c < ESP_CAP_COUNT; c++)
        g_free(h->cap[c]);
    g_free(h);
}

static void envelope_free(gpointer p)
{
    envelope_t *e = p;
    if (e == NULL)
        return;
    g_free(e->addr);
    g_free(e);
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* "prefix value" as valid UTF-8, controls replaced, cut to a readable length. */
static char *quote(const char *prefix, const char *value)
{
    size_t n = strnlen(nz(value), ESP_EVIDENCE_CHARS * 4 + 4);
    char *v = g_utf8_make_valid(nz(value), (gssize)n);
    bool cut = n < strlen(nz(value));
    if (g_utf8_strlen(v, -1) > ESP_EVIDENCE_CHARS) {
        char *s = g_utf8_substring(v, 0, ESP_EVIDENCE_CHARS);
        g_free(v);
        v = s;
        cut = true;
    }
    for (char *p = v; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    char *out = g_strconcat(prefix, v, cut ? "\u2026" : "", NULL);
    g_free(v);
    return out;
}

static inline char ascii_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Does s contain lit (already lower case when ci)? */
static bool contains(slice_t s, const char *lit, bool ci)
{
    size_t n = strlen(lit);
    if (n > s.n)
        return false;
    if (!ci)
        return memmem(s.p, s.n, lit, n) != NULL;
    if (n == 0)
        return true;
    /* candidates: the first letter in either case, found with memchr */
    char lo = lit[0], up = lo >= 'a' && lo <= 'z' ? (char)(lo - 'a' + 'A') : lo;
    const char *p = s.p, *last = s.p + (s.n - n) + 1; /* candidates start before last */
    while (p < last) {
        const char *a = memchr(p, lo, (size_t)(last - p));
        const char *b = up != lo ? memchr(p, up, (size_t)((a ? a : last) - p)) : NULL;
        const char *c = b ? b : a;
        if (c == NULL)
            return false;
        size_t k = 1;
        while (k < n && ascii_lower(c[k]) == lit[k])
            k++;
        if (k == n)
            return true;
        p = c + 1;
    }
    return false;
}

/* Match mt's pattern against s (bounded); fill caps (owned) on success. */
static bool match_re(const esp_matcher_t *mt, const char *s, char *caps[ESP_CAP_COUNT])
{
    slice_t v = slice_trim(slice_make(nz(s), strnlen(nz(s), ESP_MATCH_MAX_BYTES + 64)));
    if (v.n > ESP_MATCH_MAX_BYTES)
        v.n = ESP_MATCH_MAX_BYTES;
    if (mt->literal != NULL && !contains(v, mt->literal, mt->literal_ci))
        return false; /* cheap: most subjects stop here */
    GMatchInfo *mi = NULL;
    GError *e = NULL;
    gboolean ok = g_regex_match_full(mt->re, v.p, (gssize)v.n, 0, 0, &mi, &e);
    if (e != NULL) { /* match limit hit or similar: no match */
        g_clear_error(&e);
        ok = FALSE;
    }
    if (ok) {
        for (int c = 0; c < ESP_CAP_COUNT; c++) {
            gint st = -1, en = -1;
            if (mt->cap[c] >= 0 && g_match_info_fetch_pos(mi, mt->cap[c], &st, &en) && st >= 0 &&
                en > st && (size_t)en <= v.n)
                caps[c] = slice_dup(slice_make(v.p + st, (size_t)(en - st)));
        }
    }
    g_match_info_free(mi);
    return ok;
}

static hit_t *hit_new(const esp_matcher_t *mt, guint order, long pos, char *evidence)
{
    hit_t *h = g_new0(hit_t, 1);
    h->mt = mt;
    h->order = order;
    h->pos = pos;
    h->evidence = evidence;
    return h;
}

/* Try a pattern marker on one subject; add a hit on success. */
static void try_re(GPtrArray *hits, const esp_matcher_t *mt, guint order, long pos,
                   const char *subject, const char *prefix, const char *shown)
{
    if (hits->len >= ESP_MAX_HITS)
        return;
    char *caps[ESP_CAP_COUNT] = {0};
    if (!match_re(mt, subject, caps))
        return;
    hit_t *h = hit_new(mt, order, pos, quote(prefix, shown));
    memcpy(h->cap, caps, sizeof caps);
    g_ptr_array_add(hits, h);
}

/* d= of a DKIM-Signature value, lower case, or NULL. */
static char *dkim_d(const char *value)
{
    slice_t s = slice_make(nz(value), strnlen(nz(value), MAIL_MAX_HEADER_BYTES));
    while (s.n > 0) {
        slice_t tag = slice_trim(slice_split(&s, ';'));
        slice_t name = slice_trim(slice_split(&tag, '='));
        if (slice_eq_ci(name, "d")) {
            slice_t d = slice_trim(tag);
            if (d.n == 0 || d.n > 253)
                return NULL;
            char *out = slice_dup(d);
            char *lc = g_ascii_strdown(out, -1);
            g_free(out);
            return lc;
        }
    }
    return NULL;
}

static bool dkim_domain_match(const esp_matcher_t *mt, const char *d)
{
    if (mt->domain[0] == '.') {
        size_t dl = strlen(d), sl = strlen(mt->domain);
        return dl > sl && strcmp(d + dl - sl, mt->domain) == 0;
    }
    return strcmp(d, mt->domain) == 0;
}

/* ---- the view ---- */

/* "envelope-from <addr>" (Exim) in a Received value, or NULL. */
static char *envelope_from(const char *raw)
{
    const char *base = nz(raw);
    size_t n = strnlen(base, MAIL_MAX_HEADER_BYTES);
    const char *key = "envelope-from <";
    const char *p = g_strstr_len(base, (gssize)n, key);
    if (p == NULL)
        return NULL;
    p += strlen(key);
    size_t left = n - (size_t)(p - base);
    const char *end = memchr(p, '>', left < ESP_MAX_ADDR ? left : ESP_MAX_ADDR);
    if (end == NULL || end == p)
        return NULL;
    for (const char *q = p; q < end; q++)
        if ((unsigned char)*q <= ' ' || *q == '<')
            return NULL;
    return slice_dup(slice_make(p, (size_t)(end - p)));
}

static long hop_pos(const view_t *v, guint k)
{
    return k < v->hop_pos->len ? g_array_index(v->hop_pos, long, k) : LONG_MAX;
}

/* Where the sender's part starts, per the boundary (see the header comment). */
static void view_boundary(view_t *v, const mail_boundary_t *b, guint nh, guint nhops)
{
    /* Configured, but the top hop was not ours (mail_boundary_find found no
     * boundary: end 0, no hop): we cannot tell ours from theirs, so behave
     * as without a boundary. */
    v->trusted =
        b != NULL && b->configured && !(b->first_untrusted_hop < 0 && b->trusted_header_end == 0);
    if (!v->trusted)
        return;
    v->hdr_start = b->trusted_header_end < nh ? b->trusted_header_end : nh;
    if (b->first_untrusted_hop >= 0) {
        v->hop_start = (guint)b->first_untrusted_hop;
        return;
    }
    v->hop_start = nhops;
    for (guint k = 0; k < nhops && k < v->hop_pos->len; k++)
        if (g_array_index(v->hop_pos, long, k) >= (long)v->hdr_start) {
            v->hop_start = k;
            return;
        }
}

/* The d= of every DKIM-Signature in range, parsed once for all markers. */
static void view_dkim(view_t *v, guint nh)
{
    for (guint i = (guint)v->hdr_start; i < nh && v->dkim->len < ESP_MAX_HITS; i++) {
        const mail_header_t *h = g_ptr_array_index(v->m->headers, i);
        if (v->name_len[i] != 14 || g_ascii_strcasecmp(h->name, "DKIM-Signature") != 0)
            continue;
        char *d = dkim_d(h->raw ? h->raw : h->value);
        if (d == NULL)
            continue;
        size_t dl = strlen(d);
        dkim_sig_t *sig = g_malloc(sizeof *sig + dl + 1);
        sig->pos = (long)i;
        memcpy(sig->d, d, dl + 1);
        g_ptr_array_add(v->dkim, sig);
        g_free(d);
    }
}

static void add_envelope(view_t *v, char *addr, const char *label, long pos)
{
    envelope_t *e = g_new0(envelope_t, 1);
    e->addr = addr;
    e->label = label;
    e->pos = pos;
    g_ptr_array_add(v->envs, e);
}

/* Envelope senders: Return-Path (written at delivery by our side, so
 * always used), then the Exim envelope-from of each hop in range. */
static void view_envelopes(view_t *v, long rp_pos, guint nhops)
{
    const mail_msg_t *m = v->m;
    if (m->return_path != NULL && m->return_path[0] != '\0')
        add_envelope(v, g_strndup(m->return_path, ESP_MAX_ADDR), "Return-Path: ", rp_pos);
    for (guint k = v->hop_start; k < nhops && v->envs->len < ESP_MAX_ENVELOPES; k++) {
        const mail_hop_t *hop = g_ptr_array_index(m->hops, k);
        char *a = envelope_from(hop->raw);
        if (a != NULL)
            add_envelope(v, a, "Received envelope-from: ", hop_pos(v, k));
    }
}

static void view_init(view_t *v, mail_msg_t *m, const mail_boundary_t *b)
{
    memset(v, 0, sizeof *v);
    v->m = m;
    v->hop_pos = g_array_new(FALSE, FALSE, sizeof(long));
    v->envs = g_ptr_array_new_with_free_func(envelope_free);
    v->dkim = g_ptr_array_new_with_free_func(g_free);
    v->msgid_pos = LONG_MAX;
    guint nh = m->headers ? m->headers->len : 0;
    guint nhops = m->hops ? m->hops->len : 0;
    long rp_pos = LONG_MAX;
    v->name_len = g_new0(size_t, nh + 1);
    for (guint i = 0; i < nh; i++) {
        const mail_header_t *h = g_ptr_array_index(m->headers, i);
        v->name_len[i] = strlen(nz(h->name));
        long idx = (long)i;
        if (g_ascii_strcasecmp(nz(h->name), "Received") == 0)
            g_array_append_val(v->hop_pos, idx);
        else if (v->msgid_pos == LONG_MAX && g_ascii_strcasecmp(nz(h->name), "Message-ID") == 0)
            v->msgid_pos = idx;
        else if (rp_pos == LONG_MAX && g_ascii_strcasecmp(nz(h->name), "Return-Path") == 0)
            rp_pos = idx;
    }
    view_boundary(v, b, nh, nhops);
    view_dkim(v, nh);
    view_envelopes(v, rp_pos, nhops);
}

static void view_clear(view_t *v)
{
    g_array_free(v->hop_pos, TRUE);
    g_ptr_array_free(v->envs, TRUE);
    g_ptr_array_free(v->dkim, TRUE);
    g_free(v->name_len);
}

/* ---- running one platform's markers ---- */

static void run_headers(const view_t *v, const esp_matcher_t *mt, guint order, GPtrArray *hits)
{
    guint nh = v->m->headers ? v->m->headers->len : 0;
    for (guint i = (guint)v->hdr_start; i < nh && hits->len < ESP_MAX_HITS; i++) {
        const mail_header_t *h = g_ptr_array_index(v->m->headers, i);
        if (v->name_len[i] != mt->header_len || g_ascii_strcasecmp(nz(h->name), mt->header) != 0)
            continue;
        const char *val = h->value ? h->value : h->raw;
        char *prefix = g_strconcat(mt->header, ": ", NULL);
        if (mt->kind == ESP_KIND_HEADER_PRESENT)
            g_ptr_array_add(hits, hit_new(mt, order, (long)i, quote(prefix, val)));
        else
            try_re(hits, mt, order, (long)i, val, prefix, val);
        g_free(prefix);
    }
}

static void run_dkim(const view_t *v, const esp_matcher_t *mt, guint order, GPtrArray *hits)
{
    for (guint i = 0; i < v->dkim->len && hits->len < ESP_MAX_HITS; i++) {
        const dkim_sig_t *sig = g_ptr_array_index(v->dkim, i);
        if (mt->re != NULL)
            try_re(hits, mt, order, sig->pos, sig->d, "DKIM-Signature: d=", sig->d);
        else if (dkim_domain_match(mt, sig->d))
            g_ptr_array_add(hits,
                            hit_new(mt, order, sig->pos, quote("DKIM-Signature: d=", sig->d)));
    }
}

static void run_hops(const view_t *v, const esp_matcher_t *mt, guint order, GPtrArray *hits)
{
    guint nhops = v->m->hops ? v->m->hops->len : 0;
    for (guint k = v->hop_start; k < nhops && hits->len < ESP_MAX_HITS; k++) {
        const mail_hop_t *hop = g_ptr_array_index(v->m->hops, k);
        long pos = hop_pos(v, k);
        guint before = hits->len;
        if (mt->kind == ESP_KIND_RECEIVED_BY) {
            try_re(hits, mt, order, pos, hop->by, "Received: ", hop->raw);
        } else if (mt->kind == ESP_KIND_RECEIVED) {
            try_re(hits, mt, order, pos, hop->raw, "Received: ", hop->raw);
        } else {
            const char *names[3] = {hop->from_name, hop->helo, hop->rdns};
            for (int j = 0; j < 3 && hits->len == before; j++) {
                if (names[j] == NULL || names[j][0] == '\0' ||
                    (j > 0 && g_ascii_strcasecmp(names[j], nz(names[0])) == 0))
                    continue;
                try_re(hits, mt, order, pos, names[j], "Received: ", hop->raw);
            }
        }
    }
}

static void run_matcher(const view_t *v, const esp_matcher_t *mt, guint order, GPtrArray *hits)
{
    switch (mt->kind) {
    case ESP_KIND_HEADER:
    case ESP_KIND_HEADER_PRESENT:
        run_headers(v, mt, order, hits);
        break;
    case ESP_KIND_DKIM:
        run_dkim(v, mt, order, hits);
        break;
    case ESP_KIND_RECEIVED_FROM:
    case ESP_KIND_RECEIVED_BY:
    case ESP_KIND_RECEIVED:
        run_hops(v, mt, order, hits);
        break;
    case ESP_KIND_MESSAGE_ID:
        if (v->m->message_id != NULL) {
            char *shown = g_strconcat("<", v->m->message_id, ">", NULL);
            try_re(hits, mt, order, v->msgid_pos, v->m->message_id, "Message-ID: ", shown);
            g_free(shown);
        }
        break;
    case ESP_KIND_RETURN_PATH:
        for (guint i = 0; i < v->envs->len; i++) {
            const envelope_t *e = g_ptr_array_index(v->envs, i);
            char *shown = g_strconcat("<", e->addr, ">", NULL);
            try_re(hits, mt, order, e->pos, e->addr, e->label, shown);
            g_free(shown);
        }
        break;
    }
}

static gint hit_cmp(gconstpointer a, gconstpointer b)
{
    const hit_t *x = *(const hit_t *const *)a, *y = *(const hit_t *const *)b;
    if (x->order != y->order)
        return x->order < y->order ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static GPtrArray *run_platform(const view_t *v, const esp_platform_t *pl, unsigned *strong,
                               unsigned *weak)
{
    GPtrArray *hits = g_ptr_array_new_with_free_func(hit_free);
    for (guint i = 0; i < pl->matchers->len; i++)
        run_matcher(v, g_ptr_array_index(pl->matchers, i), i, hits);
    g_ptr_array_sort(hits, hit_cmp);
    *strong = *weak = 0;
    for (guint i = 0; i < hits->len; i++) {
        const hit_t *h = g_ptr_array_index(hits, i);
        if (h->mt->strong)
            (*strong)++;
        else
            (*weak)++;
    }
    return hits;
}

/* ---- code-level checks on the chosen platform ---- */

static const char *source_name(const esp_matcher_t *mt)
{
    switch (mt->kind) {
    case ESP_KIND_HEADER:
    case ESP_KIND_HEADER_PRESENT:
        return mt->header;
    case ESP_KIND_DKIM:
        return "DKIM-Signature";
    case ESP_KIND_MESSAGE_ID:
        return "Message-ID";
    case ESP_KIND_RETURN_PATH:
        return "Return-Path";
    default:
        return "Received";
    }
}

/* Hex of at most 15 digits (fits gint64), or -1. */
static gint64 parse_hex(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 15)
        return -1;
    gint64 v = 0;
    for (size_t i = 0; i < n; i++) {
        int d = g_ascii_xdigit_value(s[i]);
        if (d < 0)
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Decode base64 of at most max_in characters (padding optional); NULL if
 * s is not base64. *outlen gets the decoded size. */
static guchar *b64_decode(const char *s, size_t max_in, gsize *outlen)
{
    size_t n = strlen(s);
    if (n == 0 || n > max_in)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!(g_ascii_isalnum(s[i]) || s[i] == '+' || s[i] == '/' || s[i] == '=' || s[i] == '-' ||
              s[i] == '_'))
            return NULL;
    char *padded = g_malloc(n + 4);
    memcpy(padded, s, n);
    size_t len = n;
    while (len % 4 != 0)
        padded[len++] = '=';
    padded[len] = '\0';
    for (size_t i = 0; i < len; i++) /* URL-safe alphabet too */
        padded[i] = padded[i] == '-' ? '+' : padded[i] == '_' ? '/' : padded[i];
    guchar *raw = g_base64_decode(padded, outlen);
    g_free(padded);
    return raw;
}

/* base64 of an all-digit id, decoded; NULL if not that. */
static char *decode_account64(const char *s)
{
    gsize outlen = 0;
    guchar *raw = b64_decode(s, 64, &outlen);
    bool ok = raw != NULL && outlen > 0 && outlen <= 20;
    for (gsize i = 0; ok && i < outlen; i++)
        if (raw[i] < '0' || raw[i] > '9')
            ok = false;
    char *out = ok ? g_strndup((const char *)raw, outlen) : NULL;
    g_free(raw);
    return out;
}

/* base64 of a JSON array ["<id>", ...]: the first string, if it is a plain
 * id ([A-Za-z0-9._-], at most 64 bytes); NULL otherwise. A full JSON parser
 * is not needed for the one element we read. */
static char *decode_accountlist64(const char *s)
{
    gsize outlen = 0;
    guchar *raw = b64_decode(s, 1024, &outlen);
    if (raw == NULL)
        return NULL;
    slice_t v = slice_trim(slice_make((const char *)raw, outlen));
    char *out = NULL;
    if (slice_skip_prefix_ci(&v, "[")) {
        v = slice_trim(v);
        if (slice_skip_prefix_ci(&v, "\"")) {
            long end = slice_find(v, '"');
            bool ok = end > 0 && end <= 64;
            for (long i = 0; ok && i < end; i++)
                ok = g_ascii_isalnum(v.p[i]) || v.p[i] == '.' || v.p[i] == '_' || v.p[i] == '-';
            if (ok)
                out = slice_dup(slice_make(v.p, (size_t)end));
        }
    }
    g_free(raw);
    return out;
}

/* "YYYY.MM.DD" as a Julian day number, or 0. */
static guint32 parse_day(const char *s)
{
    if (strlen(s) != 10 || s[4] != '.' || s[7] != '.')
        return 0;
    int v[3] = {0, 0, 0};
    const int off[3] = {0, 5, 8}, len[3] = {4, 2, 2};
    for (int f = 0; f < 3; f++)
        for (int i = 0; i < len[f]; i++) {
            char c = s[off[f] + i];
            if (c < '0' || c > '9')
                return 0;
            v[f] = v[f] * 10 + (c - '0');
        }
    if (!g_date_valid_dmy((GDateDay)v[2], (GDateMonth)v[1], (GDateYear)v[0]))
        return 0;
    GDate d;
    g_date_clear(&d, 1);
    g_date_set_dmy(&d, (GDateDay)v[2], (GDateMonth)v[1], (GDateYear)v[0]);
    return g_date_get_julian(&d);
}

static guint32 unix_day(gint64 secs)
{
    /* 1970-01-01 is Julian day 719163 in GDate's count (day 1 = 0001-01-01). */
    gint64 days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
    gint64 j = days + 719163;
    return (j > 0 && j < G_MAXUINT32) ? (guint32)j : 0;
}

static void check_regions(mail_msg_t *m, const esp_platform_t *pl, GPtrArray *hits, esp_result_t *r)
{
    GString *seen = g_string_new(NULL);
    bool disagree = false;
    for (guint i = 0; i < hits->len; i++) {
        const hit_t *h = g_ptr_array_index(hits, i);
        const char *cand[2] = {h->cap[ESP_CAP_REGION], NULL};
        if (cand[0] == NULL && h->mt->region_default != NULL)
            cand[0] = h->mt->region_default;
        if (h->cap[ESP_CAP_REGIONCODE] != NULL) {
            char *lc = g_ascii_strdown(h->cap[ESP_CAP_REGIONCODE], -1);
            cand[1] = g_hash_table_lookup(pl->region_codes, lc);
            g_free(lc);
        }
        for (int c = 0; c < 2; c++) {
            if (cand[c] == NULL)
                continue;
            char *q = quote("", cand[c]); /* captures are attacker bytes */
            char *lc = g_ascii_strdown(q, -1);
            g_free(q);
            if (r->region == NULL)
                r->region = g_strdup(lc);
            else if (strcmp(r->region, lc) != 0)
                disagree = true;
            g_string_append_printf(seen, "%s%s (%s%s)", seen->len ? ", " : "", lc,
                                   source_name(h->mt), c == 1 ? " region code" : "");
            g_free(lc);
        }
    }
    if (disagree) {
        char *d = quote("", seen->str);
        mail_msg_anomaly(m, MAIL_ANOM_PLATFORM_MISMATCH, "%s regions disagree: %s", pl->label, d);
        g_free(d);
    }
    g_string_free(seen, TRUE);
}

static void check_time(mail_msg_t *m, const esp_platform_t *pl, GPtrArray *hits, esp_result_t *r)
{
    for (guint i = 0; i < hits->len && !r->has_send_time; i++) {
        const hit_t *h = g_ptr_array_index(hits, i);
        gint64 ms = h->cap[ESP_CAP_SENDTIME] ? parse_hex(h->cap[ESP_CAP_SENDTIME]) : -1;
        if (ms < 0)
            continue;
        r->has_send_time = true;
        r->send_time_ms = ms;
        if (m->date == G_MININT64)
            continue;
        r->date_skew_s = m->date - ms / 1000;
        if (r->date_skew_s > ESP_SES_MAX_SKEW_S || r->date_skew_s < -ESP_SES_MAX_SKEW_S)
            mail_msg_anomaly(m, MAIL_ANOM_PLATFORM_MISMATCH,
                             "Date is %+" G_GINT64_FORMAT " s from the send time in the %s %s "
                             "(more than %d s)",
                             r->date_skew_s, pl->label, source_name(h->mt), ESP_SES_MAX_SKEW_S);
    }
    /* The send day is checked against Date when there is one, so that a
     * bad Message-ID time is reported once (above), not twice. */
    bool by_date = m->date != G_MININT64;
    gint64 ref = by_date ? m->date : r->has_send_time ? r->send_time_ms / 1000 : G_MININT64;
    if (ref == G_MININT64)
        return;
    guint32 ref_day = unix_day(ref);
    for (guint i = 0; i < hits->len && ref_day; i++) {
        const hit_t *h = g_ptr_array_index(hits, i);
        guint32 day = h->cap[ESP_CAP_SENDDAY] ? parse_day(h->cap[ESP_CAP_SENDDAY]) : 0;
        if (day == 0)
            continue;
        gint64 diff = (gint64)day - (gint64)ref_day;
        if (diff > 1 || diff < -1) {
            char *d = quote("", h->cap[ESP_CAP_SENDDAY]);
            mail_msg_anomaly(m, MAIL_ANOM_PLATFORM_MISMATCH,
                             "%s day %s is %" G_GINT64_FORMAT " days from the %s",
                             source_name(h->mt), d, diff,
                             by_date ? "Date" : "Message-ID send time");
            g_free(d);
        }
        break;
    }
}

/* Account: preferably from below the platform's own strong hop when no
 * boundary is configured (see the header comment). */
static void pick_account(const view_t *v, GPtrArray *hits, esp_result_t *r)
{
    long cut = -1;
    if (!v->trusted) {
        for (guint i = 0; i < hits->len; i++) {
            const hit_t *h = g_ptr_array_index(hits, i);
            bool hop = h->mt->kind == ESP_KIND_RECEIVED_FROM || h->mt->kind == ESP_KIND_RECEIVED ||
                       h->mt->kind == ESP_KIND_RECEIVED_BY;
            if (hop && h->mt->strong && h->pos != LONG_MAX && (cut < 0 || h->pos < cut))
                cut = h->pos;
        }
    }
    for (int pass = 0; pass < 2 && r->account == NULL; pass++) {
        for (guint i = 0; i < hits->len && r->account == NULL; i++) {
            const hit_t *h = g_ptr_array_index(hits, i);
            if (pass == 0 && cut >= 0 && h->pos <= cut)
                continue;
            if (h->cap[ESP_CAP_ACCOUNT] != NULL)
                r->account = quote("", h->cap[ESP_CAP_ACCOUNT]); /* valid UTF-8 */
            else if (h->cap[ESP_CAP_ACCOUNT64] != NULL)
                r->account = decode_account64(h->cap[ESP_CAP_ACCOUNT64]);
            else if (h->cap[ESP_CAP_ACCOUNTLIST64] != NULL)
                r->account = decode_accountlist64(h->cap[ESP_CAP_ACCOUNTLIST64]);
        }
    }
}

static bool local_part_eq(const char *addr, const char *msgid)
{
    const char *a = strrchr(addr, '@'), *b = strrchr(msgid, '@');
    if (a == NULL || b == NULL || a == addr)
        return false;
    return (a - addr) == (b - msgid) && g_ascii_strncasecmp(addr, msgid, (gsize)(a - addr)) == 0;
}

static void check_mail_from(const view_t *v, const esp_platform_t *pl, GPtrArray *hits,
                            esp_result_t *r)
{
    bool msgid_hit = false;
    for (guint i = 0; i < hits->len; i++)
        if (((const hit_t *)g_ptr_array_index(hits, i))->mt->kind == ESP_KIND_MESSAGE_ID)
            msgid_hit = true;
    if (!msgid_hit || v->m->message_id == NULL)
        return;
    for (guint i = 0; i < v->envs->len; i++) {
        const envelope_t *e = g_ptr_array_index(v->envs, i);
        if (!local_part_eq(e->addr, v->m->message_id))
            continue;
        bool at_platform = false, have_rp = false;
        for (guint j = 0; j < pl->matchers->len; j++) {
            const esp_matcher_t *mt = g_ptr_array_index(pl->matchers, j);
            if (mt->kind != ESP_KIND_RETURN_PATH)
                continue;
            have_rp = true;
            char *caps[ESP_CAP_COUNT] = {0};
            if (match_re(mt, e->addr, caps))
                at_platform = true;
            for (int c = 0; c < ESP_CAP_COUNT; c++)
                g_free(caps[c]);
        }
        if (have_rp)
            r->custom_mail_from = !at_platform;
        return;
    }
}

/* A forged-alone marker with no strong marker of its platform. */
static void check_forged(mail_msg_t *m, const esp_platform_t *pl, GPtrArray *hits, unsigned strong)
{
    if (strong > 0)
        return;
    for (guint i = 0; i < hits->len; i++) {
        const hit_t *h = g_ptr_array_index(hits, i);
        if (!h->mt->forged_alone)
            continue;
        mail_msg_anomaly(m, MAIL_ANOM_FORGED_PLATFORM_ID,
                         "%s has the %s form, but no strong %s marker (DKIM signature, "
                         "Received hop, platform header) is present",
                         h->evidence, pl->label, pl->label);
        return;
    }
}

static esp_result_t *build_result(const view_t *v, const esp_platform_t *pl, GPtrArray *hits)
{
    esp_result_t *r = g_new0(esp_result_t, 1);
    r->name = g_strdup(pl->name);
    r->label = g_strdup(pl->label);
    r->evidence = g_ptr_array_new_with_free_func(g_free);
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < hits->len; i++) {
        const hit_t *h = g_ptr_array_index(hits, i);
        if (g_hash_table_contains(seen, h->evidence))
            continue;
        g_hash_table_add(seen, h->evidence);
        g_ptr_array_add(r->evidence, g_strdup(h->evidence));
    }
    g_hash_table_destroy(seen);
    check_regions(v->m, pl, hits, r);
    check_time(v->m, pl, hits, r);
    pick_account(v, hits, r);
    check_mail_from(v, pl, hits, r);
    return r;
}

esp_result_t *esp_identify(const esp_db_t *db, mail_msg_t *m, const mail_boundary_t *b)
{
    if (db == NULL || m == NULL)
        return NULL;
    view_t v;
    view_init(&v, m, b);
    const esp_platform_t *best = NULL;
    GPtrArray *best_hits = NULL;
    unsigned best_strong = 0, best_weak = 0;
    for (guint i = 0; i < db->platforms->len; i++) {
        const esp_platform_t *pl = g_ptr_array_index(db->platforms, i);
        unsigned strong, weak;
        GPtrArray *hits = run_platform(&v, pl, &strong, &weak);
        check_forged(m, pl, hits, strong);
        if (strong > 0 &&
            (best == NULL || strong > best_strong || (strong == best_strong && weak > best_weak))) {
            if (best_hits)
                g_ptr_array_free(best_hits, TRUE);
            best = pl;
            best_hits = hits;
            best_strong = strong;
            best_weak = weak;
        } else {
            g_ptr_array_free(hits, TRUE);
        }
    }
    esp_result_t *r = best ? build_result(&v, best, best_hits) : NULL;
    if (best_hits)
        g_ptr_array_free(best_hits, TRUE);
    view_clear(&v);
    return r;
}

void esp_result_free(esp_result_t *r)
{
    if (r == NULL)
        return;
    g_free(r->name);
    g_free(r->label);
    g_free(r->region);
    g_free(r->account);
    if (r->evidence)
        g_ptr_array_free(r->evidence, TRUE);
    g_free(r);
}
