/*
 * fuzz_esp_db.c - the sending-platform data file parser (intel/esp_db).
 *
 * Any bytes must either load or fail with a "name:line: reason" message,
 * without reading out of bounds or leaking. A database that loads has each
 * compiled pattern run once over a short hostile subject, the way esp.c
 * runs it (byte mode, bounded length), so that a pattern the parser
 * accepts cannot crash or hang the matcher.
 */
#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "intel/esp_db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char subject[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"
                                  "1.us-east-1.AAAA=:AmazonSES \xff\xfe\x00x";
    char *err = NULL;
    esp_db_t *db = esp_db_parse("fuzz.conf", (const char *)data, size, &err);
    if (db == NULL) {
        if (err == NULL || strncmp(err, "fuzz.conf:", 10) != 0)
            __builtin_trap(); /* every failure names the file and line */
        g_free(err);
        return 0;
    }
    for (guint i = 0; i < db->platforms->len; i++) {
        const esp_platform_t *pl = g_ptr_array_index(db->platforms, i);
        for (guint j = 0; j < pl->matchers->len; j++) {
            const esp_matcher_t *mt = g_ptr_array_index(pl->matchers, j);
            if (mt->re == NULL)
                continue;
            GMatchInfo *mi = NULL;
            GError *e = NULL;
            g_regex_match_full(mt->re, subject, sizeof subject - 1, 0, 0, &mi, &e);
            g_clear_error(&e);
            g_match_info_free(mi);
        }
    }
    esp_db_free(db);
    return 0;
}
