/*
 * fuzz_html.c - html_extract on arbitrary bytes (libFuzzer target).
 *
 * Small limits so the truncation paths run too; the result must be valid
 * UTF-8 within max_text, and every link must have an href.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/html.h"
#include "mail/link.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const size_t text_limits[] = {64, 1u << 20};
    for (size_t k = 0; k < 2; k++) {
        html_result_t r;
        if (html_extract((const char *)data, size, text_limits[k], 8 << k * 6, &r) != 0)
            continue;
        if (strlen(r.text) > text_limits[k] || !g_utf8_validate(r.text, -1, NULL))
            abort();
        for (guint i = 0; i < r.links->len; i++) {
            const mail_link_t *l = r.links->pdata[i];
            if (l->href[0] == '\0' || !g_utf8_validate(l->text, -1, NULL))
                abort();
        }
        html_result_clear(&r);
    }
    return 0;
}
