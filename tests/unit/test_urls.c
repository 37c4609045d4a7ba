/*
 * test_urls.c - urls_find: what counts as a URL in plain text, where it
 * ends (Japanese punctuation, trailing sentence marks), limits and hostile
 * inputs. Every fixture is hand-written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>
#include <time.h>

#include "mail/link.h"
#include "mail/urls.h"

typedef struct url_case {
    const char *text;
    const char *want; /* found URLs joined by '\n' */
} url_case_t;

static const url_case_t cases[] = {
    /* schemes */
    {"see https://example.jp/login?x=1#f now", "https://example.jp/login?x=1#f"},
    {"HTTP://EXAMPLE.COM/A and ftp://files.example.org/x",
     "HTTP://EXAMPLE.COM/A\nftp://files.example.org/x"},
    {"defanged hxxps://evil.example/p and hxxp://e2.example",
     "hxxps://evil.example/p\nhxxp://e2.example"},
    {"mailto:user@example.com is not a URL", ""},
    {"xhttp://glued.example/ stays out", ""},
    {"http:// alone", ""},
    {"http://... nothing", ""},
    /* trailing sentence punctuation and brackets */
    {"Go to https://example.jp/a.", "https://example.jp/a"},
    {"(https://example.jp/b), then", "https://example.jp/b"},
    {"https://en.example.org/wiki/Foo_(bar) ok", "https://en.example.org/wiki/Foo_(bar)"},
    {"<https://example.jp/c>", "https://example.jp/c"},
    {"\"https://example.jp/d\"", "https://example.jp/d"},
    {"'https://example.jp/e'!?", "https://example.jp/e"},
    {"https://example.jp/f?a=1&b=2;", "https://example.jp/f?a=1&b=2"},
    /* Japanese punctuation right against the URL */
    {"\xe3\x81\x93\xe3\x81\xa1\xe3\x82\x89https://example.jp/login\xe3\x80\x82",
     "https://example.jp/login"},
    {"\xe3\x80\x8chttps://example.jp/x\xe3\x80\x8d", "https://example.jp/x"},
    {"\xef\xbc\x88https://example.jp/y\xef\xbc\x89\xe3\x80\x81", "https://example.jp/y"},
    {"https://example.jp/login\xe3\x81\x8b\xe3\x82\x89\xe7\xa2\xba\xe8\xaa\x8d",
     "https://example.jp/login"},
    {"https://example.jp\xe3\x81\xb8", "https://example.jp"},
    /* IDN host kept as written, ASCII path, non-ASCII ends the path */
    {"https://\xe4\xbe\x8b\xe3\x81\x88.jp/path\xe3\x81\xa7",
     "https://\xe4\xbe\x8b\xe3\x81\x88.jp/path"},
    {"https://b\xc3\xbc"
     "cher.example/x",
     "https://b\xc3\xbc"
     "cher.example/x"},
    /* www. hosts */
    {"visit www.example.co.jp today", "www.example.co.jp"},
    {"visit WWW.Example.com/path?q.", "WWW.Example.com/path?q"},
    {"end www.example.jp.", "www.example.jp"},
    {"www.example only", ""},
    {"www.\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88 idn",
     "www.\xe4\xbe\x8b\xe3\x81\x88.\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88"},
    {"user@www.example.com", ""},
    /* bare host with a path */
    {"login at example.com/login now", "example.com/login"},
    {"\xe8\xa9\xb3\xe7\xb4\xb0\xe3\x81\xaf"
     "amaz0n-jp.example.net/signin\xe3\x81\xb8",
     "amaz0n-jp.example.net/signin"},
    {"host:8080 example.com:8443/x", "example.com:8443/x"},
    {"example.com without path", ""},
    {"file name.txt/1 v1.2/3 a.b1/x", "name.txt/1"},
    {"mail user@example.com/x", ""},
    {"a.verylongtldthatisnotatldatall/x", ""},
    /* several, in order */
    {"a https://one.example/ b www.two.example c three.example/x",
     "https://one.example/\nwww.two.example\nthree.example/x"},
    /* invalid or non-shortest UTF-8 never enters a host */
    {"https://a\xed\xa0\x80.example/ https://b\xc0\xaf.example/", "https://a\nhttps://b"},
    {"", ""},
};

static char *found_str(const GPtrArray *links)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < links->len; i++) {
        const mail_link_t *l = links->pdata[i];
        if (i)
            g_string_append_c(s, '\n');
        g_string_append(s, l->href);
        assert_int_equal(l->kind, MAIL_LINK_TEXT);
        assert_string_equal(l->text, "");
    }
    return g_string_free(s, FALSE);
}

static void test_cases(void **state)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GPtrArray *a = g_ptr_array_new_with_free_func(mail_link_free);
        size_t n = urls_find(cases[i].text, strlen(cases[i].text), a, 100);
        char *got = found_str(a);
        if (strcmp(got, cases[i].want) != 0)
            print_error("case %zu: got [%s]\n", i, got);
        assert_string_equal(got, cases[i].want);
        assert_int_equal(n, a->len);
        g_free(got);
        g_ptr_array_unref(a);
    }
}

static void test_not_nul_terminated(void **state)
{
    /* the length bounds the scan, not a NUL */
    const char text[] = "https://example.jp/abcdef";
    GPtrArray *a = g_ptr_array_new_with_free_func(mail_link_free);
    assert_int_equal(urls_find(text, 22, a, 10), 1);
    assert_string_equal(((mail_link_t *)a->pdata[0])->href, "https://example.jp/abc");
    g_ptr_array_unref(a);
}

static void test_limit(void **state)
{
    const char *t = "http://a.example/ http://b.example/ http://c.example/";
    GPtrArray *a = g_ptr_array_new_with_free_func(mail_link_free);
    g_ptr_array_add(a, mail_link_new("pre-existing", "", MAIL_LINK_ANCHOR));
    assert_int_equal(urls_find(t, strlen(t), a, 2), 3);
    assert_int_equal(a->len, 2);
    assert_string_equal(((mail_link_t *)a->pdata[1])->href, "http://a.example/");
    assert_int_equal(urls_find(t, strlen(t), NULL, 0), 3);
    g_ptr_array_unref(a);
}

/* 1 MB of patterns that would make a naive scanner quadratic. */
static void test_hostile(void **state)
{
    static const char *const pats[] = {"http://",
                                       "(",
                                       "www.",
                                       "a.",
                                       "www.\xe3\x81\x82"
                                       "1",
                                       "a.b_",
                                       "x.com",
                                       ")",
                                       "\xff",
                                       "https://a.b/)"};
    size_t mb = 1u << 20;
    for (size_t k = 0; k < G_N_ELEMENTS(pats); k++) {
        GString *s = g_string_new(NULL);
        while (s->len < mb)
            g_string_append(s, pats[k]);
        GPtrArray *a = g_ptr_array_new_with_free_func(mail_link_free);
        clock_t t0 = clock();
        urls_find(s->str, s->len, a, 500);
        double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
        if (secs > 2.0)
            print_error("pattern %zu took %.2fs\n", k, secs);
        assert_true(secs < 2.0);
        assert_true(a->len <= 500);
        for (guint i = 0; i < a->len; i++)
            assert_true(g_utf8_validate(((mail_link_t *)a->pdata[i])->href, -1, NULL));
        g_ptr_array_unref(a);
        g_string_free(s, TRUE);
    }
    const char bin[] = "http://a\0b.example/ www.\x80\xff.jp/";
    GPtrArray *a = g_ptr_array_new_with_free_func(mail_link_free);
    assert_int_equal(urls_find(bin, sizeof bin - 1, a, 10), 2);
    assert_string_equal(((mail_link_t *)a->pdata[0])->href, "http://a");
    assert_string_equal(((mail_link_t *)a->pdata[1])->href, "b.example/");
    g_ptr_array_unref(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_not_nul_terminated),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
