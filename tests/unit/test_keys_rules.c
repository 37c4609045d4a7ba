/*
 * test_keys_rules.c - every rule in data/keys/rules.txt finds each of its
 * examples and none of its negatives, through the real scanner (Hyperscan
 * prefilter, PCRE confirmation, keywords, near/pair, shape checks); the
 * rule loader rejects broken rule files with a file:line reason; the fact
 * lists load; the compiled-database cache is written, reused and repaired.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "keys/keyrules.h"
#include "keys/keyscan.h"

static keyrules_t *load(void)
{
    char *err = NULL;
    keyrules_t *rs = keyrules_load(SG_SOURCE_DIR "/data/keys", &err);
    if (rs == NULL)
        fail_msg("rules: %s", err);
    return rs;
}

/* Does scanning text report rule r (alone or as the pair of another)? */
static bool finds(const keyrules_t *rs, int r, const char *text)
{
    keyscan_opts_t o = {.threads = 1, .archives = true};
    keyscan_t *ks = keyscan_new(rs, &o);
    keyscan_buffer(ks, "example", text, strlen(text));
    keyscan_finish(ks);
    const GPtrArray *fs = keyscan_findings(ks);
    bool hit = false;
    for (guint i = 0; i < fs->len; i++) {
        const keyfinding_t *f = g_ptr_array_index((GPtrArray *)fs, i);
        hit |= f->rule == r || f->paired_rule == r;
    }
    keyscan_free(ks);
    return hit;
}

static void test_examples_and_negatives(void **state)
{
    keyrules_t *rs = load();
    assert_true(keyrules_count(rs) >= 15);
    for (size_t i = 0; i < keyrules_count(rs); i++) {
        const keyrule_t *r = keyrules_get(rs, i);
        if (r->examples->len == 0)
            fail_msg("rule %s has no example", r->id);
        if (r->negatives->len == 0)
            fail_msg("rule %s has no negative example", r->id);
        for (guint e = 0; e < r->examples->len; e++)
            if (!finds(rs, (int)i, g_ptr_array_index(r->examples, e)))
                fail_msg("rule %s misses its example: %s", r->id,
                         (char *)g_ptr_array_index(r->examples, e));
        for (guint e = 0; e < r->negatives->len; e++)
            if (finds(rs, (int)i, g_ptr_array_index(r->negatives, e)))
                fail_msg("rule %s finds its negative: %s", r->id,
                         (char *)g_ptr_array_index(r->negatives, e));
    }
    keyrules_free(rs);
}

static void test_required_rules_present(void **state)
{
    keyrules_t *rs = load();
    static const char *const ids[] = {"aws-access-key-id",
                                      "aws-secret-access-key",
                                      "aws-session-token",
                                      "aws-ses-smtp-password",
                                      "sendgrid-api-key",
                                      "mailgun-api-key",
                                      "mailchimp-api-key",
                                      "mandrill-api-key",
                                      "postmark-server-token",
                                      "sparkpost-api-key",
                                      "brevo-api-key",
                                      "github-token",
                                      "slack-token",
                                      "slack-webhook",
                                      "google-service-account-key",
                                      "azure-storage-key",
                                      "private-key"};
    for (size_t i = 0; i < G_N_ELEMENTS(ids); i++)
        if (keyrules_find(rs, ids[i]) < 0)
            fail_msg("missing rule %s", ids[i]);
    assert_true(keyrules_is_canary(rs, "171436882533"));
    assert_false(keyrules_is_canary(rs, "609629065308"));
    const char *const *regions = keyrules_ses_regions(rs);
    bool east = false;
    size_t n = 0;
    for (; regions[n]; n++)
        east |= strcmp(regions[n], "us-east-1") == 0;
    assert_true(east);
    assert_true(n >= 17);
    keyrules_free(rs);
}

static void expect_error(const char *text, const char *want)
{
    char *err = NULL;
    keyrules_t *rs = keyrules_load_text("t.txt", text, strlen(text), &err);
    assert_null(rs);
    assert_non_null(err);
    if (strstr(err, want) == NULL)
        fail_msg("error '%s' lacks '%s'", err, want);
    g_free(err);
}

static void test_loader_errors(void **state)
{
    expect_error("[a]\nname = A\npattern = (x\n", "t.txt:");
    expect_error("[a]\nname = A\npattern = x\nbogus = 1\n", "t.txt:4: unknown key");
    expect_error("name = A\n", "t.txt:1: key outside");
    expect_error("[A B]\n", "bad section header");
    expect_error("[a]\nname = A\npattern = x\n[a]\nname = B\npattern = y\n", "duplicate");
    expect_error("[a]\nname = A\npattern = x\nnear = b\n", "unknown rule 'b'");
    expect_error("[a]\nname = A\npattern = x\nvalidate = magic\n", "unknown validator");
    expect_error("[a]\nname = A\npattern = x\nnear = b\n[b]\nname = B\npattern = y\nnear = a\n",
                 "near names a rule that has a near");
    expect_error("[a]\nname = A\npattern = x\nmax_len = 99999999\n", "max_len");
    expect_error("", "no rules");
    char *err = NULL;
    const char *ok = "# c\n[a]\nname = A\npattern = (?<![a-z])(tok_[0-9]{4})\nkeywords = X, y\n";
    keyrules_t *rs = keyrules_load_text("t.txt", ok, strlen(ok), &err);
    assert_non_null(rs);
    const keyrule_t *r = keyrules_get(rs, 0);
    assert_string_equal(r->keywords[0], "x");
    assert_string_equal(r->keywords[1], "y");
    assert_null(r->keywords[2]);
    keyrules_free(rs);
}

/* The compiled database is cached, reused, and a corrupt cache file is
 * replaced, with the same scanning results each time. */
static char cache_dir[] = "/tmp/test_keys_cacheXXXXXX";

static void test_db_cache(void **state)
{
    char *dir = g_build_filename(cache_dir, "sesguard", NULL);
    for (int round = 0; round < 3; round++) {
        keyrules_t *rs = load();
        assert_true(finds(rs, keyrules_find(rs, "aws-access-key-id"), "AKIASP2TPHJSQH3FJRUX"));
        keyrules_free(rs);
        GDir *d = g_dir_open(dir, 0, NULL);
        assert_non_null(d);
        const char *name = g_dir_read_name(d);
        assert_non_null(name);
        assert_true(g_str_has_prefix(name, "keys-") && g_str_has_suffix(name, ".hsdb"));
        char *path = g_build_filename(dir, name, NULL);
        if (round == 1) /* corrupt it: the next load must compile again */
            assert_true(g_file_set_contents(path, "garbage", 7, NULL));
        else if (round == 2) {
            gsize len = 0;
            char *data = NULL;
            assert_true(g_file_get_contents(path, &data, &len, NULL));
            assert_true(len > 1000); /* rewritten after the corrupt round */
            g_free(data);
        }
        g_free(path);
        g_dir_close(d);
    }
    g_free(dir);
}

int main(void)
{
    /* before any GLib call caches the user cache directory */
    if (mkdtemp(cache_dir) == NULL)
        return 1;
    g_setenv("XDG_CACHE_HOME", cache_dir, TRUE);
    g_unsetenv("SESGUARD_NO_CACHE");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_examples_and_negatives),
        cmocka_unit_test(test_required_rules_present),
        cmocka_unit_test(test_loader_errors),
        cmocka_unit_test(test_db_cache),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    char *argv[] = {"rm", "-rf", cache_dir, NULL};
    g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL, NULL, NULL);
    return rc;
}
