/*
 * cmd_trail.c - `sesguard trail [--format text|json|html] PATH...`: find
 * SES takeover and related abuse in CloudTrail logs.
 *
 * Reads every PATH (file, directory in the S3 layout, or "-" for stdin;
 * stdin when none is given), correlates the records per access key and
 * prints the incidents.
 *
 * Threads: files are read by --jobs workers (default: the processors, at
 * most TRAIL_MAX_JOBS), each with its own reader; decompressing and
 * scanning run in parallel and only the per-record detection step is
 * serialised by one mutex (it is a few hash lookups). The detections do
 * not depend on the order of records, so the report is the same for any
 * number of jobs (tested). Exit status: 0 no incident, 1 incidents, 2 usage
 * error or some input could not be read (the others were still read, and
 * the incidents still printed).
 */
#include <glib.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/args.h"
#include "cli/commands.h"
#include "trail/ctread.h"
#include "trail/traildetect.h"
#include "trail/trailout.h"
#include "trail/trailrules.h"
#include "util/i18n.h"
#include "util/log.h"

/* Inflate is most of the work and scales per file; past 8 threads the
 * detection mutex and the disk dominate. */
#define TRAIL_MAX_JOBS 8

typedef struct pool {
    GPtrArray *files;
    gint next;
    GMutex lock;
    traildetect_t *det;
    ctread_t *main; /* stats are added here */
    ctread_mode_t mode;
} pool_t;

static int locked_record(ctrec_t *rec, void *ctx)
{
    pool_t *p = ctx;
    g_mutex_lock(&p->lock);
    traildetect_record(rec, p->det);
    g_mutex_unlock(&p->lock);
    return 0;
}

static gpointer worker(gpointer data)
{
    pool_t *p = data;
    ctread_t *rd = ctread_new(p->mode, locked_record, p);
    for (;;) {
        gint i = g_atomic_int_add(&p->next, 1);
        if (i < 0 || (guint)i >= p->files->len)
            break;
        ctread_path(rd, g_ptr_array_index(p->files, (guint)i));
    }
    g_mutex_lock(&p->lock);
    ctread_add_stats(p->main, ctread_get_stats(rd));
    g_mutex_unlock(&p->lock);
    ctread_free(rd);
    return NULL;
}

/* Read the files on `jobs` threads. */
static void read_parallel(ctread_t *main_rd, traildetect_t *det, ctread_mode_t mode,
                          GPtrArray *files, int jobs)
{
    pool_t p = {.files = files, .det = det, .main = main_rd, .mode = mode};
    g_mutex_init(&p.lock);
    /* json-c seeds its hash function lazily; do it before the threads. */
    json_object_put(json_tokener_parse("{\"a\":1}"));
    GThread *t[TRAIL_MAX_JOBS];
    for (int i = 0; i < jobs; i++)
        t[i] = g_thread_new("trail", worker, &p);
    for (int i = 0; i < jobs; i++)
        g_thread_join(t[i]);
    g_mutex_clear(&p.lock);
}

void cmd_trail_usage(FILE *out)
{
    fputs(_("usage: sesguard trail [--format text|json|html] [--lang ja|en] [-v] PATH...\n"
            "\n"
            "Find SES takeover in CloudTrail logs: reconnaissance, production access\n"
            "requests (many regions at once), new sending identities, sending enabled,\n"
            "IAM persistence, CloudTrail tampering, keys used from new places, attack\n"
            "tools, AccessDenied storms. PATH is a .json or .json.gz file, a folder in\n"
            "the S3 layout (AWSLogs/...), or - for standard input (the default).\n"
            "Accepted: {\"Records\":[...]}, arrays, JSON Lines, EventBridge events,\n"
            "LookupEvents output, CloudTrail Lake results.\n"
            "\n"
            "  --format F     text (default), json (JSON Lines, one incident per line),\n"
            "                 html (a report with a timeline)\n"
            "  --lang L       ja or en (default: from LANG)\n"
            "  --parser P     fast (default) or json-c (the reference reader)\n"
            "  --jobs N       files read in parallel (default: processors, at most 8)\n"
            "  -v             progress and details on stderr\n"
            "\n"
            "exit status: 0 no incident, 1 incidents, 2 usage or input errors\n"),
          out);
}

int cmd_trail(int argc, char **argv)
{
    output_format_t fmt = FORMAT_TEXT;
    const char *lang = NULL, *format = NULL, *parser = "fast", *jobs_arg = NULL;
    GPtrArray *paths = g_ptr_array_new();
    bool only_paths = false;
    int verbose = 0;
    for (int i = 1; i < argc; i++) {
        const char *v;
        bool missing = false;
        if (only_paths || argv[i][0] != '-' || strcmp(argv[i], "-") == 0) {
            g_ptr_array_add(paths, argv[i]);
        } else if (strcmp(argv[i], "--") == 0) {
            only_paths = true;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            cmd_trail_usage(stdout);
            g_ptr_array_free(paths, TRUE);
            return EXIT_CLEAN;
        } else if (strcmp(argv[i], "-v") == 0) {
            verbose++;
        } else if (strcmp(argv[i], "-vv") == 0) {
            verbose += 2;
        } else if ((v = cli_opt_value(argc, argv, &i, "--format", &missing)) != NULL) {
            format = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--lang", &missing)) != NULL) {
            lang = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--parser", &missing)) != NULL) {
            parser = v;
        } else if ((v = cli_opt_value(argc, argv, &i, "--jobs", &missing)) != NULL) {
            jobs_arg = v;
        } else {
            fprintf(stderr,
                    missing ? _("sesguard: trail: option '%s' needs a value\n")
                            : _("sesguard: trail: unknown option '%s'\n"),
                    argv[i]);
            cmd_trail_usage(stderr);
            g_ptr_array_free(paths, TRUE);
            return EXIT_TROUBLE;
        }
    }
    if ((lang && cli_init_lang(lang) != 0) ||
        (format && cli_parse_format(format, "text,json,html", &fmt) != 0) ||
        (strcmp(parser, "fast") != 0 && strcmp(parser, "json-c") != 0)) {
        if (strcmp(parser, "fast") != 0 && strcmp(parser, "json-c") != 0)
            fprintf(stderr, _("sesguard: trail: unknown parser '%s' (expected fast or json-c)\n"),
                    parser);
        g_ptr_array_free(paths, TRUE);
        return EXIT_TROUBLE;
    }
    int jobs = (int)MIN(g_get_num_processors(), TRAIL_MAX_JOBS);
    if (jobs_arg) {
        char *end = NULL;
        long j = strtol(jobs_arg, &end, 10);
        if (end == jobs_arg || *end != '\0' || j < 1 || j > TRAIL_MAX_JOBS) {
            fprintf(stderr, _("sesguard: trail: --jobs wants 1 to %d, not '%s'\n"), TRAIL_MAX_JOBS,
                    jobs_arg);
            g_ptr_array_free(paths, TRUE);
            return EXIT_TROUBLE;
        }
        jobs = (int)j;
    }
    if (verbose)
        log_set_level(verbose > 1 ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
    char *err = NULL;
    trailrules_t *rules = trailrules_load(NULL, &err);
    if (rules == NULL) {
        log_err("trail: cannot load detections: %s", err);
        g_free(err);
        g_ptr_array_free(paths, TRUE);
        return EXIT_TROUBLE;
    }
    traildetect_t *det = traildetect_new(rules);
    ctread_mode_t mode = strcmp(parser, "json-c") == 0 ? CTREAD_JSONC : CTREAD_FAST;
    ctread_t *rd = ctread_new(mode, traildetect_record, det);
    if (paths->len == 0) {
        if (isatty(STDIN_FILENO))
            log_warn("trail: reading CloudTrail JSON from standard input");
        g_ptr_array_add(paths, (gpointer) "-");
    }
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < paths->len; i++)
        ctread_list(rd, g_ptr_array_index(paths, i), files);
    if (jobs > (int)files->len)
        jobs = (int)files->len;
    bool has_stdin = false;
    for (guint i = 0; i < files->len; i++)
        has_stdin |= strcmp(g_ptr_array_index(files, i), "-") == 0;
    if (jobs <= 1 || has_stdin) {
        ctread_set_progress(rd, 1);
        for (guint i = 0; i < files->len; i++)
            ctread_path(rd, g_ptr_array_index(files, i));
    } else {
        read_parallel(rd, det, mode, files, jobs);
    }
    g_ptr_array_free(files, TRUE);
    const ctread_stats_t *rs = ctread_get_stats(rd);
    traildetect_finish(det);
    const traildetect_stats_t *ds = traildetect_stats(det);
    log_info("trail: %llu files, %llu records, %llu non-records, %llu bytes, %llu keys",
             (unsigned long long)rs->files, (unsigned long long)rs->records,
             (unsigned long long)rs->non_records, (unsigned long long)rs->bytes,
             (unsigned long long)ds->keys);
    if (fmt == FORMAT_JSON)
        trailout_json(stdout, det);
    else if (fmt == FORMAT_HTML)
        trailout_html(stdout, det, rs);
    else
        trailout_text(stdout, det, rs);
    fflush(stdout);
    bool write_error = ferror(stdout) != 0;
    if (write_error)
        log_err("trail: cannot write the report");
    size_t incidents = traildetect_count(det);
    ctread_free(rd);
    traildetect_free(det);
    trailrules_free(rules);
    g_ptr_array_free(paths, TRUE);
    if (log_error_count() > 0)
        return EXIT_TROUBLE;
    return incidents ? EXIT_FINDINGS : EXIT_CLEAN;
}
