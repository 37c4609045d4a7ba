/*
 * test_esp.c - sending-platform identification (intel/esp) and its data
 * file parser (intel/esp_db).
 *
 * Messages are built by hand from a header block (helper msg_build), so
 * each test states exactly which markers are present; the fixture test at
 * the end runs the real parser (mail_msg_parse) over the hand-written
 * messages in tests/data/esp/, with the shipped data/platforms.conf.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "intel/esp.h"
#include "intel/esp_db.h"
#include "mail/boundary.h"
#include "mail/message.h"

/* ---- hand-built messages ---- */

static void t_header_free(gpointer p)
{
    mail_header_t *h = p;
    g_free(h->name);
    g_free(h->raw);
    g_free(h->value);
    g_free(h);
}

static void t_hop_free(gpointer p)
{
    mail_hop_t *h = p;
    g_free(h->from_name);
    g_free(h->helo);
    g_free(h->rdns);
    g_free(h->ip);
    g_free(h->by);
    g_free(h->with);
    g_free(h->raw);
    g_free(h);
}

static void t_anomaly_free(gpointer p)
{
    mail_anomaly_rec_t *r = p;
    g_free(r->detail);
    g_free(r);
}

/* The word after key in s ("" if none). Test helper only: inputs are ours. */
static char *word_after(const char *s, const char *key)
{
    const char *p = strstr(s, key);
    if (p == NULL)
        return g_strdup("");
    p += strlen(key);
    size_t n = strcspn(p, " \t;()");
    return g_strndup(p, n);
}

/* A message from a header block: "Name: value" lines, continuation lines
 * start with white space. Message-ID, Return-Path and Received are also
 * filled in the model the way mail_msg_parse does. */
static mail_msg_t *msg_build(const char *block, gint64 date)
{
    mail_msg_t *m = g_new0(mail_msg_t, 1);
    m->headers = g_ptr_array_new_with_free_func(t_header_free);
    m->hops = g_ptr_array_new_with_free_func(t_hop_free);
    m->dkim_domains = g_ptr_array_new_with_free_func(g_free);
    m->anomalies = g_ptr_array_new_with_free_func(t_anomaly_free);
    m->date = date;
    char **lines = g_strsplit(block, "\n", -1);
    GString *cur = NULL;
    char *name = NULL;
    for (char **l = lines;; l++) {
        bool cont = *l != NULL && (**l == ' ' || **l == '\t');
        if (cur != NULL && !cont) {
            mail_header_t *h = g_new0(mail_header_t, 1);
            h->name = name;
            h->raw = g_strdup(g_strstrip(cur->str));
            h->value = g_strdup(h->raw);
            g_ptr_array_add(m->headers, h);
            g_string_free(cur, TRUE);
            cur = NULL;
            if (g_ascii_strcasecmp(h->name, "Received") == 0) {
                mail_hop_t *hop = g_new0(mail_hop_t, 1);
                hop->raw = g_strdup(h->raw);
                hop->from_name = word_after(h->raw, "from ");
                hop->helo = g_strdup(hop->from_name);
                hop->rdns = g_strdup("");
                hop->ip = g_strdup("");
                hop->by = word_after(h->raw, "by ");
                hop->with = word_after(h->raw, "with ");
                g_ptr_array_add(m->hops, hop);
            } else if (g_ascii_strcasecmp(h->name, "Message-ID") == 0) {
                m->message_id = g_strndup(h->raw + 1, strlen(h->raw) - 2);
            } else if (g_ascii_strcasecmp(h->name, "Return-Path") == 0) {
                m->return_path = g_strndup(h->raw + 1, strlen(h->raw) - 2);
            }
        }
        if (*l == NULL)
            break;
        if (cont && cur != NULL) {
            g_string_append(cur, *l);
            continue;
        }
        char *colon = strchr(*l, ':');
        if (colon == NULL)
            continue;
        name = g_strndup(*l, (gsize)(colon - *l));
        cur = g_string_new(colon + 1);
    }
    g_strfreev(lines);
    return m;
}

static void msg_free(mail_msg_t *m)
{
    g_ptr_array_free(m->headers, TRUE);
    g_ptr_array_free(m->hops, TRUE);
    g_ptr_array_free(m->dkim_domains, TRUE);
    g_ptr_array_free(m->anomalies, TRUE);
    g_free(m->message_id);
    g_free(m->return_path);
    g_free(m);
}

static const char *anomaly_detail(const mail_msg_t *m, mail_anomaly_t kind)
{
    for (guint i = 0; i < m->anomalies->len; i++) {
        const mail_anomaly_rec_t *r = g_ptr_array_index(m->anomalies, i);
        if (r->kind == kind)
            return r->detail;
    }
    return NULL;
}

static bool has_evidence(const esp_result_t *r, const char *prefix)
{
    for (guint i = 0; i < r->evidence->len; i++)
        if (g_str_has_prefix(g_ptr_array_index(r->evidence, i), prefix))
            return true;
    return false;
}

/* ---- fixtures ---- */

static esp_db_t *shipped_db(void)
{
    char *path = g_build_filename(SG_SOURCE_DIR, "data", "platforms.conf", NULL);
    char *err = NULL;
    esp_db_t *db = esp_db_load(path, &err);
    if (db == NULL)
        fail_msg("%s", err);
    g_free(path);
    return db;
}

static int setup_db(void **state)
{
    *state = shipped_db();
    return *state ? 0 : -1;
}

static int teardown_db(void **state)
{
    esp_db_free(*state);
    return 0;
}

/* 2025-05-11 23:53:05 UTC; the Message-ID time below, 0x196c1c43eba ms,
 * is 23:53:05.978 of the same day. */
#define T_DATE G_GINT64_CONSTANT(1747007585)

static const char ses_eu[] =
    "Received: from mx.example.jp by mbox.example.jp with LMTP\n"
    "Received: from b224-1.smtp-out.eu-central-1.amazonses.com ([69.169.224.1])\n"
    " by mx.example.jp with ESMTPS id 1up7B8\n"
    "DKIM-Signature: v=1; a=rsa-sha256; s=abcdefghijklmnopqrstuvwxyz234567;\n"
    " d=shop.example.com; h=From:To\n"
    "DKIM-Signature: v=1; a=rsa-sha256; s=54ecsf3zk7z4mwxwwox7z7bg6e5gwjsz;\n"
    " d=amazonses.com; h=From:To:Feedback-ID\n"
    "From: Shop <info@shop.example.com>\n"
    "Message-ID: "
    "<01070196c1c43eba-fbc552f4-e4a7-49f8-b91c-c5a1f53feaa9-000000@eu-central-1.amazonses.com>\n"
    "Feedback-ID: ::1.eu-central-1.tz+2u02MaOpkRoVQGY1tVQ3wfw7rWYmYVhZ9R8I0pW8=:AmazonSES\n"
    "X-SES-Outgoing: 2025.05.11-69.169.224.1\n";

static void test_ses_relay(void **state)
{
    mail_msg_t *m = msg_build(ses_eu, T_DATE);
    esp_result_t *r = esp_identify(*state, m, NULL);
    assert_non_null(r);
    assert_string_equal(r->name, "amazon-ses");
    assert_string_equal(r->label, "Amazon SES");
    assert_string_equal(r->region, "eu-central-1");
    assert_string_equal(r->account, "tz+2u02MaOpkRoVQGY1tVQ3wfw7rWYmYVhZ9R8I0pW8=");
    assert_true(r->has_send_time);
    assert_int_equal(r->send_time_ms, G_GINT64_CONSTANT(0x196c1c43eba));
    assert_int_equal(r->date_skew_s, 0);
    assert_false(r->custom_mail_from);
    assert_true(has_evidence(r, "Feedback-ID: ::1.eu-central-1.tz+2u02"));
    assert_true(has_evidence(r, "DKIM-Signature: d=amazonses.com"));
    assert_true(has_evidence(r, "Received: from b224-1.smtp-out.eu-central-1.amazonses.com"));
    assert_true(has_evidence(r, "Message-ID: <01070196c1c43eba-"));
    assert_true(has_evidence(r, "X-SES-Outgoing: 2025.05.11"));
    assert_false(has_evidence(r, "DKIM-Signature: d=shop.example.com"));
    assert_int_equal(m->anomalies->len, 0);
    esp_result_free(r);
    msg_free(m);
}

/* us-east-1: "email.amazonses.com" and a smtp-out host without region. */
static void test_ses_us_east_1(void **state)
{
    mail_msg_t *m = msg_build(
        "Received: from a8-57.smtp-out.amazonses.com ([54.240.8.57]) by mx.example.jp\n"
        "DKIM-Signature: v=1; d=amazonses.com; s=x\n"
        "Message-ID: "
        "<01000196c1c43eba-b0b86341-6242-4714-93d8-7158138a7859-000000@email.amazonses.com>\n"
        "Feedback-ID: 1.us-east-1.EwmKOIMXgK25iOi3NhMXTVSwSfDjAlSicwqfZ88ASYQ=:AmazonSES\n",
        T_DATE);
    esp_result_t *r = esp_identify(*state, m, NULL);
    assert_non_null(r);
    assert_string_equal(r->region, "us-east-1");
    assert_string_equal(r->account, "EwmKOIMXgK25iOi3NhMXTVSwSfDjAlSicwqfZ88ASYQ=");
    assert_int_equal(m->anomalies->len, 0);
    esp_result_free(r);
    msg_free(m);
}

/* An SES-looking Message-ID on mail that never went through SES. */
static void test_ses_forged_message_id(void **state)
{
    mail_msg_t *m = msg_build(
        "Received: from vps.example.net ([203.0.113.9]) by mx.example.jp with ESMTP\n"
        "Return-Path: "
        "<0100018f00000000-11111111-2222-3333-4444-555555555555-000000@amazonses.com>\n"
        "X-SES-Outgoing: 2024.04.01-54.240.8.1\n"
        "Message-ID: "
        "<0100018f00000000-11111111-2222-3333-4444-555555555555-000000@email.amazonses.com>\n",
        G_GINT64_CONSTANT(1714000000));
    esp_result_t *r = esp_identify(*state, m, NULL);
    assert_null(r); /* only weak SES markers: no platform */
    const char *d = anomaly_detail(m, MAIL_ANOM_FORGED_PLATFORM_ID);
    assert_non_null(d);
    assert_non_null(strstr(d, "Message-ID: <0100018f00000000-"));
    assert_non_null(strstr(d, "Amazon SES"));
    msg_free(m);
}

/* Date three hours after the Message-ID time. */
static void test_ses_date_skew(void **state)
{
    mail_msg_t *m = msg_build(ses_eu, T_DATE + 3 * 3600);
    esp_result_t *r = esp_identify(*state, m, NULL);
    assert_non_null(r);
    assert_int_equal(r->date_skew_s, 3 * 3600);
    const char *d = anomaly_detail(m, MAIL_ANOM_PLATFORM_MISMATCH);
    assert_non_null(d);
    assert_non_null(strstr(d, "+10800 s"));
    assert_null(anomaly_detail(m, MAIL_ANOM_FORGED_PLATFORM_ID));
    esp_result_free(r);
    msg_free(m);
}

/* Feedback-ID says us-east-1, the Message-ID says eu-west-1 (code 0102). */
static void test_ses_region_mismatch(void **state)
{
    mail_msg_t *m = msg_build(
        "DKIM-Signature: v=1; d=amazonses.com; s=x\n"
        "Message-ID: "
        "<01020196c1c43eba-b0b86341-6242-4714-93d8-7158138a7859-000000@eu-west-1.amazonses.com>\n"
        "Feedback-ID: 1.us-east-1.EwmKOIMXgK25iOi3NhMXTVSwSfDjAlSicwqfZ88ASYQ=:AmazonSES\n",
        T_DATE);
    esp_result_t *r = esp_identify(*state, m, NULL);
    assert_non_null(r);
    assert_string_equal(r->region, "us-east-1"); /* first in file order: Feedback-ID */
    const char *d = anomaly_detail(m, MAIL_ANOM_PLATFORM_MISMATCH);
    assert_non_null(d);
    assert_non_null(strstr(d, "us-east-1 (Feedback-ID)"));
    assert_non_null(strstr(d, "eu-west-1 (Message-ID)"));
    esp_result_free(r);
    msg_free(m);
}

/* Region code and region name inside one Message-ID must agree too. */
static void test_ses_region_code_mismatch(void **state)
{
    mail_msg_t *m = msg_build(
        "DKIM-Signature: v=1; d=amazonses.com; s=x\n"
        "Message-ID: "
        "<01060196c1c43eba-b0b86341-6242-4714-93d8-7158138a7859-000000@eu-west-1.amazonses.com>\n",
        T_DATE);
    esp_result_t *r = esp_identify(*state, m, NULL);
    assert_non_null(r);
    const char *d = anomaly_detail(m, MAIL_ANOM_PLATFORM_MISMATCH);
    assert_non_null(d);
    assert_non_null(strstr(d, "ap-northeast-1 (Message-ID region code)"));
    esp_result_free(r);
    msg_free(m);
}

static void test_ses_send_day(void **state)
{
    mail_msg_t *m = msg_build("DKIM-Signature: v=1; d=amazonses.com; s=x\n"
                              "X-SES-Outgoing: 2025.05.01-54.240.8.57\n",
                              T_DATE);
    esp_result_t *r = esp_identify(*state, m, NULL);
    assert_non_null(r);
    assert_false(r->has_send_time);
    const char *d = anomaly_detail(m, MAIL_ANOM_PLATFORM_MISMATCH);
    assert_non_null(d);
    assert_non_null(strstr(d, "X-SES-Outgoing day 2025.05.01 is -10 days from the Date"));
    esp_result_free(r);
    msg_free(m);
}

static void test_ses_custom_mail_from(void **state)
{
    static const char fmt[] =
        "Return-Path: <01000196c1c43eba-b0b86341-6242-4714-93d8-7158138a7859-000000@%s>\n"
        "DKIM-Signature: v=1; d=amazonses.com; s=x\n"
        "Message-ID: "
        "<01000196c1c43eba-b0b86341-6242-4714-93d8-7158138a7859-000000@email.amazonses.com>\n";
    const struct {
        const char *domain;
        bool custom;
    } cases[] = {{"bounce.shop.example.com", true},
                 {"amazonses.com", false},
                 {"us-west-2.amazonses.com", false}};
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *block = g_strdup_printf(fmt, cases[i].domain);
        mail_msg_t *m = msg_build(block, T_DATE);
        esp_result_t *r = esp_identify(*state, m, NULL);
        assert_non_null(r);
        assert_int_equal(r->custom_mail_from, cases[i].custom);
        esp_result_free(r);
        msg_free(m);
        g_free(block);
    }
    /* A mailing list's Return-Path says nothing about SES's MAIL FROM;
     * the list's Received keeps SES's envelope-from. */
    mail_msg_t *m = msg_build(
        "Return-Path: <list-bounces@lists.example.org>\n"
        "Received: from mx.example.org by lists.example.org with esmtp (envelope-from\n"
        " <01000196c1c43eba-b0b86341-6242-4714-93d8-7158138a7859-000000@amazonses.com>) id 1\n"
        "DKIM-Signature: v=1; d=amazonses.com; s=x\n"
        "Message-ID: "
        "<01000196c1c43eba-b0b86341-6242-4714-93d8-7158138a7859-000000@email.amazonses.com>\n",
        T_DATE);
    esp_result_t *r = esp_identify(*state, m, NULL);
    assert_non_null(r);
    assert_false(r->custom_mail_from);
    assert_true(has_evidence(r, "Received envelope-from: <01000196c1c43eba-"));
    esp_result_free(r);
    msg_free(m);
}

static void test_sendgrid_uid(void **state)
{
    mail_msg_t *m =
        msg_build("Received: from o1.outbound-mail.sendgrid.net ([149.72.1.1]) by mx.example.jp\n"
                  "Received: by filterdrecv-64b996ffd8-p9kqq with SMTP id filterdrecv-1\n"
                  "Received: from NTM0Mzc2Mw (unknown)\n"
                  " by geopod-ismtpd-5-0 (SG) with HTTP id -tqDuJygR3WHqLPS0ByoRA\n"
                  "Message-ID: <-tqDuJygR3WHqLPS0ByoRA@geopod-ismtpd-5-0>\n"
                  "X-SG-EID: abc\n",
                  T_DATE);
    esp_result_t *r = esp_identify(*state, m, NULL);
    assert_non_null(r);
    assert_string_equal(r->name, "sendgrid");
    assert_string_equal(r->account, "5343763");
    assert_null(r->region);
    assert_true(has_evidence(r, "Received: from NTM0Mzc2Mw (unknown)"));
    assert_true(has_evidence(r, "X-SG-EID: abc"));
    assert_int_equal(m->anomalies->len, 0);
    esp_result_free(r);
    msg_free(m);
    /* SMTP submissions carry the client's name, not a uid: no account. */
    m = msg_build("Received: from host-87-21-89-27.retail.example.it (unknown)\n"
                  " by geopod-ismtpd-6-0 (SG) with ESMTP id K0Fcc\n",
                  T_DATE);
    r = esp_identify(*state, m, NULL);
    assert_non_null(r);
    assert_string_equal(r->name, "sendgrid");
    assert_null(r->account);
    esp_result_free(r);
    msg_free(m);
}

static const char m365_inbound[] =
    /* written by our own Exchange Online (above the boundary) */
    "Received: from TY1PR01MB0001.jpnprd01.prod.outlook.com by TY1PR01MB0002 with SMTP\n"
    "X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111\n"
    "X-OriginatorOrg: example.jp\n"
    "Received: from mail-x.outbound.protection.outlook.com (40.107.1.1) by\n"
    " TY1EUR.mail.protection.outlook.com with Microsoft SMTP Server\n"
    /* written by the sender's tenant (below the boundary) */
    "Received: from AM0PR01MB0003.eurprd01.prod.outlook.com by AM0PR01MB0004 with SMTP\n"
    "DKIM-Signature: v=1; d=contoso.onmicrosoft.com; s=selector1-contoso-onmicrosoft-com\n"
    "Message-ID: <AM0PR01MB00031234@AM0PR01MB0003.eurprd01.prod.outlook.com>\n"
    "X-MS-Exchange-CrossTenant-Id: 22222222-2222-2222-2222-222222222222\n";

static void test_m365_tenant_boundary(void **state)
{
    mail_msg_t *m = msg_build(m365_inbound, T_DATE);
    mail_boundary_t b = {.configured = true, .first_untrusted_hop = 1, .trusted_header_end = 4};
    esp_result_t *r = esp_identify(*state, m, &b);
    assert_non_null(r);
    assert_string_equal(r->name, "microsoft-365");
    assert_string_equal(r->account, "22222222-2222-2222-2222-222222222222");
    assert_true(has_evidence(r, "X-MS-Exchange-CrossTenant-Id: 2222"));
    assert_false(has_evidence(r, "X-MS-Exchange-CrossTenant-Id: 1111"));
    assert_false(has_evidence(r, "X-OriginatorOrg"));
    esp_result_free(r);
    msg_free(m);
}

/* Without a boundary: the tenant below the platform's outbound hop wins. */
static void test_m365_tenant_no_boundary(void **state)
{
    mail_msg_t *m = msg_build(m365_inbound, T_DATE);
    esp_result_t *r = esp_identify(*state, m, NULL);
    assert_non_null(r);
    assert_string_equal(r->name, "microsoft-365");
    assert_string_equal(r->account, "22222222-2222-2222-2222-222222222222");
    esp_result_free(r);
    msg_free(m);
}

/* Our own Exchange Online stamps a Gmail message: it is Google, not us. */
static void test_m365_own_stamps_ignored(void **state)
{
    mail_msg_t *m = msg_build("X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111\n"
                              "Received: from mail-pg1-f169.google.com (209.85.215.169) by\n"
                              " TY1EUR.mail.protection.outlook.com with Microsoft SMTP Server\n"
                              "DKIM-Signature: v=1; d=gmail.com; s=20230601\n"
                              "X-Google-Smtp-Source: AGHT+IH\n",
                              T_DATE);
    mail_boundary_t b = {.configured = true, .first_untrusted_hop = 0, .trusted_header_end = 2};
    esp_result_t *r = esp_identify(*state, m, &b);
    assert_non_null(r);
    assert_string_equal(r->name, "google");
    assert_null(r->account);
    esp_result_free(r);
    msg_free(m);
}

static void test_proton_not_postmark(void **state)
{
    mail_msg_t *m = msg_build(
        "Received: from mail-4322.protonmail.ch (mail-4322.protonmail.ch [185.70.43.22])\n"
        " by mx.example.jp\n"
        "DKIM-Signature: v=1; d=proton.me; s=protonmail\n"
        "X-Pm-Message-ID: abcdef\n"
        "Feedback-ID: 12345678:user:proton\n",
        T_DATE);
    esp_result_t *r = esp_identify(*state, m, NULL);
    assert_non_null(r);
    assert_string_equal(r->name, "protonmail");
    esp_result_free(r);
    msg_free(m);
    m = msg_build("Received: from mta-252-1.mtasv.net ([50.31.156.1]) by mx.example.jp\n"
                  "DKIM-Signature: v=1; d=pm.mtasv.net; s=pm20240101\n"
                  "X-PM-Message-Id: 7a4e5c\n"
                  "X-PM-IP: 50.31.156.1\n",
                  T_DATE);
    r = esp_identify(*state, m, NULL);
    assert_non_null(r);
    assert_string_equal(r->name, "postmark");
    esp_result_free(r);
    msg_free(m);
}

static void test_other_platforms(void **state)
{
    const struct {
        const char *block, *name, *account;
    } cases[] = {
        {"Received: from m228-12.mailgun.net ([159.135.228.12]) by mx.example.jp\n"
         "X-Mailgun-Sid: WyI1ZjI4ZiJd\n", /* ["5f28f"] */
         "mailgun", "5f28f"},
        {"X-Mandrill-User: md_30000001\nDKIM-Signature: v=1; d=mandrillapp.com; s=mandrill\n",
         "mandrill", "30000001"},
        {"X-MC-User: 0123456789abcdef0123456789\nFeedback-ID: 12:12.34:us21:mc\n", "mailchimp",
         "0123456789abcdef0123456789"},
        {"Return-Path: <msprvs1=18abc=bounces-123456@bounces.example.com>\n"
         "List-Id: <spc.123456.0.example.sparkpostmail.com>\n",
         "sparkpost", "123456"},
        {"X-Mailin-EID: MTIzNDU2\nDKIM-Signature: v=1; d=sendinblue.com; s=mail\n", "brevo", NULL},
        {"Received: from plain.example.net by mx.example.jp\n"
         "DKIM-Signature: v=1; d=example.com; s=mailjet\n",
         "mailjet", NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        mail_msg_t *m = msg_build(cases[i].block, T_DATE);
        esp_result_t *r = esp_identify(*state, m, NULL);
        assert_non_null(r);
        assert_string_equal(r->name, cases[i].name);
        if (cases[i].account)
            assert_string_equal(r->account, cases[i].account);
        else
            assert_null(r->account);
        esp_result_free(r);
        msg_free(m);
    }
}

/* Before about 2016 every SES Message-ID carried region code 0000. */
static void test_ses_legacy_code(void **state)
{
    mail_msg_t *m = msg_build(
        "Received: from a27-7.smtp-out.us-west-2.amazonses.com ([54.240.27.7]) by mx.example.jp\n"
        "Message-ID: "
        "<0000015023a9bde3-50e76a13-a681-4aff-9ef3-63360127adc0-000000@us-west-2.amazonses.com>\n",
        G_GINT64_CONSTANT(1443707338));
    esp_result_t *r = esp_identify(*state, m, NULL);
    assert_non_null(r);
    assert_string_equal(r->region, "us-west-2");
    assert_true(r->has_send_time);
    assert_int_equal(r->date_skew_s, 0);
    assert_int_equal(m->anomalies->len, 0);
    esp_result_free(r);
    msg_free(m);
}

/* A configured boundary without an untrusted hop index: the hops whose
 * Received sits at or below trusted_header_end count. */
static void test_boundary_header_only(void **state)
{
    mail_msg_t *m =
        msg_build("Received: from mail-x.outbound.protection.outlook.com by mx.example.jp\n"
                  "X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111\n"
                  "Received: from plain.example.net by relay.example.net\n",
                  T_DATE);
    mail_boundary_t b = {.configured = true, .first_untrusted_hop = -1, .trusted_header_end = 2};
    assert_null(esp_identify(*state, m, &b));
    b.trusted_header_end = 0;
    esp_result_t *r = esp_identify(*state, m, &b);
    assert_non_null(r);
    assert_string_equal(r->name, "microsoft-365");
    assert_string_equal(r->account, "11111111-1111-1111-1111-111111111111");
    esp_result_free(r);
    msg_free(m);
}

static void test_personal_mail(void **state)
{
    mail_msg_t *m = msg_build(
        "Received: from laptop.example.net ([198.51.100.7]) by mail.example.net with ESMTPSA\n"
        "DKIM-Signature: v=1; d=example.net; s=2024\n"
        "Message-ID: <3f1c2b9e-1d2a-4c1e-9a8b-7f6e5d4c3b2a@example.net>\n"
        "Return-Path: <taro@example.net>\n",
        T_DATE);
    assert_null(esp_identify(*state, m, NULL));
    assert_int_equal(m->anomalies->len, 0);
    msg_free(m);
}

/* ---- data file parser ---- */

static void test_db_errors(void **state)
{
    const struct {
        const char *text, *err;
    } cases[] = {
        {"", "t.conf:0: no platform defined"},
        {"strong dkim a.com\n", "t.conf:1: marker before any platform line"},
        {"platform x \"X\"\n  weak dkim a.com\n", "t.conf:2: platform x has no strong marker"},
        {"platform x \"X\"\n  strong dkim a.com\nplatform x \"Y\"\n strong dkim b.com\n",
         "t.conf:3: platform x defined twice"},
        {"platform X \"X\"\n", "t.conf:1: platform: expected an id of [a-z0-9-]"},
        {"platform x X\n", "t.conf:1: platform x: expected a \"Label\""},
        {"platform x \"X\n", "t.conf:1: unterminated quoted string"},
        {"platform x \"X\"\n strong header Feedback-ID /abc\n", "t.conf:2: unterminated /pattern/"},
        {"platform x \"X\"\n strong header Feedback-ID /a(/\n", "t.conf:2: bad pattern:"},
        {"platform x \"X\"\n strong header X /(?<tenant>a)/\n", "t.conf:2: unknown capture name"},
        {"platform x \"X\"\n strong header X /a/g\n", "t.conf:2: unknown pattern flag 'g'"},
        {"platform x \"X\"\n strong banner /a/\n", "t.conf:2: unknown marker kind"},
        {"platform x \"X\"\n strong dkim Example.COM\n", "t.conf:2: dkim: expected a lower-case"},
        {"platform x \"X\"\n strong dkim a.com loud\n", "t.conf:2: unknown or repeated option"},
        {"platform x \"X\"\n strong header Bad:Name /a/\n", "t.conf:2: expected a header name"},
        {"platform x \"X\"\n strong dkim a.com\n region-code 01 us-east-1\n region-code 01 x\n",
         "t.conf:4: region-code 01 given twice"},
        {"platform x \"X\"\n strong dkim a.com\n nonsense\n", "t.conf:3: expected platform"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *err = NULL;
        esp_db_t *db = esp_db_parse("t.conf", cases[i].text, strlen(cases[i].text), &err);
        assert_null(db);
        assert_non_null(err);
        if (!g_str_has_prefix(err, cases[i].err))
            fail_msg("case %zu: got \"%s\", want \"%s...\"", i, err, cases[i].err);
        g_free(err);
    }
    /* Escapes, flags, comments, CRLF and options are accepted. */
    const char *ok = "# c\r\nplatform x \"X \\\"quoted\\\"\"\r\n"
                     "  strong header X-A /^a\\/b$/i region=eu-west-1 forged-alone\r\n"
                     "  weak dkim .example.com\r\n  region-code 0A eu-west-1\r\n";
    char *err = NULL;
    esp_db_t *db = esp_db_parse("ok.conf", ok, strlen(ok), &err);
    if (db == NULL)
        fail_msg("%s", err);
    const esp_platform_t *pl = g_ptr_array_index(db->platforms, 0);
    assert_string_equal(pl->label, "X \"quoted\"");
    const esp_matcher_t *mt = g_ptr_array_index(pl->matchers, 0);
    assert_true(mt->forged_alone);
    assert_string_equal(mt->region_default, "eu-west-1");
    assert_string_equal(g_hash_table_lookup(pl->region_codes, "0a"), "eu-west-1");
    esp_db_free(db);
    assert_null(esp_db_load("/nonexistent/platforms.conf", &err));
    assert_true(g_str_has_prefix(err, "/nonexistent/platforms.conf:0: "));
    g_free(err);
}

/* Captured ids are attacker bytes: they leave the module as valid UTF-8
 * without control characters, and malformed DKIM tags are skipped. */
static void test_hostile_values(void **state)
{
    const char *text = "platform h \"H\"\n"
                       " strong header X-Acct /^(?<account>.+)$/\n"
                       " weak dkim /^(?<region>.+)$/\n";
    char *err = NULL;
    esp_db_t *db = esp_db_parse("h.conf", text, strlen(text), &err);
    assert_non_null(db);
    mail_msg_t *m = msg_build("X-Acct: \xff\x01"
                              "abc\n"
                              "DKIM-Signature: v=1; d=; s=x\n"
                              "DKIM-Signature: v=1; d\n"
                              "DKIM-Signature: d=EU-\xc3; s=x\n",
                              G_MININT64);
    esp_result_t *r = esp_identify(db, m, NULL);
    assert_non_null(r);
    assert_true(g_utf8_validate(r->account, -1, NULL));
    assert_null(strchr(r->account, '\x01'));
    assert_non_null(strstr(r->account, "abc"));
    assert_non_null(r->region);
    assert_true(g_utf8_validate(r->region, -1, NULL));
    for (guint i = 0; i < r->evidence->len; i++)
        assert_true(g_utf8_validate(g_ptr_array_index(r->evidence, i), -1, NULL));
    esp_result_free(r);
    msg_free(m);
    esp_db_free(db);
}

/* The prefilter literal must be text every match contains: a wrong one
 * would silently disable a marker. */
static void test_db_required_literal(void **state)
{
    const struct {
        const char *pat, *lit;
    } cases[] = {
        {"\\.outbound\\.protection\\.outlook\\.com\\.?$", ".outbound.protection.outlook.com"},
        {"^[0-9]{4}abc", "abc"},
        {"a{2,3}bcd", "bcd"},
        {"abcx?defg", "defg"},
        {"abcx*def", "abc"},
        {"(?:a|b)cdef", "cdef"},
        {"(?<region>[a-z]+)\\.amazonses\\.com$", ".amazonses.com"},
        {"\\sby\\s+[a-z]+\\s+\\(SG\\)", "(SG)"},
        {"[]abc]xyz", "xyz"},
        {"abc\\\\def", "abc\\def"},
        {"foo|barbaz", NULL},
        {"(?i)abcdef", NULL},
        {"^\\w+\\d$", NULL},
        {"ab", NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *got = esp_db_required_literal(cases[i].pat);
        if (g_strcmp0(got, cases[i].lit) != 0)
            fail_msg("%s: got \"%s\", want \"%s\"", cases[i].pat, got ? got : "(null)",
                     cases[i].lit ? cases[i].lit : "(null)");
        g_free(got);
    }
}

/* A pattern with catastrophic backtracking on a long hostile value ends
 * quickly: the value is cut and PCRE2's match limit stops the rest. */
static void test_db_pathological_pattern(void **state)
{
    const char *text = "platform evil \"Evil\"\n strong header X-Evil /^(a+)+$/\n";
    char *err = NULL;
    esp_db_t *db = esp_db_parse("evil.conf", text, strlen(text), &err);
    assert_non_null(db);
    char *val = g_strnfill(2000, 'a'); /* within ESP_MATCH_MAX_BYTES */
    val[1999] = '!';
    char *block = g_strdup_printf("X-Evil: %s\n", val);
    mail_msg_t *m = msg_build(block, G_MININT64);
    gint64 t0 = g_get_monotonic_time();
    esp_result_t *r = esp_identify(db, m, NULL);
    gint64 dt = g_get_monotonic_time() - t0;
    assert_null(r);
    assert_true(dt < 5 * G_USEC_PER_SEC);
    msg_free(m);
    g_free(block);
    g_free(val);
    esp_db_free(db);
}

/* ---- the real parser over hand-written fixtures ---- */

static void test_fixtures(void **state)
{
    const struct {
        const char *file, *name, *region, *account;
        int anomaly; /* -1 none of ours expected */
    } cases[] = {
        {"ses-relay.eml", "amazon-ses", "ap-northeast-1",
         "Qm9ndXNIYXNoRm9yVGVzdHNPbmx5Tm90QVJlYWxPbmU=", -1},
        {"ses-forged-message-id.eml", NULL, NULL, NULL, MAIL_ANOM_FORGED_PLATFORM_ID},
        {"ses-date-skew.eml", "amazon-ses", "us-west-2", NULL, MAIL_ANOM_PLATFORM_MISMATCH},
        {"sendgrid.eml", "sendgrid", NULL, "5343763", -1},
        {"mailgun.eml", "mailgun", NULL, "12345", -1},
        {"mandrill.eml", "mandrill", NULL, "30000001", -1},
        {"mailchimp.eml", "mailchimp", NULL, "5e8a1b2c3d4f5a6b7c8d9e0f1", -1},
        {"sparkpost.eml", "sparkpost", NULL, "123456", -1},
        {"postmark.eml", "postmark", NULL, NULL, -1},
        {"protonmail.eml", "protonmail", NULL, NULL, -1},
        {"brevo.eml", "brevo", NULL, NULL, -1},
        {"gmail.eml", "google", NULL, NULL, -1},
        {"m365.eml", "microsoft-365", NULL, "6f1e2d3c-4b5a-4968-8776-655443322110", -1},
        {"personal.eml", NULL, NULL, NULL, -1},
    };
    assert_int_equal(mail_init(), 0);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *path = g_build_filename(SG_TEST_DATA, "esp", cases[i].file, NULL);
        char *data = NULL;
        gsize len = 0;
        if (!g_file_get_contents(path, &data, &len, NULL))
            fail_msg("cannot read %s", path);
        mail_msg_t *m = mail_msg_parse(data, len);
        esp_result_t *r = esp_identify(*state, m, NULL);
        if (cases[i].name == NULL) {
            if (r != NULL)
                fail_msg("%s: got %s, want none", cases[i].file, r->name);
        } else {
            if (r == NULL)
                fail_msg("%s: got none, want %s", cases[i].file, cases[i].name);
            assert_string_equal(r->name, cases[i].name);
            if (cases[i].region)
                assert_string_equal(r->region, cases[i].region);
            if (cases[i].account)
                assert_string_equal(r->account, cases[i].account);
            assert_true(r->evidence->len > 0);
        }
        bool forged = mail_msg_has_anomaly(m, MAIL_ANOM_FORGED_PLATFORM_ID);
        bool mismatch = mail_msg_has_anomaly(m, MAIL_ANOM_PLATFORM_MISMATCH);
        if (cases[i].anomaly == MAIL_ANOM_FORGED_PLATFORM_ID)
            assert_true(forged && !mismatch);
        else if (cases[i].anomaly == MAIL_ANOM_PLATFORM_MISMATCH)
            assert_true(mismatch && !forged);
        else if (forged || mismatch)
            fail_msg("%s: unexpected platform anomaly", cases[i].file);
        esp_result_free(r);
        mail_msg_free(m);
        g_free(data);
        g_free(path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ses_relay),
        cmocka_unit_test(test_ses_us_east_1),
        cmocka_unit_test(test_ses_forged_message_id),
        cmocka_unit_test(test_ses_date_skew),
        cmocka_unit_test(test_ses_region_mismatch),
        cmocka_unit_test(test_ses_region_code_mismatch),
        cmocka_unit_test(test_ses_send_day),
        cmocka_unit_test(test_ses_custom_mail_from),
        cmocka_unit_test(test_sendgrid_uid),
        cmocka_unit_test(test_m365_tenant_boundary),
        cmocka_unit_test(test_m365_tenant_no_boundary),
        cmocka_unit_test(test_m365_own_stamps_ignored),
        cmocka_unit_test(test_proton_not_postmark),
        cmocka_unit_test(test_other_platforms),
        cmocka_unit_test(test_ses_legacy_code),
        cmocka_unit_test(test_boundary_header_only),
        cmocka_unit_test(test_personal_mail),
        cmocka_unit_test(test_db_required_literal),
        cmocka_unit_test(test_hostile_values),
        cmocka_unit_test(test_db_errors),
        cmocka_unit_test(test_db_pathological_pattern),
        cmocka_unit_test(test_fixtures),
    };
    return cmocka_run_group_tests(tests, setup_db, teardown_db);
}
