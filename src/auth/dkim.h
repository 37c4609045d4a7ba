/*
 * dkim.h - verify every DKIM signature of a raw message (RFC 6376, RFC 8463,
 * RFC 8301), saying exactly which signature passed for which domain.
 *
 * Why: phishing relayed by a trusted mail service carries two signatures,
 * the customer's and the service's (d=amazonses.com), and both pass. A
 * single "dkim=pass" hides which domain vouched for the message, so every
 * signature gets its own result, reason and flags.
 *
 * What: dkim_verify splits the raw bytes (dkimmsg.h), parses each
 * DKIM-Signature (dkimsig.h), hashes the body (dkimcanon.h), fetches the
 * key through a lookup function (dkimkey.h) and checks the signature with
 * OpenSSL. Results, as in RFC 8601 2.7.1:
 *   pass       the signature verified
 *   fail       the body hash or the signature did not match
 *   neutral    the signature field has syntax errors ("contained syntax
 *              errors", RFC 8601): bad tag list, base64, number or name
 *   temperror  the key could not be fetched now (DNS failure)
 *   permerror  the signature or key record is unusable: required tag
 *              missing, unknown algorithm, no key, bad or revoked key,
 *              x= expired, t= in the future, i= outside d=, From not
 *              signed, l= larger than the body
 *   policy     verifiable but unacceptable: RSA key under 1024 bits
 *              (RFC 8301 3.2)
 * Flags: weak (rsa-sha1, RFC 8301 3.1), body_length_limited (l=: content
 * after the limit is unsigned and an attacker may append it), testing
 * (t=y key: RFC 6376 says treat as unsigned), unsigned_copies (a signed
 * field name occurs more often than it is signed: an added copy, e.g. a
 * second From, is not covered by the signature).
 *
 * Key lookup is a function pointer so tests feed keys directly;
 * dkim_lookup_dns adapts the dns.h resolver.
 *
 * Memory: dkim_verify returns a GPtrArray of dkim_sigres_t* that frees its
 * elements (g_ptr_array_unref).
 *
 * Limits: DKIM_MAX_SIGS signatures are verified per message (the rest are
 * reported as permerror without work); DKIM_MAX_HASHED_HEADER bytes of
 * canonical header data per signature; h= has at most DKIMSIG_MAX_HFIELDS
 * names. The body is hashed once per distinct (canonicalisation, digest,
 * l=) and never copied.
 *
 * Security: every byte is hostile. Nothing here crashes on bad input or
 * does unbounded work; DNS names are built only from checked d= and s=.
 */
#ifndef SG_AUTH_DKIM_H
#define SG_AUTH_DKIM_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "auth/dkimkey.h"
#include "auth/dkimmsg.h"
#include "auth/dkimsig.h"
#include "dns/dns.h"
#include "util/buf.h"

/* Bounds the crypto work one message can cost (a legitimate message has
 * one to three signatures). */
#define DKIM_MAX_SIGS 16
/* 64 fields in h= of up to 64 KB each. */
#define DKIM_MAX_HASHED_HEADER (4u * 1024 * 1024)
/* Allowed clock difference for t= in the future. */
#define DKIM_CLOCK_SKEW 300
/* Distinct key names looked up per message: 16 DKIM signatures plus the
 * sealers of an ARC chain (usually one or two domains). */
#define DKIM_MAX_KEY_LOOKUPS 24
/* Distinct body hashes computed per message (DKIM and ARC together). */
#define DKIM_MAX_BODY_HASHES 8

typedef enum dkim_result {
    DKIM_PASS,
    DKIM_FAIL,
    DKIM_NEUTRAL,
    DKIM_TEMPERROR,
    DKIM_PERMERROR,
    DKIM_POLICY,
} dkim_result_t;

typedef enum dkim_lookup_status {
    DKIM_LOOKUP_OK,       /* records appended */
    DKIM_LOOKUP_NONE,     /* NXDOMAIN, NODATA or no TXT record */
    DKIM_LOOKUP_TEMPFAIL, /* *why may be set (g_free) */
} dkim_lookup_status_t;

/* Appends each TXT record (strings concatenated) as a GBytes* to records. */
typedef dkim_lookup_status_t (*dkim_lookup_fn)(void *ctx, const char *name, GPtrArray *records,
                                               char **why);

/* Key records fetched for one message, and the lookup budget: each
 * distinct name is asked once (an ARC sealer's key serves its AMS and its
 * seal), and at most DKIM_MAX_KEY_LOOKUPS names are asked per message, so
 * a hostile message cannot make us wait for 100 slow DNS answers. */
typedef struct dkim_keycache dkim_keycache_t;
dkim_keycache_t *dkim_keycache_new(void);
void dkim_keycache_free(dkim_keycache_t *c);

typedef struct dkim_opts {
    dkim_lookup_fn lookup;
    void *lookup_ctx;
    int64_t now;       /* verification time; 0 means time(NULL) */
    unsigned max_sigs; /* 0 means DKIM_MAX_SIGS */
    /* Shared by the DKIM and ARC checks of one message; NULL: each
     * dkim_verify / arc_validate call uses its own. */
    dkim_keycache_t *keys;
} dkim_opts_t;

typedef struct dkim_sigres {
    dkim_result_t result;
    char *reason;           /* short English text, never NULL */
    char *domain;           /* d=; NULL when the field did not say */
    char *selector;         /* s= */
    char *auid;             /* i= (or "@" d=) */
    char *algorithm;        /* a= as parsed ("rsa-sha256"...) or as written */
    char *canonicalization; /* "relaxed/simple" */
    char *header_b;         /* first characters of b= (RFC 6008 header.b) */
    char *key_type;         /* "rsa", "ed25519" or NULL when no key was read */
    unsigned key_bits;
    bool weak;    /* rsa-sha1 */
    bool testing; /* key t=y */
    bool body_length_limited;
    uint64_t body_length;   /* l= */
    uint64_t body_unsigned; /* canonical body bytes after l= (unsigned) */
    bool has_t, has_x;
    int64_t t, x;
    GPtrArray *signed_headers; /* h= names (char*), lower case */
    /* Names in h= of which the message holds more fields than h= covers
     * (char*, lower case): the extra copies are unsigned. Bottom-up
     * selection signs the lowest From, so a From added above it passes
     * while a mail reader may show the added one. */
    GPtrArray *unsigned_copies;
    unsigned field_index; /* index of the header field in the message */
} dkim_sigres_t;

/* Body hashes shared by the signatures of one message. */
typedef struct dkim_bhcache dkim_bhcache_t;
dkim_bhcache_t *dkim_bhcache_new(void);
void dkim_bhcache_free(dkim_bhcache_t *c);

GPtrArray *dkim_verify(const char *raw, size_t len, const dkim_opts_t *o);
/* The same over an already split message. */
GPtrArray *dkim_verify_msg(const dkimmsg_t *m, const dkim_opts_t *o);

/* Building blocks, shared with arc.c. */
/* Fetch and parse the key at <selector>._domainkey.<domain>. On anything
 * but DKIM_PASS, *reason is set (g_free). */
dkim_result_t dkim_fetch_key(const dkim_opts_t *o, const char *selector, const char *domain,
                             dkimkey_t **out, char **reason);
/* Verify one parsed DKIM-Signature or ARC-Message-Signature located at
 * header field field_index of m; fills res (result, reason, key, flags). */
void dkim_check_sig(const dkimmsg_t *m, size_t field_index, const dkimsig_t *sig,
                    const dkim_opts_t *o, dkim_bhcache_t *bh, dkim_sigres_t *res);
/* Fetch the key of sig and check sig->b over data (the canonical header
 * data, signature field last); fills res. */
void dkim_check_header_sig(const dkim_opts_t *o, const dkimsig_t *sig, const void *data, size_t len,
                           dkim_sigres_t *res);
/* Append the field at field_index canonicalised, with the value of its b=
 * tag removed and no final CRLF (RFC 6376 3.7). */
int dkim_append_sig_field(buf_t *out, const dkimmsg_field_t *f, const dkimsig_t *sig);

/* Attacker bytes made safe to print: valid UTF-8 (g_free), control
 * characters replaced (no terminal escapes reach a report). */
char *dkim_printable(slice_t s);

dkim_sigres_t *dkim_sigres_new(void);
void dkim_sigres_free(dkim_sigres_t *r);
void dkim_sigres_set(dkim_sigres_t *r, dkim_result_t result, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *dkim_result_name(dkim_result_t r);

/* Lookup through a dns.h resolver (ctx is a dns_resolver_t*). */
dkim_lookup_status_t dkim_lookup_dns(void *ctx, const char *name, GPtrArray *records, char **why);

#endif
