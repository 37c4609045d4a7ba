/*
 * cmd_mail.c - sesguard mail: a verdict with evidence for each message.
 *
 *   sesguard mail [--format text|json] [--lang ja|en] [--config FILE]
 *                 [--trusted-host HOST]... PATH...
 *
 * PATH: a message, an mbox, a Maildir, a directory, or - for stdin.
 * Exit: 2 if any input could not be read (named on stderr; the others are
 * still scanned), else 1 if any message is suspicious or phishing, else 0.
 */
#include <errno.h>
#include <getopt.h>
#include <glib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "mail/source.h"
#include "report/mailreport.h"
#include "rules/engine.h"
#include "rules/scan.h"
#include "util/conf.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/paths.h"
#include "util/progress.h"

void cmd_mail_usage(FILE *out)
{
    fputs(_("usage: sesguard mail [OPTIONS] PATH...\n"
            "\n"
            "Analyse mail and give each message a verdict with its evidence.\n"
            "PATH is a message file, an mbox, a Maildir, a directory (read\n"
            "recursively) or - for standard input.\n"
            "\n"
            "options:\n"
            "  --format text|json   report format (default text; json is JSON Lines)\n"
            "  --lang ja|en         report language (default from LANG)\n"
            "  --config FILE        configuration file (default /etc/sesguard/sesguard.conf)\n"
            "  --trusted-host HOST  one of our own MX hosts (repeatable; adds to the config)\n"
            "  --ip IP --helo NAME --mail-from ADDR\n"
            "                       the SMTP envelope: verify SPF/DKIM/DMARC/ARC with it\n"
            "  --dns HOST[:PORT]    DNS server for verification (default /etc/resolv.conf)\n"
            "  --dns-zone FILE      answer DNS from a zone file instead (repeatable; offline)\n"
            "  --no-verify          believe the trusted Authentication-Results instead of\n"
            "                       verifying (stored mail whose keys may have changed)\n"
            "  -v, --verbose        more diagnostics on stderr\n"
            "\n"
            "exit status: 0 all clean, 1 suspicious or phishing found, 2 an input\n"
            "could not be read or a usage error\n"),
          out);
}

typedef struct run {
    engine_t *engine;
    output_format_t format;
    progress_t *progress;
    unsigned long messages, suspicious, phishing, errors;
} run_t;

static int on_message(const mail_item_t *item, void *ctx)
{
    run_t *r = ctx;
    scan_t *s = scan_message(r->engine, item);
    if (r->format == FORMAT_JSON)
        mailreport_json(stdout, s);
    else
        mailreport_text(stdout, s);
    r->messages++;
    r->suspicious += s->verdict == VERDICT_SUSPICIOUS;
    r->phishing += s->verdict == VERDICT_PHISHING;
    progress_step(r->progress, item->len);
    scan_free(s);
    return 0;
}

static void on_error(const char *path, int errnum, void *ctx)
{
    run_t *r = ctx;
    r->errors++;
    if (errnum == ENODATA)
        log_err("%s: empty input, no message", path);
    else if (errnum == EINVAL)
        log_err("%s: not a regular file or directory", path);
    else
        log_err("%s: %s", path, g_strerror(errnum));
}

static conf_t *load_config(const char *path, char **err)
{
    conf_t *c = conf_new();
    const char *p = path;
    char *dflt = NULL;
    if (p == NULL) {
        dflt = g_build_filename(paths_sysconfdir(), "sesguard.conf", NULL);
        if (access(dflt, R_OK) == 0)
            p = dflt;
    }
    if (p && conf_load_file(c, p, err) != 0) {
        conf_free(c);
        c = NULL;
    } else if (p) {
        char *dir = g_path_get_dirname(p);
        conf_resolve_paths(c, "dns_zone", dir);
        g_free(dir);
    }
    g_free(dflt);
    return c;
}

int cmd_mail(int argc, char **argv)
{
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                             {"lang", required_argument, NULL, 'l'},
                                             {"config", required_argument, NULL, 'c'},
                                             {"trusted-host", required_argument, NULL, 't'},
                                             {"verbose", no_argument, NULL, 'v'},
                                             {"help", no_argument, NULL, 'h'},
                                             {"ip", required_argument, NULL, 'I'},
                                             {"helo", required_argument, NULL, 'H'},
                                             {"mail-from", required_argument, NULL, 'M'},
                                             {"dns", required_argument, NULL, 'D'},
                                             {"dns-zone", required_argument, NULL, 'Z'},
                                             {"no-verify", no_argument, NULL, 'N'},
                                             {NULL, 0, NULL, 0}};
    output_format_t format = FORMAT_TEXT;
    const char *lang = NULL, *config = NULL, *ip = NULL, *helo = NULL, *mail_from = NULL;
    const char *dns = NULL;
    GPtrArray *trusted = g_ptr_array_new(), *zones = g_ptr_array_new();
    int c, verbose = 0;
    bool no_verify = false;
    optind = 1;
    while ((c = getopt_long(argc, argv, "f:l:c:t:vh", longopts, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (cli_parse_format(optarg, "text,json", &format) != 0)
                goto usage;
            break;
        case 'l':
            lang = optarg;
            break;
        case 'c':
            config = optarg;
            break;
        case 't':
            g_ptr_array_add(trusted, optarg);
            break;
        case 'v':
            verbose++;
            break;
        case 'I':
            ip = optarg;
            break;
        case 'H':
            helo = optarg;
            break;
        case 'M':
            mail_from = optarg;
            break;
        case 'D':
            dns = optarg;
            break;
        case 'Z':
            g_ptr_array_add(zones, optarg);
            break;
        case 'N':
            no_verify = true;
            break;
        case 'h':
            cmd_mail_usage(stdout);
            g_ptr_array_free(trusted, TRUE);
            g_ptr_array_free(zones, TRUE);
            return EXIT_CLEAN;
        default:
            goto usage;
        }
    }
    if (cli_init_lang(lang) != 0)
        goto usage;
    if (optind >= argc) {
        fprintf(stderr, "%s", _("sesguard mail: no PATH given\n"));
        goto usage;
    }
    log_set_level(verbose >= 2 ? LOG_LEVEL_DEBUG : verbose ? LOG_LEVEL_INFO : LOG_LEVEL_WARN);

    char *err = NULL;
    conf_t *conf = load_config(config, &err);
    if (conf == NULL) {
        log_err("%s", err);
        g_free(err);
        g_ptr_array_free(trusted, TRUE);
        g_ptr_array_free(zones, TRUE);
        return EXIT_TROUBLE;
    }
    for (guint i = 0; i < trusted->len; i++)
        conf_add(conf, "trusted_hosts", trusted->pdata[i]);
    g_ptr_array_free(trusted, TRUE);
    if (dns)
        conf_add(conf, "dns_server", dns);
    if (no_verify)
        conf_add(conf, "verify", "no");
    for (guint i = 0; i < zones->len; i++)
        conf_add(conf, "dns_zone", zones->pdata[i]);
    g_ptr_array_free(zones, TRUE);
    if ((helo || mail_from) && ip == NULL) {
        fprintf(stderr, "%s", _("sesguard mail: --helo and --mail-from need --ip\n"));
        conf_free(conf);
        return EXIT_TROUBLE;
    }
    engine_t *engine = engine_new(conf, &err);
    conf_free(conf);
    if (engine == NULL) {
        log_err("%s", err);
        g_free(err);
        return EXIT_TROUBLE;
    }

    if (ip)
        engine_set_envelope(engine, ip, helo, mail_from ? mail_from : "");
    run_t run = {.engine = engine, .format = format, .progress = progress_new("messages")};
    mail_source_opts_t so = {.on_message = on_message, .on_error = on_error, .ctx = &run};
    for (int i = optind; i < argc; i++)
        mail_source_scan(argv[i], &so);
    progress_done(run.progress);
    if (format == FORMAT_TEXT) {
        GPtrArray *accounts = engine_accounts(engine, ENGINE_ACCOUNT_MANY);
        mailreport_text_accounts(stdout, accounts);
        g_ptr_array_unref(accounts);
        mailreport_text_summary(stdout, run.messages, run.suspicious, run.phishing, run.errors);
    }
    fflush(stdout);
    engine_free(engine);
    if (run.errors)
        return EXIT_TROUBLE;
    return (run.suspicious || run.phishing) ? EXIT_FINDINGS : EXIT_CLEAN;

usage:
    cmd_mail_usage(stderr);
    g_ptr_array_free(trusted, TRUE);
    g_ptr_array_free(zones, TRUE);
    return EXIT_TROUBLE;
}
