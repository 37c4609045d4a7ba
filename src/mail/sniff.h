/*
 * sniff.h - the content type of an attachment's decoded bytes.
 *
 * libmagic knows every format but is slow on text: Debian's libmagic 5.44
 * walks its whole database, compiling the regular expressions of the text
 * tests on every call, about 300 us for a ten-line delivery status, more
 * than the rest of the message's analysis. Most attachments in mail are
 * text (delivery reports, headers, signatures) or one of four binary
 * formats, so sniff_type() decides those from their first bytes and asks
 * libmagic only for the other binary content:
 *
 *  - empty: "application/x-empty" (libmagic's name);
 *  - PNG, JPEG, GIF and PDF by their signatures;
 *  - text (no byte libmagic counts as binary in the first SNIFF_TEXT_WINDOW
 *    bytes): HTML, SVG, XML, RTF, PostScript, PGP armour, calendars and
 *    vCards, PHP, Windows Internet shortcuts (.url), scripts by their #!
 *    interpreter and batch files by "@echo off", mail headers, else
 *    "text/plain". The names are libmagic's, so reports
 *    and data/attachments.conf speak one vocabulary;
 *  - anything else: libmagic on at most SNIFF_MAGIC_WINDOW bytes (every
 *    signature the rules need lies inside it, ISO 9660's at 32769 too).
 *
 * sniff_type() never fails: with no libmagic handle (or libmagic failing)
 * unknown binary content is "application/octet-stream". The returned string
 * is static or owned by the libmagic handle: copy it before the next call
 * on the same handle.
 */
#ifndef SG_MAIL_SNIFF_H
#define SG_MAIL_SNIFF_H

#include <magic.h>
#include <stddef.h>

#define SNIFF_TEXT_WINDOW 65536
#define SNIFF_MAGIC_WINDOW 65536

/* The type decided without libmagic, or NULL when only libmagic can say. */
const char *sniff_quick(const char *bytes, size_t len);

/* sniff_quick(), else libmagic (cookie may be NULL). */
const char *sniff_type(magic_t cookie, const char *bytes, size_t len);

#endif
