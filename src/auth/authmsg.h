/*
 * authmsg.h - the authentication verdict of one message: SPF, every DKIM
 * signature, DMARC and ARC, either verified here or read from the trusted
 * Authentication-Results.
 *
 * authmsg_verify() runs the checks when the envelope is known (the CLI's
 * --ip/--helo/--mail-from, or the first untrusted hop the trusted boundary
 * found, with Return-Path as MAIL FROM): SPF for MAIL FROM (for HELO when
 * MAIL FROM is empty), DKIM over the raw bytes, DMARC from the From
 * domains, SPF and the DKIM passes, and the ARC chain. All DNS goes
 * through one per-message budget (AUTHMSG_MAX_QUERIES, AUTHMSG_MAX_MS) so
 * a hostile message cannot stall a run.
 *
 * authmsg_from_headers() reads the same facts from the Authentication-
 * Results the boundary believed (trusted authserv-ids above the boundary);
 * with none, the source is "none" and every result "not checked".
 *
 * Memory: authmsg_t owns everything (authmsg_free).
 */
#ifndef SG_AUTH_AUTHMSG_H
#define SG_AUTH_AUTHMSG_H

#include <glib.h>
#include <stdbool.h>

#include "dns/dns.h"
#include "mail/boundary.h"
#include "mail/message.h"

/* RFC 7208 4.6.4 allows SPF alone 10 DNS terms (and 20 s); DKIM and ARC
 * fetch a key per signature (24 at most); DMARC asks 2-5 names. */
#define AUTHMSG_MAX_QUERIES 120
#define AUTHMSG_MAX_MS      30000

typedef enum authmsg_source { AUTHMSG_NONE = 0, AUTHMSG_VERIFIED, AUTHMSG_HEADER } authmsg_source_t;

typedef struct authmsg_env {
    const char *ip;        /* SMTP client IP */
    const char *helo;      /* HELO/EHLO name, or NULL */
    const char *mail_from; /* MAIL FROM address, "" for the null sender, NULL if unknown */
} authmsg_env_t;

typedef struct authmsg_dkim {
    char *domain;
    char *selector;
    char *algorithm;
    char *result; /* pass, fail, neutral, temperror, permerror, policy */
    char *reason;
    bool weak;
    bool body_length_limited;
} authmsg_dkim_t;

typedef struct authmsg {
    authmsg_source_t source;
    char *authserv_id; /* header mode: whose results */
    char *spf;         /* result, or NULL when not checked */
    char *spf_domain;
    char *spf_why;
    GPtrArray *dkim;    /* authmsg_dkim_t* */
    char *dmarc;        /* result, or NULL */
    char *dmarc_policy; /* none/quarantine/reject, or NULL */
    char *dmarc_from_domain;
    char *dmarc_org_domain;
    char *dmarc_why;
    char *arc; /* none/pass/fail, or NULL */
} authmsg_t;

authmsg_t *authmsg_verify(dns_resolver_t *dns, const char *raw, size_t len, const mail_msg_t *m,
                          const authmsg_env_t *env);
authmsg_t *authmsg_from_headers(const mail_boundary_t *b);
void authmsg_free(authmsg_t *a);
const char *authmsg_source_name(authmsg_source_t s);
/* An Authentication-Results field value (RFC 8601) for our authserv-id,
 * from a verified result: "mx.example.jp; spf=pass smtp.mailfrom=...;
 * dkim=pass header.d=... header.s=...; dmarc=pass header.from=...;
 * arc=none". Attacker-written values are quoted or dropped so the field
 * always parses. g_free the result. */
char *authmsg_header(const authmsg_t *a, const char *authserv_id);
/* Did DKIM pass for a d= within domain (or, when domain is NULL, any)? */
bool authmsg_dkim_pass(const authmsg_t *a, const char *domain);

#endif
