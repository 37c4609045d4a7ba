/*
 * spf_record.h - the SPF record parser (RFC 7208 sections 4.5, 4.6, 5, 6
 * and the ABNF of 12).
 *
 * A record is parsed whole before it is evaluated: "if there are any
 * syntax errors anywhere in the record, check_host() returns immediately
 * with the result permerror" (4.6). So the parser checks every term, every
 * domain-spec (macro syntax, and the domain-end rule: a final toplabel or
 * a macro), CIDR lengths (no leading zeros, /32 and /128 at most), IP
 * networks, duplicate redirect= and exp=, unknown mechanisms, the name and
 * macro-string of unknown modifiers, and that the record is printable
 * ASCII with terms separated by spaces only (3.1, 4.6.1).
 *
 * Memory: spf_record_t owns its terms and strings (spf_record_free).
 * Limits: SPF_RECORD_MAX_TERMS terms (a record needs far fewer; a longer
 * one is a permerror rather than work without bound).
 * Errors: NULL with *err, a one-line reason naming the offending term.
 * Security: the text is attacker-written; it is read through slices only,
 * never assumed NUL-terminated, and may contain NULs.
 */
#ifndef SG_AUTH_SPF_RECORD_H
#define SG_AUTH_SPF_RECORD_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "util/slice.h"

#define SPF_RECORD_MAX_TERMS 256

typedef enum spf_mech {
    SPF_MECH_ALL,
    SPF_MECH_INCLUDE,
    SPF_MECH_A,
    SPF_MECH_MX,
    SPF_MECH_PTR,
    SPF_MECH_IP4,
    SPF_MECH_IP6,
    SPF_MECH_EXISTS,
} spf_mech_t;

typedef struct spf_term {
    spf_mech_t mech;
    char qualifier;  /* '+', '-', '~' or '?' */
    char *spec;      /* domain-spec (unexpanded), or NULL when absent */
    int cidr4;       /* -1 when absent */
    int cidr6;       /* -1 when absent */
    uint8_t net[16]; /* ip4 (first 4 bytes) / ip6 network */
    char *text;      /* the term as written, for traces */
} spf_term_t;

typedef struct spf_record {
    GPtrArray *terms; /* spf_term_t*, directives in order */
    char *redirect;   /* domain-spec or NULL */
    char *exp;        /* domain-spec or NULL */
    bool has_all;     /* an "all" anywhere: redirect= is then ignored (6.1) */
} spf_record_t;

/* "v=spf1" (any case) followed by a space or the end (4.5). */
bool spf_record_is_spf(slice_t txt);
spf_record_t *spf_record_parse(slice_t txt, char **err);
void spf_record_free(spf_record_t *r);
/* domain-spec = macro-string domain-end (no expansion). 0 or -1 + *why. */
int spf_record_check_domain_spec(slice_t spec, const char **why);
const char *spf_mech_name(spf_mech_t m);

#endif
