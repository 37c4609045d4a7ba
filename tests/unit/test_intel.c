/*
 * test_intel.c - domains (libpsl, libidn2), disguise-resistant text forms
 * (ICU), and links taken apart.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <idn2.h>
#include <unicode/uspoof.h>
#include <string.h>

#include "intel/brand.h"
#include "intel/domain.h"
#include "intel/domlist.h"
#include "intel/litset.h"
#include "intel/normalise.h"
#include "intel/urlinfo.h"

static void test_domain_forms(void **state)
{
    static const struct {
        const char *in, *ascii, *unicode, *org;
        bool idn, ip;
    } cases[] = {
        {"Mail.Example.CO.JP.", "mail.example.co.jp", "mail.example.co.jp", "example.co.jp", false,
         false},
        {"例え.jp", "xn--r8jz45g.jp", "例え.jp", "xn--r8jz45g.jp", true, false},
        {"xn--80ak6aa92e.com", "xn--80ak6aa92e.com", "аррӏе.com", "xn--80ak6aa92e.com", true,
         false},
        {"[192.0.2.1]", "192.0.2.1", "192.0.2.1", NULL, false, true},
        {"[IPv6:2001:db8::1]", "2001:db8::1", "2001:db8::1", NULL, false, true},
        {"co.jp", "co.jp", "co.jp", NULL, false, false},
        {"a.b.s3-website-us-east-1.amazonaws.com", "a.b.s3-website-us-east-1.amazonaws.com",
         "a.b.s3-website-us-east-1.amazonaws.com", "b.s3-website-us-east-1.amazonaws.com", false,
         false},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        domain_info_t d;
        domain_info(cases[i].in, &d);
        assert_string_equal(d.ascii, cases[i].ascii);
        assert_string_equal(d.unicode, cases[i].unicode);
        if (cases[i].org)
            assert_string_equal(d.org, cases[i].org);
        else
            assert_null(d.org);
        assert_int_equal(d.idn, cases[i].idn);
        assert_int_equal(d.ip, cases[i].ip);
        domain_info_clear(&d);
    }
    char *dom = domain_of_address("Someone@Sub.Example.COM");
    assert_string_equal(dom, "sub.example.com");
    g_free(dom);
    assert_null(domain_of_address("no-at-sign"));
    assert_true(domain_is_within("mail.amazon.co.jp", "amazon.co.jp"));
    assert_true(domain_is_within("amazon.co.jp", "amazon.co.jp"));
    assert_false(domain_is_within("fakeamazon.co.jp", "amazon.co.jp"));
}

/* ASCII names skip libidn2 when it would pass them unchanged: the answer
 * (valid or not, ASCII form) must be libidn2's for every kind of label. */
static void test_domain_ascii_fast_path(void **state)
{
    (void)state;
    char long_label[80];
    memset(long_label, 'a', 64);
    strcpy(long_label + 64, ".example");
    const char *hosts[] = {
        "example.com", "a..b", "-a.example", "a-.example", "ab--c.example", "xn--zz.example",
        "xn--r8jz45g.jp", "a_b.example", ".a.example", "*.a.example", "a b.example",
        "a\x7f.example", "a\x01.example", "A.EXAMPLE", "a/b", ":", "x", "sub-domain.co.jp",
        long_label, "a-b.c-d.example", "ab-c.example", "a--b.example",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(hosts); i++) {
        domain_info_t d;
        domain_info(hosts[i], &d);
        char *low = g_ascii_strdown(hosts[i], -1);
        char *a = NULL;
        bool ok = idn2_to_ascii_8z(low, &a, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) == IDN2_OK;
        if (d.valid != ok)
            fail_msg("%s: valid %d, libidn2 %d", hosts[i], d.valid, ok);
        if (ok && strcmp(d.ascii, a) != 0)
            fail_msg("%s: ascii %s, libidn2 %s", hosts[i], d.ascii, a);
        idn2_free(a);
        g_free(low);
        domain_info_clear(&d);
    }
}

static void test_domlist(void **state)
{
    (void)state;
    static const char list[] = "# comment\nExample.COM\ns3.*.amazonaws.com\n"
                               "s3-website-*.amazonaws.com\naol.*\nweb?.example.net\n";
    domlist_t *l = domlist_parse(list, sizeof list - 1);
    assert_int_equal(domlist_count(l), 5);
    static const struct {
        const char *host, *want;
    } cases[] = {
        {"example.com", "example.com"},
        {"a.b.EXAMPLE.com", "example.com"},
        {"notexample.com", NULL},
        {"s3.us-east-1.amazonaws.com", "s3.*.amazonaws.com"},
        {"bucket.s3.eu-west-3.amazonaws.com", "s3.*.amazonaws.com"},
        {"s3..amazonaws.com", NULL},                /* '*' alone needs a label */
        {"s3.a.b.amazonaws.com", NULL},             /* and only one */
        {"s3-website-us-east-1.amazonaws.com", "s3-website-*.amazonaws.com"},
        {"x.s3-website-.amazonaws.com", "s3-website-*.amazonaws.com"}, /* '*' inside: may be empty */
        {"s3-website-us.east.amazonaws.com", NULL}, /* never across a dot */
        {"aol.com", "aol.*"},
        {"mail.aol.jp", "aol.*"},
        {"aol.co.uk", NULL},
        {"web1.example.net", NULL}, /* '?' is no wildcard */
        {"web?.example.net", "web?.example.net"},
        {"", NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const char *got = domlist_match(l, cases[i].host);
        if ((got == NULL) != (cases[i].want == NULL) ||
            (got && strcmp(got, cases[i].want) != 0))
            fail_msg("%s: want %s, got %s", cases[i].host, cases[i].want ? cases[i].want : "none",
                     got ? got : "none");
    }
    domlist_free(l);
}

static void test_normalise(void **state)
{
    static const struct {
        const char *in, *out;
        unsigned invisible, combining;
    } cases[] = {
        {"M\u0336icrosoft", "Microsoft", 0, 1},
        {"コ\u2061インチェ\ufe09ック", "コインチェック", 2, 0},
        {"𝗔𝗺𝗮𝘇𝗼𝗻", "Amazon", 0, 0},
        {"Ａｍａｚｏｎ", "Amazon", 0, 0},
        {"Pay\u200bPal\ufeff", "PayPal", 2, 0},
        {"ｱﾏｿﾞﾝ", "アマゾン", 0, 0},
        {"三井住友カード", "三井住友カード", 0, 0},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        normalise_flags_t f;
        char *n = normalise_text(cases[i].in, &f);
        assert_string_equal(n, cases[i].out);
        assert_int_equal(f.invisible, cases[i].invisible);
        assert_int_equal(f.combining, cases[i].combining);
        g_free(n);
    }
    normalise_flags_t f;
    char *n = normalise_text("\u0410mazon", &f); /* Cyrillic A */
    assert_true(f.mixed_script);
    g_free(n);
    n = normalise_text("お客様のアカウント", &f);
    assert_false(f.mixed_script); /* Japanese scripts mix by design */
    g_free(n);
}

static void test_skeleton(void **state)
{
    char *a = normalise_skeleton("paypal");
    char *b = normalise_skeleton("paypa1");
    char *c = normalise_skeleton("\u0420ay\u0420al"); /* Cyrillic Er */
    char *d = normalise_skeleton("WaIIet");
    char *e = normalise_skeleton("wallet");
    char *f = normalise_skeleton("amazon");
    assert_string_equal(a, b);
    assert_string_equal(a, c);
    assert_string_equal(d, e);
    assert_string_not_equal(a, f);
    g_free(a);
    g_free(b);
    g_free(c);
    g_free(d);
    g_free(e);
    g_free(f);
}

/* ASCII text takes table shortcuts in normalise_text and
 * normalise_skeleton: both must equal ICU's answer, for every printable
 * character and for random strings of them. */
static void test_ascii_shortcuts(void **state)
{
    (void)state;
    UErrorCode e = U_ZERO_ERROR;
    USpoofChecker *sc = uspoof_open(&e);
    assert_true(U_SUCCESS(e));
    GRand *r = g_rand_new_with_seed(7);
    for (int round = 0; round < 400; round++) {
        char in[40];
        size_t n = round < 95 ? 1 : (size_t)g_rand_int_range(r, 1, (gint32)sizeof in);
        for (size_t i = 0; i < n; i++)
            in[i] = round < 95 ? (char)(0x20 + round) : (char)g_rand_int_range(r, 0x20, 0x7f);
        in[n] = '\0';
        normalise_flags_t f;
        char *t = normalise_text(in, &f);
        assert_string_equal(t, in);
        assert_int_equal(f.compat + f.invisible + f.combining + f.mixed_script, 0);
        g_free(t);
        char want[512];
        e = U_ZERO_ERROR;
        uspoof_getSkeletonUTF8(sc, 0, in, -1, want, sizeof want, &e);
        assert_true(U_SUCCESS(e));
        char *wl = g_utf8_strdown(want, -1);
        char *got = normalise_skeleton(in);
        if (strcmp(got, wl) != 0)
            fail_msg("\"%s\": skeleton %s, ICU %s", in, got, wl);
        g_free(got);
        g_free(wl);
    }
    g_rand_free(r);
    uspoof_close(sc);
}

/* brand_fold_text copies caseless scripts instead of folding them: the
 * result must equal GLib's full case fold of the normalised text, for
 * every code point of those ranges and for mixed text. */
static void test_fold_shortcut(void **state)
{
    (void)state;
    static const gunichar ranges[][2] = {
        {0x3000, 0x30FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xAC00, 0xD7A3}};
    for (size_t r = 0; r < G_N_ELEMENTS(ranges); r++)
        for (gunichar c = ranges[r][0]; c <= ranges[r][1]; c++) {
            char u[8] = {0};
            g_unichar_to_utf8(c, u);
            char *f = g_utf8_casefold(u, -1);
            if (strcmp(f, u) != 0)
                fail_msg("U+%04X folds to something else", c);
            g_free(f);
        }
    const char *mixed[] = {"Amazon \xe3\x82\xa2\xe3\x83\x9e\xe3\x82\xbe\xe3\x83\xb3 STRASSE Stra\xc3\x9f"
                           "e \xc3\x89" "COLE \xce\xa3\xce\x91\xce\xa3 \xed\x95\x9c\xea\xb5\xad "
                           "\xe6\x97\xa5\xe6\x9c\xac\xef\xbc\xa1\xef\xbd\xb1",
                           "\xd0\x9f\xd0\xa0\xd0\x98\xd0\x92\xd0\x95\xd0\xa2 \xe4\xb8\x89\xe4\xba\x95"};
    for (size_t i = 0; i < G_N_ELEMENTS(mixed); i++) {
        char *norm = normalise_text_n(mixed[i], 4096, NULL);
        char *want = g_utf8_casefold(norm, -1);
        char *got = brand_fold_text(mixed[i]);
        assert_string_equal(got, want);
        g_free(norm);
        g_free(want);
        g_free(got);
    }
}

static int collect_match(unsigned id, size_t end, void *ctx)
{
    g_string_append_printf(ctx, "%u@%zu ", id, end);
    return 0;
}

static char *scan_with_new_set(void)
{
    const char *lits[] = {"paypal", "amazon", "apple"};
    const unsigned ids[] = {7, 8, 9};
    char *err = NULL;
    litset_t *ls = litset_new(lits, ids, 3, &err);
    assert_non_null(ls);
    GString *got = g_string_new(NULL);
    const char *text = "your apple id and amazon and paypal";
    assert_int_equal(litset_scan(ls, text, strlen(text), collect_match, got), 0);
    litset_free(ls);
    return g_string_free(got, FALSE);
}

static unsigned count_cache_files(const char *dir)
{
    unsigned n = 0;
    GDir *d = g_dir_open(dir, 0, NULL);
    for (const char *f; d && (f = g_dir_read_name(d)) != NULL;)
        n += g_str_has_prefix(f, "lit-") && g_str_has_suffix(f, ".hsdb");
    if (d)
        g_dir_close(d);
    return n;
}

/* A literal set compiled once is cached; a cached, a corrupted and an
 * uncached set all match the same; SESGUARD_NO_CACHE writes nothing. */
static void test_litset_cache(void **state)
{
    (void)state;
    char *tmp = g_dir_make_tmp("sg-litset-XXXXXX", NULL);
    assert_non_null(tmp);
    char *old_home = g_strdup(g_getenv("XDG_CACHE_HOME"));
    char *old_off = g_strdup(g_getenv("SESGUARD_NO_CACHE"));
    g_setenv("XDG_CACHE_HOME", tmp, TRUE);
    g_unsetenv("SESGUARD_NO_CACHE");
    char *dir = g_build_filename(tmp, "sesguard", NULL);

    char *first = scan_with_new_set();
    assert_string_equal(first, "9@10 8@24 7@35 ");
    assert_int_equal(count_cache_files(dir), 1);
    char *second = scan_with_new_set(); /* from the cache */
    assert_string_equal(second, first);

    GDir *d = g_dir_open(dir, 0, NULL);
    const char *name = g_dir_read_name(d);
    char *file = g_build_filename(dir, name, NULL);
    g_dir_close(d);
    assert_true(g_file_set_contents(file, "not a database", -1, NULL));
    char *third = scan_with_new_set(); /* ignored and rewritten */
    assert_string_equal(third, first);
    gsize len = 0;
    char *bytes = NULL;
    assert_true(g_file_get_contents(file, &bytes, &len, NULL));
    assert_true(len > strlen("not a database"));

    char *tmp2 = g_dir_make_tmp("sg-litset-XXXXXX", NULL);
    g_setenv("XDG_CACHE_HOME", tmp2, TRUE);
    g_setenv("SESGUARD_NO_CACHE", "1", TRUE);
    char *fourth = scan_with_new_set();
    assert_string_equal(fourth, first);
    char *dir2 = g_build_filename(tmp2, "sesguard", NULL);
    assert_false(g_file_test(dir2, G_FILE_TEST_EXISTS));

    if (old_home)
        g_setenv("XDG_CACHE_HOME", old_home, TRUE);
    else
        g_unsetenv("XDG_CACHE_HOME");
    if (old_off)
        g_setenv("SESGUARD_NO_CACHE", old_off, TRUE);
    else
        g_unsetenv("SESGUARD_NO_CACHE");
    g_remove(file);
    g_rmdir(dir);
    g_rmdir(tmp);
    g_rmdir(tmp2);
    g_free(bytes);
    g_free(file);
    g_free(first);
    g_free(second);
    g_free(third);
    g_free(fourth);
    g_free(dir);
    g_free(dir2);
    g_free(tmp);
    g_free(tmp2);
    g_free(old_home);
    g_free(old_off);
}

static void test_urlinfo(void **state)
{
    urlinfo_t u;
    urlinfo_parse("hxxps://paypal.com@evil.example/x?y=1", &u);
    assert_string_equal(u.scheme, "https");
    assert_string_equal(u.host, "evil.example");
    assert_true(u.has_userinfo);
    assert_string_equal(u.path, "/x?y=1");
    urlinfo_clear(&u);
    urlinfo_parse("http://3232235777/login", &u);
    assert_true(u.ip_host);
    urlinfo_clear(&u);
    urlinfo_parse("www.example.co.uk/path", &u);
    assert_string_equal(u.host, "www.example.co.uk");
    assert_string_equal(u.org_domain, "example.co.uk");
    urlinfo_clear(&u);
    urlinfo_parse("https://xn--80ak6aa92e.com/", &u);
    assert_true(u.idn);
    assert_string_equal(u.host_unicode, "аррӏе.com");
    urlinfo_clear(&u);
    urlinfo_parse("data:text/html;base64,PGgxPg==", &u);
    assert_string_equal(u.scheme, "data");
    assert_null(u.host);
    urlinfo_clear(&u);
    urlinfo_parse("", &u);
    urlinfo_clear(&u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_domain_forms),
        cmocka_unit_test(test_domain_ascii_fast_path),
        cmocka_unit_test(test_domlist),
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_skeleton),
        cmocka_unit_test(test_ascii_shortcuts),
        cmocka_unit_test(test_fold_shortcut),
        cmocka_unit_test(test_litset_cache),
        cmocka_unit_test(test_urlinfo),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
