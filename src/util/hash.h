/*
 * hash.h - digests through OpenSSL (never hand-written crypto).
 */
#ifndef SG_UTIL_HASH_H
#define SG_UTIL_HASH_H

#include <stddef.h>

#define HASH_SHA256_HEX_LEN 64

/* Lower-case hex SHA-256 of data into out (65 bytes, NUL-terminated).
 * Returns 0, or -1 if OpenSSL failed (out is then the empty string). */
int hash_sha256_hex(const void *data, size_t len, char out[HASH_SHA256_HEX_LEN + 1]);

#endif
