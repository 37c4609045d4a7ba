/*
 * dkimcanon.h - DKIM canonicalisation (RFC 6376 3.4), header and body.
 *
 * What: dkimcanon_header appends one header field, canonicalised, to a
 * buffer; dkimcanon_body hashes a body with a digest context as it walks
 * it, never building a canonical copy (the body may be megabytes).
 * Input is the CRLF-normalised message of dkimmsg.h.
 *
 *   simple header:  the field exactly as received, plus CRLF
 *   relaxed header: name lower-cased, folding removed, runs of WSP -> SP,
 *                   WSP around the colon and at the end removed
 *   simple body:    trailing empty lines removed; an empty body is CRLF
 *   relaxed body:   WSP at line ends removed, runs of WSP -> SP, trailing
 *                   empty lines removed; an empty body stays empty
 *                   (RFC 6376 erratum 3133 / 5.3 of RFC 8463's examples)
 *
 * A body-length limit (l=) cuts the canonical output after that many
 * bytes; the full canonical length is returned so the caller can see both.
 *
 * Memory: no allocation beyond the caller's buffer.
 * Errors: dkimcanon_header returns -1 when the buffer's maximum is hit;
 * dkimcanon_body returns -1 on a digest failure.
 */
#ifndef SG_AUTH_DKIMCANON_H
#define SG_AUTH_DKIMCANON_H

#include <openssl/evp.h>
#include <stdint.h>

#include "auth/dkimsig.h"
#include "util/buf.h"
#include "util/slice.h"

/* raw: the whole field without its final CRLF (name, colon, value).
 * with_crlf: append CRLF (every field but the signature itself). */
int dkimcanon_header(buf_t *out, slice_t raw, dkimsig_canon_t c, bool with_crlf);

/* limit: UINT64_MAX for no l=. *canon_len: canonical body length without
 * the limit. md_ctx must be initialised with the digest. */
int dkimcanon_body(EVP_MD_CTX *md_ctx, slice_t body, dkimsig_canon_t c, uint64_t limit,
                   uint64_t *canon_len);

#endif
