/*
 * mailreport.c - JSON and text reports of a mail scan; see mailreport.h.
 */
#include "report/mailreport.h"

#include <stdlib.h>
#include <string.h>

#include "util/i18n.h"
#include "util/jsonw.h"

static const char *link_kind(mail_link_kind_t k)
{
    static const char *const names[] = {"text", "anchor", "form", "image", "other"};
    return (unsigned)k < G_N_ELEMENTS(names) ? names[k] : "other";
}

/* "key": "string or null" */
static void kv_str(jsonw_t *w, const char *key, const char *v)
{
    jsonw_key(w, key);
    jsonw_str(w, v);
}

static void kv_bool(jsonw_t *w, const char *key, bool v)
{
    jsonw_key(w, key);
    jsonw_bool(w, v);
}

static void kv_int(jsonw_t *w, const char *key, int64_t v)
{
    jsonw_key(w, key);
    jsonw_int(w, v);
}

static void identity_json(jsonw_t *w, const identity_t *id)
{
    jsonw_obj(w);
    kv_str(w, "role", identity_role_name(id->role));
    if (id->role != ID_DKIM) {
        kv_str(w, "address", id->address);
        kv_str(w, "display_name", id->display_name);
        kv_str(w, "display_name_normalised", id->display_norm);
        kv_str(w, "display_name_skeleton", id->display_skeleton);
        kv_int(w, "display_name_invisible", (int)id->display_flags.invisible);
        kv_int(w, "display_name_combining", (int)id->display_flags.combining);
        kv_bool(w, "display_name_mixed_script", id->display_flags.mixed_script);
    }
    kv_str(w, "domain", id->domain);
    kv_str(w, "domain_unicode", id->domain_unicode);
    kv_str(w, "org_domain", id->org_domain);
    kv_bool(w, "idn", id->idn);
    jsonw_end(w);
}

static void from_json(jsonw_t *w, const scan_t *s)
{
    const identity_t *id = identity_find(s->identities, ID_FROM);
    if (id == NULL) {
        jsonw_null(w);
        return;
    }
    jsonw_obj(w);
    kv_str(w, "address", id->address);
    kv_str(w, "display_name", id->display_name);
    kv_str(w, "display_name_normalised", id->display_norm);
    kv_str(w, "display_name_skeleton", id->display_skeleton);
    kv_str(w, "domain", id->domain);
    kv_str(w, "domain_unicode", id->domain_unicode);
    kv_str(w, "org_domain", id->org_domain);
    jsonw_end(w);
}

static void platform_json(jsonw_t *w, const esp_result_t *p)
{
    if (p == NULL) {
        jsonw_null(w);
        return;
    }
    jsonw_obj(w);
    kv_str(w, "name", p->name);
    kv_str(w, "label", p->label);
    kv_str(w, "region", p->region);
    kv_str(w, "account", p->account);
    jsonw_key(w, "evidence");
    jsonw_arr(w);
    for (guint i = 0; p->evidence && i < p->evidence->len; i++)
        jsonw_str(w, p->evidence->pdata[i]);
    jsonw_end(w);
    if (p->has_send_time) {
        kv_int(w, "send_time_ms", p->send_time_ms);
        kv_int(w, "date_skew_s", p->date_skew_s);
    }
    kv_bool(w, "custom_mail_from", p->custom_mail_from);
    jsonw_end(w);
}

/* Whether a later property of the same result has the same "ptype.name":
 * the last one is written (as json-c's object did), keys stay unique. */
static bool prop_repeated(const authres_result_t *r, guint p)
{
    const authres_prop_t *a = r->props->pdata[p];
    for (guint k = p + 1; k < r->props->len; k++) {
        const authres_prop_t *b = r->props->pdata[k];
        if (strcmp(a->ptype, b->ptype) == 0 && strcmp(a->property, b->property) == 0)
            return true;
    }
    return false;
}

static void envelope_json(jsonw_t *w, const mail_boundary_t *b)
{
    jsonw_obj(w);
    kv_bool(w, "trusted_boundary", b && b->configured);
    kv_str(w, "client_ip", b ? b->client_ip : NULL);
    kv_str(w, "helo", b ? b->client_helo : NULL);
    kv_str(w, "rdns", b ? b->client_rdns : NULL);
    jsonw_key(w, "authentication_results");
    jsonw_arr(w);
    for (guint i = 0; b && b->authres && i < b->authres->len; i++) {
        const authres_t *a = b->authres->pdata[i];
        jsonw_obj(w);
        kv_str(w, "authserv_id", a->authserv_id);
        jsonw_key(w, "results");
        jsonw_arr(w);
        for (guint k = 0; k < a->results->len; k++) {
            const authres_result_t *r = a->results->pdata[k];
            jsonw_obj(w);
            kv_str(w, "method", r->method);
            kv_str(w, "result", r->result);
            for (guint p = 0; r->props && p < r->props->len; p++) {
                const authres_prop_t *pr = r->props->pdata[p];
                char *key = g_strdup_printf("%s.%s", pr->ptype, pr->property);
                /* "method" and "result" are taken; a property cannot have a
                 * name without a dot, so no clash */
                if (!prop_repeated(r, p))
                    kv_str(w, key, pr->value);
                g_free(key);
            }
            jsonw_end(w);
        }
        jsonw_end(w);
        jsonw_end(w);
    }
    jsonw_end(w);
    jsonw_end(w);
}

static void auth_json(jsonw_t *w, const authmsg_t *a)
{
    jsonw_obj(w);
    kv_str(w, "source", authmsg_source_name(a ? a->source : AUTHMSG_NONE));
    if (a == NULL) {
        jsonw_end(w);
        return;
    }
    kv_str(w, "authserv_id", a->authserv_id);
    jsonw_key(w, "spf");
    if (a->spf) {
        jsonw_obj(w);
        kv_str(w, "result", a->spf);
        kv_str(w, "domain", a->spf_domain);
        kv_str(w, "why", a->spf_why);
        jsonw_end(w);
    } else {
        jsonw_null(w);
    }
    jsonw_key(w, "dkim");
    jsonw_arr(w);
    for (guint i = 0; i < a->dkim->len; i++) {
        const authmsg_dkim_t *d = a->dkim->pdata[i];
        jsonw_obj(w);
        kv_str(w, "domain", d->domain);
        kv_str(w, "selector", d->selector);
        kv_str(w, "algorithm", d->algorithm);
        kv_str(w, "result", d->result);
        kv_str(w, "reason", d->reason);
        kv_bool(w, "weak", d->weak);
        kv_bool(w, "body_length_limited", d->body_length_limited);
        jsonw_end(w);
    }
    jsonw_end(w);
    jsonw_key(w, "dmarc");
    if (a->dmarc) {
        jsonw_obj(w);
        kv_str(w, "result", a->dmarc);
        kv_str(w, "policy", a->dmarc_policy);
        kv_str(w, "from_domain", a->dmarc_from_domain);
        kv_str(w, "org_domain", a->dmarc_org_domain);
        kv_str(w, "why", a->dmarc_why);
        jsonw_end(w);
    } else {
        jsonw_null(w);
    }
    kv_str(w, "arc", a->arc);
    jsonw_end(w);
}

/* The text, cut at MAIL_MAX_REPORT_TEXT bytes on a character boundary. */
static bool text_json(jsonw_t *w, const char *text)
{
    size_t n = text ? strlen(text) : 0, max = MAIL_MAX_REPORT_TEXT;
    if (n <= max) {
        jsonw_str_n(w, text ? text : "", n);
        return false;
    }
    while (max > 0 && ((unsigned char)text[max] & 0xc0) == 0x80)
        max--;
    jsonw_str_n(w, text, max);
    return true;
}

void mailreport_json(FILE *out, const scan_t *s)
{
    const mail_msg_t *m = s->msg;
    GString *line = g_string_sized_new(4096);
    jsonw_t jw, *w = &jw;
    jsonw_init(w, line);
    jsonw_obj(w);
    kv_int(w, "schema", MAILREPORT_SCHEMA);
    jsonw_key(w, "source");
    jsonw_obj(w);
    kv_str(w, "path", s->source_path);
    jsonw_key(w, "index");
    if (s->source_index >= 0)
        jsonw_int(w, s->source_index);
    else
        jsonw_null(w);
    jsonw_end(w);
    kv_int(w, "size", (int64_t)m->raw_size);
    kv_str(w, "message_id", m->message_id);
    kv_str(w, "subject", m->subject);
    kv_str(w, "date", m->date_raw);
    jsonw_key(w, "date_unix");
    if (m->date != G_MININT64)
        jsonw_int(w, m->date);
    else
        jsonw_null(w);
    jsonw_key(w, "from");
    from_json(w, s);
    jsonw_key(w, "identities");
    jsonw_arr(w);
    for (guint i = 0; i < s->identities->len; i++)
        identity_json(w, s->identities->pdata[i]);
    jsonw_end(w);
    jsonw_key(w, "platform");
    platform_json(w, s->platform);
    jsonw_key(w, "envelope");
    envelope_json(w, s->boundary);
    jsonw_key(w, "auth");
    auth_json(w, s->auth);

    jsonw_key(w, "hops");
    jsonw_arr(w);
    for (guint i = 0; i < m->hops->len; i++) {
        const mail_hop_t *h = m->hops->pdata[i];
        jsonw_obj(w);
        kv_str(w, "from", h->from_name);
        kv_str(w, "helo", h->helo);
        kv_str(w, "rdns", h->rdns);
        kv_str(w, "ip", h->ip);
        kv_str(w, "by", h->by);
        kv_str(w, "with", h->with);
        jsonw_end(w);
    }
    jsonw_end(w);

    jsonw_key(w, "text");
    bool cut = text_json(w, m->text);
    kv_bool(w, "text_truncated", cut);
    jsonw_key(w, "parts");
    jsonw_arr(w);
    for (guint i = 0; i < m->parts->len; i++) {
        const mail_textpart_t *p = m->parts->pdata[i];
        jsonw_obj(w);
        kv_str(w, "content_type", p->content_type);
        kv_str(w, "charset_declared", p->charset_declared);
        kv_str(w, "charset_used", p->charset_used);
        kv_bool(w, "charset_detected", p->charset_detected);
        jsonw_end(w);
    }
    jsonw_end(w);

    jsonw_key(w, "urls");
    jsonw_arr(w);
    for (guint i = 0; i < s->links->len; i++) {
        const scan_link_t *l = s->links->pdata[i];
        jsonw_obj(w);
        kv_str(w, "url", l->link->href);
        kv_str(w, "kind", link_kind(l->link->kind));
        kv_str(w, "text", l->link->text);
        kv_str(w, "scheme", l->info.scheme);
        kv_str(w, "host", l->info.host);
        kv_str(w, "host_unicode", l->info.host_unicode);
        kv_str(w, "org_domain", l->info.org_domain);
        kv_bool(w, "ip_host", l->info.ip_host);
        kv_bool(w, "idn", l->info.idn);
        jsonw_end(w);
    }
    jsonw_end(w);

    jsonw_key(w, "attachments");
    jsonw_arr(w);
    for (guint i = 0; i < m->attachments->len; i++) {
        const mail_attachment_t *a = m->attachments->pdata[i];
        jsonw_obj(w);
        kv_str(w, "filename", a->filename);
        kv_str(w, "declared_type", a->declared_type);
        kv_str(w, "sniffed_type", a->sniffed_type);
        kv_int(w, "size", (int64_t)a->size);
        kv_str(w, "sha256", a->sha256);
        jsonw_end(w);
    }
    jsonw_end(w);

    jsonw_key(w, "anomalies");
    jsonw_arr(w);
    for (guint i = 0; i < m->anomalies->len; i++) {
        const mail_anomaly_rec_t *r = m->anomalies->pdata[i];
        jsonw_obj(w);
        kv_str(w, "name", mail_anomaly_name(r->kind));
        kv_str(w, "detail", r->detail);
        jsonw_end(w);
    }
    jsonw_end(w);

    jsonw_key(w, "symbols");
    jsonw_arr(w);
    for (guint i = 0; i < s->symbols->len; i++) {
        const symbol_t *sy = s->symbols->pdata[i];
        jsonw_obj(w);
        kv_str(w, "name", sy->name);
        kv_str(w, "group", sy->def->group);
        jsonw_key(w, "weight");
        jsonw_double(w, sy->weight);
        kv_str(w, "evidence", sy->evidence);
        char *ex = scan_explain(sy);
        kv_str(w, "explanation", ex);
        g_free(ex);
        jsonw_end(w);
    }
    jsonw_end(w);
    jsonw_key(w, "score");
    jsonw_double(w, s->score);
    kv_str(w, "verdict", verdict_name(s->verdict));
    kv_str(w, "action", action_name(scan_action(s)));
    jsonw_end(w);
    g_warn_if_fail(!jw.error);
    g_string_append_c(line, '\n');
    fwrite(line->str, 1, line->len, out);
    g_string_free(line, TRUE);
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

#define ACCOUNTS_SHOWN_DOMAINS 10

/* safe() into a string, for values that go into a translated format;
 * free() it. NULL if no memory. */
static char *safe_dup(const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (m == NULL)
        return NULL;
    safe(m, s);
    fclose(m);
    return buf;
}

void mailreport_text_accounts(FILE *out, const GPtrArray *accounts)
{
    if (accounts == NULL || accounts->len == 0)
        return;
    fputs(_("Sending-platform accounts that sent for several unrelated From domains in this run "
            "(an abused or stolen account sends in many companies' names):\n"),
          out);
    for (guint i = 0; i < accounts->len; i++) {
        const engine_account_t *a = accounts->pdata[i];
        fprintf(out, "  ");
        char *label = safe_dup(a->label), *account = safe_dup(a->account);
        fprintf(out, _("%s account %s, %u From domains:"), label ? label : "?",
                account ? account : "?", a->n);
        free(label);
        free(account);
        for (unsigned k = 0; k < a->n && k < ACCOUNTS_SHOWN_DOMAINS; k++) {
            fputs(k ? ", " : " ", out);
            safe(out, a->domains[k]);
        }
        if (a->n > ACCOUNTS_SHOWN_DOMAINS)
            fprintf(out, _(", and %u more"), a->n - ACCOUNTS_SHOWN_DOMAINS);
        fputc('\n', out);
    }
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
