/*
 * dkimkey.c - key records and signature checks; see dkimkey.h.
 */
#include "auth/dkimkey.h"

#include <openssl/err.h>
#include <openssl/x509.h>
#include <string.h>

static bool colon_list_has(slice_t v, const char *want)
{
    while (v.n > 0) {
        slice_t item = slice_trim(slice_split(&v, ':'));
        if (slice_eq_ci(item, want))
            return true;
    }
    return false;
}

static int fail(dkimkey_t *k, const char **why, const char *reason)
{
    dkimkey_free(k);
    *why = reason;
    return -1;
}

static EVP_PKEY *rsa_from_der(const unsigned char *der, size_t len)
{
    if (len > (size_t)DKIMKEY_MAX_RSA_BITS / 4)
        return NULL; /* the DER of an 8192-bit key is about 1.1 KB */
    const unsigned char *p = der;
    EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)len);
    if (k != NULL && (p != der + len || EVP_PKEY_get_base_id(k) != EVP_PKEY_RSA)) {
        EVP_PKEY_free(k);
        return NULL;
    }
    if (k == NULL) {
        p = der;
        k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
        if (k != NULL && p != der + len) {
            EVP_PKEY_free(k);
            k = NULL;
        }
    }
    ERR_clear_error(); /* failed attempts leave entries behind */
    return k;
}

int dkimkey_parse(slice_t record, dkimkey_t **out, const char **why)
{
    dkimsig_tag_t tags[DKIMSIG_MAX_TAGS];
    size_t n;
    *out = NULL;
    if (dkimsig_tags_parse(record, tags, DKIMSIG_MAX_TAGS, &n, why) != 0)
        return -1;
    dkimkey_t *k = g_new0(dkimkey_t, 1);
    k->allow_sha1 = k->allow_sha256 = true;
    const dkimsig_tag_t *v = dkimsig_tag_find(tags, n, "v");
    if (v && (v != &tags[0] || !slice_eq_ci(v->value, "DKIM1")))
        return fail(k, why, "bad key record version v=");
    const dkimsig_tag_t *h = dkimsig_tag_find(tags, n, "h");
    if (h) {
        k->allow_sha1 = colon_list_has(h->value, "sha1");
        k->allow_sha256 = colon_list_has(h->value, "sha256");
    }
    const dkimsig_tag_t *kt = dkimsig_tag_find(tags, n, "k");
    k->type = DKIMKEY_RSA;
    if (kt && slice_eq_ci(kt->value, "ed25519"))
        k->type = DKIMKEY_ED25519;
    else if (kt && !slice_eq_ci(kt->value, "rsa"))
        return fail(k, why, "unknown key type k=");
    const dkimsig_tag_t *s = dkimsig_tag_find(tags, n, "s");
    if (s && !colon_list_has(s->value, "*") && !colon_list_has(s->value, "email"))
        return fail(k, why, "key not for email (s=)");
    const dkimsig_tag_t *t = dkimsig_tag_find(tags, n, "t");
    if (t) {
        k->testing = colon_list_has(t->value, "y");
        k->strict = colon_list_has(t->value, "s");
    }
    const dkimsig_tag_t *p = dkimsig_tag_find(tags, n, "p");
    if (p == NULL)
        return fail(k, why, "key record without p=");
    size_t len = 0;
    unsigned char *der = dkimsig_b64_decode(p->value, &len);
    if (der == NULL)
        return fail(k, why, "bad base64 in p=");
    if (len == 0) {
        g_free(der);
        k->revoked = true;
        *out = k;
        return 0;
    }
    if (k->type == DKIMKEY_ED25519) {
        if (len == 32) {
            k->pkey = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, der, len);
        } else if (len == 44) {
            /* Some publishers wrap the key in SubjectPublicKeyInfo. */
            const unsigned char *q = der;
            k->pkey = d2i_PUBKEY(NULL, &q, (long)len);
            if (k->pkey && (q != der + len || EVP_PKEY_get_base_id(k->pkey) != EVP_PKEY_ED25519)) {
                EVP_PKEY_free(k->pkey);
                k->pkey = NULL;
            }
            ERR_clear_error();
        }
        k->bits = 256;
    } else {
        k->pkey = rsa_from_der(der, len);
        if (k->pkey)
            k->bits = (unsigned)EVP_PKEY_get_bits(k->pkey);
    }
    g_free(der);
    if (k->pkey == NULL)
        return fail(k, why, "undecodable public key p=");
    *out = k;
    return 0;
}

void dkimkey_free(dkimkey_t *k)
{
    if (k == NULL)
        return;
    EVP_PKEY_free(k->pkey);
    g_free(k);
}

const char *dkimkey_type_name(dkimkey_type_t t)
{
    return t == DKIMKEY_ED25519 ? "ed25519" : "rsa";
}

int dkimkey_verify(const dkimkey_t *k, dkimsig_alg_t alg, const void *data, size_t len,
                   const unsigned char *sig, size_t sig_len)
{
    if (k->pkey == NULL)
        return -1;
    bool rsa = dkimsig_alg_is_rsa(alg);
    if (rsa != (k->type == DKIMKEY_RSA))
        return -1;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL)
        return -1;
    int rc;
    if (rsa) {
        const EVP_MD *md = alg == DKIM_ALG_RSA_SHA1 ? EVP_sha1() : EVP_sha256();
        rc = EVP_DigestVerifyInit(ctx, NULL, md, NULL, k->pkey) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_len, data, len) == 1;
    } else {
        unsigned char dg[EVP_MAX_MD_SIZE];
        unsigned dl = 0;
        rc = EVP_Digest(data, len, dg, &dl, EVP_sha256(), NULL) == 1 &&
             EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, k->pkey) == 1 &&
             EVP_DigestVerify(ctx, sig, sig_len, dg, dl) == 1;
    }
    EVP_MD_CTX_free(ctx);
    return rc ? 1 : 0;
}
