/*
 * fuzz_rfc2047.c - joining adjacent encoded words: any bytes in, a
 * NUL-terminated string (or NULL) out, in bounded time.
 */
#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "mail/rfc2047.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    g_free(rfc2047_merge((const char *)data, size));
    return 0;
}
