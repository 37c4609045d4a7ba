/*
 * cmd_iam.c - `sesguard iam [--format text|json] [--now TIME] REPORT.csv...`:
 * check IAM credential reports for the stale keys that invite an SES
 * takeover (root keys, old or unused keys, console users without MFA).
 *
 * Exit status: 0 no finding, 1 findings, 2 usage error or a report could
 * not be read (the others were still checked).
 */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "trail/cttime.h"
#include "trail/iamreport.h"
#include "util/i18n.h"
#include "util/log.h"

void cmd_iam_usage(FILE *out)
{
    fputs(_("usage: sesguard iam [--format text|json] [--now TIME] [--lang ja|en] REPORT.csv...\n"
            "\n"
            "Check an IAM credential report (aws iam generate-credential-report; aws iam\n"
            "get-credential-report --query Content --output text | base64 -d): root access\n"
            "keys, root and console users without MFA, keys not rotated in 90 days, keys\n"
            "and passwords unused for 45/90 days or never used, keys created with the\n"
            "user and never used, two active keys. REPORT may be - for standard input.\n"
            "\n"
            "  --format F   text (default) or json (JSON Lines, one finding per line)\n"
            "  --now TIME   judge ages as of TIME (e.g. 2025-06-01T00:00:00Z), for\n"
            "               reproducible reports; default: the current time\n"
            "  --lang L     ja or en (default: from LANG)\n"
            "\n"
            "exit status: 0 no finding, 1 findings, 2 usage or input errors\n"),
          out);
}

int cmd_iam(int argc, char **argv)
{
    output_format_t fmt = FORMAT_TEXT;
    const char *format = NULL, *lang = NULL, *now_arg = NULL;
    GPtrArray *paths = g_ptr_array_new();
    bool only_paths = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char **slot = NULL;
        if (only_paths || a[0] != '-' || strcmp(a, "-") == 0) {
            g_ptr_array_add(paths, argv[i]);
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_paths = true;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cmd_iam_usage(stdout);
            g_ptr_array_free(paths, TRUE);
            return EXIT_CLEAN;
        }
        static const char *const names[] = {"--format", "--lang", "--now"};
        const char **slots[] = {&format, &lang, &now_arg};
        const char *val = NULL;
        for (size_t k = 0; k < G_N_ELEMENTS(names) && slot == NULL; k++) {
            size_t n = strlen(names[k]);
            if (strncmp(a, names[k], n) == 0 && a[n] == '=') {
                slot = slots[k];
                val = a + n + 1;
            } else if (strcmp(a, names[k]) == 0 && i + 1 < argc) {
                slot = slots[k];
                val = argv[++i];
            }
        }
        if (slot == NULL) {
            fprintf(stderr, _("sesguard: iam: unknown option or missing value '%s'\n"), a);
            cmd_iam_usage(stderr);
            g_ptr_array_free(paths, TRUE);
            return EXIT_TROUBLE;
        }
        *slot = val;
    }
    int64_t now = (int64_t)time(NULL);
    if (now_arg) {
        now = cttime_parse(now_arg, strlen(now_arg));
        if (now == CTTIME_INVALID && strlen(now_arg) == 10) {
            char *full = g_strconcat(now_arg, "T00:00:00Z", NULL);
            now = cttime_parse(full, strlen(full));
            g_free(full);
        }
        if (now == CTTIME_INVALID) {
            fprintf(stderr,
                    _("sesguard: iam: --now: not a time '%s' (e.g. 2025-06-01T00:00:00Z)\n"),
                    now_arg);
            g_ptr_array_free(paths, TRUE);
            return EXIT_TROUBLE;
        }
    }
    if ((lang && cli_init_lang(lang) != 0) ||
        (format && cli_parse_format(format, "text,json", &fmt) != 0)) {
        g_ptr_array_free(paths, TRUE);
        return EXIT_TROUBLE;
    }
    if (paths->len == 0) {
        fprintf(stderr, "%s", _("sesguard: iam: give a credential report (or - for stdin)\n"));
        cmd_iam_usage(stderr);
        g_ptr_array_free(paths, TRUE);
        return EXIT_TROUBLE;
    }
    char *err = NULL;
    iamreport_t *r = iamreport_new(NULL, &err);
    if (r == NULL) {
        log_err("iam: cannot load checks: %s", err);
        g_free(err);
        g_ptr_array_free(paths, TRUE);
        return EXIT_TROUBLE;
    }
    for (guint i = 0; i < paths->len; i++)
        iamreport_file(r, g_ptr_array_index(paths, i), now);
    if (fmt == FORMAT_JSON)
        iamreport_json(stdout, r);
    else
        iamreport_text(stdout, r);
    fflush(stdout);
    if (ferror(stdout))
        log_err("iam: cannot write the report");
    size_t n = iamreport_count(r);
    iamreport_free(r);
    g_ptr_array_free(paths, TRUE);
    if (log_error_count() > 0)
        return EXIT_TROUBLE;
    return n ? EXIT_FINDINGS : EXIT_CLEAN;
}
