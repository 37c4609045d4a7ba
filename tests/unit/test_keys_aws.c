/*
 * test_keys_aws.c - offline AWS key facts: key-id shape, account id
 * decoding against the published pairs, key kinds, example keys, secret
 * plausibility, and the SES SMTP password derivation (AWS's test vector).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "keys/awskey.h"

static void test_account_published_pairs(void **state)
{
    static const struct {
        const char *id, *account;
    } pairs[] = {{"ASIAY34FZKBOKMUTVV7A", "609629065308"},
                 {"AKIASP2TPHJSQH3FJRUX", "171436882533"},
                 {"AKIAYVP4CIPPERUVIFXG", "595918472158"}};
    for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
        char out[AWSKEY_ACCOUNT_LEN + 1];
        assert_int_equal(awskey_account(slice_cstr(pairs[i].id), out), 0);
        assert_string_equal(out, pairs[i].account);
    }
}

static void test_account_none(void **state)
{
    char out[AWSKEY_ACCOUNT_LEN + 1] = "x";
    /* the older generation (fifth character I or J) carries no account */
    assert_int_equal(awskey_account(SLICE_LIT("AKIAIOSFODNN7EXAMPLE"), out), -1);
    assert_string_equal(out, "");
    assert_int_equal(awskey_account(SLICE_LIT("AKIAJOSFODNN7EXAMPLE"), out), -1);
    /* impossible characters, wrong length, identifier prefixes */
    assert_int_equal(awskey_account(SLICE_LIT("AKIA0ON7V2DD57PL3JXM"), out), -1);
    assert_int_equal(awskey_account(SLICE_LIT("AKIASP2TPHJSQH3FJRU"), out), -1);
    assert_int_equal(awskey_account(SLICE_LIT("AIDASP2TPHJSQH3FJRUX"), out), -1);
    assert_int_equal(awskey_account(SLICE_LIT(""), out), -1);
}

static void test_id_shape_and_kind(void **state)
{
    assert_true(awskey_id_valid(SLICE_LIT("AKIAYVP4CIPPERUVIFXG")));
    for (const char *bad = "0189"; *bad; bad++) {
        char id[] = "AKIAYVP4CIPPERUVIFXG";
        id[10] = *bad;
        assert_false(awskey_id_valid(slice_cstr(id)));
    }
    assert_false(awskey_id_valid(SLICE_LIT("AKIAyvp4cipperuvifxg")));
    assert_int_equal(awskey_kind(SLICE_LIT("AKIAYVP4CIPPERUVIFXG")), AWSKEY_KIND_LONG_TERM);
    assert_int_equal(awskey_kind(SLICE_LIT("ASIAY34FZKBOKMUTVV7A")), AWSKEY_KIND_TEMPORARY);
    assert_int_equal(awskey_kind(SLICE_LIT("ABIAY34FZKBOKMUTVV7A")), AWSKEY_KIND_BEARER);
    assert_int_equal(awskey_kind(SLICE_LIT("ACCAY34FZKBOKMUTVV7A")), AWSKEY_KIND_CONTEXT);
    assert_int_equal(awskey_kind(SLICE_LIT("AROAY34FZKBOKMUTVV7A")), AWSKEY_KIND_NONE);
    assert_string_equal(awskey_kind_name(AWSKEY_KIND_TEMPORARY), "temporary");
    assert_string_equal(awskey_kind_name(AWSKEY_KIND_LONG_TERM), "long-term");
}

static void test_example_and_secret(void **state)
{
    assert_true(awskey_is_example(SLICE_LIT("AKIAIOSFODNN7EXAMPLE")));
    assert_true(awskey_is_example(SLICE_LIT("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")));
    assert_false(awskey_is_example(SLICE_LIT("AKIAYVP4CIPPERUVIFXG")));
    assert_true(awskey_secret_plausible(SLICE_LIT("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")));
    assert_true(awskey_secret_plausible(SLICE_LIT("GTd7FguoV8FWnFbB0JxXujr4qqaaABvvLOzAxzXM")));
    /* a git SHA-1, a placeholder, all lower case, wrong length, bad char */
    assert_false(awskey_secret_plausible(SLICE_LIT("b1939a9b4ddbe45cf642b0c3a4acdd7f9fcc589f")));
    assert_false(awskey_secret_plausible(SLICE_LIT("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")));
    assert_false(awskey_secret_plausible(SLICE_LIT("abcdefghijklmnopqrstuvwxyzabcdefghijklmn")));
    assert_false(awskey_secret_plausible(SLICE_LIT("GTd7FguoV8FWnFbB0JxXujr4qqaaABvvLOzAxzX")));
    assert_false(awskey_secret_plausible(SLICE_LIT("GTd7FguoV8FWnFbB0JxXujr4qqaaABvvLOzAxz-M")));
}

static void test_smtp_derivation(void **state)
{
    char pw[AWSKEY_SMTP_PW_LEN + 1];
    slice_t secret = SLICE_LIT("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
    assert_int_equal(awskey_smtp_password(secret, "us-east-1", pw), 0);
    assert_string_equal(pw, "BLBM/9hSUELfq8Gw+rU1YcBjkOxGbhT2XG763xVLGWL9");
    assert_int_equal(awskey_smtp_version(slice_cstr(pw)), 4);
    /* another region gives another password of the same scheme */
    char pw2[AWSKEY_SMTP_PW_LEN + 1];
    assert_int_equal(awskey_smtp_password(secret, "eu-west-1", pw2), 0);
    assert_string_not_equal(pw, pw2);
    assert_int_equal(pw2[0], 'B');
    /* the legacy scheme starts with 'A' (version byte 0x02) */
    assert_int_equal(awskey_smtp_password_legacy(secret, pw2), 0);
    assert_int_equal(awskey_smtp_version(slice_cstr(pw2)), 2);
    assert_int_equal(pw2[0], 'A');
    /* malformed inputs */
    assert_int_equal(awskey_smtp_password(SLICE_LIT("short"), "us-east-1", pw), -1);
    assert_int_equal(awskey_smtp_password(secret, "us east 1", pw), -1);
    assert_int_equal(awskey_smtp_password(secret, "", pw), -1);
    assert_int_equal(awskey_smtp_version(SLICE_LIT("BZBM/9hSUELfq8Gw+rU1YcBjkOxGbhT2XG763xVLGWL9")),
                     -1);
    assert_int_equal(awskey_smtp_version(SLICE_LIT("BLBM/9hSUELfq8Gw+rU1YcBjkOxGbhT2XG763xVLGWL")),
                     -1);
    assert_int_equal(awskey_smtp_version(SLICE_LIT("BLBM-9hSUELfq8Gw+rU1YcBjkOxGbhT2XG763xVLGWL9")),
                     -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_account_published_pairs), cmocka_unit_test(test_account_none),
        cmocka_unit_test(test_id_shape_and_kind),       cmocka_unit_test(test_example_and_secret),
        cmocka_unit_test(test_smtp_derivation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
