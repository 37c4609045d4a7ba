/*
 * test_authres.c - authres_parse: RFC 8601 examples in the shapes real
 * writers use (hand-written), deviations we accept, failures that stop
 * the method list, limits and hostile values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>
#include <time.h>

#include "mail/authres.h"

typedef struct ar_case {
    const char *value;
    const char *id;
    bool ok;
    /* "method=result[ reason=R]{ ptype.property=value}" per result, '|' between */
    const char *want;
} ar_case_t;

static char *dump(const authres_t *a)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < a->results->len; i++) {
        const authres_result_t *r = a->results->pdata[i];
        if (i)
            g_string_append_c(s, '|');
        g_string_append_printf(s, "%s=%s", r->method, r->result);
        if (r->reason)
            g_string_append_printf(s, " reason=%s", r->reason);
        for (guint k = 0; k < r->props->len; k++) {
            const authres_prop_t *p = r->props->pdata[k];
            g_string_append_printf(s, " %s.%s=%s", p->ptype, p->property, p->value);
        }
    }
    return g_string_free(s, FALSE);
}

static const ar_case_t cases[] = {
    {"mx.example.jp 1;\r\n\tspf=pass smtp.mailfrom=example.com;\r\n\tdkim=pass "
     "header.d=example.com "
     "header.s=sel;\r\n\tdmarc=pass header.from=example.com",
     "mx.example.jp", true,
     "spf=pass smtp.mailfrom=example.com|dkim=pass header.d=example.com header.s=sel|"
     "dmarc=pass header.from=example.com"},
    /* case folding: id, method, result, ptype, property; values as written */
    {"MX.Example.JP; SPF=Pass SMTP.MailFrom=User@Example.COM", "mx.example.jp", true,
     "spf=pass smtp.mailfrom=User@Example.COM"},
    /* comments everywhere, nested, with quoted pairs */
    {"(c0) mx.example.jp (c1 (nested)) ; spf (c2) = (c3) pass (google.example: domain of "
     "b@example.com designates 192.0.2.1 as permitted sender \\) still) smtp (x) . (y) mailfrom "
     "(z) = (w) b@example.com (end)",
     "mx.example.jp", true, "spf=pass smtp.mailfrom=b@example.com"},
    /* reason, quoted values, base64 with / + =, @domain */
    {"mx.example.jp; dkim=fail reason=\"signature \\\"bad\\\"\" header.d=example.com "
     "header.i=@example.com header.b=Ab/+Cd=",
     "mx.example.jp", true,
     "dkim=fail reason=signature \"bad\" header.d=example.com header.i=@example.com "
     "header.b=Ab/+Cd="},
    /* none */
    {"mx.example.jp; none", "mx.example.jp", true, ""},
    {"mx.example.jp 1; none", "mx.example.jp", true, ""},
    {"mx.example.jp none", "mx.example.jp", true, ""},
    {"mx.example.jp;", "mx.example.jp", true, ""},
    {"mx.example.jp", "mx.example.jp", true, ""},
    /* quoted authserv-id */
    {"\"mx.example.jp\"; spf=none", "mx.example.jp", true, "spf=none"},
    /* Microsoft shapes: bare key=value, reason after properties, no space after ';' */
    {"spf=pass (sender IP is 192.0.2.9) smtp.mailfrom=example.com; dkim=none (message not "
     "signed) header.d=none;dmarc=none action=none header.from=example.com;compauth=pass "
     "reason=100",
     "", true,
     "spf=pass smtp.mailfrom=example.com|dkim=none header.d=none|dmarc=none .action=none "
     "header.from=example.com|compauth=pass reason=100"},
    {"mx.example.net; dkim=none (message not signed) header.d=none;dmarc=none action=none "
     "header.from=example.com;compauth=pass reason=100",
     "mx.example.net", true,
     "dkim=none header.d=none|dmarc=none .action=none header.from=example.com|compauth=pass "
     "reason=100"},
    /* method version, property names with '-' and dots, pvalue with '/' */
    {"mx.example.net; dkim/1=pass header.d=a.example; dmarc=fail "
     "policy.published-domain-policy=reject (p=reject,d=none) policy.policy-from=p; "
     "x-tls=pass smtp.bits=128/128",
     "mx.example.net", true,
     "dkim=pass header.d=a.example|dmarc=fail policy.published-domain-policy=reject "
     "policy.policy-from=p|x-tls=pass smtp.bits=128/128"},
    /* empty resinfo and trailing ';' */
    {"mx.example.net;; spf=pass;", "mx.example.net", true, "spf=pass"},
    /* empty pvalue */
    {"mx.example.net; spf=none smtp.mailfrom=; dkim=none", "mx.example.net", true,
     "spf=none smtp.mailfrom=|dkim=none"},
    /* failures: kept up to the break, ok false */
    {"mx.example.net; spf=pass smtp.mailfrom=a.example; dkim", "mx.example.net", false,
     "spf=pass smtp.mailfrom=a.example"},
    {"mx.example.net; spf=pass smtp.mailfrom=a.example junk; dkim=pass", "mx.example.net", false,
     "spf=pass smtp.mailfrom=a.example"},
    {"mx.example.net; spf=pass header.=x", "mx.example.net", false, "spf=pass"},
    {"mx.example.net; spf=\"pass\"", "mx.example.net", false, ""},
    {"mx.example.net; spf=pass smtp.mailfrom=\"unterminated", "mx.example.net", false, "spf=pass"},
    {"mx.example.net spf=pass", "mx.example.net", false, ""},
    {"", "", false, ""},
    {"   (only a comment)", "", false, ""},
    {";", "", false, ""},
    /* an unclosed comment swallows the rest */
    {"mx.example.net; spf=pass (unclosed smtp.mailfrom=x", "mx.example.net", true, "spf=pass"},
    /* UTF-8 (RFC 6532) in a value */
    {"mx.example.jp; spf=pass smtp.mailfrom=\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88.example",
     "mx.example.jp", true, "spf=pass smtp.mailfrom=\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88.example"},
};

static void test_cases(void **state)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const ar_case_t *c = &cases[i];
        authres_t *a = authres_parse(c->value, strlen(c->value));
        char *got = dump(a);
        if (strcmp(got, c->want) != 0 || strcmp(a->authserv_id, c->id) != 0 || a->ok != c->ok)
            print_error("case %zu: id[%s] ok=%d got[%s]\n", i, a->authserv_id, a->ok, got);
        assert_string_equal(a->authserv_id, c->id);
        assert_int_equal(a->ok, c->ok);
        assert_string_equal(got, c->want);
        g_free(got);
        authres_free(a);
    }
}

static void test_find(void **state)
{
    const char *v = "mx.example.jp; spf=fail smtp.mailfrom=evil.example; dkim=pass "
                    "header.d=amazonses.com header.s=s1; dkim=pass header.d=example.jp";
    authres_t *a = authres_parse(v, strlen(v));
    const authres_result_t *r = authres_find(a, "DKIM");
    assert_non_null(r);
    assert_string_equal(authres_prop(r, "header", "d"), "amazonses.com");
    assert_string_equal(authres_prop(r, "Header", "S"), "s1");
    assert_null(authres_prop(r, "smtp", "mailfrom"));
    assert_null(authres_find(a, "dmarc"));
    assert_string_equal(authres_prop(authres_find(a, "spf"), "smtp", "mailfrom"), "evil.example");
    assert_null(authres_prop(NULL, "smtp", "mailfrom"));
    assert_null(authres_find(NULL, "spf"));
    authres_free(a);
    authres_free(NULL);
}

static void test_limits(void **state)
{
    GString *s = g_string_new("mx.example.jp");
    for (int i = 0; i < 40; i++)
        g_string_append_printf(s, "; m%d=pass", i);
    authres_t *a = authres_parse(s->str, s->len);
    assert_true(a->ok);
    assert_int_equal(a->results->len, AUTHRES_MAX_METHODS);
    assert_string_equal(((authres_result_t *)a->results->pdata[31])->method, "m31");
    authres_free(a);
    g_string_assign(s, "mx.example.jp; dkim=pass");
    for (int i = 0; i < 20; i++)
        g_string_append_printf(s, " header.p%d=v", i);
    a = authres_parse(s->str, s->len);
    assert_true(a->ok);
    assert_int_equal(((authres_result_t *)a->results->pdata[0])->props->len, AUTHRES_MAX_PROPS);
    authres_free(a);
    /* len bounds the read: no NUL needed */
    const char v[] = "mx.example.jp; spf=pass smtp.mailfrom=abcdef";
    a = authres_parse(v, sizeof v - 4);
    assert_true(a->ok);
    assert_string_equal(authres_prop(authres_find(a, "spf"), "smtp", "mailfrom"), "abc");
    authres_free(a);
    const char nul[] = "mx.example.jp; spf=pass\0; dkim=pass";
    a = authres_parse(nul, sizeof nul - 1);
    assert_false(a->ok);
    assert_int_equal(a->results->len, 1);
    authres_free(a);
    a = authres_parse(NULL, 0);
    assert_false(a->ok);
    authres_free(a);
    g_string_free(s, TRUE);
}

static void test_hostile(void **state)
{
    static const char *const pats[] = {"(",  ")",      "; spf=pass", "\\", "\"",
                                       "a.", " x.y=z", ";",          "(\\"};
    for (size_t k = 0; k < G_N_ELEMENTS(pats); k++) {
        GString *s = g_string_new("mx.example.jp; dkim=pass");
        while (s->len < (1u << 20))
            g_string_append(s, pats[k]);
        clock_t t0 = clock();
        authres_t *a = authres_parse(s->str, s->len);
        double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
        assert_true(secs < 2.0);
        assert_true(a->results->len <= AUTHRES_MAX_METHODS);
        authres_free(a);
        g_string_free(s, TRUE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
