/*
 * engine.c - shared scan state; see engine.h.
 */
#include "rules/engine.h"

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "intel/domain.h"
#include "mail/message.h"
#include "rules/rules.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/readfile.h"

/* Word lists (readings, link words) are a few KB; this bounds a broken one. */
#define ENGINE_LIST_MAX_BYTES (1024 * 1024)

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

static domlist_t *load_list(const char *name, char **err)
{
    char *path = paths_data_file(name);
    domlist_t *l = domlist_load(path, err);
    g_free(path);
    return l;
}

static GHashTable *load_readings(char **err)
{
    char *path = paths_data_file("readings.txt");
    char *text = readfile(path, ENGINE_LIST_MAX_BYTES, NULL, err);
    GHashTable *h = NULL;
    if (text) {
        h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
        gchar **lines = g_strsplit(text, "\n", -1);
        for (gchar **l = lines; *l; l++) {
            gchar **f = g_strsplit_set(g_strstrip(*l), " \t", 2);
            if (f[0] && f[1] && f[0][0] != '#' && *f[0] && g_utf8_validate(*l, -1, NULL))
                g_hash_table_replace(h, g_strdup(f[0]), g_strdup(g_strstrip(f[1])));
            g_strfreev(f);
        }
        g_strfreev(lines);
    }
    g_free(text);
    g_free(path);
    return h;
}

static char **load_words(const char *name, char **err)
{
    char *path = paths_data_file(name);
    char *text = readfile(path, ENGINE_LIST_MAX_BYTES, NULL, err);
    char **out = NULL;
    if (text) {
        GPtrArray *a = g_ptr_array_new();
        gchar **lines = g_strsplit(text, "\n", -1);
        for (gchar **l = lines; *l; l++) {
            char *w = g_strstrip(*l);
            if (*w && *w != '#')
                g_ptr_array_add(a, g_ascii_strdown(w, -1));
        }
        g_strfreev(lines);
        g_ptr_array_add(a, NULL);
        out = (char **)g_ptr_array_free(a, FALSE);
    }
    g_free(text);
    g_free(path);
    return out;
}

static void account_state_free(gpointer p);

engine_t *engine_new(conf_t *conf, char **err)
{
    *err = NULL;
    mail_init();
    domain_init();
    engine_t *e = g_new0(engine_t, 1);
    g_mutex_init(&e->lock);
    e->accounts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, account_state_free);
    e->trust.hosts = g_strdupv((gchar **)conf_get_list(conf, "trusted_hosts"));
    const char *const *ids = conf_get_list(conf, "trusted_authserv_ids");
    e->trust.authserv_ids = ids[0] ? g_strdupv((gchar **)ids) : NULL;
    GPtrArray *own = g_ptr_array_new();
    for (const char *const *d = conf_get_list(conf, "own_domains"); *d; d++)
        g_ptr_array_add(own, g_ascii_strdown(*d, -1));
    g_ptr_array_add(own, NULL);
    e->own_domains = (char **)g_ptr_array_free(own, FALSE);
    const char *ds = conf_get(conf, "dns_server");
    e->dns_server = ds && *ds ? g_strdup(ds) : NULL;
    const char *const *zones = conf_get_list(conf, "dns_zone");
    e->dns_zones = zones[0] ? g_strdupv((gchar **)zones) : NULL;
    double to = conf_double(conf, "dns_timeout", 2000, err);
    if (*err)
        goto fail;
    e->verify = conf_get_bool(conf, "verify", true);
    e->dns_timeout_ms = to >= 1 && to <= 600000 ? (unsigned)to : 2000;
    e->score_suspicious = conf_double(conf, "score_suspicious", 5.0, err);
    if (*err == NULL)
        e->score_phishing = conf_double(conf, "score_phishing", 10.0, err);
    if (*err)
        goto fail;

    char *path = paths_data_file("platforms.conf");
    e->esp = esp_db_load(path, err);
    g_free(path);
    if (e->esp == NULL)
        goto fail;
    path = paths_data_file("symbols.conf");
    e->rules = ruleset_load(path, err);
    g_free(path);
    if (e->rules == NULL || ruleset_apply_conf(e->rules, conf, err) != 0)
        goto fail;
    path = paths_data_file("brands.conf");
    e->brands = brand_db_load(path, err);
    g_free(path);
    if (e->brands == NULL)
        goto fail;
    e->domain_index = rdomain_index_new(e->brands);
    path = paths_data_file("lexicon.conf");
    e->lexicon = lexicon_load(path, err);
    g_free(path);
    if (e->lexicon == NULL)
        goto fail;
    if ((e->readings = load_readings(err)) == NULL)
        goto fail;
    if ((e->freemail = load_list("freemail.txt", err)) == NULL ||
        (e->shorteners = load_list("shorteners.txt", err)) == NULL ||
        (e->redirectors = load_list("redirectors.txt", err)) == NULL ||
        (e->free_hosting = load_list("free-hosting.txt", err)) == NULL)
        goto fail;
    if ((e->url_words = load_words("url-paths.txt", err)) == NULL)
        goto fail;
    path = paths_data_file("attachments.conf");
    conf_t *att = conf_new();
    int arc = conf_load_file(att, path, err);
    g_free(path);
    if (arc == 0) {
        e->exec_ext = g_strdupv((gchar **)conf_get_list(att, "executable_extensions"));
        e->exec_types = g_strdupv((gchar **)conf_get_list(att, "executable_types"));
        e->doc_ext = g_strdupv((gchar **)conf_get_list(att, "document_extensions"));
        e->macro_ext = g_strdupv((gchar **)conf_get_list(att, "macro_extensions"));
        e->html_ext = g_strdupv((gchar **)conf_get_list(att, "html_extensions"));
    }
    conf_free(att);
    if (arc != 0)
        goto fail;
    return e;
fail:
    engine_free(e);
    return NULL;
}

dns_resolver_t *engine_dns(engine_t *e)
{
    if (e->dns || e->dns_failed)
        return e->dns;
    char *err = NULL;
    if (e->dns_zones)
        e->dns = dns_zone_new((const char *const *)e->dns_zones, &err);
    else
        e->dns = dns_unbound_new(e->dns_server, e->dns_timeout_ms, &err);
    if (e->dns == NULL) {
        log_err("DNS: %s; authentication is not checked", err ? err : "no resolver");
        e->dns_failed = true;
    }
    g_free(err);
    return e->dns;
}

void engine_set_envelope(engine_t *e, const char *ip, const char *helo, const char *mail_from)
{
    g_free(e->env_ip);
    g_free(e->env_helo);
    g_free(e->env_mail_from);
    e->env_ip = g_strdup(ip);
    e->env_helo = g_strdup(helo);
    e->env_mail_from = g_strdup(mail_from);
    e->env = (authmsg_env_t){e->env_ip, e->env_helo, e->env_mail_from};
}

typedef struct account_state {
    char *label;
    char *account;
    GHashTable *domains; /* set of org domains */
} account_state_t;

static void account_state_free(gpointer p)
{
    account_state_t *a = p;
    g_free(a->label);
    g_free(a->account);
    g_hash_table_destroy(a->domains);
    g_free(a);
}

unsigned engine_note_account(engine_t *e, const char *platform, const char *label,
                             const char *account, const char *org_domain)
{
    if (account == NULL || org_domain == NULL)
        return 0;
    char *key = g_strdup_printf("%s/%s", platform, account);
    g_mutex_lock(&e->lock);
    account_state_t *a = g_hash_table_lookup(e->accounts, key);
    if (a == NULL) {
        a = g_new0(account_state_t, 1);
        a->label = g_strdup(label ? label : platform);
        a->account = g_strdup(account);
        a->domains = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_hash_table_insert(e->accounts, key, a);
        key = NULL;
    }
    if (g_hash_table_size(a->domains) < ENGINE_ACCOUNT_MAX_DOMAINS)
        g_hash_table_add(a->domains, g_strdup(org_domain));
    unsigned n = g_hash_table_size(a->domains);
    g_mutex_unlock(&e->lock);
    g_free(key);
    return n;
}

static void engine_account_free(gpointer p)
{
    engine_account_t *a = p;
    g_free(a->label);
    g_free(a->account);
    g_strfreev(a->domains);
    g_free(a);
}

static gint by_strcmp(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static gint by_domains(gconstpointer pa, gconstpointer pb)
{
    const engine_account_t *a = *(const engine_account_t *const *)pa;
    const engine_account_t *b = *(const engine_account_t *const *)pb;
    if (a->n != b->n)
        return a->n > b->n ? -1 : 1;
    int c = strcmp(a->label, b->label);
    return c ? c : strcmp(a->account, b->account);
}

GPtrArray *engine_accounts(engine_t *e, unsigned min)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(engine_account_free);
    g_mutex_lock(&e->lock);
    GHashTableIter it;
    gpointer key, value;
    g_hash_table_iter_init(&it, e->accounts);
    while (g_hash_table_iter_next(&it, &key, &value)) {
        const account_state_t *s = value;
        unsigned n = g_hash_table_size(s->domains);
        if (n < min)
            continue;
        engine_account_t *a = g_new0(engine_account_t, 1);
        a->label = g_strdup(s->label);
        a->account = g_strdup(s->account);
        a->n = n;
        a->domains = g_new0(char *, n + 1);
        GHashTableIter di;
        gpointer d;
        unsigned k = 0;
        g_hash_table_iter_init(&di, s->domains);
        while (g_hash_table_iter_next(&di, &d, NULL))
            a->domains[k++] = g_strdup(d);
        qsort(a->domains, n, sizeof *a->domains, by_strcmp);
        g_ptr_array_add(out, a);
    }
    g_mutex_unlock(&e->lock);
    g_ptr_array_sort(out, by_domains);
    return out;
}

void engine_free(engine_t *e)
{
    if (e == NULL)
        return;
    esp_db_free(e->esp);
    ruleset_free(e->rules);
    rdomain_index_free(e->domain_index);
    brand_db_free(e->brands);
    lexicon_free(e->lexicon);
    if (e->readings)
        g_hash_table_destroy(e->readings);
    domlist_free(e->freemail);
    domlist_free(e->shorteners);
    domlist_free(e->redirectors);
    domlist_free(e->free_hosting);
    g_strfreev(e->url_words);
    g_strfreev(e->exec_ext);
    g_strfreev(e->exec_types);
    g_strfreev(e->doc_ext);
    g_strfreev(e->macro_ext);
    g_strfreev(e->html_ext);
    g_strfreev(e->own_domains);
    g_strfreev(e->trust.hosts);
    g_strfreev(e->trust.authserv_ids);
    g_hash_table_destroy(e->accounts);
    if (e->dns)
        dns_resolver_free(e->dns);
    g_free(e->dns_server);
    g_strfreev(e->dns_zones);
    g_free(e->env_ip);
    g_free(e->env_helo);
    g_free(e->env_mail_from);
    g_mutex_clear(&e->lock);
    g_free(e);
}
