/*
 * hscache.c - Hyperscan databases in the cache; see hscache.h.
 */
#include "util/hscache.h"

#include <stdlib.h>

#include "util/cache.h"

GChecksum *hscache_key_new(void)
{
    GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
    g_checksum_update(ck, (const guchar *)hs_version(), -1);
    hs_platform_info_t plat;
    if (hs_populate_platform(&plat) == HS_SUCCESS) {
        char pf[64];
        int pl =
            g_snprintf(pf, sizeof pf, "%u %llu", plat.tune, (unsigned long long)plat.cpu_features);
        g_checksum_update(ck, (const guchar *)pf, pl);
    }
    return ck;
}

hs_database_t *hscache_load(const char *path)
{
    char *data = NULL;
    size_t len = 0;
    hs_database_t *db = NULL;
    if (!cache_read(path, &data, &len) || hs_deserialize_database(data, len, &db) != HS_SUCCESS)
        db = NULL;
    g_free(data);
    return db;
}

void hscache_store(const char *path, const hs_database_t *db)
{
    char *bytes = NULL;
    size_t len = 0;
    if (path && hs_serialize_database(db, &bytes, &len) == HS_SUCCESS) {
        cache_write(path, bytes, len);
        free(bytes);
    }
}
