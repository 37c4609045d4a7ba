/*
 * limits.h - named limits of the message layer, each with its reason.
 *
 * Hitting a limit is never a crash and never silent: the message gets an
 * anomaly (see anomaly.h) naming the limit, the work done so far is kept,
 * and the rest of the input is skipped. Postfix and rspamd use limits of
 * the same order; ours are sized for analysis of real mail, where a
 * legitimate message never comes near them and a hostile one is cut off
 * long before it costs real memory or time.
 */
#ifndef SG_MAIL_LIMITS_H
#define SG_MAIL_LIMITS_H

/* Largest message read whole. Big mail systems reject above 25-150 MB; a
 * phishing lure is a few hundred KB. Bigger messages are truncated here and
 * flagged, which bounds memory however large an mbox is. */
#define MAIL_MAX_MESSAGE_BYTES (64u * 1024 * 1024)

/* MIME nesting. Real mail nests 3-5 deep (mixed > related > alternative);
 * rspamd stops at 64. Deep nesting is a known parser DoS and evasion. */
#define MAIL_MAX_MIME_DEPTH 32

/* MIME parts walked. rspamd allows 10000; legitimate mail rarely has more
 * than a few dozen. Each part costs a header parse and a walk, so bound the count. */
#define MAIL_MAX_MIME_PARTS 1000

/* Header fields kept per message (top level). RFC 5322 sets no limit;
 * Postfix caps a header block at 1000 lines by default. */
#define MAIL_MAX_HEADERS 1000

/* One header field value, unfolded. Long DKIM/ARC/Received values reach a
 * few KB; anything beyond 64 KB is abuse. */
#define MAIL_MAX_HEADER_BYTES (64u * 1024)

/* Decoded text kept per message (all text parts together, UTF-8). Rules
 * need the lure, not a 50 MB body: the first 1 MB is plenty and keeps
 * per-message work bounded. */
#define MAIL_MAX_TEXT_BYTES (1024u * 1024)

/* Decoded bytes of one part (attachments included) that we hash and
 * sniff. Larger parts are hashed up to here and flagged. */
#define MAIL_MAX_PART_BYTES (32u * 1024 * 1024)

/* URLs and links kept per message. A lure has a handful; newsletters reach
 * a few hundred; thousands are an attempt to drown URL checks. */
#define MAIL_MAX_URLS 500

/* Received hops parsed: RFC 5321 6.3 suggests loops show after 100 hops. */
#define MAIL_MAX_HOPS 100

/* Attachments described per message. */
#define MAIL_MAX_ATTACHMENTS 200

/* Text kept in the JSON report per message. */
#define MAIL_MAX_REPORT_TEXT 4096

#endif
