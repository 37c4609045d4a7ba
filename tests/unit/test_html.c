/*
 * test_html.c - html_extract: visible text, links, counters, limits and
 * hostile documents. Every fixture is hand-written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <libxml/globals.h>
#include <libxml/xmlerror.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mail/html.h"
#include "mail/link.h"

typedef struct html_case {
    const char *html;
    const char *text;
    const char *links; /* "K href|text" lines joined by '\n'; K = A F I O */
    unsigned forms, pw, scripts;
    size_t hidden;
    const char *refresh;
} html_case_t;

static const char kinds[] = {'T', 'A', 'F', 'I', 'O'};

static char *links_str(const GPtrArray *links)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; i < links->len; i++) {
        const mail_link_t *l = links->pdata[i];
        if (i)
            g_string_append_c(s, '\n');
        g_string_append_printf(s, "%c %s|%s", kinds[l->kind], l->href, l->text);
    }
    return g_string_free(s, FALSE);
}

static const html_case_t cases[] = {
    {"<p>Hello <b>world</b></p><p>second</p>", "Hello world\nsecond", "", 0, 0, 0, 0, NULL},
    {"", "", "", 0, 0, 0, 0, NULL},
    {"plain text, no tags", "plain text, no tags", "", 0, 0, 0, 0, NULL},
    /* entities, NBSP and white space runs collapse */
    {"<div>a&amp;b &lt;c&gt;&nbsp;&nbsp; d\n\n\te&#x3042;</div>", "a&b <c> d e\xe3\x81\x82", "", 0,
     0, 0, 0, NULL},
    /* head, title, style, script and comments are not text */
    {"<html><head><title>T</title><style>p{color:red}</style></head><body><!-- note -->"
     "<script>var x=1;</script>Body</body></html>",
     "Body", "", 0, 0, 1, 0, NULL},
    /* anchor text and kinds, document order */
    {"<a href=' https://example.jp/login '>Log <i>in</i></a> then <img src=\"cid:logo\">"
     "<form action=\"https://evil.example/p\"><input type=PASSWORD name=p></form>",
     "Log in then", "A https://example.jp/login|Log in\nI cid:logo|\nF https://evil.example/p|", 1,
     1, 0, 0, NULL},
    /* hidden by CSS, the hidden attribute, font-size 0 */
    {"<p>shown</p><div style=\"DISPLAY : none !important\">secret words</div>"
     "<span hidden>xy</span><span style=\"font-size:0px;color:red\">zz</span>"
     "<span style=\"visibility:hidden\">q</span><span style=\"font-size:10px\">ok</span>",
     "shown\nok", "", 0, 0, 0, 16, NULL},
    /* CSS comments do not defeat the check; non-zero sizes are visible */
    {"<span style=\"display:/**/none\">a</span><span style=\"font-size:0.5em\">b</span>", "b", "",
     0, 0, 0, 1, NULL},
    /* a link inside hidden text keeps its href, loses its text */
    {"<div style=\"display:none\"><a href=\"http://h.example/\">click</a></div>", "",
     "A http://h.example/|", 0, 0, 0, 5, NULL},
    /* meta refresh, forms of it */
    {"<meta http-equiv=\"Refresh\" content=\"0; URL='https://r.example/x'\">", "",
     "O https://r.example/x|", 0, 0, 0, 0, "https://r.example/x"},
    {"<meta http-equiv=refresh content=\"5,https://r2.example/\">", "", "O https://r2.example/|", 0,
     0, 0, 0, "https://r2.example/"},
    {"<meta http-equiv=refresh content=\"5\">", "", "", 0, 0, 0, 0, NULL},
    /* on* handlers count as scripts; other URL attributes */
    {"<body onload=\"x()\" background=\"https://bg.example/i.png\"><div onclick=y() "
     "onmouseover=z()>t</div><iframe src=\"https://f.example/\"></iframe>"
     "<script src=\"https://s.example/a.js\"></script></body>",
     "t", "O https://bg.example/i.png|\nO https://f.example/|\nO https://s.example/a.js|", 0, 0, 4,
     0, NULL},
    /* table cells are separated, rows are lines */
    {"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc", "", 0, 0, 0, 0,
     NULL},
    /* br and li */
    {"one<br>two<ul><li>x</li><li>y</li></ul>", "one\ntwo\nx\ny", "", 0, 0, 0, 0, NULL},
    /* empty href is no link; area is an anchor */
    {"<a href=\"\">e</a><map><area href=\"https://m.example/\"></map>", "e",
     "A https://m.example/|", 0, 0, 0, 0, NULL},
    /* Japanese lure: text and anchor */
    {"<p>\xe3\x82\xa2\xe3\x82\xab\xe3\x82\xa6\xe3\x83\xb3\xe3\x83\x88\xe3\x82\x92"
     "<a href=\"https://amaz0n.example/\">\xe7\xa2\xba\xe8\xaa\x8d</a></p>",
     "\xe3\x82\xa2\xe3\x82\xab\xe3\x82\xa6\xe3\x83\xb3\xe3\x83\x88\xe3\x82\x92\xe7\xa2\xba\xe8\xaa"
     "\x8d",
     "A https://amaz0n.example/|\xe7\xa2\xba\xe8\xaa\x8d", 0, 0, 0, 0, NULL},
    /* tag soup: unclosed tags, stray closers */
    {"<div><p>a<b>b</div></i>c<a href=x>d", "ab\ncd", "A x|d", 0, 0, 0, 0, NULL},
    /* a block closes a hidden <p>: what follows is visible, as in a browser */
    {"<p style=\"display:none\">x<div>shown</div>", "shown", "", 0, 0, 0, 1, NULL},
    /* a stray end tag does not close a hidden <div> */
    {"<div style=\"display:none\"><b>x</b></b></span>y</div>z", "z", "", 0, 0, 0, 2, NULL},
    /* a misplaced <head> in the body hides nothing; <body> ends the head */
    {"<html><head><meta charset=utf-8>t<body><p>a</p><head>b</head></body>", "t\na\nb", "", 0,
     0, 0, 0, NULL},
    /* an <a> closes an open <a>; </br> is a line break */
    {"<a href=1>x<a href=2>y</a>z</br>w", "xyz\nw", "A 1|x\nA 2|y", 0, 0, 0, 0, NULL},
    /* entities: numeric with or without ';', named only with ';', in
     * attributes too; references to no character are dropped (lures splice
     * them into words); a leading byte order mark is not text */
    {"\xef\xbb\xbf&#65&#x42;&amp&amp;&nosuch;&#0;C&#2620244;D<a href=\"h?a=1&amp;b=2\">l</a>",
     "AB&amp&&nosuch;CDl", "A h?a=1&b=2|l", 0, 0, 0, 0, NULL},
    /* script and style are raw text: no tags inside them */
    {"<script>var s='<a href=\"http://x.example/\">';</script><style>a{}</style>ok", "ok", "",
     0, 0, 1, 0, NULL},
    /* abrupt comments end where browsers end them: the text after them shows */
    {"a<!-->b<!--->c<!-- x --!>d<!-- y -->e", "abcde", "", 0, 0, 0, 0, NULL},
    /* comments, doctype and CDATA are skipped; an unclosed comment runs to the end */
    {"<!DOCTYPE html>a<![CDATA[x]]>b<!-- c -->d<!-- e", "abd", "", 0, 0, 0, 0, NULL},
    /* a stray </p> breaks the line like an empty paragraph */
    {"</p>Greetings</p>\n</p>I write", "Greetings\nI write", "", 0, 0, 0, 0, NULL},
    /* a tag cut off by the end of the part still counts */
    {"see <a href=http://cut.example/x", "see", "A http://cut.example/x|", 0, 0, 0, 0, NULL},
    {"see <a href=\"http://cut.example/y", "see", "A http://cut.example/y|", 0, 0, 0, 0, NULL},
    /* a '<' that opens nothing is text; attribute quoting */
    {"1 < 2 <3<a title='>' href=q>x</a>", "1 < 2 <3x", "A q|x", 0, 0, 0, 0, NULL},
};

static void test_cases(void **state)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const html_case_t *c = &cases[i];
        html_result_t r;
        assert_int_equal(html_extract(c->html, strlen(c->html), 4096, 100, &r), 0);
        char *ls = links_str(r.links);
        if (strcmp(r.text, c->text) != 0 || strcmp(ls, c->links) != 0)
            print_error("case %zu: text [%s] links [%s]\n", i, r.text, ls);
        assert_string_equal(r.text, c->text);
        assert_string_equal(ls, c->links);
        assert_int_equal(r.forms, c->forms);
        assert_int_equal(r.password_inputs, c->pw);
        assert_int_equal(r.scripts, c->scripts);
        assert_int_equal(r.hidden_text_bytes, c->hidden);
        if (c->refresh)
            assert_string_equal(r.meta_refresh, c->refresh);
        else
            assert_null(r.meta_refresh);
        assert_false(r.text_truncated);
        assert_false(r.links_truncated);
        assert_false(r.incomplete);
        g_free(ls);
        html_result_clear(&r);
    }
}

static void test_limits(void **state)
{
    html_result_t r;
    /* text cut at a UTF-8 boundary: 7 bytes allow "ab" + 1 kana (3) + ... */
    const char *h = "<p>ab \xe3\x81\x82\xe3\x81\x84</p>";
    assert_int_equal(html_extract(h, strlen(h), 7, 10, &r), 0);
    assert_string_equal(r.text, "ab \xe3\x81\x82");
    assert_true(r.text_truncated);
    html_result_clear(&r);

    assert_int_equal(html_extract(h, strlen(h), 0, 10, &r), 0);
    assert_string_equal(r.text, "");
    assert_true(r.text_truncated);
    html_result_clear(&r);

    const char *l = "<a href=1>a</a><a href=2>b</a><a href=3>c</a>";
    assert_int_equal(html_extract(l, strlen(l), 100, 2, &r), 0);
    assert_int_equal(r.links->len, 2);
    assert_true(r.links_truncated);
    assert_string_equal(r.text, "abc");
    html_result_clear(&r);

    /* anchor text is bounded */
    GString *big = g_string_new("<a href=\"u\">");
    for (int i = 0; i < 3000; i++)
        g_string_append(big, "x");
    g_string_append(big, "</a>");
    assert_int_equal(html_extract(big->str, big->len, 1 << 20, 10, &r), 0);
    assert_int_equal(strlen(((mail_link_t *)r.links->pdata[0])->text), 1024);
    assert_int_equal(strlen(r.text), 3000);
    html_result_clear(&r);
    g_string_free(big, TRUE);
}

/* Deep nesting, NULs, invalid UTF-8, unterminated everything: no crash,
 * bounded time, sane output. */
static void test_hostile(void **state)
{
    html_result_t r;
    GString *s = g_string_new(NULL);
    for (int i = 0; i < 100000; i++)
        g_string_append(s, "<div><span>");
    g_string_append(s, "deep");
    assert_int_equal(html_extract(s->str, s->len, 1000, 10, &r), 0);
    assert_string_equal(r.text, "deep"); /* past depth 256: untracked, not lost */
    assert_true(r.incomplete);
    html_result_clear(&r);
    g_string_free(s, TRUE);
    s = g_string_new(NULL);
    for (int i = 0; i < 200; i++)
        g_string_append(s, "<b>");
    g_string_append(s, "deep <a href=x>y</a>");
    assert_int_equal(html_extract(s->str, s->len, 1000, 10, &r), 0);
    assert_string_equal(r.text, "deep y");
    assert_false(r.incomplete);
    assert_int_equal(r.links->len, 1);
    html_result_clear(&r);
    g_string_free(s, TRUE);

    /* a NUL inside a comment does not hide the comment's end */
    const char nul_comment[] = "<!-- a\0b -->shown";
    assert_int_equal(html_extract(nul_comment, sizeof nul_comment - 1, 1000, 10, &r), 0);
    assert_string_equal(r.text, "shown");
    html_result_clear(&r);

    const char bin[] = "<p>a\0b\xff\xfe<a href=\"\x80\">\xc3</a>";
    assert_int_equal(html_extract(bin, sizeof bin - 1, 1000, 10, &r), 0);
    assert_true(g_utf8_validate(r.text, -1, NULL));
    html_result_clear(&r);

    const char *unterminated[] = {
        "<a href=\"", "<!--",      "<script>", "<", "&#", "<style", "<div style=\"display:none",
        "<![CDATA[",  "<a href=x>"};
    for (size_t i = 0; i < G_N_ELEMENTS(unterminated); i++) {
        assert_int_equal(html_extract(unterminated[i], strlen(unterminated[i]), 100, 10, &r), 0);
        assert_non_null(r.text);
        html_result_clear(&r);
    }

    /* many attributes on one tag (libxml2 checks duplicates pairwise) */
    s = g_string_new("<p");
    for (int i = 0; i < 2000; i++)
        g_string_append_printf(s, " a%d=1", i);
    g_string_append(s, ">t</p>");
    g_string_append(s, "<a href=\"https://after.example/\" x=\"1\" y='>'>u</a>");
    assert_int_equal(html_extract(s->str, s->len, 100, 10, &r), 0);
    assert_string_equal(r.text, "t\nu");
    assert_true(r.incomplete); /* attributes past 256 were dropped */
    assert_int_equal(r.links->len, 1);
    assert_string_equal(((mail_link_t *)r.links->pdata[0])->href, "https://after.example/");
    html_result_clear(&r);
    g_string_free(s, TRUE);

    /* html_result_clear is safe twice */
    html_result_clear(&r);
}

static int custom_calls;

static void custom_handler(void *ctx, const char *msg, ...)
{
    custom_calls++;
}

/* libxml2 says nothing on stderr, and the caller's per-thread generic
 * error handler is back in place afterwards. */
static void test_quiet(void **state)
{
    xmlSetGenericErrorFunc(&custom_calls, custom_handler);
    fflush(stderr);
    int saved = dup(2);
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    dup2(fileno(tmp), 2);
    static const char *const bad[] = {
        "<p>\xff\xfe\xc3<b>x</i>&bogus;<!DOCTYPE x [<!ENTITY a SYSTEM "
        "\"file:///etc/passwd\">]>&a;",
        "<?xml version=\"1.0\" encoding=\"EBCDIC\"?><p>q", "<meta charset=\"x-unknown\"><p>\x80"};
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        html_result_t r;
        assert_int_equal(html_extract(bad[i], strlen(bad[i]), 100, 10, &r), 0);
        assert_null(strstr(r.text, "root:")); /* no external entity loaded */
        html_result_clear(&r);
    }
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    fseek(tmp, 0, SEEK_END);
    assert_int_equal(ftell(tmp), 0);
    fclose(tmp);
    assert_ptr_equal(xmlGenericError, custom_handler);
    assert_ptr_equal(xmlGenericErrorContext, &custom_calls);
    assert_int_equal(custom_calls, 0);
    xmlSetGenericErrorFunc(NULL, NULL);
}

static gpointer worker(gpointer data)
{
    const char *h = "<div><a href=\"https://t.example/\">go</a>\xff<b></i>";
    for (int i = 0; i < 300; i++) {
        html_result_t r;
        if (html_extract(h, strlen(h), 100, 10, &r) != 0 || r.links->len != 1) {
            html_result_clear(&r);
            return GINT_TO_POINTER(1);
        }
        html_result_clear(&r);
    }
    return NULL;
}

/* Concurrent parses share no state (run under ASan; TSan-clean by design). */
static void test_threads(void **state)
{
    GThread *t[4];
    for (int i = 0; i < 4; i++)
        t[i] = g_thread_new("html", worker, NULL);
    for (int i = 0; i < 4; i++)
        assert_null(g_thread_join(t[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),   cmocka_unit_test(test_limits),
        cmocka_unit_test(test_hostile), cmocka_unit_test(test_quiet),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
