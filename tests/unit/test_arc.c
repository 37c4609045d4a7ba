/*
 * test_arc.c - ARC chain validation: ValiMail's validation suite (converted
 * from its YAML by tests/conformance/arc/convert.py), Stalwart's real
 * sealed messages, the AAR instance parser and hostile shapes.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "auth/arc.h"

#define SUITE SG_SOURCE_DIR "/tests/conformance/arc/arc-validation.txt"

static dkim_lookup_status_t tab_lookup(void *ctx, const char *name, GPtrArray *recs, char **why)
{
    GHashTable *t = ctx;
    char *low = g_ascii_strdown(name, -1);
    const char *rec = g_hash_table_lookup(t, low);
    g_free(low);
    if (rec == NULL)
        return DKIM_LOOKUP_NONE;
    g_ptr_array_add(recs, g_bytes_new(rec, strlen(rec)));
    return DKIM_LOOKUP_OK;
}

static GHashTable *tab_new(void)
{
    return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
}

/* Reads "<word> <name> [<cv>] <len>\n<bytes>\n" records. */
static bool next_record(const char **p, const char *end, char ***words, const char **data,
                        size_t *len)
{
    if (*p >= end)
        return false;
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    assert_non_null(nl);
    char *line = g_strndup(*p, (size_t)(nl - *p));
    *words = g_strsplit(line, " ", -1);
    g_free(line);
    guint nw = g_strv_length(*words);
    assert_true(nw >= 3);
    char *e = NULL;
    unsigned long n = strtoul((*words)[nw - 1], &e, 10);
    assert_true(e && *e == '\0');
    *data = nl + 1;
    *len = n;
    assert_true(*data + n + 1 <= end);
    *p = *data + n + 1;
    return true;
}

static void test_valimail_suite(void **state)
{
    char *suite = NULL;
    gsize slen = 0;
    assert_true(g_file_get_contents(SUITE, &suite, &slen, NULL));
    GHashTable *keys = tab_new();
    const char *p = suite, *end = suite + slen;
    char **w;
    const char *data;
    size_t len;
    int total = 0, ok = 0;
    GString *bad = g_string_new(NULL);
    while (next_record(&p, end, &w, &data, &len)) {
        if (strcmp(w[0], "key") == 0) {
            g_hash_table_replace(keys, g_ascii_strdown(w[1], -1), g_strndup(data, len));
        } else {
            dkim_opts_t o = {tab_lookup, keys, 1700000000, 0, NULL};
            arc_result_t *r = arc_validate(data, len, &o);
            assert_non_null(r);
            total++;
            if (strcmp(arc_cv_name(r->cv), w[2]) == 0)
                ok++;
            /* oldest-pass (RFC 8617 5.2 step 5): AMS(1) of this one was
             * broken by a later change, AMS(2) holds. */
            if (strcmp(w[1], "cv_pass_i2_1_ams1_invalid") == 0)
                assert_int_equal(r->oldest_pass, 2);
            if (strcmp(w[1], "cv_pass_i5_1") == 0) {
                assert_int_equal(r->instances, 5);
                assert_int_equal(r->oldest_pass, 0);
            }
            else
                g_string_append_printf(bad, "  %s: want %s, got %s (%s)\n", w[1], w[2],
                                       arc_cv_name(r->cv), r->reason);
            arc_result_free(r);
        }
        g_strfreev(w);
    }
    print_message("ValiMail ARC validation suite: %d/%d\n", ok, total);
    if (ok != total)
        fail_msg("failing scenarios:\n%s", bad->str);
    assert_int_equal(total, 171);
    g_string_free(bad, TRUE);
    g_hash_table_destroy(keys);
    g_free(suite);
}

static void test_stalwart_sealed(void **state)
{
    const char *files[] = {"001.txt", "002.txt"};
    for (size_t i = 0; i < G_N_ELEMENTS(files); i++) {
        char *path = g_build_filename(SG_TEST_DATA, "arc", "stalwart", files[i], NULL);
        char *d = NULL;
        gsize n = 0;
        assert_true(g_file_get_contents(path, &d, &n, NULL));
        char *sep = strstr(d, "\n\n");
        assert_non_null(sep);
        *sep = '\0';
        GHashTable *keys = tab_new();
        gchar **lines = g_strsplit(d, "\n", -1);
        for (gchar **l = lines; *l; l++) {
            char *sp = strchr(*l, ' ');
            if (sp) {
                *sp = '\0';
                g_hash_table_replace(keys, g_ascii_strdown(*l, -1), g_strdup(sp + 1));
            }
        }
        g_strfreev(lines);
        const char *msg = sep + 2;
        size_t mlen = n - (size_t)(msg - d);
        dkim_opts_t o = {tab_lookup, keys, 1674137914, 0, NULL};
        arc_result_t *r = arc_validate(msg, mlen, &o);
        if (r->cv != ARC_PASS)
            fail_msg("%s: %s (%s)", files[i], arc_cv_name(r->cv), r->reason);
        assert_true(r->instances >= 1);
        assert_int_equal(r->sets->len, r->instances);
        const arc_set_t *top = r->sets->pdata[r->sets->len - 1];
        assert_int_equal(top->as_result, DKIM_PASS);
        assert_int_equal(top->ams_result, DKIM_PASS);
        print_message("stalwart %s: pass, %u sets, newest sealed by %s, oldest-pass %u\n", files[i],
                      r->instances, top->as_domain, r->oldest_pass);
        arc_result_free(r);
        /* A changed body breaks the newest AMS. */
        GString *t = g_string_new_len(msg, (gssize)mlen);
        g_string_append(t, "appended\r\n");
        r = arc_validate(t->str, t->len, &o);
        assert_int_equal(r->cv, ARC_FAIL);
        arc_result_free(r);
        g_string_free(t, TRUE);
        g_hash_table_destroy(keys);
        g_free(d);
        g_free(path);
    }
}

static void test_aar_instance(void **state)
{
    slice_t rest;
    assert_int_equal(arc_aar_instance(SLICE_LIT(" i=1; example.org; spf=pass"), &rest), 1);
    assert_true(slice_eq_ci(slice_trim(rest), "example.org; spf=pass"));
    assert_int_equal(arc_aar_instance(SLICE_LIT("i = 50 ;x"), &rest), 50);
    assert_int_equal(arc_aar_instance(SLICE_LIT("i=51; x"), &rest), 0);
    assert_int_equal(arc_aar_instance(SLICE_LIT("i=0; x"), &rest), 0);
    assert_int_equal(arc_aar_instance(SLICE_LIT("i=1 x;"), &rest), 0);
    assert_int_equal(arc_aar_instance(SLICE_LIT("x; i=1;"), &rest), 0);
    assert_int_equal(arc_aar_instance(SLICE_LIT("i=;"), &rest), 0);
    assert_int_equal(arc_aar_instance(SLICE_LIT(""), &rest), 0);
}

static void test_hostile(void **state)
{
    GHashTable *keys = tab_new();
    dkim_opts_t o = {tab_lookup, keys, 0, 0, NULL};
    const char *inputs[] = {
        "",
        "From: a\n\nbody\n",
        "ARC-Seal: i=1\n\n",
        "ARC-Authentication-Results: i=1; x\nARC-Seal: i=1; a=rsa-sha256; d=x; s=y; cv=none; "
        "b=YQ==\nARC-Message-Signature: i=1; a=rsa-sha256; d=x; s=y; h=from; bh=YQ==; b=YQ==\n\n",
        "ARC-Authentication-Results: i=50; x\n\n",
        "ARC-Authentication-Results: i=1; x\nARC-Authentication-Results: i=1; x\n\n",
    };
    arc_cv_t want[] = {ARC_NONE, ARC_NONE, ARC_FAIL, ARC_FAIL, ARC_FAIL, ARC_FAIL};
    for (size_t i = 0; i < G_N_ELEMENTS(inputs); i++) {
        arc_result_t *r = arc_validate(inputs[i], strlen(inputs[i]), &o);
        assert_int_equal(r->cv, want[i]);
        assert_non_null(r->reason);
        arc_result_free(r);
    }
    g_hash_table_destroy(keys);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valimail_suite),
        cmocka_unit_test(test_stalwart_sealed),
        cmocka_unit_test(test_aar_instance),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
