/*
 * scan.c - the mail pipeline for one message; see scan.h.
 */
#include "rules/scan.h"

#include <stdarg.h>
#include <string.h>

#include "intel/domain.h"
#include "rules/rules.h"
#include "util/i18n.h"
#include "util/log.h"

static void symbol_free(gpointer p)
{
    symbol_t *s = p;
    g_free(s->name);
    g_free(s->evidence);
    g_free(s->arg1);
    g_free(s->arg2);
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

const char *action_name(action_t a)
{
    static const char *const names[] = {"accept", "tag", "quarantine", "reject"};
    return (unsigned)a < G_N_ELEMENTS(names) ? names[a] : "accept";
}

action_t scan_action(const scan_t *s)
{
    if (s->verdict == VERDICT_PHISHING)
        return s->score >= 2 * s->engine->score_phishing ? ACTION_REJECT : ACTION_QUARANTINE;
    return s->verdict == VERDICT_SUSPICIOUS ? ACTION_TAG : ACTION_ACCEPT;
}

bool scan_has_symbol(const scan_t *s, const char *name)
{
    for (guint i = 0; i < s->symbols->len; i++)
        if (strcmp(((symbol_t *)s->symbols->pdata[i])->name, name) == 0)
            return true;
    return false;
}

void scan_add_symbol(scan_t *s, const char *name, const char *arg1, const char *arg2,
                     const char *fmt, ...)
{
    const rule_def_t *d = ruleset_get(s->engine->rules, name);
    if (d == NULL) {
        log_warn("rule emitted unknown symbol %s (missing from symbols.conf)", name);
        return;
    }
    if (!d->enabled || scan_has_symbol(s, name))
        return;
    symbol_t *sym = g_new0(symbol_t, 1);
    va_list ap;
    va_start(ap, fmt);
    char *ev = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    sym->evidence = g_utf8_make_valid(ev, -1);
    g_free(ev);
    sym->def = d;
    sym->name = g_strdup(name);
    sym->weight = d->weight;
    sym->arg1 = arg1 ? g_utf8_make_valid(arg1, -1) : NULL;
    sym->arg2 = arg2 ? g_utf8_make_valid(arg2, -1) : NULL;
    g_ptr_array_add(s->symbols, sym);
}

char *scan_explain(const symbol_t *sym)
{
    return ruleset_explain(sym->def, i18n_lang(), sym->arg1, sym->arg2);
}

bool scan_sender_is_brand(const scan_t *s, const brand_t *b)
{
    if (s->facts.from_domain && brand_owns(b, s->facts.from_domain))
        return true;
    for (guint i = 0; s->facts.verified_dkim && i < s->facts.verified_dkim->len; i++)
        if (brand_owns(b, s->facts.verified_dkim->pdata[i]))
            return true;
    return false;
}

static void collect_facts(engine_t *e, scan_t *s)
{
    scan_facts_t *f = &s->facts;
    f->from = identity_find(s->identities, ID_FROM);
    f->from_domain = f->from ? f->from->domain : NULL;
    f->from_org = f->from ? (f->from->org_domain ? f->from->org_domain : f->from->domain) : NULL;
    f->from_freemail = f->from_domain && domlist_has(e->freemail, f->from_domain);
    const mail_header_t *to = mail_msg_header(s->msg, "To");
    char *recipient = f->recipient_buf;
    f->recipient = NULL;
    if (to) {
        const char *lt = strchr(to->raw, '<');
        const char *start = lt ? lt + 1 : to->raw;
        size_t n = strcspn(start, ">, \t");
        if (n > 3 && n < sizeof f->recipient_buf && memchr(start, '@', n)) {
            memcpy(recipient, start, n);
            recipient[n] = '\0';
            f->recipient = recipient;
        }
    }
    if (f->from && *f->from->display_name)
        f->n_name = brand_find(e->brands, f->from->display_name, BRAND_FIELD_NAME, f->name_hits,
                               G_N_ELEMENTS(f->name_hits));
    if (s->msg->subject)
        f->n_subject = brand_find(e->brands, s->msg->subject, BRAND_FIELD_SUBJECT, f->subject_hits,
                                  G_N_ELEMENTS(f->subject_hits));
    /* the body is normalised and folded once for brands and lure phrases;
     * the subject's phrases count with it */
    char *folded = brand_fold_text(s->msg->text ? s->msg->text : "");
    if (s->msg->text)
        f->n_body = brand_find_folded(e->brands, folded, f->body_hits, G_N_ELEMENTS(f->body_hits));
    lexicon_scan_folded(e->lexicon, folded, &f->lex);
    g_free(folded);
    if (s->msg->subject) {
        lexicon_hits_t sh;
        char *fs = brand_fold_text(s->msg->subject);
        lexicon_scan_folded(e->lexicon, fs, &sh);
        g_free(fs);
        for (int g = 0; g < LEXICON_MAX_GROUPS; g++) {
            f->lex.count[g] += sh.count[g];
            if (sh.first[g])
                f->lex.first[g] = sh.first[g];
        }
    }
    f->verified_dkim = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; s->auth && i < s->auth->dkim->len; i++) {
        const authmsg_dkim_t *d = s->auth->dkim->pdata[i];
        if (d->domain && strcmp(d->result, "pass") == 0)
            g_ptr_array_add(f->verified_dkim, g_strdup(d->domain));
    }
    if (s->auth && s->auth->dmarc && strcmp(s->auth->dmarc, "pass") == 0)
        f->dmarc_pass_domain = s->auth->dmarc_from_domain;
}

/* Verify when the envelope is known (the command line, or the client the
 * trusted boundary found); else believe the trusted headers. */
static void authenticate(engine_t *e, scan_t *s, const mail_item_t *item)
{
    authmsg_env_t env = e->env;
    if (env.ip == NULL && s->boundary && s->boundary->client_ip) {
        env.ip = s->boundary->client_ip;
        env.helo = s->boundary->client_helo;
        env.mail_from = s->msg->return_path;
    }
    dns_resolver_t *dns = env.ip && e->verify ? engine_dns(e) : NULL;
    if (dns)
        s->auth = authmsg_verify(dns, item->data, item->len, s->msg, &env);
    else
        s->auth = authmsg_from_headers(s->boundary);
}

static gint by_weight(gconstpointer a, gconstpointer b)
{
    const symbol_t *x = *(symbol_t *const *)a, *y = *(symbol_t *const *)b;
    return x->weight < y->weight ? 1 : x->weight > y->weight ? -1 : strcmp(x->name, y->name);
}

scan_t *scan_message(engine_t *e, const mail_item_t *item)
{
    scan_t *s = g_new0(scan_t, 1);
    s->engine = e;
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
    authenticate(e, s, item);
    collect_facts(e, s);

    rbrand_run(e, s);
    rdomain_run(e, s);
    rlinks_run(e, s);
    rtext_run(e, s);
    rheaders_run(e, s);
    rattach_run(e, s);

    g_ptr_array_sort(s->symbols, by_weight);
    for (guint i = 0; i < s->symbols->len; i++)
        s->score += ((symbol_t *)s->symbols->pdata[i])->weight;
    s->verdict = s->score >= e->score_phishing     ? VERDICT_PHISHING
                 : s->score >= e->score_suspicious ? VERDICT_SUSPICIOUS
                                                   : VERDICT_CLEAN;
    return s;
}

void scan_free(scan_t *s)
{
    if (s == NULL)
        return;
    g_free(s->source_path);
    if (s->facts.verified_dkim)
        g_ptr_array_unref(s->facts.verified_dkim);
    if (s->symbols)
        g_ptr_array_unref(s->symbols);
    if (s->links)
        g_ptr_array_unref(s->links);
    if (s->identities)
        g_ptr_array_unref(s->identities);
    esp_result_free(s->platform);
    authmsg_free(s->auth);
    mail_boundary_free(s->boundary);
    mail_msg_free(s->msg);
    g_free(s);
}
