/*
 * fuzz_trail.c - the CloudTrail reader (both paths), the detections and
 * every writer over arbitrary bytes, once per reader path (fast scanner
 * and json-c reference).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "trail/ctread.h"
#include "trail/traildetect.h"
#include "trail/trailout.h"
#include "trail/trailrules.h"
#include "util/log.h"

static trailrules_t *rules;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (rules == NULL) {
        char *err = NULL;
        log_set_level(LOG_LEVEL_ERR);
        rules = trailrules_load(SG_SOURCE_DIR "/data/trail", &err);
        if (rules == NULL) {
            fprintf(stderr, "fuzz_trail: %s\n", err);
            abort();
        }
    }
    for (int mode = 0; mode < 2; mode++) {
        traildetect_t *d = traildetect_new(rules);
        ctread_t *rd = ctread_new(mode ? CTREAD_JSONC : CTREAD_FAST, traildetect_record, d);
        ctread_buffer(rd, "fuzz", data, size);
        traildetect_finish(d);
        FILE *null = fopen("/dev/null", "w");
        if (null) {
            trailout_json(null, d);
            trailout_text(null, d, ctread_get_stats(rd));
            trailout_html(null, d, ctread_get_stats(rd));
            fclose(null);
        }
        ctread_free(rd);
        traildetect_free(d);
    }
    return 0;
}
