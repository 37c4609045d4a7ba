/*
 * dkimmsg.c - split a raw message into header fields and body; see
 * dkimmsg.h. The normalisation to CRLF happens once, here, so that header
 * and body canonicalisation (dkimcanon.c) see the same bytes that the
 * signer hashed.
 */
#include "auth/dkimmsg.h"

#include <string.h>

static char *normalise_crlf(const char *raw, size_t len, size_t *out_len)
{
    size_t extra = 0;
    for (size_t i = 0; i < len; i++)
        if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
            extra++;
    char *d = g_malloc(len + extra + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r'))
            d[o++] = '\r';
        d[o++] = raw[i];
    }
    d[o] = '\0';
    *out_len = o;
    return d;
}

static void add_field(dkimmsg_t *m, const char *start, const char *end)
{
    if (m->fields->len >= DKIMMSG_MAX_FIELDS) {
        m->truncated = true;
        return;
    }
    dkimmsg_field_t f;
    f.raw = slice_make(start, (size_t)(end - start));
    const char *colon = memchr(start, ':', (size_t)(end - start));
    if (colon == NULL) {
        f.name = slice_make(start, 0);
        f.value = f.raw;
    } else {
        size_t nl = (size_t)(colon - start);
        while (nl > 0 && (start[nl - 1] == ' ' || start[nl - 1] == '\t'))
            nl--;
        f.name = slice_make(start, nl);
        f.value = slice_make(colon + 1, (size_t)(end - colon - 1));
    }
    g_array_append_val(m->fields, f);
}

dkimmsg_t *dkimmsg_parse(const char *raw, size_t len)
{
    if (len > DKIMMSG_MAX_BYTES)
        return NULL;
    dkimmsg_t *m = g_new0(dkimmsg_t, 1);
    m->fields = g_array_new(FALSE, FALSE, sizeof(dkimmsg_field_t));
    m->data = normalise_crlf(raw ? raw : "", raw ? len : 0, &m->len);
    const char *p = m->data, *end = m->data + m->len;
    const char *fstart = NULL; /* start of the field being collected */
    const char *fend = NULL;   /* end of its last line (before CRLF) */
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        /* line is [p, lend); next line starts at nxt */
        const char *lend = eol ? eol : end;
        const char *nxt = eol ? eol + 1 : end;
        if (lend > p && lend[-1] == '\r' && eol)
            lend--;
        if (lend == p && eol) { /* the empty line: body follows */
            m->has_body = true;
            m->body = slice_make(nxt, (size_t)(end - nxt));
            break;
        }
        if ((*p == ' ' || *p == '\t') && fstart != NULL) {
            fend = lend;
        } else {
            if (fstart != NULL)
                add_field(m, fstart, fend);
            fstart = p;
            fend = lend;
        }
        p = nxt;
    }
    if (fstart != NULL)
        add_field(m, fstart, fend);
    if (!m->has_body)
        m->body = slice_make(end, 0);
    return m;
}

void dkimmsg_free(dkimmsg_t *m)
{
    if (m == NULL)
        return;
    g_array_free(m->fields, TRUE);
    g_free(m->data);
    g_free(m);
}
