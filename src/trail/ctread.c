/*
 * ctread.c - CloudTrail input in every delivery shape; see ctread.h.
 *
 * The stream is a small state machine over a buffer that is refilled as
 * it is consumed: TOP (between top-level values), ARR_ELEM/ARR_SEP (inside
 * a streamed array) and OBJ_REST (the members after "Records":[...]).
 * Each element or top-level value is delimited by ctscan_value and then
 * handed to dispatch(), which decides what it is (record or envelope).
 * Only values that have to be complete (one element) are ever kept whole.
 */
#include "trail/ctread.h"

#include <errno.h>
#include <glib.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "trail/ctscan.h"
#include "util/fswalk.h"
#include "util/log.h"
#include "util/progress.h"

struct ctread {
    ctread_mode_t mode;
    GPtrArray *list; /* when set, on_file collects paths instead of reading */
    ctread_fn fn;
    void *ctx;
    ctread_stats_t st;
    ctrec_t *rec;
    int stop; /* callback's non-zero value */
    bool progress_on;
    progress_t *progress;
    const char *name; /* current input, for messages */
    char *buf;        /* read buffer, kept across files */
    size_t buf_cap;
    bool warned_value; /* one warning per file for odd values */
};

ctread_t *ctread_new(ctread_mode_t mode, ctread_fn fn, void *ctx)
{
    ctread_t *r = g_new0(ctread_t, 1);
    r->mode = mode;
    r->fn = fn;
    r->ctx = ctx;
    r->rec = g_new(ctrec_t, 1);
    ctrec_clear(r->rec);
    return r;
}

void ctread_free(ctread_t *r)
{
    if (r == NULL)
        return;
    if (r->progress)
        progress_done(r->progress);
    g_free(r->rec);
    g_free(r->buf);
    g_free(r);
}

const ctread_stats_t *ctread_get_stats(const ctread_t *r)
{
    return &r->st;
}

void ctread_set_progress(ctread_t *r, int on)
{
    r->progress_on = on != 0;
}

/* ---- delivering records ------------------------------------------------ */

static void deliver(ctread_t *r)
{
    r->st.records++;
    if (r->stop == 0)
        r->stop = r->fn(r->rec, r->ctx);
    ctrec_release(r->rec);
}

static void odd_value(ctread_t *r, const char *why)
{
    r->st.non_records++;
    if (!r->warned_value) {
        r->warned_value = true;
        log_warn("%s: skipped a value that is not a CloudTrail record (%s)", r->name, why);
    }
}

/* json-c walker: the reference path, and the path for Lake rows. */
static void walk_json(ctread_t *r, json_object *o, int depth);

/* A CloudTrail Lake result row: [{"eventName":"X"},{"eventTime":"..."},...].
 * Returns a new object merging the one-key objects, or NULL. */
static json_object *lake_row(json_object *arr)
{
    size_t n = json_object_array_length(arr);
    if (n < 2)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        json_object *e = json_object_array_get_idx(arr, i);
        if (!json_object_is_type(e, json_type_object) || json_object_object_length(e) != 1)
            return NULL;
    }
    json_object *m = json_object_new_object();
    for (size_t i = 0; i < n; i++) {
        json_object_object_foreach(json_object_array_get_idx(arr, i), k, v)
        {
            /* Lake renders nested structs as JSON text in some exports. */
            if (json_object_is_type(v, json_type_string) &&
                (strcmp(k, "userIdentity") == 0 || strcmp(k, "requestParameters") == 0 ||
                 strcmp(k, "responseElements") == 0)) {
                json_object *inner = json_tokener_parse(json_object_get_string(v));
                if (inner) {
                    json_object_object_add(m, k, inner);
                    continue;
                }
            }
            json_object_object_add(m, k, json_object_get(v));
        }
    }
    return m;
}

static void walk_json(ctread_t *r, json_object *o, int depth)
{
    if (depth > CTREAD_MAX_NEST) {
        odd_value(r, "nested too deep");
        return;
    }
    if (json_object_is_type(o, json_type_array)) {
        json_object *m = lake_row(o);
        if (m) {
            walk_json(r, m, depth + 1);
            json_object_put(m);
            return;
        }
        size_t n = json_object_array_length(o);
        for (size_t i = 0; i < n && r->stop == 0; i++)
            walk_json(r, json_object_array_get_idx(o, i), depth + 1);
        return;
    }
    if (!json_object_is_type(o, json_type_object)) {
        odd_value(r, "not an object");
        return;
    }
    if (ctrec_from_json(r->rec, o)) {
        deliver(r);
        return;
    }
    json_object *v;
    if (json_object_object_get_ex(o, "detail", &v) && json_object_is_type(v, json_type_object)) {
        walk_json(r, v, depth + 1);
    } else if (json_object_object_get_ex(o, "CloudTrailEvent", &v) &&
               json_object_is_type(v, json_type_string)) {
        json_object *inner = json_tokener_parse(json_object_get_string(v));
        if (inner) {
            walk_json(r, inner, depth + 1);
            json_object_put(inner);
        } else {
            odd_value(r, "CloudTrailEvent is not JSON");
        }
    } else if ((json_object_object_get_ex(o, "Records", &v) ||
                json_object_object_get_ex(o, "Events", &v) ||
                json_object_object_get_ex(o, "QueryResultRows", &v)) &&
               json_object_is_type(v, json_type_array)) {
        walk_json(r, v, depth);
    } else {
        odd_value(r, "no eventName");
    }
}

static void parse_and_walk(ctread_t *r, const char *p, size_t n, int depth)
{
    json_tokener *tok = json_tokener_new_ex(CTSCAN_MAX_DEPTH);
    if (tok == NULL)
        return;
    json_object *o = json_tokener_parse_ex(tok, p, (int)n);
    if (o == NULL || json_tokener_get_error(tok) != json_tokener_success)
        odd_value(r, "malformed JSON");
    else
        walk_json(r, o, depth);
    if (o)
        json_object_put(o);
    json_tokener_free(tok);
}

static void dispatch(ctread_t *r, const char *p, size_t n, int depth);
static void scanned(ctread_t *r, const char *p, const ctscan_env_t *envp, int depth);

static void dispatch_array(ctread_t *r, const char *p, size_t n, int depth)
{
    size_t i = 1, e;
    if (ctscan_ws(p, n, &i) != CTSCAN_OK)
        return;
    if (p[i] == ']')
        return;
    while (r->stop == 0) {
        if (ctscan_value(p, n, i, 1, &e) != CTSCAN_OK) {
            odd_value(r, "malformed array");
            return;
        }
        dispatch(r, p + i, e - i, depth + 1);
        i = e;
        if (ctscan_ws(p, n, &i) != CTSCAN_OK || p[i] == ']')
            return;
        if (p[i] != ',') {
            odd_value(r, "malformed array");
            return;
        }
        i++;
        if (ctscan_ws(p, n, &i) != CTSCAN_OK)
            return;
    }
}

/* One complete value: a record or an envelope that holds records. */
static void dispatch(ctread_t *r, const char *p, size_t n, int depth)
{
    if (depth > CTREAD_MAX_NEST) {
        odd_value(r, "nested too deep");
        return;
    }
    if (n == 0)
        return;
    if (r->mode == CTREAD_JSONC || p[0] == '[') {
        /* Arrays here are Lake rows or nested lists: rare, json-c does it. */
        if (p[0] == '[' && r->mode == CTREAD_FAST && depth == 0) {
            dispatch_array(r, p, n, depth);
            return;
        }
        parse_and_walk(r, p, n, depth);
        return;
    }
    if (p[0] != '{') {
        odd_value(r, "not an object");
        return;
    }
    ctscan_env_t env;
    if (ctscan_record(p, n, r->rec, &env, NULL) != CTSCAN_OK) {
        odd_value(r, "malformed object");
        return;
    }
    scanned(r, p, &env, depth);
}

/* After ctscan_record: deliver the record or open the envelope. */
static void scanned(ctread_t *r, const char *p, const ctscan_env_t *envp, int depth)
{
    ctscan_env_t env = *envp;
    if (ctrec_looks_like_event(r->rec)) {
        deliver(r);
    } else if (env.detail_end) {
        dispatch(r, p + env.detail_start, env.detail_end - env.detail_start, depth + 1);
    } else if (env.cte_end) {
        json_tokener *tok = json_tokener_new();
        json_object *s =
            json_tokener_parse_ex(tok, p + env.cte_start, (int)(env.cte_end - env.cte_start));
        if (s && json_object_is_type(s, json_type_string)) {
            const char *t = json_object_get_string(s);
            size_t tn = (size_t)json_object_get_string_len(s);
            size_t k = 0;
            if (ctscan_ws(t, tn, &k) == CTSCAN_OK)
                dispatch(r, t + k, tn - k, depth + 1);
        } else {
            odd_value(r, "CloudTrailEvent is not a string");
        }
        if (s)
            json_object_put(s);
        json_tokener_free(tok);
    } else if (env.list_end) {
        const char *lp = p + env.list_start;
        dispatch_array(r, lp, env.list_end - env.list_start, depth);
    } else {
        odd_value(r, "no eventName");
    }
}

/* ---- the stream ------------------------------------------------------- */

typedef struct stream {
    gzFile gz;
    const char *mem;
    size_t mem_n, mem_pos;
    char *buf;
    size_t len, pos, cap;
    uint64_t base; /* file offset of buf[0], for messages */
    bool eof;
    const char *err;
} stream_t;

enum { S_TOP, S_ARR_FIRST, S_ARR_ELEM, S_ARR_SEP, S_OBJ_REST, S_OBJ_MEMBER };

/* Compact and read more. Returns false on read error (st->err set). */
static bool fill(ctread_t *r, stream_t *st)
{
    if (st->pos > 0) {
        memmove(st->buf, st->buf + st->pos, st->len - st->pos);
        st->len -= st->pos;
        st->base += st->pos;
        st->pos = 0;
    }
    if (st->cap - st->len < CTREAD_CHUNK / 2) {
        size_t ncap = st->len + CTREAD_CHUNK;
        st->buf = g_realloc(st->buf, ncap + 1);
        st->cap = ncap;
    }
    size_t want = st->cap - st->len;
    long got;
    if (st->gz) {
        int g = gzread(st->gz, st->buf + st->len, (unsigned)want);
        if (g < 0) {
            int errnum;
            st->err = gzerror(st->gz, &errnum);
            return false;
        }
        got = g;
        if (g == 0) {
            int errnum;
            const char *m = gzerror(st->gz, &errnum);
            if (errnum != Z_OK) {
                st->err = m;
                return false;
            }
        }
    } else {
        size_t left = st->mem_n - st->mem_pos;
        got = (long)(left < want ? left : want);
        memcpy(st->buf + st->len, st->mem + st->mem_pos, (size_t)got);
        st->mem_pos += (size_t)got;
    }
    if (got == 0)
        st->eof = true;
    st->len += (size_t)got;
    r->st.bytes += (uint64_t)got;
    return true;
}

/* '{' at i: is the first member "Records"/"Events"/"QueryResultRows" with
 * an array value? On yes *after is one past the '['. */
static int records_prefix(const char *p, size_t n, size_t i, size_t *after)
{
    size_t k = i + 1, e;
    if (ctscan_ws(p, n, &k) != CTSCAN_OK)
        return CTSCAN_MORE;
    if (p[k] != '"')
        return CTSCAN_BAD;
    int rc = ctscan_value(p, n, k, 0, &e);
    if (rc != CTSCAN_OK)
        return rc;
    size_t kn = e - k - 2;
    const char *key = p + k + 1;
    if (!((kn == 7 && memcmp(key, "Records", 7) == 0) ||
          (kn == 6 && memcmp(key, "Events", 6) == 0) ||
          (kn == 15 && memcmp(key, "QueryResultRows", 15) == 0)))
        return CTSCAN_BAD;
    k = e;
    if (ctscan_ws(p, n, &k) != CTSCAN_OK)
        return CTSCAN_MORE;
    if (p[k] != ':')
        return CTSCAN_BAD;
    k++;
    if (ctscan_ws(p, n, &k) != CTSCAN_OK)
        return CTSCAN_MORE;
    if (p[k] != '[')
        return CTSCAN_BAD;
    *after = k + 1;
    return CTSCAN_OK;
}

static int run_stream(ctread_t *r, stream_t *st)
{
    int state = S_TOP;
    bool in_obj = false;
    for (;;) {
        if (r->stop)
            return 0;
        size_t i = st->pos, e;
        int rc = CTSCAN_OK;
        const char *p = st->buf;
        size_t n = st->len;
        if (ctscan_ws(p, n, &i) == CTSCAN_MORE) {
            rc = CTSCAN_MORE;
        } else {
            char c = p[i];
            switch (state) {
            case S_TOP:
                if (c == '[') {
                    st->pos = i + 1;
                    state = S_ARR_FIRST;
                    in_obj = false;
                    continue;
                }
                if (c == '{') {
                    size_t after;
                    rc = records_prefix(p, n, i, &after);
                    if (rc == CTSCAN_OK) {
                        st->pos = after;
                        state = S_ARR_FIRST;
                        in_obj = true;
                        continue;
                    }
                    if (rc == CTSCAN_MORE && !st->eof)
                        break;
                }
                if (c != '{') {
                    /* CloudWatch Logs exports prefix each event with its
                     * timestamp ("2025-05-12T03:14:05.000Z {...}"): skip it */
                    size_t k = i;
                    while (k < n && k - i < 40 &&
                           (g_ascii_isdigit(p[k]) ||
                            (p[k] != '\0' && strchr("-:.TZ+ ", p[k]) != NULL)))
                        k++;
                    if (k < n && p[k] == '{' && k > i && p[k - 1] == ' ') {
                        st->pos = k;
                        continue;
                    }
                    rc = (k == n && !st->eof && k - i < 40) ? CTSCAN_MORE : CTSCAN_BAD;
                    break; /* CloudTrail is objects, never bare scalars */
                }
                if (r->mode == CTREAD_FAST) {
                    ctscan_env_t env;
                    rc = ctscan_record(p + i, n - i, r->rec, &env, &e);
                    if (rc == CTSCAN_OK) {
                        scanned(r, p + i, &env, 0);
                        st->pos = i + e;
                        continue;
                    }
                    if (rc == CTSCAN_MORE)
                        break;
                }
                rc = ctscan_value(p, n, i, st->eof, &e);
                if (rc == CTSCAN_OK) {
                    dispatch(r, p + i, e - i, 0);
                    st->pos = e;
                    continue;
                }
                break;
            case S_ARR_FIRST:
                if (c == ']') {
                    st->pos = i + 1;
                    state = in_obj ? S_OBJ_REST : S_TOP;
                    continue;
                }
                /* fall through */
            case S_ARR_ELEM:
                if (c == '{' && r->mode == CTREAD_FAST) {
                    /* one pass: delimit and take the fields together */
                    ctscan_env_t env;
                    rc = ctscan_record(p + i, n - i, r->rec, &env, &e);
                    if (rc == CTSCAN_OK) {
                        scanned(r, p + i, &env, 1);
                        st->pos = i + e;
                        state = S_ARR_SEP;
                        continue;
                    }
                    if (rc == CTSCAN_MORE)
                        break;
                    /* malformed inside: skip the element if it can be delimited */
                }
                rc = ctscan_value(p, n, i, st->eof, &e);
                if (rc == CTSCAN_OK) {
                    dispatch(r, p + i, e - i, 1);
                    st->pos = e;
                    state = S_ARR_SEP;
                    continue;
                }
                break;
            case S_ARR_SEP:
                if (c == ',') {
                    st->pos = i + 1;
                    state = S_ARR_ELEM;
                    continue;
                }
                if (c == ']') {
                    st->pos = i + 1;
                    state = in_obj ? S_OBJ_REST : S_TOP;
                    continue;
                }
                rc = CTSCAN_BAD;
                break;
            case S_OBJ_REST:
                if (c == '}') {
                    st->pos = i + 1;
                    state = S_TOP;
                    continue;
                }
                if (c == ',') {
                    st->pos = i + 1;
                    state = S_OBJ_MEMBER;
                    continue;
                }
                rc = CTSCAN_BAD;
                break;
            case S_OBJ_MEMBER: {
                /* "key" : value, skipped whole */
                size_t k = i;
                if (c != '"') {
                    rc = CTSCAN_BAD;
                    break;
                }
                rc = ctscan_value(p, n, k, st->eof, &e);
                if (rc != CTSCAN_OK)
                    break;
                k = e;
                if ((rc = ctscan_ws(p, n, &k)) != CTSCAN_OK)
                    break;
                if (p[k] != ':') {
                    rc = CTSCAN_BAD;
                    break;
                }
                k++;
                if ((rc = ctscan_ws(p, n, &k)) != CTSCAN_OK)
                    break;
                rc = ctscan_value(p, n, k, st->eof, &e);
                if (rc == CTSCAN_OK) {
                    st->pos = e;
                    state = S_OBJ_REST;
                    continue;
                }
                break;
            }
            default:
                rc = CTSCAN_BAD;
                break;
            }
        }
        if (rc == CTSCAN_BAD) {
            log_err("%s: not valid CloudTrail JSON at byte %llu; rest of file skipped", r->name,
                    (unsigned long long)(st->base + i));
            return -1;
        }
        /* CTSCAN_MORE */
        if (st->eof) {
            if (state == S_TOP && i >= n)
                return 0;
            log_err("%s: truncated JSON at byte %llu", r->name,
                    (unsigned long long)(st->base + st->len));
            return -1;
        }
        if (st->len - st->pos >= CTREAD_MAX_VALUE) {
            log_err("%s: a value at byte %llu is larger than %u bytes; rest of file skipped",
                    r->name, (unsigned long long)(st->base + st->pos), CTREAD_MAX_VALUE);
            return -1;
        }
        if (i > st->pos)
            st->pos = i; /* white space is never needed again */
        if (!fill(r, st)) {
            log_err("%s: read error: %s", r->name, st->err ? st->err : "unknown");
            return -1;
        }
    }
}

static int read_stream(ctread_t *r, const char *name, gzFile gz, const void *mem, size_t n)
{
    stream_t st = {0};
    st.buf = r->buf;
    st.cap = r->buf_cap;
    st.gz = gz;
    st.mem = mem;
    st.mem_n = n;
    r->name = name;
    r->warned_value = false;
    r->st.files++;
    uint64_t before = r->st.bytes;
    int rc = run_stream(r, &st);
    if (st.cap > CTREAD_CHUNK * 2) { /* a huge record grew it: give it back */
        g_free(st.buf);
        st.buf = NULL;
        st.cap = 0;
    }
    r->buf = st.buf;
    r->buf_cap = st.cap;
    if (rc < 0)
        r->st.bad_files++;
    if (r->progress)
        progress_step(r->progress, r->st.bytes - before);
    if (r->stop)
        return r->stop;
    return rc;
}

int ctread_buffer(ctread_t *r, const char *name, const void *data, size_t n)
{
    return read_stream(r, name, NULL, data, n);
}

static int read_file(ctread_t *r, const char *path)
{
    gzFile gz;
    if (strcmp(path, "-") == 0) {
        int fd = dup(STDIN_FILENO);
        gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
        if (gz == NULL && fd >= 0)
            close(fd);
    } else {
        gz = gzopen(path, "rb");
    }
    if (gz == NULL) {
        log_err_errno("%s: cannot open", strcmp(path, "-") == 0 ? "stdin" : path);
        r->st.bad_files++;
        return -1;
    }
    gzbuffer(gz, 256 * 1024);
    int rc = read_stream(r, strcmp(path, "-") == 0 ? "stdin" : path, gz, NULL, 0);
    gzclose(gz);
    return rc;
}

static bool is_digest(const char *path)
{
    return strstr(path, "CloudTrail-Digest") != NULL;
}

static bool wanted_in_walk(const char *path)
{
    static const char *const ext[] = {".json",   ".json.gz",   ".jsonl", ".jsonl.gz",
                                      ".ndjson", ".ndjson.gz", ".gz"};
    for (size_t i = 0; i < G_N_ELEMENTS(ext); i++)
        if (g_str_has_suffix(path, ext[i]))
            return true;
    return false;
}

static int on_file(const char *path, const struct stat *sb, void *ctx)
{
    ctread_t *r = ctx;
    (void)sb;
    if (is_digest(path) || !wanted_in_walk(path)) {
        log_debug("%s: skipped (digest or not a log file)", path);
        r->st.skipped++;
        return 0;
    }
    if (r->list) {
        g_ptr_array_add(r->list, g_strdup(path));
        return 0;
    }
    int rc = read_file(r, path);
    return rc > 0 ? rc : 0;
}

static void on_error(const char *path, int errnum, void *ctx)
{
    ctread_t *r = ctx;
    r->st.bad_files++;
    log_err("%s: %s", path, g_strerror(errnum));
}

int ctread_path(ctread_t *r, const char *path)
{
    if (r->progress_on && r->progress == NULL)
        r->progress = progress_new("files");
    uint64_t bad = r->st.bad_files;
    if (strcmp(path, "-") == 0)
        return read_file(r, path);
    struct stat sb;
    if (stat(path, &sb) != 0) {
        log_err_errno("%s: cannot open", path);
        r->st.bad_files++;
        return -1;
    }
    if (S_ISDIR(sb.st_mode)) {
        fswalk_opts_t o = {.on_file = on_file, .on_error = on_error, .ctx = r};
        fswalk(path, &o);
    } else if (is_digest(path)) {
        log_info("%s: CloudTrail digest file, not records: skipped", path);
        r->st.skipped++;
    } else {
        read_file(r, path);
    }
    if (r->stop)
        return r->stop;
    return r->st.bad_files > bad ? -1 : 0;
}

int ctread_list(ctread_t *r, const char *path, GPtrArray *out)
{
    uint64_t bad = r->st.bad_files;
    struct stat sb;
    if (strcmp(path, "-") != 0 && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        r->list = out;
        fswalk_opts_t o = {.on_file = on_file, .on_error = on_error, .ctx = r};
        fswalk(path, &o);
        r->list = NULL;
    } else {
        g_ptr_array_add(out, g_strdup(path)); /* ctread_path reports what is wrong */
    }
    return r->st.bad_files > bad ? -1 : 0;
}

void ctread_add_stats(ctread_t *r, const ctread_stats_t *m)
{
    r->st.files += m->files;
    r->st.skipped += m->skipped;
    r->st.bad_files += m->bad_files;
    r->st.records += m->records;
    r->st.non_records += m->non_records;
    r->st.bytes += m->bytes;
}
