/*
 * keyscan.c - the credential scanner; see keyscan.h for the contract.
 *
 * Threads: the caller's thread walks directories (or the git history) and
 * queues jobs; KEYSCAN_THREADS workers each own a Hyperscan scratch, a read
 * buffer and a candidate array, so the only shared state is the job queue
 * and the findings array, each behind a mutex. Why not mmap: a file that
 * shrinks while mapped raises SIGBUS, which a scanner of hostile trees must
 * not risk; one 8 MiB read buffer per worker costs a copy but reads at
 * page-cache speed and bounds memory.
 */
#include "keys/keyscan.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys/keywalk.h"
#include "util/hash.h"
#include "util/log.h"
#include "util/progress.h"

typedef enum { JOB_FILE, JOB_BLOB, JOB_STOP } job_kind_t;

typedef struct job {
    job_kind_t kind;
    char *path;
    char *data;
    size_t len;
    keyscan_origin_t origin;
} job_t;

/* A confirmed match in the current chunk, before it becomes a finding. */
typedef struct cand {
    int rule;
    size_t ms, me; /* whole match */
    size_t ss, se; /* secret (group 1 or the match) */
    bool pending;  /* waits for a `near` rule's match */
    bool consumed; /* merged into a pair */
    bool owned;    /* starts in this chunk's own range (else: context only) */
    int pair;      /* index of the merged candidate, or -1 */
} cand_t;

typedef struct worker {
    struct keyscan *ks;
    hs_scratch_t *scratch;
    char *buf;
    GArray *cands;
    size_t *cov_lo, *cov_hi; /* per rule: hit ends already covered */
    size_t *last_ms;         /* per rule: last match start evaluated, +1 */
    GThread *thread;
    /* the chunk being scanned, for the Hyperscan callback */
    const char *cbuf;
    size_t cn, own_lo, own_hi;
} worker_t;

struct keyscan {
    const keyrules_t *rs;
    keyscan_opts_t opts;
    GPtrArray *inc, *exc; /* GPatternSpec * */
    GAsyncQueue *queue;
    GMutex qlock;
    GCond qcond;
    size_t queued_jobs, queued_bytes;
    worker_t **workers;
    int nworkers;
    worker_t *sync;
    GMutex flock;
    GPtrArray *findings;
    bool dropped;
    unsigned long errors, files;
    uint64_t bytes;
    size_t secret_bytes;
    progress_t *progress;
    bool finished;
    /* directory walk state (caller's thread only) */
    git_repository *ignore_repo;
    char *ignore_prefix; /* walk root relative to the repository workdir */
    size_t root_len;
};

/* ---- findings ---------------------------------------------------------- */

static void origin_clear(keyscan_origin_t *o)
{
    g_free(o->commit);
    g_free(o->author_date);
    g_free(o->author);
    memset(o, 0, sizeof *o);
}

static void finding_free(gpointer p)
{
    keyfinding_t *f = p;
    g_free(f->path);
    g_free(f->secret);
    g_free(f->paired_secret);
    g_free(f->key_id);
    g_free(f->smtp_region);
    g_free(f->smtp_key);
    g_free(f->smtp_endpoint);
    origin_clear(&f->origin);
    g_free(f);
}

static void fingerprint(const keyrules_t *rs, keyfinding_t *f)
{
    GString *s = g_string_new(keyrules_get(rs, (size_t)f->rule)->id);
    g_string_append_c(s, '\0');
    g_string_append(s, f->secret);
    if (f->paired_secret) {
        g_string_append_c(s, '\0');
        g_string_append(s, f->paired_secret);
    }
    if (hash_sha256_hex(s->str, s->len, f->fingerprint) != 0)
        f->fingerprint[0] = '\0';
    g_string_free(s, TRUE);
}

/* Truncate a stored secret (its fingerprint is already taken). */
static void shorten(char *s, size_t max)
{
    if (s && strlen(s) > max)
        s[max] = '\0';
}

static void add_finding(keyscan_t *ks, keyfinding_t *f)
{
    g_mutex_lock(&ks->flock);
    /* Past the budget, secrets are kept only as long as a report shows. */
    if (ks->secret_bytes > KEYSCAN_SECRET_BUDGET) {
        shorten(f->secret, KEYSCAN_SHORT_SECRET);
        shorten(f->paired_secret, KEYSCAN_SHORT_SECRET);
    }
    ks->secret_bytes += strlen(f->secret) + (f->paired_secret ? strlen(f->paired_secret) : 0);
    if (ks->findings->len >= KEYSCAN_MAX_FINDINGS) {
        if (!ks->dropped)
            log_warn("more than %d findings; the rest are not reported", KEYSCAN_MAX_FINDINGS);
        ks->dropped = true;
        finding_free(f);
    } else {
        g_ptr_array_add(ks->findings, f);
    }
    g_mutex_unlock(&ks->flock);
}

/* ---- confirming a Hyperscan hit ---------------------------------------- */

static bool has_ci(const char *hay, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    if (k == 0 || k > n)
        return false;
    for (size_t i = 0; i + k <= n; i++)
        if (g_ascii_tolower(hay[i]) == needle[0] && g_ascii_strncasecmp(hay + i, needle, k) == 0)
            return true;
    return false;
}

static bool keywords_near(const keyrule_t *r, const char *buf, size_t n, size_t ms, size_t me)
{
    if (r->keywords[0] == NULL)
        return true;
    size_t lo = ms > r->window ? ms - r->window : 0;
    size_t hi = me + 32 < n ? me + 32 : n;
    for (char **k = r->keywords; *k; k++)
        if (has_ci(buf + lo, hi - lo, *k))
            return true;
    return false;
}

/* Does the line holding [ms, me) carry the inline allow mark? Lines are
 * searched at most 4 KiB either way (minified files have endless lines). */
static bool allowed_inline(const char *buf, size_t n, size_t ms, size_t me)
{
    size_t lo = ms, hi = me;
    while (lo > 0 && buf[lo - 1] != '\n' && ms - lo < 4096)
        lo--;
    while (hi < n && buf[hi] != '\n' && hi - me < 4096)
        hi++;
    const size_t k = sizeof KEYSCAN_ALLOW_MARK - 1;
    for (size_t i = lo; i + k <= hi; i++)
        if (buf[i] == 's' && memcmp(buf + i, KEYSCAN_ALLOW_MARK, k) == 0)
            return true;
    return false;
}

static void confirm_region(worker_t *w, int id, size_t to);

/* A confirmed match of rule id: look for the rules that name it as `near`
 * around it (their prefilters cover only their keywords). */
static void look_near(worker_t *w, int id, size_t at)
{
    const keyrules_t *rs = w->ks->rs;
    for (size_t k = 0; k < keyrules_count(rs); k++)
        if (keyrules_get(rs, k)->near == id && !(at >= w->cov_lo[k] && at <= w->cov_hi[k]))
            confirm_region(w, (int)k, at);
}

static void confirm_region(worker_t *w, int id, size_t to)
{
    const keyrule_t *r = keyrules_get(w->ks->rs, (size_t)id);
    /* A hit may mark the start, the end or a keyword before a match, so a
     * match lies within max_len of its hit either way. The window runs to
     * 2 * max_len after this hit so that it also holds every match of the
     * hits in [to, to + max_len), which are then skipped (cov_lo..cov_hi):
     * long runs of key-shaped text cost one regex run per max_len bytes. */
    size_t L = r->max_len;
    size_t lo = to > L ? to - L : 0;
    size_t hi = to + 2 * L < w->cn ? to + 2 * L : w->cn;
    GMatchInfo *mi = NULL;
    /* The subject runs from the chunk start so that look-behinds see the
     * bytes before the window; it ends at the window's end. */
    g_regex_match_full(r->re, w->cbuf, (gssize)hi, (gint)lo, 0, &mi, NULL);
    while (mi && g_match_info_matches(mi)) {
        gint ms = -1, me = -1, ss = -1, se = -1;
        g_match_info_fetch_pos(mi, 0, &ms, &me);
        if (g_regex_get_capture_count(r->re) < 1 || !g_match_info_fetch_pos(mi, 1, &ss, &se) ||
            ss < 0) {
            ss = ms;
            se = me;
        }
        bool truncated = (size_t)me == hi && hi < w->cn;
        /* Matches within KEYRULES_NEAR_BYTES outside the owned range are
         * kept as context, so that a secret and the key id beside it pair
         * up across a chunk boundary; only owned ones are reported. */
        size_t ctx_lo = w->own_lo > KEYRULES_NEAR_BYTES ? w->own_lo - KEYRULES_NEAR_BYTES : 0;
        if (ms >= 0 && se > ss && !truncated && (size_t)(me - ms) <= L &&
            (size_t)ms + 1 > w->last_ms[id] && (size_t)ms >= ctx_lo &&
            (size_t)ms < w->own_hi + KEYRULES_NEAR_BYTES) {
            bool owned = (size_t)ms >= w->own_lo && (size_t)ms < w->own_hi;
            w->last_ms[id] = (size_t)ms + 1;
            slice_t secret = slice_make(w->cbuf + ss, (size_t)(se - ss));
            if (keyrules_validate(r, secret)) {
                bool kw = keywords_near(r, w->cbuf, w->cn, (size_t)ms, (size_t)me);
                if (kw || r->near >= 0) {
                    cand_t c = {id,  (size_t)ms, (size_t)me, (size_t)ss, (size_t)se,
                                !kw, false,      owned,      -1};
                    g_array_append_val(w->cands, c);
                    if (kw)
                        look_near(w, id, (size_t)me);
                }
            }
        }
        g_match_info_next(mi, NULL);
    }
    g_match_info_free(mi);
    w->cov_lo[id] = to;
    w->cov_hi[id] = to + L - 1;
}

static int on_hit(unsigned int id, unsigned long long from, unsigned long long to,
                  unsigned int flags, void *ctx)
{
    worker_t *w = ctx;
    (void)from;
    (void)flags;
    if (to >= w->cov_lo[id] && to <= w->cov_hi[id])
        return 0;
    confirm_region(w, (int)id, (size_t)to);
    return 0;
}

static size_t dist(const cand_t *a, const cand_t *b)
{
    return a->ms > b->ms ? a->ms - b->ms : b->ms - a->ms;
}

/* Candidates are sorted by start; visit those within KEYRULES_NEAR_BYTES
 * of c (both directions) only, so that resolution stays linear even when
 * hostile input packs a chunk with key-shaped strings. */
static guint near_lo(GArray *cs, guint i)
{
    size_t ms = g_array_index(cs, cand_t, i).ms;
    while (i > 0 && ms - g_array_index(cs, cand_t, i - 1).ms <= KEYRULES_NEAR_BYTES)
        i--;
    return i;
}

/* Overlapping matches of two rules: the rule listed first in rules.txt is
 * the more specific one (a Google service-account key before a generic PEM
 * key) and wins. */
static void drop_overlaps(GArray *cs)
{
    for (guint i = 0; i < cs->len; i++) {
        cand_t *c = &g_array_index(cs, cand_t, i);
        for (guint j = i + 1; j < cs->len && !c->consumed; j++) {
            cand_t *d = &g_array_index(cs, cand_t, j);
            if (d->ms >= c->me)
                break;
            if (d->consumed || d->rule == c->rule || d->ss >= c->se || c->ss >= d->se)
                continue;
            if (d->rule > c->rule)
                d->consumed = true;
            else
                c->consumed = true;
        }
    }
}

/* A pending candidate stands if a confirmed match of its `near` rule lies
 * within KEYRULES_NEAR_BYTES; each `pair` rule takes the nearest match of
 * the rule it pairs with. */
static void resolve_cands(worker_t *w)
{
    GArray *cs = w->cands;
    drop_overlaps(cs);
    for (guint i = 0; i < cs->len; i++) {
        cand_t *c = &g_array_index(cs, cand_t, i);
        if (!c->pending || c->consumed)
            continue;
        int near = keyrules_get(w->ks->rs, (size_t)c->rule)->near;
        for (guint j = near_lo(cs, i); j < cs->len && c->pending; j++) {
            cand_t *d = &g_array_index(cs, cand_t, j);
            if (d->ms > c->ms + KEYRULES_NEAR_BYTES)
                break;
            if (d->rule == near && !d->pending && !d->consumed)
                c->pending = false;
        }
        if (c->pending)
            c->consumed = true; /* no context: dropped */
    }
    for (guint i = 0; i < cs->len; i++) {
        cand_t *c = &g_array_index(cs, cand_t, i);
        int pr = keyrules_get(w->ks->rs, (size_t)c->rule)->pair;
        if (pr < 0 || c->consumed)
            continue;
        guint best = G_MAXUINT;
        for (guint j = near_lo(cs, i); j < cs->len; j++) {
            cand_t *d = &g_array_index(cs, cand_t, j);
            if (d->ms > c->ms + KEYRULES_NEAR_BYTES)
                break;
            if (d->rule == pr && !d->consumed && d->pair < 0 &&
                (best == G_MAXUINT || dist(c, d) < dist(c, &g_array_index(cs, cand_t, best))))
                best = j;
        }
        if (best != G_MAXUINT) {
            c->pair = (int)best;
            g_array_index(cs, cand_t, best).consumed = true;
        }
    }
}

static gint cand_cmp(gconstpointer a, gconstpointer b)
{
    const cand_t *x = a, *y = b;
    return x->ms < y->ms ? -1 : x->ms > y->ms ? 1 : x->rule - y->rule;
}

static void fill_aws_facts(const keyrules_t *rs, keyfinding_t *f, const keyrule_t *r)
{
    if (r->validate == KEYRULES_V_AWS_KEY_ID) {
        slice_t id = slice_cstr(f->secret);
        f->key_id = g_strdup(f->secret);
        f->kind = awskey_kind(id);
        if (awskey_account(id, f->account) == 0)
            f->canary = keyrules_is_canary(rs, f->account);
        f->example = awskey_is_example(id);
    }
    if (r->validate == KEYRULES_V_AWS_SECRET)
        f->example = awskey_is_example(slice_cstr(f->secret));
    if (f->paired_secret && awskey_is_example(slice_cstr(f->paired_secret)))
        f->example = true;
    if (r->validate == KEYRULES_V_SES_SMTP)
        f->smtp_version = awskey_smtp_version(slice_cstr(f->secret));
}

/* The region of an "email-smtp.<region>.amazonaws.com" host within
 * KEYRULES_NEAR_BYTES of an SMTP password: the password works only there. */
static char *smtp_endpoint(const char *buf, size_t n, size_t ms, size_t me)
{
    static const char host[] = "email-smtp.";
    static const char dom[] = ".amazonaws.com";
    size_t lo = ms > KEYRULES_NEAR_BYTES ? ms - KEYRULES_NEAR_BYTES : 0;
    size_t hi = me + KEYRULES_NEAR_BYTES < n ? me + KEYRULES_NEAR_BYTES : n;
    for (size_t i = lo; i + sizeof host - 1 < hi; i++) {
        if (buf[i] != 'e' || memcmp(buf + i, host, sizeof host - 1) != 0)
            continue;
        size_t r = i + sizeof host - 1, k = r;
        while (k < hi && k - r <= AWSKEY_REGION_MAX &&
               (g_ascii_islower(buf[k]) || g_ascii_isdigit(buf[k]) || buf[k] == '-'))
            k++;
        if (k > r && k - r <= AWSKEY_REGION_MAX && k + sizeof dom - 1 <= hi &&
            memcmp(buf + k, dom, sizeof dom - 1) == 0)
            return g_strndup(buf + r, k - r);
    }
    return NULL;
}

static gint order_cmp(gconstpointer a, gconstpointer b, gpointer data)
{
    GArray *cs = data;
    size_t x = g_array_index(cs, cand_t, *(const guint *)a).ss;
    size_t y = g_array_index(cs, cand_t, *(const guint *)b).ss;
    return x < y ? -1 : x > y ? 1 : 0;
}

/* line0: line number at buf[0]; col0: bytes of that line before buf[0]. */
static void emit_cands(worker_t *w, const char *path, uint64_t base, uint64_t line0, uint64_t col0,
                       const keyscan_origin_t *origin)
{
    GArray *cs = w->cands;
    const keyrules_t *rs = w->ks->rs;
    /* Sort an index by secret start (pair indexes into cs stay valid), so
     * that one forward pass counts lines and columns: linear even for a
     * single 8 MiB line packed with keys. */
    GArray *order = g_array_sized_new(FALSE, FALSE, sizeof(guint), cs->len);
    for (guint i = 0; i < cs->len; i++)
        if (!g_array_index(cs, cand_t, i).consumed && g_array_index(cs, cand_t, i).owned)
            g_array_append_val(order, i);
    g_array_sort_with_data(order, order_cmp, cs);
    size_t pos = 0, line_start = 0;
    bool nl_seen = false;
    uint64_t line = line0;
    for (guint k = 0; k < order->len; k++) {
        guint i = g_array_index(order, guint, k);
        const cand_t *c = &g_array_index(cs, cand_t, i);
        for (; pos < c->ss; pos++)
            if (w->cbuf[pos] == '\n') {
                line++;
                line_start = pos + 1;
                nl_seen = true;
            }
        uint64_t col = nl_seen ? c->ss - line_start : col0 + c->ss;
        const keyrule_t *r = keyrules_get(rs, (size_t)c->rule);
        keyfinding_t *f = g_new0(keyfinding_t, 1);
        f->rule = c->rule;
        f->paired_rule = -1;
        f->path = g_strdup(path);
        f->offset = base + c->ss;
        f->line = line;
        f->column = (uint32_t)MIN(col + 1, (uint64_t)UINT32_MAX);
        f->secret = g_strndup(w->cbuf + c->ss, c->se - c->ss);
        f->allowed = allowed_inline(w->cbuf, w->cn, c->ms, c->me);
        if (c->pair >= 0) {
            const cand_t *d = &g_array_index(cs, cand_t, c->pair);
            f->paired_secret = g_strndup(w->cbuf + d->ss, d->se - d->ss);
            f->paired_rule = d->rule;
            f->allowed = f->allowed || allowed_inline(w->cbuf, w->cn, d->ms, d->me);
        }
        fill_aws_facts(rs, f, r);
        if (f->smtp_version)
            f->smtp_endpoint = smtp_endpoint(w->cbuf, w->cn, c->ms, c->me);
        if (origin) {
            f->origin.commit = g_strdup(origin->commit);
            f->origin.author_date = g_strdup(origin->author_date);
            f->origin.author = g_strdup(origin->author);
        }
        fingerprint(rs, f);
        add_finding(w->ks, f);
    }
    g_array_free(order, TRUE);
}

static void scan_chunk(worker_t *w, const char *buf, size_t n, size_t own_lo, size_t own_hi,
                       uint64_t base, uint64_t line0, uint64_t col0, const char *path,
                       const keyscan_origin_t *origin)
{
    size_t nr = keyrules_count(w->ks->rs);
    if (n == 0 || own_lo >= own_hi)
        return;
    for (size_t i = 0; i < nr; i++) {
        w->cov_lo[i] = 1;
        w->cov_hi[i] = 0;
        w->last_ms[i] = 0;
    }
    g_array_set_size(w->cands, 0);
    w->cbuf = buf;
    w->cn = n;
    w->own_lo = own_lo;
    w->own_hi = own_hi;
    hs_error_t err = hs_scan(keyrules_db(w->ks->rs), buf, (unsigned)n, 0, w->scratch, on_hit, w);
    if (err != HS_SUCCESS) {
        log_err("%s: hyperscan error %d", path, (int)err);
        keyscan_count_error(w->ks);
        return;
    }
    if (w->cands->len == 0)
        return;
    g_array_sort(w->cands, cand_cmp);
    resolve_cands(w);
    emit_cands(w, path, base, line0, col0, origin);
}

/* ---- reading ----------------------------------------------------------- */

typedef struct source {
    int fd;
    struct archive *ar;
    const char *mem;
    size_t memlen, mempos;
    uint64_t cap;  /* bytes still allowed from this source */
    uint64_t size; /* a file's size at open (0: unknown): spares the read that sees EOF */
    uint64_t got;
    bool capped; /* the cap cut the input short */
} source_t;

static ssize_t source_read(source_t *s, char *dst, size_t n)
{
    if (n > s->cap)
        n = (size_t)s->cap;
    if (n == 0) {
        s->capped = true;
        return 0;
    }
    /* A file is read as the snapshot of the size fstat saw when opened:
     * bytes appended while it is scanned are not read. */
    if (s->size && s->got >= s->size)
        return 0;
    ssize_t r;
    if (s->ar) {
        r = archive_read_data(s->ar, dst, n);
    } else if (s->mem) {
        r = (ssize_t)MIN(n, s->memlen - s->mempos);
        memcpy(dst, s->mem + s->mempos, (size_t)r);
        s->mempos += (size_t)r;
    } else {
        do
            r = read(s->fd, dst, n);
        while (r < 0 && errno == EINTR);
    }
    if (r > 0) {
        s->cap -= (uint64_t)r;
        s->got += (uint64_t)r;
    }
    return r;
}

static bool looks_archive(const unsigned char *b, size_t n)
{
    if (n >= 4 && b[0] == 'P' && b[1] == 'K' && b[2] == 3 && b[3] == 4)
        return true; /* zip (also docx, xlsx, jar) */
    if (n >= 3 && b[0] == 0x1f && b[1] == 0x8b && b[2] == 8)
        return true; /* gzip */
    if (n >= 4 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h' && b[3] >= '1' && b[3] <= '9')
        return true; /* bzip2 */
    if (n >= 6 && memcmp(b,
                         "\xfd"
                         "7zXZ\0",
                         6) == 0)
        return true; /* xz */
    if (n >= 262 && memcmp(b + 257, "ustar", 5) == 0)
        return true; /* tar */
    return false;
}

enum { STREAM_OK = 0, STREAM_ERR = -1, STREAM_ARCHIVE = 1, STREAM_BINARY = 2 };

static int scan_stream(worker_t *w, source_t *src, const char *path, bool sniff_archive,
                       const keyscan_origin_t *origin, uint64_t *nbytes)
{
    const size_t cap = KEYSCAN_CHUNK + KEYSCAN_OVERLAP;
    size_t have = 0;
    uint64_t base = 0, line0 = 1, col0 = 0;
    bool first = true;
    for (;;) {
        bool eof = false;
        while (have < cap) {
            ssize_t r = source_read(src, w->buf + have, cap - have);
            if (r < 0)
                return STREAM_ERR;
            if (r == 0) {
                eof = true;
                break;
            }
            have += (size_t)r;
        }
        if (first) {
            if (sniff_archive && looks_archive((const unsigned char *)w->buf, have))
                return STREAM_ARCHIVE;
            if (memchr(w->buf, 0, MIN(have, (size_t)KEYSCAN_SNIFF)) != NULL)
                return STREAM_BINARY;
        }
        size_t own_lo = first ? 0 : KEYSCAN_OVERLAP;
        size_t own_hi = eof ? have : have - KEYSCAN_OVERLAP;
        scan_chunk(w, w->buf, have, own_lo, own_hi, base, line0, col0, path, origin);
        *nbytes += own_hi - own_lo;
        if (eof)
            return STREAM_OK;
        /* Carry the unowned tail (OVERLAP bytes) and the OVERLAP bytes
         * before it, which are the context (look-behinds, keywords) of the
         * matches the next chunk owns from its offset OVERLAP on. */
        size_t keep = 2 * (size_t)KEYSCAN_OVERLAP;
        size_t adv = have - keep;
        for (size_t i = 0; i < adv; i++)
            line0 += w->buf[i] == '\n';
        const char *nl = memrchr(w->buf, '\n', adv);
        col0 = nl ? (uint64_t)(adv - (size_t)(nl - w->buf) - 1) : col0 + adv;
        base += adv;
        memmove(w->buf, w->buf + adv, keep);
        have = keep;
        first = false;
    }
}

/* Archive member names are attacker text: keep them printable and short. */
static char *member_path(const char *outer, const char *name)
{
    GString *s = g_string_new(outer);
    g_string_append_c(s, '!');
    size_t n = name ? strnlen(name, 1024) : 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        g_string_append_c(s, (c < 0x20 || c == 0x7f) ? '?' : (char)c);
    }
    return g_string_free(s, FALSE);
}

static void scan_archive(worker_t *w, struct archive *a, const char *path,
                         const keyscan_origin_t *origin, uint64_t *nbytes)
{
    struct archive_entry *e;
    uint64_t total = 0;
    unsigned entries = 0;
    int r;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
        if (++entries > KEYSCAN_MAX_ENTRIES) {
            log_warn("%s: more than %d archive entries; the rest are skipped", path,
                     KEYSCAN_MAX_ENTRIES);
            return;
        }
        if (archive_entry_filetype(e) != AE_IFREG)
            continue;
        if (total >= KEYSCAN_MAX_ARCHIVE) {
            log_warn("%s: more than %llu bytes unpacked; the rest is skipped", path,
                     (unsigned long long)KEYSCAN_MAX_ARCHIVE);
            return;
        }
        bool raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
        char *mp = raw ? g_strdup(path) : member_path(path, archive_entry_pathname(e));
        source_t src = {.fd = -1,
                        .ar = a,
                        .cap = MIN((uint64_t)KEYSCAN_MAX_ENTRY, KEYSCAN_MAX_ARCHIVE - total)};
        uint64_t before = src.cap;
        int rc = scan_stream(w, &src, mp, false, origin, nbytes);
        total += before - src.cap;
        if (rc == STREAM_ERR) {
            log_warn("%s: %s; the rest of the archive is skipped", mp,
                     archive_error_string(a) ? archive_error_string(a) : "bad data");
            g_free(mp);
            return;
        }
        if (src.capped)
            log_warn("%s: larger than %u bytes; only the start was scanned", mp, KEYSCAN_MAX_ENTRY);
        g_free(mp);
    }
    if (r == ARCHIVE_FATAL)
        log_warn("%s: %s; the rest of the archive is skipped", path,
                 archive_error_string(a) ? archive_error_string(a) : "bad archive");
}

static struct archive *archive_new_reader(void)
{
    struct archive *a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_all(a);
    archive_read_support_format_raw(a);
    return a;
}

static void open_archive_fd(worker_t *w, int fd, const char *path, uint64_t *nbytes)
{
    if (lseek(fd, 0, SEEK_SET) != 0) {
        log_err_errno("%s", path);
        keyscan_count_error(w->ks);
        return;
    }
    struct archive *a = archive_new_reader();
    if (archive_read_open_fd(a, fd, 1 << 20) != ARCHIVE_OK) {
        log_warn("%s: %s; not scanned", path,
                 archive_error_string(a) ? archive_error_string(a) : "not a readable archive");
    } else {
        scan_archive(w, a, path, NULL, nbytes);
    }
    archive_read_free(a);
}

static void open_archive_mem(worker_t *w, const char *data, size_t len, const char *path,
                             const keyscan_origin_t *origin, uint64_t *nbytes)
{
    struct archive *a = archive_new_reader();
    if (archive_read_open_memory(a, data, len) != ARCHIVE_OK) {
        log_warn("%s: %s; not scanned", path,
                 archive_error_string(a) ? archive_error_string(a) : "not a readable archive");
    } else {
        scan_archive(w, a, path, origin, nbytes);
    }
    archive_read_free(a);
}

static void scan_file(worker_t *w, const char *path, uint64_t *nbytes)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        log_err_errno("%s", path);
        keyscan_count_error(w->ks);
        return;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
        log_err_errno("%s", path);
        keyscan_count_error(w->ks);
        close(fd);
        return;
    }
    if (!S_ISREG(st.st_mode)) {
        log_err("%s: not a regular file", path);
        keyscan_count_error(w->ks);
        close(fd);
        return;
    }
    if (st.st_size > (off_t)KEYSCAN_CHUNK) /* a syscall saved per small file */
        posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    /* Files that report size 0 (/proc, some FUSE) are read to EOF. */
    source_t src = {.fd = fd, .cap = UINT64_MAX, .size = (uint64_t)st.st_size};
    int rc = scan_stream(w, &src, path, w->ks->opts.archives, NULL, nbytes);
    if (rc == STREAM_ERR) {
        log_err_errno("%s", path);
        keyscan_count_error(w->ks);
    } else if (rc == STREAM_ARCHIVE) {
        open_archive_fd(w, fd, path, nbytes);
    }
    close(fd);
}

static void scan_blob(worker_t *w, const char *path, const char *data, size_t len,
                      const keyscan_origin_t *origin, uint64_t *nbytes)
{
    source_t src = {.fd = -1, .mem = data ? data : "", .memlen = data ? len : 0, .cap = UINT64_MAX};
    int rc = scan_stream(w, &src, path, w->ks->opts.archives, origin, nbytes);
    if (rc == STREAM_ARCHIVE)
        open_archive_mem(w, data, len, path, origin, nbytes);
}

/* ---- workers ----------------------------------------------------------- */

static worker_t *worker_new(keyscan_t *ks)
{
    worker_t *w = g_new0(worker_t, 1);
    size_t nr = keyrules_count(ks->rs);
    w->ks = ks;
    if (hs_alloc_scratch(keyrules_db(ks->rs), &w->scratch) != HS_SUCCESS)
        g_error("hyperscan: cannot allocate scratch space"); /* out of memory */
    w->buf = g_malloc(KEYSCAN_CHUNK + KEYSCAN_OVERLAP);
    w->cands = g_array_new(FALSE, FALSE, sizeof(cand_t));
    w->cov_lo = g_new0(size_t, nr);
    w->cov_hi = g_new0(size_t, nr);
    w->last_ms = g_new0(size_t, nr);
    return w;
}

static void worker_free(worker_t *w)
{
    if (w == NULL)
        return;
    hs_free_scratch(w->scratch);
    g_free(w->buf);
    g_array_free(w->cands, TRUE);
    g_free(w->cov_lo);
    g_free(w->cov_hi);
    g_free(w->last_ms);
    g_free(w);
}

static void job_free(job_t *j)
{
    g_free(j->path);
    g_free(j->data);
    origin_clear(&j->origin);
    g_free(j);
}

static void run_job(worker_t *w, job_t *j)
{
    uint64_t nbytes = 0;
    if (j->kind == JOB_FILE)
        scan_file(w, j->path, &nbytes);
    else
        scan_blob(w, j->path, j->data, j->len, &j->origin, &nbytes);
    keyscan_t *ks = w->ks;
    g_mutex_lock(&ks->flock);
    ks->files++;
    ks->bytes += nbytes;
    progress_step(ks->progress, nbytes);
    g_mutex_unlock(&ks->flock);
}

static gpointer worker_main(gpointer p)
{
    worker_t *w = p;
    keyscan_t *ks = w->ks;
    for (;;) {
        job_t *j = g_async_queue_pop(ks->queue);
        if (j->kind == JOB_STOP) {
            job_free(j);
            return NULL;
        }
        size_t len = j->len;
        run_job(w, j);
        job_free(j);
        g_mutex_lock(&ks->qlock);
        ks->queued_jobs--;
        ks->queued_bytes -= len;
        g_cond_broadcast(&ks->qcond);
        g_mutex_unlock(&ks->qlock);
    }
}

static void submit(keyscan_t *ks, job_t *j)
{
    g_mutex_lock(&ks->qlock);
    while (ks->queued_jobs >= KEYSCAN_QUEUE_JOBS ||
           (ks->queued_bytes > 0 && ks->queued_bytes + j->len > KEYSCAN_QUEUE_BYTES))
        g_cond_wait(&ks->qcond, &ks->qlock);
    ks->queued_jobs++;
    ks->queued_bytes += j->len;
    g_mutex_unlock(&ks->qlock);
    g_async_queue_push(ks->queue, j);
}

/* ---- public ------------------------------------------------------------ */

static GPtrArray *compile_globs(const char *const *globs)
{
    GPtrArray *a = g_ptr_array_new_with_free_func((GDestroyNotify)g_pattern_spec_free);
    for (; globs && *globs; globs++)
        g_ptr_array_add(a, g_pattern_spec_new(*globs));
    return a;
}

keyscan_t *keyscan_new(const keyrules_t *rs, const keyscan_opts_t *opts)
{
    keyscan_t *ks = g_new0(keyscan_t, 1);
    ks->rs = rs;
    if (opts)
        ks->opts = *opts;
    ks->inc = compile_globs(ks->opts.include);
    ks->exc = compile_globs(ks->opts.exclude);
    ks->opts.include = ks->opts.exclude = NULL;
    g_mutex_init(&ks->qlock);
    g_cond_init(&ks->qcond);
    g_mutex_init(&ks->flock);
    ks->findings = g_ptr_array_new_with_free_func(finding_free);
    ks->queue = g_async_queue_new();
    int n = ks->opts.threads > 0 ? ks->opts.threads : (int)g_get_num_processors();
    ks->nworkers = CLAMP(n, 1, KEYSCAN_MAX_THREADS);
    ks->workers = g_new0(worker_t *, ks->nworkers);
    for (int i = 0; i < ks->nworkers; i++) {
        ks->workers[i] = worker_new(ks);
        ks->workers[i]->thread = g_thread_new("keyscan", worker_main, ks->workers[i]);
    }
    if (ks->opts.progress)
        ks->progress = progress_new("files");
    return ks;
}

void keyscan_count_error(keyscan_t *ks)
{
    g_mutex_lock(&ks->flock);
    ks->errors++;
    g_mutex_unlock(&ks->flock);
}

void keyscan_buffer(keyscan_t *ks, const char *path, const char *data, size_t len)
{
    if (ks->sync == NULL)
        ks->sync = worker_new(ks);
    uint64_t nbytes = 0;
    scan_blob(ks->sync, path, data, len, NULL, &nbytes);
    g_mutex_lock(&ks->flock);
    ks->files++;
    ks->bytes += nbytes;
    g_mutex_unlock(&ks->flock);
}

void keyscan_submit_blob(keyscan_t *ks, char *path, char *data, size_t len,
                         keyscan_origin_t *origin)
{
    job_t *j = g_new0(job_t, 1);
    j->kind = JOB_BLOB;
    j->path = path;
    j->data = data;
    j->len = len;
    if (origin) {
        j->origin = *origin;
        memset(origin, 0, sizeof *origin);
    }
    submit(ks, j);
}

static void submit_file(keyscan_t *ks, const char *path)
{
    job_t *j = g_new0(job_t, 1);
    j->kind = JOB_FILE;
    j->path = g_strdup(path);
    submit(ks, j);
}

void keyscan_stdin(keyscan_t *ks)
{
    if (ks->sync == NULL)
        ks->sync = worker_new(ks);
    source_t src = {.fd = STDIN_FILENO, .cap = UINT64_MAX};
    uint64_t nbytes = 0;
    int rc = scan_stream(ks->sync, &src, "-", false, NULL, &nbytes);
    if (rc == STREAM_ERR) {
        log_err_errno("(standard input)");
        keyscan_count_error(ks);
    }
    g_mutex_lock(&ks->flock);
    ks->files++;
    ks->bytes += nbytes;
    g_mutex_unlock(&ks->flock);
}

static bool glob_any(GPtrArray *globs, const char *rel, const char *base)
{
    for (guint i = 0; i < globs->len; i++) {
        GPatternSpec *g = g_ptr_array_index(globs, i);
        if (g_pattern_spec_match_string(g, rel) || g_pattern_spec_match_string(g, base))
            return true;
    }
    return false;
}

static const char *rel_of(keyscan_t *ks, const char *path)
{
    const char *rel = path + MIN(ks->root_len, strlen(path));
    while (*rel == '/')
        rel++;
    return rel;
}

static bool git_ignored(keyscan_t *ks, const char *rel, bool dir)
{
    if (ks->ignore_repo == NULL)
        return false;
    char *p = ks->ignore_prefix[0] ? g_build_filename(ks->ignore_prefix, rel, NULL) : g_strdup(rel);
    if (dir) {
        char *d = g_strconcat(p, "/", NULL);
        g_free(p);
        p = d;
    }
    int ignored = 0;
    if (git_ignore_path_is_ignored(&ignored, ks->ignore_repo, p) != 0)
        ignored = 0;
    g_free(p);
    return ignored != 0;
}

static int walk_file(const char *path, void *ctx)
{
    keyscan_t *ks = ctx;
    const char *rel = rel_of(ks, path);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    if (ks->exc->len && glob_any(ks->exc, rel, base))
        return 0;
    if (ks->inc->len && !glob_any(ks->inc, rel, base))
        return 0;
    if (ks->opts.gitignore && git_ignored(ks, rel, false))
        return 0;
    submit_file(ks, path);
    return 0;
}

static bool walk_skip_dir(const char *dir, const char *name, void *ctx)
{
    keyscan_t *ks = ctx;
    if (!ks->opts.git_internals && strcmp(name, ".git") == 0)
        return true;
    char *full = g_build_filename(dir, name, NULL);
    const char *rel = rel_of(ks, full);
    bool skip = (ks->exc->len && glob_any(ks->exc, rel, name)) ||
                (ks->opts.gitignore && git_ignored(ks, rel, true));
    g_free(full);
    return skip;
}

static void walk_error(const char *path, int errnum, void *ctx)
{
    keyscan_t *ks = ctx;
    struct stat lst;
    /* A dangling symbolic link is a fact of many trees, not a read error. */
    if (errnum == ENOENT && lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode)) {
        log_warn("%s: dangling symbolic link", path);
        return;
    }
    log_err("%s: %s", path, g_strerror(errnum));
    keyscan_count_error(ks);
}

static void open_ignore_repo(keyscan_t *ks, const char *root)
{
    git_libgit2_init();
    if (git_repository_open_ext(&ks->ignore_repo, root, 0, NULL) != 0) {
        log_warn("%s: not inside a git repository; --gitignore has no effect", root);
        ks->ignore_repo = NULL;
        return;
    }
    const char *wd = git_repository_workdir(ks->ignore_repo);
    char *absroot = realpath(root, NULL);
    char *abswd = wd ? realpath(wd, NULL) : NULL;
    size_t wl = abswd ? strlen(abswd) : 0;
    if (absroot && abswd && strncmp(absroot, abswd, wl) == 0 &&
        (absroot[wl] == '/' || absroot[wl] == '\0')) {
        const char *p = absroot + wl;
        while (*p == '/')
            p++;
        ks->ignore_prefix = g_strdup(p);
    } else {
        git_repository_free(ks->ignore_repo);
        ks->ignore_repo = NULL;
    }
    free(absroot);
    free(abswd);
}

void keyscan_path(keyscan_t *ks, const char *path)
{
    if (strcmp(path, "-") == 0) {
        keyscan_stdin(ks);
        return;
    }
    struct stat st;
    if (stat(path, &st) != 0) {
        log_err_errno("%s", path);
        keyscan_count_error(ks);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        submit_file(ks, path); /* a file named on the command line is always scanned */
        return;
    }
    ks->root_len = strlen(path);
    if (ks->opts.gitignore)
        open_ignore_repo(ks, path);
    keywalk_opts_t wo = {walk_file, walk_skip_dir, walk_error, ks};
    keywalk(path, &wo);
    if (ks->ignore_repo) {
        git_repository_free(ks->ignore_repo);
        ks->ignore_repo = NULL;
        git_libgit2_shutdown();
    } else if (ks->opts.gitignore) {
        git_libgit2_shutdown();
    }
    g_free(ks->ignore_prefix);
    ks->ignore_prefix = NULL;
}

/* ---- post-processing --------------------------------------------------- */

typedef struct derived {
    keyfinding_t *key;
    const char *region; /* NULL for the legacy, region-free scheme */
} derived_t;

static void tie_smtp(keyscan_t *ks)
{
    const char *const *regions = keyrules_ses_regions(ks->rs);
    bool any = false;
    for (guint i = 0; i < ks->findings->len && !any; i++)
        any = ((keyfinding_t *)g_ptr_array_index(ks->findings, i))->smtp_version != 0;
    if (!any)
        return; /* no SMTP password to tie: derive nothing */
    unsigned derived = 0;
    GHashTable *pw = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    for (guint i = 0; i < ks->findings->len; i++) {
        keyfinding_t *f = g_ptr_array_index(ks->findings, i);
        const char *secret = NULL;
        if (keyrules_get(ks->rs, (size_t)f->rule)->validate == KEYRULES_V_AWS_SECRET)
            secret = f->secret;
        else if (f->paired_rule >= 0 &&
                 keyrules_get(ks->rs, (size_t)f->paired_rule)->validate == KEYRULES_V_AWS_SECRET)
            secret = f->paired_secret;
        if (secret == NULL)
            continue;
        if (++derived > KEYSCAN_MAX_DERIVE) {
            log_warn("more than %d AWS secrets: SES SMTP passwords tied for the first only",
                     KEYSCAN_MAX_DERIVE);
            break;
        }
        char out[AWSKEY_SMTP_PW_LEN + 1];
        for (const char *const *r = regions; *r; r++)
            if (awskey_smtp_password(slice_cstr(secret), *r, out) == 0) {
                derived_t *d = g_new(derived_t, 1);
                *d = (derived_t){f, *r};
                g_hash_table_replace(pw, g_strdup(out), d);
            }
        if (awskey_smtp_password_legacy(slice_cstr(secret), out) == 0) {
            derived_t *d = g_new(derived_t, 1);
            *d = (derived_t){f, NULL};
            g_hash_table_replace(pw, g_strdup(out), d);
        }
    }
    for (guint i = 0; i < ks->findings->len && g_hash_table_size(pw) > 0; i++) {
        keyfinding_t *f = g_ptr_array_index(ks->findings, i);
        if (f->smtp_version == 0)
            continue;
        derived_t *d = g_hash_table_lookup(pw, f->secret);
        if (d == NULL)
            continue;
        f->smtp_region = g_strdup(d->region ? d->region : "any (legacy scheme)");
        f->smtp_key = g_strdup(d->key->key_id ? d->key->key_id : d->key->fingerprint);
        /* the password of an example or canary key is no more live than it */
        f->example = d->key->example;
        f->canary = d->key->canary;
    }
    g_hash_table_destroy(pw);
}

static gint finding_cmp(gconstpointer a, gconstpointer b)
{
    const keyfinding_t *x = *(keyfinding_t *const *)a, *y = *(keyfinding_t *const *)b;
    int c = strcmp(x->path, y->path);
    if (c)
        return c;
    c = g_strcmp0(x->origin.commit, y->origin.commit);
    if (c)
        return c;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return x->rule - y->rule;
}

void keyscan_finish(keyscan_t *ks)
{
    if (ks->finished)
        return;
    ks->finished = true;
    for (int i = 0; i < ks->nworkers; i++) {
        job_t *j = g_new0(job_t, 1);
        j->kind = JOB_STOP;
        g_async_queue_push(ks->queue, j);
    }
    for (int i = 0; i < ks->nworkers; i++) {
        g_thread_join(ks->workers[i]->thread);
        ks->workers[i]->thread = NULL;
    }
    progress_done(ks->progress);
    ks->progress = NULL;
    tie_smtp(ks);
    g_ptr_array_sort(ks->findings, finding_cmp);
}

const GPtrArray *keyscan_findings(const keyscan_t *ks)
{
    return ks->findings;
}

unsigned long keyscan_errors(const keyscan_t *ks)
{
    return ks->errors;
}

unsigned long keyscan_files(const keyscan_t *ks)
{
    return ks->files;
}

uint64_t keyscan_bytes(const keyscan_t *ks)
{
    return ks->bytes;
}

const keyrules_t *keyscan_rules(const keyscan_t *ks)
{
    return ks->rs;
}

void keyscan_free(keyscan_t *ks)
{
    if (ks == NULL)
        return;
    keyscan_finish(ks);
    for (int i = 0; i < ks->nworkers; i++)
        worker_free(ks->workers[i]);
    g_free(ks->workers);
    worker_free(ks->sync);
    g_async_queue_unref(ks->queue);
    g_ptr_array_free(ks->findings, TRUE);
    g_ptr_array_free(ks->inc, TRUE);
    g_ptr_array_free(ks->exc, TRUE);
    g_mutex_clear(&ks->qlock);
    g_cond_clear(&ks->qcond);
    g_mutex_clear(&ks->flock);
    g_free(ks);
}
