/*
 * fuzz_dkim_msg.c - whole-message DKIM verification and ARC validation on
 * arbitrary bytes, keys from a fixed table (libFuzzer target; seeds in
 * seeds/dkim_msg/).
 *
 * Invariants: every result has a reason; never more work than the limits
 * allow (DKIM_MAX_SIGS verified); ARC sets match the instance count.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/arc.h"
#include "auth/dkim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const keys[][2] = {
    {"brisbane._domainkey.football.example.com",
     "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="},
    {"test._domainkey.football.example.com",
     "v=DKIM1; k=rsa; "
     "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6w"
     "y5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvH"
     "O9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"},
    {"dummy._domainkey.example.org",
     "v=DKIM1; k=rsa; "
     "p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDkHlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6w"
     "y5bdOKb2jLQiY/J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvH"
     "O9PzoxZyVYLzBfO2EeC3Ip3G+2kryOTIKT+l/K4w3QIDAQAB"},
};

static dkim_lookup_status_t lookup(void *ctx, const char *name, GPtrArray *recs, char **why)
{
    (void)ctx;
    (void)why;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (g_ascii_strcasecmp(name, keys[i][0]) == 0) {
            g_ptr_array_add(recs, g_bytes_new(keys[i][1], strlen(keys[i][1])));
            return DKIM_LOOKUP_OK;
        }
    return DKIM_LOOKUP_NONE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dkim_opts_t o = {lookup, NULL, 1528637909, 0, NULL};
    GPtrArray *r = dkim_verify((const char *)data, size, &o);
    if (r == NULL)
        return 0;
    for (guint i = 0; i < r->len; i++) {
        const dkim_sigres_t *s = r->pdata[i];
        if (s->reason == NULL || s->signed_headers == NULL)
            abort();
    }
    g_ptr_array_unref(r);
    arc_result_t *a = arc_validate((const char *)data, size, &o);
    if (a->reason == NULL || (a->cv == ARC_PASS && a->sets->len != a->instances))
        abort();
    arc_result_free(a);
    return 0;
}
