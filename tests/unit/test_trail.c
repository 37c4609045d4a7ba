/*
 * test_trail.c - the CloudTrail layer: timestamps, the structural scanner,
 * unescaping, the reader in every delivery shape (fast path against the
 * json-c reference), streaming across read chunks, the detections on the
 * attack and benign fixtures, duplicates, order, bounds, hostile strings.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#include "trail/ctread.h"
#include "trail/ctrec.h"
#include "trail/ctscan.h"
#include "trail/cttime.h"
#include "trail/traildetect.h"
#include "trail/trailout.h"
#include "trail/trailrules.h"

#define FIX            SG_TEST_DATA "/trail/"
#define ATTACK_RECORDS 76

static trailrules_t *rules(void)
{
    char *err = NULL;
    trailrules_t *t = trailrules_load(SG_SOURCE_DIR "/data/trail", &err);
    if (t == NULL)
        fail_msg("rules: %s", err);
    return t;
}

static void test_time(void **state)
{
    assert_int_equal(cttime_parse("1970-01-01T00:00:00Z", 20), 0);
    assert_int_equal(cttime_parse("2023-07-10T12:11:15Z", 20), 1688991075);
    assert_int_equal(cttime_parse("2023-07-10T12:11:15.123Z", 24), 1688991075);
    assert_int_equal(cttime_parse("2023-07-10T14:11:15+02:00", 25), 1688991075);
    assert_int_equal(cttime_parse("2023-07-10 12:11:15", 19), 1688991075);
    static const char *const bad[] = {"",
                                      "2023",
                                      "2023-13-10T12:11:15Z",
                                      "2023-07-10T25:11:15Z",
                                      "2023-07-10T12:11:15Zjunk",
                                      "not a time",
                                      "1969-12-31T23:59:59Z",
                                      "2023-07-10X12:11:15Z"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++)
        assert_true(cttime_parse(bad[i], strlen(bad[i])) == CTTIME_INVALID);
    /* n is respected: a valid prefix with junk beyond n is fine */
    assert_int_equal(cttime_parse("2023-07-10T12:11:15Zxxxx", 20), 1688991075);
    char b[CTTIME_BUFSZ];
    cttime_format(1688991075, b);
    assert_string_equal(b, "2023-07-10T12:11:15Z");
    cttime_format(CTTIME_INVALID, b);
    assert_string_equal(b, "-");
}

static void test_scan_values(void **state)
{
    static const struct {
        const char *in;
        int rc;
        size_t end;
    } cases[] = {
        {"\"abc\" ", CTSCAN_OK, 5},
        {"\"a\\\"b\"x", CTSCAN_OK, 6},
        {"\"a\\\\\"x", CTSCAN_OK, 5},
        {"\"abc", CTSCAN_MORE, 0},
        {"\"a\\\"", CTSCAN_MORE, 0},
        {"{\"a\":[1,{\"b\":\"}\"}]} ", CTSCAN_OK, 19},
        {"{\"a\":[1,2", CTSCAN_MORE, 0},
        {"true,", CTSCAN_OK, 4},
        {"-1.5e3]", CTSCAN_OK, 6},
        {"}", CTSCAN_BAD, 0},
        {",", CTSCAN_BAD, 0},
        {"\x01", CTSCAN_BAD, 0},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        size_t end = 0;
        int rc = ctscan_value(cases[i].in, strlen(cases[i].in), 0, 0, &end);
        if (rc != cases[i].rc)
            fail_msg("case %zu '%s': rc %d, expected %d", i, cases[i].in, rc, cases[i].rc);
        if (rc == CTSCAN_OK)
            assert_int_equal(end, cases[i].end);
    }
    /* nesting deeper than the limit is refused, not recursed */
    GString *deep = g_string_new(NULL);
    for (int i = 0; i < CTSCAN_MAX_DEPTH + 10; i++)
        g_string_append_c(deep, '[');
    size_t end;
    assert_int_equal(ctscan_value(deep->str, deep->len, 0, 1, &end), CTSCAN_BAD);
    g_string_free(deep, TRUE);
}

static void test_scan_record_and_unescape(void **state)
{
    const char *rec =
        "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":\"IAMUser\","
        "\"accessKeyId\":\"AKIA5QWTE7LEAKEDKEY4\",\"arn\":\"arn:aws:iam::1:user/a\"},"
        "\"eventTime\":\"2025-05-12T03:14:05Z\",\"eventSource\":\"ses.amazonaws.com\","
        "\"eventName\":\"PutAccountDetails\",\"awsRegion\":\"us-east-1\","
        "\"sourceIPAddress\":\"203.0.113.66\",\"userAgent\":\"x\\u00e9\\ud83d\\ude00"
        "\\ud800z\\n\\\"q\\\"\",\"requestParameters\":{\"productionAccessEnabled\":true,"
        "\"mailType\":\"MARKETING\",\"nested\":{\"eventName\":\"Decoy\"}},"
        "\"responseElements\":null}";
    ctrec_t *r = g_new(ctrec_t, 1);
    ctscan_env_t env;
    size_t end = 0;
    assert_int_equal(ctscan_record(rec, strlen(rec), r, &env, &end), CTSCAN_OK);
    assert_int_equal(end, strlen(rec));
    /* every proper prefix is "more", never a record and never "bad" */
    for (size_t cut = 0; cut < strlen(rec); cut += 7) {
        ctrec_t *q = g_new(ctrec_t, 1);
        assert_int_equal(ctscan_record(rec, cut, q, &env, &end), CTSCAN_MORE);
        ctrec_release(q);
        g_free(q);
    }
    assert_int_equal(ctscan_record(rec, strlen(rec), r, &env, &end), CTSCAN_OK);
    assert_true(ctrec_looks_like_event(r));
    assert_true(slice_eq_ci(r->f[CTF_EVENT_NAME], "PutAccountDetails")); /* not the decoy */
    assert_true(slice_eq_ci(r->f[CTF_ID_KEY], "AKIA5QWTE7LEAKEDKEY4"));
    assert_int_equal(r->time, cttime_parse("2025-05-12T03:14:05Z", 20));
    const char *ua = "x\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdz\n\"q\"";
    assert_int_equal(r->f[CTF_USER_AGENT].n, strlen(ua));
    assert_memory_equal(r->f[CTF_USER_AGENT].p, ua, strlen(ua));
    slice_t v = ctrec_param(r, 0, "productionAccessEnabled");
    assert_true(slice_eq_ci(v, "true"));
    assert_true(slice_eq_ci(ctrec_param(r, 0, "nested.eventName"), "Decoy"));
    assert_int_equal(ctrec_param(r, 1, "x").n, 0); /* null response */
    assert_int_equal(ctrec_param(r, 0, "missing.deeper").n, 0);
    ctrec_release(r);
    /* malformed at depth 1 */
    const char *bad = "{\"eventName\" \"x\"}";
    assert_int_equal(ctscan_record(bad, strlen(bad), r, &env, NULL), CTSCAN_BAD);
    g_free(r);
}

/* Collect a line per record: what both reader paths must agree on. */
static int collect(ctrec_t *r, void *ctx)
{
    GPtrArray *out = ctx;
    GString *s = g_string_new(NULL);
    for (int f = 0; f < CTF_COUNT; f++) {
        g_string_append_len(s, r->f[f].p ? r->f[f].p : "", (gssize)r->f[f].n);
        g_string_append_c(s, '|');
    }
    slice_t p = ctrec_param(r, 0, "productionAccessEnabled");
    g_string_append_len(s, p.p ? p.p : "", (gssize)p.n);
    g_string_append_printf(s, "|%lld", (long long)r->time);
    g_ptr_array_add(out, g_string_free(s, FALSE));
    return 0;
}

static GPtrArray *read_all(const char *path, ctread_mode_t mode, int *rc)
{
    GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
    ctread_t *rd = ctread_new(mode, collect, out);
    *rc = ctread_path(rd, path);
    ctread_free(rd);
    return out;
}

static void test_shapes_fast_equals_jsonc(void **state)
{
    static const struct {
        const char *file;
        guint records;
    } shapes[] = {
        {"attack/records.json", ATTACK_RECORDS},
        {"attack/array.json", ATTACK_RECORDS + 1},
        {"attack/lines.jsonl", ATTACK_RECORDS},
        {"attack/eventbridge.jsonl", ATTACK_RECORDS},
        {"attack/lookup-events.json", ATTACK_RECORDS},
        {"attack/lake.json", ATTACK_RECORDS},
        {"s3", ATTACK_RECORDS + 5},
        {"benign/app-polling.json", 144},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(shapes); i++) {
        char *path = g_strconcat(FIX, shapes[i].file, NULL);
        int rc1, rc2;
        GPtrArray *a = read_all(path, CTREAD_FAST, &rc1);
        GPtrArray *b = read_all(path, CTREAD_JSONC, &rc2);
        assert_int_equal(rc1, 0);
        assert_int_equal(rc2, 0);
        if (a->len != shapes[i].records)
            fail_msg("%s: %u records, expected %u", shapes[i].file, a->len, shapes[i].records);
        assert_int_equal(a->len, b->len);
        for (guint k = 0; k < a->len; k++)
            if (strcmp(a->pdata[k], b->pdata[k]) != 0)
                fail_msg("%s record %u differs:\n fast %s\n json %s", shapes[i].file, k,
                         (char *)a->pdata[k], (char *)b->pdata[k]);
        g_ptr_array_free(a, TRUE);
        g_ptr_array_free(b, TRUE);
        g_free(path);
    }
}

static int count_cb(ctrec_t *r, void *ctx)
{
    (void)r;
    (*(size_t *)ctx)++;
    return 0;
}

/* Records cut across read chunks, in a Records object and in JSON Lines. */
static void test_streaming_across_chunks(void **state)
{
    GString *big = g_string_new("{\"Records\":[");
    GString *lines = g_string_new(NULL);
    GString *pad = g_string_new(NULL);
    for (int i = 0; i < 1500; i++)
        g_string_append(pad, "ab\\\"cd");
    size_t n = 3000;
    for (size_t i = 0; i < n; i++) {
        GString *r = g_string_new(NULL);
        g_string_append_printf(
            r,
            "{\"eventName\":\"GetSendQuota\",\"eventSource\":\"ses.amazonaws.com\","
            "\"eventTime\":\"2025-05-12T03:14:05Z\",\"eventID\":\"id-%zu\","
            "\"requestParameters\":{\"pad\":\"%s\"},\"userIdentity\":"
            "{\"accessKeyId\":\"AKIAX\"}}",
            i, pad->str);
        g_string_append_printf(big, "%s%s\n", i ? "," : "", r->str);
        g_string_append_printf(lines, "%s\r\n", r->str);
        g_string_free(r, TRUE);
    }
    g_string_append(big, "],\"extra\":{\"a\":[1,2]}}\n");
    assert_true(big->len > 2 * CTREAD_CHUNK);
    for (int mode = 0; mode < 2; mode++) {
        size_t c1 = 0, c2 = 0;
        ctread_t *rd = ctread_new(mode ? CTREAD_JSONC : CTREAD_FAST, count_cb, &c1);
        assert_int_equal(ctread_buffer(rd, "big", big->str, big->len), 0);
        ctread_free(rd);
        rd = ctread_new(mode ? CTREAD_JSONC : CTREAD_FAST, count_cb, &c2);
        assert_int_equal(ctread_buffer(rd, "lines", lines->str, lines->len), 0);
        ctread_free(rd);
        assert_int_equal(c1, n);
        assert_int_equal(c2, n);
    }
    /* truncated in the middle of a record: the records before it count */
    size_t c = 0;
    ctread_t *rd = ctread_new(CTREAD_FAST, count_cb, &c);
    assert_int_equal(ctread_buffer(rd, "cut", big->str, big->len / 2), -1);
    assert_int_equal(ctread_get_stats(rd)->bad_files, 1);
    ctread_free(rd);
    assert_true(c > 0 && c < n);
    g_string_free(big, TRUE);
    g_string_free(lines, TRUE);
    g_string_free(pad, TRUE);
}

static void test_bad_inputs(void **state)
{
    size_t c = 0;
    ctread_t *rd = ctread_new(CTREAD_FAST, count_cb, &c);
    assert_int_equal(ctread_path(rd, FIX "bad/not-json.json"), -1);
    assert_int_equal(ctread_path(rd, FIX "bad/truncated.json.gz"), -1);
    assert_int_equal(ctread_path(rd, FIX "bad/does-not-exist.json"), -1);
    assert_int_equal(ctread_path(rd, FIX "bad/odd-fields.json"), 0); /* odd values are skipped */
    assert_int_equal(ctread_path(rd, FIX "attack/records.json"), 0); /* and the rest goes on */
    const ctread_stats_t *st = ctread_get_stats(rd);
    assert_int_equal(st->bad_files, 3);
    assert_true(st->non_records >= 4);
    assert_true(c >= ATTACK_RECORDS + 1);
    ctread_free(rd);
    /* CloudWatch Logs export: a timestamp before each record */
    const char *cw =
        "2025-05-12T03:14:05.000Z {\"eventName\":\"GetSendQuota\",\"eventSource\":"
        "\"ses.amazonaws.com\"}\n2025-05-12T03:14:06.000Z {\"eventName\":\"GetAccount\","
        "\"eventSource\":\"ses.amazonaws.com\"}\n";
    for (int mode = 0; mode < 2; mode++) {
        size_t cwn = 0;
        rd = ctread_new(mode ? CTREAD_JSONC : CTREAD_FAST, count_cb, &cwn);
        assert_int_equal(ctread_buffer(rd, "cloudwatch", cw, strlen(cw)), 0);
        ctread_free(rd);
        assert_int_equal(cwn, 2);
    }
    static const char *const junk[] = {"",
                                       "   \n",
                                       "{}",
                                       "[]",
                                       "[1,2,\"x\"]",
                                       "{\"Records\":[]}",
                                       "{\"Records\":null}",
                                       "{\"detail\":{\"detail\":{}}}",
                                       "{\"CloudTrailEvent\":\"{\\\"eventName\\\":1}\"}",
                                       "{\"Records\":[{\"eventName\":\"A\",\"eventTime\":\"x\"}]"};
    for (size_t i = 0; i < G_N_ELEMENTS(junk); i++) {
        rd = ctread_new(CTREAD_FAST, count_cb, &c);
        ctread_buffer(rd, "junk", junk[i], strlen(junk[i]));
        ctread_free(rd);
        rd = ctread_new(CTREAD_JSONC, count_cb, &c);
        ctread_buffer(rd, "junk", junk[i], strlen(junk[i]));
        ctread_free(rd);
    }
}

static traildetect_t *detect_path(const trailrules_t *t, const char *path)
{
    traildetect_t *d = traildetect_new(t);
    ctread_t *rd = ctread_new(CTREAD_FAST, traildetect_record, d);
    assert_int_equal(ctread_path(rd, path), 0);
    ctread_free(rd);
    traildetect_finish(d);
    return d;
}

static bool has_det(const trailrules_t *t, const trail_incident_t *in, const char *name)
{
    int i = trailrules_find(t, name);
    assert_true(i >= 0);
    return in->dets >> i & 1;
}

static bool in_list(const char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strstr(v[i], s))
            return true;
    return false;
}

static void test_attack_incident(void **state)
{
    trailrules_t *t = rules();
    traildetect_t *d = detect_path(t, FIX "attack/records.json");
    assert_int_equal(traildetect_count(d), 2);
    /* the key the attacker created for persistence, used later from
     * elsewhere, is its own incident linked to its creator */
    const trail_incident_t *back = traildetect_get(d, 1);
    assert_string_equal(back->access_key, "AKIA5QWTE7PERSIST2QA");
    assert_non_null(back->created_by);
    assert_string_equal(back->created_by, "AKIA5QWTE7LEAKEDKEY4");
    assert_int_equal(back->severity, TSEV_HIGH);
    assert_true(has_det(t, back, "created_key_used"));
    const trail_incident_t *in = traildetect_get(d, 0);
    assert_null(in->created_by);
    assert_int_equal(in->severity, TSEV_CRITICAL);
    assert_true(in->chain);
    assert_string_equal(in->access_key, "AKIA5QWTE7LEAKEDKEY4");
    assert_true(in->long_term);
    static const char *const want[] = {"caller_identity",       "ses_recon",
                                       "ses_production_access", "ses_production_burst",
                                       "ses_identity_created",  "ses_sending_enabled",
                                       "ses_quota_increase",    "iam_user_created",
                                       "iam_access_key_other",  "iam_policy_ses",
                                       "iam_login_profile",     "trail_tampering",
                                       "new_source_ip",         "attacker_user_agent",
                                       "access_denied_storm"};
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++)
        if (!has_det(t, in, want[i]))
            fail_msg("missing detection %s", want[i]);
    assert_int_equal(in->burst_regions, 17);
    assert_true(in->burst_seconds <= 10);
    assert_int_equal(in->n_regions, 17);
    assert_true(in_list(in->new_ips, in->n_new_ips, "203.0.113.66"));
    assert_false(in_list(in->new_ips, in->n_new_ips, "198.51.100.10")); /* the app's own */
    assert_true(in_list(in->created, in->n_created, "user ses-support"));
    assert_true(in_list(in->created, in->n_created, "key AKIA5QWTE7PERSIST2QA"));
    assert_non_null(in->tool);
    assert_non_null(strstr(in->tool, "Kali"));
    assert_int_equal(in->denied, 25);
    /* the timeline is sorted and starts with the application's first poll */
    for (size_t i = 1; i < in->n_events; i++)
        assert_true(in->events[i - 1].time <= in->events[i].time);
    assert_string_equal(in->events[0].name, "GetSendQuota");
    assert_string_equal(in->events[0].ip, "198.51.100.10");
    bool t1496 = false, t1136 = false, t1562 = false, t1098 = false;
    for (char **a = in->attack; *a; a++) {
        t1496 |= strcmp(*a, "T1496.004") == 0;
        t1136 |= strcmp(*a, "T1136.003") == 0;
        t1562 |= strcmp(*a, "T1562.008") == 0;
        t1098 |= strcmp(*a, "T1098.001") == 0;
    }
    assert_true(t1496 && t1136 && t1562 && t1098);
    traildetect_free(d);
    trailrules_free(t);
}

static char *json_of(const trailrules_t *t, const char *path)
{
    traildetect_t *d = detect_path(t, path);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    trailout_json(f, d);
    fclose(f);
    traildetect_free(d);
    return buf;
}

/* Same events in every delivery shape, in any order, with a duplicated
 * eventID: the same report, byte for byte. */
static void test_shapes_same_report(void **state)
{
    trailrules_t *t = rules();
    char *ref = json_of(t, FIX "attack/lines.jsonl");
    assert_non_null(strstr(ref, "\"schema\":1"));
    static const char *const others[] = {"attack/records.json", "attack/array.json",
                                         "attack/eventbridge.jsonl", "attack/lookup-events.json",
                                         "attack/lake.json"};
    for (size_t i = 0; i < G_N_ELEMENTS(others); i++) {
        char *path = g_strconcat(FIX, others[i], NULL);
        char *o = json_of(t, path);
        if (strcmp(ref, o) != 0)
            fail_msg("%s: report differs from lines.jsonl", others[i]);
        free(o);
        g_free(path);
    }
    free(ref);
    /* the duplicate was seen and dropped */
    traildetect_t *d = detect_path(t, FIX "attack/array.json");
    assert_int_equal(traildetect_stats(d)->duplicates, 1);
    traildetect_free(d);
    trailrules_free(t);
}

/* The report of records fed in a given order (JSON Lines text). */
static char *json_of_lines(const trailrules_t *t, GPtrArray *lines)
{
    traildetect_t *d = traildetect_new(t);
    ctread_t *rd = ctread_new(CTREAD_FAST, traildetect_record, d);
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < lines->len; i++)
        g_string_append_printf(s, "%s\n", (const char *)lines->pdata[i]);
    assert_int_equal(ctread_buffer(rd, "lines", s->str, s->len), 0);
    g_string_free(s, TRUE);
    ctread_free(rd);
    traildetect_finish(d);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    trailout_json(f, d);
    fclose(f);
    traildetect_free(d);
    return buf;
}

/* Parallel readers hand records to the detector in whatever order the
 * threads reach them: reversed and shuffled input gives the same report,
 * byte for byte (tool user agents seen many times, ties in time). */
static void test_any_order_same_report(void **state)
{
    trailrules_t *t = rules();
    gchar *text = NULL;
    assert_true(g_file_get_contents(FIX "attack/lines.jsonl", &text, NULL, NULL));
    gchar **split = g_strsplit(text, "\n", -1);
    GPtrArray *lines = g_ptr_array_new();
    for (gchar **l = split; *l; l++)
        if (**l)
            g_ptr_array_add(lines, *l);
    char *ref = json_of_lines(t, lines);
    GRand *r = g_rand_new_with_seed(11);
    for (int round = 0; round < 20; round++) {
        if (round == 0) { /* reversed */
            for (guint i = 0; i < lines->len / 2; i++) {
                gpointer x = lines->pdata[i];
                lines->pdata[i] = lines->pdata[lines->len - 1 - i];
                lines->pdata[lines->len - 1 - i] = x;
            }
        } else {
            for (guint i = lines->len - 1; i > 0; i--) {
                guint j = (guint)g_rand_int_range(r, 0, (gint32)i + 1);
                gpointer x = lines->pdata[i];
                lines->pdata[i] = lines->pdata[j];
                lines->pdata[j] = x;
            }
        }
        char *o = json_of_lines(t, lines);
        if (strcmp(ref, o) != 0)
            fail_msg("order %d: report differs\n%s\n---\n%s", round, ref, o);
        free(o);
    }
    free(ref);
    g_rand_free(r);
    g_ptr_array_free(lines, TRUE);
    g_strfreev(split);
    g_free(text);
    trailrules_free(t);
}

static void test_benign(void **state)
{
    trailrules_t *t = rules();
    traildetect_t *d = detect_path(t, FIX "benign/trusted-advisor.json");
    assert_int_equal(traildetect_count(d), 0);
    assert_int_equal(traildetect_stats(d)->benign, 17);
    traildetect_free(d);
    d = detect_path(t, FIX "benign/app-polling.json");
    assert_int_equal(traildetect_count(d), 0);
    traildetect_free(d);
    d = detect_path(t, FIX "benign/admin-verifies-domain.json");
    for (size_t i = 0; i < traildetect_count(d); i++)
        assert_true(traildetect_get(d, i)->severity <= TSEV_LOW);
    traildetect_free(d);
    trailrules_free(t);
}

/* One key, many evidence events in reverse order: bounded, earliest kept. */
static void test_bounds(void **state)
{
    trailrules_t *t = rules();
    traildetect_t *d = traildetect_new(t);
    GString *s = g_string_new(NULL);
    int n = 1000;
    for (int i = n - 1; i >= 0; i--)
        g_string_append_printf(
            s,
            "{\"eventName\":\"CreateUser\",\"eventSource\":\"iam.amazonaws.com\","
            "\"eventTime\":\"2025-05-12T%02d:%02d:%02dZ\",\"eventID\":\"e%d\","
            "\"sourceIPAddress\":\"10.0.%d.%d\",\"userAgent\":\"ua%d\","
            "\"userIdentity\":{\"accessKeyId\":\"AKIAB\"},"
            "\"requestParameters\":{\"userName\":\"u%d\"}}\n",
            i / 3600, i / 60 % 60, i % 60, i, i / 256, i % 256, i, i);
    ctread_t *rd = ctread_new(CTREAD_FAST, traildetect_record, d);
    assert_int_equal(ctread_buffer(rd, "many", s->str, s->len), 0);
    ctread_free(rd);
    traildetect_finish(d);
    assert_int_equal(traildetect_count(d), 1);
    const trail_incident_t *in = traildetect_get(d, 0);
    assert_int_equal(in->n_events, TD_MAX_EVENTS);
    assert_int_equal(in->events_dropped, n - TD_MAX_EVENTS);
    assert_int_equal(in->first_seen, cttime_parse("2025-05-12T00:00:00Z", 20));
    assert_string_equal(in->events[0].ip, "10.0.0.0");
    assert_true(in->n_created <= TD_MAX_CREATED);
    assert_int_equal(in->det_counts[trailrules_find(t, "iam_user_created")], n);
    traildetect_free(d);
    g_string_free(s, TRUE);
    trailrules_free(t);
}

/* Attacker-controlled strings cannot break out of HTML or drive a terminal. */
static void test_hostile_strings(void **state)
{
    trailrules_t *t = rules();
    traildetect_t *d = traildetect_new(t);
    const char *rec =
        "{\"eventName\":\"StopLogging\",\"eventSource\":\"cloudtrail.amazonaws.com\","
        "\"eventTime\":\"2025-05-12T03:14:05Z\",\"awsRegion\":\"<img src=x onerror=alert(1)>\","
        "\"sourceIPAddress\":\"\\\"><script>alert(1)</script>\","
        "\"userAgent\":\"\\u001b[2J\\u001b]0;pwned\\u0007 \\xff\","
        "\"userIdentity\":{\"accessKeyId\":\"AKIA</svg>\",\"arn\":\"&amp;\"}}";
    ctread_t *rd = ctread_new(CTREAD_FAST, traildetect_record, d);
    assert_int_equal(ctread_buffer(rd, "hostile", rec, strlen(rec)), 0);
    ctread_free(rd);
    traildetect_finish(d);
    assert_int_equal(traildetect_count(d), 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    ctread_stats_t rs = {0};
    trailout_html(f, d, &rs);
    fclose(f);
    assert_null(strstr(buf, "<script>"));
    assert_null(strstr(buf, "<img"));
    assert_null(strstr(buf, "AKIA</svg>"));
    assert_non_null(strstr(buf, "&lt;script&gt;"));
    assert_non_null(strstr(buf, "&amp;amp;"));
    free(buf);
    f = open_memstream(&buf, &len);
    trailout_text(f, d, &rs);
    fclose(f);
    for (size_t i = 0; i < len; i++)
        assert_true(buf[i] == '\n' || (unsigned char)buf[i] >= 0x20);
    free(buf);
    f = open_memstream(&buf, &len);
    trailout_json(f, d);
    fclose(f);
    assert_true(g_utf8_validate(buf, (gssize)len, NULL));
    assert_null(strchr(buf, '\x1b'));
    free(buf);
    traildetect_free(d);
    trailrules_free(t);
}

/* A role trust policy naming another account is a backdoor; one naming the
 * caller's own account or a service is ordinary infrastructure work. */
static void test_trust_outside_account(void **state)
{
    trailrules_t *t = rules();
    static const struct {
        const char *name, *param, *doc, *want;
    } cases[] = {
        {"UpdateAssumeRolePolicy", "policyDocument",
         "{\\\"Principal\\\":{\\\"AWS\\\":\\\"arn:aws:iam::193672423079:root\\\"}}",
         "iam_role_trust_external"},
        {"UpdateAssumeRolePolicy", "policyDocument",
         "{\\\"Principal\\\":{\\\"AWS\\\":\\\"123837392027\\\"}}", "iam_role_trust_changed"},
        {"CreateRole", "assumeRolePolicyDocument",
         "{\\\"Principal\\\":{\\\"Service\\\":\\\"ec2.amazonaws.com\\\"}}", NULL},
        {"CreateRole", "assumeRolePolicyDocument",
         "{\\\"Principal\\\":{\\\"AWS\\\":[\\\"123837392027\\\",\\\"999988887777\\\"]}}",
         "iam_role_trust_external"},
        {"CreateRole", "assumeRolePolicyDocument", "1238373920270", NULL}, /* 13 digits */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *rec = g_strdup_printf("{\"eventName\":\"%s\",\"eventSource\":\"iam.amazonaws.com\","
                                    "\"userIdentity\":{\"accountId\":\"123837392027\"},"
                                    "\"requestParameters\":{\"roleName\":\"r\",\"%s\":\"%s\"}}",
                                    cases[i].name, cases[i].param, cases[i].doc);
        ctrec_t *r = g_new(ctrec_t, 1);
        ctscan_env_t env;
        assert_int_equal(ctscan_record(rec, strlen(rec), r, &env, NULL), CTSCAN_OK);
        int det = trailrules_match(t, r);
        if (cases[i].want == NULL)
            assert_int_equal(det, -1);
        else if (det < 0 || strcmp(trailrules_get(t, det)->name, cases[i].want) != 0)
            fail_msg("case %zu: got %s, want %s", i, det < 0 ? "-" : trailrules_get(t, det)->name,
                     cases[i].want);
        ctrec_release(r);
        g_free(r);
        g_free(rec);
    }
    trailrules_free(t);
}

static void test_rules_errors(void **state)
{
    char *dir = g_dir_make_tmp("trailrules-XXXXXX", NULL);
    assert_non_null(dir);
    char *err = NULL;
    assert_null(trailrules_load(dir, &err)); /* files missing */
    assert_non_null(err);
    g_free(err);
    char *p = g_build_filename(dir, "detections.tsv", NULL);
    assert_true(g_file_set_contents(p, "# x\nses_recon\tloud\trecon\tT1\ttitle\n", -1, NULL));
    err = NULL;
    assert_null(trailrules_load(dir, &err));
    assert_non_null(strstr(err, "detections.tsv:2"));
    g_free(err);
    g_unlink(p);
    g_free(p);
    g_rmdir(dir);
    g_free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_scan_values),
        cmocka_unit_test(test_scan_record_and_unescape),
        cmocka_unit_test(test_shapes_fast_equals_jsonc),
        cmocka_unit_test(test_streaming_across_chunks),
        cmocka_unit_test(test_bad_inputs),
        cmocka_unit_test(test_attack_incident),
        cmocka_unit_test(test_shapes_same_report),
        cmocka_unit_test(test_any_order_same_report),
        cmocka_unit_test(test_benign),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_hostile_strings),
        cmocka_unit_test(test_trust_outside_account),
        cmocka_unit_test(test_rules_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
