/*
 * mime.h - zero-copy reading of header blocks and multipart bodies.
 *
 * GMime builds a GObject for every header field and MIME part, and frees
 * them again; on ordinary mail that tree cost a third of sesguard's time
 * (bench/README.md). The message layer needs much less: the fields of a
 * header block as byte ranges, and the byte ranges of the body parts of a
 * multipart. This reader gives exactly that, pointing into the caller's
 * buffer. GMime stays in use for what is worth a library: RFC 2047/2231
 * decoding, address lists, dates, Content-Type/-Disposition parameters
 * and transfer decoding.
 *
 * Header block (RFC 5322 2.2, 3.5), read the way GMime 3.2 and mail
 * clients read it:
 *   - a field starts on a line that does not start with SP or HT; its name
 *     runs to the first ':' and may be followed by blanks before the ':',
 *     but holds no blank and no control character; lines starting with SP
 *     or HT continue the field above;
 *   - a line that is not a field (no ':', a blank or control character in
 *     the name, an empty name) is dropped with its continuation lines and
 *     counted (invalid, first_invalid);
 *   - the block ends at the first empty line (LF or CRLF; a lone CR is not
 *     a line break); without one the block runs to the end of the input
 *     (unterminated) and there is no body;
 *   - MIME_TOP (a message): a first line "From " or ">From " (an mbox
 *     separator left in a file) is skipped; any other first line that is
 *     not a field means the input has no header block (no_headers);
 *   - MIME_PART (a body part): a first line that is neither a field nor
 *     empty means the part has no header block and its body starts on that
 *     line (no_headers). RFC 2046 wants an empty line there; keeping the
 *     text beats losing it.
 *
 * Multipart body (RFC 2046 5.1.1): a delimiter line is "--" boundary,
 * then "--" for the close delimiter, then nothing but SP/HT (and the CR of
 * a CRLF). The line break before a delimiter belongs to the delimiter.
 * Text before the first delimiter (preamble) and after the close delimiter
 * (epilogue) is not a part. A body part ends at the next delimiter of its
 * own multipart; an enclosing multipart's delimiter inside it ends it too,
 * because callers split the enclosing body first and hand this function
 * only the enclosing part's bytes. A part that is itself a multipart on
 * the same boundary (the nests callback says so) owns the delimiters up to
 * its own close delimiter, as in GMime and Thunderbird, which try the
 * innermost boundary first: otherwise a reused boundary would end the
 * enclosing multipart early and what follows would be lost.
 *
 * Memory: results point into the input (which must outlive them); the
 * arrays are owned by the result and freed by mime_block_clear /
 * mime_split_clear. Nothing here reads past n; the input need not be
 * NUL-terminated and may hold NUL bytes.
 * Limits: mime_block_read keeps at most max_fields fields (the count of
 * all fields is still given); mime_split keeps at most max_parts parts.
 */
#ifndef SG_MAIL_MIME_H
#define SG_MAIL_MIME_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct mime_field {
    const char *name; /* field name as written, without blanks before the ':' */
    size_t name_len;
    const char *value; /* after the ':' up to the field's last line break, folds kept */
    size_t value_len;
    size_t offset; /* of the field's first byte in the input */
} mime_field_t;

typedef enum mime_where { MIME_TOP = 0, MIME_PART } mime_where_t;

typedef struct mime_block {
    GArray *fields;       /* mime_field_t, at most max_fields */
    size_t total_fields;  /* fields seen, kept or not */
    size_t body;          /* offset where the body starts (n when there is none) */
    bool no_headers;      /* see the header comment */
    bool unterminated;    /* no empty line ended the block */
    unsigned invalid;     /* lines dropped as not fields */
    size_t first_invalid; /* offset of the first of them */
} mime_block_t;

void mime_block_read(const char *d, size_t n, mime_where_t where, size_t max_fields,
                     mime_block_t *out);
void mime_block_clear(mime_block_t *b);
/* First field named name (ASCII case-insensitive), or NULL. */
const mime_field_t *mime_block_find(const mime_block_t *b, const char *name);

typedef struct mime_span {
    size_t start, len;
} mime_span_t;

typedef struct mime_split {
    GArray *parts; /* mime_span_t, offsets into the input */
    bool found;    /* at least one delimiter line */
    bool closed;   /* the close delimiter was found */
    bool more;     /* parts past max_parts were not kept */
} mime_split_t;

/* Does the part starting at part[0..len) open a multipart on the same
 * boundary? (Decided by the caller, which parses Content-Type.) */
typedef bool (*mime_nests_fn)(const char *part, size_t len, void *ctx);

/* nests may be NULL (no nesting on the same boundary is recognised). */
void mime_split(const char *d, size_t n, const char *boundary, size_t blen, size_t max_parts,
                mime_nests_fn nests, void *ctx, mime_split_t *out);
void mime_split_clear(mime_split_t *s);

#endif
