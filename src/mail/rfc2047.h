/*
 * rfc2047.h - join adjacent encoded words of one charset (RFC 2047 6.2).
 *
 * Mailers split a long ISO-2022-JP (or UTF-8) text into several encoded
 * words, and some split it in the middle of a multibyte character or an
 * escape sequence. Decoding each word on its own then loses characters
 * (GMime decodes word by word). RFC 2047 lets a reader join adjacent words
 * (only white space between them) before converting; we do exactly that,
 * at the byte level: the payloads of a run of words with the same charset
 * are decoded (B or Q), concatenated and re-encoded as one B word, so any
 * RFC 2047 decoder downstream sees whole characters.
 *
 * Memory: rfc2047_merge returns a new g_malloc'd string, or NULL when the
 * input has no run of two or more such words (nothing to change).
 * Limits: input is bounded by the caller (MAIL_MAX_HEADER_BYTES); output
 * is at most 4/3 of the input plus the word delimiters.
 */
#ifndef SG_MAIL_RFC2047_H
#define SG_MAIL_RFC2047_H

#include <stddef.h>

char *rfc2047_merge(const char *s, size_t len);

#endif
