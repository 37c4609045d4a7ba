/*
 * main.c - the sesguard binary: dispatch to a subcommand, like git.
 *
 *   sesguard COMMAND [OPTIONS] ARGS...
 *   sesguard help [COMMAND]
 *   sesguard version
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "util/i18n.h"

static const command_t commands[] = {
    {"mail", cmd_mail, cmd_mail_usage, N_("phishing verdict for messages, mboxes and Maildirs")},
    {"rules", cmd_rules, cmd_rules_usage,
     N_("list the mail rules, their weights and explanations")},
    {"keys", cmd_keys, cmd_keys_usage,
     N_("find leaked cloud credentials in files and git history")},
    {"trail", cmd_trail, cmd_trail_usage, N_("find SES takeover in CloudTrail logs")},
    {"iam", cmd_iam, cmd_iam_usage, N_("find risky keys in an IAM credential report")},
    {"spf", cmd_spf, cmd_spf_usage, N_("evaluate SPF for a client IP and sender")},
    {"dkim", cmd_dkim, cmd_dkim_usage, N_("verify every DKIM signature of a message")},
    {"dmarc", cmd_dmarc, cmd_dmarc_usage, N_("evaluate DMARC for a message and its envelope")},
};

static void usage(FILE *out)
{
    fprintf(out, "%s", _("usage: sesguard COMMAND [OPTIONS] ARGS...\n\ncommands:\n"));
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, _(commands[i].summary));
    fprintf(out, "%s",
            _("  help     show help for a command\n  version  print the version\n\n"
              "exit status: 0 clean, 1 findings, 2 usage or input errors\n"));
}

static const command_t *find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

int cli_parse_format(const char *arg, const char *allowed, output_format_t *out)
{
    static const struct {
        const char *name;
        output_format_t f;
    } names[] = {{"text", FORMAT_TEXT},
                 {"json", FORMAT_JSON},
                 {"sarif", FORMAT_SARIF},
                 {"html", FORMAT_HTML}};
    gchar **ok = g_strsplit(allowed, ",", -1);
    int rc = -1;
    for (size_t i = 0; i < G_N_ELEMENTS(names) && rc; i++)
        if (strcmp(arg, names[i].name) == 0 && g_strv_contains((const gchar *const *)ok, arg)) {
            *out = names[i].f;
            rc = 0;
        }
    if (rc)
        fprintf(stderr, _("sesguard: unknown format '%s' (expected one of: %s)\n"), arg, allowed);
    g_strfreev(ok);
    return rc;
}

int cli_init_lang(const char *lang)
{
    if (i18n_init(lang) != 0) {
        fprintf(stderr, "sesguard: unknown language '%s' (expected ja or en)\n", lang);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    i18n_init(NULL);
    if (argc < 2) {
        usage(stderr);
        return EXIT_TROUBLE;
    }
    const char *name = argv[1];
    if (strcmp(name, "help") == 0 || strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
        if (argc > 2) {
            const command_t *c = find(argv[2]);
            if (c == NULL) {
                fprintf(stderr, _("sesguard: unknown command '%s'\n"), argv[2]);
                return EXIT_TROUBLE;
            }
            c->usage(stdout);
            return EXIT_CLEAN;
        }
        usage(stdout);
        return EXIT_CLEAN;
    }
    if (strcmp(name, "version") == 0 || strcmp(name, "--version") == 0) {
        printf("sesguard %s\n", SG_VERSION);
        return EXIT_CLEAN;
    }
    const command_t *c = find(name);
    if (c == NULL) {
        fprintf(stderr, _("sesguard: unknown command '%s'\n"), name);
        usage(stderr);
        return EXIT_TROUBLE;
    }
    return c->run(argc - 1, argv + 1);
}
