/*
 * i18n.h - Japanese and English text through gettext.
 *
 * i18n_init picks the language: the explicit choice ("ja" or "en"), else
 * the first of LANGUAGE, LC_ALL, LC_MESSAGES, LANG that is set; anything
 * starting with "ja" means Japanese, everything else English. It works
 * without a ja_JP locale installed (C.UTF-8 is enough), because a fresh
 * Debian machine has none. English is the msgid itself.
 */
#ifndef SG_UTIL_I18N_H
#define SG_UTIL_I18N_H

#include <libintl.h>

#define _(s)  dgettext("sesguard", s)
#define N_(s) (s)

/* lang: "ja", "en" or NULL (from the environment). Returns 0, or -1 for an
 * unknown language name. */
int i18n_init(const char *lang);
/* "ja" or "en" after i18n_init. */
const char *i18n_lang(void);

#endif
