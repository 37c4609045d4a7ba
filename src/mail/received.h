/*
 * received.h - parse one Received field (RFC 5321 4.4) into a mail_hop_t.
 *
 * Real Received fields are only loosely standard; the parser knows the
 * shapes Postfix, Exim, Sendmail, Exchange, Gmail and the big ESPs write:
 *   from HELO (rDNS [IP]) by HOST with PROTO id ID for <rcpt>; DATE
 *   from [IP] (helo=HELO) by HOST with esmtps (...) (Exim)
 *   from HOST (HOST. [IP]) by ... (Sendmail)
 *   from HOST (IP) by HOST (Exchange: bare IP in parentheses)
 *   from BASE64 (unknown) by geopod-ismtpd-N (SG) (SendGrid)
 * IPv6 as [IPv6:2001:db8::1] or [2001:db8::1]; IPs are validated (inet_pton)
 * and stored in canonical text form. Comments may nest (RFC 5322 3.2.2).
 *
 * Memory: the returned hop and its strings belong to the caller
 * (received_hop_free). Never returns NULL: fields not found are "".
 */
#ifndef SG_MAIL_RECEIVED_H
#define SG_MAIL_RECEIVED_H

#include <stddef.h>

#include "mail/message.h"

mail_hop_t *received_parse(const char *value, size_t len);
void received_hop_free(gpointer hop);

#endif
