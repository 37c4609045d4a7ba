/*
 * fuzz_iam.c - the IAM credential report reader and checks over arbitrary
 * bytes, with both writers.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "trail/iamreport.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *err = NULL;
    log_set_level(LOG_LEVEL_ERR);
    iamreport_t *r = iamreport_new(SG_SOURCE_DIR "/data/trail", &err);
    if (r == NULL) {
        fprintf(stderr, "fuzz_iam: %s\n", err);
        abort();
    }
    iamreport_parse(r, "fuzz", (const char *)data, size, 1748736000); /* 2025-06-01 */
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        iamreport_json(null, r);
        iamreport_text(null, r);
        fclose(null);
    }
    iamreport_free(r);
    return 0;
}
