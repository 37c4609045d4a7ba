/*
 * fuzz_zone.c - the zone-file backend on arbitrary master-file text
 * (libFuzzer target): load it, then ask a few names of every type.
 *
 * A load either succeeds or fails with an error message; every answer has
 * a status, a record array, and records of the interface's types with
 * text_len matching their NUL-terminated text (except TXT, which may hold
 * NULs).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536)
        return 0;
    char *err = NULL;
    dns_resolver_t *r = dns_zone_new_text("fuzz", (const char *)data, size, &err);
    if (!r) {
        if (!err)
            abort();
        g_free(err);
        return 0;
    }
    static const char *const names[] = {"example.com", "www.example.com",        "a.b.c", "",
                                        "x.example.",  "1.2.0.192.in-addr.arpa", "@"};
    static const dns_type_t types[] = {DNS_T_A,  DNS_T_AAAA, DNS_T_TXT,
                                       DNS_T_MX, DNS_T_PTR,  DNS_T_CNAME};
    for (size_t i = 0; i < G_N_ELEMENTS(names); i++)
        for (size_t k = 0; k < G_N_ELEMENTS(types); k++) {
            dns_answer_t a;
            dns_status_t st = dns_query(r, names[i], types[k], &a);
            if (st != a.status || !a.records || st > DNS_TEMPFAIL)
                abort();
            for (guint j = 0; j < a.records->len; j++) {
                const dns_rr_t *rr = g_ptr_array_index(a.records, j);
                if (!rr->text || (rr->type != DNS_T_TXT && strlen(rr->text) != rr->text_len))
                    abort();
            }
            dns_answer_clear(&a);
        }
    dns_resolver_free(r);
    return 0;
}
