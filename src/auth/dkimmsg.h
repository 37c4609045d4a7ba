/*
 * dkimmsg.h - a raw message split into header fields and body, exactly as
 * received, for DKIM and ARC (RFC 6376 3.4, RFC 8617).
 *
 * What: the bytes are first normalised to CRLF line ends (a bare LF becomes
 * CRLF; a CR not followed by LF is kept as a byte), because signers
 * canonicalise CRLF lines and mail stored on Unix often has LF only. The
 * header block is then cut into fields (a line starting with SP or HT
 * continues the previous field); the body is everything after the first
 * empty line.
 *
 * Memory: dkimmsg_t owns one copy of the normalised bytes; every slice in
 * it points into that copy. dkimmsg_free releases it all.
 *
 * Limits: DKIMMSG_MAX_FIELDS header fields are kept (the rest are dropped
 * and flagged in `truncated`), messages larger than DKIMMSG_MAX_BYTES are
 * refused (NULL). A header line without a colon is kept as a field with an
 * empty name, so that it can never match a name in h=.
 *
 * Security: every byte is hostile; nothing here assumes NUL termination.
 */
#ifndef SG_AUTH_DKIMMSG_H
#define SG_AUTH_DKIMMSG_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/slice.h"

/* Same order as MAIL_MAX_HEADERS (Postfix caps a header at 1000 lines). */
#define DKIMMSG_MAX_FIELDS 1000
/* Same as MAIL_MAX_MESSAGE_BYTES: the largest message read whole. */
#define DKIMMSG_MAX_BYTES (64u * 1024 * 1024)

typedef struct dkimmsg_field {
    slice_t name;  /* field name as written (no trailing white space) */
    slice_t raw;   /* the whole field: name, colon, value, inner CRLFs; no final CRLF */
    slice_t value; /* after the colon, as written (no final CRLF) */
} dkimmsg_field_t;

typedef struct dkimmsg {
    char *data; /* CRLF-normalised copy of the message */
    size_t len;
    GArray *fields; /* dkimmsg_field_t, in message order */
    slice_t body;   /* after the empty line; empty if there is none */
    bool has_body;  /* an empty line separating header and body was seen */
    bool truncated; /* more than DKIMMSG_MAX_FIELDS fields */
} dkimmsg_t;

/* Returns NULL only when len > DKIMMSG_MAX_BYTES. */
dkimmsg_t *dkimmsg_parse(const char *raw, size_t len);
void dkimmsg_free(dkimmsg_t *m);
static inline const dkimmsg_field_t *dkimmsg_field(const dkimmsg_t *m, size_t i)
{
    return &g_array_index(m->fields, dkimmsg_field_t, i);
}

#endif
