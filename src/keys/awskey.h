/*
 * awskey.h - facts about AWS credentials that can be computed offline.
 *
 * What: shape checks for access key ids, secret access keys and SES SMTP
 * passwords; the account id encoded in a key id; the kind of key (long-term,
 * temporary, ...); whether a value is the AWS documentation example; and the
 * SES SMTP password that a secret access key yields in a region.
 *
 * Memory: every function works on caller-provided slices and output arrays;
 * nothing is allocated and nothing is kept.
 *
 * Limits: key ids are exactly AWSKEY_ID_LEN bytes, secrets exactly
 * AWSKEY_SECRET_LEN, SMTP passwords exactly AWSKEY_SMTP_PW_LEN; anything
 * else is rejected before it is decoded. Region names are bounded by
 * AWSKEY_REGION_MAX.
 *
 * Errors: functions return -1 (or false) for input of the wrong shape; they
 * never abort on input.
 *
 * Security: the inputs are attacker-written bytes from scanned files; every
 * read is bounded by the slice length and never assumes a NUL. The SMTP
 * password derivation uses OpenSSL's HMAC-SHA256 (no hand-written crypto);
 * its output is itself a secret and callers must redact it like one.
 *
 * Why: the account id tells an incident responder whose account leaked
 * without calling AWS (and tells a canary-token tripwire from a real leak);
 * the SMTP derivation ties an SES SMTP password found in one place to the
 * access key found in another.
 */
#ifndef SG_KEYS_AWSKEY_H
#define SG_KEYS_AWSKEY_H

#include <stdbool.h>
#include <stdint.h>

#include "util/slice.h"

#define AWSKEY_ID_LEN      20
#define AWSKEY_SECRET_LEN  40
#define AWSKEY_SMTP_PW_LEN 44
#define AWSKEY_ACCOUNT_LEN 12
#define AWSKEY_REGION_MAX  32

typedef enum {
    AWSKEY_KIND_NONE = 0,
    AWSKEY_KIND_LONG_TERM, /* AKIA: IAM user key, also an SES SMTP user name */
    AWSKEY_KIND_TEMPORARY, /* ASIA: STS session key, needs a session token */
    AWSKEY_KIND_BEARER,    /* ABIA: STS service bearer token */
    AWSKEY_KIND_CONTEXT,   /* ACCA: context-specific credential */
} awskey_kind_t;

/* True if id is a 4-letter secret-bearing prefix + 16 base32 characters
 * (A-Z, 2-7). Key ids never contain 0, 1, 8 or 9. */
bool awskey_id_valid(slice_t id);
awskey_kind_t awskey_kind(slice_t id);
/* "long-term", "temporary", "bearer", "context", or "none". */
const char *awskey_kind_name(awskey_kind_t k);
/* The account id of a key id as 12 decimal digits (NUL-terminated).
 * Returns 0, or -1 when the id is malformed or of the older generation
 * (fifth character I or J) that carries no account. */
int awskey_account(slice_t id, char out[AWSKEY_ACCOUNT_LEN + 1]);
/* The AWS documentation example keys ("...EXAMPLE", "...EXAMPLEKEY"). */
bool awskey_is_example(slice_t s);
/* A 40-character secret that could be real: base64 alphabet, upper and
 * lower case letters, a digit or '+' or '/', not a hex digest, no run of
 * AWSKEY_MAX_RUN identical characters (placeholders like "xxxx"). */
#define AWSKEY_MAX_RUN 6
bool awskey_secret_plausible(slice_t s);
/* Version byte of an SES SMTP password (4: current scheme, 2: legacy), or
 * -1 if s is not 44 base64 characters decoding to 33 bytes with that
 * version. */
int awskey_smtp_version(slice_t s);
/* The SES SMTP password (current scheme) that secret yields in region.
 * out receives 44 characters and a NUL. Returns 0, or -1 for a malformed
 * secret or region, or an OpenSSL failure. */
int awskey_smtp_password(slice_t secret, const char *region, char out[AWSKEY_SMTP_PW_LEN + 1]);
/* The legacy (version 0x02, before 2019) SES SMTP password of a secret:
 * base64(0x02 || HMAC-SHA256(secret, "SendRawEmail")); the same in every
 * region. Returns 0 or -1 like awskey_smtp_password. */
int awskey_smtp_password_legacy(slice_t secret, char out[AWSKEY_SMTP_PW_LEN + 1]);

#endif
