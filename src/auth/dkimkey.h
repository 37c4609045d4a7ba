/*
 * dkimkey.h - DKIM key records (RFC 6376 3.6.1, RFC 8463 4) and the
 * signature check with the key (OpenSSL 3 EVP only).
 *
 * What: dkimkey_parse reads the TXT record published at
 * <selector>._domainkey.<domain>: v= (must be first and "DKIM1"), h=
 * (acceptable hashes), k= (rsa, the default, or ed25519), p= (base64 key;
 * empty means revoked), s= (service types: "*" or "email" must be listed),
 * t= (flags y = testing, s = i= must equal d=). RSA keys are accepted as
 * DER SubjectPublicKeyInfo (what RFC 6376 specifies) or as a bare PKCS#1
 * RSAPublicKey (which several publishers use); Ed25519 keys are the 32
 * raw bytes (RFC 8463 4.2), or the same in SubjectPublicKeyInfo (seen in
 * the wild).
 *
 * Memory: dkimkey_t owns its EVP_PKEY (dkimkey_free).
 *
 * Errors: dkimkey_parse returns -1 with a static reason for a record that
 * is not a usable key (syntax, version, unknown k=, undecodable p=); a
 * revoked key parses (revoked = true, no pkey). dkimkey_verify returns 1
 * for a good signature, 0 for a bad one, -1 when the key does not suit
 * the algorithm.
 *
 * Security: the key bytes come from DNS, which an attacker may control for
 * his own domains: every length is checked, RSA size is reported so the
 * caller can refuse keys under 1024 bits (RFC 8301 3.2).
 */
#ifndef SG_AUTH_DKIMKEY_H
#define SG_AUTH_DKIMKEY_H

#include <openssl/evp.h>
#include <stdbool.h>
#include <stddef.h>

#include "auth/dkimsig.h"
#include "util/slice.h"

/* RFC 8301 3.2: verifiers MUST NOT accept RSA keys under 1024 bits. */
#define DKIMKEY_MIN_RSA_BITS 1024
/* Larger than any RSA key in use (RFC 8301 allows up to 4096). */
#define DKIMKEY_MAX_RSA_BITS 8192

typedef enum dkimkey_type { DKIMKEY_RSA, DKIMKEY_ED25519 } dkimkey_type_t;

typedef struct dkimkey {
    dkimkey_type_t type;
    EVP_PKEY *pkey; /* NULL when revoked */
    unsigned bits;
    bool revoked;      /* p= empty */
    bool testing;      /* t=y */
    bool strict;       /* t=s */
    bool allow_sha1;   /* h= lists sha1, or h= absent */
    bool allow_sha256; /* h= lists sha256, or h= absent */
} dkimkey_t;

int dkimkey_parse(slice_t record, dkimkey_t **out, const char **why);
void dkimkey_free(dkimkey_t *k);
const char *dkimkey_type_name(dkimkey_type_t t);

/* Checks a signature over data: RSA algorithms hash data with the named
 * digest (PKCS#1 v1.5); ed25519-sha256 signs the SHA-256 of data (RFC 8463
 * 3). */
int dkimkey_verify(const dkimkey_t *k, dkimsig_alg_t alg, const void *data, size_t len,
                   const unsigned char *sig, size_t sig_len);

#endif
