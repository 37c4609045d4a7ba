/*
 * cmd_dmarc.c - sesguard dmarc: SPF, every DKIM signature and DMARC for
 * one message and its SMTP envelope, with the Authentication-Results field
 * an MTA would add.
 *
 *   sesguard dmarc --ip IP --mail-from ADDR [--helo NAME] [--format text|json]
 *                  [--dns HOST[:PORT]] [--dns-zone FILE]... [--authserv-id ID] MSG
 *
 * Exit: 0 dmarc=pass or none, 1 fail, 2 temperror/permerror or a usage or
 * input error.
 */
#include <getopt.h>
#include <json-c/json.h>
#include <string.h>

#include "auth/authmsg.h"
#include "cli/commands.h"
#include "dns/dns.h"
#include "mail/message.h"
#include "util/i18n.h"
#include "util/log.h"

void cmd_dmarc_usage(FILE *out)
{
    fputs(_("usage: sesguard dmarc --ip IP --mail-from ADDR [--helo NAME] [OPTIONS] MSG\n"
            "\n"
            "Evaluate SPF, DKIM and DMARC for one message (a file, or - for stdin) as\n"
            "received from IP with the given envelope.\n"
            "\n"
            "options:\n"
            "  --format text|json   output (default text)\n"
            "  --dns HOST[:PORT]    DNS server (default /etc/resolv.conf)\n"
            "  --dns-zone FILE      answer DNS from a zone file (repeatable; offline)\n"
            "  --timeout MS         DNS timeout per query (default 2000)\n"
            "  --authserv-id ID     our name in the Authentication-Results field\n"
            "\n"
            "exit status: 0 pass or no policy, 1 fail, 2 temporary or permanent error,\n"
            "or a usage or input error\n"),
          out);
}

static char *read_input(const char *path, size_t *len)
{
    GError *ge = NULL;
    gchar *data = NULL;
    gsize n = 0;
    if (strcmp(path, "-") == 0) {
        GString *s = g_string_new(NULL);
        char buf[65536];
        size_t r;
        while ((r = fread(buf, 1, sizeof buf, stdin)) > 0 && s->len < MAIL_MAX_MESSAGE_BYTES)
            g_string_append_len(s, buf, (gssize)r);
        *len = s->len;
        return g_string_free(s, FALSE);
    }
    if (!g_file_get_contents(path, &data, &n, &ge)) {
        log_err("%s: %s", path, ge->message);
        g_error_free(ge);
        return NULL;
    }
    *len = n;
    return data;
}

int cmd_dmarc(int argc, char **argv)
{
    static const struct option longopts[] = {{"ip", required_argument, NULL, 'i'},
                                             {"mail-from", required_argument, NULL, 'm'},
                                             {"helo", required_argument, NULL, 'e'},
                                             {"format", required_argument, NULL, 'f'},
                                             {"dns", required_argument, NULL, 'd'},
                                             {"dns-zone", required_argument, NULL, 'z'},
                                             {"timeout", required_argument, NULL, 't'},
                                             {"authserv-id", required_argument, NULL, 'a'},
                                             {"lang", required_argument, NULL, 'l'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    const char *ip = NULL, *mail_from = NULL, *helo = NULL, *dns_server = NULL, *lang = NULL;
    const char *authserv = NULL;
    unsigned timeout = 2000;
    output_format_t format = FORMAT_TEXT;
    GPtrArray *zones = g_ptr_array_new();
    int c, rc = EXIT_TROUBLE;
    optind = 1;
    while ((c = getopt_long(argc, argv, "i:m:e:f:d:z:t:a:l:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'i':
            ip = optarg;
            break;
        case 'm':
            mail_from = optarg;
            break;
        case 'e':
            helo = optarg;
            break;
        case 'd':
            dns_server = optarg;
            break;
        case 'z':
            g_ptr_array_add(zones, optarg);
            break;
        case 'a':
            authserv = optarg;
            break;
        case 'l':
            lang = optarg;
            break;
        case 't': {
            char *end = NULL;
            guint64 v = g_ascii_strtoull(optarg, &end, 10);
            if (end == optarg || *end || v == 0 || v > 600000) {
                fprintf(stderr, "sesguard dmarc: --timeout: not a number of milliseconds\n");
                goto out;
            }
            timeout = (unsigned)v;
            break;
        }
        case 'f':
            if (cli_parse_format(optarg, "text,json", &format) != 0)
                goto out;
            break;
        case 'h':
            cmd_dmarc_usage(stdout);
            rc = EXIT_CLEAN;
            goto out;
        default:
            cmd_dmarc_usage(stderr);
            goto out;
        }
    }
    if (cli_init_lang(lang) != 0)
        goto out;
    if (ip == NULL || mail_from == NULL || optind != argc - 1) {
        cmd_dmarc_usage(stderr);
        goto out;
    }
    char *err = NULL;
    g_ptr_array_add(zones, NULL);
    dns_resolver_t *dns = zones->len > 1 ? dns_zone_new((const char *const *)zones->pdata, &err)
                                         : dns_unbound_new(dns_server, timeout, &err);
    if (dns == NULL) {
        log_err("DNS: %s", err);
        g_free(err);
        goto out;
    }
    size_t len = 0;
    char *raw = read_input(argv[optind], &len);
    if (raw == NULL) {
        dns_resolver_free(dns);
        goto out;
    }
    mail_msg_t *m = mail_msg_parse(raw, len);
    authmsg_env_t env = {ip, helo, mail_from};
    authmsg_t *a = authmsg_verify(dns, raw, len, m, &env);
    char *hdr = authmsg_header(a, authserv ? authserv : g_get_host_name());
    if (format == FORMAT_JSON) {
        json_object *o = json_object_new_object();
        json_object_object_add(o, "schema", json_object_new_int(1));
        json_object_object_add(o, "result", json_object_new_string(a->dmarc));
        json_object_object_add(o, "policy", json_object_new_string(a->dmarc_policy));
        json_object_object_add(o, "from_domain",
                               a->dmarc_from_domain ? json_object_new_string(a->dmarc_from_domain)
                                                    : NULL);
        json_object_object_add(o, "org_domain",
                               a->dmarc_org_domain ? json_object_new_string(a->dmarc_org_domain)
                                                   : NULL);
        json_object_object_add(o, "why",
                               a->dmarc_why ? json_object_new_string(a->dmarc_why) : NULL);
        json_object *spf = json_object_new_object();
        json_object_object_add(spf, "result", json_object_new_string(a->spf));
        json_object_object_add(spf, "domain",
                               a->spf_domain ? json_object_new_string(a->spf_domain) : NULL);
        json_object_object_add(o, "spf", spf);
        json_object *dk = json_object_new_array();
        for (guint i = 0; i < a->dkim->len; i++) {
            const authmsg_dkim_t *d = a->dkim->pdata[i];
            json_object *x = json_object_new_object();
            json_object_object_add(x, "domain",
                                   d->domain ? json_object_new_string(d->domain) : NULL);
            json_object_object_add(x, "selector",
                                   d->selector ? json_object_new_string(d->selector) : NULL);
            json_object_object_add(x, "result", json_object_new_string(d->result));
            json_object_array_add(dk, x);
        }
        json_object_object_add(o, "dkim", dk);
        json_object_object_add(o, "arc", json_object_new_string(a->arc ? a->arc : "none"));
        json_object_object_add(o, "authentication_results", json_object_new_string(hdr));
        puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
    } else {
        printf("dmarc=%s policy=%s from=%s\n", a->dmarc, a->dmarc_policy,
               a->dmarc_from_domain ? a->dmarc_from_domain : "?");
        if (a->dmarc_why)
            printf("  %s\n", a->dmarc_why);
        printf("Authentication-Results: %s\n", hdr);
    }
    rc = strcmp(a->dmarc, "pass") == 0 || strcmp(a->dmarc, "none") == 0 ? EXIT_CLEAN
         : strcmp(a->dmarc, "fail") == 0                                ? EXIT_FINDINGS
                                                                        : EXIT_TROUBLE;
    g_free(hdr);
    authmsg_free(a);
    mail_msg_free(m);
    g_free(raw);
    dns_resolver_free(dns);
out:
    g_ptr_array_free(zones, TRUE);
    return rc;
}
