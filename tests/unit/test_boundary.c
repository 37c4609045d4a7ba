/*
 * test_boundary.c - mail_boundary_find over hand-built messages: where the
 * boundary falls, which client it names, which Authentication-Results are
 * believed and which are reported as forged.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "mail/boundary.h"
#include "mail/received.h"

static void header_free(gpointer p)
{
    mail_header_t *h = p;
    g_free(h->name);
    g_free(h->raw);
    g_free(h->value);
    g_free(h);
}

static void anomaly_free(gpointer p)
{
    mail_anomaly_rec_t *r = p;
    g_free(r->detail);
    g_free(r);
}

/* A message from "Name: value" lines, top first; Received values become
 * hops (at most max_hops of them, as the message layer caps them). */
static mail_msg_t *build(const char *const *lines, guint max_hops)
{
    mail_msg_t *m = g_new0(mail_msg_t, 1);
    m->headers = g_ptr_array_new_with_free_func(header_free);
    m->hops = g_ptr_array_new_with_free_func(received_hop_free);
    m->anomalies = g_ptr_array_new_with_free_func(anomaly_free);
    for (size_t i = 0; lines[i] != NULL; i++) {
        const char *colon = strchr(lines[i], ':');
        mail_header_t *h = g_new0(mail_header_t, 1);
        h->name = g_strndup(lines[i], (gsize)(colon - lines[i]));
        h->raw = g_strdup(colon + 2);
        h->value = g_strdup(colon + 2);
        g_ptr_array_add(m->headers, h);
        if (strcmp(h->name, "Received") == 0 && m->hops->len < max_hops)
            g_ptr_array_add(m->hops, received_parse(h->raw, strlen(h->raw)));
    }
    return m;
}

static void msg_free(mail_msg_t *m)
{
    g_ptr_array_unref(m->headers);
    g_ptr_array_unref(m->hops);
    g_ptr_array_unref(m->anomalies);
    g_free(m);
}

typedef struct bcase {
    const char *name;
    const char *lines[8];
    const char *hosts[4];
    const char *ids[3]; /* NULL first = authserv_ids NULL */
    guint max_hops;
    int first_untrusted;
    size_t end;
    const char *ip, *helo, *rdns; /* NULL = expect NULL */
    const char *believed;         /* authserv-ids of believed A-R, ',' joined */
    unsigned forged;              /* FORGED_AUTHRES anomalies */
} bcase_t;

#define RCV_SES                                                                                    \
    "Received: from a1-2.smtp-out.example.com (a1-2.smtp-out.example.com [203.0.113.20]) by "      \
    "mx.example.jp (Postfix) with ESMTPS id A1; Fri, 27 Nov 2026 08:00:00 +0900"

static const bcase_t cases[] = {
    {"relay through our MX; a forged A-R under it",
     {"Authentication-Results: mx.example.jp; spf=pass smtp.mailfrom=example.com", RCV_SES,
      "Subject: pay now",
      "Authentication-Results: mx.example.jp; dkim=pass header.d=bank.example",
      "Received: from x (x [198.51.100.1]) by relay.evil.example; date", "From: a@b.example", NULL},
     {"mx.example.jp", NULL},
     {NULL},
     100,
     0,
     2,
     "203.0.113.20",
     "a1-2.smtp-out.example.com",
     "a1-2.smtp-out.example.com",
     "mx.example.jp",
     1},
    {"milter results right under our MX's Received are ours",
     {RCV_SES, "Authentication-Results: mx.example.jp; spf=pass smtp.mailfrom=example.com",
      "ARC-Seal: i=1; cv=none", "Subject: hello",
      "Authentication-Results: mx.example.jp; dkim=pass header.d=bank.example", NULL},
     {"mx.example.jp", NULL},
     {NULL},
     100,
     0,
     1,
     "203.0.113.20",
     "a1-2.smtp-out.example.com",
     "a1-2.smtp-out.example.com",
     "mx.example.jp",
     1},
    {"not configured: nothing trusted",
     {"Authentication-Results: mx.example.jp; spf=pass", RCV_SES, NULL},
     {NULL},
     {NULL},
     100,
     -1,
     0,
     NULL,
     NULL,
     NULL,
     "",
     0},
    {"mailbox server, then MX (vouched by rDNS), then the sender",
     {"Received: from mx1.example.jp (mx1.example.jp [10.0.0.5]) by mbox.example.jp with LMTP",
      "Authentication-Results: mx1.example.jp; dmarc=fail header.from=bank.example",
      "Received: from sender.example.net (sender.example.net [192.0.2.7]) by mx1.example.jp with "
      "ESMTP",
      "Message-ID: <1@sender.example.net>",
      "Authentication-Results: mx1.example.jp; dmarc=pass header.from=bank.example", NULL},
     {"mbox.example.jp", "mx1.example.jp", NULL},
     {NULL},
     100,
     1,
     3,
     "192.0.2.7",
     "sender.example.net",
     "sender.example.net",
     "mx1.example.jp",
     1},
    {"content filter on loopback",
     {"Received: from localhost (localhost [127.0.0.1]) by mx.example.jp (Postfix) with ESMTP",
      "Received: from h.example.net (unknown [192.0.2.9]) by mx.example.jp (Postfix) with ESMTP",
      NULL},
     {"mx.example.jp", NULL},
     {NULL},
     100,
     1,
     2,
     "192.0.2.9",
     "h.example.net",
     NULL,
     "",
     0},
    {"top hop not ours: no boundary, nothing believed, nothing forged",
     {"Authentication-Results: mx.example.jp; spf=pass",
      "Received: from a (a [192.0.2.1]) by other.example.org; date", NULL},
     {"mx.example.jp", NULL},
     {NULL},
     100,
     -1,
     0,
     NULL,
     NULL,
     NULL,
     "",
     0},
    {"separate authserv-id list",
     {"Authentication-Results: mx.example.jp; spf=pass",
      "Authentication-Results: auth.example.jp; spf=fail", RCV_SES, NULL},
     {"mx.example.jp", NULL},
     {"auth.example.jp", NULL},
     100,
     0,
     3,
     "203.0.113.20",
     "a1-2.smtp-out.example.com",
     "a1-2.smtp-out.example.com",
     "auth.example.jp",
     0},
    {"rDNS that may be forged is not trusted",
     {"Received: from x.example.net (mx2.example.jp [198.51.100.5] (may be forged)) by "
      "mx.example.jp with ESMTP",
      NULL},
     {"mx.example.jp", "mx2.example.jp", NULL},
     {NULL},
     100,
     0,
     1,
     "198.51.100.5",
     "x.example.net",
     "mx2.example.jp",
     "",
     0},
    {"internal relay trusted by CIDR vouches for the next hop",
     {"Received: from relay (unknown [10.1.2.3]) by mx.example.jp with ESMTP",
      "Received: from out.example.net (out.example.net [192.0.2.1]) by relay.internal with SMTP",
      "Subject: x", "Authentication-Results: relay.internal; spf=pass", NULL},
     {"mx.example.jp", "10.0.0.0/8", "relay.internal", NULL},
     {NULL},
     100,
     1,
     2,
     "192.0.2.1",
     "out.example.net",
     "out.example.net",
     "",
     1},
    {"a hop with no client passes but vouches for nothing",
     {"Received: by mx.example.jp (Postfix, from userid 0) id X; date",
      "Received: from a (a [192.0.2.1]) by evil.example; date",
      "Authentication-Results: mx.example.jp; dkim=pass", NULL},
     {"mx.example.jp", NULL},
     {NULL},
     100,
     -1,
     1,
     NULL,
     NULL,
     NULL,
     "",
     1},
    {"every hop ours (internal mail)",
     {"Authentication-Results: mx.example.jp; none",
      "Received: from localhost (localhost [127.0.0.1]) by mx.example.jp with ESMTP",
      "From: a@example.jp", NULL},
     {"mx.example.jp", NULL},
     {NULL},
     100,
     -1,
     2,
     NULL,
     NULL,
     NULL,
     "mx.example.jp",
     0},
    {"suffix entries, case, trailing dots, IPv6 literals",
     {"Authentication-Results: MX.EXAMPLE.JP.; spf=pass",
      "Received: from a.example.net (a.example.net [192.0.2.3]) by [IPv6:2001:db8::25] with SMTP",
      NULL},
     {"2001:DB8:0::25", ".Example.JP.", NULL},
     {NULL},
     100,
     0,
     2,
     "192.0.2.3",
     "a.example.net",
     "a.example.net",
     "mx.example.jp.",
     0},
    {"suffix does not match the bare domain or a lookalike",
     {"Received: from a (a [192.0.2.1]) by example.jp with SMTP",
      "Received: from b (b [192.0.2.2]) by evilexample.jp with SMTP", NULL},
     {".example.jp", NULL},
     {NULL},
     100,
     -1,
     0,
     NULL,
     NULL,
     NULL,
     "",
     0},
    {"empty authserv-id never believed",
     {"Authentication-Results: spf=pass smtp.mailfrom=x.example", RCV_SES, NULL},
     {"mx.example.jp", NULL},
     {NULL},
     100,
     0,
     2,
     "203.0.113.20",
     "a1-2.smtp-out.example.com",
     "a1-2.smtp-out.example.com",
     "",
     0},
    {"more Received fields than hops (capped upstream)",
     {"Received: from localhost (localhost [127.0.0.1]) by mx.example.jp with ESMTP",
      "Received: from a (a [192.0.2.1]) by mx.example.jp with SMTP", NULL},
     {"mx.example.jp", NULL},
     {NULL},
     1,
     -1,
     1,
     NULL,
     NULL,
     NULL,
     "",
     0},
};

static void check_str(const char *got, const char *want)
{
    if (want == NULL)
        assert_null(got);
    else
        assert_string_equal(got, want);
}

static void test_cases(void **state)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const bcase_t *c = &cases[i];
        mail_msg_t *m = build(c->lines, c->max_hops);
        mail_trust_t t = {(char **)c->hosts, c->ids[0] ? (char **)c->ids : NULL};
        mail_boundary_t *b = mail_boundary_find(m, &t);
        GString *ids = g_string_new(NULL);
        for (guint k = 0; k < b->authres->len; k++)
            g_string_append_printf(ids, "%s%s", k ? "," : "",
                                   ((authres_t *)b->authres->pdata[k])->authserv_id);
        unsigned forged = 0;
        for (guint k = 0; k < m->anomalies->len; k++)
            forged +=
                ((mail_anomaly_rec_t *)m->anomalies->pdata[k])->kind == MAIL_ANOM_FORGED_AUTHRES;
        print_message("case %zu (%s): first=%d end=%zu ip=%s believed=[%s] forged=%u\n", i, c->name,
                      b->first_untrusted_hop, b->trusted_header_end,
                      b->client_ip ? b->client_ip : "(null)", ids->str, forged);
        assert_int_equal(b->configured, c->hosts[0] != NULL);
        assert_int_equal(b->first_untrusted_hop, c->first_untrusted);
        assert_int_equal(b->trusted_header_end, c->end);
        check_str(b->client_ip, c->ip);
        check_str(b->client_helo, c->helo);
        check_str(b->client_rdns, c->rdns);
        assert_string_equal(ids->str, c->believed);
        assert_int_equal(forged, c->forged);
        assert_int_equal(mail_msg_has_anomaly(m, MAIL_ANOM_FORGED_AUTHRES), forged > 0);
        g_string_free(ids, TRUE);
        mail_boundary_free(b);
        msg_free(m);
    }
}

static void test_null_inputs(void **state)
{
    const char *lines[] = {RCV_SES, NULL};
    mail_msg_t *m = build(lines, 100);
    mail_boundary_t *b = mail_boundary_find(m, NULL);
    assert_false(b->configured);
    assert_int_equal(b->first_untrusted_hop, -1);
    assert_int_equal(b->authres->len, 0);
    mail_boundary_free(b);
    char *empty[] = {NULL};
    mail_trust_t t = {empty, NULL};
    b = mail_boundary_find(m, &t);
    assert_false(b->configured);
    mail_boundary_free(b);
    mail_boundary_free(NULL);
    msg_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_null_inputs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
