/*
 * dkimcanon.c - header and body canonicalisation; see dkimcanon.h.
 *
 * The body walk keeps a count of empty lines seen but not yet emitted:
 * they are written only when a non-empty line follows, which removes
 * trailing empty lines without looking ahead and without a copy.
 */
#include "auth/dkimcanon.h"

#include <string.h>

static bool is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

static int relaxed_header(buf_t *out, slice_t raw)
{
    const char *colon = memchr(raw.p, ':', raw.n);
    size_t nlen = colon ? (size_t)(colon - raw.p) : raw.n;
    while (nlen > 0 &&
           (is_wsp(raw.p[nlen - 1]) || raw.p[nlen - 1] == '\r' || raw.p[nlen - 1] == '\n'))
        nlen--;
    for (size_t i = 0; i < nlen; i++)
        if (buf_append_char(out, g_ascii_tolower(raw.p[i])) != BUF_OK)
            return -1;
    if (buf_append_char(out, ':') != BUF_OK)
        return -1;
    if (colon == NULL)
        return 0;
    const char *p = colon + 1, *end = raw.p + raw.n;
    bool pending_sp = false, started = false;
    for (; p < end; p++) {
        char c = *p;
        if (c == '\r' || c == '\n')
            continue; /* unfold: CRLF removed, the WSP after it stays */
        if (is_wsp(c)) {
            pending_sp = started;
            continue;
        }
        if (pending_sp && buf_append_char(out, ' ') != BUF_OK)
            return -1;
        pending_sp = false;
        started = true;
        if (buf_append_char(out, c) != BUF_OK)
            return -1;
    }
    return 0;
}

int dkimcanon_header(buf_t *out, slice_t raw, dkimsig_canon_t c, bool with_crlf)
{
    int rc = c == DKIM_CANON_RELAXED ? relaxed_header(out, raw) : buf_append_slice(out, raw);
    if (rc != 0)
        return -1;
    if (with_crlf && buf_append(out, "\r\n", 2) != BUF_OK)
        return -1;
    return 0;
}

typedef struct body_state {
    EVP_MD_CTX *md;
    uint64_t limit;   /* bytes still allowed into the digest */
    uint64_t total;   /* canonical length so far */
    uint64_t pending; /* empty lines not yet emitted */
    bool ok;
} body_state_t;

static void emit(body_state_t *st, const char *p, size_t n)
{
    st->total += n;
    size_t take = st->limit < n ? (size_t)st->limit : n;
    if (take > 0 && EVP_DigestUpdate(st->md, p, take) != 1)
        st->ok = false;
    st->limit -= take;
}

static void flush_pending(body_state_t *st)
{
    for (; st->pending > 0; st->pending--)
        emit(st, "\r\n", 2);
}

static void relaxed_line(body_state_t *st, const char *p, size_t n)
{
    while (n > 0 && is_wsp(p[n - 1]))
        n--;
    if (n == 0) {
        st->pending++;
        return;
    }
    flush_pending(st);
    size_t i = 0;
    while (i < n) {
        size_t s = i;
        while (i < n && !is_wsp(p[i]))
            i++;
        emit(st, p + s, i - s);
        if (i < n) {
            while (i < n && is_wsp(p[i]))
                i++;
            emit(st, " ", 1);
        }
    }
    emit(st, "\r\n", 2);
}

static void simple_line(body_state_t *st, const char *p, size_t n)
{
    if (n == 0) {
        st->pending++;
        return;
    }
    flush_pending(st);
    emit(st, p, n);
    emit(st, "\r\n", 2);
}

int dkimcanon_body(EVP_MD_CTX *md_ctx, slice_t body, dkimsig_canon_t c, uint64_t limit,
                   uint64_t *canon_len)
{
    body_state_t st = {md_ctx, limit, 0, 0, true};
    const char *p = body.p, *end = body.p + body.n;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *lend = eol ? eol : end;
        if (eol && lend > p && lend[-1] == '\r')
            lend--;
        if (c == DKIM_CANON_RELAXED)
            relaxed_line(&st, p, (size_t)(lend - p));
        else
            simple_line(&st, p, (size_t)(lend - p));
        p = eol ? eol + 1 : end;
    }
    if (c == DKIM_CANON_SIMPLE && st.total == 0)
        emit(&st, "\r\n", 2);
    *canon_len = st.total;
    return st.ok ? 0 : -1;
}
