/*
 * awskey.c - offline facts about AWS credentials; see awskey.h.
 *
 * The account id decoding follows the published method: base32-decode the
 * 16 characters after the prefix, read the first 6 bytes as a big-endian
 * 48-bit integer z, account = (z & 0x7fffffffff80) >> 7. The SES SMTP
 * password is AWS's documented SigV4-style chain: HMAC-SHA256 keyed with
 * "AWS4" + secret over "11111111", then the region, "ses", "aws4_request"
 * and "SendRawEmail", prefixed with the version byte 0x04 and base64-encoded.
 */
#include "keys/awskey.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>

static const char *const prefixes[] = {"AKIA", "ASIA", "ABIA", "ACCA"};
static const awskey_kind_t prefix_kinds[] = {AWSKEY_KIND_LONG_TERM, AWSKEY_KIND_TEMPORARY,
                                             AWSKEY_KIND_BEARER, AWSKEY_KIND_CONTEXT};

/* Value of a base32 (RFC 4648) character, or -1. */
static int b32val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= '2' && c <= '7')
        return c - '2' + 26;
    return -1;
}

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

awskey_kind_t awskey_kind(slice_t id)
{
    if (id.n < 4)
        return AWSKEY_KIND_NONE;
    for (size_t i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++)
        if (memcmp(id.p, prefixes[i], 4) == 0)
            return prefix_kinds[i];
    return AWSKEY_KIND_NONE;
}

const char *awskey_kind_name(awskey_kind_t k)
{
    switch (k) {
    case AWSKEY_KIND_LONG_TERM:
        return "long-term";
    case AWSKEY_KIND_TEMPORARY:
        return "temporary";
    case AWSKEY_KIND_BEARER:
        return "bearer";
    case AWSKEY_KIND_CONTEXT:
        return "context";
    case AWSKEY_KIND_NONE:
        break;
    }
    return "none";
}

bool awskey_id_valid(slice_t id)
{
    if (id.n != AWSKEY_ID_LEN || awskey_kind(id) == AWSKEY_KIND_NONE)
        return false;
    for (size_t i = 4; i < id.n; i++)
        if (b32val((unsigned char)id.p[i]) < 0)
            return false;
    return true;
}

int awskey_account(slice_t id, char out[AWSKEY_ACCOUNT_LEN + 1])
{
    out[0] = '\0';
    if (!awskey_id_valid(id))
        return -1;
    /* The older generation (AKIAI..., AKIAJ...) encodes no account. */
    if (id.p[4] == 'I' || id.p[4] == 'J')
        return -1;
    /* 16 base32 characters = 80 bits; only the first 48 are needed. */
    uint64_t z = 0;
    int bits = 0;
    for (size_t i = 4; i < id.n && bits < 48; i++) {
        z = (z << 5) | (uint64_t)b32val((unsigned char)id.p[i]);
        bits += 5;
    }
    z >>= (bits - 48); /* drop the bits past the 6th byte */
    uint64_t account = (z & UINT64_C(0x7fffffffff80)) >> 7;
    /* 12 digits with leading zeros; account < 2^40 < 10^13, and AWS account
     * ids are 12 digits. */
    if (account > UINT64_C(999999999999))
        return -1;
    for (int i = AWSKEY_ACCOUNT_LEN - 1; i >= 0; i--) {
        out[i] = (char)('0' + account % 10);
        account /= 10;
    }
    out[AWSKEY_ACCOUNT_LEN] = '\0';
    return 0;
}

bool awskey_is_example(slice_t s)
{
    static const char ex[] = "EXAMPLE";
    if (s.n < sizeof ex - 1)
        return false;
    for (size_t i = 0; i + sizeof ex - 1 <= s.n; i++)
        if (memcmp(s.p + i, ex, sizeof ex - 1) == 0)
            return true;
    return false;
}

bool awskey_secret_plausible(slice_t s)
{
    if (s.n != AWSKEY_SECRET_LEN)
        return false;
    bool upper = false, lower = false, other = false, nonhex = false;
    size_t run = 1;
    for (size_t i = 0; i < s.n; i++) {
        unsigned char c = (unsigned char)s.p[i];
        if (b64val(c) < 0)
            return false;
        upper |= c >= 'A' && c <= 'Z';
        lower |= c >= 'a' && c <= 'z';
        other |= (c >= '0' && c <= '9') || c == '+' || c == '/';
        nonhex |= !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'));
        run = (i > 0 && s.p[i] == s.p[i - 1]) ? run + 1 : 1;
        if (run >= AWSKEY_MAX_RUN)
            return false;
    }
    /* A hex digest (a git SHA-1 is 40 hex characters) is not a secret. */
    return upper && lower && other && nonhex;
}

int awskey_smtp_version(slice_t s)
{
    if (s.n != AWSKEY_SMTP_PW_LEN)
        return -1;
    for (size_t i = 0; i < s.n; i++)
        if (b64val((unsigned char)s.p[i]) < 0)
            return -1;
    /* 44 characters without padding decode to exactly 33 bytes; the first
     * byte is the first character's 6 bits and the top 2 of the second. */
    int v = (b64val((unsigned char)s.p[0]) << 2) | (b64val((unsigned char)s.p[1]) >> 4);
    return (v == 4 || v == 2) ? v : -1;
}

static bool region_ok(const char *region, size_t *len)
{
    size_t n = region ? strnlen(region, AWSKEY_REGION_MAX + 1) : 0;
    if (n == 0 || n > AWSKEY_REGION_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = region[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    *len = n;
    return true;
}

int awskey_smtp_password(slice_t secret, const char *region, char out[AWSKEY_SMTP_PW_LEN + 1])
{
    out[0] = '\0';
    size_t rlen;
    if (secret.n != AWSKEY_SECRET_LEN || !region_ok(region, &rlen))
        return -1;
    unsigned char key[4 + AWSKEY_SECRET_LEN];
    memcpy(key, "AWS4", 4);
    memcpy(key + 4, secret.p, secret.n);
    const struct {
        const char *p;
        size_t n;
    } steps[] = {
        {"11111111", 8}, {region, rlen}, {"ses", 3}, {"aws4_request", 12}, {"SendRawEmail", 12}};
    unsigned char mac[1 + 32];
    unsigned char cur[32];
    unsigned int mlen = 0;
    if (HMAC(EVP_sha256(), key, (int)sizeof key, (const unsigned char *)steps[0].p, steps[0].n, cur,
             &mlen) == NULL ||
        mlen != 32)
        return -1;
    for (size_t i = 1; i < sizeof steps / sizeof steps[0]; i++) {
        unsigned char next[32];
        if (HMAC(EVP_sha256(), cur, 32, (const unsigned char *)steps[i].p, steps[i].n, next,
                 &mlen) == NULL ||
            mlen != 32)
            return -1;
        memcpy(cur, next, 32);
    }
    mac[0] = 0x04;
    memcpy(mac + 1, cur, 32);
    unsigned char enc[AWSKEY_SMTP_PW_LEN + 1];
    if (EVP_EncodeBlock(enc, mac, (int)sizeof mac) != AWSKEY_SMTP_PW_LEN)
        return -1;
    memcpy(out, enc, AWSKEY_SMTP_PW_LEN + 1);
    return 0;
}

int awskey_smtp_password_legacy(slice_t secret, char out[AWSKEY_SMTP_PW_LEN + 1])
{
    out[0] = '\0';
    if (secret.n != AWSKEY_SECRET_LEN)
        return -1;
    unsigned char mac[1 + 32];
    unsigned int mlen = 0;
    if (HMAC(EVP_sha256(), secret.p, (int)secret.n, (const unsigned char *)"SendRawEmail", 12,
             mac + 1, &mlen) == NULL ||
        mlen != 32)
        return -1;
    mac[0] = 0x02;
    unsigned char enc[AWSKEY_SMTP_PW_LEN + 1];
    if (EVP_EncodeBlock(enc, mac, (int)sizeof mac) != AWSKEY_SMTP_PW_LEN)
        return -1;
    memcpy(out, enc, AWSKEY_SMTP_PW_LEN + 1);
    return 0;
}
