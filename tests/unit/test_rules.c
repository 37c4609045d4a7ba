/*
 * test_rules.c - every mail rule fires on a hand-written positive and
 * stays silent on a hand-written negative. Messages are built here from
 * parts (no real mail); domains are reserved or invented examples, the
 * brands come from data/brands.conf.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "rules/engine.h"
#include "rules/scan.h"
#include "util/i18n.h"

static engine_t *engine;

static char *b64(const void *p, size_t n)
{
    return g_base64_encode(p, n);
}

/* A message from parts; headers is extra header lines ("" for none). */
static char *msg(const char *from, const char *subject, const char *headers, const char *ctype,
                 const char *body)
{
    return g_strdup_printf("From: %s\nTo: user@example.jp\nSubject: %s\n"
                           "Date: Mon, 23 Nov 2026 10:00:00 +0900\nMessage-ID: <t@example.net>\n"
                           "MIME-Version: 1.0\n%sContent-Type: %s\n\n%s\n",
                           from, subject, headers, ctype, body);
}

static char *with_attachment(const char *from, const char *name, const char *type,
                             const void *bytes, size_t n)
{
    char *data = b64(bytes, n);
    char *m = g_strdup_printf(
        "From: %s\nTo: user@example.jp\nSubject: documents\nDate: Mon, 23 Nov 2026 10:00:00 +0900\n"
        "Message-ID: <a@example.net>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; "
        "boundary=zz\n\n"
        "--zz\nContent-Type: text/plain; charset=utf-8\n\nsee attached\n--zz\nContent-Type: %s\n"
        "Content-Disposition: attachment; filename=\"%s\"\nContent-Transfer-Encoding: "
        "base64\n\n%s\n"
        "--zz--\n",
        from, type, name, data);
    g_free(data);
    return m;
}

static scan_t *run(const char *raw)
{
    mail_item_t it = {.path = "test", .index = -1, .data = raw, .len = strlen(raw)};
    return scan_message(engine, &it);
}

/* Scan raw for its effect on the run state only; frees raw. */
static void feed(char *raw)
{
    scan_free(run(raw));
    g_free(raw);
}

/* Assert that raw does (want) or does not emit symbol. Frees raw. */
static void expect(char *raw, const char *symbol, bool want)
{
    scan_t *s = run(raw);
    bool has = scan_has_symbol(s, symbol);
    if (has != want) {
        fprintf(stderr, "%s: want %s, got symbols:", symbol, want ? "present" : "absent");
        for (guint i = 0; i < s->symbols->len; i++)
            fprintf(stderr, " %s", ((symbol_t *)s->symbols->pdata[i])->name);
        fprintf(stderr, "\n--- message ---\n%.600s\n", raw);
    }
    assert_int_equal(has, want);
    scan_free(s);
    g_free(raw);
}

#define PLAIN "text/plain; charset=utf-8"
#define HTML  "text/html; charset=utf-8"

static void test_brand(void **state)
{
    expect(msg("\"Amazon.co.jp\" <info@parts-shop.example>", "notice", "", PLAIN, "hello"),
           "BRAND_DISPLAY_NAME", true);
    expect(msg("\"Amazon.co.jp\" <store-news@amazon.co.jp>", "notice",
               "DKIM-Signature: v=1; a=rsa-sha256; d=amazon.co.jp; s=s1; h=from; bh=x; b=y\n",
               PLAIN, "hello"),
           "BRAND_DISPLAY_NAME", false);
    expect(msg("a@shop.example", "Your Apple ID has been locked", "", PLAIN, "hello"),
           "BRAND_SUBJECT", true);
    expect(msg("a@shop.example", "Apples and pears", "", PLAIN, "hello"), "BRAND_SUBJECT", false);
    expect(msg("a@shop.example", "notice", "", PLAIN,
               "PayPal: please verify your account or it will be suspended."),
           "BRAND_BODY", true);
    expect(msg("a@shop.example", "news", "", PLAIN, "Follow us on Facebook and Instagram."),
           "BRAND_BODY", false);
    expect(msg("\"M\xcc\xb6icrosoft\" <a@shop.example>", "x", "", PLAIN, "x"), "NAME_DISGUISED",
           true);
    expect(msg("\"Tanaka Taro\" <a@shop.example>", "x", "", PLAIN, "x"), "NAME_DISGUISED", false);
    expect(msg("a@shop.example",
               "\xf0\x9d\x97\xac\xf0\x9d\x97\xbc\xf0\x9d\x98\x82\xf0\x9d\x97\xbf account", "",
               PLAIN, "x"),
           "SUBJECT_DISGUISED", true);
    expect(msg("a@shop.example", "Your account", "", PLAIN, "x"), "SUBJECT_DISGUISED", false);
    expect(msg("\"security@paypal.com\" <x@evil.example>", "x", "", PLAIN, "x"),
           "NAME_HOLDS_ADDRESS", true);
    expect(msg("\"taro@example.jp\" <taro@example.jp>", "x", "", PLAIN, "x"), "NAME_HOLDS_ADDRESS",
           false);
    expect(msg("info@amazon.co.jp", "order", "", PLAIN, "x"), "BRAND_UNSIGNED", true);
    expect(msg("info@amazon.co.jp", "order",
               "DKIM-Signature: v=1; a=rsa-sha256; d=amazon.co.jp; s=s1; h=from; bh=x; b=y\n",
               PLAIN, "x"),
           "BRAND_UNSIGNED", false);
    expect(msg("\"Mail Administrator\" <a@evil.example>", "quota", "", PLAIN, "x"),
           "MAIL_ADMIN_IMPERSONATION", true);
    expect(msg("\"Mail Administrator\" <admin@example.jp>", "quota", "", PLAIN, "x"),
           "MAIL_ADMIN_IMPERSONATION", false);
    expect(msg("\"PayPal Service\" <pp.service@gmail.com>", "x", "", PLAIN, "x"),
           "FROM_FREEMAIL_BRAND", true);
    expect(msg("\"Taro\" <taro@gmail.com>", "x", "", PLAIN, "x"), "FROM_FREEMAIL_BRAND", false);
}

static void test_domains(void **state)
{
    expect(msg("service@paypa1.com", "x", "", PLAIN, "x"), "LOOKALIKE_DOMAIN", true);
    expect(msg("service@paypal.com", "x", "", PLAIN, "x"), "LOOKALIKE_DOMAIN", false);
    expect(msg("it@examp1e.jp", "x", "", PLAIN, "x"), "LOOKALIKE_OWN_DOMAIN", true);
    expect(msg("it@example.jp", "x", "", PLAIN, "x"), "LOOKALIKE_OWN_DOMAIN", false);
    expect(msg("a@shop.example", "x", "", PLAIN, "go to https://amazon-co-jp.verify-account.top/x"),
           "BRAND_IN_DOMAIN", true);
    expect(msg("a@shop.example", "x", "", PLAIN, "go to https://www.amazon.co.jp/x"),
           "BRAND_IN_DOMAIN", false);
    expect(msg("\"Robinhood\" <s@rob\xc3\xadnhood.com>", "x", "", PLAIN, "x"), "IDN_DECEPTIVE",
           true);
    expect(msg("\"Hans\" <h@m\xc3\xbcller.example>", "x", "", PLAIN, "x"), "IDN_DECEPTIVE", false);
}

#define ACCOUNT_A "c2VzZ3VhcmQtZGVtby1hY2NvdW50LWhhc2gtMDAwMDE="
#define ACCOUNT_B "c2VzZ3VhcmQtZGVtby1hY2NvdW50LWhhc2gtMDAwMDI="
#define ACCOUNT_C "c2VzZ3VhcmQtZGVtby1hY2NvdW50LWhhc2gtMDAwMDM="
#define ACCOUNT_D "c2VzZ3VhcmQtZGVtby1hY2NvdW50LWhhc2gtMDAwMDQ="

static char *ses_acct(const char *account, const char *from, const char *date, const char *mid)
{
    return g_strdup_printf(
        "Received: from a1-2.smtp-out.us-west-2.amazonses.com "
        "(a1-2.smtp-out.us-west-2.amazonses.com "
        "[54.240.1.2]) by mx.other.example with ESMTPS id A\n"
        "Feedback-ID: 1.us-west-2.%s:AmazonSES\n"
        "DKIM-Signature: v=1; a=rsa-sha256; d=amazonses.com; s=x; h=from; bh=x; b=y\n"
        "From: %s\nTo: user@example.jp\nSubject: notice\nDate: %s\nMessage-ID: "
        "<%s@us-west-2.amazonses.com>\n"
        "Content-Type: text/plain\n\nhello\n",
        account, from, date, mid);
}

static char *ses_msg(const char *from, const char *date, const char *mid)
{
    return ses_acct(ACCOUNT_A, from, date, mid);
}

/* 2026-11-23T01:00:00Z in ms, hex, with the us-west-2 region code */
#define SES_MID  "010101a205eabe80-11111111-2222-3333-4444-555555555555-000000"
#define SES_DATE "Mon, 23 Nov 2026 01:00:00 +0000"

static void test_platform(void **state)
{
    expect(ses_msg("\"Coinbase\" <w@staffing.example>", SES_DATE, SES_MID),
           "PLATFORM_IMPERSONATION", true);
    expect(ses_msg("\"Staffing news\" <w@staffing.example>", SES_DATE, SES_MID),
           "PLATFORM_IMPERSONATION", false);
    expect(ses_msg("\"Staffing news\" <w@staffing.example>", "Mon, 23 Nov 2026 04:00:00 +0000",
                   SES_MID),
           "PLATFORM_INCONSISTENT", true);
    expect(ses_msg("\"Staffing news\" <w@staffing.example>", SES_DATE, SES_MID),
           "PLATFORM_INCONSISTENT", false);
    expect(msg("a@shop.example", "x", "", PLAIN, "x"), "PLATFORM_FORGED_ID", false);
    char *forged = g_strdup_printf("From: a@shop.example\nTo: user@example.jp\nSubject: x\n"
                                   "Date: %s\nMessage-ID: <%s@email.amazonses.com>\n\nx\n",
                                   SES_DATE, SES_MID);
    expect(forged, "PLATFORM_FORGED_ID", true);
    /* the same account for three unrelated domains; same-domain mail does not count */
    expect(ses_acct(ACCOUNT_B, "a@one.example", SES_DATE, SES_MID), "PLATFORM_ACCOUNT_MANY_DOMAINS",
           false);
    expect(ses_acct(ACCOUNT_B, "b@one.example", SES_DATE, SES_MID), "PLATFORM_ACCOUNT_MANY_DOMAINS",
           false);
    expect(ses_acct(ACCOUNT_B, "a@two.example", SES_DATE, SES_MID), "PLATFORM_ACCOUNT_MANY_DOMAINS",
           false);
    expect(ses_acct(ACCOUNT_B, "a@three.example", SES_DATE, SES_MID),
           "PLATFORM_ACCOUNT_MANY_DOMAINS", true);
}

/* The run-level list: accounts past the threshold, most domains first,
 * domains sorted and counted once, whatever the order of the messages. */
static void test_account_list(void **state)
{
    const char *c_from[] = {"x@delta.example", "x@alpha.example", "y@alpha.example",
                            "x@gamma.example", "x@beta.example"};
    for (size_t i = 0; i < G_N_ELEMENTS(c_from); i++)
        feed(ses_acct(ACCOUNT_C, c_from[i], SES_DATE, SES_MID));
    feed(ses_acct(ACCOUNT_D, "x@one-shop.example", SES_DATE, SES_MID));
    feed(ses_acct(ACCOUNT_D, "x@two-shop.example", SES_DATE, SES_MID));
    GPtrArray *many = engine_accounts(engine, ENGINE_ACCOUNT_MANY);
    const engine_account_t *c = NULL;
    for (guint i = 0; i < many->len; i++) {
        const engine_account_t *a = many->pdata[i];
        assert_true(a->n >= ENGINE_ACCOUNT_MANY);
        assert_string_not_equal(a->account, ACCOUNT_D); /* two domains only */
        if (i > 0)
            assert_true(((engine_account_t *)many->pdata[i - 1])->n >= a->n);
        if (strcmp(a->account, ACCOUNT_C) == 0)
            c = a;
    }
    assert_non_null(c);
    assert_string_equal(c->label, "Amazon SES");
    assert_int_equal(c->n, 4);
    const char *want[] = {"alpha.example", "beta.example", "delta.example", "gamma.example", NULL};
    for (int i = 0; want[i]; i++)
        assert_string_equal(c->domains[i], want[i]);
    assert_null(c->domains[4]);
    g_ptr_array_unref(many);
    /* with a lower bar, D is there too */
    GPtrArray *all = engine_accounts(engine, 2);
    bool has_d = false;
    for (guint i = 0; i < all->len; i++)
        has_d |= strcmp(((engine_account_t *)all->pdata[i])->account, ACCOUNT_D) == 0;
    assert_true(has_d);
    g_ptr_array_unref(all);
}

#define MX_RCVD                                                                                    \
    "Received: from out.sender.example (out.sender.example [203.0.113.9]) by mx.example.jp "       \
    "(Postfix) with ESMTPS id B\n"
#define AR_PASS "Authentication-Results: mx.example.jp; dmarc=pass header.from=staffing.example\n"

static void test_auth(void **state)
{
    /* verified: the boundary gives the client, the zone file the DNS, and
     * SPF passes for the Return-Path domain, aligned for DMARC */
    char *m = g_strdup_printf("Return-Path: <w@staffing.example>\n%sFrom: \"Ledger\" "
                              "<w@staffing.example>\nSubject: x\n\nx\n",
                              MX_RCVD);
    expect(m, "AUTH_PASS_NOT_TRUST", true);
    m = g_strdup_printf(
        "Return-Path: <w@staffing.example>\n%sFrom: \"Ledger\" "
        "<w@staffing.example>\nSubject: x\n\nx\n",
        "Received: from evil.example (evil.example [198.51.100.66]) by mx.example.jp "
        "(Postfix) with ESMTPS id C\n");
    expect(m, "SPF_FAIL", true);
    m = g_strdup_printf("Return-Path: <w@staffing.example>\n%sFrom: w@staffing.example\nSubject: "
                        "x\n\nx\n",
                        MX_RCVD);
    expect(m, "SPF_FAIL", false);
    /* believed from the trusted header when verification is off */
    engine->verify = false;
    m = g_strdup_printf("%s%sFrom: \"Ledger\" <w@staffing.example>\nSubject: x\n\nx\n", MX_RCVD,
                        AR_PASS);
    expect(m, "AUTH_PASS_NOT_TRUST", true);
    m = g_strdup_printf("%s%sFrom: \"Staffing\" <w@staffing.example>\nSubject: x\n\nx\n", MX_RCVD,
                        AR_PASS);
    expect(m, "AUTH_PASS_NOT_TRUST", false);
    m = g_strdup_printf("%sFrom: w@staffing.example\nSubject: x\n%s\nx\n", MX_RCVD, AR_PASS);
    expect(m, "FORGED_AUTH_RESULTS", true);
    m = g_strdup_printf("%s%sFrom: w@staffing.example\nSubject: x\n\nx\n", MX_RCVD, AR_PASS);
    expect(m, "FORGED_AUTH_RESULTS", false);
    engine->verify = true;
}

static void test_links(void **state)
{
    expect(msg("a@shop.example", "x", "", HTML,
               "<a href=\"https://evil.example/x\">https://www.paypal.com/</a>"),
           "LINK_TEXT_MISMATCH", true);
    expect(msg("a@shop.example", "x", "", HTML,
               "<a href=\"https://www.shop.example/x\">https://shop.example/</a>"),
           "LINK_TEXT_MISMATCH", false);
    expect(msg("a@shop.example", "x", "", PLAIN, "http://192.0.2.7/login"), "LINK_IP_HOST", true);
    expect(msg("a@shop.example", "x", "", PLAIN, "https://example.org/"), "LINK_IP_HOST", false);
    expect(msg("a@shop.example", "x", "", PLAIN, "https://bit.ly/abc"), "LINK_SHORTENER", true);
    expect(msg("a@shop.example", "x", "", PLAIN, "https://example.org/a"), "LINK_SHORTENER", false);
    expect(msg("a@shop.example", "x", "", PLAIN, "https://login-check.web.app/"),
           "LINK_FREE_HOSTING", true);
    expect(msg("a@shop.example", "x", "", PLAIN, "https://example.org/"), "LINK_FREE_HOSTING",
           false);
    expect(msg("a@shop.example", "x", "", PLAIN, "https://other.example/signin"), "LINK_LURE_PATH",
           true);
    expect(msg("a@shop.example", "x", "", PLAIN, "https://other.example/news"), "LINK_LURE_PATH",
           false);
    expect(msg("a@shop.example", "x", "", PLAIN, "https://other.example/#dXNlckBleGFtcGxlLmpw"),
           "LINK_RECIPIENT_IN_URL", true);
    expect(msg("a@shop.example", "x", "", PLAIN,
               "https://other.example/unsubscribe?e=user@example.jp"),
           "LINK_RECIPIENT_IN_URL", false);
    expect(msg("a@shop.example", "x", "", HTML,
               "<a href=\"data:text/html;base64,PGgxPmhpPC9oMT4=\">open</a>"),
           "LINK_DATA_URI", true);
    expect(msg("a@shop.example", "x", "", HTML, "<a href=\"https://example.org/\">open</a>"),
           "LINK_DATA_URI", false);
    expect(msg("a@shop.example", "x", "", PLAIN, "https://paypal.com@evil.example/x"),
           "LINK_USERINFO", true);
    expect(msg("a@shop.example", "x", "", PLAIN, "https://evil.example/x"), "LINK_USERINFO", false);
    expect(msg("a@shop.example", "x", "", HTML,
               "<form action=\"https://collect.example/p\"><input type=password name=p></form>"),
           "HTML_FORM", true);
    expect(msg("a@shop.example", "x", "", HTML,
               "<form action=\"https://www.shop.example/search\"><input name=q></form>"),
           "HTML_FORM", false);
}

static void test_text(void **state)
{
    expect(msg("a@shop.example", "x", "", PLAIN, "Reply within 24 hours."), "LURE_URGENCY", true);
    expect(msg("a@shop.example", "x", "", PLAIN, "See you tomorrow."), "LURE_URGENCY", false);
    expect(msg("a@shop.example", "x", "", PLAIN, "Enter your password at https://x.example/"),
           "LURE_CREDENTIALS", true);
    expect(msg("a@shop.example", "x", "", PLAIN, "Choose a strong password."), "LURE_CREDENTIALS",
           false);
    expect(msg("a@shop.example", "x", "", PLAIN, "Your account has been suspended."), "LURE_THREAT",
           true);
    expect(msg("a@shop.example", "x", "", PLAIN, "Traffic was blocked on the bridge."),
           "LURE_THREAT", false);
    expect(msg("a@shop.example", "x", "", PLAIN, "Congratulations, you have won!"), "LURE_REWARD",
           true);
    expect(msg("a@shop.example", "x", "", PLAIN, "We won the match."), "LURE_REWARD", false);
    expect(msg("\"Jane Doe\" <ceo.jane.doe@gmail.com>", "Urgent: need W2s", "", PLAIN,
               "Send me the W2s of all staff today."),
           "BEC_REQUEST", true);
    expect(msg("\"Jane Doe\" <jane@shop.example>", "Urgent: need W2s", "", PLAIN,
               "Send me the W2s of all staff today."),
           "BEC_REQUEST", false);
    expect(msg("a@shop.example", "x", "", PLAIN,
               "Urgent: confirm your password at https://x.example/ within 24 hours."),
           "LURE_COMBINATION", true);
    expect(msg("a@shop.example", "x", "", PLAIN, "Urgent: the meeting moved."), "LURE_COMBINATION",
           false);
    expect(msg("a@shop.example", "x", "", PLAIN,
               "お客样のカードは一时停止されました。ご确认ください。"),
           "JA_SIMPLIFIED_CHINESE", true);
    expect(msg("a@shop.example", "x", "", PLAIN, "お客様のカードのご利用ありがとうございます。"),
           "JA_SIMPLIFIED_CHINESE", false);
    expect(msg("a@shop.example", "x", "", PLAIN, "24じかん時間いない以内にごかくにん確認ください"),
           "JA_SPLICED_READING", true);
    expect(msg("a@shop.example", "x", "", PLAIN, "24時間以内にご確認ください"),
           "JA_SPLICED_READING", false);
    expect(msg("a@shop.example", "x", "", PLAIN,
               "ア\xe2\x80\x8bカ\xe2\x80\x8bウ\xe2\x80\x8bン\xe2\x80\x8bト"),
           "TEXT_INVISIBLE", true);
    expect(msg("a@shop.example", "x", "", PLAIN,
               "family \xf0\x9f\x91\xa8\xe2\x80\x8d\xf0\x9f\x91\xa9"),
           "TEXT_INVISIBLE", false);
    gchar *gb = NULL;
    gsize n = 0;
    char *path = g_build_filename(SG_TEST_DATA, "mail", "ja-in-gb2312.eml", NULL);
    assert_true(g_file_get_contents(path, &gb, &n, NULL));
    g_free(path);
    expect(gb, "JA_CHINESE_CHARSET", true);
    expect(msg("a@shop.example", "x", "", PLAIN, "お客様"), "JA_CHINESE_CHARSET", false);
}

static void test_headers(void **state)
{
    expect(msg("a@shop.example", "x", "Reply-To: shop.refunds@gmail.com\n", PLAIN, "x"),
           "REPLYTO_FREEMAIL", true);
    expect(msg("a@shop.example", "x", "Reply-To: b@shop.example\n", PLAIN, "x"), "REPLYTO_FREEMAIL",
           false);
    expect(msg("a@shop.example", "x", "Reply-To: b@other.example\n", PLAIN, "x"),
           "REPLYTO_OTHER_DOMAIN", true);
    expect(msg("a@shop.example", "x", "Reply-To: b@other.example\nList-Id: <l.other.example>\n",
               PLAIN, "x"),
           "REPLYTO_OTHER_DOMAIN", false);
    expect(msg("a@shop.example, b@other.example", "x", "", PLAIN, "x"), "MULTIPLE_FROM", true);
    expect(msg("a@shop.example", "x", "", PLAIN, "x"), "MULTIPLE_FROM", false);
    expect(
        g_strdup("From: a@shop.example\nDate: Mon, 23 Nov 2026 10:00:00 +0900\nSubject: x\n\nx\n"),
        "MISSING_MESSAGE_ID", true);
    expect(msg("a@shop.example", "x", "", PLAIN, "x"), "MISSING_MESSAGE_ID", false);
    expect(g_strdup("From: a@shop.example\nMessage-ID: <1@x.example>\nSubject: x\n\nx\n"),
           "MISSING_DATE", true);
    expect(msg("a@shop.example", "x", "", PLAIN, "x"), "MISSING_DATE", false);
    expect(msg("a@shop.example", "x", "", "multipart/mixed", "no boundary here"),
           "MALFORMED_MESSAGE", true);
    expect(msg("a@shop.example", "x", "", PLAIN, "x"), "MALFORMED_MESSAGE", false);
    /* A delivery report is let off the header rules only when it comes
     * from the null reverse-path: the Content-Type alone is the sender's
     * word, and a lure could claim it. */
    const char *report = "From: \"Mail Administrator\" <a@evil.example>\nTo: user@example.jp\n"
                         "Subject: quota\nContent-Type: multipart/report; "
                         "report-type=delivery-status; boundary=r\n\n--r\n\nquota exceeded\n--r--\n";
    expect(g_strdup(report), "MAIL_ADMIN_IMPERSONATION", true);
    expect(g_strdup(report), "MISSING_MESSAGE_ID", true);
    expect(g_strconcat("Return-Path: <>\n", report, NULL), "MISSING_MESSAGE_ID", false);
    expect(g_strconcat("Return-Path: <>\n", report, NULL), "MAIL_ADMIN_IMPERSONATION", false);
}

/* A one-member zip written by hand: local header, the 12-byte
 * traditional-encryption header when encrypted, stored data. */
static GByteArray *zip(const char *name, bool encrypted)
{
    GByteArray *z = g_byte_array_new();
    const char *data = "hello world\n";
    guint16 nlen = (guint16)strlen(name);
    guint32 dlen = (guint32)strlen(data), clen = dlen + (encrypted ? 12 : 0);
    guint8 h[30] = {'P', 'K', 3, 4, 20, 0, encrypted ? 1 : 0, 0, 0, 0};
    h[18] = clen & 0xff;
    h[19] = (clen >> 8) & 0xff;
    h[22] = dlen & 0xff;
    h[23] = (dlen >> 8) & 0xff;
    h[26] = nlen & 0xff;
    h[27] = (nlen >> 8) & 0xff;
    g_byte_array_append(z, h, sizeof h);
    g_byte_array_append(z, (const guint8 *)name, nlen);
    if (encrypted) {
        guint8 eh[12] = {0};
        g_byte_array_append(z, eh, 12);
    }
    g_byte_array_append(z, (const guint8 *)data, dlen);
    return z;
}

/* The smallest header libmagic calls a PE executable: MZ, e_lfanew at
 * 0x3c pointing to "PE\0\0" and a COFF header for i386. */
static void make_pe(unsigned char pe[256])
{
    memset(pe, 0, 256);
    pe[0] = 'M';
    pe[1] = 'Z';
    pe[0x3c] = 0x80;
    memcpy(pe + 0x80, "PE\0\0\x4c\x01\x01\x00", 8);
    pe[0x94] = 0xe0; /* size of optional header */
    pe[0x96] = 0x02; /* characteristics: executable */
    pe[0x98] = 0x0b; /* optional header magic 0x10b: PE32 */
    pe[0x99] = 0x01;
}

static void test_attachments(void **state)
{
    unsigned char mz[256];
    make_pe(mz);
    static const char pdf[] = "%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n";
    expect(
        with_attachment("a@shop.example", "invoice.exe", "application/octet-stream", mz, sizeof mz),
        "ATTACH_EXECUTABLE", true);
    expect(with_attachment("a@shop.example", "report.pdf", "application/pdf", pdf, strlen(pdf)),
           "ATTACH_EXECUTABLE", false);
    expect(with_attachment("a@shop.example", "invoice.pdf.exe", "application/octet-stream", mz,
                           sizeof mz),
           "ATTACH_DOUBLE_EXTENSION", true);
    expect(with_attachment("a@shop.example", "backup.tar.gz", "application/gzip", "x", 1),
           "ATTACH_DOUBLE_EXTENSION", false);
    expect(with_attachment("a@shop.example", "scan", "application/pdf", mz, sizeof mz),
           "ATTACH_TYPE_MISMATCH", true);
    expect(with_attachment("a@shop.example", "scan", "application/pdf", pdf, strlen(pdf)),
           "ATTACH_TYPE_MISMATCH", false);
    static const char page[] = "<html><form action=x><input type=password></form></html>";
    expect(with_attachment("a@shop.example", "statement.html", "text/html", page, strlen(page)),
           "ATTACH_HTML", true);
    expect(with_attachment("a@shop.example", "notes.txt", "text/plain", "x", 1), "ATTACH_HTML",
           false);
    GByteArray *enc = zip("invoice.txt", true), *plain = zip("invoice.txt", false);
    expect(with_attachment("a@shop.example", "docs.zip", "application/zip", enc->data, enc->len),
           "ATTACH_ENCRYPTED_ARCHIVE", true);
    expect(
        with_attachment("a@shop.example", "docs.zip", "application/zip", plain->data, plain->len),
        "ATTACH_ENCRYPTED_ARCHIVE", false);
    GByteArray *inner = zip("setup.exe", false);
    expect(
        with_attachment("a@shop.example", "docs.zip", "application/zip", inner->data, inner->len),
        "ATTACH_EXECUTABLE", true);
    g_byte_array_unref(enc);
    g_byte_array_unref(plain);
    g_byte_array_unref(inner);
    expect(with_attachment("a@shop.example", "report.docm", "application/octet-stream", "x", 1),
           "ATTACH_MACRO", true);
    expect(with_attachment("a@shop.example", "report.docx", "application/octet-stream", "x", 1),
           "ATTACH_MACRO", false);
}

static void test_verdict_and_explanations(void **state)
{
    /* every emitted symbol has an explanation in both languages */
    char *m =
        msg("\"Amazon.co.jp\" <info@parts-shop.example>", "【重要】Amazonアカウント", "", HTML,
            "<p>24時間以内にパスワードを確認してください</p><a "
            "href=\"https://amazon-co-jp.verify.top/signin\">"
            "https://www.amazon.co.jp/</a>");
    scan_t *s = run(m);
    assert_int_equal(s->verdict, VERDICT_PHISHING);
    assert_true(scan_action(s) >= ACTION_QUARANTINE);
    for (guint i = 0; i < s->symbols->len; i++) {
        const symbol_t *sy = s->symbols->pdata[i];
        assert_true(strlen(sy->def->en) > 10);
        assert_true(strlen(sy->def->ja) > 10);
        if (i > 0)
            assert_true(((symbol_t *)s->symbols->pdata[i - 1])->weight >= sy->weight);
    }
    i18n_init("ja");
    char *ex = scan_explain(s->symbols->pdata[0]);
    assert_non_null(strstr(ex, "Amazon"));
    assert_non_null(strstr(ex, "名乗って"));
    g_free(ex);
    i18n_init("en");
    scan_free(s);
    g_free(m);
    m = msg("\"Tanaka\" <tanaka@example.jp>", "meeting", "", PLAIN, "See you at 10.");
    s = run(m);
    assert_int_equal(s->verdict, VERDICT_CLEAN);
    assert_int_equal(scan_action(s), ACTION_ACCEPT);
    assert_int_equal(s->symbols->len, 0);
    scan_free(s);
    g_free(m);
}

static const char zone[] = "staffing.example. TXT \"v=spf1 ip4:203.0.113.9 -all\"\n"
                           "_dmarc.staffing.example. TXT \"v=DMARC1; p=none\"\n";

int main(void)
{
    char *zpath = NULL;
    int fd = g_file_open_tmp("sgrulesXXXXXX.zone", &zpath, NULL);
    if (fd < 0 || !g_file_set_contents(zpath, zone, -1, NULL))
        return 1;
    close(fd);
    conf_t *c = conf_new();
    conf_add(c, "dns_zone", zpath);
    conf_add(c, "own_domains", "example.jp");
    conf_add(c, "trusted_hosts", "mx.example.jp");
    char *err = NULL;
    i18n_init("en");
    engine = engine_new(c, &err);
    if (engine == NULL) {
        fprintf(stderr, "engine: %s\n", err);
        return 1;
    }
    conf_free(c);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_brand),
        cmocka_unit_test(test_domains),
        cmocka_unit_test(test_platform),
        cmocka_unit_test(test_account_list),
        cmocka_unit_test(test_auth),
        cmocka_unit_test(test_links),
        cmocka_unit_test(test_text),
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_attachments),
        cmocka_unit_test(test_verdict_and_explanations),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    engine_free(engine);
    g_unlink(zpath);
    g_free(zpath);
    return rc;
}
