/*
 * test_mail.c - the message layer on hand-written messages: charsets and
 * their mislabels, RFC 2047/2231, HTML links, attachments, anomalies and
 * limits, mbox/Maildir sources. Fixtures: tests/data/mail (see README).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "mail/charset.h"
#include "mail/message.h"
#include "mail/source.h"
#include "util/hash.h"

static mail_msg_t *parse_file(const char *name)
{
    char *path = g_build_filename(SG_TEST_DATA, "mail", name, NULL);
    gchar *data = NULL;
    gsize len = 0;
    assert_true(g_file_get_contents(path, &data, &len, NULL));
    mail_msg_t *m = mail_msg_parse(data, len);
    g_free(data);
    g_free(path);
    return m;
}

static const mail_link_t *find_link(const mail_msg_t *m, const char *href_part)
{
    for (guint i = 0; i < m->links->len; i++) {
        const mail_link_t *l = m->links->pdata[i];
        if (strstr(l->href, href_part))
            return l;
    }
    return NULL;
}

static void test_split_jis_subject(void **state)
{
    mail_msg_t *m = parse_file("split-jis-subject.eml");
    assert_non_null(m->subject);
    assert_string_equal(m->subject, "アカウント停止のお知らせ");
    mail_msg_free(m);
}

static void test_sjis_labelled_jis(void **state)
{
    mail_msg_t *m = parse_file("sjis-labelled-jis.eml");
    assert_non_null(strstr(m->text, "お客様のアカウントは停止されました"));
    assert_true(mail_msg_has_anomaly(m, MAIL_ANOM_CHARSET_MISMATCH));
    const mail_textpart_t *p = m->parts->pdata[0];
    assert_true(p->charset_detected);
    assert_string_equal(p->charset_declared, "ISO-2022-JP");
    mail_msg_free(m);
}

static void test_ja_in_gb2312(void **state)
{
    mail_msg_t *m = parse_file("ja-in-gb2312.eml");
    assert_non_null(strstr(m->text, "お客样のカ一ドはご利用を一时停止"));
    assert_true(mail_msg_has_anomaly(m, MAIL_ANOM_JA_IN_CHINESE));
    mail_msg_free(m);
}

static void test_nocharset_eucjp(void **state)
{
    mail_msg_t *m = parse_file("nocharset-eucjp.eml");
    assert_non_null(strstr(m->text, "三井住友カードをご利用いただき"));
    assert_true(mail_msg_has_anomaly(m, MAIL_ANOM_CHARSET_MISSING));
    const mail_textpart_t *p = m->parts->pdata[0];
    assert_true(p->charset_detected);
    assert_non_null(strstr(p->charset_used, "EUC-JP"));
    mail_msg_free(m);
}

static void test_jis_nec_extension(void **state)
{
    mail_msg_t *m = parse_file("jis-nec-ext.eml");
    assert_non_null(strstr(m->text, "手順①を実行してください"));
    assert_false(mail_msg_has_anomaly(m, MAIL_ANOM_CHARSET_MISMATCH));
    mail_msg_free(m);
}

static void test_html_links(void **state)
{
    mail_msg_t *m = parse_file("html-links.eml");
    const mail_link_t *a = find_link(m, "evil.example.net");
    assert_non_null(a);
    assert_int_equal(a->kind, MAIL_LINK_ANCHOR);
    assert_string_equal(a->text, "https://www.amazon.co.jp/");
    const mail_link_t *f = find_link(m, "collect.example.org");
    assert_non_null(f);
    assert_int_equal(f->kind, MAIL_LINK_FORM);
    assert_non_null(strstr(m->text, "Please"));
    assert_null(strstr(m->text, "hidden words"));
    assert_null(strstr(m->text, "var x"));
    mail_msg_free(m);
}

static void test_rfc2231_attachment(void **state)
{
    mail_msg_t *m = parse_file("rfc2231.eml");
    const mail_addr_t *from = m->from->pdata[0];
    assert_string_equal(from->display_name, "山田 太郎");
    assert_string_equal(from->address, "yamada@example.co.jp");
    assert_string_equal(m->subject, "資料");
    assert_int_equal(m->attachments->len, 1);
    const mail_attachment_t *a = m->attachments->pdata[0];
    assert_string_equal(a->filename, "請求書.exe");
    assert_string_equal(a->declared_type, "application/octet-stream");
    assert_int_equal(a->size, 68);
    unsigned char pe[68] = {'M', 'Z', 0x90, 0};
    memcpy(pe + 64, "PE\0\0", 4);
    char hex[65];
    hash_sha256_hex(pe, sizeof pe, hex);
    assert_string_equal(a->sha256, hex);
    assert_true(strlen(a->sniffed_type) > 0);
    mail_msg_free(m);
}

static void test_two_from(void **state)
{
    mail_msg_t *m = parse_file("two-from.eml");
    assert_int_equal(m->from->len, 3);
    assert_true(mail_msg_has_anomaly(m, MAIL_ANOM_MULTIPLE_FROM));
    assert_true(mail_msg_has_anomaly(m, MAIL_ANOM_NO_MESSAGE_ID));
    assert_true(mail_msg_has_anomaly(m, MAIL_ANOM_NO_DATE));
    assert_non_null(find_link(m, "198.51.100.7"));
    mail_msg_free(m);
}

static void test_garbage(void **state)
{
    mail_msg_t *m = parse_file("garbage.eml");
    assert_true(mail_msg_has_anomaly(m, MAIL_ANOM_NUL_BYTES));
    assert_true(mail_msg_has_anomaly(m, MAIL_ANOM_NO_FROM));
    mail_msg_free(m);
    /* empty input */
    m = mail_msg_parse("", 0);
    assert_true(mail_msg_has_anomaly(m, MAIL_ANOM_NO_FROM));
    mail_msg_free(m);
}

static mail_msg_t *parse_str(const char *s)
{
    return mail_msg_parse(s, strlen(s));
}

static bool has_anomaly_detail(const mail_msg_t *m, mail_anomaly_t kind, const char *part)
{
    for (guint i = 0; i < m->anomalies->len; i++) {
        const mail_anomaly_rec_t *r = m->anomalies->pdata[i];
        if (r->kind == kind && strstr(r->detail, part))
            return true;
    }
    return false;
}

/* The top header block in full, Content-* fields included; a message
 * whose only field is Content-Type still has headers. */
static void test_structure_fields(void **state)
{
    mail_msg_t *m = parse_str("Content-Type: text/html\n\n<a href=\"http://x.example/\">y</a>\n");
    assert_false(mail_msg_has_anomaly(m, MAIL_ANOM_NO_HEADERS));
    assert_non_null(mail_msg_header(m, "Content-Type"));
    assert_string_equal(m->text, "y");
    assert_non_null(find_link(m, "x.example"));
    mail_msg_free(m);

    m = parse_str("From: a@example.jp\nContent-Type: text/plain\nContent-Type: text/html\n"
                  "Subject: x\n\nbody\n");
    assert_int_equal(mail_msg_header_count(m, "content-type"), 2);
    assert_true(has_anomaly_detail(m, MAIL_ANOM_DUPLICATE_HEADER, "Content-Type"));
    mail_msg_free(m);

    /* long blocks take another path: same answers */
    for (int repeat = 0; repeat < 2; repeat++) {
        GString *s = g_string_new("From: a@example.jp\n");
        for (int i = 0; i < 100; i++)
            g_string_append_printf(s, "X-Trace: %d\nX-F%d: v\n", i, i); /* X-Trace may repeat */
        if (repeat)
            g_string_append(s, "Subject: one\nSubject: two\n");
        g_string_append(s, "Content-Type: multipart/mixed; boundary=b\n\n--b\n");
        for (int i = 0; i < 100; i++)
            g_string_append_printf(s, "X-P%d: v\n", i);
        if (repeat)
            g_string_append(s, "X-P7: again\n");
        g_string_append(s, "\npart\n--b--\n");
        m = mail_msg_parse(s->str, s->len);
        assert_false(has_anomaly_detail(m, MAIL_ANOM_DUPLICATE_HEADER, "X-Trace"));
        assert_int_equal(has_anomaly_detail(m, MAIL_ANOM_DUPLICATE_HEADER, "Subject"), repeat);
        assert_int_equal(has_anomaly_detail(m, MAIL_ANOM_DUPLICATE_HEADER, "X-P7"), repeat);
        mail_msg_free(m);
        g_string_free(s, TRUE);
    }
}

/* The line break before a delimiter belongs to the delimiter; parts keep
 * every other byte. */
static void test_structure_parts(void **state)
{
    mail_msg_t *m = parse_str("From: a@example.jp\nContent-Type: multipart/mixed; boundary=\"b\"\n\n"
                              "preamble\r\n--b\r\nContent-Type: text/plain\r\n\r\none\r\n\r\n--b\r\n"
                              "Content-Type: application/octet-stream\r\nContent-Disposition: "
                              "attachment; filename=x.bin\r\n\r\nAB\r\n--b--\r\nepilogue\r\n");
    assert_int_equal(m->parts->len, 1);
    assert_int_equal(((mail_textpart_t *)m->parts->pdata[0])->raw_size, strlen("one\r\n"));
    assert_int_equal(m->attachments->len, 1);
    const mail_attachment_t *a = m->attachments->pdata[0];
    assert_int_equal(a->size, 2);
    assert_string_equal(a->filename, "x.bin");
    assert_null(strstr(m->text, "preamble"));
    assert_null(strstr(m->text, "epilogue"));
    assert_false(mail_msg_has_anomaly(m, MAIL_ANOM_BAD_BOUNDARY));
    mail_msg_free(m);
}

/* Broken structure is a finding, and hides nothing: a multipart without
 * delimiters is read as text, an unclosed one at the end is truncated, a
 * part that starts with text keeps it. */
static void test_structure_broken(void **state)
{
    mail_msg_t *m = parse_str("From: a@example.jp\nContent-Type: multipart/mixed; boundary=zz\n\n"
                              "Your account is locked: http://lure.example/login\n");
    assert_true(has_anomaly_detail(m, MAIL_ANOM_BAD_BOUNDARY, "multipart without delimiter"));
    assert_non_null(strstr(m->text, "Your account is locked"));
    assert_non_null(find_link(m, "lure.example"));
    mail_msg_free(m);

    m = parse_str("From: a@example.jp\nContent-Type: multipart/mixed\n\nhidden text\n");
    assert_true(has_anomaly_detail(m, MAIL_ANOM_BAD_BOUNDARY, "multipart without boundary"));
    assert_non_null(strstr(m->text, "hidden text"));
    mail_msg_free(m);

    m = parse_str("From: a@example.jp\nContent-Type: multipart/mixed; boundary=q\n\n--q\n\nfirst\n"
                  "--q\nno header line here\nsecond\n");
    assert_true(has_anomaly_detail(m, MAIL_ANOM_BAD_BOUNDARY, "message truncated"));
    assert_true(has_anomaly_detail(m, MAIL_ANOM_BAD_BOUNDARY, "without a header block"));
    assert_non_null(strstr(m->text, "first"));
    assert_non_null(strstr(m->text, "no header line here"));
    mail_msg_free(m);

    /* an inner multipart ended by its parent's delimiter */
    m = parse_str("From: a@example.jp\nContent-Type: multipart/mixed; boundary=out\n\n--out\n"
                  "Content-Type: multipart/alternative; boundary=in\n\n--in\n\ninner\n--out\n\n"
                  "after\n--out--\n");
    assert_true(has_anomaly_detail(m, MAIL_ANOM_BAD_BOUNDARY, "not closed"));
    assert_false(has_anomaly_detail(m, MAIL_ANOM_BAD_BOUNDARY, "truncated"));
    assert_non_null(strstr(m->text, "inner"));
    assert_non_null(strstr(m->text, "after"));
    mail_msg_free(m);
}

/* A multipart inside a multipart on the same boundary: the inner one owns
 * the delimiters up to its close, and what follows in the outer one is
 * still found (a reused boundary must not hide an attachment). */
static void test_structure_same_boundary(void **state)
{
    mail_msg_t *m = parse_str(
        "From: a@example.jp\nContent-Type: multipart/mixed; boundary=\"s\"\n\n--s\n"
        "Content-Type: multipart/alternative; boundary=\"s\"\n\n--s\nContent-Type: text/plain\n\n"
        "plain alternative\n--s\nContent-Type: text/html\n\n<p>html alternative</p>\n--s--\n"
        "--s\nContent-Type: application/octet-stream\nContent-Disposition: attachment; "
        "filename=after.exe\n\nMZ\n--s--\n");
    assert_int_equal(m->attachments->len, 1);
    assert_string_equal(((mail_attachment_t *)m->attachments->pdata[0])->filename, "after.exe");
    assert_non_null(strstr(m->text, "html alternative"));
    assert_null(strstr(m->text, "plain alternative")); /* the alternative not shown */
    mail_msg_free(m);
}

/* An attached message is walked for its parts; its own fields may repeat
 * Received (it is a whole message) but not Subject. */
static void test_structure_attached_message(void **state)
{
#define ATTACHED(extra)                                                                            \
    "From: a@example.jp\nContent-Type: multipart/mixed; boundary=m\n\n--m\n"                     \
    "Content-Type: message/rfc822\n\nReceived: from a\nReceived: from b\n" extra                 \
    "From: c@example.net\n\nforwarded text\n--m--\n"
    mail_msg_t *m = parse_str(ATTACHED(""));
    assert_non_null(strstr(m->text, "forwarded text"));
    assert_false(mail_msg_has_anomaly(m, MAIL_ANOM_DUPLICATE_HEADER));
    mail_msg_free(m);
    m = parse_str(ATTACHED("Subject: one\nSubject: two\n"));
    assert_true(has_anomaly_detail(m, MAIL_ANOM_DUPLICATE_HEADER, "Subject"));
    mail_msg_free(m);
#undef ATTACHED
}

static void test_depth_bomb(void **state)
{
    GString *s = g_string_new("From: a@example.jp\nSubject: deep\n");
    for (int i = 0; i < 300; i++)
        g_string_append_printf(s, "Content-Type: multipart/mixed; boundary=\"b%d\"\n\n--b%d\n", i,
                               i);
    g_string_append(s, "Content-Type: text/plain\n\ninner\n");
    mail_msg_t *m = mail_msg_parse(s->str, s->len);
    assert_true(mail_msg_has_anomaly(m, MAIL_ANOM_MIME_DEPTH));
    mail_msg_free(m);
    g_string_free(s, TRUE);
}

static void test_header_and_text_limits(void **state)
{
    GString *s = g_string_new("From: a@example.jp\n");
    for (int i = 0; i < MAIL_MAX_HEADERS + 10; i++)
        g_string_append_printf(s, "X-H%d: v\n", i);
    g_string_append(s, "Content-Type: text/plain\n\n");
    for (int i = 0; i < MAIL_MAX_URLS + 20; i++)
        g_string_append_printf(s, "http://h%d.example.com/ ", i);
    while (s->len < MAIL_MAX_TEXT_BYTES + 100000)
        g_string_append(s, "filler text line\n");
    mail_msg_t *m = mail_msg_parse(s->str, s->len);
    assert_true(mail_msg_has_anomaly(m, MAIL_ANOM_HEADERS));
    assert_true(mail_msg_has_anomaly(m, MAIL_ANOM_TEXT_LIMIT));
    assert_true(mail_msg_has_anomaly(m, MAIL_ANOM_URL_LIMIT));
    assert_int_equal(m->headers->len, MAIL_MAX_HEADERS);
    assert_true(m->links->len <= MAIL_MAX_URLS);
    assert_true(strlen(m->text) <= MAIL_MAX_TEXT_BYTES);
    assert_true(g_utf8_validate(m->text, -1, NULL));
    mail_msg_free(m);
    g_string_free(s, TRUE);
}

static void test_charset_direct(void **state)
{
    charset_result_t r;
    /* CP932-only characters under a plain Shift_JIS label */
    const char sj[] = "\x87\x40\x81\x60"; /* ① and wave dash */
    charset_to_utf8(sj, 4, "Shift_JIS", &r);
    assert_string_equal(r.utf8, "①～");
    assert_int_equal(r.anomaly, -1);
    charset_result_clear(&r);
    /* unknown label */
    charset_to_utf8("abc", 3, "x-no-such-charset", &r);
    assert_int_equal(r.anomaly, MAIL_ANOM_CHARSET_UNKNOWN);
    assert_string_equal(r.utf8, "abc");
    charset_result_clear(&r);
    /* invalid UTF-8 under a UTF-8 label: repaired, flagged */
    charset_to_utf8("a\xff\xfe", 3, "utf-8", &r);
    assert_int_equal(r.anomaly, MAIL_ANOM_CHARSET_MISMATCH);
    assert_true(g_utf8_validate(r.utf8, -1, NULL));
    charset_result_clear(&r);
    /* a label that is only quotes and blanks names no charset (iconv would
     * take "" for the locale's); found by fuzzing, as a leak of the handle */
    for (int i = 0; i < 3; i++) {
        charset_to_utf8("caf\xe9", 4, "\" \"", &r);
        assert_int_equal(r.anomaly, MAIL_ANOM_CHARSET_UNKNOWN);
        assert_true(g_utf8_validate(r.utf8, -1, NULL));
        charset_result_clear(&r);
    }
}

/* The per-thread iconv handles: more charsets than the cache holds, and a
 * stateful decoder left mid-sequence by bad input must not leak or carry
 * state into the next text (LeakSanitizer checks the first). */
static void test_charset_handles(void **state)
{
    static const char *const labels[] = {"iso-8859-2", "iso-8859-5", "koi8-r", "windows-1251",
                                         "iso-8859-7", "windows-1253", "iso-8859-9",
                                         "windows-1254", "iso-8859-15", "cp850"};
    charset_result_t r;
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < G_N_ELEMENTS(labels); i++) {
            charset_to_utf8("\xe0\xe1", 2, labels[i], &r);
            assert_int_equal(r.anomaly, -1);
            assert_int_equal(g_utf8_strlen(r.utf8, -1), 2);
            charset_result_clear(&r);
        }
    }
    /* ISO-2022-JP: a Kanji shift with no way back, then a clean text */
    charset_to_utf8("\x1b$B0", 4, "iso-2022-jp", &r);
    charset_result_clear(&r);
    charset_to_utf8("\x1b$B$3$s\x1b(Babc", 13, "iso-2022-jp", &r);
    assert_string_equal(r.utf8, "こんabc");
    charset_result_clear(&r);
    charset_to_utf8("plain", 5, "iso-2022-jp", &r);
    assert_string_equal(r.utf8, "plain");
    charset_result_clear(&r);
}

typedef struct collected {
    GPtrArray *subjects;
    GPtrArray *texts;
    int errors;
} collected_t;

static int collect(const mail_item_t *it, void *ctx)
{
    collected_t *c = ctx;
    mail_msg_t *m = mail_msg_parse(it->data, it->len);
    g_ptr_array_add(c->subjects, g_strdup(m->subject ? m->subject : ""));
    g_ptr_array_add(c->texts, g_strdup(m->text));
    mail_msg_free(m);
    return 0;
}

static void count_err(const char *path, int errnum, void *ctx)
{
    ((collected_t *)ctx)->errors++;
}

static collected_t *scan_path(const char *path)
{
    collected_t *c = g_new0(collected_t, 1);
    c->subjects = g_ptr_array_new_with_free_func(g_free);
    c->texts = g_ptr_array_new_with_free_func(g_free);
    mail_source_opts_t o = {collect, count_err, c};
    mail_source_scan(path, &o);
    return c;
}

static void collected_free(collected_t *c)
{
    g_ptr_array_unref(c->subjects);
    g_ptr_array_unref(c->texts);
    g_free(c);
}

static void check_three(const char *name)
{
    char *path = g_build_filename(SG_TEST_DATA, "mail", name, NULL);
    collected_t *c = scan_path(path);
    assert_int_equal(c->errors, 0);
    assert_int_equal(c->subjects->len, 3);
    assert_string_equal(c->subjects->pdata[0], "one");
    assert_string_equal(c->subjects->pdata[1], "two");
    assert_string_equal(c->subjects->pdata[2], "three");
    assert_non_null(strstr(c->texts->pdata[0], "From the start")); /* >From unquoted */
    assert_null(strstr(c->texts->pdata[0], ">From"));
    assert_non_null(strstr(c->texts->pdata[1], "From here on")); /* not a separator */
    collected_free(c);
    g_free(path);
}

static void test_mbox(void **state)
{
    check_three("three.mbox");
    check_three("three-crlf.mbox");
}

static int stop_after_one(const mail_item_t *it, void *ctx)
{
    (*(int *)ctx)++;
    return 1; /* stop the scan */
}

/* Each thread reuses one line reader from file to file: a file that ends
 * inside a line longer than the reader's line limit, or a scan stopped
 * after its first message, must leave nothing behind for the next file. */
static void test_reader_reuse(void **state)
{
    char *dir = g_dir_make_tmp("sgreuse-XXXXXX", NULL);
    assert_non_null(dir);
    char *big = g_build_filename(dir, "long.eml", NULL);
    GString *g = g_string_new("Subject: long\n\n");
    for (int i = 0; i < 200000; i++)
        g_string_append_c(g, 'x');
    assert_true(g_file_set_contents(big, g->str, (gssize)g->len, NULL));
    for (int round = 0; round < 2; round++) {
        collected_t *c = scan_path(big);
        assert_int_equal(c->errors, 0);
        assert_int_equal(c->subjects->len, 1);
        assert_string_equal(c->subjects->pdata[0], "long");
        collected_free(c);
        check_three(round ? "three-crlf.mbox" : "three.mbox");
    }
    /* stopped after "one": the rest of the mbox stays unread */
    char *mbox = g_build_filename(SG_TEST_DATA, "mail", "three.mbox", NULL);
    int seen = 0;
    mail_source_opts_t o = {stop_after_one, NULL, &seen};
    mail_source_scan(mbox, &o);
    assert_int_equal(seen, 1);
    collected_t *c = scan_path(big);
    assert_int_equal(c->subjects->len, 1);
    assert_string_equal(c->subjects->pdata[0], "long");
    collected_free(c);
    g_free(mbox);
    g_unlink(big);
    g_rmdir(dir);
    g_string_free(g, TRUE);
    g_free(big);
    g_free(dir);
}

static void write_msg(const char *dir, const char *sub, const char *name, const char *subject)
{
    char *d = g_build_filename(dir, sub, NULL);
    g_mkdir_with_parents(d, 0700);
    char *p = g_build_filename(d, name, NULL);
    char *body = g_strdup_printf("From: a@example.jp\nSubject: %s\n\nbody\n", subject);
    g_file_set_contents(p, body, -1, NULL);
    g_free(body);
    g_free(p);
    g_free(d);
}

static void test_maildir_and_errors(void **state)
{
    char *dir = g_dir_make_tmp("sgmaildirXXXXXX", NULL);
    write_msg(dir, "cur", "1.host:2,S", "in cur");
    write_msg(dir, "new", "2.host", "in new");
    write_msg(dir, "tmp", "3.host", "in tmp");
    collected_t *c = scan_path(dir);
    assert_int_equal(c->subjects->len, 2); /* tmp/ skipped */
    assert_int_equal(c->errors, 0);
    collected_free(c);
    char *cmd = g_strdup_printf("rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    g_free(cmd);
    g_free(dir);
    c = scan_path("/nonexistent/sesguard-test");
    assert_int_equal(c->errors, 1);
    assert_int_equal(c->subjects->len, 0);
    collected_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_split_jis_subject),
        cmocka_unit_test(test_sjis_labelled_jis),
        cmocka_unit_test(test_ja_in_gb2312),
        cmocka_unit_test(test_nocharset_eucjp),
        cmocka_unit_test(test_jis_nec_extension),
        cmocka_unit_test(test_html_links),
        cmocka_unit_test(test_rfc2231_attachment),
        cmocka_unit_test(test_two_from),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_structure_fields),
        cmocka_unit_test(test_structure_parts),
        cmocka_unit_test(test_structure_broken),
        cmocka_unit_test(test_structure_same_boundary),
        cmocka_unit_test(test_structure_attached_message),
        cmocka_unit_test(test_depth_bomb),
        cmocka_unit_test(test_header_and_text_limits),
        cmocka_unit_test(test_charset_direct),
        cmocka_unit_test(test_charset_handles),
        cmocka_unit_test(test_mbox),
        cmocka_unit_test(test_reader_reuse),
        cmocka_unit_test(test_maildir_and_errors),
    };
    mail_init();
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    mail_shutdown();
    return rc;
}
