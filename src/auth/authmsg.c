/*
 * authmsg.c - authentication verdict of one message; see authmsg.h.
 */
#include "auth/authmsg.h"

#include <string.h>

#include "auth/arc.h"
#include "auth/dkim.h"
#include "auth/dmarc.h"
#include "auth/spf.h"
#include "intel/domain.h"
#include "mail/authres.h"

const char *authmsg_source_name(authmsg_source_t s)
{
    return s == AUTHMSG_VERIFIED ? "verified" : s == AUTHMSG_HEADER ? "header" : "none";
}

static void dkim_free(gpointer p)
{
    authmsg_dkim_t *d = p;
    g_free(d->domain);
    g_free(d->selector);
    g_free(d->algorithm);
    g_free(d->result);
    g_free(d->reason);
    g_free(d);
}

static authmsg_t *authmsg_new(authmsg_source_t src)
{
    authmsg_t *a = g_new0(authmsg_t, 1);
    a->source = src;
    a->dkim = g_ptr_array_new_with_free_func(dkim_free);
    return a;
}

void authmsg_free(authmsg_t *a)
{
    if (a == NULL)
        return;
    g_free(a->authserv_id);
    g_free(a->spf);
    g_free(a->spf_domain);
    g_free(a->spf_why);
    g_ptr_array_unref(a->dkim);
    g_free(a->dmarc);
    g_free(a->dmarc_policy);
    g_free(a->dmarc_from_domain);
    g_free(a->dmarc_org_domain);
    g_free(a->dmarc_why);
    g_free(a->arc);
    g_free(a);
}

bool authmsg_dkim_pass(const authmsg_t *a, const char *domain)
{
    for (guint i = 0; a && i < a->dkim->len; i++) {
        const authmsg_dkim_t *d = a->dkim->pdata[i];
        if (strcmp(d->result, "pass") == 0 && d->domain &&
            (domain == NULL || domain_is_within(d->domain, domain)))
            return true;
    }
    return false;
}

static void from_domain_list(const mail_msg_t *m, GPtrArray *keep)
{
    for (guint i = 0; i < m->from->len; i++) {
        char *d = domain_of_address(((mail_addr_t *)m->from->pdata[i])->address);
        if (d) {
            domain_info_t di;
            domain_info(d, &di);
            g_ptr_array_add(keep, g_strdup(di.ascii));
            domain_info_clear(&di);
            g_free(d);
        }
    }
    g_ptr_array_add(keep, NULL);
}

authmsg_t *authmsg_verify(dns_resolver_t *dns, const char *raw, size_t len, const mail_msg_t *m,
                          const authmsg_env_t *env)
{
    authmsg_t *a = authmsg_new(AUTHMSG_VERIFIED);
    dns_resolver_t *budget = dns_budget_new(dns, AUTHMSG_MAX_QUERIES, AUTHMSG_MAX_MS);

    /* SPF: MAIL FROM, or the HELO identity for the null sender */
    spf_result_t spf;
    spf_options_t so = {0};
    const char *mf = env->mail_from;
    if (mf && *mf)
        spf_check(budget, &so, env->ip, mf, env->helo, &spf);
    else
        spf_check_helo(budget, &so, env->ip, env->helo ? env->helo : "", &spf);
    a->spf = g_strdup(spf_res_name(spf.result));
    a->spf_domain = g_strdup(spf.domain);
    a->spf_why = g_strdup(spf.problem ? spf.problem : spf.mechanism);

    /* DKIM and ARC share key lookups */
    dkim_keycache_t *keys = dkim_keycache_new();
    dkim_opts_t o = {.lookup = dkim_lookup_dns, .lookup_ctx = budget, .keys = keys};
    GPtrArray *sigs = dkim_verify(raw, len, &o);
    GPtrArray *dk = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; sigs && i < sigs->len; i++) {
        const dkim_sigres_t *r = sigs->pdata[i];
        authmsg_dkim_t *d = g_new0(authmsg_dkim_t, 1);
        d->domain = r->domain ? g_ascii_strdown(r->domain, -1) : NULL;
        d->selector = g_strdup(r->selector);
        d->algorithm = g_strdup(r->algorithm);
        d->result = g_strdup(dkim_result_name(r->result));
        d->reason = g_strdup(r->reason);
        d->weak = r->weak;
        d->body_length_limited = r->body_length_limited;
        g_ptr_array_add(a->dkim, d);
        dmarc_dkim_t *x = g_new0(dmarc_dkim_t, 1);
        x->domain = d->domain;
        x->pass = r->result == DKIM_PASS;
        g_ptr_array_add(dk, x);
    }
    arc_result_t *arc = arc_validate(raw, len, &o);
    a->arc = g_strdup(arc ? arc_cv_name(arc->cv) : "none");
    arc_result_free(arc);

    /* DMARC over the From domains; SPF counts for the MAIL FROM domain */
    GPtrArray *froms = g_ptr_array_new_with_free_func(g_free);
    from_domain_list(m, froms);
    dmarc_dkim_t *flat = g_new0(dmarc_dkim_t, dk->len + 1);
    for (guint i = 0; i < dk->len; i++)
        flat[i] = *(dmarc_dkim_t *)dk->pdata[i];
    dmarc_input_t in = {(const char *const *)froms->pdata, spf.domain, spf.result == SPF_PASS, flat,
                        dk->len};
    dmarc_result_t dr;
    dmarc_check(budget, &in, &dr);
    a->dmarc = g_strdup(dmarc_res_name(dr.result));
    a->dmarc_policy = g_strdup(dmarc_policy_name(dr.policy));
    a->dmarc_from_domain = g_strdup(dr.from_domain);
    a->dmarc_org_domain = g_strdup(dr.org_domain);
    a->dmarc_why = g_strdup(dr.problem);
    dmarc_result_clear(&dr);
    g_free(flat);
    g_ptr_array_unref(froms);
    g_ptr_array_unref(dk);
    if (sigs)
        g_ptr_array_unref(sigs);
    dkim_keycache_free(keys);
    spf_result_clear(&spf);
    dns_resolver_free(budget);
    return a;
}

authmsg_t *authmsg_from_headers(const mail_boundary_t *b)
{
    if (b == NULL || b->authres == NULL || b->authres->len == 0)
        return authmsg_new(AUTHMSG_NONE);
    authmsg_t *a = authmsg_new(AUTHMSG_HEADER);
    const authres_t *ar = b->authres->pdata[0];
    a->authserv_id = g_strdup(ar->authserv_id);
    for (guint i = 0; i < b->authres->len; i++) {
        const authres_t *x = b->authres->pdata[i];
        for (guint k = 0; k < x->results->len; k++) {
            const authres_result_t *r = x->results->pdata[k];
            if (strcmp(r->method, "spf") == 0 && a->spf == NULL) {
                a->spf = g_strdup(r->result);
                const char *d = authres_prop(r, "smtp", "mailfrom");
                if (d == NULL)
                    d = authres_prop(r, "smtp", "helo");
                char *dom = d && strchr(d, '@') ? domain_of_address(d) : g_strdup(d);
                a->spf_domain = dom;
            } else if (strcmp(r->method, "dkim") == 0) {
                authmsg_dkim_t *d = g_new0(authmsg_dkim_t, 1);
                const char *dd = authres_prop(r, "header", "d");
                const char *di = authres_prop(r, "header", "i");
                if (dd == NULL && di && strchr(di, '@'))
                    dd = strchr(di, '@') + 1;
                d->domain = dd ? g_ascii_strdown(dd, -1) : NULL;
                const char *s = authres_prop(r, "header", "s");
                d->selector = g_strdup(s);
                d->result = g_strdup(r->result);
                d->reason = g_strdup(r->reason);
                g_ptr_array_add(a->dkim, d);
            } else if (strcmp(r->method, "dmarc") == 0 && a->dmarc == NULL) {
                a->dmarc = g_strdup(r->result);
                const char *f = authres_prop(r, "header", "from");
                a->dmarc_from_domain = f ? g_ascii_strdown(f, -1) : NULL;
                const char *p = authres_prop(r, "policy", "dmarc");
                a->dmarc_policy = p ? g_ascii_strdown(p, -1) : NULL;
            } else if (strcmp(r->method, "arc") == 0 && a->arc == NULL) {
                a->arc = g_strdup(r->result);
            }
        }
    }
    return a;
}

/* A value as RFC 8601 wants it: a token if it is one, else a quoted
 * string with quotes and backslashes escaped and controls dropped. */
static void append_value(GString *o, const char *v)
{
    bool token = *v != '\0';
    for (const char *p = v; *p && token; p++)
        token = g_ascii_isalnum(*p) || strchr(".-_@+", *p);
    if (token) {
        g_string_append(o, v);
        return;
    }
    g_string_append_c(o, '"');
    for (const char *p = v; *p; p++) {
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            continue;
        if (*p == '"' || *p == '\\')
            g_string_append_c(o, '\\');
        g_string_append_c(o, *p);
    }
    g_string_append_c(o, '"');
}

char *authmsg_header(const authmsg_t *a, const char *authserv_id)
{
    GString *o = g_string_new(NULL);
    append_value(o, authserv_id && *authserv_id ? authserv_id : "localhost");
    if (a == NULL || a->source != AUTHMSG_VERIFIED) {
        g_string_append(o, "; none");
        return g_string_free(o, FALSE);
    }
    if (a->spf) {
        g_string_append_printf(o, ";\r\n\tspf=%s", a->spf);
        if (a->spf_domain) {
            g_string_append(o, " smtp.mailfrom=");
            append_value(o, a->spf_domain);
        }
    }
    for (guint i = 0; i < a->dkim->len; i++) {
        const authmsg_dkim_t *d = a->dkim->pdata[i];
        g_string_append_printf(o, ";\r\n\tdkim=%s", d->result);
        if (d->domain) {
            g_string_append(o, " header.d=");
            append_value(o, d->domain);
        }
        if (d->selector) {
            g_string_append(o, " header.s=");
            append_value(o, d->selector);
        }
    }
    if (a->dkim->len == 0)
        g_string_append(o, ";\r\n\tdkim=none");
    if (a->dmarc) {
        g_string_append_printf(o, ";\r\n\tdmarc=%s", a->dmarc);
        if (a->dmarc_policy)
            g_string_append_printf(o, " policy.dmarc=%s", a->dmarc_policy);
        if (a->dmarc_from_domain) {
            g_string_append(o, " header.from=");
            append_value(o, a->dmarc_from_domain);
        }
    }
    if (a->arc)
        g_string_append_printf(o, ";\r\n\tarc=%s", a->arc);
    return g_string_free(o, FALSE);
}
