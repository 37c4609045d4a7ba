/*
 * urls.h - find URLs written in plain text.
 *
 * Recognises what a mail client would make clickable and what a lure uses:
 * scheme URLs (http, https, ftp, hxxp/hxxps as written by defanging tools,
 * mailto is not a URL here), "www."-prefixed host names, and bare host
 * names with a path ("example.com/login") when the last label is a known
 * TLD shape (letters, 2-24). Full-width and ideographic punctuation
 * (、。「」（）) ends a URL, as do ASCII quotes, angle brackets and trailing
 * sentence punctuation, because Japanese text puts URLs right against
 * such characters. Schemes are matched case-insensitively and hosts with
 * non-ASCII (IDN) characters are kept as written.
 *
 * Memory: urls_find appends newly allocated mail_link_t (kind
 * MAIL_LINK_TEXT, empty text) to links; the caller owns them.
 * Limits: stops adding after the array holds max entries and returns the
 * number of URLs it saw, so the caller can tell that the limit was hit.
 */
#ifndef SG_MAIL_URLS_H
#define SG_MAIL_URLS_H

#include <glib.h>
#include <stddef.h>

/* Returns the number of URLs found (may exceed what was added). */
size_t urls_find(const char *utf8, size_t len, GPtrArray *links, size_t max);

#endif
