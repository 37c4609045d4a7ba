/*
 * test_util.c - the base layer: slices, bounded buffers, config, file walk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-c/json.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/conf.h"
#include "util/fswalk.h"
#include "util/hash.h"
#include "util/jsonw.h"
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

/* Every byte value inside a string, alone and between letters: json-c
 * parses the writer's text back to the same string (invalid UTF-8 becomes
 * U+FFFD). */
static void test_jsonw_strings(void **state)
{
    (void)state;
    for (int c = 0; c < 256; c++) {
        char in[4] = {'a', (char)c, 'b', '\0'};
        GString *g = g_string_new(NULL);
        jsonw_t w;
        jsonw_init(&w, g);
        jsonw_arr(&w);
        jsonw_str_n(&w, in, 3);
        jsonw_end(&w);
        assert_false(w.error);
        json_object *o = json_tokener_parse(g->str);
        if (o == NULL)
            fail_msg("byte %02x: not JSON: %s", c, g->str);
        const char *back = json_object_get_string(json_object_array_get_idx(o, 0));
        const char *want = c < 0x80 ? in : "a\xEF\xBF\xBD" "b";
        if (strcmp(back, want) != 0)
            fail_msg("byte %02x: got %s", c, g->str);
        json_object_put(o);
        g_string_free(g, TRUE);
    }
    /* valid multibyte characters pass unchanged; a cut one is replaced */
    GString *g = g_string_new(NULL);
    jsonw_t w;
    jsonw_init(&w, g);
    jsonw_arr(&w);
    jsonw_str(&w, "メルカリ\xF0\x9F\x94\x92");
    jsonw_str_n(&w, "\xE3\x83", 2);
    jsonw_str(&w, "\xED\xA0\x80"); /* a UTF-16 surrogate in UTF-8 */
    jsonw_end(&w);
    assert_string_equal(g->str, "[\"メルカリ\xF0\x9F\x94\x92\",\"\xEF\xBF\xBD\xEF\xBF\xBD\","
                                "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"]");
    g_string_free(g, TRUE);
}

/* Structure, numbers and misuse. The same document through json-c gives
 * the same text. */
static void test_jsonw_structure(void **state)
{
    (void)state;
    GString *g = g_string_new(NULL);
    jsonw_t w;
    jsonw_init(&w, g);
    jsonw_obj(&w);
    jsonw_key(&w, "a");
    jsonw_arr(&w);
    jsonw_int(&w, -5);
    jsonw_double(&w, 2.5);
    jsonw_double(&w, 11.0);
    jsonw_double(&w, 0.3);
    jsonw_bool(&w, true);
    jsonw_null(&w);
    jsonw_str(&w, NULL);
    jsonw_obj(&w);
    jsonw_end(&w);
    jsonw_arr(&w);
    jsonw_end(&w);
    jsonw_end(&w);
    jsonw_key(&w, "q\"/");
    jsonw_str(&w, "x/y");
    jsonw_end(&w);
    assert_false(w.error);
    assert_int_equal(w.depth, 0);
    json_object *o = json_object_new_object();
    json_object *a = json_object_new_array();
    json_object_array_add(a, json_object_new_int(-5));
    json_object_array_add(a, json_object_new_double(2.5));
    json_object_array_add(a, json_object_new_double(11.0));
    json_object_array_add(a, json_object_new_double(0.3));
    json_object_array_add(a, json_object_new_boolean(1));
    json_object_array_add(a, NULL);
    json_object_array_add(a, NULL);
    json_object_array_add(a, json_object_new_object());
    json_object_array_add(a, json_object_new_array());
    json_object_object_add(o, "a", a);
    json_object_object_add(o, "q\"/", json_object_new_string("x/y"));
    assert_string_equal(g->str, json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                                      JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);

    /* NaN cannot be JSON */
    g_string_truncate(g, 0);
    jsonw_init(&w, g);
    jsonw_double(&w, NAN);
    assert_string_equal(g->str, "null");

    /* misuse is flagged */
    jsonw_init(&w, g);
    jsonw_end(&w);
    assert_true(w.error);
    jsonw_init(&w, g);
    jsonw_arr(&w);
    jsonw_key(&w, "k");
    assert_true(w.error);
    jsonw_init(&w, g);
    jsonw_obj(&w);
    jsonw_int(&w, 1);
    assert_true(w.error);
    jsonw_init(&w, g);
    for (int i = 0; i <= JSONW_MAX_DEPTH; i++)
        jsonw_arr(&w);
    assert_true(w.error);
    g_string_free(g, TRUE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_slice_cursor), cmocka_unit_test(test_buf_limit),
        cmocka_unit_test(test_conf),         cmocka_unit_test(test_fswalk_loop),
        cmocka_unit_test(test_sha256),       cmocka_unit_test(test_jsonw_strings),
        cmocka_unit_test(test_jsonw_structure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
