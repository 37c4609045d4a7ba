/*
 * scan.c - the mail pipeline for one message; see scan.h.
 */
#include "rules/scan.h"

#include <stdarg.h>

static void symbol_free(gpointer p)
{
    symbol_t *s = p;
    g_free(s->name);
    g_free(s->evidence);
    g_free(s);
}

static void link_free(gpointer p)
{
    scan_link_t *l = p;
    urlinfo_clear(&l->info);
    g_free(l);
}

const char *verdict_name(verdict_t v)
{
    switch (v) {
    case VERDICT_PHISHING:
        return "phishing";
    case VERDICT_SUSPICIOUS:
        return "suspicious";
    default:
        return "clean";
    }
}

void scan_add_symbol(scan_t *s, const char *name, double weight, const char *explain,
                     const char *fmt, ...)
{
    symbol_t *sym = g_new0(symbol_t, 1);
    va_list ap;
    va_start(ap, fmt);
    sym->evidence = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    sym->name = g_strdup(name);
    sym->weight = weight;
    sym->explain = explain;
    g_ptr_array_add(s->symbols, sym);
}

scan_t *scan_message(const engine_t *e, const mail_item_t *item)
{
    scan_t *s = g_new0(scan_t, 1);
    s->source_path = g_strdup(item->path);
    s->source_index = item->index;
    s->msg = mail_msg_parse(item->data, item->len);
    if (item->truncated)
        mail_msg_anomaly(s->msg, MAIL_ANOM_TRUNCATED, "%llu bytes, read %zu", item->orig_len,
                         item->len);
    s->boundary = mail_boundary_find(s->msg, &e->trust);
    s->identities = identity_collect(s->msg);
    s->links = g_ptr_array_new_with_free_func(link_free);
    for (guint i = 0; i < s->msg->links->len; i++) {
        scan_link_t *l = g_new0(scan_link_t, 1);
        l->link = s->msg->links->pdata[i];
        urlinfo_parse(l->link->href, &l->info);
        g_ptr_array_add(s->links, l);
    }
    s->platform = esp_identify(e->esp, s->msg, s->boundary);
    s->symbols = g_ptr_array_new_with_free_func(symbol_free);

    /* rules: none registered yet */

    for (guint i = 0; i < s->symbols->len; i++)
        s->score += ((symbol_t *)s->symbols->pdata[i])->weight;
    s->verdict = s->score >= e->score_phishing      ? VERDICT_PHISHING
                 : s->score >= e->score_suspicious ? VERDICT_SUSPICIOUS
                                                   : VERDICT_CLEAN;
    return s;
}

void scan_free(scan_t *s)
{
    if (s == NULL)
        return;
    g_free(s->source_path);
    if (s->symbols)
        g_ptr_array_unref(s->symbols);
    if (s->links)
        g_ptr_array_unref(s->links);
    if (s->identities)
        g_ptr_array_unref(s->identities);
    esp_result_free(s->platform);
    mail_boundary_free(s->boundary);
    mail_msg_free(s->msg);
    g_free(s);
}
