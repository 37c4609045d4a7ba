/*
 * charset.c - text part bytes to UTF-8; see charset.h.
 *
 * Conversion goes through GLib's g_convert (iconv underneath). The one
 * hand-written piece is iso2022jp_to_sjis(): glibc's ISO-2022-JP decoders
 * reject the NEC/IBM extension characters that Windows mailers put in
 * "iso-2022-jp" mail (CP50220 and friends, no glibc codec), while CP932,
 * which holds the same characters, is there. JIS X 0208 rows map to
 * Shift_JIS by a fixed arithmetic rule (JIS X 0208 Annex 1), so we rewrite
 * the escape-sequence form into its Shift_JIS image and convert that.
 */
#include "mail/charset.h"

#include <glib.h>
#include <string.h>
#include <uchardet/uchardet.h>

static const struct alias {
    const char *label;
    const char *iconv;
} aliases[] = {
    {"shift_jis", "CP932"},
    {"shift-jis", "CP932"},
    {"sjis", "CP932"},
    {"x-sjis", "CP932"},
    {"ms_kanji", "CP932"},
    {"windows-31j", "CP932"},
    {"cp932", "CP932"},
    {"csshiftjis", "CP932"},
    {"euc-jp", "EUC-JP-MS"},
    {"x-euc-jp", "EUC-JP-MS"},
    {"eucjp", "EUC-JP-MS"},
    {"iso-2022-jp", "ISO-2022-JP"},
    {"iso-2022-jp-2", "ISO-2022-JP-2"},
    {"iso-2022-jp-3", "ISO-2022-JP-3"},
    {"csiso2022jp", "ISO-2022-JP"},
    {"gb2312", "GB18030"},
    {"gbk", "GB18030"},
    {"gb18030", "GB18030"},
    {"cp936", "GB18030"},
    {"x-gbk", "GB18030"},
    {"euc-cn", "GB18030"},
    {"big5", "BIG5-HKSCS"},
    {"ks_c_5601-1987", "CP949"},
    {"euc-kr", "CP949"},
    {"iso-8859-1", "WINDOWS-1252"},
    {"latin1", "WINDOWS-1252"},
    {"us-ascii", "WINDOWS-1252"},
    {"ascii", "WINDOWS-1252"},
    {"utf8", "UTF-8"},
    {"utf-8", "UTF-8"},
    {"unicode-1-1-utf-7", "UTF-7"},
};

const char *charset_canonical(const char *label, char *out, size_t n)
{
    char low[64];
    size_t i = 0;
    if (label == NULL)
        label = "";
    while (*label == '"' || *label == ' ')
        label++;
    for (; label[i] && label[i] != '"' && i + 1 < sizeof low; i++)
        low[i] = g_ascii_tolower(label[i]);
    while (i > 0 && low[i - 1] == ' ')
        i--;
    low[i] = '\0';
    for (size_t k = 0; k < G_N_ELEMENTS(aliases); k++)
        if (strcmp(low, aliases[k].label) == 0) {
            g_strlcpy(out, aliases[k].iconv, n);
            return out;
        }
    for (size_t k = 0; low[k]; k++)
        low[k] = g_ascii_toupper(low[k]);
    g_strlcpy(out, low, n);
    return out;
}

static bool has_8bit(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)p[i] >= 0x80)
            return true;
    return false;
}

static bool has_jis_escape(const char *p, size_t n)
{
    for (size_t i = 0; i + 2 < n; i++)
        if (p[i] == 0x1b && p[i + 1] == '$' && (p[i + 2] == 'B' || p[i + 2] == '@'))
            return true;
    return false;
}

/* Charsets whose bytes below 0x80 are ASCII: 7-bit text in them converts
 * to itself. (Not ISO-2022-*, UTF-7, HZ or UTF-16, whose 7-bit bytes mean
 * other characters, nor labels iconv may not know.) */
static bool ascii_compatible(const char *cs)
{
    static const char *const prefixes[] = {"WINDOWS-125", "ISO-8859-", "KOI8-"};
    static const char *const exact[] = {"CP932", "EUC-JP-MS", "GB18030", "BIG5-HKSCS", "CP949"};
    for (size_t i = 0; i < G_N_ELEMENTS(prefixes); i++)
        if (strncmp(cs, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    for (size_t i = 0; i < G_N_ELEMENTS(exact); i++)
        if (strcmp(cs, exact[i]) == 0)
            return true;
    return false;
}

/* iconv_open() costs a search of glibc's converter modules: the handles
 * are kept per thread, a few charsets at a time (mail mostly uses two or
 * three), and reset before each use. */
#define ICONV_CACHE 8
#define ICONV_NAME_MAX 32
typedef struct iconv_cache {
    char name[ICONV_NAME_MAX];
    GIConv cd;
} iconv_cache_t;

static void iconv_cache_free(gpointer p)
{
    iconv_cache_t *c = p;
    for (int i = 0; i < ICONV_CACHE; i++)
        if (c[i].name[0])
            g_iconv_close(c[i].cd);
    g_free(c);
}

static GPrivate iconv_key = G_PRIVATE_INIT(iconv_cache_free);

/* A reset handle from UTF-8's point of view, or (GIConv)-1 if iconv does
 * not know the charset. */
static GIConv iconv_for(const char *from)
{
    iconv_cache_t *c = g_private_get(&iconv_key);
    if (c == NULL) {
        c = g_new0(iconv_cache_t, ICONV_CACHE);
        g_private_set(&iconv_key, c);
    }
    for (int i = 0; i < ICONV_CACHE; i++) {
        if (c[i].name[0] && strcmp(c[i].name, from) == 0) {
            g_iconv(c[i].cd, NULL, NULL, NULL, NULL);
            return c[i].cd;
        }
    }
    GIConv cd = g_iconv_open("UTF-8", from);
    if (cd == (GIConv)-1 || from[0] == '\0' || strlen(from) >= ICONV_NAME_MAX)
        return cd; /* unknown, or too long a name to keep (caller closes) */
    /* the last slot gives way; earlier slots keep the common charsets */
    int slot = ICONV_CACHE - 1;
    for (int i = 0; i < ICONV_CACHE; i++)
        if (!c[i].name[0]) {
            slot = i;
            break;
        }
    if (c[slot].name[0])
        g_iconv_close(c[slot].cd);
    g_strlcpy(c[slot].name, from, sizeof c[slot].name);
    c[slot].cd = cd;
    return cd;
}

/* Convert strictly; NULL if the charset is unknown or any byte is invalid.
 * *unknown is set when iconv does not know the charset at all. */
static char *convert(const char *p, size_t n, const char *from, size_t *outlen, bool *unknown)
{
    GError *err = NULL;
    gsize rd = 0, wr = 0;
    if (strcmp(from, "UTF-8") == 0) {
        const char *end;
        if (!g_utf8_validate_len(p, n, &end))
            return NULL;
        *outlen = n;
        return g_strndup(p, n);
    }
    if (!has_8bit(p, n) && ascii_compatible(from)) {
        *outlen = n;
        return g_strndup(p, n);
    }
    /* "" would make iconv use the locale's charset: no label is unknown */
    GIConv cd = from[0] ? iconv_for(from) : (GIConv)-1;
    if (cd == (GIConv)-1) {
        if (unknown)
            *unknown = true;
        return NULL;
    }
    char *r = g_convert_with_iconv(p, (gssize)n, cd, &rd, &wr, &err);
    if (strlen(from) >= ICONV_NAME_MAX)
        g_iconv_close(cd); /* not kept by iconv_for */
    if (r == NULL) {
        g_clear_error(&err);
        return NULL;
    }
    if (rd != n) {
        g_free(r);
        return NULL;
    }
    *outlen = wr;
    return r;
}

/* ISO-2022-JP (any JIS X 0208 extension set) to its Shift_JIS image. */
static char *iso2022jp_to_sjis(const char *p, size_t n, size_t *outlen)
{
    enum { ASCII, KANJI, KANA } mode = ASCII;
    GString *o = g_string_sized_new(n);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == 0x1b && i + 2 < n) {
            const char *e = p + i + 1;
            if (e[0] == '$' && (e[1] == 'B' || e[1] == '@')) {
                mode = KANJI;
                i += 2;
                continue;
            }
            if (e[0] == '$' && e[1] == '(' && i + 3 < n) { /* JIS X 0213 / 0212 */
                mode = KANJI;
                i += 3;
                continue;
            }
            if (e[0] == '(' && (e[1] == 'B' || e[1] == 'J')) {
                mode = ASCII;
                i += 2;
                continue;
            }
            if (e[0] == '(' && e[1] == 'I') {
                mode = KANA;
                i += 2;
                continue;
            }
        }
        if (c == 0x0e) {
            mode = KANA;
            continue;
        }
        if (c == 0x0f || c == '\n' || c == '\r') {
            if (c != 0x0f)
                g_string_append_c(o, (char)c);
            mode = c == 0x0f ? ASCII : mode;
            continue;
        }
        if (mode == KANJI && c >= 0x21 && c <= 0x7e && i + 1 < n) {
            unsigned c2 = (unsigned char)p[i + 1];
            if (c2 >= 0x21 && c2 <= 0x7e) {
                unsigned s1 = ((c + 1u) >> 1) + (c <= 0x5e ? 0x70u : 0xb0u);
                unsigned s2 = c2 + ((c & 1u) ? (c2 >= 0x60 ? 0x20u : 0x1fu) : 0x7eu);
                g_string_append_c(o, (char)s1);
                g_string_append_c(o, (char)s2);
                i++;
                continue;
            }
        }
        if (mode == KANA && c >= 0x21 && c <= 0x5f) {
            g_string_append_c(o, (char)(c + 0x80));
            continue;
        }
        g_string_append_c(o, (char)c);
    }
    *outlen = o->len;
    return g_string_free(o, FALSE);
}

static char *detect(const char *p, size_t n)
{
    uchardet_t ud = uchardet_new();
    char *name = NULL;
    if (ud == NULL)
        return NULL;
    if (uchardet_handle_data(ud, p, n) == 0) {
        uchardet_data_end(ud);
        const char *cs = uchardet_get_charset(ud);
        if (cs && *cs)
            name = g_strdup(cs);
    }
    uchardet_delete(ud);
    return name;
}

static bool has_kana(const char *u, size_t n)
{
    const char *end = u + n;
    for (const char *q = u; q < end; q = g_utf8_next_char(q)) {
        gunichar ch = g_utf8_get_char(q);
        if ((ch >= 0x3041 && ch <= 0x309f) || (ch >= 0x30a0 && ch <= 0x30ff))
            return true;
    }
    return false;
}

static bool try_charset(const char *p, size_t n, const char *cs, charset_result_t *out,
                        bool *unknown)
{
    size_t len = 0;
    char *r = NULL;
    if (strncmp(cs, "ISO-2022-JP", 11) == 0) {
        if (has_8bit(p, n))
            return false; /* a 7-bit charset cannot have these bytes */
        r = convert(p, n, cs, &len, unknown);
        if (r == NULL) {
            size_t sl = 0;
            char *sj = iso2022jp_to_sjis(p, n, &sl);
            r = convert(sj, sl, "CP932", &len, NULL);
            g_free(sj);
        }
    } else {
        r = convert(p, n, cs, &len, unknown);
    }
    if (r == NULL)
        return false;
    out->utf8 = r;
    out->len = len;
    g_strlcpy(out->used, cs, sizeof out->used);
    return true;
}

void charset_to_utf8(const char *p, size_t n, const char *declared, charset_result_t *out)
{
    char cs[32];
    bool labelled = declared && *declared;
    bool eight = has_8bit(p, n);
    memset(out, 0, sizeof *out);
    out->anomaly = -1;
    if (p == NULL || n == 0) {
        out->utf8 = g_strdup("");
        g_strlcpy(out->used, "US-ASCII", sizeof out->used);
        return;
    }

    if (labelled) {
        bool unknown = false;
        charset_canonical(declared, cs, sizeof cs);
        /* A 7-bit label on 8-bit bytes is a mislabel even if the windows-1252
         * reading would "work": detect instead. */
        bool seven_bit_label = strcmp(cs, "WINDOWS-1252") == 0 && declared &&
                               (g_ascii_strcasecmp(declared, "us-ascii") == 0 ||
                                g_ascii_strcasecmp(declared, "ascii") == 0);
        if (!(seven_bit_label && eight) && try_charset(p, n, cs, out, &unknown)) {
            if (strcmp(cs, "GB18030") == 0 && has_kana(out->utf8, out->len))
                out->anomaly = MAIL_ANOM_JA_IN_CHINESE;
            return;
        }
        out->anomaly = unknown ? MAIL_ANOM_CHARSET_UNKNOWN : MAIL_ANOM_CHARSET_MISMATCH;
    } else if (!eight && !has_jis_escape(p, n)) {
        out->utf8 = g_strndup(p, n);
        out->len = n;
        g_strlcpy(out->used, "US-ASCII", sizeof out->used);
        return;
    } else {
        out->anomaly = MAIL_ANOM_CHARSET_MISSING;
    }

    out->detected = true;
    if (!eight && has_jis_escape(p, n) && try_charset(p, n, "ISO-2022-JP", out, NULL))
        return;
    char *guess = detect(p, n);
    if (guess) {
        charset_canonical(guess, cs, sizeof cs);
        g_free(guess);
        if (strcmp(cs, "SHIFT_JIS") == 0)
            g_strlcpy(cs, "CP932", sizeof cs);
        if (try_charset(p, n, cs, out, NULL))
            return;
    }
    static const char *const fallbacks[] = {"UTF-8", "CP932", "EUC-JP-MS", "GB18030"};
    for (size_t i = 0; i < G_N_ELEMENTS(fallbacks); i++)
        if (try_charset(p, n, fallbacks[i], out, NULL))
            return;
    out->utf8 = g_utf8_make_valid(p, (gssize)n);
    out->len = strlen(out->utf8);
    g_strlcpy(out->used, "UTF-8 (repaired)", sizeof out->used);
}

void charset_result_clear(charset_result_t *r)
{
    g_free(r->utf8);
    r->utf8 = NULL;
    r->len = 0;
}
