/*
 * test_dns.c - the resolver interface: the zone-file backend's answers
 * (NXDOMAIN versus NODATA, TXT concatenation, case, CNAME chasing and
 * loops, $ORIGIN/$TTL, optional TTL and class, the timeout marker, load
 * errors) and the unbound backend's refusal to hang on an unreachable
 * forwarder.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns/dns.h"

static const char zone_text[] = "$ORIGIN example.com.\n"
                                "$TTL 300\n"
                                "@            IN 600 TXT \"v=spf1 \" \"ip4:192.0.2.1 -all\"\n"
                                "@            A   192.0.2.1\n"
                                "@            MX  10 MAIL.Example.COM.\n"
                                "mail         A   192.0.2.25\n"
                                "mail         AAAA 2001:db8::25\n"
                                "alias        CNAME mail\n"
                                "loop1        CNAME loop2\n"
                                "loop2        CNAME loop1\n"
                                "nul          TXT \"a\\000b\"\n"
                                "deep.sub     A   192.0.2.9\n"
                                "slow         TXT \"here\"\n"
                                "slow         TYPE65280 \\# 0\n"
                                "1.2.0.192.in-addr.arpa. PTR Mail.example.com.\n"
                                "empty.example.org. TXT \"\"\n";

static dns_resolver_t *load(void)
{
    char *err = NULL;
    dns_resolver_t *r = dns_zone_new_text("test.zone", zone_text, sizeof zone_text - 1, &err);
    if (!r)
        fail_msg("load: %s", err);
    return r;
}

static void test_zone_basic(void **state)
{
    dns_resolver_t *r = load();
    dns_answer_t a;
    assert_int_equal(dns_query(r, "EXAMPLE.com.", DNS_T_TXT, &a), DNS_OK);
    assert_int_equal(a.records->len, 1);
    dns_rr_t *rr = g_ptr_array_index(a.records, 0);
    assert_string_equal(rr->text, "v=spf1 ip4:192.0.2.1 -all");
    dns_answer_clear(&a);

    assert_int_equal(dns_query(r, "example.com", DNS_T_MX, &a), DNS_OK);
    rr = g_ptr_array_index(a.records, 0);
    assert_string_equal(rr->text, "mail.example.com");
    assert_int_equal(rr->pref, 10);
    dns_answer_clear(&a);

    assert_int_equal(dns_query(r, "mail.example.com", DNS_T_AAAA, &a), DNS_OK);
    rr = g_ptr_array_index(a.records, 0);
    assert_string_equal(rr->text, "2001:db8::25");
    dns_answer_clear(&a);

    assert_int_equal(dns_query(r, "mail.example.com", DNS_T_TXT, &a), DNS_NODATA);
    assert_int_equal(a.records->len, 0);
    dns_answer_clear(&a);
    assert_int_equal(dns_query(r, "nope.example.com", DNS_T_TXT, &a), DNS_NXDOMAIN);
    dns_answer_clear(&a);
    /* empty non-terminal */
    assert_int_equal(dns_query(r, "sub.example.com", DNS_T_A, &a), DNS_NODATA);
    dns_answer_clear(&a);
    assert_int_equal(dns_query(r, "com", DNS_T_A, &a), DNS_NODATA);
    dns_answer_clear(&a);

    assert_int_equal(dns_query(r, "nul.example.com", DNS_T_TXT, &a), DNS_OK);
    rr = g_ptr_array_index(a.records, 0);
    assert_int_equal(rr->text_len, 3);
    assert_memory_equal(rr->text, "a\0b", 3);
    dns_answer_clear(&a);

    assert_int_equal(dns_query(r, "empty.example.org", DNS_T_TXT, &a), DNS_OK);
    rr = g_ptr_array_index(a.records, 0);
    assert_int_equal(rr->text_len, 0);
    dns_answer_clear(&a);

    assert_int_equal(dns_query(r, "1.2.0.192.in-addr.arpa", DNS_T_PTR, &a), DNS_OK);
    rr = g_ptr_array_index(a.records, 0);
    assert_string_equal(rr->text, "mail.example.com");
    dns_answer_clear(&a);
    dns_resolver_free(r);
}

static void test_zone_cname_timeout(void **state)
{
    dns_resolver_t *r = load();
    dns_answer_t a;
    assert_int_equal(dns_query(r, "alias.example.com", DNS_T_A, &a), DNS_OK);
    assert_int_equal(a.records->len, 2);
    assert_int_equal(((dns_rr_t *)g_ptr_array_index(a.records, 0))->type, DNS_T_CNAME);
    dns_rr_t *rr = g_ptr_array_index(a.records, 1);
    assert_int_equal(rr->type, DNS_T_A);
    assert_string_equal(rr->text, "192.0.2.25");
    dns_answer_clear(&a);
    assert_int_equal(dns_query(r, "alias.example.com", DNS_T_CNAME, &a), DNS_OK);
    assert_int_equal(a.records->len, 1);
    dns_answer_clear(&a);
    assert_int_equal(dns_query(r, "loop1.example.com", DNS_T_A, &a), DNS_TEMPFAIL);
    assert_non_null(a.why);
    dns_answer_clear(&a);

    assert_int_equal(dns_query(r, "slow.example.com", DNS_T_TXT, &a), DNS_OK);
    dns_answer_clear(&a);
    assert_int_equal(dns_query(r, "slow.example.com", DNS_T_A, &a), DNS_TEMPFAIL);
    assert_string_equal(a.why, "timeout");
    dns_answer_clear(&a);

    /* a label over 63 octets cannot exist */
    char name[100];
    memset(name, 'a', 70);
    memcpy(name + 70, ".example.com", 13);
    assert_int_equal(dns_query(r, name, DNS_T_A, &a), DNS_NXDOMAIN);
    dns_answer_clear(&a);
    dns_resolver_free(r);
}

static void test_zone_errors(void **state)
{
    char *err = NULL;
    const char bad[] = "ok.example. A 192.0.2.1\nbad.example. A 300.1.1.1\n";
    assert_null(dns_zone_new_text("bad.zone", bad, sizeof bad - 1, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, "bad.zone:2:"));
    g_free(err);
    const char inc[] = "$INCLUDE /etc/passwd\n";
    assert_null(dns_zone_new_text("inc.zone", inc, sizeof inc - 1, &err));
    assert_non_null(strstr(err, "$INCLUDE"));
    g_free(err);
    const char *files[] = {"/nonexistent/zone", NULL};
    assert_null(dns_zone_new(files, &err));
    assert_non_null(strstr(err, "/nonexistent/zone"));
    g_free(err);
}

/* RFC 1035 5.1: class and TTL in either order, both optional. */
static void test_zone_class_ttl_order(void **state)
{
    const char text[] = "in IN 1h30m A 192.0.2.1\n"
                        "    IN 300 AAAA 2001:db8::1\n"
                        "x.example. 300 IN TXT ( \"a\"\n"
                        "   \"IN 300\" )\n"
                        "y.example. CH 60 TXT \"chaos\"\n";
    char *err = NULL;
    dns_resolver_t *r = dns_zone_new_text("order.zone", text, sizeof text - 1, &err);
    if (!r)
        fail_msg("%s", err);
    dns_answer_t a;
    assert_int_equal(dns_query(r, "in", DNS_T_AAAA, &a), DNS_OK);
    dns_answer_clear(&a);
    assert_int_equal(dns_query(r, "IN.", DNS_T_A, &a), DNS_OK);
    dns_answer_clear(&a);
    assert_int_equal(dns_query(r, "x.example", DNS_T_TXT, &a), DNS_OK);
    assert_string_equal(((dns_rr_t *)g_ptr_array_index(a.records, 0))->text, "aIN 300");
    dns_answer_clear(&a);
    dns_resolver_free(r);
}

static void test_status_names(void **state)
{
    assert_string_equal(dns_status_name(DNS_OK), "ok");
    assert_string_equal(dns_status_name(DNS_TEMPFAIL), "tempfail");
    dns_answer_t a = {0};
    dns_answer_clear(&a); /* a zeroed answer clears */
    dns_answer_clear(&a);
}

static void test_budget(void **state)
{
    dns_resolver_t *z = load();
    dns_resolver_t *b = dns_budget_new(z, 2, 0);
    dns_answer_t a;
    assert_int_equal(dns_query(b, "example.com", DNS_T_TXT, &a), DNS_OK);
    dns_answer_clear(&a);
    assert_int_equal(dns_query(b, "nope.example.com", DNS_T_TXT, &a), DNS_NXDOMAIN);
    dns_answer_clear(&a);
    assert_int_equal(dns_query(b, "example.com", DNS_T_TXT, &a), DNS_TEMPFAIL);
    assert_non_null(strstr(a.why, "budget"));
    dns_answer_clear(&a);
    unsigned q, ms;
    dns_budget_used(b, &q, &ms);
    assert_int_equal(q, 2);
    dns_budget_used(z, &q, &ms); /* not a budget */
    assert_int_equal(q, 0);
    dns_resolver_free(b);
    /* a time budget already spent */
    b = dns_budget_new(z, 0, 1);
    g_usleep(5000);
    assert_int_equal(dns_query(b, "example.com", DNS_T_TXT, &a), DNS_TEMPFAIL);
    dns_answer_clear(&a);
    dns_resolver_free(b);
    dns_resolver_free(z); /* the inner resolver outlives its budgets */
}

/* A UDP socket on loopback that never answers: the query must come back
 * DNS_TEMPFAIL by the deadline, not hang. */
static void test_unbound_timeout(void **state)
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
    dns_resolver_t *r = dns_unbound_new(fwd, 400, &err);
    assert_non_null(r);
    dns_answer_t a;
    gint64 t0 = g_get_monotonic_time();
    assert_int_equal(dns_query(r, "example.com", DNS_T_TXT, &a), DNS_TEMPFAIL);
    gint64 took = g_get_monotonic_time() - t0;
    assert_true(took < 3 * G_USEC_PER_SEC);
    assert_non_null(a.why);
    dns_answer_clear(&a);
    /* a second query on the same context after a cancelled one */
    assert_int_equal(dns_query(r, "example.org", DNS_T_A, &a), DNS_TEMPFAIL);
    dns_answer_clear(&a);
    dns_resolver_free(r);
    close(fd);
}

static void test_unbound_forwarder_syntax(void **state)
{
    char *err = NULL;
    const char *bad[] = {"mail.example.com", "127.0.0.1:0", "127.0.0.1:99999", "[::1",
                         "[::1]x",           "127.0.0.1:5x"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        assert_null(dns_unbound_new(bad[i], 100, &err));
        assert_non_null(err);
        g_free(err);
    }
    const char *good[] = {"127.0.0.1", "127.0.0.1:5353", "::1", "[::1]:5353"};
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        dns_resolver_t *r = dns_unbound_new(good[i], 100, &err);
        if (!r)
            fail_msg("%s: %s", good[i], err);
        dns_resolver_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_zone_basic),      cmocka_unit_test(test_zone_cname_timeout),
        cmocka_unit_test(test_zone_errors),     cmocka_unit_test(test_zone_class_ttl_order),
        cmocka_unit_test(test_status_names),    cmocka_unit_test(test_budget),
        cmocka_unit_test(test_unbound_timeout), cmocka_unit_test(test_unbound_forwarder_syntax),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
