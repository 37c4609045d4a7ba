/*
 * fuzz_dmarc_record.c - the DMARC record parser on hostile TXT data.
 */
#include <stddef.h>
#include <stdint.h>

#include "auth/dmarc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dmarc_record_t r;
    dmarc_parse_record((const char *)data, size, &r);
    return 0;
}
