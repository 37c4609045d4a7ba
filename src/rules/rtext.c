/*
 * rtext.c - what the words of a lure give away.
 *
 * Lure phrases by group (data/lexicon.conf: urgency, credentials,
 * threats, rewards) weigh little alone: a phrase list only carries within
 * its language. The Japanese-specific tricks weigh more because they do
 * not occur in honest mail: simplified Chinese characters inside Japanese
 * text (characters in GB2312 but in no Japanese character set), Japanese
 * sent in a Chinese charset, kana readings spliced next to the words they
 * spell (data/readings.txt), and invisible characters inside words, which
 * only serve to break keyword filters.
 */
#include <string.h>

#include <gnu/libc-version.h>

#include "intel/brand.h"
#include "rules/rules.h"
#include "util/cache.h"

/* How much text the character checks read: the lure is at the top. */
#define RTEXT_MAX BRAND_TEXT_MAX

/* Bitmap over U+4E00..U+9FFF: set when the character exists in GB2312 but
 * in neither CP932 nor EUC-JP-MS (JIS X 0208 + 0212 + vendor extensions):
 * a simplified form no Japanese writer's keyboard produces. */
#define HAN_FIRST 0x4e00
#define HAN_LAST  0x9fff
static guint8 simplified_only[(HAN_LAST - HAN_FIRST + 1 + 7) / 8];
static GOnce simplified_once = G_ONCE_INIT;

static bool convertible(GIConv cd, gunichar c)
{
    char in[8], out[16];
    gsize il = (gsize)g_unichar_to_utf8(c, in), ol = sizeof out;
    char *ip = in, *op = out;
    g_iconv(cd, NULL, NULL, NULL, NULL);
    return g_iconv(cd, &ip, &il, &op, &ol) != (gsize)-1 && il == 0;
}

static gpointer build_simplified_now(void)
{
    GIConv gb = g_iconv_open("GB2312", "UTF-8");
    GIConv sj = g_iconv_open("CP932", "UTF-8");
    GIConv ej = g_iconv_open("EUC-JP-MS", "UTF-8");
    if (gb == (GIConv)-1 || sj == (GIConv)-1 || ej == (GIConv)-1)
        return NULL;
    for (gunichar c = HAN_FIRST; c <= HAN_LAST; c++)
        if (convertible(gb, c) && !convertible(sj, c) && !convertible(ej, c))
            simplified_only[(c - HAN_FIRST) / 8] |= (guint8)(1u << ((c - HAN_FIRST) % 8));
    g_iconv_close(gb);
    g_iconv_close(sj);
    g_iconv_close(ej);
    return GINT_TO_POINTER(1);
}

/* The bitmap takes 63,000 iconv calls (a quarter of a start-up); it is
 * cached (util/cache.h) under the C library's version, whose converters
 * define it. */
static char *simplified_cache_path(void)
{
    GChecksum *ck = g_checksum_new(G_CHECKSUM_SHA256);
    const char *v = gnu_get_libc_version();
    g_checksum_update(ck, (const guchar *)"simplified-only v1 ", -1);
    g_checksum_update(ck, (const guchar *)v, -1);
    char *path = cache_path("han", ck, "bin");
    g_checksum_free(ck);
    return path;
}

static gpointer build_simplified(gpointer unused)
{
    char *cpath = simplified_cache_path();
    char *data = NULL;
    size_t len = 0;
    if (cache_read(cpath, &data, &len) && len == sizeof simplified_only) {
        memcpy(simplified_only, data, len);
        g_free(data);
        g_free(cpath);
        return GINT_TO_POINTER(1);
    }
    g_free(data);
    gpointer done = build_simplified_now();
    if (done)
        cache_write(cpath, simplified_only, sizeof simplified_only);
    g_free(cpath);
    return done;
}

static bool is_simplified_only(gunichar c)
{
    return c >= HAN_FIRST && c <= HAN_LAST &&
           (simplified_only[(c - HAN_FIRST) / 8] >> ((c - HAN_FIRST) % 8) & 1);
}

static bool is_kana(gunichar c)
{
    return (c >= 0x3041 && c <= 0x309f) || (c >= 0x30a0 && c <= 0x30ff);
}

static bool wordish(gunichar c)
{
    GUnicodeScript sc = g_unichar_get_script(c);
    return g_unichar_isalpha(c) &&
           (sc == G_UNICODE_SCRIPT_LATIN || sc == G_UNICODE_SCRIPT_HAN ||
            sc == G_UNICODE_SCRIPT_HIRAGANA || sc == G_UNICODE_SCRIPT_KATAKANA ||
            sc == G_UNICODE_SCRIPT_CYRILLIC || sc == G_UNICODE_SCRIPT_GREEK);
}

static bool invisible(gunichar c)
{
    return (c >= 0x200b && c <= 0x200f && c != 0x200c && c != 0x200d) ||
           (c >= 0x2060 && c <= 0x2064) || c == 0xfeff || (c >= 0xfe00 && c <= 0xfe0d);
}

static void char_checks(scan_t *s, const char *text)
{
    unsigned kana = 0, hidden = 0;
    GString *simp = g_string_new(NULL);
    GHashTable *seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    gunichar prev = 0;
    const char *end = text + strnlen(text, RTEXT_MAX);
    for (const char *p = text; p < end && *p;) {
        gunichar c = g_utf8_get_char_validated(p, end - p);
        if (c == (gunichar)-1 || c == (gunichar)-2)
            break;
        const char *next = g_utf8_next_char(p);
        kana += is_kana(c);
        if (is_simplified_only(c) && g_hash_table_add(seen, GUINT_TO_POINTER(c)) &&
            g_hash_table_size(seen) <= 8)
            g_string_append_unichar(simp, c);
        if (invisible(c) && wordish(prev) && next < end && *next) {
            gunichar after = g_utf8_get_char_validated(next, end - next);
            if (after != (gunichar)-1 && after != (gunichar)-2 &&
                (wordish(after) || invisible(after)))
                hidden++;
        }
        if (!invisible(c))
            prev = c;
        p = next;
    }
    if (kana >= 5 && g_hash_table_size(seen) >= 2)
        scan_add_symbol(s, "JA_SIMPLIFIED_CHINESE", simp->str, NULL,
                        "%u simplified-only characters in Japanese text: %s",
                        g_hash_table_size(seen), simp->str);
    if (hidden >= 3) {
        char n[16];
        g_snprintf(n, sizeof n, "%u", hidden);
        scan_add_symbol(s, "TEXT_INVISIBLE", n, NULL, "%u invisible characters inside words",
                        hidden);
    }
    g_hash_table_destroy(seen);
    g_string_free(simp, TRUE);
}

static void spliced(engine_t *e, scan_t *s, const char *text, bool ascii)
{
    GHashTableIter it;
    gpointer word, reading;
    unsigned found = 0;
    char *first = NULL;
    char *cut = g_strndup(text, RTEXT_MAX);
    g_hash_table_iter_init(&it, e->readings);
    while (g_hash_table_iter_next(&it, &word, &reading) && found < 8) {
        if (ascii && !(g_str_is_ascii(word) && g_str_is_ascii(reading)))
            continue; /* cannot occur in ASCII text */
        char *a = g_strconcat(reading, word, NULL), *b = g_strconcat(word, reading, NULL);
        const char *hit = strstr(cut, a) ? a : strstr(cut, b) ? b : NULL;
        if (hit) {
            found++;
            if (first == NULL)
                first = g_strdup(hit);
        }
        g_free(a);
        g_free(b);
    }
    if (found >= 2)
        scan_add_symbol(s, "JA_SPLICED_READING", first, NULL,
                        "%u words with spliced readings, e.g. %s", found, first);
    g_free(first);
    g_free(cut);
}

void rtext_run(engine_t *e, scan_t *s)
{
    g_once(&simplified_once, build_simplified, NULL);
    const lexicon_hits_t *lx = &s->facts.lex;
    int urg = lexicon_group(e->lexicon, "urgency"), cred = lexicon_group(e->lexicon, "credential");
    int thr = lexicon_group(e->lexicon, "threat"), rew = lexicon_group(e->lexicon, "reward");
    bool has_link = false;
    for (guint i = 0; i < s->links->len && !has_link; i++)
        has_link = ((scan_link_t *)s->links->pdata[i])->link->kind != MAIL_LINK_IMAGE;
    if (urg >= 0 && lx->count[urg])
        scan_add_symbol(s, "LURE_URGENCY", lx->first[urg], NULL, "\"%s\"", lx->first[urg]);
    if (cred >= 0 && lx->count[cred] && has_link)
        scan_add_symbol(s, "LURE_CREDENTIALS", lx->first[cred], NULL, "\"%s\" and a link",
                        lx->first[cred]);
    if (thr >= 0 && lx->count[thr])
        scan_add_symbol(s, "LURE_THREAT", lx->first[thr], NULL, "\"%s\"", lx->first[thr]);
    if (rew >= 0 && lx->count[rew])
        scan_add_symbol(s, "LURE_REWARD", lx->first[rew], NULL, "\"%s\"", lx->first[rew]);
    bool pressure = (urg >= 0 && lx->count[urg]) || (thr >= 0 && lx->count[thr]);
    bool ask = (cred >= 0 && lx->count[cred]) || (rew >= 0 && lx->count[rew]);
    if (pressure && ask && has_link)
        scan_add_symbol(s, "LURE_COMBINATION", NULL, NULL, "pressure + request + link");
    /* business e-mail compromise needs no link: a free mail box asking for
     * money or records, with pressure or a reply steered elsewhere */
    int bec = lexicon_group(e->lexicon, "bec");
    const identity_t *rt = identity_find(s->identities, ID_REPLY_TO);
    bool steered =
        rt && rt->org_domain && s->facts.from_org && strcmp(rt->org_domain, s->facts.from_org) != 0;
    if (bec >= 0 && lx->count[bec] && s->facts.from_freemail && (pressure || steered))
        scan_add_symbol(s, "BEC_REQUEST", lx->first[bec], NULL, "\"%s\" from %s", lx->first[bec],
                        s->facts.from ? s->facts.from->address : "?");

    const char *text = s->msg->text ? s->msg->text : "";
    char *all = g_strconcat(s->msg->subject ? s->msg->subject : "", "\n", text, NULL);
    /* ASCII text has no kana, Han or invisible characters to check */
    bool ascii = g_str_is_ascii(all);
    if (!ascii)
        char_checks(s, all);
    spliced(e, s, all, ascii);
    g_free(all);
    for (guint i = 0; i < s->msg->anomalies->len; i++) {
        const mail_anomaly_rec_t *r = s->msg->anomalies->pdata[i];
        if (r->kind == MAIL_ANOM_JA_IN_CHINESE) {
            const mail_textpart_t *p = NULL;
            for (guint k = 0; k < s->msg->parts->len && p == NULL; k++) {
                const mail_textpart_t *q = s->msg->parts->pdata[k];
                if (strcmp(q->charset_used, "GB18030") == 0)
                    p = q;
            }
            scan_add_symbol(s, "JA_CHINESE_CHARSET", p ? p->charset_declared : "GB2312", NULL, "%s",
                            r->detail);
            break;
        }
    }
}
