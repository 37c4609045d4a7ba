/*
 * test_keys_walk.c - the scanner's directory walk on a hostile little
 * tree: symbolic-link loops end, each directory is entered once, dangling
 * links are reported, FIFOs are never opened, skip_dir prunes, and a
 * callback's non-zero return stops the walk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "keys/keywalk.h"

typedef struct seen {
    GPtrArray *files;
    GPtrArray *errors;
    int stop_after;
} seen_t;

static int on_file(const char *path, void *ctx)
{
    seen_t *s = ctx;
    g_ptr_array_add(s->files, g_path_get_basename(path));
    return s->stop_after && (int)s->files->len >= s->stop_after ? 7 : 0;
}

static bool skip_git(const char *dir, const char *name, void *ctx)
{
    return strcmp(name, ".git") == 0;
}

static void on_error(const char *path, int errnum, void *ctx)
{
    seen_t *s = ctx;
    g_ptr_array_add(s->errors, g_path_get_basename(path));
}

static int count(GPtrArray *a, const char *name)
{
    int n = 0;
    for (guint i = 0; i < a->len; i++)
        n += strcmp(g_ptr_array_index(a, i), name) == 0;
    return n;
}

static void put(const char *dir, const char *name)
{
    char *p = g_build_filename(dir, name, NULL);
    assert_true(g_file_set_contents(p, "x\n", 2, NULL));
    g_free(p);
}

static void test_walk(void **state)
{
    char tmpl[] = "/tmp/test_keys_walkXXXXXX";
    char *root = mkdtemp(tmpl);
    assert_non_null(root);
    char *sub = g_build_filename(root, "sub", NULL);
    char *git = g_build_filename(root, ".git", NULL);
    assert_int_equal(g_mkdir(sub, 0700), 0);
    assert_int_equal(g_mkdir(git, 0700), 0);
    put(root, "a.txt");
    put(sub, "b.txt");
    put(git, "config");
    char *p;
    p = g_build_filename(sub, "loop", NULL); /* sub/loop -> .. (the root) */
    assert_int_equal(symlink("..", p), 0);
    g_free(p);
    p = g_build_filename(root, "alias", NULL); /* alias -> sub */
    assert_int_equal(symlink("sub", p), 0);
    g_free(p);
    p = g_build_filename(root, "dangling", NULL);
    assert_int_equal(symlink("nowhere", p), 0);
    g_free(p);
    p = g_build_filename(root, "fifo", NULL);
    assert_int_equal(mkfifo(p, 0600), 0);
    g_free(p);
    p = g_build_filename(root, "link.txt", NULL); /* a file reached by a link */
    assert_int_equal(symlink("a.txt", p), 0);
    g_free(p);

    seen_t s = {g_ptr_array_new_with_free_func(g_free), g_ptr_array_new_with_free_func(g_free), 0};
    keywalk_opts_t o = {on_file, skip_git, on_error, &s};
    int rc = keywalk(root, &o);
    assert_int_equal(count(s.files, "a.txt"), 1);
    assert_int_equal(count(s.files, "b.txt"), 1); /* sub entered once, not via alias or loop */
    assert_int_equal(count(s.files, "link.txt"), 1);
    assert_int_equal(count(s.files, "config"), 0); /* .git pruned */
    assert_int_equal(count(s.files, "fifo"), 0);
    assert_int_equal(s.files->len, 3);
    assert_int_equal(count(s.errors, "dangling"), 1);
    assert_int_equal(rc, 1); /* one error */

    /* a non-zero on_file stops the walk and is returned */
    g_ptr_array_set_size(s.files, 0);
    g_ptr_array_set_size(s.errors, 0);
    s.stop_after = 1;
    assert_int_equal(keywalk(root, &o), 7);
    assert_int_equal(s.files->len, 1);

    /* a missing root is one error */
    g_ptr_array_set_size(s.errors, 0);
    char *missing = g_build_filename(root, "missing", NULL);
    assert_int_equal(keywalk(missing, &o), 1);
    assert_int_equal(s.errors->len, 1);
    g_free(missing);

    g_ptr_array_free(s.files, TRUE);
    g_ptr_array_free(s.errors, TRUE);
    char *argv[] = {"rm", "-rf", root, NULL};
    g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    g_free(sub);
    g_free(git);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
