/*
 * fuzz_authres.c - authres_parse on arbitrary bytes (libFuzzer target).
 *
 * Limits must hold, every string must exist, and lookups on the result
 * must be safe.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/authres.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    authres_t *a = authres_parse((const char *)data, size);
    if (a->authserv_id == NULL || a->results->len > AUTHRES_MAX_METHODS)
        abort();
    for (guint i = 0; i < a->results->len; i++) {
        const authres_result_t *r = a->results->pdata[i];
        if (!r->method || !r->result || r->props->len > AUTHRES_MAX_PROPS)
            abort();
        for (guint k = 0; k < r->props->len; k++) {
            const authres_prop_t *p = r->props->pdata[k];
            if (!p->ptype || !p->property || !p->value)
                abort();
        }
    }
    (void)authres_prop(authres_find(a, "dkim"), "header", "d");
    authres_free(a);
    return 0;
}
