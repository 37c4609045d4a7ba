/*
 * rutil.c - small helpers shared by the rule modules; see rules.h.
 */
#include <glib.h>
#include <string.h>

#include "rules/rules.h"

unsigned rules_edit_distance(const char *a, const char *b, unsigned cap)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 63 || m > 63)
        return cap + 1;
    if ((n > m ? n - m : m - n) > cap)
        return cap + 1;
    unsigned prev[64], cur[64];
    for (size_t j = 0; j <= m; j++)
        prev[j] = (unsigned)j;
    for (size_t i = 1; i <= n; i++) {
        cur[0] = (unsigned)i;
        unsigned best = cur[0];
        for (size_t j = 1; j <= m; j++) {
            unsigned sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            unsigned del = prev[j] + 1, ins = cur[j - 1] + 1;
            cur[j] = MIN(sub, MIN(del, ins));
            best = MIN(best, cur[j]);
        }
        if (best > cap)
            return cap + 1;
        memcpy(prev, cur, sizeof(unsigned) * (m + 1));
    }
    return prev[m];
}

char *rules_visible(const char *s, unsigned max)
{
    GString *o = g_string_new(NULL);
    unsigned count = 0;
    for (const char *p = s ? s : ""; *p && count < max; p = g_utf8_next_char(p), count++) {
        gunichar c = g_utf8_get_char_validated(p, -1);
        if (c == (gunichar)-1 || c == (gunichar)-2) {
            g_string_append(o, "\xef\xbf\xbd");
            if (*p == '\0')
                break;
            continue;
        }
        GUnicodeType t = g_unichar_type(c);
        if (c < 0x20 || c == 0x7f || t == G_UNICODE_FORMAT || t == G_UNICODE_NON_SPACING_MARK ||
            (c >= 0xfe00 && c <= 0xfe0f) || (c >= 0x2060 && c <= 0x2064))
            g_string_append_printf(o, "<U+%04X>", c);
        else
            g_string_append_unichar(o, c);
    }
    if (*s && count >= max)
        g_string_append(o, "…");
    return g_string_free(o, FALSE);
}

bool rules_has_math_letters(const char *s)
{
    for (const char *p = s ? s : ""; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char_validated(p, -1);
        if (c == (gunichar)-1 || c == (gunichar)-2)
            return false;
        if (c >= 0x1d400 && c <= 0x1d7ff)
            return true;
    }
    return false;
}

bool rules_has_spaced_letters(const char *s)
{
    unsigned run = 0;
    const char *p = s ? s : "";
    while (*p) {
        gunichar c = g_utf8_get_char_validated(p, -1);
        if (c == (gunichar)-1 || c == (gunichar)-2)
            return false;
        const char *next = g_utf8_next_char(p);
        gunichar after = *next ? g_utf8_get_char_validated(next, -1) : 0;
        bool single = g_unichar_isalpha(c) && c < 0x3000 &&
                      (after == 0 || after == ' ' || after == '.') &&
                      (p == s || p[-1] == ' ' || p[-1] == '.');
        if (single) {
            if (++run >= 4)
                return true;
        } else if (c != ' ' && c != '.') {
            run = 0;
        }
        p = next;
    }
    return false;
}
