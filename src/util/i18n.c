/*
 * i18n.c - language selection; see i18n.h.
 *
 * glibc ignores LANGUAGE when LC_MESSAGES is the "C" locale, and a fresh
 * machine may have no ja_JP locale, so for Japanese we fall back to
 * C.UTF-8 (built into glibc since 2.35) and select the catalogue with
 * LANGUAGE.
 */
#include "util/i18n.h"

#include <glib.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>

#include "util/paths.h"

static const char *current = "en";

static const char *from_env(void)
{
    static const char *vars[] = {"LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < G_N_ELEMENTS(vars); i++) {
        const char *v = getenv(vars[i]);
        if (v && *v)
            return strncmp(v, "ja", 2) == 0 ? "ja" : "en";
    }
    return "en";
}

int i18n_init(const char *lang)
{
    if (lang == NULL)
        lang = from_env();
    if (strcmp(lang, "ja") != 0 && strcmp(lang, "en") != 0)
        return -1;
    current = strcmp(lang, "ja") == 0 ? "ja" : "en";
    if (setlocale(LC_ALL, "") == NULL)
        setlocale(LC_ALL, "C.UTF-8");
    const char *msgs = setlocale(LC_MESSAGES, NULL);
    if (msgs == NULL || strcmp(msgs, "C") == 0 || strcmp(msgs, "POSIX") == 0)
        setlocale(LC_MESSAGES, "C.UTF-8");
    setlocale(LC_NUMERIC, "C"); /* JSON numbers always use '.' */
    setenv("LANGUAGE", current, 1);
    bindtextdomain("sesguard", paths_localedir());
    bind_textdomain_codeset("sesguard", "UTF-8");
    return 0;
}

const char *i18n_lang(void)
{
    return current;
}
