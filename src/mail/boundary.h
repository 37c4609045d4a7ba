/*
 * boundary.h - the trusted boundary: where our own mail system ends.
 *
 * Headers above the first Received field written by an outside host were
 * added by the organisation's own MX hosts; everything below was written
 * by the sender and may be forged (an attacker can add a Received or an
 * Authentication-Results field claiming anything). The configuration names
 * the trusted hosts (by name or IP, in Received "by"/"from") and the
 * trusted authserv-ids; mail_boundary_find() walks the Received hops from
 * the top and returns:
 *   - the first untrusted hop: its connecting IP, HELO and reverse DNS,
 *     i.e. the SMTP client our MX saw (the envelope SPF needs);
 *   - the index of the first header written by the outside
 *     (trusted_header_end), so later layers can tell a platform header the
 *     sender wrote from one our own Exchange Online stamped;
 *   - the Authentication-Results fields to believe: those whose
 *     authserv-id is trusted and that sit above the boundary; any A-R with
 *     a trusted authserv-id below it is forged and is reported as the
 *     MAIL_ANOM_FORGED_AUTHRES anomaly.
 * With no trusted host configured nothing is trusted: client fields are
 * NULL and no Authentication-Results is believed ("not checked").
 *
 * Memory: the boundary owns its strings and arrays; mail_boundary_free.
 */
#ifndef SG_MAIL_BOUNDARY_H
#define SG_MAIL_BOUNDARY_H

#include <stdbool.h>

#include "mail/authres.h"
#include "mail/message.h"

typedef struct mail_trust {
    char **hosts;      /* host names (exact, or ".example.jp" for a suffix) and IPs */
    char **authserv_ids; /* trusted authserv-ids; NULL = the same as hosts */
} mail_trust_t;

typedef struct mail_boundary {
    bool configured;          /* a trusted host list was given */
    int first_untrusted_hop;  /* index into msg->hops, -1 if none found */
    size_t trusted_header_end; /* headers[0..end) were written by trusted hosts */
    char *client_ip;          /* of the first untrusted hop, or NULL */
    char *client_helo;
    char *client_rdns;
    GPtrArray *authres;       /* authres_t* believed, top first */
} mail_boundary_t;

mail_boundary_t *mail_boundary_find(mail_msg_t *m, const mail_trust_t *trust);
void mail_boundary_free(mail_boundary_t *b);

#endif
