/*
 * fuzz_received.c - received_parse on arbitrary bytes (libFuzzer target).
 *
 * Every field must exist; the IP, when found, must read back through
 * inet_pton (it is stored canonical).
 */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mail/received.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mail_hop_t *h = received_parse((const char *)data, size);
    if (!h->from_name || !h->helo || !h->rdns || !h->ip || !h->by || !h->with || !h->raw)
        abort();
    if (h->ip[0] != '\0') {
        unsigned char bin[16];
        if (inet_pton(AF_INET, h->ip, bin) != 1 && inet_pton(AF_INET6, h->ip, bin) != 1)
            abort();
    }
    if (strlen(h->raw) > size)
        abort();
    received_hop_free(h);
    return 0;
}
