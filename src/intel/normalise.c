/*
 * normalise.c - NFKC, invisible/combining removal, confusable skeletons
 * through ICU; see normalise.h.
 */
#include "intel/normalise.h"

#include <glib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>

static __thread USpoofChecker *spoof;

static UChar *to_utf16(const char *utf8, size_t max, int32_t *len)
{
    UErrorCode e = U_ZERO_ERROR;
    size_t n = strnlen(utf8, max);
    while (n > 0 && utf8[n] != '\0' && ((unsigned char)utf8[n] & 0xc0) == 0x80)
        n--; /* cut on a character boundary */
    int32_t need = 0;
    u_strFromUTF8WithSub(NULL, 0, &need, utf8, (int32_t)n, 0xfffd, NULL, &e);
    e = U_ZERO_ERROR;
    UChar *u = g_new(UChar, need + 1);
    u_strFromUTF8WithSub(u, need + 1, len, utf8, (int32_t)n, 0xfffd, NULL, &e);
    if (U_FAILURE(e)) {
        *len = 0;
        u[0] = 0;
    }
    return u;
}

static char *to_utf8(const UChar *u, int32_t len)
{
    UErrorCode e = U_ZERO_ERROR;
    int32_t need = 0;
    u_strToUTF8WithSub(NULL, 0, &need, u, len, 0xfffd, NULL, &e);
    e = U_ZERO_ERROR;
    char *s = g_malloc((gsize)need + 1);
    u_strToUTF8WithSub(s, need + 1, NULL, u, len, 0xfffd, NULL, &e);
    if (U_FAILURE(e))
        s[0] = '\0';
    s[need] = '\0';
    return s;
}

static bool is_invisible(UChar32 c)
{
    if (u_hasBinaryProperty(c, UCHAR_DEFAULT_IGNORABLE_CODE_POINT))
        return true;
    int8_t t = u_charType(c);
    return t == U_FORMAT_CHAR || (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0xe0100 && c <= 0xe01ef);
}

char *normalise_text(const char *utf8, normalise_flags_t *flags)
{
    return normalise_text_n(utf8, NORMALISE_MAX_BYTES, flags);
}

static bool all_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return true;
}

char *normalise_text_n(const char *utf8, size_t max_bytes, normalise_flags_t *flags)
{
    normalise_flags_t f = {0};
    if (utf8 == NULL)
        utf8 = "";
    size_t in_len = strnlen(utf8, max_bytes);
    if (all_ascii(utf8, in_len)) {
        /* ASCII is its own NFKC and holds no invisible, combining or
         * non-Latin letter: the answer is the input, with no flags */
        if (flags)
            *flags = f;
        return g_strndup(utf8, in_len);
    }
    int32_t len = 0;
    UChar *in = to_utf16(utf8 ? utf8 : "", max_bytes, &len);
    UErrorCode e = U_ZERO_ERROR;
    const UNormalizer2 *nfkc = unorm2_getNFKCInstance(&e);
    UChar *norm = NULL;
    int32_t nlen = 0;
    if (U_SUCCESS(e)) {
        int32_t cap = len * 4 + 16; /* NFKC expands at most 18x, but rarely past 3x */
        norm = g_new(UChar, cap);
        nlen = unorm2_normalize(nfkc, in, len, norm, cap, &e);
        if (e == U_BUFFER_OVERFLOW_ERROR) {
            e = U_ZERO_ERROR;
            g_free(norm);
            cap = nlen + 1;
            norm = g_new(UChar, cap);
            nlen = unorm2_normalize(nfkc, in, len, norm, cap, &e);
        }
        if (U_FAILURE(e)) {
            g_free(norm);
            norm = NULL;
        }
    }
    if (norm == NULL) {
        norm = g_memdup2(in, sizeof(UChar) * ((gsize)len + 1));
        nlen = len;
    }
    if (nlen != len || memcmp(norm, in, sizeof(UChar) * (size_t)len) != 0)
        f.compat++;
    /* filter in place */
    UChar *out = g_new(UChar, nlen + 1);
    int32_t o = 0;
    UScriptCode word_script = USCRIPT_COMMON;
    for (int32_t i = 0; i < nlen;) {
        UChar32 c;
        U16_NEXT(norm, i, nlen, c);
        if (is_invisible(c)) {
            f.invisible++;
            continue;
        }
        int8_t t = u_charType(c);
        if (t == U_NON_SPACING_MARK || t == U_ENCLOSING_MARK || t == U_COMBINING_SPACING_MARK) {
            f.combining++;
            continue;
        }
        if (flags == NULL) {
            /* bodies: only the text is wanted, not the script statistics */
        } else if (u_isalpha(c)) {
            UScriptCode sc = uscript_getScript(c, &e);
            if (U_FAILURE(e))
                e = U_ZERO_ERROR;
            else if (sc != USCRIPT_COMMON && sc != USCRIPT_INHERITED) {
                /* Japanese mixes Han, Hiragana, Katakana in one word by design */
                bool ja = sc == USCRIPT_HAN || sc == USCRIPT_HIRAGANA || sc == USCRIPT_KATAKANA;
                bool wja = word_script == USCRIPT_HAN || word_script == USCRIPT_HIRAGANA ||
                           word_script == USCRIPT_KATAKANA;
                if (word_script != USCRIPT_COMMON && sc != word_script && !(ja && wja))
                    f.mixed_script = true;
                word_script = sc;
            }
        } else if (!u_isdigit(c)) {
            word_script = USCRIPT_COMMON;
        }
        U16_APPEND_UNSAFE(out, o, c);
    }
    char *res = to_utf8(out, o);
    g_free(out);
    g_free(norm);
    g_free(in);
    if (flags)
        *flags = f;
    return res;
}

/* The skeleton maps each character on its own (UTS #39 section 4): for
 * ASCII, a table of ICU's answers per character gives the same result
 * without the UTF-16 round trip. A character whose prototype is not ASCII
 * has no entry (NFD could then reorder across characters), and a string
 * holding one goes to ICU. */
static char *ascii_proto[128]; /* written once, then read-only */
static GOnce ascii_proto_once = G_ONCE_INIT;

static char *icu_skeleton(USpoofChecker *checker, const char *n)
{
    UErrorCode e = U_ZERO_ERROR;
    size_t len = strlen(n);
    int32_t cap = (int32_t)MIN(len * 3 + 16, (size_t)G_MAXINT32 / 2);
    char *sk = g_malloc((gsize)cap);
    int32_t need = uspoof_getSkeletonUTF8(checker, 0, n, -1, sk, cap, &e);
    if (e == U_BUFFER_OVERFLOW_ERROR || e == U_STRING_NOT_TERMINATED_WARNING) {
        e = U_ZERO_ERROR;
        g_free(sk);
        sk = g_malloc((gsize)need + 1);
        uspoof_getSkeletonUTF8(checker, 0, n, -1, sk, need + 1, &e);
    }
    if (U_FAILURE(e)) {
        g_free(sk);
        return NULL;
    }
    return sk;
}

static gpointer ascii_proto_init(gpointer checker)
{
    for (int c = 1; c < 128; c++) {
        char one[2] = {(char)c, '\0'};
        char *sk = icu_skeleton(checker, one);
        if (sk && all_ascii(sk, strlen(sk)))
            ascii_proto[c] = sk;
        else
            g_free(sk);
    }
    return NULL;
}

char *normalise_skeleton(const char *utf8)
{
    UErrorCode e = U_ZERO_ERROR;
    if (spoof == NULL) {
        spoof = uspoof_open(&e);
        if (U_FAILURE(e))
            spoof = NULL;
    }
    char *n = normalise_text(utf8, NULL);
    if (spoof == NULL)
        return n;
    g_once(&ascii_proto_once, ascii_proto_init, spoof);
    size_t len = strlen(n);
    if (all_ascii(n, len)) {
        GString *out = g_string_sized_new(len + 8);
        size_t i = 0;
        for (; i < len && ascii_proto[(unsigned char)n[i]]; i++)
            g_string_append(out, ascii_proto[(unsigned char)n[i]]);
        if (i == len) {
            g_free(n);
            char *low = g_ascii_strdown(out->str, (gssize)out->len);
            g_string_free(out, TRUE);
            return low;
        }
        g_string_free(out, TRUE);
    }
    char *sk = icu_skeleton(spoof, n);
    if (sk == NULL)
        return n;
    g_free(n);
    char *low = g_utf8_strdown(sk, -1);
    g_free(sk);
    return low;
}
