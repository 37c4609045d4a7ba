/*
 * fuzz_dkim_key.c - the DKIM key record parser (RFC 6376 3.6.1, RFC 8463)
 * on arbitrary bytes, then a signature check with whatever key it gave
 * (libFuzzer target; seeds in seeds/dkim_key/).
 *
 * Invariants: a parsed key is revoked (no EVP key) or holds a key of its
 * k= type; checking a bogus signature never succeeds and never crashes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/dkimkey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dkimkey_t *k = NULL;
    const char *why = NULL;
    if (dkimkey_parse(slice_make((const char *)data, size), &k, &why) != 0) {
        if (k != NULL || why == NULL)
            abort();
        return 0;
    }
    if (k->revoked != (k->pkey == NULL))
        abort();
    if (k->pkey) {
        int base = EVP_PKEY_get_base_id(k->pkey);
        if ((k->type == DKIMKEY_RSA && base != EVP_PKEY_RSA) ||
            (k->type == DKIMKEY_ED25519 && base != EVP_PKEY_ED25519))
            abort();
        unsigned char sig[512];
        memset(sig, 0x5a, sizeof sig);
        size_t sl = k->type == DKIMKEY_ED25519 ? 64 : (k->bits + 7) / 8;
        if (sl > sizeof sig)
            sl = sizeof sig;
        static const dkimsig_alg_t algs[] = {DKIM_ALG_RSA_SHA256, DKIM_ALG_RSA_SHA1,
                                             DKIM_ALG_ED25519_SHA256};
        for (size_t i = 0; i < 3; i++)
            if (dkimkey_verify(k, algs[i], "data", 4, sig, sl) == 1)
                abort();
    }
    dkimkey_free(k);
    return 0;
}
