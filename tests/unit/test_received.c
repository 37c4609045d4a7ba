/*
 * test_received.c - received_parse over the shapes real MTAs write
 * (hand-written in their formats, with documentation addresses), plus
 * malformed and hostile values.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>
#include <time.h>

#include "mail/received.h"

typedef struct rcv_case {
    const char *value;
    const char *from_name, *helo, *rdns, *ip, *by, *with;
} rcv_case_t;

static const rcv_case_t cases[] = {
    /* Postfix */
    {"from mail.example.com (mail.example.com [192.0.2.10])\r\n\tby mx.example.jp (Postfix) "
     "with ESMTPS id 4AbC1x for <u@example.jp>; Fri, 27 Nov 2026 08:00:00 +0900 (JST)",
     "mail.example.com", "mail.example.com", "mail.example.com", "192.0.2.10", "mx.example.jp",
     "ESMTPS"},
    {"from helo.example.net (unknown [198.51.100.7]) by mx.example.jp (Postfix) with ESMTP id X",
     "helo.example.net", "helo.example.net", "", "198.51.100.7", "mx.example.jp", "ESMTP"},
    {"from localhost (localhost [127.0.0.1]) by mx.example.jp (Postfix) with ESMTP id Y; date",
     "localhost", "localhost", "localhost", "127.0.0.1", "mx.example.jp", "ESMTP"},
    {"from a1-2.smtp-out.ap-northeast-1.amazonses.com (a1-2.smtp-out.ap-northeast-1.amazonses.com "
     "[203.0.113.20]) by mx.example.jp (Postfix) with ESMTPS id Z",
     "a1-2.smtp-out.ap-northeast-1.amazonses.com", "a1-2.smtp-out.ap-northeast-1.amazonses.com",
     "a1-2.smtp-out.ap-northeast-1.amazonses.com", "203.0.113.20", "mx.example.jp", "ESMTPS"},
    /* Postfix with TLS and auth comments after the TCP-info */
    {"from out.example.org (out.example.org [IPv6:2001:DB8:0:0::25]) (using TLSv1.3 with cipher "
     "TLS_AES_256_GCM_SHA384 (256/256 bits)) (No client certificate requested) by mx.example.jp "
     "(Postfix) with ESMTPS id Q",
     "out.example.org", "out.example.org", "out.example.org", "2001:db8::25", "mx.example.jp",
     "ESMTPS"},
    /* Exim */
    {"from [192.0.2.33] (helo=laptop.example.net) by smtp.example.net with esmtpsa "
     "(TLS1.3) tls TLS_AES_256_GCM_SHA384 (Exim 4.96) (envelope-from <a@example.net>) id 1x-2y-3z",
     "[192.0.2.33]", "laptop.example.net", "", "192.0.2.33", "smtp.example.net", "esmtpsa"},
    {"from host.example.net ([192.0.2.34]:51234 helo=other.example) by smtp.example.net with esmtp",
     "host.example.net", "other.example", "host.example.net", "192.0.2.34", "smtp.example.net",
     "esmtp"},
    {"from host2.example.net ([192.0.2.35] helo=host2.example.net) by smtp.example.net with smtp",
     "host2.example.net", "host2.example.net", "host2.example.net", "192.0.2.35",
     "smtp.example.net", "smtp"},
    {"from [198.51.100.9] (port=4455 helo=[198.51.100.9]) by mail.example.org with esmtp",
     "[198.51.100.9]", "[198.51.100.9]", "", "198.51.100.9", "mail.example.org", "esmtp"},
    /* Sendmail, with nested comment and ident */
    {"from cpu1.example.com (www.example.com [192.0.2.40] (may be forged)) by relay.example.org "
     "(8.15.2/8.15.2) with ESMTP id g81; Sun, 1 Sep 2026 03:00:22 +0100",
     "cpu1.example.com", "cpu1.example.com", "www.example.com", "192.0.2.40", "relay.example.org",
     "ESMTP"},
    {"from helo.example ([192.0.2.41]) by relay.example.org (8.15.2/8.15.2) with ESMTP id g82",
     "helo.example", "helo.example", "", "192.0.2.41", "relay.example.org", "ESMTP"},
    {"from h.example (IDENT:root@rdns.example.com [192.0.2.42]) by relay.example.org with ESMTP",
     "h.example", "h.example", "rdns.example.com", "192.0.2.42", "relay.example.org", "ESMTP"},
    /* qmail and Yahoo: HELO/EHLO in a comment, bare IP in another */
    {"from unknown (HELO maya.example.org) (203.0.113.143) by smtp1.example.net with SMTP; 19 Sep",
     "unknown", "maya.example.org", "", "203.0.113.143", "smtp1.example.net", "SMTP"},
    {"from sender.example.com (EHLO sender.example.com) (user@198.51.100.3) by "
     "mta.example.net with SMTP",
     "sender.example.com", "sender.example.com", "", "198.51.100.3", "mta.example.net", "SMTP"},
    /* Exchange: bare IPv6 in parentheses, multi-word "with" */
    {"from TY1PR01MB1234.jpnprd01.prod.example.com (2603:1096:403:6::15) by "
     "TYCPR01MB5678.jpnprd01.prod.example.com (2603:1096:400:1::8) with Microsoft SMTP Server "
     "(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.7; Fri, 27 Nov 2026",
     "TY1PR01MB1234.jpnprd01.prod.example.com", "TY1PR01MB1234.jpnprd01.prod.example.com", "",
     "2603:1096:403:6::15", "TYCPR01MB5678.jpnprd01.prod.example.com", "Microsoft SMTP Server"},
    /* Gmail: trailing dot in rdns, "by" an IPv6 host id */
    {"from mail-sor-f41.example.com (mail-sor-f41.example.com. [209.85.220.41]) by "
     "mx.example.com with SMTPS id abc for <u@example.com> (Google Transport Security); date",
     "mail-sor-f41.example.com", "mail-sor-f41.example.com", "mail-sor-f41.example.com",
     "209.85.220.41", "mx.example.com", "SMTPS"},
    {"by 2002:a05:6a10:1234:b0:4c8:5678:9abc with SMTP id n1csp1; Fri, 27 Nov 2026", "", "", "", "",
     "2002:a05:6a10:1234:b0:4c8:5678:9abc", "SMTP"},
    /* SendGrid: base64 name, (unknown), no IP */
    {"from MTU1NjQ3Mg (unknown) by geopod-ismtpd-3 (SG) with HTTP id aBcD for <u@example.jp>; date",
     "MTU1NjQ3Mg", "MTU1NjQ3Mg", "", "", "geopod-ismtpd-3", "HTTP"},
    /* fetchmail: literal outside comments */
    {"from jalapeno [127.0.0.1] by localhost with IMAP (fetchmail-6.4) for u@localhost "
     "(single-drop); date",
     "jalapeno", "jalapeno", "", "127.0.0.1", "localhost", "IMAP"},
    /* the address as the name after "from" */
    {"from 198.51.100.31 (HELO alumni.example.edu) by smtp.example.net (192.0.2.236) with SMTP",
     "198.51.100.31", "alumni.example.edu", "", "198.51.100.31", "smtp.example.net", "SMTP"},
    /* IPv4 with a port, bare */
    {"from h.example (198.51.100.192:52239) by m.example with [Some ESMTP Server] id <S1>",
     "h.example", "h.example", "", "198.51.100.192", "m.example", "[Some ESMTP Server]"},
    {"from h.example (198.51.100.192:) by m.example", "h.example", "h.example", "", "", "m.example",
     ""},
    /* glued host[IP] with an ident-like prefix */
    {"from w (a$u@h.example[192.0.2.77]) by m.example", "w", "w", "", "192.0.2.77", "m.example",
     ""},
    /* IPv4-mapped IPv6 and canonical forms */
    {"from x.example (x.example [IPv6:::ffff:192.0.2.1]) by y.example with ESMTP", "x.example",
     "x.example", "x.example", "::ffff:192.0.2.1", "y.example", "ESMTP"},
    /* invalid IPs are not IPs */
    {"from x.example (x.example [192.0.2.256]) by y.example", "x.example", "x.example", "", "",
     "y.example", ""},
    {"from x.example (x.example [999.1.1.1] [192.0.2.5]) by y.example", "x.example", "x.example",
     "", "192.0.2.5", "y.example", ""},
    /* keywords in any case; comment before the name */
    {"FROM a.example (b.example [192.0.2.6]) BY c.example WITH LMTP", "a.example", "a.example",
     "b.example", "192.0.2.6", "c.example", "LMTP"},
    /* empty, junk, no clauses */
    {"", "", "", "", "", "", ""},
    {"; Fri, 27 Nov 2026", "", "", "", "", "", ""},
    {"((((", "", "", "", "", "", ""},
    {"from", "", "", "", "", "", ""},
    {"from (unterminated [192.0.2.7] by x", "", "", "unterminated", "192.0.2.7", "", ""},
    {"from a.example (\\) [192.0.2.8]) by b.example", "a.example", "a.example", "", "192.0.2.8",
     "b.example", ""},
};

static void test_cases(void **state)
{
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        const rcv_case_t *c = &cases[i];
        mail_hop_t *h = received_parse(c->value, strlen(c->value));
        if (strcmp(h->from_name, c->from_name) || strcmp(h->helo, c->helo) ||
            strcmp(h->rdns, c->rdns) || strcmp(h->ip, c->ip) || strcmp(h->by, c->by) ||
            strcmp(h->with, c->with))
            print_error("case %zu: from[%s] helo[%s] rdns[%s] ip[%s] by[%s] with[%s]\n", i,
                        h->from_name, h->helo, h->rdns, h->ip, h->by, h->with);
        assert_string_equal(h->from_name, c->from_name);
        assert_string_equal(h->helo, c->helo);
        assert_string_equal(h->rdns, c->rdns);
        assert_string_equal(h->ip, c->ip);
        assert_string_equal(h->by, c->by);
        assert_string_equal(h->with, c->with);
        assert_null(strchr(h->raw, '\n'));
        assert_null(strchr(h->raw, '\r'));
        received_hop_free(h);
    }
}

static void test_raw_and_bounds(void **state)
{
    const char v[] = "from a.example (a.example [192.0.2.1])\r\n by b.example; date";
    mail_hop_t *h = received_parse(v, sizeof v - 1);
    assert_string_equal(h->raw, "from a.example (a.example [192.0.2.1]) by b.example; date");
    received_hop_free(h);
    /* only len bytes are read: the IP is cut short and so is invalid */
    const char cut[] = "from a (b [192.0.2.123]) by c";
    h = received_parse(cut, 16);
    assert_string_equal(h->ip, "");
    assert_string_equal(h->raw, "from a (b [192.0");
    received_hop_free(h);
    h = received_parse(NULL, 0);
    assert_string_equal(h->from_name, "");
    received_hop_free(h);
    const char nul[] = "from a\0b (c [192.0.2.9]) by d";
    h = received_parse(nul, sizeof nul - 1);
    assert_string_equal(h->ip, "192.0.2.9");
    assert_string_equal(h->raw, "from ab (c [192.0.2.9]) by d");
    received_hop_free(h);
    received_hop_free(NULL);
}

static void test_hostile(void **state)
{
    static const char *const pats[] = {"(",  ")",  "((a [192.0.2.1]", "from ",    "[",
                                       "\"", "\\", "(HELO ",          "from x (", "<"};
    for (size_t k = 0; k < G_N_ELEMENTS(pats); k++) {
        GString *s = g_string_new(NULL);
        while (s->len < (1u << 20))
            g_string_append(s, pats[k]);
        clock_t t0 = clock();
        mail_hop_t *h = received_parse(s->str, s->len);
        double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
        assert_true(secs < 2.0);
        assert_int_equal(strlen(h->raw), s->len);
        received_hop_free(h);
        g_string_free(s, TRUE);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_raw_and_bounds),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
