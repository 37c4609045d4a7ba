/*
 * dkimsig.h - the tag-list syntax of RFC 6376 3.2 and the signature
 * header fields built on it: DKIM-Signature (RFC 6376 3.5),
 * ARC-Message-Signature and ARC-Seal (RFC 8617 4.1).
 *
 * What: dkimsig_tags_parse cuts "a=b; c=d" into tags, keeping where each
 * value sits in the input (the verifier must blank the b= value of the very
 * bytes it hashes). dkimsig_parse checks one signature's tags and decodes
 * them into a dkimsig_t.
 *
 * Memory: a dkimsig_t owns its strings and decoded bytes (dkimsig_free).
 * Tags are slices into the caller's input.
 *
 * Limits: DKIMSIG_MAX_TAGS tags per list; DKIMSIG_MAX_HFIELDS names in h=
 * (more is refused: every name costs a scan of the header); numbers of at
 * most 18 digits (RFC 6376 allows 12 for times and 76 for l=; larger than
 * 2^63 is meaningless here).
 *
 * Errors: dkimsig_parse returns DKIMSIG_ESYNTAX with a static reason for
 * a syntax error (bad tag name, a tag without '=', a duplicate tag - RFC
 * 6376 3.2 makes the whole list invalid -, bad base64, numbers, names or
 * canonicalisation), which the verifier reports as neutral (RFC 8601
 * 2.7.1: "contained syntax errors"); and DKIMSIG_EUNUSABLE for a
 * well-formed signature that cannot be verified (a required tag missing,
 * unsupported version, algorithm or query method, i= outside d=, From not
 * signed, x= before t=), reported as permerror.
 *
 * Security: input is hostile and not NUL-terminated; base64 syntax is
 * checked strictly (alphabet, padding) after removing folding white space,
 * then decoded by OpenSSL (EVP_DecodeBlock).
 */
#ifndef SG_AUTH_DKIMSIG_H
#define SG_AUTH_DKIMSIG_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/slice.h"

#define DKIMSIG_MAX_TAGS    64
#define DKIMSIG_MAX_HFIELDS 64
/* Characters of b= kept to tell signatures apart in Authentication-Results
 * (header.b, RFC 6008 says at least 8). */
#define DKIMSIG_HEADER_B_LEN 12
/* ARC instances run 1..50 (RFC 8617 4.2.1). */
#define DKIMSIG_ARC_MAX_INSTANCE 50

typedef struct dkimsig_tag {
    slice_t name;
    slice_t value;  /* trimmed of surrounding FWS */
    size_t raw_off; /* offset just after '=' in the parsed input */
    size_t raw_end; /* offset of the ';' ending the value, or of the end */
} dkimsig_tag_t;

typedef enum dkimsig_alg {
    DKIM_ALG_RSA_SHA256,
    DKIM_ALG_RSA_SHA1,
    DKIM_ALG_ED25519_SHA256,
} dkimsig_alg_t;

typedef enum dkimsig_canon { DKIM_CANON_SIMPLE, DKIM_CANON_RELAXED } dkimsig_canon_t;

typedef enum dkimsig_kind {
    DKIMSIG_DKIM, /* DKIM-Signature */
    DKIMSIG_AMS,  /* ARC-Message-Signature */
    DKIMSIG_AS,   /* ARC-Seal */
} dkimsig_kind_t;

typedef enum dkimsig_cv { DKIM_CV_NONE, DKIM_CV_PASS, DKIM_CV_FAIL } dkimsig_cv_t;

typedef struct dkimsig {
    dkimsig_kind_t kind;
    dkimsig_alg_t alg;
    dkimsig_canon_t hcanon, bcanon; /* AS: always relaxed header */
    char *domain;                   /* d=, as written */
    char *selector;                 /* s= */
    char *auid;                     /* DKIM i= (default "@" d=), NULL for ARC */
    unsigned instance;              /* ARC i= */
    dkimsig_cv_t cv;                /* ARC-Seal cv= */
    GPtrArray *hfields;             /* h= names, lower case (char*); empty for AS */
    unsigned char *b;               /* decoded signature */
    size_t b_len;
    unsigned char *bh; /* decoded body hash (NULL for AS) */
    size_t bh_len;
    bool has_l, has_t, has_x;
    uint64_t l;
    int64_t t, x;
    size_t b_raw_off, b_raw_end;             /* where b='s value lies in the parsed value */
    char header_b[DKIMSIG_HEADER_B_LEN + 1]; /* b= as written, FWS removed, cut (RFC 6008) */
} dkimsig_t;

/* Parse a tag list. Returns 0 and fills tags[0..*n) or -1 with *why set. */
int dkimsig_tags_parse(slice_t in, dkimsig_tag_t *tags, size_t max, size_t *n, const char **why);
/* The tag named name (case-sensitive, as RFC 6376 3.2 says), or NULL. */
const dkimsig_tag_t *dkimsig_tag_find(const dkimsig_tag_t *tags, size_t n, const char *name);

/* Strict base64 after removing white space; returns g_malloc'ed bytes (NULL
 * for bad input; an empty value decodes to a non-NULL empty buffer). */
unsigned char *dkimsig_b64_decode(slice_t in, size_t *out_len);
/* Parse a decimal of at most 18 digits. */
bool dkimsig_parse_u64(slice_t in, uint64_t *out);

enum { DKIMSIG_ESYNTAX = -1, DKIMSIG_EUNUSABLE = -2 };

/* Parse the value of a signature field (after the colon): 0, or one of
 * the codes above with *why set. */
int dkimsig_parse(slice_t value, dkimsig_kind_t kind, dkimsig_t **out, const char **why);
void dkimsig_free(dkimsig_t *s);

const char *dkimsig_alg_name(dkimsig_alg_t a);
const char *dkimsig_canon_name(dkimsig_canon_t c);
bool dkimsig_alg_is_rsa(dkimsig_alg_t a);

#endif
