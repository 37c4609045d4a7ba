/*
 * test_sniff.c - sniff_quick/sniff_type: signatures, text kinds, the
 * binary fallback to libmagic, and agreement with libmagic on the types
 * both decide. Every fixture is hand-written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "mail/sniff.h"

typedef struct sniff_case {
    const char *bytes;
    size_t len; /* 0: strlen(bytes) */
    const char *want;
    bool libmagic_agrees; /* libmagic 5.44 gives the same name */
} sniff_case_t;

#define LIT(s) s, sizeof(s) - 1

static const sniff_case_t cases[] = {
    {LIT("%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n"), "application/pdf", true},
    {LIT("\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0"), "image/png", true},
    {LIT("\xFF\xD8\xFF\xE0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0"), "image/jpeg", true},
    {LIT("GIF89a\x01\0\x01\0\x80\0\0\0\0\0\xff\xff\xff!"), "image/gif", true},
    {LIT("Hello,\r\nthe minutes are attached.\r\n"), "text/plain", true},
    {LIT("お世話になっております。\n資料をお送りします。\n"), "text/plain", true},
    {LIT("<!DOCTYPE html>\n<html><body><form action=x></form></body></html>\n"), "text/html", true},
    {LIT("\n\n  <HTML>\n<HEAD><TITLE>Sign in</TITLE></HEAD>"), "text/html", true},
    {LIT("<div>text</div>\n<script>location='x'</script>\n"), "text/html", false},
    {LIT("#!/bin/sh\necho hi\n"), "text/x-shellscript", true},
    {LIT("#!/usr/bin/env perl -w\nprint 1;\n"), "text/x-perl", true},
    {LIT("#!/bin/tcsh -f\nset x=1\n"), "text/x-shellscript", true},
    {LIT("#!/usr/local/bin/frobnicate\nx\n"), "text/plain", false},
    {LIT("#!"), "text/plain", false},
    {LIT("@echo off\r\npowershell -enc AAAA\r\n"), "text/x-msdos-batch", true},
    {LIT("{\\rtf1\\ansi\\deff0 hello}"), "text/rtf", true},
    {LIT("-----BEGIN PGP SIGNATURE-----\n\niQIz\n-----END PGP SIGNATURE-----\n"),
     "application/pgp-signature", true},
    {LIT("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"), "text/calendar", true},
    {LIT("[InternetShortcut]\r\nURL=https://example.test/\r\n"), "application/x-mswinurl", true},
    {LIT("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>x()</script></svg>"),
     "image/svg+xml", true},
    {LIT("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n"), "image/svg+xml",
     true},
    {LIT("<?xml version=\"1.0\"?>\n<note><to>x</to></note>\n"), "text/xml", true},
    {LIT("Received: from a.example by b.example; Mon, 1 Jan 2024 00:00:00 +0000\n"),
     "message/rfc822", true},
    {LIT("\xEF\xBB\xBF#!/bin/bash\nx\n"), "text/x-shellscript", false},
    /* binary: libmagic decides */
    {LIT("MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0"), NULL, false},
    {LIT("PK\x03\x04\x14\0\0\0\0\0"), NULL, false},
    {LIT("text with a NUL\0 inside"), NULL, false},
    {LIT("DEL \x7f is binary"), NULL, false},
};

static void test_quick_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = sniff_quick(cases[i].bytes, cases[i].len);
        if (cases[i].want == NULL) {
            if (got != NULL)
                fail_msg("case %zu: want libmagic, got %s", i, got);
        } else if (got == NULL || strcmp(got, cases[i].want) != 0) {
            fail_msg("case %zu: want %s, got %s", i, cases[i].want, got ? got : "(null)");
        }
    }
}

static void test_empty(void **state)
{
    (void)state;
    assert_string_equal(sniff_quick("", 0), "application/x-empty");
    assert_string_equal(sniff_quick(NULL, 0), "application/x-empty");
    assert_string_equal(sniff_type(NULL, "", 0), "application/x-empty");
}

/* HTML after the window that sniff_quick reads is not HTML: the type comes
 * from the start of the content, as libmagic's does. */
static void test_html_window(void **state)
{
    (void)state;
    static char buf[8192];
    memset(buf, 'a', sizeof buf);
    memcpy(buf + 5000, "<html>", 6);
    assert_string_equal(sniff_quick(buf, sizeof buf), "text/plain");
    memcpy(buf + 100, "<form", 5);
    assert_string_equal(sniff_quick(buf, sizeof buf), "text/html");
}

/* A binary byte past the text window does not make text binary. */
static void test_text_window(void **state)
{
    (void)state;
    static char buf[SNIFF_TEXT_WINDOW + 100];
    memset(buf, 'x', sizeof buf);
    buf[SNIFF_TEXT_WINDOW + 50] = '\0';
    assert_string_equal(sniff_quick(buf, sizeof buf), "text/plain");
    buf[SNIFF_TEXT_WINDOW - 1] = '\0';
    assert_null(sniff_quick(buf, sizeof buf));
}

static void test_libmagic_fallback(void **state)
{
    (void)state;
    magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR);
    assert_non_null(m);
    assert_int_equal(magic_load(m, NULL), 0);
    /* an ELF header: only libmagic knows it */
    static const char elf[64] = "\x7f"
                                "ELF\x02\x01\x01\0\0\0\0\0\0\0\0\0\x02\0\x3e\0\x01\0\0\0";
    const char *t = sniff_type(m, elf, sizeof elf);
    assert_string_equal(t, "application/x-executable");
    /* and the quick answers agree with libmagic where both should */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (!cases[i].libmagic_agrees)
            continue;
        const char *lm = magic_buffer(m, cases[i].bytes, cases[i].len);
        if (lm == NULL || strcmp(lm, cases[i].want) != 0)
            fail_msg("case %zu: libmagic says %s, sniff %s", i, lm ? lm : "(null)", cases[i].want);
    }
    magic_close(m);
    /* without libmagic, unknown binary content is octet-stream */
    assert_string_equal(sniff_type(NULL, elf, sizeof elf), "application/octet-stream");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quick_cases),     cmocka_unit_test(test_empty),
        cmocka_unit_test(test_html_window),     cmocka_unit_test(test_text_window),
        cmocka_unit_test(test_libmagic_fallback),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
