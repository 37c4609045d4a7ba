/*
 * fuzz_keys.c - the credential scanner and its three report writers on
 * arbitrary bytes (text, archives, anything): no crash, no leak, no
 * sanitizer report. The rules are the shipped data/keys set.
 */
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "keys/keyreport.h"
#include "keys/keyrules.h"
#include "keys/keyscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static keyrules_t *rules;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (rules == NULL) {
        g_setenv("SESGUARD_NO_CACHE", "1", TRUE); /* no files in the user's cache */
        char *err = NULL;
        rules = keyrules_load(SG_SOURCE_DIR "/data/keys", &err);
        if (rules == NULL) {
            fprintf(stderr, "fuzz_keys: %s\n", err);
            abort();
        }
    }
    keyscan_opts_t o = {.threads = 1, .archives = true};
    keyscan_t *ks = keyscan_new(rules, &o);
    keyscan_buffer(ks, "fuzz", (const char *)data, size);
    keyscan_finish(ks);
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        keyreport_opts_t ro = {.show_secrets = (size & 1) != 0};
        keyreport_json(null, ks, &ro);
        keyreport_sarif(null, ks, &ro);
        keyreport_text(null, ks, &ro);
        fclose(null);
    }
    keyscan_free(ks);
    return 0;
}
