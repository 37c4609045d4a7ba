/*
 * test_dmarc.c - DMARC record parsing, discovery (From domain, then the
 * organisational domain), relaxed and strict alignment, p/sp/np, several
 * records, bad p= with and without rua=, several From domains, temperror.
 * DNS comes from a zone file written here, through the zone backend.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth/authmsg.h"
#include "auth/dmarc.h"
#include "mail/authres.h"

static dns_resolver_t *dns;
static char *zone_path;

static const char zone[] =
    "_dmarc.relaxed.example. TXT \"v=DMARC1; p=quarantine; sp=none; np=reject; pct=50\"\n"
    "relaxed.example. A 192.0.2.1\n"
    "sub.relaxed.example. A 192.0.2.2\n"
    "_dmarc.strict.example. TXT \"v=DMARC1; p=reject; adkim=s; aspf=s\"\n"
    "_dmarc.two.example. TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.two.example. TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.norua.example. TXT \"v=DMARC1; p=bogus\"\n"
    "_dmarc.rua.example. TXT \"v=DMARC1; p=bogus; rua=mailto:d@rua.example\"\n"
    "_dmarc.split.example. TXT \"v=DMARC1; \" \"p=reject\"\n"
    "_dmarc.other.example. TXT \"v=spf1 -all\"\n"
    "_dmarc.slow.example. TYPE65280 \\# 0\n";

static int setup(void **state)
{
    int fd = g_file_open_tmp("sgdmarcXXXXXX.zone", &zone_path, NULL);
    assert_true(fd >= 0);
    close(fd);
    assert_true(g_file_set_contents(zone_path, zone, -1, NULL));
    const char *files[] = {zone_path, NULL};
    char *err = NULL;
    dns = dns_zone_new(files, &err);
    if (dns == NULL)
        fprintf(stderr, "zone: %s\n", err);
    assert_non_null(dns);
    return 0;
}

static int teardown(void **state)
{
    dns_resolver_free(dns);
    g_unlink(zone_path);
    g_free(zone_path);
    return 0;
}

static dmarc_res_t check(const char *from, const char *spf_domain, bool spf_pass,
                         const char *dkim_domain, bool dkim_pass, dmarc_result_t *r)
{
    const char *froms[] = {from, NULL};
    dmarc_dkim_t dk = {dkim_domain, dkim_pass};
    dmarc_input_t in = {froms, spf_domain, spf_pass, dkim_domain ? &dk : NULL, dkim_domain ? 1 : 0};
    return dmarc_check(dns, &in, r);
}

static void test_parse(void **state)
{
    dmarc_record_t r;
    assert_int_equal(dmarc_parse_record("v=DMARC1; p=reject; sp=quarantine; pct=20", 41, &r), 0);
    assert_int_equal(r.p, DMARC_P_REJECT);
    assert_int_equal(r.sp, DMARC_P_QUARANTINE);
    assert_int_equal(r.np, DMARC_P_QUARANTINE); /* np defaults to sp */
    assert_int_equal(r.pct, 20);
    assert_int_equal(dmarc_parse_record("p=reject; v=DMARC1", 18, &r), -1); /* v= must be first */
    assert_int_equal(dmarc_parse_record("v=DMARC2; p=reject", 18, &r), -1);
    assert_int_equal(dmarc_parse_record("v=DMARC1", 8, &r), -2); /* no p=, no rua= */
    assert_int_equal(dmarc_parse_record("v=DMARC1;p=none;pct=500", 23, &r), 0);
    assert_int_equal(r.pct, 100); /* out of range: default */
    assert_int_equal(dmarc_parse_record("", 0, &r), -1);
}

static void test_alignment(void **state)
{
    dmarc_result_t r;
    /* relaxed: a subdomain's DKIM pass aligns with the organisational domain */
    assert_int_equal(check("relaxed.example", NULL, false, "mail.relaxed.example", true, &r),
                     DMARC_PASS);
    assert_string_equal(r.dkim_aligned, "mail.relaxed.example");
    assert_int_equal(r.pct, 50);
    dmarc_result_clear(&r);
    /* SPF pass for an unrelated domain does not align */
    assert_int_equal(check("relaxed.example", "bounce.esp.example", true, "esp.example", true, &r),
                     DMARC_FAIL);
    assert_int_equal(r.policy, DMARC_P_QUARANTINE);
    dmarc_result_clear(&r);
    /* strict: the same subdomain does not align */
    assert_int_equal(
        check("strict.example", "mail.strict.example", true, "mail.strict.example", true, &r),
        DMARC_FAIL);
    assert_int_equal(r.policy, DMARC_P_REJECT);
    dmarc_result_clear(&r);
    assert_int_equal(check("strict.example", "strict.example", true, NULL, false, &r), DMARC_PASS);
    assert_string_equal(r.spf_aligned, "strict.example");
    dmarc_result_clear(&r);
    /* a DKIM fail never aligns */
    assert_int_equal(check("strict.example", NULL, false, "strict.example", false, &r), DMARC_FAIL);
    dmarc_result_clear(&r);
}

static void test_discovery_and_policy(void **state)
{
    dmarc_result_t r;
    /* subdomain: org record, sp= applies */
    assert_int_equal(check("sub.relaxed.example", NULL, false, NULL, false, &r), DMARC_FAIL);
    assert_string_equal(r.record_domain, "relaxed.example");
    assert_string_equal(r.org_domain, "relaxed.example");
    assert_int_equal(r.policy, DMARC_P_NONE);
    dmarc_result_clear(&r);
    /* a subdomain that does not exist: np= applies */
    assert_int_equal(check("ghost.relaxed.example", NULL, false, NULL, false, &r), DMARC_FAIL);
    assert_int_equal(r.policy, DMARC_P_REJECT);
    dmarc_result_clear(&r);
    /* two records: none */
    assert_int_equal(check("two.example", NULL, false, NULL, false, &r), DMARC_NONE);
    assert_non_null(strstr(r.problem, "2 DMARC records"));
    dmarc_result_clear(&r);
    /* bad p=: none without rua=, p=none with it */
    assert_int_equal(check("norua.example", NULL, false, NULL, false, &r), DMARC_NONE);
    dmarc_result_clear(&r);
    assert_int_equal(check("rua.example", NULL, false, NULL, false, &r), DMARC_FAIL);
    assert_int_equal(r.policy, DMARC_P_NONE);
    dmarc_result_clear(&r);
    /* a record split over character-strings is joined */
    assert_int_equal(check("split.example", NULL, false, NULL, false, &r), DMARC_FAIL);
    assert_int_equal(r.policy, DMARC_P_REJECT);
    dmarc_result_clear(&r);
    /* a TXT record that is not DMARC, and no record at all */
    assert_int_equal(check("other.example", NULL, false, NULL, false, &r), DMARC_NONE);
    dmarc_result_clear(&r);
    assert_int_equal(check("nothing.example", NULL, false, NULL, false, &r), DMARC_NONE);
    dmarc_result_clear(&r);
    /* DNS timeout */
    assert_int_equal(check("slow.example", NULL, false, NULL, false, &r), DMARC_TEMPERROR);
    dmarc_result_clear(&r);
}

static void test_several_from(void **state)
{
    const char *froms[] = {"relaxed.example", "strict.example", NULL};
    dmarc_dkim_t dk = {"relaxed.example", true};
    dmarc_input_t in = {froms, NULL, false, &dk, 1};
    dmarc_result_t r;
    assert_int_equal(dmarc_check(dns, &in, &r), DMARC_FAIL);
    assert_string_equal(r.from_domain, "strict.example");
    assert_int_equal(r.policy, DMARC_P_REJECT);
    dmarc_result_clear(&r);
    const char *none[] = {NULL};
    dmarc_input_t empty = {none, NULL, false, NULL, 0};
    assert_int_equal(dmarc_check(dns, &empty, &r), DMARC_PERMERROR);
    dmarc_result_clear(&r);
}

/* Our Authentication-Results field parses back to what we verified, even
 * with attacker-written domain and selector text in it. */
static void test_authres_roundtrip(void **state)
{
    authmsg_t a = {.source = AUTHMSG_VERIFIED};
    a.dkim = g_ptr_array_new();
    a.spf = "pass";
    a.spf_domain = "bounce.example.net";
    authmsg_dkim_t d1 = {.domain = "example.net", .selector = "s1", .result = "pass"};
    authmsg_dkim_t d2 = {.domain = "evil\"; dmarc=pass", .selector = "x y", .result = "fail"};
    g_ptr_array_add(a.dkim, &d1);
    g_ptr_array_add(a.dkim, &d2);
    a.dmarc = "fail";
    a.dmarc_policy = "reject";
    a.dmarc_from_domain = "example.net";
    a.arc = "none";
    char *h = authmsg_header(&a, "mx.example.jp");
    authres_t *p = authres_parse(h, strlen(h));
    assert_true(p->ok);
    assert_string_equal(p->authserv_id, "mx.example.jp");
    assert_int_equal(p->results->len, 5);
    const authres_result_t *dm = authres_find(p, "dmarc");
    assert_string_equal(dm->result, "fail"); /* the injected "dmarc=pass" stayed a quoted value */
    assert_string_equal(authres_prop(authres_find(p, "spf"), "smtp", "mailfrom"),
                        "bounce.example.net");
    authres_free(p);
    g_free(h);
    g_ptr_array_free(a.dkim, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_alignment),
        cmocka_unit_test(test_discovery_and_policy),
        cmocka_unit_test(test_several_from),
        cmocka_unit_test(test_authres_roundtrip),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
