/*
 * test_iam.c - IAM credential report checks: every check on the fixture
 * with a fixed "now", booleans in any case, N/A values, quoted fields,
 * missing columns, short rows, and how "now" changes the answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "trail/cttime.h"
#include "trail/iamreport.h"

#define REPORT SG_TEST_DATA "/trail/iam/credential-report.csv"

static iamreport_t *fresh(void)
{
    char *err = NULL;
    iamreport_t *r = iamreport_new(SG_SOURCE_DIR "/data/trail", &err);
    if (r == NULL)
        fail_msg("checks: %s", err);
    return r;
}

static int64_t at(const char *s)
{
    return cttime_parse(s, strlen(s));
}

static char *findings(const iamreport_t *r)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < iamreport_count(r); i++) {
        const iam_finding_t *f = iamreport_get(r, i);
        g_string_append_printf(s, "%s:%s:%s\n", f->user, f->check, f->key);
    }
    return g_string_free(s, FALSE);
}

static void test_fixture(void **state)
{
    iamreport_t *r = fresh();
    assert_int_equal(iamreport_file(r, REPORT, at("2025-06-01T00:00:00Z")), 0);
    assert_int_equal(iamreport_users(r), 7);
    char *got = findings(r);
    const char *want = "<root_account>:root_no_mfa:\n"
                       "<root_account>:root_access_key:access_key_1\n"
                       "<root_account>:key_not_rotated:access_key_1\n"
                       "ses-mailer:key_not_rotated:access_key_1\n"
                       "bob:console_no_mfa:\n"
                       "bob:two_active_keys:access_key_1,access_key_2\n"
                       "bob:password_unused_90:password\n"
                       "ci-deploy:key_not_rotated:access_key_1\n"
                       "ci-deploy:key_unused_90:access_key_1\n"
                       "ci-deploy:key_created_with_user:access_key_1\n"
                       "old-app:key_not_rotated:access_key_1\n"
                       "old-app:key_unused_45:access_key_1\n";
    assert_string_equal(got, want);
    g_free(got);
    /* control ids and severities come from the data file */
    const iam_finding_t *f = iamreport_get(r, 1);
    assert_string_equal(f->control, "IAM.4");
    assert_int_equal(f->severity, TSEV_CRITICAL);
    f = iamreport_get(r, 4);
    assert_string_equal(f->control, "IAM.5");
    assert_int_equal(f->severity, TSEV_HIGH);
    iamreport_free(r);
}

/* Earlier "now": keys were young, so fewer findings. */
static void test_now_matters(void **state)
{
    iamreport_t *r = fresh();
    assert_int_equal(iamreport_file(r, REPORT, at("2025-02-01T00:00:00Z")), 0);
    char *got = findings(r);
    assert_null(strstr(got, "ci-deploy:key_not_rotated"));
    assert_null(strstr(got, "ci-deploy:key_unused_90"));
    assert_non_null(strstr(got, "ci-deploy:key_created_with_user"));
    assert_null(strstr(got, "old-app:"));
    g_free(got);
    iamreport_free(r);
}

static void test_odd_input(void **state)
{
    iamreport_t *r = fresh();
    int64_t now = at("2025-06-01T00:00:00Z");
    /* reordered columns, CRLF, a quoted name with a comma and quotes, a short row */
    const char *csv =
        "\xEF\xBB\xBFuser,mfa_active,arn,user_creation_time,password_enabled,password_last_used,"
        "password_last_changed,password_next_rotation,access_key_1_active,"
        "access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,"
        "access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,"
        "access_key_2_last_used_date,access_key_2_last_used_region,"
        "access_key_2_last_used_service\r\n"
        "\"eve, \"\"the\"\" admin\",False,arn:x,2025-05-30T00:00:00+00:00,True,"
        "2025-05-31T00:00:00+00:00,N/A,N/A,tRuE,2025-05-30T00:00:00+00:00,"
        "2025-05-31T00:00:00+00:00,us-east-1,ses,FALSE,N/A,N/A,N/A,N/A\r\n"
        "short,row\r\n";
    assert_int_equal(iamreport_parse(r, "odd", csv, strlen(csv), now), -1); /* the short row */
    assert_int_equal(iamreport_users(r), 1);
    assert_int_equal(iamreport_count(r), 1);
    assert_string_equal(iamreport_get(r, 0)->user, "eve, \"the\" admin");
    assert_string_equal(iamreport_get(r, 0)->check, "console_no_mfa");
    iamreport_free(r);

    r = fresh();
    const char *nohdr = "user,arn\nalice,arn:x\n";
    assert_int_equal(iamreport_parse(r, "nohdr", nohdr, strlen(nohdr), now), -1);
    assert_int_equal(iamreport_parse(r, "empty", "", 0, now), -1);
    assert_int_equal(iamreport_parse(r, "binary", "\0\1\2", 3, now), -1);
    assert_int_equal(iamreport_count(r), 0);
    assert_int_equal(iamreport_file(r, SG_TEST_DATA "/trail/iam/missing.csv", now), -1);
    iamreport_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fixture),
        cmocka_unit_test(test_now_matters),
        cmocka_unit_test(test_odd_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
