/*
 * fuzz_spf_record.c - the SPF record and macro parsers on arbitrary bytes
 * (libFuzzer target), then check_host() over the same text as a record.
 *
 * The bytes are (1) parsed as a record, (2) expanded as a macro-string in
 * both modes, (3) evaluated as example.com's record against a small zone
 * with includes, a loop, MX and PTR data and an unreachable name, so
 * expansion, recursion and the 4.6.4 limits run on hostile input. The
 * limits must hold whatever the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/spf.h"
#include "auth/spf_macro.h"
#include "auth/spf_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char zone[] = "example.com. MX 10 mx.example.com.\n"
                           "mx.example.com. A 192.0.2.1\n"
                           "mx.example.com. AAAA 2001:db8::1\n"
                           "inc.example.com. TXT \"v=spf1 include:loop.example.com ?all\"\n"
                           "loop.example.com. TXT \"v=spf1 include:inc.example.com -all\"\n"
                           "red.example.com. TXT \"v=spf1 redirect=%{d}\"\n"
                           "slow.example.com. TYPE65280 \\# 0\n"
                           "1.2.0.192.in-addr.arpa. PTR mx.example.com.\n"
                           "exp.example.com. TXT \"%{i} %{c} %{r} %{t} %{p} %{L-r2}\"\n";

static dns_resolver_t *resolver(void)
{
    static dns_resolver_t *r;
    if (!r) {
        char *err = NULL;
        r = dns_zone_new_text("fuzz", zone, sizeof zone - 1, &err);
        if (!r)
            abort();
    }
    return r;
}

static void check_result(const spf_result_t *res)
{
    if ((unsigned)res->result > SPF_PERMERROR)
        abort();
    if (res->lookups > SPF_MAX_DNS_TERMS + 1 || res->void_lookups > SPF_MAX_VOID + 1)
        abort();
    if (res->trace->len > SPF_MAX_TRACE + 1)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 8192)
        return 0;
    slice_t s = slice_make((const char *)data, size);
    char *err = NULL;
    spf_record_t *rec = spf_record_parse(s, &err);
    if (!rec == !err)
        abort();
    spf_record_free(rec);
    g_free(err);

    spf_macro_env_t env = {.sender = "l.p@example.com",
                           .local = "l.p",
                           .sender_domain = "example.com",
                           .domain = "example.com",
                           .ip_dotted = "192.0.2.1",
                           .ip_readable = "192.0.2.1",
                           .ip_version = "in-addr",
                           .helo = "mx.example.com"};
    for (int exp = 0; exp < 2; exp++) {
        buf_t b;
        buf_init(&b, SPF_MAX_EXPANSION);
        const char *why = NULL;
        int rc = spf_macro_expand(s, exp, &env, &b, &why);
        if (rc == 0 && b.len > SPF_MAX_EXPANSION)
            abort();
        if (rc != 0 && why == NULL)
            abort();
        buf_free(&b);
    }

    char *text = g_strndup((const char *)data, size);
    static const char *const ips[] = {"192.0.2.1", "2001:db8::1", "::ffff:192.0.2.1"};
    for (size_t i = 0; i < G_N_ELEMENTS(ips); i++) {
        spf_result_t res;
        spf_options_t opt = {.now = 1};
        spf_check_host(resolver(), &opt, ips[i], "example.com", "l.p@example.com", "mx.example.com",
                       text, &res);
        check_result(&res);
        spf_result_clear(&res);
    }
    g_free(text);
    return 0;
}
