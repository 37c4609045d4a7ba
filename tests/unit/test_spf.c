/*
 * test_spf.c - SPF (RFC 7208): the record parser (valid and invalid
 * terms), the macro examples of RFC 7208 7.4, and check_host() over an
 * in-memory zone: every mechanism, the seven results, the limits of 4.6.4
 * at their edges (10 DNS terms pass, 11 fail; 2 void lookups pass, 3
 * fail; 10 MX names pass, 11 fail), include/redirect semantics,
 * explanations, IPv4-mapped clients, the HELO identity, timeouts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth/spf.h"
#include "auth/spf_macro.h"
#include "auth/spf_record.h"

/* ---- record parser ---- */

static void test_record_parse(void **state)
{
    static const char *const good[] = {
        "v=spf1",
        "V=SPF1 -ALL",
        "v=spf1  ip4:192.0.2.0/24   ip6:2001:db8::/32 ~all ",
        "v=spf1 a mx ptr a:example.com/24//64 mx//0 a/0 ptr:example.com exists:%{i}.bl.example.com",
        "v=spf1 include:_spf.example.com redirect=_spf.example.net exp=exp.%{d}",
        "v=spf1 moo.cow-far_out=man:dog/cat -all",
        "v=spf1 a:example.com. a:foo-bar.123-4 a:%{d}",
        "v=spf1 ip6:::ffff:192.0.2.1 ip4:0.0.0.0/0",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        char *err = NULL;
        spf_record_t *r = spf_record_parse(slice_cstr(good[i]), &err);
        if (!r)
            fail_msg("%s: %s", good[i], err);
        spf_record_free(r);
    }
    static const char *const bad[] = {
        "v=spf10 -all",            /* not a record */
        "v=spf1 -all\tmx",         /* only spaces separate terms */
        "v=spf1 ip4:192.0.2.01",   /* leading zero */
        "v=spf1 ip4:192.0.2.0/33", /* CIDR too long */
        "v=spf1 a/024",            /* leading zero in CIDR */
        "v=spf1 ip6:2001:db8::/129",
        "v=spf1 ip4:192.0.2.0//64",
        "v=spf1 a:1.2.3.4", /* numeric top label */
        "v=spf1 a:museum",  /* no "." before the top label */
        "v=spf1 a:foo.-bar",
        "v=spf1 include",
        "v=spf1 all:foo",
        "v=spf1 frob:example.com", /* unknown mechanism */
        "v=spf1 redirect=a.example.com redirect=b.example.com",
        "v=spf1 exp=a.example.com exp=b.example.com",
        "v=spf1 redirect=",
        "v=spf1 exists:%(ir).example.com", /* bad macro */
        "v=spf1 exists:foo%.example.com",
        "v=spf1 a:%{d0}.example.com", /* zero digit */
        "v=spf1 a:%{c}.example.com",  /* c only in exp text */
        "v=spf1 a:%{x}.example.com",
        "v=spf1 foo=%",
        "v=spf1 \xc3\xa9",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        char *err = NULL;
        spf_record_t *r = spf_record_parse(slice_cstr(bad[i]), &err);
        if (r)
            fail_msg("accepted: %s", bad[i]);
        assert_non_null(err);
        g_free(err);
    }
    /* NUL inside the record */
    char *err = NULL;
    assert_null(spf_record_parse(slice_make("v=spf1 a:x.com\0 -all", 21), &err));
    g_free(err);
}

static void test_record_terms(void **state)
{
    char *err = NULL;
    spf_record_t *r = spf_record_parse(
        slice_cstr("v=spf1 -a:Example.com/24//64 ~ip4:192.0.2.128/25 ?mx +all redirect=x.example"),
        &err);
    assert_non_null(r);
    assert_int_equal(r->terms->len, 4);
    const spf_term_t *t = g_ptr_array_index(r->terms, 0);
    assert_int_equal(t->mech, SPF_MECH_A);
    assert_int_equal(t->qualifier, '-');
    assert_string_equal(t->spec, "Example.com");
    assert_int_equal(t->cidr4, 24);
    assert_int_equal(t->cidr6, 64);
    t = g_ptr_array_index(r->terms, 1);
    assert_int_equal(t->mech, SPF_MECH_IP4);
    assert_int_equal(t->cidr4, 25);
    assert_int_equal(t->net[3], 128);
    assert_true(r->has_all);
    assert_string_equal(r->redirect, "x.example");
    spf_record_free(r);
}

/* ---- macros: RFC 7208 7.4 ---- */

static void test_macro_examples(void **state)
{
    spf_macro_env_t env = {.sender = "strong-bad@email.example.com",
                           .local = "strong-bad",
                           .sender_domain = "email.example.com",
                           .domain = "email.example.com",
                           .ip_dotted = "192.0.2.3",
                           .ip_readable = "192.0.2.3",
                           .ip_version = "in-addr",
                           .helo = "mx.example.org",
                           .receiver = "mx.example.net",
                           .now = 1234};
    static const char *const cases[][2] = {
        {"%{s}", "strong-bad@email.example.com"},
        {"%{o}", "email.example.com"},
        {"%{d}", "email.example.com"},
        {"%{d4}", "email.example.com"},
        {"%{d3}", "email.example.com"},
        {"%{d2}", "example.com"},
        {"%{d1}", "com"},
        {"%{dr}", "com.example.email"},
        {"%{d2r}", "example.email"},
        {"%{l}", "strong-bad"},
        {"%{l-}", "strong.bad"},
        {"%{lr}", "strong-bad"},
        {"%{lr-}", "bad.strong"},
        {"%{l1r-}", "strong"},
        {"%{ir}.%{v}._spf.%{d2}", "3.2.0.192.in-addr._spf.example.com"},
        {"%{lr-}.lp._spf.%{d2}", "bad.strong.lp._spf.example.com"},
        {"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}", "bad.strong.lp.3.2.0.192.in-addr._spf.example.com"},
        {"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", "3.2.0.192.in-addr.strong.lp._spf.example.com"},
        {"%{d2}.trusted-domains.example.net", "example.com.trusted-domains.example.net"},
        {"%{d999}", "email.example.com"},
        {"%% %_ %-", "%   %20"},
        {"%{S}", "strong-bad%40email.example.com"},
        {"%{c} %{r} %{t} %{h}", "192.0.2.3 mx.example.net 1234 mx.example.org"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        buf_t b;
        buf_init(&b, 1024);
        const char *why = NULL;
        if (spf_macro_expand(slice_cstr(cases[i][0]), true, &env, &b, &why) != 0)
            fail_msg("%s: %s", cases[i][0], why);
        assert_string_equal(b.data, cases[i][1]);
        buf_free(&b);
    }
    /* expansion is bounded */
    buf_t b;
    buf_init(&b, 16);
    const char *why = NULL;
    assert_int_equal(spf_macro_expand(slice_cstr("%{s}%{s}"), false, &env, &b, &why), -1);
    assert_non_null(why);
    buf_free(&b);
}

/* ---- check_host over a zone ---- */

static const char zone[] =
    "$ORIGIN example.com.\n"
    "@          TXT \"v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 mx:mail.example.com/30 "
    "include:inc.example.com -all exp=exp.example.com\"\n"
    "mail       MX 10 mx1.example.com.\n"
    "mx1        A 198.51.100.4\n"
    "mx1        AAAA 2001:db8:ffff::4\n"
    "inc        TXT \"v=spf1 a:host.example.com ~all\"\n"
    "host       A 203.0.113.9\n"
    "exp        TXT \"%{i} is not one of %{d}'s \" \"senders\"\n"
    "soft       TXT \"v=spf1 ~all\"\n"
    "neutral    TXT \"v=spf1 ?all\"\n"
    "nomatch    TXT \"v=spf1 ip4:10.0.0.1\"\n"
    "two        TXT \"v=spf1 -all\"\n"
    "two        TXT \"v=spf1 +all\"\n"
    "other      TXT \"hello world\"\n"
    "bad        TXT \"v=spf1 ip4:192.0.2.300 -all\"\n"
    "incnone    TXT \"v=spf1 include:other.example.com -all\"\n"
    "rednone    TXT \"v=spf1 redirect=other.example.com\"\n"
    "red        TXT \"v=spf1 redirect=example.com\"\n"
    "redall     TXT \"v=spf1 ?all redirect=example.com\"\n"
    "slow       TYPE65280 \\# 0\n"
    "tmp        TXT \"v=spf1 a:slow.example.com -all\"\n"
    "incslow    TXT \"v=spf1 include:slow.example.com -all\"\n"
    "ptr        TXT \"v=spf1 ptr -all\"\n"
    "9.113.0.203.in-addr.arpa. PTR host.example.com.\n"
    "exists     TXT \"v=spf1 exists:%{ir}.bl.example.com -all\"\n"
    "9.113.0.203.bl A 127.0.0.2\n"
    "loop1      TXT \"v=spf1 include:loop2.example.com -all\"\n"
    "loop2      TXT \"v=spf1 include:loop1.example.com -all\"\n"
    "helo       TXT \"v=spf1 a -all\"\n"
    "helo       A 192.0.2.77\n"
    "t10        TXT \"v=spf1 a:h1.example.com a:h2.example.com a:h3.example.com "
    "a:h4.example.com a:h5.example.com a:h6.example.com a:h7.example.com a:h8.example.com "
    "a:h9.example.com a:h10.example.com -all\"\n"
    "t11        TXT \"v=spf1 a:h1.example.com a:h2.example.com a:h3.example.com "
    "a:h4.example.com a:h5.example.com a:h6.example.com a:h7.example.com a:h8.example.com "
    "a:h9.example.com a:h10.example.com a:h11.example.com -all\"\n"
    "v2         TXT \"v=spf1 a:nx1.example.com a:nx2.example.com -all\"\n"
    "v3         TXT \"v=spf1 a:nx1.example.com a:nx2.example.com a:nx3.example.com -all\"\n"
    "mx10       TXT \"v=spf1 mx -all\"\n"
    "mx11       TXT \"v=spf1 mx -all\"\n"
    "mapped     TXT \"v=spf1 ip4:192.0.2.1 -all\"\n";

static dns_resolver_t *make_zone(void)
{
    GString *z = g_string_new(zone);
    for (int i = 1; i <= 11; i++) {
        g_string_append_printf(z, "h%d A 192.0.2.%d\n", i, 100 + i);
        if (i <= 10)
            g_string_append_printf(z, "mx10 MX %d m%d.example.com.\n", i, i);
        g_string_append_printf(z, "mx11 MX %d m%d.example.com.\n", i, i);
        g_string_append_printf(z, "m%d A 198.51.100.%d\n", i, 50 + i);
    }
    char *err = NULL;
    dns_resolver_t *r = dns_zone_new_text("spf.zone", z->str, z->len, &err);
    if (!r)
        fail_msg("zone: %s", err);
    g_string_free(z, TRUE);
    return r;
}

typedef struct spf_case {
    const char *ip, *sender, *helo;
    spf_res_t want;
    const char *mechanism;   /* NULL: not checked */
    const char *explanation; /* NULL: must be none */
    int lookups;             /* -1: not checked */
} spf_case_t;

static void test_check_host(void **state)
{
    dns_resolver_t *dns = make_zone();
    static const spf_case_t cases[] = {
        {"192.0.2.10", "a@example.com", NULL, SPF_PASS, "ip4:192.0.2.0/24", NULL, 0},
        {"2001:db8::5", "a@example.com", NULL, SPF_PASS, "ip6:2001:db8::/32", NULL, 0},
        {"198.51.100.5", "a@example.com", NULL, SPF_PASS, "mx:mail.example.com/30", NULL, 1},
        {"198.51.100.8", "a@Example.COM", NULL, SPF_FAIL, "-all",
         "198.51.100.8 is not one of Example.COM's senders", 3},
        {"203.0.113.9", "a@example.com", NULL, SPF_PASS, "include:inc.example.com", NULL, 3},
        {"::ffff:192.0.2.1", "x@mapped.example.com", NULL, SPF_PASS, "ip4:192.0.2.1", NULL, 0},
        {"192.0.2.2", "x@soft.example.com", NULL, SPF_SOFTFAIL, "~all", NULL, 0},
        {"192.0.2.2", "x@neutral.example.com", NULL, SPF_NEUTRAL, "?all", NULL, 0},
        {"192.0.2.2", "x@nomatch.example.com", NULL, SPF_NEUTRAL, "default", NULL, 0},
        {"192.0.2.2", "x@other.example.com", NULL, SPF_NONE, NULL, NULL, 0},
        {"192.0.2.2", "x@nx.example.com", NULL, SPF_NONE, NULL, NULL, 0},
        {"192.0.2.2", "x@two.example.com", NULL, SPF_PERMERROR, NULL, NULL, 0},
        {"192.0.2.2", "x@bad.example.com", NULL, SPF_PERMERROR, NULL, NULL, 0},
        {"192.0.2.2", "x@incnone.example.com", NULL, SPF_PERMERROR, NULL, NULL, 1},
        {"192.0.2.2", "x@rednone.example.com", NULL, SPF_PERMERROR, NULL, NULL, 1},
        {"192.0.2.10", "x@red.example.com", NULL, SPF_PASS, "ip4:192.0.2.0/24", NULL, 1},
        {"192.0.2.10", "x@redall.example.com", NULL, SPF_NEUTRAL, "?all", NULL, 0},
        {"192.0.2.2", "x@tmp.example.com", NULL, SPF_TEMPERROR, NULL, NULL, 1},
        {"192.0.2.2", "x@slow.example.com", NULL, SPF_TEMPERROR, NULL, NULL, 0},
        {"192.0.2.2", "x@incslow.example.com", NULL, SPF_TEMPERROR, NULL, NULL, 1},
        {"203.0.113.9", "x@ptr.example.com", NULL, SPF_FAIL, "-all", NULL, 1},
        {"203.0.113.9", "x@exists.example.com", NULL, SPF_PASS, NULL, NULL, 1},
        {"203.0.113.8", "x@exists.example.com", NULL, SPF_FAIL, "-all", NULL, 1},
        {"192.0.2.2", "x@loop1.example.com", NULL, SPF_PERMERROR, NULL, NULL, 11},
        /* 4.6.4: ten DNS terms are allowed, the eleventh is permerror */
        {"192.0.2.110", "x@t10.example.com", NULL, SPF_PASS, "a:h10.example.com", NULL, 10},
        {"192.0.2.200", "x@t10.example.com", NULL, SPF_FAIL, "-all", NULL, 10},
        {"192.0.2.200", "x@t11.example.com", NULL, SPF_PERMERROR, NULL, NULL, 11},
        /* two void lookups are allowed, the third is permerror */
        {"192.0.2.200", "x@v2.example.com", NULL, SPF_FAIL, "-all", NULL, 2},
        {"192.0.2.200", "x@v3.example.com", NULL, SPF_PERMERROR, NULL, NULL, 3},
        /* MX: ten names are allowed, eleven are permerror */
        {"198.51.100.60", "x@mx10.example.com", NULL, SPF_PASS, "mx", NULL, 1},
        {"198.51.100.60", "x@mx11.example.com", NULL, SPF_PERMERROR, NULL, NULL, 1},
        /* null sender: postmaster@HELO */
        {"192.0.2.77", "", "helo.example.com", SPF_PASS, "a", NULL, 1},
        {"192.0.2.78", NULL, "helo.example.com", SPF_FAIL, "-all", NULL, 1},
        {"192.0.2.78", "", "[192.0.2.78]", SPF_NONE, NULL, NULL, 0},
        {"192.0.2.78", "", "localhost", SPF_NONE, NULL, NULL, 0},
        {"192.0.2.78", "x@[192.0.2.78]", NULL, SPF_NONE, NULL, NULL, 0},
        {"not-an-ip", "x@example.com", NULL, SPF_PERMERROR, NULL, NULL, 0},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const spf_case_t *c = &cases[i];
        spf_result_t r;
        spf_check(dns, NULL, c->ip, c->sender, c->helo, &r);
        if (r.result != c->want) {
            for (guint k = 0; k < r.trace->len; k++)
                print_message("  %s\n", (char *)g_ptr_array_index(r.trace, k));
            fail_msg("case %zu (%s, %s): %s, want %s (%s)", i, c->ip, c->sender,
                     spf_res_name(r.result), spf_res_name(c->want), r.problem ? r.problem : "");
        }
        if (c->mechanism)
            assert_string_equal(r.mechanism, c->mechanism);
        if (c->explanation)
            assert_string_equal(r.explanation, c->explanation);
        else
            assert_null(r.explanation);
        if (c->lookups >= 0 && r.lookups != (unsigned)c->lookups)
            fail_msg("case %zu: %u lookups, want %d", i, r.lookups, c->lookups);
        if (r.result == SPF_PERMERROR || r.result == SPF_TEMPERROR)
            assert_non_null(r.problem);
        assert_true(r.trace->len > 0);
        spf_result_clear(&r);
    }
    dns_resolver_free(dns);
}

static void test_helo_identity_and_record(void **state)
{
    dns_resolver_t *dns = make_zone();
    spf_result_t r;
    assert_int_equal(spf_check_helo(dns, NULL, "192.0.2.77", "helo.example.com", &r), SPF_PASS);
    assert_int_equal(r.identity, SPF_ID_HELO);
    assert_string_equal(r.sender, "postmaster@helo.example.com");
    spf_result_clear(&r);
    /* a record given by hand, for a domain without one */
    assert_int_equal(spf_check_host(dns, NULL, "192.0.2.9", "other.example.com",
                                    "a@other.example.com", NULL, "v=spf1 ip4:192.0.2.9 -all", &r),
                     SPF_PASS);
    spf_result_clear(&r);
    /* a sender without local-part is postmaster */
    spf_options_t opt = {.receiver = "mx.example.net"};
    assert_int_equal(spf_check_host(dns, &opt, "192.0.2.9", "other.example.com",
                                    "@other.example.com", NULL, "v=spf1 -all", &r),
                     SPF_FAIL);
    assert_string_equal(r.sender, "postmaster@other.example.com");
    spf_result_clear(&r);
    dns_resolver_free(dns);
}

static void test_unreachable_server(void **state)
{
    /* A live resolver pointed at a port nobody serves: temperror, fast. */
    char *err = NULL;
    dns_resolver_t *dns = dns_unbound_new("127.0.0.1:9", 300, &err);
    assert_non_null(dns);
    spf_result_t r;
    gint64 t0 = g_get_monotonic_time();
    assert_int_equal(spf_check(dns, NULL, "192.0.2.1", "a@example.com", NULL, &r), SPF_TEMPERROR);
    assert_true(g_get_monotonic_time() - t0 < 5 * G_USEC_PER_SEC);
    spf_result_clear(&r);
    dns_resolver_free(dns);
}

/* RFC 7208 4.6.4: the whole check has a time limit. Against a server that
 * never answers, each ptr lookup waits for its timeout and does not stop
 * the evaluation (5.5); the check's budget must cut the wait short. */
static void test_time_budget(void **state)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t sl = sizeof sa;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &sl), 0);
    char fwd[64];
    g_snprintf(fwd, sizeof fwd, "127.0.0.1:%u", ntohs(sa.sin_port));
    char *err = NULL;
    dns_resolver_t *dns = dns_unbound_new(fwd, 400, &err);
    assert_non_null(dns);
    spf_options_t opt = {.max_time_ms = 500};
    spf_result_t r;
    gint64 t0 = g_get_monotonic_time();
    spf_check_host(dns, &opt, "192.0.2.1", "example.com", "a@example.com", NULL,
                   "v=spf1 ptr ptr ptr ptr ptr ptr ptr ptr -all", &r);
    gint64 took = g_get_monotonic_time() - t0;
    assert_int_equal(r.result, SPF_FAIL);   /* ptr errors only fail to match */
    assert_true(took < 2 * G_USEC_PER_SEC); /* eight timeouts would be 3.2 s */
    spf_result_clear(&r);
    dns_resolver_free(dns);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_record_parse),
        cmocka_unit_test(test_record_terms),
        cmocka_unit_test(test_macro_examples),
        cmocka_unit_test(test_check_host),
        cmocka_unit_test(test_helo_identity_and_record),
        cmocka_unit_test(test_unreachable_server),
        cmocka_unit_test(test_time_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
