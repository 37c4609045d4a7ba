/*
 * fuzz_datafiles.c - the parsers of configuration and data files (config,
 * symbols, brands, lexicon, domain lists). They read administrator-
 * written files, but a broken or hostile file must still give a clear
 * error, never a crash. The first byte picks the parser.
 */
#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "intel/brand.h"
#include "intel/domlist.h"
#include "intel/lexicon.h"
#include "rules/ruleset.h"
#include "util/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    char *err = NULL;
    switch (data[0] % 5) {
    case 0: {
        conf_t *c = conf_new();
        conf_load_text(c, "fuzz", text, len, &err);
        conf_get_list(c, "trusted_hosts");
        conf_keys(c);
        conf_free(c);
        break;
    }
    case 1:
        ruleset_free(ruleset_parse("fuzz", text, len, &err));
        break;
    case 2: {
        brand_db_t *db = brand_db_parse("fuzz", text, len, &err);
        if (db) {
            brand_hit_t hits[4];
            brand_find(db, "Amazon アマゾン PayPal", BRAND_FIELD_NAME, hits, 4);
            brand_db_free(db);
        }
        break;
    }
    case 3: {
        lexicon_t *l = lexicon_parse("fuzz", text, len, &err);
        if (l) {
            lexicon_hits_t h;
            lexicon_scan(l, "urgent: verify your password within 24 hours", 1000, &h);
            lexicon_free(l);
        }
        break;
    }
    default:
        domlist_free(domlist_parse(text, len));
        break;
    }
    g_free(err);
    return 0;
}
