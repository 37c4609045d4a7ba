/*
 * arc.h - ARC chain validation (RFC 8617 5.2).
 *
 * What: collects the ARC sets (ARC-Authentication-Results, ARC-Message-
 * Signature, ARC-Seal with the same instance i=1..N), checks their
 * structure (one of each per instance, no gaps, cv=none at i=1 and
 * cv=pass above), verifies the newest AMS like a DKIM signature
 * (dkim_check_sig) and every AS over the sets up to its own, and gives the
 * chain validation status none | pass | fail. For a passing chain it also
 * computes oldest-pass (RFC 8617 5.2 step 5): 0 when every AMS still
 * verifies, else the lowest instance from which all newer AMSs verify.
 *
 * Why: a forwarder (mailing list, gateway) breaks DKIM; ARC tells who saw
 * the message pass before. ARC vouches for nothing by itself: the sealers
 * must be trusted, and the report names them (as_domain per set).
 *
 * Memory: arc_result_t owns everything (arc_result_free).
 * Limits: 50 instances (RFC 8617 4.2.1); key lookups at most 2N+1; the
 * DKIM limits on header data and body hashes apply.
 * Errors: any malformed ARC field makes the chain fail with a reason; a
 * key that cannot be fetched makes it fail too (ARC has no temperror).
 * Security: every byte is hostile (see dkim.h).
 */
#ifndef SG_AUTH_ARC_H
#define SG_AUTH_ARC_H

#include <glib.h>

#include "auth/dkim.h"

typedef enum arc_cv { ARC_NONE, ARC_PASS, ARC_FAIL } arc_cv_t;

typedef struct arc_set {
    unsigned instance;
    char *authserv_id; /* from the AAR, or NULL */
    char *aar;         /* AAR results after "i=N; authserv-id;", at most 1 KB, UTF-8 */
    char *ams_domain, *ams_selector;
    char *as_domain, *as_selector;
    dkim_result_t ams_result; /* DKIM_NEUTRAL when not checked */
    dkim_result_t as_result;
    char *ams_reason, *as_reason;
    const char *cv; /* "none", "pass", "fail" as sealed */
} arc_set_t;

typedef struct arc_result {
    arc_cv_t cv;
    char *reason;       /* never NULL */
    unsigned instances; /* N */
    unsigned oldest_pass;
    GPtrArray *sets; /* arc_set_t*, by instance (1..N), when the structure is sound */
} arc_result_t;

arc_result_t *arc_validate(const char *raw, size_t len, const dkim_opts_t *o);
arc_result_t *arc_validate_msg(const dkimmsg_t *m, const dkim_opts_t *o);
void arc_result_free(arc_result_t *r);
const char *arc_cv_name(arc_cv_t cv);

/* The instance of an ARC-Authentication-Results value ("i=N;" first), or
 * 0 when it is malformed. *rest is set to what follows the ';'. */
unsigned arc_aar_instance(slice_t value, slice_t *rest);

#endif
