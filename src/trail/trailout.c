/*
 * trailout.c - incident writers; see trailout.h.
 */
#include "trail/trailout.h"

#include <glib.h>
#include <json-c/json.h>
#include <string.h>

#include "trail/cttime.h"
#include "util/i18n.h"

/* ---- JSON Lines --------------------------------------------------------- */

static json_object *str_array(const char *const *v, size_t n)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(a, json_object_new_string(v[i]));
    return a;
}

static json_object *time_obj(int64_t t)
{
    char b[CTTIME_BUFSZ];
    if (t == CTTIME_INVALID)
        return NULL;
    cttime_format(t, b);
    return json_object_new_string(b);
}

static json_object *incident_json(const traildetect_t *d, const trail_incident_t *in)
{
    const trailrules_t *R = traildetect_rules(d);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "schema", json_object_new_int(TRAILOUT_SCHEMA));
    json_object_object_add(o, "severity", json_object_new_string(tsev_name(in->severity)));
    json_object_object_add(o, "title", json_object_new_string(in->title));
    json_object_object_add(o, "access_key_id", json_object_new_string(in->access_key));
    json_object_object_add(o, "long_term_key", json_object_new_boolean(in->long_term));
    json_object_object_add(o, "principal", json_object_new_string(in->principal));
    json_object_object_add(o, "principal_type", json_object_new_string(in->principal_type));
    json_object_object_add(o, "account", json_object_new_string(in->account));
    json_object *dets = json_object_new_array(), *counts = json_object_new_object();
    for (int i = 0; i < trailrules_count(R); i++) {
        if (!(in->dets >> i & 1))
            continue;
        const trail_detection_t *dd = trailrules_get(R, i);
        json_object_array_add(dets, json_object_new_string(dd->name));
        json_object_object_add(counts, dd->name, json_object_new_int64(in->det_counts[i]));
    }
    json_object_object_add(o, "detections", dets);
    json_object_object_add(o, "detection_counts", counts);
    json_object_object_add(o, "ses_chain", json_object_new_boolean(in->chain));
    json_object_object_add(o, "first_seen", time_obj(in->first_seen));
    json_object_object_add(o, "last_seen", time_obj(in->last_seen));
    json_object_object_add(o, "regions", str_array(in->regions, in->n_regions));
    json_object_object_add(o, "source_ips", str_array(in->source_ips, in->n_ips));
    json_object_object_add(o, "user_agents", str_array(in->user_agents, in->n_uas));
    json_object_object_add(o, "new_source_ips", str_array(in->new_ips, in->n_new_ips));
    json_object_object_add(o, "new_user_agents", str_array(in->new_uas, in->n_new_uas));
    json_object_object_add(o, "created", str_array(in->created, in->n_created));
    json_object_object_add(o, "tool", in->tool ? json_object_new_string(in->tool) : NULL);
    json_object_object_add(o, "created_by",
                           in->created_by ? json_object_new_string(in->created_by) : NULL);
    if (in->burst_regions >= TD_BURST_REGIONS) {
        json_object *b = json_object_new_object();
        json_object_object_add(b, "regions", json_object_new_int(in->burst_regions));
        json_object_object_add(b, "seconds", json_object_new_int(in->burst_seconds));
        json_object_object_add(o, "production_burst", b);
    }
    json_object_object_add(o, "access_denied", json_object_new_int64((int64_t)in->denied));
    json_object_object_add(o, "key_records", json_object_new_int64((int64_t)in->records));
    json_object_object_add(o, "key_first_seen", time_obj(in->key_first));
    json_object_object_add(o, "key_last_seen", time_obj(in->key_last));
    json_object *ev = json_object_new_array();
    for (size_t i = 0; i < in->n_events; i++) {
        const trail_event_t *e = &in->events[i];
        json_object *x = json_object_new_object();
        json_object_object_add(x, "time", time_obj(e->time));
        json_object_object_add(x, "source", json_object_new_string(e->source));
        json_object_object_add(x, "name", json_object_new_string(e->name));
        json_object_object_add(x, "region", json_object_new_string(e->region));
        json_object_object_add(x, "ip", json_object_new_string(e->ip));
        json_object_object_add(x, "user_agent", json_object_new_string(e->user_agent));
        json_object_object_add(x, "result", json_object_new_string(e->result));
        const trail_detection_t *dd = trailrules_get(R, e->det);
        json_object_object_add(x, "detection", dd ? json_object_new_string(dd->name) : NULL);
        json_object_array_add(ev, x);
    }
    json_object_object_add(o, "events", ev);
    json_object_object_add(o, "events_not_shown",
                           json_object_new_int64((int64_t)in->events_dropped));
    json_object *att = json_object_new_array();
    for (char **a = in->attack; a && *a; a++)
        json_object_array_add(att, json_object_new_string(*a));
    json_object_object_add(o, "attack", att);
    return o;
}

void trailout_json(FILE *out, const traildetect_t *d)
{
    for (size_t i = 0; i < traildetect_count(d); i++) {
        json_object *o = incident_json(d, traildetect_get(d, i));
        fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                    JSON_C_TO_STRING_NOSLASHESCAPE),
              out);
        fputc('\n', out);
        json_object_put(o);
    }
}

/* ---- text ---------------------------------------------------------------- */

/* Log strings on a terminal: control characters become '?'. */
static void safe(FILE *out, const char *s)
{
    for (; s && *s; s++)
        fputc(((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s, out);
}

static void safe_list(FILE *out, const char *const *v, size_t n, size_t max)
{
    for (size_t i = 0; i < n && i < max; i++) {
        if (i)
            fputs(", ", out);
        safe(out, v[i]);
    }
    if (n > max)
        fprintf(out, _(", and %zu more"), n - max);
    if (n == 0)
        fputs("-", out);
}

static const char *sev_label(tsev_t s)
{
    switch (s) {
    case TSEV_CRITICAL:
        return _("CRITICAL");
    case TSEV_HIGH:
        return _("HIGH");
    case TSEV_MEDIUM:
        return _("MEDIUM");
    case TSEV_LOW:
        return _("LOW");
    default:
        return _("INFO");
    }
}

static bool has_stage(const trailrules_t *R, const trail_incident_t *in, tstage_t st)
{
    for (int i = 0; i < trailrules_count(R); i++)
        if ((in->dets >> i & 1) && trailrules_get(R, i)->stage == st &&
            trailrules_get(R, i)->severity > TSEV_NONE)
            return true;
    return false;
}

static void steps(FILE *out, const trailrules_t *R, const trail_incident_t *in)
{
    int n = 1;
    fprintf(out, "  %s\n", _("What to do:"));
    if (in->access_key[0]) {
        fprintf(out, "    %d. ", n++);
        fprintf(out,
                _("Deactivate the access key now: aws iam update-access-key --access-key-id %s "
                  "--status Inactive (add --user-name for another user's key)."),
                in->access_key);
        fputc('\n', out);
    } else {
        fprintf(out, "    %d. %s\n", n++,
                _("Revoke the principal's sessions and credentials (for a role: revoke active "
                  "sessions in the IAM console)."));
    }
    if (has_stage(R, in, TSTAGE_PRODUCTION) || has_stage(R, in, TSTAGE_IDENTITY) ||
        has_stage(R, in, TSTAGE_SENDING) || has_stage(R, in, TSTAGE_RECON)) {
        fprintf(out, "    %d. %s\n", n++,
                _("In every region listed, review and delete SES identities you do not own (aws "
                  "sesv2 list-email-identities --region R; aws sesv2 delete-email-identity)."));
        fprintf(out, "    %d. %s\n", n++,
                _("Check what was sent: SES sending statistics and CloudWatch metrics per region, "
                  "bounces and complaints; warn the people who may have received phishing."));
        fprintf(
            out, "    %d. %s\n", n++,
            _("If production access was requested without your knowledge, tell AWS Support and "
              "disable sending (aws sesv2 put-account-sending-attributes --no-sending-enabled)."));
    }
    if (has_stage(R, in, TSTAGE_PERSISTENCE) || in->n_created) {
        fprintf(out, "    %d. %s", n++,
                _("Delete the IAM users, access keys, login profiles and policy attachments the "
                  "attacker created"));
        if (in->n_created) {
            fputs(": ", out);
            safe_list(out, in->created, in->n_created, TD_MAX_CREATED);
        }
        fputs(".\n", out);
    }
    if (has_stage(R, in, TSTAGE_TAMPER))
        fprintf(out, "    %d. %s\n", n++,
                _("Turn CloudTrail logging back on, restore event selectors, and look for gaps in "
                  "the logs."));
    fprintf(out, "    %d. %s\n", n++,
            _("Rotate every credential the key's owner could reach, enforce MFA, and move "
              "workloads from long-term keys to IAM roles."));
}

static bool same_step(const trail_event_t *a, const trail_event_t *b)
{
    return a->name == b->name && a->source == b->source && a->ip == b->ip &&
           a->result == b->result; /* interned: pointers compare */
}

/* The timeline for people: runs of the same call from the same address
 * with the same result are one line ("x17, 17 regions, until ..."), so
 * that hours of polling or a burst over every region stay readable. */
static void text_timeline(FILE *out, const trail_incident_t *in)
{
    size_t lines = 0, i = 0;
    char a[CTTIME_BUFSZ], b[CTTIME_BUFSZ];
    while (i < in->n_events && lines < TRAILOUT_TEXT_EVENTS) {
        size_t j = i + 1, regions = 1;
        while (j < in->n_events && same_step(&in->events[i], &in->events[j])) {
            bool seen = false;
            for (size_t k = i; k < j && !seen; k++)
                seen = in->events[k].region == in->events[j].region;
            regions += !seen;
            j++;
        }
        const trail_event_t *e = &in->events[i];
        cttime_format(e->time, a);
        fprintf(out, "    %s  ", a);
        safe(out, e->source);
        fputc(':', out);
        safe(out, e->name);
        fputs("  ", out);
        if (regions > 1)
            fprintf(out, _("%zu regions"), regions);
        else
            safe(out, e->region);
        fputs("  ", out);
        safe(out, e->ip);
        fputs("  ", out);
        safe(out, e->result);
        if (j - i > 1) {
            cttime_format(in->events[j - 1].time, b);
            fprintf(out, "  (x%zu, ", j - i);
            fprintf(out, _("until %s"), b);
            fputc(')', out);
        }
        fputc('\n', out);
        lines++;
        i = j;
    }
    uint64_t more = (uint64_t)(in->n_events - i) + in->events_dropped;
    if (more)
        fprintf(out, "    %s %llu\n", _("... events not shown:"), (unsigned long long)more);
}

static void text_incident(FILE *out, const traildetect_t *d, const trail_incident_t *in, size_t no)
{
    const trailrules_t *R = traildetect_rules(d);
    char a[CTTIME_BUFSZ], b[CTTIME_BUFSZ];
    const trail_detection_t *lead = trailrules_get(R, in->lead);
    fprintf(out, "#%zu [%s] ", no, sev_label(in->severity));
    if (in->chain)
        fputs(_("SES takeover: the sandbox was lifted and sending was prepared"), out);
    else
        fputs(lead ? _(lead->title) : "?", out);
    fputc('\n', out);
    fprintf(out, "  %s ", _("key:"));
    safe(out, in->access_key[0] ? in->access_key : in->key);
    fputs(in->long_term ? _(" (long-term)") : "", out);
    fprintf(out, "\n  %s ", _("principal:"));
    safe(out, in->principal[0] ? in->principal : "-");
    if (in->principal_type[0]) {
        fputs(" (", out);
        safe(out, in->principal_type);
        fputs(")", out);
    }
    cttime_format(in->first_seen, a);
    cttime_format(in->last_seen, b);
    fprintf(out, "\n  %s %s .. %s\n", _("evidence from"), a, b);
    fprintf(out, "  %s ", _("regions:"));
    safe_list(out, in->regions, in->n_regions, 20);
    fprintf(out, "\n  %s ", _("source IPs:"));
    safe_list(out, in->source_ips, in->n_ips, 10);
    fprintf(out, "\n  %s ", _("user agents:"));
    safe_list(out, in->user_agents, in->n_uas, 3);
    fprintf(out, "\n  %s\n", _("detections:"));
    for (int i = 0; i < trailrules_count(R); i++) {
        if (!(in->dets >> i & 1))
            continue;
        const trail_detection_t *dd = trailrules_get(R, i);
        fprintf(out, "    - %s", _(dd->title));
        if (in->det_counts[i] > 1)
            fprintf(out, " (x%u)", in->det_counts[i]);
        fprintf(out, " [%s]\n", dd->name);
    }
    if (in->burst_regions >= TD_BURST_REGIONS) {
        fprintf(out, "    ");
        fprintf(out, _("production access asked for %d regions within %d seconds"),
                in->burst_regions, in->burst_seconds);
        fputc('\n', out);
    }
    if (in->n_new_ips) {
        fprintf(out, "    %s ", _("new source IPs for this key:"));
        safe_list(out, in->new_ips, in->n_new_ips, 10);
        fputc('\n', out);
    }
    if (in->tool) {
        fprintf(out, "    %s ", _("attack tool:"));
        safe(out, in->tool);
        fputc('\n', out);
    }
    if (in->created_by) {
        fprintf(out, "    %s ", _("created by the key:"));
        safe(out, in->created_by);
        fputc('\n', out);
    }
    fprintf(out, "  %s\n", _("timeline:"));
    text_timeline(out, in);
    fprintf(out, "  %s ", _("MITRE ATT&CK:"));
    for (char **t = in->attack; t && *t; t++)
        fprintf(out, "%s%s", t == in->attack ? "" : ", ", *t);
    fputc('\n', out);
    steps(out, R, in);
    fputc('\n', out);
}

void trailout_text(FILE *out, const traildetect_t *d, const ctread_stats_t *rs)
{
    const traildetect_stats_t *st = traildetect_stats(d);
    for (size_t i = 0; i < traildetect_count(d); i++)
        text_incident(out, d, traildetect_get(d, i), i + 1);
    fprintf(out,
            _("%zu incident(s); %llu records in %llu file(s) (%llu by AWS services, %llu "
              "duplicates), %llu keys or principals\n"),
            traildetect_count(d), (unsigned long long)st->records, (unsigned long long)rs->files,
            (unsigned long long)st->benign, (unsigned long long)st->duplicates,
            (unsigned long long)st->keys);
}

/* ---- HTML ---------------------------------------------------------------- */

static void h(FILE *out, const char *s)
{
    char *e = g_markup_escape_text(s ? s : "", -1);
    fputs(e, out);
    g_free(e);
}

/* "source:name", region, IP and result of an event, HTML-escaped, with
 * sep (raw markup) between the fields. */
static void h_event(FILE *out, const trail_event_t *e, const char *sep)
{
    h(out, e->source);
    fputs(":", out);
    h(out, e->name);
    fputs(sep, out);
    h(out, e->region);
    fputs(sep, out);
    h(out, e->ip);
    fputs(sep, out);
    h(out, e->result);
}

static const char *sev_color(tsev_t s)
{
    switch (s) {
    case TSEV_CRITICAL:
        return "#8b0000";
    case TSEV_HIGH:
        return "#d9480f";
    case TSEV_MEDIUM:
        return "#e0a800";
    case TSEV_LOW:
        return "#4a7ab5";
    default:
        return "#888888";
    }
}

#define SVG_W    900
#define SVG_LEFT 110
#define SVG_LANE 22

/* Time axis with long quiet periods folded: a gap longer than SVG_GAP
 * seconds takes only SVG_FOLD seconds of axis and is drawn as a dashed
 * break labelled with its length, so that two days of an application's
 * polling and five minutes of attack are both readable. */
#define SVG_GAP  300
#define SVG_FOLD 30

static double *svg_positions(const trail_incident_t *in, int64_t *breaks, size_t *nbreaks)
{
    double *pos = g_new0(double, in->n_events ? in->n_events : 1);
    double axis = 0;
    *nbreaks = 0;
    for (size_t i = 1; i < in->n_events; i++) {
        int64_t a = in->events[i - 1].time, b = in->events[i].time;
        int64_t d = (a == CTTIME_INVALID || b == CTTIME_INVALID) ? 0 : b - a;
        if (d > SVG_GAP) {
            breaks[(*nbreaks)++] = (int64_t)i;
            d = SVG_FOLD;
        }
        axis += (double)d;
        pos[i] = axis;
    }
    double w = SVG_W - SVG_LEFT - 20;
    for (size_t i = 0; i < in->n_events; i++)
        pos[i] = SVG_LEFT + (axis > 0 ? pos[i] / axis : 0.5) * w;
    return pos;
}

static void svg_gap_label(FILE *out, int64_t secs, double x, int y)
{
    char b[32];
    if (secs >= 86400)
        snprintf(b, sizeof b, "+%lldd %lldh", (long long)(secs / 86400),
                 (long long)(secs % 86400 / 3600));
    else if (secs >= 3600)
        snprintf(b, sizeof b, "+%lldh %lldm", (long long)(secs / 3600),
                 (long long)(secs % 3600 / 60));
    else
        snprintf(b, sizeof b, "+%lldm", (long long)(secs / 60));
    fprintf(out,
            "<text x=\"%.1f\" y=\"%d\" font-size=\"10\" fill=\"#666\" "
            "text-anchor=\"middle\">%s</text>\n",
            x, y, b);
}

static void svg_timeline(FILE *out, const trailrules_t *R, const trail_incident_t *in)
{
    static const tstage_t lanes[] = {TSTAGE_RECON,   TSTAGE_PRODUCTION,  TSTAGE_IDENTITY,
                                     TSTAGE_SENDING, TSTAGE_PERSISTENCE, TSTAGE_TAMPER,
                                     TSTAGE_ACCESS,  TSTAGE_CONTEXT};
    int nl = (int)G_N_ELEMENTS(lanes);
    int height = nl * SVG_LANE + 40;
    int64_t *breaks = g_new(int64_t, in->n_events + 1);
    size_t nbreaks;
    double *pos = svg_positions(in, breaks, &nbreaks);
    fprintf(out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
            "role=\"img\" aria-label=\"timeline\">\n",
            SVG_W, height);
    for (int l = 0; l < nl; l++) {
        int y = 10 + l * SVG_LANE;
        fprintf(out,
                "<text x=\"4\" y=\"%d\" font-size=\"12\">%s</text>"
                "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#ddd\"/>\n",
                y + 14, tstage_name(lanes[l]), SVG_LEFT, y + 10, SVG_W - 10, y + 10);
    }
    double last_label = -100;
    for (size_t k = 0; k < nbreaks; k++) {
        size_t i = (size_t)breaks[k];
        double x = (pos[i - 1] + pos[i]) / 2;
        fprintf(out,
                "<line x1=\"%.1f\" y1=\"10\" x2=\"%.1f\" y2=\"%d\" stroke=\"#999\" "
                "stroke-dasharray=\"3,3\"/>\n",
                x, x, height - 30);
        if (x - last_label > 45) { /* closer labels would overlap */
            svg_gap_label(out, in->events[i].time - in->events[i - 1].time, x, height - 20);
            last_label = x;
        }
    }
    for (size_t i = 0; i < in->n_events; i++) {
        const trail_event_t *e = &in->events[i];
        const trail_detection_t *dd = trailrules_get(R, e->det);
        tstage_t st = dd ? dd->stage : TSTAGE_CONTEXT;
        int l = nl - 1;
        for (int k = 0; k < nl; k++)
            if (lanes[k] == st)
                l = k;
        char ts[CTTIME_BUFSZ];
        cttime_format(e->time, ts);
        fprintf(out,
                "<circle cx=\"%.1f\" cy=\"%d\" r=\"5\" fill=\"%s\" fill-opacity=\"0.8\"><title>",
                pos[i], 20 + l * SVG_LANE, sev_color(dd ? dd->severity : TSEV_NONE));
        h(out, ts);
        fputs(" ", out);
        h_event(out, e, " ");
        fputs("</title></circle>\n", out);
    }
    char a[CTTIME_BUFSZ], b[CTTIME_BUFSZ];
    cttime_format(in->first_seen, a);
    cttime_format(in->last_seen, b);
    fprintf(out,
            "<text x=\"%d\" y=\"%d\" font-size=\"11\">%s</text>"
            "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%s</text>\n</svg>\n",
            SVG_LEFT, height - 6, a, SVG_W - 10, height - 6, b);
    g_free(pos);
    g_free(breaks);
}

static void html_list(FILE *out, const char *const *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", out);
        h(out, v[i]);
    }
    if (n == 0)
        fputs("-", out);
}

void trailout_html(FILE *out, const traildetect_t *d, const ctread_stats_t *rs)
{
    const trailrules_t *R = traildetect_rules(d);
    const traildetect_stats_t *st = traildetect_stats(d);
    fputs(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">"
        "<title>sesguard trail</title><style>"
        "body{font-family:sans-serif;margin:2em;max-width:960px}"
        "h2{border-bottom:1px solid #ccc}.sev{color:#fff;padding:2px 8px;border-radius:4px}"
        "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ddd;padding:2px 6px;"
        "text-align:left;vertical-align:top}</style></head><body>\n",
        out);
    fprintf(out, "<h1>%s</h1>\n<p>", _("SES takeover report (CloudTrail)"));
    fprintf(out,
            _("%zu incident(s); %llu records in %llu file(s) (%llu by AWS services, %llu "
              "duplicates), %llu keys or principals\n"),
            traildetect_count(d), (unsigned long long)st->records, (unsigned long long)rs->files,
            (unsigned long long)st->benign, (unsigned long long)st->duplicates,
            (unsigned long long)st->keys);
    fputs("</p>\n", out);
    for (size_t i = 0; i < traildetect_count(d); i++) {
        const trail_incident_t *in = traildetect_get(d, i);
        const trail_detection_t *lead = trailrules_get(R, in->lead);
        fprintf(out, "<h2><span class=\"sev\" style=\"background:%s\">%s</span> ",
                sev_color(in->severity), sev_label(in->severity));
        h(out, in->chain ? _("SES takeover: the sandbox was lifted and sending was prepared")
                         : (lead ? _(lead->title) : "?"));
        fputs("</h2>\n<table>", out);
        fprintf(out, "<tr><th>%s</th><td>", _("key:"));
        h(out, in->access_key[0] ? in->access_key : in->key);
        fprintf(out, "</td></tr><tr><th>%s</th><td>", _("principal:"));
        h(out, in->principal);
        char a[CTTIME_BUFSZ], b[CTTIME_BUFSZ];
        cttime_format(in->first_seen, a);
        cttime_format(in->last_seen, b);
        fprintf(out, "</td></tr><tr><th>%s</th><td>%s .. %s</td></tr>", _("evidence from"), a, b);
        fprintf(out, "<tr><th>%s</th><td>", _("regions:"));
        html_list(out, in->regions, in->n_regions);
        fprintf(out, "</td></tr><tr><th>%s</th><td>", _("source IPs:"));
        html_list(out, in->source_ips, in->n_ips);
        fprintf(out, "</td></tr><tr><th>%s</th><td>", _("user agents:"));
        html_list(out, in->user_agents, in->n_uas);
        fprintf(out, "</td></tr><tr><th>%s</th><td>", _("detections:"));
        for (int k = 0; k < trailrules_count(R); k++)
            if (in->dets >> k & 1) {
                h(out, _(trailrules_get(R, k)->title));
                fputs("<br>", out);
            }
        fprintf(out, "</td></tr><tr><th>%s</th><td>", _("MITRE ATT&CK:"));
        for (char **t = in->attack; t && *t; t++) {
            h(out, *t);
            fputs(" ", out);
        }
        fputs("</td></tr></table>\n", out);
        svg_timeline(out, R, in);
        fputs("<details><summary>", out);
        h(out, _("timeline:"));
        fputs("</summary><table>\n", out);
        for (size_t k = 0; k < in->n_events; k++) {
            const trail_event_t *e = &in->events[k];
            cttime_format(e->time, a);
            fprintf(out, "<tr><td>%s</td><td>", a);
            h_event(out, e, "</td><td>");
            fputs("</td></tr>\n", out);
        }
        fputs("</table></details>\n", out);
    }
    fputs("</body></html>\n", out);
}
