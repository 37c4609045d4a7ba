/*
 * fuzz_urls.c - urls_find on arbitrary bytes (libFuzzer target).
 *
 * Every URL returned must be non-empty, a substring of the input, and
 * valid UTF-8 when the input was; the count never falls below what was
 * added.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/link.h"
#include "mail/urls.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    GPtrArray *a = g_ptr_array_new_with_free_func(mail_link_free);
    size_t n = urls_find(text, size, a, 64);
    if (n < a->len || a->len > 64)
        abort();
    bool valid = g_utf8_validate(text, (gssize)size, NULL);
    for (guint i = 0; i < a->len; i++) {
        const mail_link_t *l = a->pdata[i];
        size_t hl = strlen(l->href);
        if (hl == 0 || hl > size || memmem(text, size, l->href, hl) == NULL)
            abort();
        if (valid && !g_utf8_validate(l->href, -1, NULL))
            abort();
    }
    g_ptr_array_unref(a);
    return 0;
}
