/*
 * test_dkim.c - DKIM verification: RFC 8463 Appendix A vectors, dkimpy's
 * test data (in place, from Debian's python3-dkim), the real signed
 * messages of Stalwart's mail-auth, canonicalisation tables, tag-list and
 * key-record edge cases. Keys are fed through a lookup function, no DNS.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <glib.h>
#include <string.h>

#include "auth/dkim.h"
#include "auth/dkimcanon.h"

#define DKIMPY_DATA "/usr/lib/python3/dist-packages/dkim/tests/data"

/* ---- a key table as lookup function ---- */

typedef struct keytab {
    GHashTable *t; /* name (lower case, no trailing dot) -> record */
    bool tempfail;
    unsigned calls;
} keytab_t;

static dkim_lookup_status_t tab_lookup(void *ctx, const char *name, GPtrArray *recs, char **why)
{
    keytab_t *k = ctx;
    k->calls++;
    if (k->tempfail) {
        *why = g_strdup("test tempfail");
        return DKIM_LOOKUP_TEMPFAIL;
    }
    char *low = g_ascii_strdown(name, -1);
    const char *rec = g_hash_table_lookup(k->t, low);
    g_free(low);
    if (rec == NULL)
        return DKIM_LOOKUP_NONE;
    g_ptr_array_add(recs, g_bytes_new(rec, strlen(rec)));
    return DKIM_LOOKUP_OK;
}

static keytab_t *tab_new(void)
{
    keytab_t *k = g_new0(keytab_t, 1);
    k->t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    return k;
}

static void tab_add(keytab_t *k, const char *name, const char *rec)
{
    char *r = g_strstrip(g_strdup(rec));
    g_hash_table_replace(k->t, g_ascii_strdown(name, -1), r);
}

static void tab_free(keytab_t *k)
{
    g_hash_table_destroy(k->t);
    g_free(k);
}

static char *read_file(const char *path, size_t *len)
{
    char *d = NULL;
    gsize n = 0;
    *len = 0;
    if (!g_file_get_contents(path, &d, &n, NULL))
        return NULL;
    *len = n;
    return d;
}

static GPtrArray *verify(keytab_t *k, const char *msg, size_t len, int64_t now)
{
    dkim_opts_t o = {tab_lookup, k, now, 0, NULL};
    GPtrArray *r = dkim_verify(msg, len, &o);
    assert_non_null(r);
    return r;
}

static const dkim_sigres_t *sr(GPtrArray *r, guint i)
{
    assert_true(i < r->len);
    return r->pdata[i];
}

/* ---- RFC 8463 Appendix A ---- */

static keytab_t *rfc8463_keys(void)
{
    keytab_t *k = tab_new();
    size_t len;
    char *txt = read_file(SG_TEST_DATA "/dkim/rfc8463-dns-records.txt", &len);
    assert_non_null(txt);
    gchar **lines = g_strsplit(txt, "\n", -1);
    for (gchar **l = lines; *l; l++) {
        /* name. TXT "value" */
        char *sp = strchr(*l, ' ');
        char *q1 = strchr(*l, '"'), *q2 = strrchr(*l, '"');
        if (sp == NULL || q1 == NULL || q2 <= q1)
            continue;
        *sp = '\0';
        if (sp > *l && sp[-1] == '.')
            sp[-1] = '\0';
        *q2 = '\0';
        tab_add(k, *l, q1 + 1);
    }
    g_strfreev(lines);
    g_free(txt);
    return k;
}

static void test_rfc8463_vectors(void **state)
{
    keytab_t *k = rfc8463_keys();
    size_t len;
    char *msg = read_file(SG_TEST_DATA "/dkim/rfc8463-A3-signed.eml", &len);
    assert_non_null(msg);
    GPtrArray *r = verify(k, msg, len, 1528637909);
    assert_int_equal(r->len, 2);
    assert_string_equal(sr(r, 0)->algorithm, "ed25519-sha256");
    assert_string_equal(sr(r, 0)->key_type, "ed25519");
    assert_int_equal(sr(r, 0)->result, DKIM_PASS);
    assert_string_equal(sr(r, 0)->domain, "football.example.com");
    assert_string_equal(sr(r, 0)->selector, "brisbane");
    assert_string_equal(sr(r, 0)->canonicalization, "relaxed/relaxed");
    assert_false(sr(r, 0)->weak);
    assert_string_equal(sr(r, 0)->header_b, "/gCrinpcQOoI");
    assert_string_equal(sr(r, 1)->algorithm, "rsa-sha256");
    assert_int_equal(sr(r, 1)->result, DKIM_PASS);
    assert_int_equal(sr(r, 1)->key_bits, 1024);
    /* over-signed h=: from twice, subject twice, date twice */
    assert_int_equal(sr(r, 1)->signed_headers->len, 8);
    g_ptr_array_unref(r);

    /* The same message with LF line ends still verifies. */
    GString *lf = g_string_new(NULL);
    for (size_t i = 0; i < len; i++)
        if (msg[i] != '\r')
            g_string_append_c(lf, msg[i]);
    r = verify(k, lf->str, lf->len, 1528637909);
    assert_int_equal(sr(r, 0)->result, DKIM_PASS);
    assert_int_equal(sr(r, 1)->result, DKIM_PASS);
    g_ptr_array_unref(r);

    /* A changed body word: body hash mismatch for both. */
    char *hit = strstr(lf->str, "hungry");
    assert_non_null(hit);
    hit[0] = 'H';
    r = verify(k, lf->str, lf->len, 1528637909);
    assert_int_equal(sr(r, 0)->result, DKIM_FAIL);
    assert_string_equal(sr(r, 0)->reason, "body hash mismatch");
    assert_int_equal(sr(r, 1)->result, DKIM_FAIL);
    g_ptr_array_unref(r);
    hit[0] = 'h';

    /* A changed signed header: the signature fails, the body still matches. */
    hit = strstr(lf->str, "Is dinner ready?");
    assert_non_null(hit);
    hit[3] = 'D';
    r = verify(k, lf->str, lf->len, 1528637909);
    assert_int_equal(sr(r, 0)->result, DKIM_FAIL);
    assert_string_equal(sr(r, 0)->reason, "signature did not verify");
    assert_int_equal(sr(r, 1)->result, DKIM_FAIL);
    g_ptr_array_unref(r);
    hit[3] = 'd';

    /* An added From below: over-signing (from listed twice) catches it. */
    char *body = strstr(lf->str, "\n\n");
    assert_non_null(body);
    GString *extra = g_string_new_len(lf->str, body - lf->str + 1);
    g_string_append(extra, "From: attacker@evil.example\n");
    g_string_append(extra, body + 1);
    r = verify(k, extra->str, extra->len, 1528637909);
    assert_int_equal(sr(r, 0)->result, DKIM_FAIL);
    assert_int_equal(sr(r, 1)->result, DKIM_FAIL);
    g_ptr_array_unref(r);
    g_string_free(extra, TRUE);

    /* No key, then DNS failure. */
    keytab_t *empty = tab_new();
    r = verify(empty, lf->str, lf->len, 1528637909);
    assert_int_equal(sr(r, 0)->result, DKIM_PERMERROR);
    assert_non_null(strstr(sr(r, 0)->reason, "brisbane._domainkey.football.example.com"));
    g_ptr_array_unref(r);
    empty->tempfail = true;
    r = verify(empty, lf->str, lf->len, 1528637909);
    assert_int_equal(sr(r, 0)->result, DKIM_TEMPERROR);
    g_ptr_array_unref(r);
    tab_free(empty);

    /* Signed in 2018: a clock in 2017 sees t= in the future. */
    r = verify(k, lf->str, lf->len, 1500000000);
    assert_int_equal(sr(r, 0)->result, DKIM_PERMERROR);
    g_ptr_array_unref(r);

    g_string_free(lf, TRUE);
    g_free(msg);
    tab_free(k);
}

/* ---- key constraints on the RFC 8463 message ---- */

static void test_key_constraints(void **state)
{
    size_t len;
    char *msg = read_file(SG_TEST_DATA "/dkim/rfc8463-A3-signed.eml", &len);
    keytab_t *base = rfc8463_keys();
    const char *rsa = g_hash_table_lookup(base->t, "test._domainkey.football.example.com");
    const char *p = strstr(rsa, "p=");
    struct {
        const char *rec;
        dkim_result_t want;
        const char *reason_part;
        bool testing;
    } cases[] = {
        {"v=DKIM1; k=rsa; p=", DKIM_PERMERROR, "revoked", false},
        {"v=DKIM1; k=rsa; h=sha1; %s", DKIM_PERMERROR, "h=", false},
        {"v=DKIM1; k=rsa; h=sha1:sha256; %s", DKIM_PASS, "verified", false},
        {"v=DKIM1; k=rsa; s=tlsrpt; %s", DKIM_PERMERROR, "s=", false},
        {"v=DKIM1; k=rsa; s=email; %s", DKIM_PASS, "verified", false},
        {"v=DKIM1; k=rsa; t=y; %s", DKIM_PASS, "testing", true},
        {"v=DKIM1; k=rsa; t=s; %s", DKIM_PASS, "verified", false}, /* i=@d exactly */
        {"v=DKIM1; k=ed25519; %s", DKIM_PERMERROR, "undecodable", false},
        {"k=rsa; v=DKIM1; %s", DKIM_PERMERROR, "version", false},
        {"v=DKIM2; %s", DKIM_PERMERROR, "version", false},
        {"v=DKIM1; k=dsa; %s", DKIM_PERMERROR, "k=", false},
        {"%s", DKIM_PASS, "verified", false}, /* k= defaults to rsa */
        /* 512-bit RSA key (dkimpy's sample_dns) */
        {"k=rsa; p=MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBANmBe10IgY+u7h3enWTukkqtUD5PR52Tb/mPfjC0QJTocVBq"
         "6Za/PlzfV+Py92VaCak19F4WrbVTK5Gg5tW220MCAwEAAQ==",
         DKIM_POLICY, "512 bits", false},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        keytab_t *k = tab_new();
        GString *g = g_string_new(cases[i].rec);
        const char *hole = strstr(g->str, "%s");
        if (hole != NULL) {
            gssize at = hole - g->str;
            g_string_erase(g, at, 2);
            g_string_insert(g, at, p);
        }
        char *rec = g_string_free(g, FALSE);
        tab_add(k, "test._domainkey.football.example.com", rec);
        GPtrArray *r = verify(k, msg, len, 1528637909);
        const dkim_sigres_t *s = sr(r, 1);
        if (s->result != cases[i].want || !strstr(s->reason, cases[i].reason_part))
            fail_msg("case %zu (%s): got %s (%s)", i, rec, dkim_result_name(s->result), s->reason);
        assert_int_equal(s->testing, cases[i].testing);
        g_ptr_array_unref(r);
        g_free(rec);
        tab_free(k);
    }
    g_free(msg);
    tab_free(base);
}

/* ---- canonicalisation tables ---- */

static void test_canon_header(void **state)
{
    struct {
        const char *raw;
        dkimsig_canon_t c;
        const char *want;
    } cases[] = {
        {"Subject: Is  dinner\r\n\t ready? ", DKIM_CANON_RELAXED, "subject:Is dinner ready?\r\n"},
        {"SUBJECT :  x", DKIM_CANON_RELAXED, "subject:x\r\n"},
        {"A:", DKIM_CANON_RELAXED, "a:\r\n"},
        {"A: \t ", DKIM_CANON_RELAXED, "a:\r\n"},
        {"X-Y:\r\n a\r\n  b", DKIM_CANON_RELAXED, "x-y:a b\r\n"},
        {"Subject: Is  dinner\r\n\t ready? ", DKIM_CANON_SIMPLE,
         "Subject: Is  dinner\r\n\t ready? \r\n"},
        {"SUBJECT :  x", DKIM_CANON_SIMPLE, "SUBJECT :  x\r\n"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        buf_t b;
        buf_init(&b, 1024);
        assert_int_equal(dkimcanon_header(&b, slice_cstr(cases[i].raw), cases[i].c, true), 0);
        assert_string_equal(b.data, cases[i].want);
        buf_free(&b);
    }
}

static void body_digest(const char *body, dkimsig_canon_t c, uint64_t limit, unsigned char *out,
                        uint64_t *clen)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned dl;
    assert_int_equal(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
    assert_int_equal(dkimcanon_body(ctx, slice_cstr(body), c, limit, clen), 0);
    assert_int_equal(EVP_DigestFinal_ex(ctx, out, &dl), 1);
    EVP_MD_CTX_free(ctx);
}

static void test_canon_body(void **state)
{
    struct {
        const char *body;
        dkimsig_canon_t c;
        const char *want;
    } cases[] = {
        {"", DKIM_CANON_SIMPLE, "\r\n"},
        {"", DKIM_CANON_RELAXED, ""},
        {"\r\n\r\n", DKIM_CANON_SIMPLE, "\r\n"},
        {"\r\n \r\n", DKIM_CANON_RELAXED, ""},
        {"a \r\n\r\n\r\n", DKIM_CANON_SIMPLE, "a \r\n"},
        {"a \t b \r\n\r\nc\t\r\n\r\n", DKIM_CANON_RELAXED, "a b\r\n\r\nc\r\n"},
        {" C \r\nD \t E\r\n\r\n\r\n", DKIM_CANON_RELAXED, " C\r\nD E\r\n"}, /* RFC 6376 3.4.6 */
        {" C \r\nD \t E\r\n\r\n\r\n", DKIM_CANON_SIMPLE, " C \r\nD \t E\r\n"},
        {"no newline", DKIM_CANON_SIMPLE, "no newline\r\n"},
        {"no newline  ", DKIM_CANON_RELAXED, "no newline\r\n"},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        unsigned char got[EVP_MAX_MD_SIZE], want[EVP_MAX_MD_SIZE];
        unsigned wl;
        uint64_t clen;
        body_digest(cases[i].body, cases[i].c, UINT64_MAX, got, &clen);
        EVP_Digest(cases[i].want, strlen(cases[i].want), want, &wl, EVP_sha256(), NULL);
        if (memcmp(got, want, wl) != 0 || clen != strlen(cases[i].want))
            fail_msg("body case %zu", i);
    }
    /* l= cuts the canonical output, and the full length is still known. */
    unsigned char got[EVP_MAX_MD_SIZE], want[EVP_MAX_MD_SIZE];
    unsigned wl;
    uint64_t clen;
    body_digest("hello\r\nworld\r\n", DKIM_CANON_SIMPLE, 7, got, &clen);
    EVP_Digest("hello\r\n", 7, want, &wl, EVP_sha256(), NULL);
    assert_memory_equal(got, want, wl);
    assert_int_equal(clen, 14);
}

/* ---- tag lists and signature fields ---- */

static void test_tag_list(void **state)
{
    dkimsig_tag_t t[DKIMSIG_MAX_TAGS];
    size_t n;
    const char *why;
    assert_int_equal(dkimsig_tags_parse(SLICE_LIT(" a = b c ;\r\n\tx_1=;"), t, 64, &n, &why), 0);
    assert_int_equal(n, 2);
    assert_true(slice_eq_ci(t[0].value, "b c"));
    assert_int_equal(t[1].value.n, 0);
    assert_int_equal(dkimsig_tags_parse(SLICE_LIT(""), t, 64, &n, &why), 0);
    assert_int_equal(n, 0);
    assert_int_equal(dkimsig_tags_parse(SLICE_LIT("a=1; a=2"), t, 64, &n, &why), -1);
    assert_string_equal(why, "duplicate tag");
    assert_int_equal(dkimsig_tags_parse(SLICE_LIT("a=1;;b=2"), t, 64, &n, &why), -1);
    assert_int_equal(dkimsig_tags_parse(SLICE_LIT("1a=1"), t, 64, &n, &why), -1);
    assert_int_equal(dkimsig_tags_parse(SLICE_LIT("a"), t, 64, &n, &why), -1);
    assert_int_equal(dkimsig_tags_parse(SLICE_LIT("a=1;b=2;c=3"), t, 2, &n, &why), -1);
    assert_string_equal(why, "too many tags");
    /* Tag names are case-sensitive: A= is not a=. */
    assert_int_equal(dkimsig_tags_parse(SLICE_LIT("A=1"), t, 64, &n, &why), 0);
    assert_null(dkimsig_tag_find(t, n, "a"));
}

static void test_b64(void **state)
{
    size_t n;
    unsigned char *d = dkimsig_b64_decode(SLICE_LIT(" aGVs\r\n bG8= "), &n);
    assert_non_null(d);
    assert_int_equal(n, 5);
    assert_memory_equal(d, "hello", 5);
    g_free(d);
    assert_null(dkimsig_b64_decode(SLICE_LIT("aGVsbG8=x"), &n));
    assert_null(dkimsig_b64_decode(SLICE_LIT("a==="), &n));
    assert_null(dkimsig_b64_decode(SLICE_LIT("aGVsb!8="), &n));
    d = dkimsig_b64_decode(SLICE_LIT("aGVsbG8"), &n); /* unpadded: accepted */
    assert_non_null(d);
    assert_int_equal(n, 5);
    g_free(d);
}

static void test_sig_parse(void **state)
{
    const char *ok = "v=1; a=rsa-sha256; d=Example.com; s=sel; h=From : to; bh=YQ==; b=YQ==";
    struct {
        const char *extra;
        const char *why; /* NULL: parses */
    } cases[] = {
        {"", NULL},
        {"; c=relaxed", NULL},
        {"; c=relaxed/simple", NULL},
        {"; c=fancy", "bad canonicalization c="},
        {"; i=joe@sub.example.com", NULL},
        {"; i=@EXAMPLE.COM", NULL},
        {"; i=joe@badexample.com", "i= not within d="},
        {"; i=jo=3De@example.com", NULL}, /* dkim-quoted-printable */
        {"; i=joe=40badexample.com", "i= not within d="},
        {"; i=joe=4@example.com", "i= not within d="},
        {"; i=joe=00@example.com", "i= not within d="},
        {"; i=joe@com", "i= not within d="},
        {"; t=10; x=5", "x= earlier than t="},
        {"; t=10; x=10", NULL},
        {"; l=12", NULL},
        {"; l=-1", "bad l="},
        {"; l=1234567890123456789", "bad l="},
        {"; q=dns/txt", NULL},
        {"; q=http", "unsupported query method q="},
        {"; z=From:x", NULL},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        char *v = g_strconcat(ok, cases[i].extra, NULL);
        dkimsig_t *s = NULL;
        const char *why = NULL;
        int rc = dkimsig_parse(slice_cstr(v), DKIMSIG_DKIM, &s, &why);
        if (cases[i].why == NULL) {
            if (rc != 0)
                fail_msg("case %zu: %s", i, why);
        } else {
            /* "bad ..." is a syntax error, the rest unusable signatures */
            assert_int_equal(rc, strncmp(cases[i].why, "bad ", 4) == 0 ? DKIMSIG_ESYNTAX
                                                                       : DKIMSIG_EUNUSABLE);
            assert_string_equal(why, cases[i].why);
        }
        dkimsig_free(s);
        g_free(v);
    }
    struct {
        const char *v;
        const char *why;
    } bad[] = {
        {"a=rsa-sha256; d=example.com; s=sel; h=from; bh=YQ==; b=YQ==", "missing v="},
        {"v=2; a=rsa-sha256; d=example.com; s=sel; h=from; bh=YQ==; b=YQ==",
         "unsupported version v="},
        {"v=1; a=rsa-md5; d=example.com; s=sel; h=from; bh=YQ==; b=YQ==", "unknown algorithm a="},
        {"v=1; a=rsa-sha256; d=example.com; s=sel; h=to; bh=YQ==; b=YQ==",
         "From not signed (h= lacks from)"},
        {"v=1; a=rsa-sha256; d=legitimate.com(.attacker.com; s=sel; h=from; bh=YQ==; b=YQ==",
         "bad domain d="},
        {"v=1; a=rsa-sha256; d=example.com; s=a b; h=from; bh=YQ==; b=YQ==", "bad selector s="},
        {"v=1; a=rsa-sha256; d=example.com; s=sel; h=from:t o; bh=YQ==; b=YQ==",
         "bad header name in h="},
        {"v=1; a=rsa-sha256; d=example.com; s=sel; h=from; bh=YQ==; b=", "bad base64 in b="},
        {"v=1; a=rsa-sha256; d=example.com; s=sel; h=from; b=YQ==", "missing bh="},
        {"v=1; a=rsa-sha256; d=example..com; s=sel; h=from; bh=YQ==; b=YQ==", "bad domain d="},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        dkimsig_t *s = NULL;
        const char *why = NULL;
        int rc = dkimsig_parse(slice_cstr(bad[i].v), DKIMSIG_DKIM, &s, &why);
        assert_int_equal(rc,
                         strncmp(bad[i].why, "bad ", 4) == 0 ? DKIMSIG_ESYNTAX : DKIMSIG_EUNUSABLE);
        assert_string_equal(why, bad[i].why);
        assert_null(s);
    }
    /* 65 names in h= are refused. */
    GString *many = g_string_new("v=1; a=rsa-sha256; d=e.com; s=s; bh=YQ==; b=YQ==; h=from");
    for (int i = 0; i < 64; i++)
        g_string_append(many, ":x");
    dkimsig_t *s = NULL;
    const char *why;
    assert_int_equal(dkimsig_parse(slice_make(many->str, many->len), DKIMSIG_DKIM, &s, &why),
                     DKIMSIG_ESYNTAX);
    assert_string_equal(why, "too many header names in h=");
    g_string_free(many, TRUE);
    /* An empty name in h= selects nothing. */
    assert_int_equal(dkimsig_parse(SLICE_LIT("v=1; a=rsa-sha256; d=e.com; s=s; bh=YQ==; b=YQ==; "
                                             "h=from::to:"),
                                   DKIMSIG_DKIM, &s, &why),
                     0);
    assert_int_equal(s->hfields->len, 4);
    dkimsig_free(s);
    /* ARC kinds */
    assert_int_equal(dkimsig_parse(SLICE_LIT("i=1; a=rsa-sha256; d=e.com; s=s; cv=none; b=YQ=="),
                                   DKIMSIG_AS, &s, &why),
                     0);
    assert_int_equal(s->instance, 1);
    assert_int_equal(s->cv, DKIM_CV_NONE);
    dkimsig_free(s);
    assert_int_equal(dkimsig_parse(SLICE_LIT("i=51; a=rsa-sha256; d=e.com; s=s; cv=none; b=YQ=="),
                                   DKIMSIG_AS, &s, &why),
                     DKIMSIG_EUNUSABLE);
    assert_int_equal(
        dkimsig_parse(SLICE_LIT("i=1; a=rsa-sha256; d=e.com; s=s; cv=none; h=from; b=YQ=="),
                      DKIMSIG_AS, &s, &why),
        DKIMSIG_EUNUSABLE);
    assert_int_equal(
        dkimsig_parse(SLICE_LIT("i=2; a=rsa-sha256; d=e.com; s=s; h=to; bh=YQ==; b=YQ=="),
                      DKIMSIG_AMS, &s, &why),
        0);
    dkimsig_free(s);
}

static void test_key_parse(void **state)
{
    dkimkey_t *k = NULL;
    const char *why;
    assert_int_equal(dkimkey_parse(SLICE_LIT("v=DKIM1; k=ed25519; "
                                             "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="),
                                   &k, &why),
                     0);
    assert_int_equal(k->type, DKIMKEY_ED25519);
    assert_true(k->allow_sha256 && k->allow_sha1);
    dkimkey_free(k);
    /* 31-byte ed25519 key */
    assert_int_equal(
        dkimkey_parse(SLICE_LIT("k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHUQ=="), &k,
                      &why),
        -1);
    /* The same key wrapped in SubjectPublicKeyInfo (OID 1.3.101.112). */
    assert_int_equal(dkimkey_parse(SLICE_LIT("k=ed25519; p=MCowBQYDK2VwAyEA11qYAYKxCrfVS/"
                                             "7TyWQHOg7hcvPapiMlrwIaaPcHURo="),
                                   &k, &why),
                     0);
    assert_int_equal(EVP_PKEY_get_base_id(k->pkey), EVP_PKEY_ED25519);
    dkimkey_free(k);
    /* An RSA SPKI under k=ed25519 is refused. */
    assert_int_equal(dkimkey_parse(SLICE_LIT("k=ed25519; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDk"
                                             "HlOQoBTzWRiGs5V6NpP3idY6Wk08a5qhdR6wy5bdOKb2jLQiY/"
                                             "J16JYi0Qvx/byYzCNb3W91y3FutACDfzwQ/BC/e/8uBsCR+"
                                             "yz1Lxj+PL6lHvqMKrM3rG4hstT5QjvHO9PzoxZyVYLzBfO2EeC3"
                                             "Ip3G+2kryOTIKT+l/K4w3QIDAQAB"),
                                   &k, &why),
                     -1);
    assert_int_equal(dkimkey_parse(SLICE_LIT("k=rsa; p=AAAA"), &k, &why), -1);
    assert_string_equal(why, "undecodable public key p=");
    assert_int_equal(dkimkey_parse(SLICE_LIT("k=rsa"), &k, &why), -1);
    assert_int_equal(dkimkey_parse(SLICE_LIT("k=rsa; p= ; t=y:s"), &k, &why), 0);
    assert_true(k->revoked && k->testing && k->strict);
    dkimkey_free(k);
    assert_int_equal(dkimkey_parse(SLICE_LIT("k=rsa; p=%%%"), &k, &why), -1);
    assert_int_equal(dkimkey_parse(SLICE_LIT("k=rsa; h=sha512; p="), &k, &why), 0);
    assert_false(k->allow_sha1 || k->allow_sha256);
    dkimkey_free(k);
}

/* ---- dkimpy's test data, in place ---- */

static const char gmail_key[] =
    "k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA1Kd87/UeJjenpabgbFwh"
    "+eBCsSTrqmwIYYvywlbhbqoo2DymndFkbjOVIPIldNs/m40KF+yzMn1skyoxcTUGCQ"
    "s8g3FgD2Ap3ZB5DekAo5wMmk4wimDO+U8QzI3SD07y2+07wlNWwIt8svnxgdxGkVbb"
    "hzY8i+RQ9DpSVpPbF7ykQxtKXkv/ahW3KjViiAH+ghvvIhkx4xYSIc9oSwVmAl5Oct"
    "MEeWUwg8Istjqz8BZeTWbf41fbNhte7Y+YqZOwq1Sd0DbvYAD9NOZK9vlfuac0598H"
    "Y+vtSBczUiKERHv1yRbcaQtZFh5wtiRrN04BLUTD21MycBX5jYchHjPY/wIDAQAB";

static void add_file_key(keytab_t *k, const char *name, const char *file)
{
    size_t len;
    char *path = g_build_filename(DKIMPY_DATA, file, NULL);
    char *rec = read_file(path, &len);
    assert_non_null(rec);
    tab_add(k, name, rec);
    g_free(rec);
    g_free(path);
}

static void test_dkimpy_data(void **state)
{
    if (!g_file_test(DKIMPY_DATA "/test.txt", G_FILE_TEST_EXISTS)) {
        print_message("dkimpy test data not installed (python3-dkim); skipped\n");
        return;
    }
    keytab_t *k = tab_new();
    add_file_key(k, "test._domainkey.football.example.com", "test.txt");
    add_file_key(k, "test._domainkey.example.com", "test.txt");
    add_file_key(k, "sed._domainkey.test.ex", "eximtest.dns");
    tab_add(k, "brisbane._domainkey.football.example.com",
            "v=DKIM1; k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=");
    tab_add(k, "20120113._domainkey.gmail.com", gmail_key);
    struct {
        const char *file;
        int n;
        dkim_result_t want[2];
    } cases[] = {
        {"rfc6376.signed.msg", 2, {DKIM_PASS, DKIM_PASS}}, /* test_double_previous_verifies */
        {"rfc6376.signed.rsa.msg", 1, {DKIM_PASS}},        /* RFC 8463 RSA only */
        {"test2.message", 1, {DKIM_PASS}},                 /* test_degenerate_folding */
        {"ed25519test2.msg", 1, {DKIM_PASS}},              /* test_verify_third_party (Exim) */
        {"test.message.baddomain", 1, {DKIM_NEUTRAL}},     /* test_invalid_domain_verify */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        size_t len;
        char *path = g_build_filename(DKIMPY_DATA, cases[i].file, NULL);
        char *msg = read_file(path, &len);
        assert_non_null(msg);
        GPtrArray *r = verify(k, msg, len, 0);
        if ((int)r->len != cases[i].n)
            fail_msg("%s: %u signatures", cases[i].file, r->len);
        for (int j = 0; j < cases[i].n; j++)
            if (sr(r, (guint)j)->result != cases[i].want[j])
                fail_msg("%s sig %d: %s (%s)", cases[i].file, j,
                         dkim_result_name(sr(r, (guint)j)->result), sr(r, (guint)j)->reason);
        g_ptr_array_unref(r);
        g_free(msg);
        g_free(path);
    }
    tab_free(k);

    /* dkimpy's key-record files against the RSA signature they belong to. */
    struct {
        const char *file;
        dkim_result_t want;
    } recs[] = {
        {"test.txt", DKIM_PASS},             /* k=rsa */
        {"test2.txt", DKIM_PASS},            /* test_implicit_k: no k= */
        {"badversion.txt", DKIM_PERMERROR},  /* test_bad_version: "v=DKIM1:" */
        {"badk.txt", DKIM_PERMERROR},        /* test_unknown_k: k=ed25519-sha256 */
        {"test_bad.txt", DKIM_PERMERROR},    /* p= damaged */
        {"test_tlsrpt.txt", DKIM_PERMERROR}, /* s=tlsrpt: not for email */
    };
    size_t len;
    char *msg = read_file(DKIMPY_DATA "/rfc6376.signed.rsa.msg", &len);
    assert_non_null(msg);
    for (size_t i = 0; i < G_N_ELEMENTS(recs); i++) {
        keytab_t *kt = tab_new();
        add_file_key(kt, "test._domainkey.football.example.com", recs[i].file);
        GPtrArray *r = verify(kt, msg, len, 0);
        if (sr(r, 0)->result != recs[i].want)
            fail_msg("key %s: %s (%s)", recs[i].file, dkim_result_name(sr(r, 0)->result),
                     sr(r, 0)->reason);
        g_ptr_array_unref(r);
        tab_free(kt);
    }
    g_free(msg);
    /* Public keys in both RSA encodings parse, with their sizes. */
    struct {
        const char *file;
        unsigned bits;
    } pubs[] = {
        {"1024_testkey_wo_markers.pub.txt", 1024},
        {"1024_testkey_wo_markers.pub.rsa.txt", 1024},
        {"2048_testkey_wo_markers.pub.txt", 2048},
        {"2048_testkey_wo_markers.pub.rsa.txt", 2048},
        {"2048_testkey_PKCS8.key.pub.txt", 2048},
        {"eximtest.dns", 256},
        {"ed25519test.dns", 256},
    };
    for (size_t i = 0; i < G_N_ELEMENTS(pubs); i++) {
        char *path = g_build_filename(DKIMPY_DATA, pubs[i].file, NULL);
        char *rec = read_file(path, &len);
        assert_non_null(rec);
        dkimkey_t *key = NULL;
        const char *why = NULL;
        if (dkimkey_parse(slice_make(rec, len), &key, &why) != 0)
            fail_msg("%s: %s", pubs[i].file, why);
        assert_int_equal(key->bits, pubs[i].bits);
        dkimkey_free(key);
        g_free(rec);
        g_free(path);
    }
}

/* ---- Stalwart's real signed messages ---- */

/* "name value" lines, an empty line, then the message. */
static char *load_stalwart(const char *path, keytab_t *k, size_t *mlen)
{
    size_t len;
    char *d = read_file(path, &len);
    assert_non_null(d);
    char *sep = strstr(d, "\n\n");
    assert_non_null(sep);
    *sep = '\0';
    gchar **lines = g_strsplit(d, "\n", -1);
    for (gchar **l = lines; *l; l++) {
        char *sp = strchr(*l, ' ');
        if (sp == NULL)
            continue;
        *sp = '\0';
        tab_add(k, *l, sp + 1);
    }
    g_strfreev(lines);
    size_t off = (size_t)(sep + 2 - d);
    *mlen = len - off;
    char *m = g_memdup2(d + off, *mlen);
    g_free(d);
    return m;
}

static void test_stalwart_messages(void **state)
{
    GDir *dir = g_dir_open(SG_TEST_DATA "/dkim/stalwart", 0, NULL);
    assert_non_null(dir);
    const char *name;
    int files = 0, sigs = 0;
    while ((name = g_dir_read_name(dir)) != NULL) {
        if (!g_str_has_suffix(name, ".txt"))
            continue;
        char *path = g_build_filename(SG_TEST_DATA "/dkim/stalwart", name, NULL);
        keytab_t *k = tab_new();
        size_t len;
        char *msg = load_stalwart(path, k, &len);
        /* 2022-11-08, when the newest of them was received: 005.txt has x=. */
        GPtrArray *r = verify(k, msg, len, 1667900000);
        assert_true(r->len >= 1);
        for (guint j = 0; j < r->len; j++) {
            if (sr(r, j)->result != DKIM_PASS)
                fail_msg("%s sig %u (d=%s): %s (%s)", name, j, sr(r, j)->domain,
                         dkim_result_name(sr(r, j)->result), sr(r, j)->reason);
            sigs++;
        }
        g_ptr_array_unref(r);
        /* After x=, 005 is expired. */
        if (strcmp(name, "005.txt") == 0) {
            r = verify(k, msg, len, 1667930065);
            assert_int_equal(sr(r, 0)->result, DKIM_PERMERROR);
            assert_non_null(strstr(sr(r, 0)->reason, "expired"));
            g_ptr_array_unref(r);
        }
        g_free(msg);
        tab_free(k);
        g_free(path);
        files++;
    }
    g_dir_close(dir);
    print_message("stalwart: %d messages, %d signatures pass\n", files, sigs);
    assert_int_equal(files, 6);
}

/* ---- splitting the raw message ---- */

static void test_msg_split(void **state)
{
    const char raw[] = "From : a\nSubject: x\n\ty\r\nNoColonLine\n\n\nbody\n";
    dkimmsg_t *m = dkimmsg_parse(raw, sizeof raw - 1);
    assert_int_equal(m->fields->len, 3);
    assert_true(slice_eq_ci(dkimmsg_field(m, 0)->name, "From")); /* WSP before ':' dropped */
    assert_int_equal(dkimmsg_field(m, 1)->raw.n, strlen("Subject: x\r\n\ty"));
    assert_memory_equal(dkimmsg_field(m, 1)->raw.p, "Subject: x\r\n\ty", 14);
    assert_int_equal(dkimmsg_field(m, 2)->name.n, 0); /* never matches h= */
    assert_true(m->has_body);
    assert_int_equal(m->body.n, strlen("\r\nbody\r\n"));
    dkimmsg_free(m);
    m = dkimmsg_parse("A: b", 4); /* no body, no final newline */
    assert_int_equal(m->fields->len, 1);
    assert_false(m->has_body);
    assert_int_equal(m->body.n, 0);
    dkimmsg_free(m);
    m = dkimmsg_parse("\nbody only\n", 11);
    assert_int_equal(m->fields->len, 0);
    assert_true(m->has_body);
    dkimmsg_free(m);
    m = dkimmsg_parse(NULL, 0);
    assert_int_equal(m->fields->len, 0);
    dkimmsg_free(m);
}

/* Unsigned header fields may be added anywhere; signed ones may not. */
static void test_added_fields(void **state)
{
    keytab_t *k = rfc8463_keys();
    size_t len;
    char *msg = read_file(SG_TEST_DATA "/dkim/rfc8463-A3-signed.eml", &len);
    GString *m = g_string_new("Received: from relay.example by mx.example\r\n");
    g_string_append_len(m, msg, (gssize)len);
    char *to = strstr(m->str, "To: Suzie");
    g_string_insert(m, to - m->str, "X-Added: anything\r\nCc: someone@example.net\r\n");
    GPtrArray *r = verify(k, m->str, m->len, 1528637909);
    assert_int_equal(sr(r, 0)->result, DKIM_PASS);
    assert_int_equal(sr(r, 1)->result, DKIM_PASS);
    assert_int_equal(sr(r, 1)->unsigned_copies->len, 0);
    g_ptr_array_unref(r);
    /* Message-ID is signed once, not over-signed: selection is bottom-up,
     * so a second one added above the original is not selected... */
    g_string_prepend(m, "Message-ID: <forged@evil.example>\r\n");
    r = verify(k, m->str, m->len, 1528637909);
    assert_int_equal(sr(r, 1)->result, DKIM_PASS);
    assert_int_equal(sr(r, 1)->unsigned_copies->len, 1); /* but flagged */
    assert_string_equal(sr(r, 1)->unsigned_copies->pdata[0], "message-id");
    g_ptr_array_unref(r);
    /* From is over-signed (listed twice for one field): a From added above
     * fails, and is not reported as unsigned. */
    GString *f = g_string_new("From: ceo@bank.example\r\n");
    g_string_append_len(f, msg, (gssize)len);
    r = verify(k, f->str, f->len, 1528637909);
    assert_int_equal(sr(r, 1)->result, DKIM_FAIL);
    assert_int_equal(sr(r, 1)->unsigned_copies->len, 0);
    g_ptr_array_unref(r);
    g_string_free(f, TRUE);
    /* ...while one added below the original is selected and breaks it. */
    char *body = strstr(m->str, "\r\n\r\n");
    g_string_insert(m, body - m->str + 2, "Message-ID: <forged2@evil.example>\r\n");
    r = verify(k, m->str, m->len, 1528637909);
    assert_int_equal(sr(r, 1)->result, DKIM_FAIL);
    g_ptr_array_unref(r);
    g_string_free(m, TRUE);
    g_free(msg);
    tab_free(k);
}

/* ---- key cache and lookup budget ---- */

static void test_key_cache(void **state)
{
    keytab_t *k = rfc8463_keys();
    size_t len;
    char *msg = read_file(SG_TEST_DATA "/dkim/rfc8463-A3-signed.eml", &len);
    dkim_opts_t o = {tab_lookup, k, 1528637909, 0, dkim_keycache_new()};
    for (int round = 0; round < 3; round++) {
        GPtrArray *r = dkim_verify(msg, len, &o);
        assert_int_equal(sr(r, 0)->result, DKIM_PASS);
        assert_int_equal(sr(r, 1)->result, DKIM_PASS);
        g_ptr_array_unref(r);
    }
    assert_int_equal(k->calls, 2); /* each name asked once */
    dkim_keycache_free(o.keys);
    /* The budget: distinct names beyond DKIM_MAX_KEY_LOOKUPS are not asked. */
    o.keys = dkim_keycache_new();
    k->calls = 0;
    for (int i = 0; i < DKIM_MAX_KEY_LOOKUPS + 5; i++) {
        char sel[32];
        g_snprintf(sel, sizeof sel, "s%d", i);
        dkimkey_t *key = NULL;
        char *why = NULL;
        dkim_result_t rc = dkim_fetch_key(&o, sel, "football.example.com", &key, &why);
        if (i < DKIM_MAX_KEY_LOOKUPS) {
            assert_int_equal(rc, DKIM_PERMERROR); /* no such record */
        } else {
            assert_int_equal(rc, DKIM_TEMPERROR);
            assert_non_null(strstr(why, "key lookups"));
        }
        assert_null(key);
        g_free(why);
    }
    assert_int_equal(k->calls, DKIM_MAX_KEY_LOOKUPS);
    dkim_keycache_free(o.keys);
    g_free(msg);
    tab_free(k);
}

/* ---- hostile shapes ---- */

static void test_hostile(void **state)
{
    keytab_t *k = rfc8463_keys();
    const char *inputs[] = {
        "",
        "\n",
        "DKIM-Signature:",
        "DKIM-Signature: v=1; a=rsa-sha256; d=a; s=b; h=from; bh=YQ==; b=YQ==",
        "DKIM-Signature: v=1; a=rsa-sha256; d=football.example.com; s=test; h=from:from:from; "
        "bh=YQ==; b=YQ==\n\nbody",
        " continuation first\nDKIM-Signature: b=\n",
        "DKIM-Signature: ;;;;\r\n\r\n",
        "no colon line\nDKIM-Signature\n\n",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(inputs); i++) {
        GPtrArray *r = verify(k, inputs[i], strlen(inputs[i]), 0);
        for (guint j = 0; j < r->len; j++)
            assert_int_not_equal(sr(r, j)->result, DKIM_PASS);
        g_ptr_array_unref(r);
    }
    /* What an unparsable signature claimed is reported, made printable. */
    const char esc[] =
        "DKIM-Signature: v=1; a=rsa-sha256; d=evil\x1b[2J.example; s=\xff\x01; b=YQ==\n\n";
    GPtrArray *e = verify(k, esc, sizeof esc - 1, 0);
    assert_int_equal(sr(e, 0)->result, DKIM_NEUTRAL); /* bad d= is a syntax error */
    assert_string_equal(sr(e, 0)->domain, "evil?[2J.example");
    assert_null(strchr(sr(e, 0)->selector, 1));
    g_ptr_array_unref(e);
    /* More signatures than the limit: the rest are not verified. */
    GString *many = g_string_new(NULL);
    for (int i = 0; i < 20; i++)
        g_string_append(many, "DKIM-Signature: v=1; a=rsa-sha256; d=football.example.com; "
                              "s=test; h=from; bh=YQ==; b=YQ==\n");
    g_string_append(many, "From: x\n\nbody\n");
    GPtrArray *r = verify(k, many->str, many->len, 0);
    assert_int_equal(r->len, 20);
    assert_non_null(strstr(sr(r, 19)->reason, "more than 16"));
    g_ptr_array_unref(r);
    g_string_free(many, TRUE);
    tab_free(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8463_vectors), cmocka_unit_test(test_key_constraints),
        cmocka_unit_test(test_canon_header),    cmocka_unit_test(test_canon_body),
        cmocka_unit_test(test_tag_list),        cmocka_unit_test(test_b64),
        cmocka_unit_test(test_sig_parse),       cmocka_unit_test(test_key_parse),
        cmocka_unit_test(test_dkimpy_data),     cmocka_unit_test(test_stalwart_messages),
        cmocka_unit_test(test_msg_split),       cmocka_unit_test(test_added_fields),
        cmocka_unit_test(test_key_cache),       cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
