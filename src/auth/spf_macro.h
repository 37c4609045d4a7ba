/*
 * spf_macro.h - SPF macro strings (RFC 7208 section 7): syntax check and
 * expansion.
 *
 *   macro-expand = ( "%{" macro-letter transformers *delimiter "}" )
 *                  / "%%" / "%_" / "%-"
 *
 * Letters s l o d i p v h everywhere; c r t only in explanation text
 * (exp=, 7.1: "allowed only in exp text"). An upper-case letter expands
 * like its lower-case form and is then URL-escaped (every byte outside
 * ALPHA DIGIT "-" "." "_" "~" as %XX). Transformers: a non-zero digit
 * count of right-hand parts, then "r" to reverse; the value is split on
 * the delimiters (default ".") and joined with ".".
 *
 * Memory: the environment's strings are borrowed; output goes to a buf_t
 * whose maximum the caller chooses (an expansion that would pass it is an
 * error, so a hostile record cannot make us build a large string).
 * Errors: -1 with a static reason in *why; nothing is appended on error
 * beyond what the caller resets.
 * Security: input is attacker-written record text; every read is bounded
 * by the slice, digits are capped (SPF_MACRO_MAX_DIGITS), and %{p} is
 * resolved through a caller callback so its DNS cost is the caller's
 * to bound.
 */
#ifndef SG_AUTH_SPF_MACRO_H
#define SG_AUTH_SPF_MACRO_H

#include <stdbool.h>
#include <time.h>

#include "util/buf.h"
#include "util/slice.h"

/* Largest transformer digit kept: more parts than a domain can have (127
 * labels) mean "all of them". */
#define SPF_MACRO_MAX_DIGITS 128

typedef struct spf_macro_env {
    const char *sender;        /* s: <sender> */
    const char *local;         /* l: local-part of <sender> */
    const char *sender_domain; /* o: domain of <sender> */
    const char *domain;        /* d: the current <domain> */
    const char *ip_dotted;     /* i: dotted quad, or dot-separated nibbles */
    const char *ip_readable;   /* c: dotted quad, or RFC 5952 IPv6 */
    const char *ip_version;    /* v: "in-addr" or "ip6" */
    const char *helo;          /* h: HELO/EHLO domain */
    const char *receiver;      /* r: our own host name */
    time_t now;                /* t */
    /* p: validated domain name of <ip> for the current domain; NULL means
     * the lookup failed hard, which the caller records. */
    const char *(*validated)(void *ud, const char *domain);
    void *ud;
} spf_macro_env_t;

/* Check s as a macro-string; exp allows c, r, t. 0, or -1 with *why. */
int spf_macro_check(slice_t s, bool exp, const char **why);
/* Expand s into out. 0, or -1 with *why (syntax, or out full). */
int spf_macro_expand(slice_t s, bool exp, const spf_macro_env_t *env, buf_t *out, const char **why);

#endif
