/*
 * cmd_dkim.c - sesguard dkim: verify every DKIM signature of messages and
 * say which passed for which domain; the ARC chain is reported beside.
 *
 *   sesguard dkim [--format text|json] [--dns HOST[:PORT]] [--dns-zone FILE]...
 *                 [--time EPOCH] [--timeout MS] [--lang ja|en] MSG...
 *
 * MSG: a message file (raw RFC 5322 bytes, CRLF or LF; a leading mbox
 * "From " line is skipped), or - for stdin.
 * Keys come from --dns-zone master files (offline, reproducible), else
 * from live DNS through --dns (a forwarder) or /etc/resolv.conf.
 * --time sets the verification clock (x= and t= are judged against it),
 * for stored mail whose signatures have since expired.
 *
 * Output: text for people; JSON Lines with --format json, one object per
 * message: {"schema": 1, "file", "signatures": [...], "arc": {...}}.
 * Exit: 2 on a usage error or an unreadable input (the others are still
 * verified); else 1 if some message has no signature or a signature that
 * did not pass; else 0.
 */
#include <errno.h>
#include <getopt.h>
#include <glib.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/arc.h"
#include "auth/dkim.h"
#include "cli/commands.h"
#include "dns/dns.h"
#include "util/i18n.h"
#include "util/log.h"

#define DKIM_CLI_DEFAULT_TIMEOUT_MS 5000
/* Wall time for all key lookups of one message: a few slow answers are
 * waited for, a hostile message cannot hold the run for minutes. */
#define DKIM_CLI_MESSAGE_DNS_MS 30000

void cmd_dkim_usage(FILE *out)
{
    fputs(_("usage: sesguard dkim [OPTIONS] MSG...\n"
            "\n"
            "Verify every DKIM signature of each message (and its ARC chain) and\n"
            "say which signature passed for which domain. MSG is a message file\n"
            "or - for standard input.\n"
            "\n"
            "options:\n"
            "  --format text|json   report format (default text; json is JSON Lines)\n"
            "  --dns HOST[:PORT]    resolver to ask for keys (default /etc/resolv.conf)\n"
            "  --dns-zone FILE      answer from an RFC 1035 master file instead of DNS\n"
            "                       (repeatable; offline and reproducible)\n"
            "  --time EPOCH         verify as of this Unix time (x=, t=; default now)\n"
            "  --timeout MS         DNS timeout per query (default 5000)\n"
            "  --lang ja|en         report language (default from LANG)\n"
            "  -v, --verbose        more diagnostics on stderr\n"
            "\n"
            "results per signature: pass, fail, neutral, temperror, permerror, policy\n"
            "exit status: 0 every message signed and every signature passes,\n"
            "1 a message is unsigned or a signature did not pass, 2 usage error or\n"
            "an input could not be read\n"),
          out);
}

static char *read_input(const char *path, size_t *len, char **err)
{
    GError *ge = NULL;
    char *data = NULL;
    gsize n = 0;
    if (strcmp(path, "-") == 0) {
        GByteArray *b = g_byte_array_new();
        guint8 chunk[65536];
        size_t r;
        while ((r = fread(chunk, 1, sizeof chunk, stdin)) > 0) {
            if (b->len + r > DKIMMSG_MAX_BYTES) {
                g_byte_array_unref(b);
                *err = g_strdup_printf(_("larger than %u bytes"), DKIMMSG_MAX_BYTES);
                return NULL;
            }
            g_byte_array_append(b, chunk, (guint)r);
        }
        *len = b->len;
        return (char *)g_byte_array_free(b, FALSE);
    }
    if (!g_file_get_contents(path, &data, &n, &ge)) {
        *err = g_strdup(ge->message);
        g_error_free(ge);
        return NULL;
    }
    if (n > DKIMMSG_MAX_BYTES) {
        g_free(data);
        *err = g_strdup_printf(_("larger than %u bytes"), DKIMMSG_MAX_BYTES);
        return NULL;
    }
    *len = n;
    return data;
}

static json_object *jstr(const char *s)
{
    return s ? json_object_new_string(s) : NULL;
}

static json_object *sig_json(const dkim_sigres_t *s)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "domain", jstr(s->domain));
    json_object_object_add(o, "selector", jstr(s->selector));
    json_object_object_add(o, "identity", jstr(s->auid));
    json_object_object_add(o, "algorithm", jstr(s->algorithm));
    json_object_object_add(o, "canonicalization", jstr(s->canonicalization));
    json_object_object_add(o, "header_b", jstr(s->header_b));
    json_object_object_add(o, "result", json_object_new_string(dkim_result_name(s->result)));
    json_object_object_add(o, "reason", json_object_new_string(s->reason));
    json_object_object_add(o, "weak", json_object_new_boolean(s->weak));
    json_object_object_add(o, "testing", json_object_new_boolean(s->testing));
    json_object_object_add(o, "body_length_limited",
                           json_object_new_boolean(s->body_length_limited));
    if (s->body_length_limited) {
        json_object_object_add(o, "body_length", json_object_new_uint64(s->body_length));
        json_object_object_add(o, "body_unsigned_bytes", json_object_new_uint64(s->body_unsigned));
    }
    json_object_object_add(o, "key_type", jstr(s->key_type));
    if (s->key_bits)
        json_object_object_add(o, "key_bits", json_object_new_int((int)s->key_bits));
    if (s->has_t)
        json_object_object_add(o, "timestamp", json_object_new_int64(s->t));
    if (s->has_x)
        json_object_object_add(o, "expires", json_object_new_int64(s->x));
    json_object *h = json_object_new_array();
    for (guint i = 0; i < s->signed_headers->len; i++)
        json_object_array_add(h, json_object_new_string(s->signed_headers->pdata[i]));
    json_object_object_add(o, "signed_headers", h);
    json_object *u = json_object_new_array();
    for (guint i = 0; i < s->unsigned_copies->len; i++)
        json_object_array_add(u, json_object_new_string(s->unsigned_copies->pdata[i]));
    json_object_object_add(o, "unsigned_copies", u);
    return o;
}

static json_object *arc_json(const arc_result_t *a)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "result", json_object_new_string(arc_cv_name(a->cv)));
    json_object_object_add(o, "reason", json_object_new_string(a->reason));
    json_object_object_add(o, "instances", json_object_new_int((int)a->instances));
    if (a->cv == ARC_PASS)
        json_object_object_add(o, "oldest_pass", json_object_new_int((int)a->oldest_pass));
    json_object *sets = json_object_new_array();
    for (guint i = 0; i < a->sets->len; i++) {
        const arc_set_t *s = a->sets->pdata[i];
        json_object *j = json_object_new_object();
        json_object_object_add(j, "instance", json_object_new_int((int)s->instance));
        json_object_object_add(j, "authserv_id", jstr(s->authserv_id));
        json_object_object_add(j, "results", jstr(s->aar));
        json_object_object_add(j, "seal_domain", jstr(s->as_domain));
        json_object_object_add(j, "seal_selector", jstr(s->as_selector));
        json_object_object_add(j, "seal_result",
                               json_object_new_string(s->as_result == DKIM_NEUTRAL
                                                          ? "not checked"
                                                          : dkim_result_name(s->as_result)));
        json_object_object_add(j, "signature_domain", jstr(s->ams_domain));
        json_object_object_add(j, "signature_result",
                               json_object_new_string(s->ams_result == DKIM_NEUTRAL
                                                          ? "not checked"
                                                          : dkim_result_name(s->ams_result)));
        json_object_object_add(j, "cv", json_object_new_string(s->cv));
        json_object_array_add(sets, j);
    }
    json_object_object_add(o, "sets", sets);
    return o;
}

static void print_json(const char *file, const GPtrArray *sigs, const arc_result_t *arc)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "schema", json_object_new_int(1));
    char *f = dkim_printable(slice_cstr(file));
    json_object_object_add(o, "file", json_object_new_string(f));
    g_free(f);
    json_object *a = json_object_new_array();
    for (guint i = 0; i < sigs->len; i++)
        json_object_array_add(a, sig_json(sigs->pdata[i]));
    json_object_object_add(o, "signatures", a);
    json_object_object_add(o, "arc", arc_json(arc));
    fputs(
        json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
        stdout);
    fputc('\n', stdout);
    json_object_put(o);
}

static void print_text(const char *file, const GPtrArray *sigs, const arc_result_t *arc)
{
    printf("%s:\n", file);
    if (sigs->len == 0)
        printf("  %s\n", _("no DKIM signature"));
    for (guint i = 0; i < sigs->len; i++) {
        const dkim_sigres_t *s = sigs->pdata[i];
        printf("  dkim=%-9s d=%s s=%s a=%s c=%s", dkim_result_name(s->result),
               s->domain ? s->domain : "?", s->selector ? s->selector : "?",
               s->algorithm ? s->algorithm : "?", s->canonicalization ? s->canonicalization : "?");
        if (s->key_type)
            printf(" key=%s/%u", s->key_type, s->key_bits);
        printf("\n      %s\n", s->reason);
        if (s->weak)
            printf("      %s\n", _("weak: rsa-sha1 (RFC 8301 forbids signing with it)"));
        if (s->body_length_limited)
            printf(_("      l=%llu: %llu body bytes after the limit are not signed (anyone "
                     "may append them)\n"),
                   (unsigned long long)s->body_length, (unsigned long long)s->body_unsigned);
        if (s->unsigned_copies->len > 0) {
            printf("      %s", _("unsigned extra copies of signed fields:"));
            for (guint k = 0; k < s->unsigned_copies->len; k++)
                printf(" %s", (const char *)s->unsigned_copies->pdata[k]);
            printf("\n");
        }
        if (s->testing)
            printf("      %s\n", _("key in testing mode (t=y): treat as unsigned"));
    }
    if (arc->cv != ARC_NONE) {
        printf("  arc=%s (%s)", arc_cv_name(arc->cv), arc->reason);
        for (guint i = 0; i < arc->sets->len; i++) {
            const arc_set_t *s = arc->sets->pdata[i];
            printf("\n      i=%u sealed by %s (%s)", s->instance, s->as_domain,
                   s->authserv_id ? s->authserv_id : "?");
        }
        printf("\n");
    }
}

static dns_resolver_t *make_resolver(const char *forwarder, GPtrArray *zones, unsigned timeout)
{
    char *err = NULL;
    dns_resolver_t *r;
    if (zones->len > 0) {
        g_ptr_array_add(zones, NULL);
        r = dns_zone_new((const char *const *)zones->pdata, &err);
        g_ptr_array_remove_index(zones, zones->len - 1);
    } else {
        r = dns_unbound_new(forwarder, timeout, &err);
    }
    if (r == NULL) {
        log_err("%s", err ? err : "cannot set up the resolver");
        g_free(err);
    }
    return r;
}

static bool parse_u64_arg(const char *s, uint64_t *out)
{
    if (s == NULL || *s == '\0')
        return false;
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end != '\0' || s[0] == '-')
        return false;
    *out = v;
    return true;
}

typedef struct dkim_cli {
    output_format_t format;
    const char *forwarder, *lang;
    GPtrArray *zones; /* char* from argv */
    uint64_t now, timeout;
    int verbose;
} dkim_cli_t;

/* 0 to run, 1 after --help, -1 on a usage error (message printed). */
static int parse_opts(int argc, char **argv, dkim_cli_t *c)
{
    static const struct option longopts[] = {{"format", required_argument, NULL, 'f'},
                                             {"dns", required_argument, NULL, 'd'},
                                             {"dns-zone", required_argument, NULL, 'z'},
                                             {"time", required_argument, NULL, 'T'},
                                             {"timeout", required_argument, NULL, 'o'},
                                             {"lang", required_argument, NULL, 'l'},
                                             {"verbose", no_argument, NULL, 'v'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "f:vh", longopts, NULL)) != -1) {
        switch (ch) {
        case 'f':
            if (cli_parse_format(optarg, "text,json", &c->format) != 0)
                return -1;
            break;
        case 'd':
            c->forwarder = optarg;
            break;
        case 'z':
            g_ptr_array_add(c->zones, optarg);
            break;
        case 'T':
            if (!parse_u64_arg(optarg, &c->now) || c->now > (uint64_t)G_MAXINT64) {
                fprintf(stderr, _("sesguard dkim: bad --time '%s' (Unix seconds)\n"), optarg);
                return -1;
            }
            break;
        case 'o':
            if (!parse_u64_arg(optarg, &c->timeout) || c->timeout == 0 || c->timeout > 600000) {
                fprintf(stderr, _("sesguard dkim: bad --timeout '%s' (1-600000 ms)\n"), optarg);
                return -1;
            }
            break;
        case 'l':
            c->lang = optarg;
            break;
        case 'v':
            c->verbose++;
            break;
        case 'h':
            cmd_dkim_usage(stdout);
            return 1;
        default:
            return -1;
        }
    }
    if (cli_init_lang(c->lang) != 0)
        return -1;
    if (optind >= argc) {
        fprintf(stderr, "%s", _("sesguard dkim: no MSG given\n"));
        return -1;
    }
    return 0;
}

/* Verify and report one input: -1 unreadable, 1 unsigned or a signature
 * did not pass, 0 every signature passed. */
static int verify_one(const char *path, dkim_opts_t *opts, output_format_t format)
{
    char *err = NULL;
    size_t len = 0;
    char *msg = read_input(path, &len, &err);
    if (msg == NULL) {
        log_err("%s: %s", path, err);
        g_free(err);
        return -1;
    }
    /* A message saved from an mbox starts with its "From " separator
     * line, which is not part of the message. */
    size_t skip = 0;
    if (len > 5 && memcmp(msg, "From ", 5) == 0) {
        const char *nl = memchr(msg, '\n', len);
        skip = nl ? (size_t)(nl + 1 - msg) : len;
    }
    dkimmsg_t *m = dkimmsg_parse(msg + skip, len - skip);
    g_free(msg);
    if (m == NULL) {
        log_err("%s: %s", path, _("message too large"));
        return -1;
    }
    /* One key cache and one DNS budget (queries and wall time) for the
     * DKIM and ARC checks of this message. */
    dns_resolver_t *resolver = opts->lookup_ctx;
    dns_resolver_t *budget =
        dns_budget_new(resolver, DKIM_MAX_KEY_LOOKUPS, DKIM_CLI_MESSAGE_DNS_MS);
    opts->lookup_ctx = budget;
    opts->keys = dkim_keycache_new();
    GPtrArray *sigs = dkim_verify_msg(m, opts);
    arc_result_t *arc = arc_validate_msg(m, opts);
    dkim_keycache_free(opts->keys);
    opts->keys = NULL;
    opts->lookup_ctx = resolver;
    dns_resolver_free(budget);
    dkimmsg_free(m);
    bool findings = sigs->len == 0;
    for (guint k = 0; k < sigs->len; k++)
        findings |= ((dkim_sigres_t *)sigs->pdata[k])->result != DKIM_PASS;
    if (format == FORMAT_JSON)
        print_json(path, sigs, arc);
    else
        print_text(path, sigs, arc);
    g_ptr_array_unref(sigs);
    arc_result_free(arc);
    return findings ? 1 : 0;
}

int cmd_dkim(int argc, char **argv)
{
    dkim_cli_t c = {
        .format = FORMAT_TEXT, .zones = g_ptr_array_new(), .timeout = DKIM_CLI_DEFAULT_TIMEOUT_MS};
    int rc = parse_opts(argc, argv, &c);
    if (rc != 0) {
        if (rc < 0)
            cmd_dkim_usage(stderr);
        g_ptr_array_free(c.zones, TRUE);
        return rc < 0 ? EXIT_TROUBLE : EXIT_CLEAN;
    }
    log_set_level(c.verbose >= 2 ? LOG_LEVEL_DEBUG : c.verbose ? LOG_LEVEL_INFO : LOG_LEVEL_WARN);
    dns_resolver_t *res = make_resolver(c.forwarder, c.zones, (unsigned)c.timeout);
    g_ptr_array_free(c.zones, TRUE);
    if (res == NULL)
        return EXIT_TROUBLE;
    dkim_opts_t opts = {dkim_lookup_dns, res, (int64_t)c.now, 0, NULL};
    bool trouble = false, findings = false;
    for (int i = optind; i < argc; i++) {
        int r = verify_one(argv[i], &opts, c.format);
        trouble |= r < 0;
        findings |= r > 0;
    }
    fflush(stdout);
    dns_resolver_free(res);
    if (trouble)
        return EXIT_TROUBLE;
    return findings ? EXIT_FINDINGS : EXIT_CLEAN;
}
