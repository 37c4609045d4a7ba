/*
 * mailreport.c - JSON and text reports of a mail scan; see mailreport.h.
 */
#include "report/mailreport.h"

#include <json-c/json.h>
#include <string.h>

#include "util/i18n.h"

static json_object *js(const char *s)
{
    if (s == NULL)
        return NULL;
    if (g_utf8_validate(s, -1, NULL))
        return json_object_new_string(s);
    char *v = g_utf8_make_valid(s, -1);
    json_object *o = json_object_new_string(v);
    g_free(v);
    return o;
}

static json_object *js_cut(const char *s, size_t max, bool *cut)
{
    size_t n = s ? strlen(s) : 0;
    *cut = n > max;
    if (!*cut)
        return js(s ? s : "");
    while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
        max--;
    char *t = g_strndup(s, max);
    json_object *o = js(t);
    g_free(t);
    return o;
}

static const char *link_kind(mail_link_kind_t k)
{
    static const char *const names[] = {"text", "anchor", "form", "image", "other"};
    return (unsigned)k < G_N_ELEMENTS(names) ? names[k] : "other";
}

static json_object *identity_json(const identity_t *id)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "role", js(identity_role_name(id->role)));
    if (id->role != ID_DKIM) {
        json_object_object_add(o, "address", js(id->address));
        json_object_object_add(o, "display_name", js(id->display_name));
        json_object_object_add(o, "display_name_normalised", js(id->display_norm));
        json_object_object_add(o, "display_name_skeleton", js(id->display_skeleton));
        json_object_object_add(o, "display_name_invisible",
                               json_object_new_int((int)id->display_flags.invisible));
        json_object_object_add(o, "display_name_combining",
                               json_object_new_int((int)id->display_flags.combining));
        json_object_object_add(o, "display_name_mixed_script",
                               json_object_new_boolean(id->display_flags.mixed_script));
    }
    json_object_object_add(o, "domain", js(id->domain));
    json_object_object_add(o, "domain_unicode", js(id->domain_unicode));
    json_object_object_add(o, "org_domain", js(id->org_domain));
    json_object_object_add(o, "idn", json_object_new_boolean(id->idn));
    return o;
}

static json_object *from_json(const scan_t *s)
{
    const identity_t *id = identity_find(s->identities, ID_FROM);
    if (id == NULL)
        return NULL;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "address", js(id->address));
    json_object_object_add(o, "display_name", js(id->display_name));
    json_object_object_add(o, "display_name_normalised", js(id->display_norm));
    json_object_object_add(o, "display_name_skeleton", js(id->display_skeleton));
    json_object_object_add(o, "domain", js(id->domain));
    json_object_object_add(o, "domain_unicode", js(id->domain_unicode));
    json_object_object_add(o, "org_domain", js(id->org_domain));
    return o;
}

static json_object *platform_json(const esp_result_t *p)
{
    if (p == NULL)
        return NULL;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "name", js(p->name));
    json_object_object_add(o, "label", js(p->label));
    json_object_object_add(o, "region", js(p->region));
    json_object_object_add(o, "account", js(p->account));
    json_object *ev = json_object_new_array();
    for (guint i = 0; p->evidence && i < p->evidence->len; i++)
        json_object_array_add(ev, js(p->evidence->pdata[i]));
    json_object_object_add(o, "evidence", ev);
    if (p->has_send_time) {
        json_object_object_add(o, "send_time_ms", json_object_new_int64(p->send_time_ms));
        json_object_object_add(o, "date_skew_s", json_object_new_int64(p->date_skew_s));
    }
    json_object_object_add(o, "custom_mail_from", json_object_new_boolean(p->custom_mail_from));
    return o;
}

static json_object *envelope_json(const mail_boundary_t *b)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "trusted_boundary", json_object_new_boolean(b && b->configured));
    json_object_object_add(o, "client_ip", js(b ? b->client_ip : NULL));
    json_object_object_add(o, "helo", js(b ? b->client_helo : NULL));
    json_object_object_add(o, "rdns", js(b ? b->client_rdns : NULL));
    json_object *ar = json_object_new_array();
    for (guint i = 0; b && b->authres && i < b->authres->len; i++) {
        const authres_t *a = b->authres->pdata[i];
        json_object *ao = json_object_new_object();
        json_object_object_add(ao, "authserv_id", js(a->authserv_id));
        json_object *rs = json_object_new_array();
        for (guint k = 0; k < a->results->len; k++) {
            const authres_result_t *r = a->results->pdata[k];
            json_object *ro = json_object_new_object();
            json_object_object_add(ro, "method", js(r->method));
            json_object_object_add(ro, "result", js(r->result));
            for (guint p = 0; r->props && p < r->props->len; p++) {
                const authres_prop_t *pr = r->props->pdata[p];
                char *key = g_strdup_printf("%s.%s", pr->ptype, pr->property);
                json_object_object_add(ro, key, js(pr->value));
                g_free(key);
            }
            json_object_array_add(rs, ro);
        }
        json_object_object_add(ao, "results", rs);
        json_object_array_add(ar, ao);
    }
    json_object_object_add(o, "authentication_results", ar);
    return o;
}

static json_object *auth_json(const authmsg_t *a)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "source", js(authmsg_source_name(a ? a->source : AUTHMSG_NONE)));
    if (a == NULL)
        return o;
    json_object_object_add(o, "authserv_id", js(a->authserv_id));
    json_object *spf = NULL;
    if (a->spf) {
        spf = json_object_new_object();
        json_object_object_add(spf, "result", js(a->spf));
        json_object_object_add(spf, "domain", js(a->spf_domain));
        json_object_object_add(spf, "why", js(a->spf_why));
    }
    json_object_object_add(o, "spf", spf);
    json_object *dk = json_object_new_array();
    for (guint i = 0; i < a->dkim->len; i++) {
        const authmsg_dkim_t *d = a->dkim->pdata[i];
        json_object *x = json_object_new_object();
        json_object_object_add(x, "domain", js(d->domain));
        json_object_object_add(x, "selector", js(d->selector));
        json_object_object_add(x, "algorithm", js(d->algorithm));
        json_object_object_add(x, "result", js(d->result));
        json_object_object_add(x, "reason", js(d->reason));
        json_object_object_add(x, "weak", json_object_new_boolean(d->weak));
        json_object_object_add(x, "body_length_limited",
                               json_object_new_boolean(d->body_length_limited));
        json_object_array_add(dk, x);
    }
    json_object_object_add(o, "dkim", dk);
    json_object *dm = NULL;
    if (a->dmarc) {
        dm = json_object_new_object();
        json_object_object_add(dm, "result", js(a->dmarc));
        json_object_object_add(dm, "policy", js(a->dmarc_policy));
        json_object_object_add(dm, "from_domain", js(a->dmarc_from_domain));
        json_object_object_add(dm, "org_domain", js(a->dmarc_org_domain));
        json_object_object_add(dm, "why", js(a->dmarc_why));
    }
    json_object_object_add(o, "dmarc", dm);
    json_object_object_add(o, "arc", js(a->arc));
    return o;
}

void mailreport_json(FILE *out, const scan_t *s)
{
    const mail_msg_t *m = s->msg;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "schema", json_object_new_int(MAILREPORT_SCHEMA));
    json_object *src = json_object_new_object();
    json_object_object_add(src, "path", js(s->source_path));
    json_object_object_add(src, "index",
                           s->source_index >= 0 ? json_object_new_int64(s->source_index) : NULL);
    json_object_object_add(o, "source", src);
    json_object_object_add(o, "size", json_object_new_int64((int64_t)m->raw_size));
    json_object_object_add(o, "message_id", js(m->message_id));
    json_object_object_add(o, "subject", js(m->subject));
    json_object_object_add(o, "date", js(m->date_raw));
    json_object_object_add(o, "date_unix",
                           m->date != G_MININT64 ? json_object_new_int64(m->date) : NULL);
    json_object_object_add(o, "from", from_json(s));
    json_object *ids = json_object_new_array();
    for (guint i = 0; i < s->identities->len; i++)
        json_object_array_add(ids, identity_json(s->identities->pdata[i]));
    json_object_object_add(o, "identities", ids);
    json_object_object_add(o, "platform", platform_json(s->platform));
    json_object_object_add(o, "envelope", envelope_json(s->boundary));
    json_object_object_add(o, "auth", auth_json(s->auth));

    json_object *hops = json_object_new_array();
    for (guint i = 0; i < m->hops->len; i++) {
        const mail_hop_t *h = m->hops->pdata[i];
        json_object *ho = json_object_new_object();
        json_object_object_add(ho, "from", js(h->from_name));
        json_object_object_add(ho, "helo", js(h->helo));
        json_object_object_add(ho, "rdns", js(h->rdns));
        json_object_object_add(ho, "ip", js(h->ip));
        json_object_object_add(ho, "by", js(h->by));
        json_object_object_add(ho, "with", js(h->with));
        json_object_array_add(hops, ho);
    }
    json_object_object_add(o, "hops", hops);

    bool cut = false;
    json_object_object_add(o, "text", js_cut(m->text, MAIL_MAX_REPORT_TEXT, &cut));
    json_object_object_add(o, "text_truncated", json_object_new_boolean(cut));
    json_object *parts = json_object_new_array();
    for (guint i = 0; i < m->parts->len; i++) {
        const mail_textpart_t *p = m->parts->pdata[i];
        json_object *po = json_object_new_object();
        json_object_object_add(po, "content_type", js(p->content_type));
        json_object_object_add(po, "charset_declared", js(p->charset_declared));
        json_object_object_add(po, "charset_used", js(p->charset_used));
        json_object_object_add(po, "charset_detected",
                               json_object_new_boolean(p->charset_detected));
        json_object_array_add(parts, po);
    }
    json_object_object_add(o, "parts", parts);

    json_object *urls = json_object_new_array();
    for (guint i = 0; i < s->links->len; i++) {
        const scan_link_t *l = s->links->pdata[i];
        json_object *uo = json_object_new_object();
        json_object_object_add(uo, "url", js(l->link->href));
        json_object_object_add(uo, "kind", js(link_kind(l->link->kind)));
        json_object_object_add(uo, "text", js(l->link->text));
        json_object_object_add(uo, "scheme", js(l->info.scheme));
        json_object_object_add(uo, "host", js(l->info.host));
        json_object_object_add(uo, "host_unicode", js(l->info.host_unicode));
        json_object_object_add(uo, "org_domain", js(l->info.org_domain));
        json_object_object_add(uo, "ip_host", json_object_new_boolean(l->info.ip_host));
        json_object_object_add(uo, "idn", json_object_new_boolean(l->info.idn));
        json_object_array_add(urls, uo);
    }
    json_object_object_add(o, "urls", urls);

    json_object *atts = json_object_new_array();
    for (guint i = 0; i < m->attachments->len; i++) {
        const mail_attachment_t *a = m->attachments->pdata[i];
        json_object *ao = json_object_new_object();
        json_object_object_add(ao, "filename", js(a->filename));
        json_object_object_add(ao, "declared_type", js(a->declared_type));
        json_object_object_add(ao, "sniffed_type", js(a->sniffed_type));
        json_object_object_add(ao, "size", json_object_new_int64((int64_t)a->size));
        json_object_object_add(ao, "sha256", js(a->sha256));
        json_object_array_add(atts, ao);
    }
    json_object_object_add(o, "attachments", atts);

    json_object *an = json_object_new_array();
    for (guint i = 0; i < m->anomalies->len; i++) {
        const mail_anomaly_rec_t *r = m->anomalies->pdata[i];
        json_object *ao = json_object_new_object();
        json_object_object_add(ao, "name", js(mail_anomaly_name(r->kind)));
        json_object_object_add(ao, "detail", js(r->detail));
        json_object_array_add(an, ao);
    }
    json_object_object_add(o, "anomalies", an);

    json_object *syms = json_object_new_array();
    for (guint i = 0; i < s->symbols->len; i++) {
        const symbol_t *sy = s->symbols->pdata[i];
        json_object *so = json_object_new_object();
        json_object_object_add(so, "name", js(sy->name));
        json_object_object_add(so, "group", js(sy->def->group));
        json_object_object_add(so, "weight", json_object_new_double(sy->weight));
        json_object_object_add(so, "evidence", js(sy->evidence));
        char *ex = scan_explain(sy);
        json_object_object_add(so, "explanation", js(ex));
        g_free(ex);
        json_object_array_add(syms, so);
    }
    json_object_object_add(o, "symbols", syms);
    json_object_object_add(o, "score", json_object_new_double(s->score));
    json_object_object_add(o, "verdict", js(verdict_name(s->verdict)));
    json_object_object_add(o, "action", js(action_name(scan_action(s))));

    const char *line =
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    fputs(line, out);
    fputc('\n', out);
    json_object_put(o);
}

static const char *verdict_label(verdict_t v)
{
    switch (v) {
    case VERDICT_PHISHING:
        return _("PHISHING");
    case VERDICT_SUSPICIOUS:
        return _("SUSPICIOUS");
    default:
        return _("clean");
    }
}

/* Print s with control characters made visible: a subject or name is
 * attacker-written and must not move the cursor or recolour the terminal. */
static void safe(FILE *out, const char *s)
{
    if (s == NULL)
        return;
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char_validated(p, -1);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            fputc('?', out);
            if (*p == '\0')
                break;
            continue;
        }
        if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || (c >= 0x202a && c <= 0x202e) ||
            (c >= 0x2066 && c <= 0x2069)) {
            fprintf(out, "\\u%04x", c);
            continue;
        }
        fwrite(p, 1, (size_t)(g_utf8_next_char(p) - p), out);
    }
}

void mailreport_text(FILE *out, const scan_t *s)
{
    const mail_msg_t *m = s->msg;
    fputs("== ", out);
    safe(out, s->source_path);
    if (s->source_index >= 0)
        fprintf(out, " #%ld", s->source_index + 1);
    fputc('\n', out);
    fprintf(out, "%s ", _("Verdict:"));
    fprintf(out, _("%s (score %.1f)\n"), verdict_label(s->verdict), s->score);
    /* the reasons a person reads, heaviest first; then the evidence */
    for (guint i = 0; i < s->symbols->len; i++) {
        const symbol_t *sy = s->symbols->pdata[i];
        char *ex = scan_explain(sy);
        fputs("  - ", out);
        safe(out, ex);
        fprintf(out, "  [%s %+.1f]\n", sy->name, sy->weight);
        g_free(ex);
        if (sy->evidence && *sy->evidence) {
            fprintf(out, "      %s ", _("evidence:"));
            safe(out, sy->evidence);
            fputc('\n', out);
        }
    }
    if (s->verdict == VERDICT_PHISHING)
        fputs(_("  What to do: do not click its links, open its attachments or reply. If you\n"
                "  already did, change that password now, sign out of every session, call your\n"
                "  card company if you entered card details, keep this mail as evidence and\n"
                "  tell your security team.\n"),
              out);
    else if (s->verdict == VERDICT_SUSPICIOUS)
        fputs(_("  Be careful: check with the sender by another channel before you click, open\n"
                "  or reply.\n"),
              out);
    fprintf(out, "  %s ", _("Subject:"));
    safe(out, m->subject ? m->subject : _("(none)"));
    fputc('\n', out);
    const identity_t *from = identity_find(s->identities, ID_FROM);
    fprintf(out, "  %s ", _("From:"));
    if (from) {
        if (*from->display_name) {
            fputc('"', out);
            safe(out, from->display_name);
            fputs("\" ", out);
        }
        fputc('<', out);
        safe(out, from->address);
        fputc('>', out);
        if (from->org_domain) {
            fputs("  (", out);
            fprintf(out, _("registered domain %s"), from->org_domain);
            fputc(')', out);
        }
    } else {
        fputs(_("(none)"), out);
    }
    fputc('\n', out);
    for (guint i = 0; i < s->identities->len; i++) {
        const identity_t *id = s->identities->pdata[i];
        if (id->role == ID_FROM)
            continue;
        fprintf(out, "  %-12s ", identity_role_name(id->role));
        safe(out, id->role == ID_DKIM ? id->domain : id->address);
        fputc('\n', out);
    }
    if (s->platform) {
        fprintf(out, "  %s %s", _("Sent through:"), s->platform->label);
        if (s->platform->region)
            fprintf(out, _(", region %s"), s->platform->region);
        if (s->platform->account) {
            fputs(_(", account "), out);
            safe(out, s->platform->account);
        }
        fputc('\n', out);
        for (guint i = 0; s->platform->evidence && i < s->platform->evidence->len; i++) {
            fputs("    ", out);
            safe(out, s->platform->evidence->pdata[i]);
            fputc('\n', out);
        }
    }
    if (s->auth && s->auth->source != AUTHMSG_NONE) {
        const authmsg_t *a = s->auth;
        fprintf(out, "  %s SPF %s", _("Authentication:"), a->spf ? a->spf : "-");
        if (a->spf_domain)
            fprintf(out, " (%s)", a->spf_domain);
        for (guint i = 0; i < a->dkim->len; i++) {
            const authmsg_dkim_t *d = a->dkim->pdata[i];
            fprintf(out, ", DKIM %s d=", d->result);
            safe(out, d->domain ? d->domain : "?");
        }
        fprintf(out, ", DMARC %s", a->dmarc ? a->dmarc : "-");
        if (a->dmarc_policy)
            fprintf(out, " (p=%s)", a->dmarc_policy);
        if (a->arc)
            fprintf(out, ", ARC %s", a->arc);
        if (a->source == AUTHMSG_VERIFIED)
            fprintf(out, "  [%s]\n", _("verified by sesguard"));
        else {
            fputs("  [", out);
            fprintf(out, _("reported by %s"), a->authserv_id ? a->authserv_id : "?");
            fputs("]\n", out);
        }
    } else {
        fprintf(out, "  %s %s\n", _("Authentication:"),
                _("not checked (no envelope and no trusted Authentication-Results)"));
    }
    if (s->boundary && s->boundary->client_ip) {
        fprintf(out, "  %s %s", _("Connected from:"), s->boundary->client_ip);
        if (s->boundary->client_helo && *s->boundary->client_helo) {
            fputs(" helo=", out);
            safe(out, s->boundary->client_helo);
        }
        fputc('\n', out);
    }
    if (s->links->len) {
        fprintf(out, "  %s %u\n", _("Links:"), s->links->len);
        for (guint i = 0; i < s->links->len && i < 10; i++) {
            const scan_link_t *l = s->links->pdata[i];
            fputs("    ", out);
            safe(out, l->info.host ? l->info.host : l->link->href);
            if (l->link->text && *l->link->text) {
                fputs("  \"", out);
                char *t =
                    g_utf8_substring(l->link->text, 0, MIN(60, g_utf8_strlen(l->link->text, -1)));
                safe(out, t);
                g_free(t);
                fputc('"', out);
            }
            fputc('\n', out);
        }
        if (s->links->len > 10)
            fprintf(out, _("    ... and %u more\n"), s->links->len - 10);
    }
    for (guint i = 0; i < m->attachments->len; i++) {
        const mail_attachment_t *a = m->attachments->pdata[i];
        fprintf(out, "  %s ", _("Attachment:"));
        safe(out, *a->filename ? a->filename : _("(no name)"));
        fprintf(out, "  %s / %s, %zu bytes, sha256 %s\n", a->declared_type, a->sniffed_type,
                a->size, a->sha256);
    }
    for (guint i = 0; i < m->anomalies->len; i++) {
        const mail_anomaly_rec_t *r = m->anomalies->pdata[i];
        fprintf(out, "  %s %s: ", _("Anomaly:"), _(mail_anomaly_text(r->kind)));
        safe(out, r->detail);
        fputc('\n', out);
    }
    fputc('\n', out);
}

void mailreport_text_summary(FILE *out, unsigned long n, unsigned long suspicious,
                             unsigned long phishing, unsigned long errors)
{
    fprintf(out, _("%lu messages: %lu phishing, %lu suspicious, %lu clean"), n, phishing,
            suspicious, n - phishing - suspicious);
    if (errors)
        fprintf(out, _("; %lu inputs could not be read"), errors);
    fputc('\n', out);
}
