/*
 * fuzz_sniff.c - sniff_quick on arbitrary bytes (libFuzzer target).
 *
 * The answer is NULL only for content with a byte libmagic counts as
 * binary, otherwise a non-empty type with a '/'; a prefix of at least
 * SNIFF_TEXT_WINDOW bytes decides the same as the whole input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "mail/sniff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *bytes = (const char *)data;
    const char *t = sniff_quick(bytes, size);
    if (t != NULL && (t[0] == '\0' || strchr(t, '/') == NULL))
        abort();
    if (t == NULL && size > 0 && memchr(bytes, '\0', size) == NULL) {
        /* binary without NUL: some other control byte must be present */
        bool control = false;
        for (size_t i = 0; i < size && !control; i++) {
            unsigned char c = data[i];
            control = (c < 0x20 && c != '\a' && c != '\b' && c != '\t' && c != '\n' &&
                       c != '\v' && c != '\f' && c != '\r' && c != 0x1b) ||
                      c == 0x7f;
        }
        if (!control)
            abort();
    }
    if (size > SNIFF_TEXT_WINDOW) {
        const char *w = sniff_quick(bytes, SNIFF_TEXT_WINDOW);
        if ((t == NULL) != (w == NULL) || (t && strcmp(t, w) != 0))
            abort();
    }
    return 0;
}
