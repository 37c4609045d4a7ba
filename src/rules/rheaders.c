/*
 * rheaders.c - what the header fields give away: replies steered to a
 * free mail box or another domain, a display name holding an address, and
 * the structural anomalies the message layer found (several From, no
 * Message-ID or Date, forged Authentication-Results, a platform's
 * Message-ID without the platform, platform fields that disagree,
 * malformed MIME).
 */
#include <string.h>

#include "intel/domain.h"
#include "rules/rules.h"

static bool has_anomaly(const scan_t *s, mail_anomaly_t k, const char **detail)
{
    for (guint i = 0; i < s->msg->anomalies->len; i++) {
        const mail_anomaly_rec_t *r = s->msg->anomalies->pdata[i];
        if (r->kind == k) {
            if (detail)
                *detail = r->detail;
            return true;
        }
    }
    return false;
}

static void reply_to(engine_t *e, scan_t *s)
{
    const scan_facts_t *f = &s->facts;
    const identity_t *rt = identity_find(s->identities, ID_REPLY_TO);
    if (rt == NULL || rt->domain == NULL || f->from_org == NULL)
        return;
    const char *rorg = rt->org_domain ? rt->org_domain : rt->domain;
    if (strcmp(rorg, f->from_org) == 0)
        return;
    const char *claim = f->from && *f->from->display_name ? f->from->display_name : f->from_domain;
    if (domlist_has(e->freemail, rt->domain) && !f->from_freemail) {
        scan_add_symbol(s, "REPLYTO_FREEMAIL", rt->address, claim, "Reply-To: %s, From: %s",
                        rt->address, f->from->address);
        return;
    }
    /* mailing lists and forwarding services rewrite Reply-To by design */
    static const char *const list_fields[] = {"List-Id",      "List-Post", "List-Unsubscribe",
                                              "Mailing-List", "List-Help", "X-Mailing-List"};
    for (size_t i = 0; i < G_N_ELEMENTS(list_fields); i++)
        if (mail_msg_header(s->msg, list_fields[i]))
            return;
    const brand_t *b = brand_of_domain(e->brands, rt->domain);
    if (b && b == brand_of_domain(e->brands, f->from_domain))
        return;
    scan_add_symbol(s, "REPLYTO_OTHER_DOMAIN", rorg, f->from_org, "Reply-To: %s, From: %s",
                    rt->address, f->from->address);
}

static void name_address(scan_t *s)
{
    const identity_t *from = s->facts.from;
    if (from == NULL || strchr(from->display_name, '@') == NULL)
        return;
    GRegex *re = g_regex_new("[A-Za-z0-9._%+-]+@([A-Za-z0-9-]+\\.)+[A-Za-z]{2,}", 0, 0, NULL);
    GMatchInfo *mi = NULL;
    if (re && g_regex_match(re, from->display_name, 0, &mi)) {
        char *addr = g_match_info_fetch(mi, 0);
        char *dom = domain_of_address(addr);
        char *org = dom ? domain_org(dom) : NULL;
        const char *forg = s->facts.from_org;
        if (g_ascii_strcasecmp(addr, from->address) != 0 &&
            !(org && forg && strcmp(org, forg) == 0))
            scan_add_symbol(s, "NAME_HOLDS_ADDRESS", addr, from->address, "From: \"%s\" <%s>",
                            from->display_name, from->address);
        g_free(org);
        g_free(dom);
        g_free(addr);
    }
    if (mi)
        g_match_info_free(mi);
    if (re)
        g_regex_unref(re);
}

static void auth_results(scan_t *s)
{
    const authmsg_t *a = s->auth;
    if (a == NULL || a->source == AUTHMSG_NONE)
        return;
    if (a->dmarc && strcmp(a->dmarc, "fail") == 0 && a->dmarc_policy &&
        strcmp(a->dmarc_policy, "none") != 0)
        scan_add_symbol(s, "DMARC_FAIL", a->dmarc_from_domain, a->dmarc_policy,
                        "dmarc=fail header.from=%s policy=%s (%s)",
                        a->dmarc_from_domain ? a->dmarc_from_domain : "?", a->dmarc_policy,
                        authmsg_source_name(a->source));
    if (a->spf && strcmp(a->spf, "fail") == 0)
        scan_add_symbol(s, "SPF_FAIL", a->spf_domain, NULL, "spf=fail for %s (%s)",
                        a->spf_domain ? a->spf_domain : "?", authmsg_source_name(a->source));
    for (guint i = 0; i < a->dkim->len; i++) {
        const authmsg_dkim_t *d = a->dkim->pdata[i];
        if (d->body_length_limited && strcmp(d->result, "pass") == 0) {
            scan_add_symbol(s, "DKIM_BODY_LENGTH", d->domain, NULL, "d=%s s=%s l=", d->domain,
                            d->selector ? d->selector : "?");
            break;
        }
    }
}

void rheaders_run(engine_t *e, scan_t *s)
{
    const char *d = NULL;
    auth_results(s);
    reply_to(e, s);
    name_address(s);
    if (has_anomaly(s, MAIL_ANOM_FORGED_AUTHRES, &d))
        scan_add_symbol(s, "FORGED_AUTH_RESULTS", d, NULL, "%s", d);
    if (rules_is_bounce(s))
        return;
    if (has_anomaly(s, MAIL_ANOM_MULTIPLE_FROM, &d))
        scan_add_symbol(s, "MULTIPLE_FROM", d, NULL, "%s", d);
    if (has_anomaly(s, MAIL_ANOM_NO_MESSAGE_ID, NULL) && s->facts.from)
        scan_add_symbol(s, "MISSING_MESSAGE_ID", NULL, NULL, "no Message-ID field");
    if (has_anomaly(s, MAIL_ANOM_NO_DATE, &d) && s->facts.from)
        scan_add_symbol(s, "MISSING_DATE", NULL, NULL, "%s", d);
    if (has_anomaly(s, MAIL_ANOM_FORGED_AUTHRES, &d))
        scan_add_symbol(s, "FORGED_AUTH_RESULTS", d, NULL, "%s", d);
    if (has_anomaly(s, MAIL_ANOM_FORGED_PLATFORM_ID, &d))
        scan_add_symbol(s, "PLATFORM_FORGED_ID",
                        strstr(d, "SES") || strstr(d, "amazonses") ? "Amazon SES" : "a platform",
                        NULL, "%s", d);
    if (has_anomaly(s, MAIL_ANOM_PLATFORM_MISMATCH, &d))
        scan_add_symbol(s, "PLATFORM_INCONSISTENT", d, NULL, "%s", d);
    static const mail_anomaly_t malformed[] = {
        MAIL_ANOM_BAD_BOUNDARY, MAIL_ANOM_BAD_ENCODED_WORD, MAIL_ANOM_BAD_TRANSFER_ENC,
        MAIL_ANOM_MIME_DEPTH,   MAIL_ANOM_NUL_BYTES,        MAIL_ANOM_HTML_INCOMPLETE};
    for (size_t i = 0; i < G_N_ELEMENTS(malformed); i++)
        if (has_anomaly(s, malformed[i], &d)) {
            scan_add_symbol(s, "MALFORMED_MESSAGE", mail_anomaly_name(malformed[i]), NULL, "%s", d);
            break;
        }
}
