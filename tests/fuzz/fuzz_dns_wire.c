/*
 * fuzz_dns_wire.c - DNS answers off the wire (libFuzzer target): the bytes
 * are a DNS message as a server (or an attacker on the path) could send;
 * dns_answer_add_wire turns its answer section into records for each type
 * the authentication code asks. Every record must have its type and text.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns/dns.h"
#include "dns/dns_backend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void rr_free(gpointer p)
{
    dns_rr_t *rr = p;
    g_free(rr->text);
    g_free(rr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const dns_type_t types[] = {DNS_T_A,  DNS_T_AAAA, DNS_T_TXT,
                                       DNS_T_MX, DNS_T_PTR,  DNS_T_CNAME};
    for (size_t k = 0; k < G_N_ELEMENTS(types); k++) {
        dns_answer_t a = {.records = g_ptr_array_new_with_free_func(rr_free)};
        bool found = false;
        int rc = dns_answer_add_wire(&a, data, size, types[k], &found);
        if (rc < 0 && a.records->len)
            abort();
        for (guint i = 0; i < a.records->len; i++) {
            const dns_rr_t *rr = g_ptr_array_index(a.records, i);
            if (!rr->text || (rr->type != types[k] && rr->type != DNS_T_CNAME))
                abort();
            if (rr->type != DNS_T_TXT && strlen(rr->text) != rr->text_len)
                abort();
        }
        dns_answer_clear(&a);
    }
    return 0;
}
