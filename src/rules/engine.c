/*
 * engine.c - shared scan state; see engine.h.
 */
#include "rules/engine.h"

#include <glib.h>
#include <stdlib.h>

#include "intel/domain.h"
#include "mail/message.h"
#include "util/paths.h"

static double conf_double(conf_t *c, const char *key, double dflt, char **err)
{
    const char *v = conf_get(c, key);
    if (v == NULL)
        return dflt;
    char *end = NULL;
    double d = g_ascii_strtod(v, &end);
    if (end == v || *end != '\0') {
        *err = g_strdup_printf("configuration: %s: not a number: \"%s\"", key, v);
        return dflt;
    }
    return d;
}

engine_t *engine_new(conf_t *conf, char **err)
{
    *err = NULL;
    mail_init();
    domain_init();
    engine_t *e = g_new0(engine_t, 1);
    e->trust.hosts = g_strdupv((gchar **)conf_get_list(conf, "trusted_hosts"));
    const char *const *ids = conf_get_list(conf, "trusted_authserv_ids");
    e->trust.authserv_ids = ids[0] ? g_strdupv((gchar **)ids) : NULL;
    e->score_suspicious = conf_double(conf, "score_suspicious", 5.0, err);
    if (*err == NULL)
        e->score_phishing = conf_double(conf, "score_phishing", 10.0, err);
    if (*err) {
        engine_free(e);
        return NULL;
    }
    char *path = paths_data_file("platforms.conf");
    e->esp = esp_db_load(path, err);
    g_free(path);
    if (e->esp == NULL) {
        engine_free(e);
        return NULL;
    }
    return e;
}

void engine_free(engine_t *e)
{
    if (e == NULL)
        return;
    esp_db_free(e->esp);
    g_strfreev(e->trust.hosts);
    g_strfreev(e->trust.authserv_ids);
    g_free(e);
}
