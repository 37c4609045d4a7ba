/*
 * test_keys_scan.c - the scanner and its reports on hand-made inputs:
 * line and column numbers, the inline allow mark, id+secret pairing, SES
 * SMTP passwords tied to the key they come from (across inputs), matches
 * that straddle the 8 MiB chunk boundary, binary skipping, hostile input
 * packed with key-shaped strings, densely packed keys, stable fingerprints, and the JSON Lines,
 * SARIF and baseline round trip.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keyreport.h"
#include "keys/keyrules.h"
#include "keys/keyscan.h"

static keyrules_t *rules;

static int setup(void **state)
{
    char *err = NULL;
    g_setenv("SESGUARD_NO_CACHE", "1", TRUE); /* no files in the user's cache */
    rules = keyrules_load(SG_SOURCE_DIR "/data/keys", &err);
    if (rules == NULL) {
        fprintf(stderr, "rules: %s\n", err);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    keyrules_free(rules);
    return 0;
}

static keyscan_t *scan_texts(const char *const *texts, size_t n)
{
    keyscan_opts_t o = {.threads = 1, .archives = true};
    keyscan_t *ks = keyscan_new(rules, &o);
    for (size_t i = 0; i < n; i++) {
        char name[32];
        g_snprintf(name, sizeof name, "t%zu", i);
        keyscan_buffer(ks, name, texts[i], strlen(texts[i]));
    }
    keyscan_finish(ks);
    return ks;
}

static const keyfinding_t *get(const keyscan_t *ks, guint i)
{
    const GPtrArray *fs = keyscan_findings(ks);
    assert_true(i < fs->len);
    return g_ptr_array_index((GPtrArray *)fs, i);
}

static const char *rule_id(const keyfinding_t *f)
{
    return keyrules_get(rules, (size_t)f->rule)->id;
}

static void test_lines_columns_and_pair(void **state)
{
    const char *t = "# config\r\n\r\n[default]\n"
                    "aws_access_key_id = AKIAYVP4CIPPERUVIFXG\n"
                    "aws_secret_access_key = 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\n"
                    "\tghp = 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\n";
    keyscan_t *ks = scan_texts(&t, 1);
    assert_int_equal(keyscan_findings(ks)->len, 2);
    const keyfinding_t *f = get(ks, 0);
    assert_string_equal(rule_id(f), "aws-access-key-id");
    assert_int_equal(f->line, 4);
    assert_int_equal(f->column, 21);
    assert_string_equal(f->key_id, "AKIAYVP4CIPPERUVIFXG");
    assert_string_equal(f->account, "595918472158");
    assert_true(f->canary); /* 595918472158 is a canarytokens.org account */
    assert_false(f->example);
    assert_int_equal(f->kind, AWSKEY_KIND_LONG_TERM);
    assert_non_null(f->paired_secret);
    assert_string_equal(f->paired_secret, "GTd7FguoV8FWnFbB0JxXujr4qqaaABvvLOzAxzXM");
    f = get(ks, 1);
    assert_string_equal(rule_id(f), "github-token");
    assert_int_equal(f->line, 6);
    assert_int_equal(f->column, 8);
    keyscan_free(ks);
}

static void test_allow_and_example(void **state)
{
    const char *t = "key = AKIASP2TPHJSQH3FJRUX # sesguard:allow test fixture\n"
                    "doc = AKIAIOSFODNN7EXAMPLE\n"
                    "tmp = ASIAY34FZKBOKMUTVV7A\n";
    keyscan_t *ks = scan_texts(&t, 1);
    assert_int_equal(keyscan_findings(ks)->len, 3);
    assert_true(get(ks, 0)->allowed);
    assert_false(get(ks, 1)->allowed);
    assert_true(get(ks, 1)->example);
    assert_string_equal(get(ks, 1)->account, "");
    assert_int_equal(get(ks, 2)->kind, AWSKEY_KIND_TEMPORARY);
    assert_string_equal(get(ks, 2)->account, "609629065308");
    assert_false(get(ks, 2)->canary);
    keyreport_opts_t ro = {0};
    assert_int_equal(keyreport_count_new(ks, &ro), 2);
    keyscan_free(ks);
}

static void test_smtp_tied_across_inputs(void **state)
{
    /* the key and its us-east-1 SMTP password in two different files */
    const char *t[] = {"aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
                       "relayhost = [email-smtp.us-east-1.amazonaws.com]:587\n"
                       "smtp_password = BLBM/9hSUELfq8Gw+rU1YcBjkOxGbhT2XG763xVLGWL9\n"};
    keyscan_t *ks = scan_texts(t, 2);
    assert_int_equal(keyscan_findings(ks)->len, 2);
    const keyfinding_t *secret = get(ks, 0), *smtp = get(ks, 1);
    assert_string_equal(rule_id(secret), "aws-secret-access-key");
    assert_true(secret->example);
    assert_string_equal(rule_id(smtp), "aws-ses-smtp-password");
    assert_int_equal(smtp->smtp_version, 4);
    assert_string_equal(smtp->smtp_region, "us-east-1");
    assert_string_equal(smtp->smtp_endpoint, "us-east-1");
    assert_null(secret->smtp_endpoint);
    assert_string_equal(smtp->smtp_key, secret->fingerprint);
    assert_true(smtp->example); /* derived from the example key */
    keyscan_free(ks);
}

static void test_chunk_boundary(void **state)
{
    size_t n = KEYSCAN_CHUNK + 4096;
    char *big = g_malloc(n + 1);
    memset(big, 'x', n);
    for (size_t i = 99; i < n; i += 100)
        big[i] = '\n';
    /* a key id straddling the end of the first chunk's owned range */
    const char *id = "AKIAYVP4CIPPERUVIFXG";
    size_t at = KEYSCAN_CHUNK - KEYSCAN_OVERLAP - 10;
    at -= at % 100; /* start of a line */
    memcpy(big + at, " ", 1);
    memcpy(big + at + 1, id, 20);
    memcpy(big + at + 21, " ", 1);
    /* and one at the very end of the file */
    memcpy(big + n - 30, " ", 1);
    memcpy(big + n - 29, "ASIAY34FZKBOKMUTVV7A", 20);
    memcpy(big + n - 9, " ", 1);
    big[n] = '\0';
    keyscan_opts_t o = {.threads = 1};
    keyscan_t *ks = keyscan_new(rules, &o);
    keyscan_buffer(ks, "big", big, n);
    keyscan_finish(ks);
    assert_int_equal(keyscan_findings(ks)->len, 2);
    assert_int_equal(get(ks, 0)->offset, at + 1);
    assert_int_equal(get(ks, 0)->line, at / 100 + 1);
    assert_int_equal(get(ks, 0)->column, 2);
    assert_int_equal(get(ks, 1)->offset, n - 29);
    assert_int_equal(get(ks, 1)->line, (n - 29) / 100 + 1);
    keyscan_free(ks);
    g_free(big);
}

/* One 12 MiB line with a key every 4 KiB (and one in the second chunk):
 * columns are right across the chunk boundary, and finding them is linear
 * (this test would take minutes if each column were counted back). */
static void test_long_line(void **state)
{
    size_t n = 12u * 1024 * 1024, step = 4096;
    char *big = g_malloc(n);
    memset(big, 'x', n);
    size_t want = 0;
    for (size_t at = 5; at + 40 < n; at += step, want++) {
        big[at] = ' ';
        memcpy(big + at + 1, "AKIAYVP4CIPPERUVIFXG", 20);
        big[at + 21] = ' ';
    }
    keyscan_opts_t o = {.threads = 1};
    keyscan_t *ks = keyscan_new(rules, &o);
    keyscan_buffer(ks, "line", big, n);
    keyscan_finish(ks);
    assert_int_equal(keyscan_findings(ks)->len, want);
    size_t k = 0;
    for (size_t at = 5; at + 40 < n; at += step, k++) {
        assert_int_equal(get(ks, (guint)k)->line, 1);
        assert_int_equal(get(ks, (guint)k)->column, at + 2);
    }
    keyscan_free(ks);
    g_free(big);
}

/* A 20 MiB text (three chunks) with a key id every 124 lines: each one
 * is reported exactly once, at its offset and line, whichever chunk, carry
 * or boundary it falls in. */
static void test_many_chunks(void **state)
{
    size_t n = 20u * 1024 * 1024, step = 64 * 124; /* keys never cover a newline */
    char *big = g_malloc(n);
    memset(big, 'x', n);
    for (size_t i = 63; i < n; i += 64)
        big[i] = '\n';
    size_t want = 0;
    for (size_t at = 10; at + 40 < n; at += step) {
        big[at] = ' ';
        memcpy(big + at + 1, "AKIAYVP4CIPPERUVIFXG", 20);
        big[at + 21] = ' ';
        want++;
    }
    keyscan_opts_t o = {.threads = 1};
    keyscan_t *ks = keyscan_new(rules, &o);
    keyscan_buffer(ks, "many", big, n);
    keyscan_finish(ks);
    assert_int_equal(keyscan_findings(ks)->len, want);
    size_t k = 0;
    for (size_t at = 10; at + 40 < n; at += step, k++) {
        const keyfinding_t *f = get(ks, (guint)k);
        if (f->offset != at + 1)
            fail_msg("finding %zu at %llu, want %zu", k, (unsigned long long)f->offset, at + 1);
        assert_int_equal(f->line, (at + 1) / 64 + 1);
    }
    keyscan_free(ks);
    g_free(big);
}

/* A key id and its secret on either side of the first chunk boundary
 * (the id owned by the first chunk, the secret by the second): still one
 * pair, reported once. */
static void test_pair_across_chunks(void **state)
{
    size_t n = KEYSCAN_CHUNK + KEYSCAN_OVERLAP + 4096;
    char *big = g_malloc(n);
    memset(big, 'x', n);
    for (size_t i = 63; i < n; i += 64)
        big[i] = '\n';
    size_t boundary = KEYSCAN_CHUNK; /* first chunk owns [0, CHUNK) */
    size_t id_at = boundary - 64 * 2 - (boundary % 64) + 1;
    size_t sec_at = boundary + 64 - (boundary % 64) + 1;
    memcpy(big + id_at, "AKIAYVP4CIPPERUVIFXG", 20);
    memcpy(big + sec_at, "GTd7FguoV8FWnFbB0JxXujr4qqaaABvvLOzAxzXM", 40);
    big[id_at - 1] = big[id_at + 20] = big[sec_at - 1] = big[sec_at + 40] = ' ';
    keyscan_opts_t o = {.threads = 1};
    keyscan_t *ks = keyscan_new(rules, &o);
    keyscan_buffer(ks, "pair", big, n);
    keyscan_finish(ks);
    assert_int_equal(keyscan_findings(ks)->len, 1);
    assert_int_equal(get(ks, 0)->offset, id_at);
    assert_non_null(get(ks, 0)->paired_secret);
    keyscan_free(ks);
    g_free(big);
}

static void test_binary_and_hostile(void **state)
{
    const char bin[] = "\x7f"
                       "ELF\0\0\0 aws_access_key_id = AKIAYVP4CIPPERUVIFXG";
    keyscan_opts_t o = {.threads = 1};
    keyscan_t *ks = keyscan_new(rules, &o);
    keyscan_buffer(ks, "bin", bin, sizeof bin - 1);
    /* 2 MiB of key-shaped and keyword-shaped noise */
    GString *s = g_string_new(NULL);
    while (s->len < 2 * 1024 * 1024)
        g_string_append(s, "AKIAAKIAASIA aws_secret SG.-----BEGIN PRIVATE KEY----- email-smtp "
                           "xoxb-123456- mandrill postmark sparkpost AccountKey= ");
    keyscan_buffer(ks, "noise", s->str, s->len);
    /* PEM headers packed with base64-looking lines and no END: the PEM
     * rule must stay linear (its body excludes '-', so a search stops at
     * the next header) */
    g_string_truncate(s, 0);
    while (s->len < 4 * 1024 * 1024)
        g_string_append(s, "-----BEGIN PRIVATE KEY-----\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
                           "AAAAAAAAAAAAAAAAAAAAAA\n");
    gint64 t0 = g_get_monotonic_time();
    keyscan_buffer(ks, "pem-bomb", s->str, s->len);
    assert_true(g_get_monotonic_time() - t0 < 5 * G_USEC_PER_SEC);
    keyscan_finish(ks);
    assert_int_equal(keyscan_findings(ks)->len, 0);
    keyscan_free(ks);
    g_string_free(s, TRUE);
}

/* Key ids packed closer than a rule's max_len: every one is reported
 * (the window logic skips hits, never matches). */
static void test_dense(void **state)
{
    GString *s = g_string_new(NULL);
    for (int i = 0; i < 50; i++)
        g_string_append(s, i % 2 ? "ASIAY34FZKBOKMUTVV7A\n" : "k=AKIASP2TPHJSQH3FJRUX\n");
    keyscan_opts_t o = {.threads = 1};
    keyscan_t *ks = keyscan_new(rules, &o);
    keyscan_buffer(ks, "dense", s->str, s->len);
    keyscan_finish(ks);
    assert_int_equal(keyscan_findings(ks)->len, 50);
    for (guint i = 0; i < 50; i++)
        assert_int_equal(get(ks, i)->line, i + 1);
    keyscan_free(ks);
    g_string_free(s, TRUE);
}

static void test_fingerprint_stable(void **state)
{
    const char *t[] = {"x AKIASP2TPHJSQH3FJRUX\n", "\n\ny = AKIASP2TPHJSQH3FJRUX\n",
                       "AKIAYVP4CIPPERUVIFXG\n"};
    keyscan_t *ks = scan_texts(t, 3);
    assert_int_equal(keyscan_findings(ks)->len, 3);
    assert_string_equal(get(ks, 0)->fingerprint, get(ks, 1)->fingerprint);
    assert_string_not_equal(get(ks, 0)->fingerprint, get(ks, 2)->fingerprint);
    assert_int_equal(strlen(get(ks, 0)->fingerprint), 64);
    keyscan_free(ks);
}

static char *report(keyscan_t *ks, const keyreport_opts_t *ro,
                    int (*fn)(FILE *, const keyscan_t *, const keyreport_opts_t *))
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(fn(f, ks, ro), 0);
    fclose(f);
    return buf;
}

static void test_json_sarif_baseline(void **state)
{
    const char *t =
        "id = ASIAY34FZKBOKMUTVV7A\nsecret = GTd7FguoV8FWnFbB0JxXujr4qqaaABvvLOzAxzXM\n"
        "SENDGRID=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 "
        "# sesguard:allow\n";
    keyscan_t *ks = scan_texts(&t, 1);
    keyreport_opts_t ro = {0};
    char *json = report(ks, &ro, keyreport_json);
    assert_null(strstr(json, "GTd7FguoV8FWnFbB0JxXujr4qqaaABvvLOzAxzXM")); /* redacted */
    gchar **lines = g_strsplit(json, "\n", -1);
    assert_int_equal(g_strv_length(lines), 3); /* two findings + trailing "" */
    json_object *o = json_tokener_parse(lines[0]), *v;
    assert_non_null(o);
    assert_true(json_object_object_get_ex(o, "schema", &v));
    assert_int_equal(json_object_get_int(v), 1);
    assert_true(json_object_object_get_ex(o, "rule", &v));
    assert_string_equal(json_object_get_string(v), "aws-access-key-id");
    assert_true(json_object_object_get_ex(o, "line", &v));
    assert_int_equal(json_object_get_int(v), 1);
    assert_true(json_object_object_get_ex(o, "account_id", &v));
    assert_string_equal(json_object_get_string(v), "609629065308");
    assert_true(json_object_object_get_ex(o, "paired_secret", &v));
    assert_string_equal(json_object_get_string(v), "GTd7****");
    assert_true(json_object_object_get_ex(o, "status", &v));
    assert_string_equal(json_object_get_string(v), "new");
    json_object_put(o);
    o = json_tokener_parse(lines[1]);
    assert_true(json_object_object_get_ex(o, "status", &v));
    assert_string_equal(json_object_get_string(v), "allowed");
    json_object_put(o);
    g_strfreev(lines);

    /* --show-secrets prints secrets and the derived SMTP passwords */
    keyreport_opts_t show = {.show_secrets = true};
    char *full = report(ks, &show, keyreport_json);
    assert_non_null(strstr(full, "GTd7FguoV8FWnFbB0JxXujr4qqaaABvvLOzAxzXM"));
    assert_non_null(strstr(full, "\"ses_smtp_passwords\":{\"us-east-1\":\"B"));
    g_free(full);

    /* SARIF 2.1.0: two results, the allowed one suppressed in source */
    char *sarif = report(ks, &ro, keyreport_sarif);
    o = json_tokener_parse(sarif);
    assert_non_null(o);
    assert_true(json_object_object_get_ex(o, "version", &v));
    assert_string_equal(json_object_get_string(v), "2.1.0");
    json_object *runs, *results, *res, *sup;
    assert_true(json_object_object_get_ex(o, "runs", &runs));
    assert_true(json_object_object_get_ex(json_object_array_get_idx(runs, 0), "results", &results));
    assert_int_equal(json_object_array_length(results), 2);
    res = json_object_array_get_idx(results, 1);
    assert_true(json_object_object_get_ex(res, "suppressions", &sup));
    assert_false(
        json_object_object_get_ex(json_object_array_get_idx(results, 0), "suppressions", &sup));
    json_object_put(o);
    g_free(sarif);

    /* the JSON output is a baseline: every finding is then accepted */
    char path[] = "/tmp/test_keys_baselineXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, json, strlen(json)), (ssize_t)strlen(json));
    close(fd);
    char *err = NULL;
    keybaseline_t *b = keybaseline_load(path, &err);
    assert_non_null(b);
    keyreport_opts_t with = {.baseline = b};
    assert_int_equal(keyreport_count_new(ks, &with), 0);
    assert_int_equal(keyreport_status(get(ks, 0), &with), KEYREPORT_BASELINE);
    keybaseline_free(b);
    /* a malformed baseline is an error naming the line */
    FILE *bad = fopen(path, "w");
    fputs("# ok\n\nnot-a-fingerprint\n", bad);
    fclose(bad);
    assert_null(keybaseline_load(path, &err));
    assert_non_null(strstr(err, ":3:"));
    g_free(err);
    unlink(path);

    char *text = report(ks, &ro, keyreport_text);
    assert_non_null(strstr(text, "t0:1:6:"));
    assert_non_null(strstr(text, "sesguard trail"));
    assert_non_null(strstr(text, "1 new findings, 1 accepted"));
    g_free(text);
    g_free(json);
    keyscan_free(ks);
}

static void test_redact(void **state)
{
    char *r = keyreport_redact("GTd7FguoV8FWnFbB0JxXujr4qqaaABvvLOzAxzXM");
    assert_string_equal(r, "GTd7****");
    g_free(r);
    r = keyreport_redact("abc");
    assert_string_equal(r, "****");
    g_free(r);
    r = keyreport_redact("-----BEGIN RSA PRIVATE KEY-----\nMIIE...");
    assert_string_equal(r, "-----BEGIN RSA PRIVATE KEY-----****");
    g_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lines_columns_and_pair),
        cmocka_unit_test(test_allow_and_example),
        cmocka_unit_test(test_smtp_tied_across_inputs),
        cmocka_unit_test(test_chunk_boundary),
        cmocka_unit_test(test_many_chunks),
        cmocka_unit_test(test_long_line),
        cmocka_unit_test(test_pair_across_chunks),
        cmocka_unit_test(test_binary_and_hostile),
        cmocka_unit_test(test_dense),
        cmocka_unit_test(test_fingerprint_stable),
        cmocka_unit_test(test_json_sarif_baseline),
        cmocka_unit_test(test_redact),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
