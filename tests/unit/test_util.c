/*
 * test_util.c - the base layer: slices, bounded buffers, config, file walk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/conf.h"
#include "util/fswalk.h"
#include "util/hash.h"
#include "util/slice.h"

static void test_slice_cursor(void **state)
{
    slice_t s = SLICE_LIT("  From: a=b; c \r\n");
    s = slice_trim(s);
    assert_true(slice_skip_prefix_ci(&s, "from:"));
    assert_false(slice_skip_prefix_ci(&s, "xyz")); /* no move on failure */
    slice_t head = slice_split(&s, ';');
    assert_int_equal(head.n, 4);
    assert_memory_equal(head.p, " a=b", 4);
    assert_true(slice_eq_ci(slice_trim(s), "C"));
    slice_t none = SLICE_LIT("abc");
    slice_t all = slice_split(&none, ';');
    assert_int_equal(all.n, 3);
    assert_int_equal(none.n, 0);
}

static void test_buf_limit(void **state)
{
    buf_t b;
    buf_init(&b, 10);
    assert_int_equal(buf_append_str(&b, "12345"), BUF_OK);
    assert_int_equal(buf_printf(&b, "%d", 67890), BUF_OK);
    assert_int_equal(b.len, 10);
    assert_int_equal(buf_append_char(&b, 'x'), BUF_ETOOBIG);
    assert_int_equal(b.len, 10); /* unchanged on failure */
    assert_string_equal(b.data, "1234567890");
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_append(&b, "a\0b", 3), BUF_OK);
    assert_int_equal(b.len, 3);
    buf_free(&b);
}

static void test_conf(void **state)
{
    conf_t *c = conf_new();
    char *err = NULL;
    const char *text = "# comment\ntrusted_hosts = mx1.example.jp, mx2.example.jp\n"
                       "trusted_hosts = mx3.example.jp\n  lang=ja\n";
    assert_int_equal(conf_load_text(c, "t.conf", text, strlen(text), &err), 0);
    const char *const *l = conf_get_list(c, "trusted_hosts");
    assert_string_equal(l[0], "mx1.example.jp");
    assert_string_equal(l[2], "mx3.example.jp");
    assert_null(l[3]);
    assert_string_equal(conf_get(c, "lang"), "ja");
    const char *bad = "ok = 1\nno equals here\n";
    assert_int_equal(conf_load_text(c, "bad.conf", bad, strlen(bad), &err), -1);
    assert_string_equal(err, "bad.conf:2: expected \"key = value\"");
    g_free(err);
    assert_null(conf_get(c, "ok")); /* nothing added on error */
    conf_free(c);
}

static int count_file(const char *path, const struct stat *st, void *ctx)
{
    (*(int *)ctx)++;
    return 0;
}

static void test_fswalk_loop(void **state)
{
    char *dir = g_dir_make_tmp("sgwalkXXXXXX", NULL);
    char *sub = g_build_filename(dir, "a", NULL);
    char *f1 = g_build_filename(sub, "m1", NULL);
    char *loop = g_build_filename(sub, "up", NULL);
    g_mkdir(sub, 0700);
    g_file_set_contents(f1, "x", 1, NULL);
    assert_int_equal(symlink(dir, loop), 0); /* a link to an ancestor */
    int n = 0;
    fswalk_opts_t o = {.on_file = count_file, .ctx = &n};
    assert_int_equal(fswalk(dir, &o), 0);
    assert_int_equal(n, 1);
    unlink(loop);
    unlink(f1);
    rmdir(sub);
    rmdir(dir);
    g_free(dir);
    g_free(sub);
    g_free(f1);
    g_free(loop);
}

static void test_sha256(void **state)
{
    char hex[65];
    assert_int_equal(hash_sha256_hex("abc", 3, hex), 0);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slice_cursor), cmocka_unit_test(test_buf_limit),
        cmocka_unit_test(test_conf),         cmocka_unit_test(test_fswalk_loop),
        cmocka_unit_test(test_sha256),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
