/*
 * source.c - messages from files, mboxes, Maildirs and stdin; see source.h.
 */
#include "mail/source.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "mail/limits.h"
#include "util/buf.h"
#include "util/fswalk.h"
#include "util/lines.h"

typedef struct reader {
    const mail_source_opts_t *o;
    const char *path;
    buf_t msg;
    long index;
    bool truncated;
    unsigned long long orig_len;
    int stop;
} reader_t;

static bool is_dir(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

static bool has_time(slice_t s)
{
    for (size_t i = 0; i + 8 <= s.n; i++) {
        const char *p = s.p + i;
        if (g_ascii_isdigit(p[0]) && g_ascii_isdigit(p[1]) && p[2] == ':' &&
            g_ascii_isdigit(p[3]) && g_ascii_isdigit(p[4]) && p[5] == ':' &&
            g_ascii_isdigit(p[6]) && g_ascii_isdigit(p[7]))
            return true;
    }
    return false;
}

static bool is_from_line(slice_t line)
{
    return line.n > 5 && memcmp(line.p, "From ", 5) == 0 && line.p[5] != ' ' && line.p[5] != '\n' &&
           line.p[5] != '\r';
}

/* The second token of a From_ line is the envelope sender: an address
 * (or MAILER-DAEMON). "From here on, ..." in a body is not a separator. */
static bool has_sender_token(slice_t line)
{
    slice_t rest = slice_make(line.p + 5, line.n - 5);
    slice_t tok = slice_split(&rest, ' ');
    return slice_find(tok, '@') >= 0 || slice_eq_ci(tok, "MAILER-DAEMON");
}

static bool is_blank(slice_t line)
{
    return line.n == 0 || (line.n == 1 && line.p[0] == '\n') ||
           (line.n == 2 && line.p[0] == '\r' && line.p[1] == '\n');
}

static void emit(reader_t *r)
{
    if (r->stop)
        return;
    size_t len = r->msg.len;
    /* the blank line before the next From_ belongs to the separator */
    if (r->index >= 0 && len >= 2 && r->msg.data[len - 1] == '\n') {
        if (r->msg.data[len - 2] == '\n')
            len--;
        else if (len >= 3 && r->msg.data[len - 2] == '\r' && r->msg.data[len - 3] == '\n')
            len -= 2;
    }
    mail_item_t it = {.path = r->path,
                      .index = r->index,
                      .data = r->msg.data ? r->msg.data : "",
                      .len = len,
                      .truncated = r->truncated,
                      .orig_len = r->orig_len};
    r->stop = r->o->on_message(&it, r->o->ctx);
    buf_reset(&r->msg);
    r->truncated = false;
    r->orig_len = 0;
}

static void add(reader_t *r, slice_t s)
{
    r->orig_len += s.n;
    if (r->truncated)
        return;
    if (buf_append_slice(&r->msg, s) != BUF_OK) {
        size_t room = r->msg.max - r->msg.len;
        buf_append(&r->msg, s.p, room);
        r->truncated = true;
    }
}

/* A directory of single messages opens thousands of files: each thread
 * keeps one line reader (a 512 KB buffer) and one message buffer for the
 * next file instead of allocating and releasing them per file. */
typedef struct stream_cache {
    lines_t *lines;
    buf_t msg;
} stream_cache_t;

static void stream_cache_free(gpointer p)
{
    stream_cache_t *c = p;
    lines_free(c->lines);
    buf_free(&c->msg);
    g_free(c);
}

static GPrivate stream_key = G_PRIVATE_INIT(stream_cache_free);

static int scan_stream(FILE *f, const char *path, const mail_source_opts_t *o)
{
    reader_t r = {.o = o, .path = path, .index = -1};
    stream_cache_t *cache = g_private_get(&stream_key);
    g_private_set(&stream_key, NULL); /* ours until we give it back */
    if (cache == NULL) {
        cache = g_new0(stream_cache_t, 1);
        cache->lines = lines_new(f, 64 * 1024);
        buf_init(&cache->msg, MAIL_MAX_MESSAGE_BYTES);
    } else {
        lines_rebind(cache->lines, f);
        buf_reset(&cache->msg);
    }
    lines_t *lr = cache->lines;
    r.msg = cache->msg;
    slice_t line;
    bool cont, first = true, mbox = false, prev_blank = true, have = false;
    int rc;
    while (!r.stop && (rc = lines_next(lr, &line, &cont)) == 1) {
        if (first) {
            first = false;
            mbox = is_from_line(line);
            if (mbox) {
                r.index = 0;
                prev_blank = false;
                continue; /* the From_ line is not part of the message */
            }
        }
        if (mbox && !cont && is_from_line(line) &&
            (has_time(line) || (prev_blank && has_sender_token(line)))) {
            emit(&r);
            r.index++;
            have = false;
            prev_blank = false;
            continue;
        }
        if (mbox && !cont && line.n > 5 && line.p[0] == '>') {
            size_t k = 0;
            while (k < line.n && line.p[k] == '>')
                k++;
            if (line.n - k >= 5 && memcmp(line.p + k, "From ", 5) == 0) {
                line.p++;
                line.n--;
            }
        }
        if (!cont)
            prev_blank = is_blank(line);
        add(&r, line);
        have = true;
    }
    int errs = 0;
    if (rc < 0) {
        o->on_error ? o->on_error(path, errno, o->ctx) : (void)0;
        errs++;
    }
    if (!r.stop && (have || (mbox && r.index >= 0) || (!mbox && !first)))
        emit(&r);
    if (!r.stop && first) { /* empty input: report it as such */
        o->on_error ? o->on_error(path, ENODATA, o->ctx) : (void)0;
        errs++;
    }
    cache->msg = r.msg;
    if (cache->msg.cap > 4 * LINES_CHUNK) { /* do not hold on to a huge message */
        buf_free(&cache->msg);
        buf_init(&cache->msg, MAIL_MAX_MESSAGE_BYTES);
    }
    g_private_set(&stream_key, cache);
    return r.stop ? r.stop : errs;
}

static int scan_file(const char *path, const mail_source_opts_t *o)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        if (o->on_error)
            o->on_error(path, errno, o->ctx);
        return 1;
    }
    int rc = scan_stream(f, path, o);
    fclose(f);
    return rc;
}

typedef struct walk_ctx {
    const mail_source_opts_t *o;
    int stop;
} walk_ctx_t;

static int on_file(const char *path, const struct stat *st, void *ctx)
{
    walk_ctx_t *w = ctx;
    int rc = scan_file(path, w->o);
    /* errors are counted by the walker's caller through on_error; only a
     * stop request ends the walk */
    return rc < 0 || (rc > 0 && w->stop) ? rc : 0;
}

static bool is_maildir(const char *dir)
{
    char *cur = g_build_filename(dir, "cur", NULL);
    char *nw = g_build_filename(dir, "new", NULL);
    bool yes = is_dir(cur) && is_dir(nw);
    g_free(cur);
    g_free(nw);
    return yes;
}

static bool skip_dir(const char *dir, const char *name, void *ctx)
{
    /* tmp/ of a Maildir holds half-delivered messages */
    return strcmp(name, "tmp") == 0 && is_maildir(dir);
}

static void on_error(const char *path, int errnum, void *ctx)
{
    walk_ctx_t *w = ctx;
    if (w->o->on_error)
        w->o->on_error(path, errnum, w->o->ctx);
}

typedef struct counting {
    const mail_source_opts_t *inner;
    int errors;
} counting_t;

static void count_error(const char *path, int errnum, void *ctx)
{
    counting_t *c = ctx;
    c->errors++;
    if (c->inner->on_error)
        c->inner->on_error(path, errnum, c->inner->ctx);
}

static int pass_message(const mail_item_t *it, void *ctx)
{
    counting_t *c = ctx;
    return c->inner->on_message(it, c->inner->ctx);
}

int mail_source_scan(const char *path, const mail_source_opts_t *o)
{
    counting_t c = {o, 0};
    mail_source_opts_t co = {pass_message, count_error, &c};
    if (strcmp(path, "-") == 0) {
        int rc = scan_stream(stdin, "-", &co);
        return rc < 0 ? rc : c.errors;
    }
    if (!is_dir(path)) {
        struct stat st;
        if (stat(path, &st) != 0) {
            count_error(path, errno, &c);
            return c.errors;
        }
        if (!S_ISREG(st.st_mode)) {
            count_error(path, EINVAL, &c);
            return c.errors;
        }
        int rc = scan_file(path, &co);
        return rc < 0 ? rc : c.errors;
    }
    walk_ctx_t w = {&co, 0};
    fswalk_opts_t fo = {.on_file = on_file, .skip_dir = skip_dir, .on_error = on_error, .ctx = &w};
    int rc = fswalk(path, &fo);
    return rc < 0 ? rc : c.errors;
}
