/*
 * test_mime.c - the zero-copy header block and multipart reader (mime.h):
 * fields, folding, line endings, invalid lines, where the body starts,
 * delimiters, preamble/epilogue, unclosed multiparts and limits.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "mail/mime.h"

static void assert_field(const mime_block_t *b, guint i, const char *name, const char *value)
{
    assert_true(i < b->fields->len);
    const mime_field_t *f = &g_array_index(b->fields, mime_field_t, i);
    assert_int_equal(f->name_len, strlen(name));
    assert_memory_equal(f->name, name, f->name_len);
    assert_int_equal(f->value_len, strlen(value));
    assert_memory_equal(f->value, value, f->value_len);
}

static void test_fields_and_body(void **state)
{
    const char *m = "From: a@example.jp\r\nSubject: one\r\n two\r\nX-Empty:\r\n\r\nbody\r\n";
    mime_block_t b;
    mime_block_read(m, strlen(m), MIME_TOP, 100, &b);
    assert_false(b.no_headers);
    assert_false(b.unterminated);
    assert_int_equal(b.fields->len, 3);
    assert_field(&b, 0, "From", " a@example.jp\r");
    assert_field(&b, 1, "Subject", " one\r\n two\r");
    assert_field(&b, 2, "X-Empty", "\r");
    assert_int_equal(g_array_index(b.fields, mime_field_t, 1).offset, 20);
    assert_string_equal(m + b.body, "body\r\n");
    assert_non_null(mime_block_find(&b, "subject"));
    assert_null(mime_block_find(&b, "Subjec"));
    mime_block_clear(&b);
}

static void test_blank_before_colon_and_invalid(void **state)
{
    const char *m = "Subject : hi\nbad line\n still bad\nTo: b@example.jp\nX Y: z\n\n";
    mime_block_t b;
    mime_block_read(m, strlen(m), MIME_TOP, 100, &b);
    assert_int_equal(b.fields->len, 2);
    assert_field(&b, 0, "Subject", " hi");
    assert_field(&b, 1, "To", " b@example.jp");
    assert_int_equal(b.invalid, 2);
    assert_int_equal(b.first_invalid, strlen("Subject : hi\n"));
    assert_int_equal(b.body, strlen(m));
    mime_block_clear(&b);
}

static void test_top_first_line(void **state)
{
    const char *mbox = "From sender@example.jp Mon Jan  1 00:00:00 2024\nFrom: a@example.jp\n\nx";
    mime_block_t b;
    mime_block_read(mbox, strlen(mbox), MIME_TOP, 100, &b);
    assert_false(b.no_headers);
    assert_int_equal(b.fields->len, 1);
    assert_field(&b, 0, "From", " a@example.jp");
    mime_block_clear(&b);

    const char *text = "Hello there\nFrom: a@example.jp\n\nx";
    mime_block_read(text, strlen(text), MIME_TOP, 100, &b);
    assert_true(b.no_headers);
    assert_int_equal(b.body, 0);
    assert_int_equal(b.fields->len, 0);
    mime_block_clear(&b);

    /* a continuation line cannot open a block */
    const char *cont = " Subject: x\n\n";
    mime_block_read(cont, strlen(cont), MIME_TOP, 100, &b);
    assert_true(b.no_headers);
    mime_block_clear(&b);
}

static void test_part_without_headers(void **state)
{
    /* RFC 2046: a part without fields starts with an empty line */
    const char *empty = "\nplain body";
    mime_block_t b;
    mime_block_read(empty, strlen(empty), MIME_PART, 100, &b);
    assert_false(b.no_headers);
    assert_int_equal(b.fields->len, 0);
    assert_string_equal(empty + b.body, "plain body");
    mime_block_clear(&b);
    /* text straight away: kept as the body, from its first byte */
    const char *text = "plain body\nsecond line";
    mime_block_read(text, strlen(text), MIME_PART, 100, &b);
    assert_true(b.no_headers);
    assert_int_equal(b.body, 0);
    mime_block_clear(&b);
}

static void test_unterminated_and_cr(void **state)
{
    const char *m = "From: a@example.jp\nSubject: x\rstill subject";
    mime_block_t b;
    mime_block_read(m, strlen(m), MIME_TOP, 100, &b);
    assert_true(b.unterminated);
    assert_int_equal(b.body, strlen(m));
    assert_int_equal(b.fields->len, 2);
    assert_field(&b, 1, "Subject", " x\rstill subject");
    mime_block_clear(&b);
    /* a lone CR at the very end is not an empty line */
    const char *cr = "A: b\n\r";
    mime_block_read(cr, strlen(cr), MIME_TOP, 100, &b);
    assert_true(b.unterminated);
    mime_block_clear(&b);
}

static void test_field_limit(void **state)
{
    GString *s = g_string_new(NULL);
    for (int i = 0; i < 50; i++)
        g_string_append_printf(s, "X-%d: v\n", i);
    g_string_append(s, "\nbody");
    mime_block_t b;
    mime_block_read(s->str, s->len, MIME_TOP, 10, &b);
    assert_int_equal(b.fields->len, 10);
    assert_int_equal(b.total_fields, 50);
    assert_string_equal(s->str + b.body, "body");
    mime_block_clear(&b);
    g_string_free(s, TRUE);
}

static void assert_part(const char *d, const mime_split_t *s, guint i, const char *want)
{
    assert_true(i < s->parts->len);
    const mime_span_t *p = &g_array_index(s->parts, mime_span_t, i);
    assert_int_equal(p->len, strlen(want));
    assert_memory_equal(d + p->start, want, p->len);
}

static void test_split(void **state)
{
    const char *b = "preamble\r\n--xyz\r\nA: 1\r\n\r\none\r\n--xyz \t\r\n\r\ntwo\r\n\r\n"
                    "--xyz--\r\nepilogue\r\n--xyz\r\nnot a part\r\n";
    mime_split_t s;
    mime_split(b, strlen(b), "xyz", 3, 100, NULL, NULL, &s);
    assert_true(s.found);
    assert_true(s.closed);
    assert_false(s.more);
    assert_int_equal(s.parts->len, 2);
    assert_part(b, &s, 0, "A: 1\r\n\r\none");
    assert_part(b, &s, 1, "\r\ntwo\r\n"); /* only the line break before the delimiter goes */
    mime_split_clear(&s);
}

static void test_split_not_delimiters(void **state)
{
    const char *b = "--b\nx\n--bb\n--b-- x\n---b\n --b\n--b--";
    mime_split_t s;
    mime_split(b, strlen(b), "b", 1, 100, NULL, NULL, &s);
    assert_true(s.closed);
    assert_int_equal(s.parts->len, 1);
    assert_part(b, &s, 0, "x\n--bb\n--b-- x\n---b\n --b");
    mime_split_clear(&s);
}

static void test_split_unclosed_and_missing(void **state)
{
    const char *b = "--b\nfirst\n--b\nlast\n";
    mime_split_t s;
    mime_split(b, strlen(b), "b", 1, 100, NULL, NULL, &s);
    assert_true(s.found);
    assert_false(s.closed);
    assert_int_equal(s.parts->len, 2);
    assert_part(b, &s, 1, "last\n"); /* to the end, nothing trimmed */
    mime_split_clear(&s);

    const char *none = "no delimiter here\n-- b\n";
    mime_split(none, strlen(none), "b", 1, 100, NULL, NULL, &s);
    assert_false(s.found);
    assert_int_equal(s.parts->len, 0);
    mime_split_clear(&s);

    /* NUL bytes are content like any other */
    const char nul[] = "--b\na\0b\n--b--\n";
    mime_split(nul, sizeof nul - 1, "b", 1, 100, NULL, NULL, &s);
    assert_int_equal(s.parts->len, 1);
    assert_int_equal(g_array_index(s.parts, mime_span_t, 0).len, 3);
    mime_split_clear(&s);
}

static bool starts_nested(const char *part, size_t len, void *ctx)
{
    const char *want = ctx;
    return len >= strlen(want) && memcmp(part, want, strlen(want)) == 0;
}

/* A part that is a multipart on the same boundary owns the delimiters up
 * to its own close delimiter; the enclosing multipart goes on after it. */
static void test_split_same_boundary(void **state)
{
    const char *b = "--b\nCT: nested\n\n--b\ninner1\n--b\nCT: nested\n\n--b\ndeep\n--b--\n"
                    "--b--\ntrailer\n--b\nouter2\n--b--\nepilogue\n--b\nlost\n";
    mime_split_t s;
    mime_split(b, strlen(b), "b", 1, 100, starts_nested, (void *)"CT: nested", &s);
    assert_true(s.closed);
    assert_int_equal(s.parts->len, 2);
    assert_part(b, &s, 0,
                "CT: nested\n\n--b\ninner1\n--b\nCT: nested\n\n--b\ndeep\n--b--\n--b--\ntrailer");
    assert_part(b, &s, 1, "outer2");
    mime_split_clear(&s);
    /* without the callback the first close delimiter ends everything */
    mime_split(b, strlen(b), "b", 1, 100, NULL, NULL, &s);
    assert_int_equal(s.parts->len, 4);
    assert_part(b, &s, 0, "CT: nested\n");
    assert_part(b, &s, 3, "deep");
    mime_split_clear(&s);
}

static void test_split_limit(void **state)
{
    GString *b = g_string_new(NULL);
    for (int i = 0; i < 20; i++)
        g_string_append_printf(b, "--q\n%d\n", i);
    g_string_append(b, "--q--\n");
    mime_split_t s;
    mime_split(b->str, b->len, "q", 1, 5, NULL, NULL, &s);
    assert_int_equal(s.parts->len, 5);
    assert_true(s.more);
    assert_true(s.closed);
    assert_part(b->str, &s, 4, "4");
    mime_split_clear(&s);
    g_string_free(b, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields_and_body),
        cmocka_unit_test(test_blank_before_colon_and_invalid),
        cmocka_unit_test(test_top_first_line),
        cmocka_unit_test(test_part_without_headers),
        cmocka_unit_test(test_unterminated_and_cr),
        cmocka_unit_test(test_field_limit),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_split_not_delimiters),
        cmocka_unit_test(test_split_unclosed_and_missing),
        cmocka_unit_test(test_split_same_boundary),
        cmocka_unit_test(test_split_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
