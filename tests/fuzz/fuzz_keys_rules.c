/*
 * fuzz_keys_rules.c - the rule-file loader on arbitrary text: it must
 * reject or load, never crash or leak; a loaded set is then used for one
 * scan of the input itself. Inputs are capped at 4 KiB so that Hyperscan
 * compile time stays small.
 */
#include <glib.h>
#include <stdint.h>
#include <stdlib.h>

#include "keys/keyrules.h"
#include "keys/keyscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096)
        return 0;
    char *err = NULL;
    keyrules_t *rs = keyrules_load_text("fuzz", (const char *)data, size, &err);
    if (rs == NULL) {
        g_free(err);
        return 0;
    }
    keyscan_opts_t o = {.threads = 1};
    keyscan_t *ks = keyscan_new(rs, &o);
    keyscan_buffer(ks, "fuzz", (const char *)data, size);
    keyscan_finish(ks);
    keyscan_free(ks);
    keyrules_free(rs);
    return 0;
}
