/*
 * cmd_spf.c - `sesguard spf --ip IP --sender ADDR [--helo NAME] ...`:
 * evaluate SPF (RFC 7208) for one client and sender and say why.
 *
 * DNS: --dns-zone FILE (repeatable) answers from master files, offline;
 * --dns HOST[:PORT] asks that server through libunbound; neither: the
 * servers of /etc/resolv.conf. Every query is bounded by --timeout (ms),
 * so an unreachable server gives temperror, never a hang. The
 * configuration file's dns_server and dns_timeout are the defaults of
 * --dns and --timeout; dns_trust_anchor turns on DNSSEC validation.
 *
 * Exit status: 0 pass, none or neutral; 1 fail or softfail; 2 temperror,
 * permerror, or a usage error. (temperror and permerror are "the check
 * could not be made", which scripts must not mistake for a clean pass.)
 */
#include <glib.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth/spf.h"
#include "cli/commands.h"
#include "dns/dns.h"
#include "util/conf.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/paths.h"

#define SPF_CLI_DEFAULT_TIMEOUT_MS 5000
#define SPF_CLI_MAX_TIMEOUT_MS     600000

void cmd_spf_usage(FILE *out)
{
    fputs(_("usage: sesguard spf --ip IP (--sender ADDR | --helo NAME) [--helo NAME]\n"
            "                    [--identity mailfrom|helo] [--record TEXT]\n"
            "                    [--format text|json] [--dns HOST[:PORT]] [--dns-zone FILE]...\n"
            "                    [--timeout MS] [--receiver NAME] [--config FILE] [--lang ja|en]\n"
            "\n"
            "Evaluate SPF (RFC 7208) for a client address and a sender, and show which\n"
            "mechanism in which domain's record decided, and every step on the way.\n"
            "An empty --sender checks postmaster@HELO (RFC 7208 2.4).\n"
            "\n"
            "  --ip IP          the SMTP client address (IPv4 or IPv6)\n"
            "  --sender ADDR    the MAIL FROM address (also --mail-from)\n"
            "  --helo NAME      the HELO/EHLO name (for %{h}, and the HELO identity)\n"
            "  --identity ID    mailfrom (default) or helo (RFC 7208 2.3)\n"
            "  --record TEXT    evaluate TEXT as the sender domain's record instead of\n"
            "                   looking it up (try a policy before publishing it)\n"
            "  --format F       text (default) or json\n"
            "  --dns H[:P]      ask this DNS server (IP address) instead of resolv.conf\n"
            "  --dns-zone FILE  answer from this RFC 1035 master file (repeatable; offline)\n"
            "  --timeout MS     per-query DNS timeout (default 5000)\n"
            "  --receiver NAME  our host name, for the %{r} macro in explanations\n"
            "  --config FILE    configuration file (default /etc/sesguard/sesguard.conf):\n"
            "                   dns_server and dns_timeout give --dns and --timeout\n"
            "  --lang L         ja or en (default: from LANG)\n"
            "\n"
            "exit status: 0 pass, none or neutral; 1 fail or softfail;\n"
            "             2 temperror, permerror or usage error\n"),
          out);
}

typedef struct spf_args {
    const char *ip, *sender, *helo, *identity, *record, *format, *dns, *timeout, *receiver, *lang,
        *config, *anchor;
    GPtrArray *zones;
} spf_args_t;

/* Returns 0, 1 for --help, -1 on a usage error. */
static int parse_args(int argc, char **argv, spf_args_t *a)
{
    static const char *const names[] = {
        "--ip",  "--sender",  "--mail-from", "--helo", "--identity", "--record",  "--format",
        "--dns", "--timeout", "--receiver",  "--lang", "--config",   "--dns-zone"};
    const char **slots[] = {&a->ip,     &a->sender, &a->sender, &a->helo,    &a->identity,
                            &a->record, &a->format, &a->dns,    &a->timeout, &a->receiver,
                            &a->lang,   &a->config, NULL};
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
            return 1;
        const char *val = NULL;
        size_t k = 0;
        for (; k < G_N_ELEMENTS(names); k++) {
            size_t n = strlen(names[k]);
            if (strncmp(arg, names[k], n) == 0 && arg[n] == '=') {
                val = arg + n + 1;
                break;
            }
            if (strcmp(arg, names[k]) == 0 && i + 1 < argc) {
                val = argv[++i];
                break;
            }
        }
        if (!val) {
            fprintf(stderr, _("sesguard: spf: unknown option or missing value '%s'\n"), arg);
            return -1;
        }
        if (slots[k])
            *slots[k] = val;
        else
            g_ptr_array_add(a->zones, (gpointer)val);
    }
    return 0;
}

static dns_resolver_t *open_resolver(const spf_args_t *a, unsigned timeout_ms)
{
    char *err = NULL;
    dns_resolver_t *r;
    if (a->zones->len) {
        g_ptr_array_add(a->zones, NULL);
        r = dns_zone_new((const char *const *)a->zones->pdata, &err);
        g_ptr_array_remove_index(a->zones, a->zones->len - 1);
    } else {
        r = dns_unbound_new(a->dns, timeout_ms, &err);
        if (r && a->anchor && dns_unbound_trust_anchor(r, a->anchor, &err) != 0) {
            dns_resolver_free(r);
            r = NULL;
        }
    }
    if (!r) {
        log_err("spf: %s", err ? err : "cannot set up DNS");
        g_free(err);
    }
    return r;
}

static void print_json(const spf_result_t *r)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "schema", json_object_new_int(1));
    json_object_object_add(o, "result", json_object_new_string(spf_res_name(r->result)));
    json_object_object_add(
        o, "identity", json_object_new_string(r->identity == SPF_ID_HELO ? "helo" : "mailfrom"));
    json_object_object_add(o, "sender", r->sender ? json_object_new_string(r->sender) : NULL);
    json_object_object_add(o, "domain", r->domain ? json_object_new_string(r->domain) : NULL);
    json_object_object_add(o, "record_domain",
                           r->record_domain ? json_object_new_string(r->record_domain) : NULL);
    json_object_object_add(o, "record", r->record ? json_object_new_string(r->record) : NULL);
    json_object_object_add(o, "mechanism",
                           r->mechanism ? json_object_new_string(r->mechanism) : NULL);
    json_object_object_add(o, "explanation",
                           r->explanation ? json_object_new_string(r->explanation) : NULL);
    json_object_object_add(o, "problem", r->problem ? json_object_new_string(r->problem) : NULL);
    json_object_object_add(o, "lookups", json_object_new_int((int)r->lookups));
    json_object_object_add(o, "void_lookups", json_object_new_int((int)r->void_lookups));
    json_object *t = json_object_new_array();
    for (guint i = 0; i < r->trace->len; i++)
        json_object_array_add(t, json_object_new_string(g_ptr_array_index(r->trace, i)));
    json_object_object_add(o, "trace", t);
    puts(
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

static void print_text(const spf_result_t *r)
{
    printf(_("SPF %s for %s (%s identity)\n"), spf_res_name(r->result), r->domain ? r->domain : "",
           r->identity == SPF_ID_HELO ? "HELO" : "MAIL FROM");
    if (r->mechanism)
        printf(_("  decided by: %s in the record of %s\n"), r->mechanism,
               r->record_domain ? r->record_domain : "?");
    if (r->record)
        printf(_("  record: %s\n"), r->record);
    if (r->explanation)
        printf(_("  explanation: %s\n"), r->explanation);
    if (r->problem)
        printf(_("  problem: %s\n"), r->problem);
    printf(_("  DNS lookups: %u (void: %u)\n"), r->lookups, r->void_lookups);
    printf("%s", _("  why:\n"));
    for (guint i = 0; i < r->trace->len; i++)
        printf("    %s\n", (const char *)g_ptr_array_index(r->trace, i));
}

static int exit_for(spf_res_t r)
{
    switch (r) {
    case SPF_PASS:
    case SPF_NONE:
    case SPF_NEUTRAL:
        return EXIT_CLEAN;
    case SPF_FAIL:
    case SPF_SOFTFAIL:
        return EXIT_FINDINGS;
    default:
        return EXIT_TROUBLE;
    }
}

/* The configuration file: the named one must load; the default one is
 * read when it exists. NULL after log_err on error. */
static int run_checked(const spf_args_t *a, output_format_t fmt, bool helo_id);

static conf_t *load_config(const char *path)
{
    conf_t *c = conf_new();
    char *dflt = NULL;
    if (!path) {
        dflt = g_build_filename(paths_sysconfdir(), "sesguard.conf", NULL);
        if (access(dflt, R_OK) == 0)
            path = dflt;
    }
    char *err = NULL;
    if (path && conf_load_file(c, path, &err) != 0) {
        log_err("spf: %s", err ? err : path);
        g_free(err);
        conf_free(c);
        c = NULL;
    }
    g_free(dflt);
    return c;
}

static int run_spf(spf_args_t *a)
{
    output_format_t fmt = FORMAT_TEXT;
    if ((a->lang && cli_init_lang(a->lang) != 0) ||
        (a->format && cli_parse_format(a->format, "text,json", &fmt) != 0))
        return EXIT_TROUBLE;
    bool helo_id = false;
    if (a->identity) {
        if (strcmp(a->identity, "helo") == 0)
            helo_id = true;
        else if (strcmp(a->identity, "mailfrom") != 0) {
            log_err("spf: --identity: expected mailfrom or helo, not '%s'", a->identity);
            return EXIT_TROUBLE;
        }
    }
    if (!a->ip || (!a->sender && !a->helo) || (helo_id && !a->helo)) {
        fprintf(stderr, "%s", _("sesguard: spf: give --ip and --sender (or --helo)\n"));
        cmd_spf_usage(stderr);
        return EXIT_TROUBLE;
    }
    conf_t *conf = load_config(a->config);
    if (!conf)
        return EXIT_TROUBLE;
    if (!a->timeout)
        a->timeout = conf_get(conf, "dns_timeout");
    if (!a->dns && !a->zones->len)
        a->dns = conf_get(conf, "dns_server");
    a->anchor = conf_get(conf, "dns_trust_anchor");
    int rc = run_checked(a, fmt, helo_id);
    conf_free(conf);
    return rc;
}

static int run_checked(const spf_args_t *a, output_format_t fmt, bool helo_id)
{
    if (a->dns && a->zones->len) {
        log_err("spf: give --dns or --dns-zone, not both");
        return EXIT_TROUBLE;
    }
    unsigned timeout = SPF_CLI_DEFAULT_TIMEOUT_MS;
    if (a->timeout) {
        char *end = NULL;
        guint64 v = g_ascii_strtoull(a->timeout, &end, 10);
        if (!end || *end || end == a->timeout || v == 0 || v > SPF_CLI_MAX_TIMEOUT_MS) {
            log_err("spf: --timeout: expected milliseconds (1..%u), not '%s'",
                    SPF_CLI_MAX_TIMEOUT_MS, a->timeout);
            return EXIT_TROUBLE;
        }
        timeout = (unsigned)v;
    }
    dns_resolver_t *dns = open_resolver(a, timeout);
    if (!dns)
        return EXIT_TROUBLE;
    spf_options_t opt = {.receiver = a->receiver};
    spf_result_t res;
    const char *sender = a->sender ? a->sender : "";
    if (helo_id)
        spf_check_helo(dns, &opt, a->ip, a->helo, &res);
    else if (a->record) {
        const char *at = strrchr(sender, '@');
        const char *domain = *sender ? (at ? at + 1 : sender) : (a->helo ? a->helo : "");
        char *full = *sender ? g_strdup(sender) : g_strdup_printf("postmaster@%s", domain);
        spf_check_host(dns, &opt, a->ip, domain, full, a->helo, a->record, &res);
        g_free(full);
    } else
        spf_check(dns, &opt, a->ip, sender, a->helo, &res);
    if (fmt == FORMAT_JSON)
        print_json(&res);
    else
        print_text(&res);
    fflush(stdout);
    int rc = exit_for(res.result);
    if (ferror(stdout)) {
        log_err("spf: cannot write the result");
        rc = EXIT_TROUBLE;
    }
    spf_result_clear(&res);
    dns_resolver_free(dns);
    return rc;
}

int cmd_spf(int argc, char **argv)
{
    spf_args_t a = {0};
    a.zones = g_ptr_array_new();
    int p = parse_args(argc, argv, &a);
    int rc;
    if (p > 0) {
        cmd_spf_usage(stdout);
        rc = EXIT_CLEAN;
    } else if (p < 0) {
        cmd_spf_usage(stderr);
        rc = EXIT_TROUBLE;
    } else {
        rc = run_spf(&a);
    }
    g_ptr_array_free(a.zones, TRUE);
    return rc;
}
