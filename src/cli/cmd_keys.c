/*
 * cmd_keys.c - `sesguard keys [OPTIONS] PATH...`: find leaked cloud and
 * mail-service credentials in files, directories, archives, standard input
 * and (with --git) every blob of a git history.
 *
 * Exit status: 0 no new finding, 1 new findings (not allowed inline, not in
 * the baseline), 2 usage error or some input could not be read (the other
 * inputs were still scanned and the findings still printed).
 */
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "keys/keygit.h"
#include "keys/keyreport.h"
#include "keys/keyrules.h"
#include "keys/keyscan.h"
#include "util/i18n.h"
#include "util/log.h"
#include "util/paths.h"

void cmd_keys_usage(FILE *out)
{
    fputs(_("usage: sesguard keys [OPTIONS] PATH...\n"
            "\n"
            "Find leaked credentials (AWS keys and SES SMTP passwords, SendGrid, Mailgun,\n"
            "Mailchimp, Postmark, SparkPost, Brevo, GitHub, Slack, Google, Azure, PEM\n"
            "private keys) in files, directories, zip/tar/gz archives, or - (stdin).\n"
            "\n"
            "  --format F       text (default), json (JSON Lines) or sarif (SARIF 2.1.0)\n"
            "  --git            scan every blob of the git history of each PATH (all refs),\n"
            "                   reporting the commit that introduced each finding\n"
            "  --include GLOB   scan only files matching GLOB (repeatable)\n"
            "  --exclude GLOB   skip files and directories matching GLOB (repeatable)\n"
            "  --gitignore      skip what the repository's .gitignore files ignore\n"
            "  --scan-git-dir   also scan .git directories as plain files\n"
            "  --no-archives    do not open zip/tar/gz files\n"
            "  --baseline FILE  accept the findings listed in FILE (a previous --format json)\n"
            "  --show-secrets   print secrets in full (default: redacted)\n"
            "  -j, --jobs N     worker threads (default: one per core)\n"
            "  --lang L         ja or en (default: from LANG)\n"
            "  -v               details on stderr\n"
            "\n"
            "A line containing sesguard:allow is not reported as a new finding.\n"
            "exit status: 0 no new finding, 1 new findings, 2 usage or input errors\n"),
          out);
}

typedef struct keys_args {
    const char *format, *lang, *baseline;
    GPtrArray *paths, *include, *exclude;
    bool git, gitignore, git_dir, no_archives, show_secrets;
    int jobs, verbose;
} keys_args_t;

static bool parse_jobs(const char *v, int *out)
{
    char *end = NULL;
    long n = strtol(v, &end, 10);
    if (end == v || *end != '\0' || n < 1 || n > KEYSCAN_MAX_THREADS)
        return false;
    *out = (int)n;
    return true;
}

/* Returns -1 on a usage error (printed), 1 for --help, else 0. */
static int parse_args(int argc, char **argv, keys_args_t *a)
{
    bool only_paths = false;
    for (int i = 1; i < argc; i++) {
        const char *v, *arg = argv[i];
        bool missing = false;
        if (only_paths || arg[0] != '-' || strcmp(arg, "-") == 0)
            g_ptr_array_add(a->paths, argv[i]);
        else if (strcmp(arg, "--") == 0)
            only_paths = true;
        else if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)
            return 1;
        else if (strcmp(arg, "-v") == 0)
            a->verbose++;
        else if (strcmp(arg, "-vv") == 0)
            a->verbose += 2;
        else if (strcmp(arg, "--git") == 0)
            a->git = true;
        else if (strcmp(arg, "--gitignore") == 0)
            a->gitignore = true;
        else if (strcmp(arg, "--scan-git-dir") == 0)
            a->git_dir = true;
        else if (strcmp(arg, "--no-archives") == 0)
            a->no_archives = true;
        else if (strcmp(arg, "--show-secrets") == 0)
            a->show_secrets = true;
        else if ((v = cli_opt_value(argc, argv, &i, "--format", &missing)) != NULL)
            a->format = v;
        else if ((v = cli_opt_value(argc, argv, &i, "--lang", &missing)) != NULL)
            a->lang = v;
        else if ((v = cli_opt_value(argc, argv, &i, "--baseline", &missing)) != NULL)
            a->baseline = v;
        else if ((v = cli_opt_value(argc, argv, &i, "--include", &missing)) != NULL)
            g_ptr_array_add(a->include, (gpointer)v);
        else if ((v = cli_opt_value(argc, argv, &i, "--exclude", &missing)) != NULL)
            g_ptr_array_add(a->exclude, (gpointer)v);
        else if ((v = cli_opt_value(argc, argv, &i, "--jobs", &missing)) != NULL ||
                 (v = cli_opt_value(argc, argv, &i, "-j", &missing)) != NULL ||
                 (strncmp(arg, "-j", 2) == 0 && g_ascii_isdigit(arg[2]) && (v = arg + 2))) {
            if (!parse_jobs(v, &a->jobs)) {
                fprintf(stderr, _("sesguard: keys: --jobs wants a number from 1 to %d\n"),
                        KEYSCAN_MAX_THREADS);
                return -1;
            }
        } else {
            fprintf(stderr,
                    missing ? _("sesguard: keys: option '%s' needs a value\n")
                            : _("sesguard: keys: unknown option '%s'\n"),
                    arg);
            cmd_keys_usage(stderr);
            return -1;
        }
    }
    return 0;
}

static int run(keys_args_t *a, output_format_t fmt)
{
    char *err = NULL;
    char *dir = paths_data_file("keys");
    keyrules_t *rs = keyrules_load(dir, &err);
    g_free(dir);
    if (rs == NULL) {
        log_err("keys: cannot load rules: %s", err);
        g_free(err);
        return EXIT_TROUBLE;
    }
    keybaseline_t *base = NULL;
    if (a->baseline && (base = keybaseline_load(a->baseline, &err)) == NULL) {
        log_err("keys: baseline: %s", err);
        g_free(err);
        keyrules_free(rs);
        return EXIT_TROUBLE;
    }
    g_ptr_array_add(a->include, NULL);
    g_ptr_array_add(a->exclude, NULL);
    keyscan_opts_t so = {
        .threads = a->jobs,
        .git_internals = a->git_dir,
        .gitignore = a->gitignore,
        .archives = !a->no_archives,
        .progress = true,
        .include = (const char *const *)a->include->pdata,
        .exclude = (const char *const *)a->exclude->pdata,
    };
    keyscan_t *ks = keyscan_new(rs, &so);
    for (guint i = 0; i < a->paths->len; i++) {
        const char *p = g_ptr_array_index(a->paths, i);
        if (a->git && strcmp(p, "-") != 0)
            keygit_scan(ks, p);
        else
            keyscan_path(ks, p);
    }
    keyscan_finish(ks);
    log_info("keys: %lu files, %llu bytes, %u findings", keyscan_files(ks),
             (unsigned long long)keyscan_bytes(ks), keyscan_findings(ks)->len);
    keyreport_opts_t ro = {.show_secrets = a->show_secrets, .baseline = base};
    int wr = fmt == FORMAT_JSON    ? keyreport_json(stdout, ks, &ro)
             : fmt == FORMAT_SARIF ? keyreport_sarif(stdout, ks, &ro)
                                   : keyreport_text(stdout, ks, &ro);
    if (fflush(stdout) != 0 || wr != 0)
        log_err("keys: cannot write the report");
    size_t fresh = keyreport_count_new(ks, &ro);
    keyscan_free(ks);
    keybaseline_free(base);
    keyrules_free(rs);
    if (log_error_count() > 0)
        return EXIT_TROUBLE;
    return fresh ? EXIT_FINDINGS : EXIT_CLEAN;
}

int cmd_keys(int argc, char **argv)
{
    keys_args_t a = {
        .paths = g_ptr_array_new(), .include = g_ptr_array_new(), .exclude = g_ptr_array_new()};
    output_format_t fmt = FORMAT_TEXT;
    int rc = parse_args(argc, argv, &a);
    if (rc == 1) {
        cmd_keys_usage(stdout);
        rc = EXIT_CLEAN;
    } else if (rc < 0 || (a.lang && cli_init_lang(a.lang) != 0) ||
               (a.format && cli_parse_format(a.format, "text,json,sarif", &fmt) != 0)) {
        rc = EXIT_TROUBLE;
    } else if (a.paths->len == 0) {
        fputs(_("sesguard: keys: no PATH given (use - for standard input)\n"), stderr);
        cmd_keys_usage(stderr);
        rc = EXIT_TROUBLE;
    } else {
        if (a.verbose)
            log_set_level(a.verbose > 1 ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
        rc = run(&a, fmt);
    }
    g_ptr_array_free(a.paths, TRUE);
    g_ptr_array_free(a.include, TRUE);
    g_ptr_array_free(a.exclude, TRUE);
    return rc;
}
