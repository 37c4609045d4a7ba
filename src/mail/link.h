/*
 * link.h - constructors for mail_link_t (see message.h).
 */
#ifndef SG_MAIL_LINK_H
#define SG_MAIL_LINK_H

#include "mail/message.h"

/* Copies href and text (text may be NULL for ""). Never returns NULL. */
mail_link_t *mail_link_new(const char *href, const char *text, mail_link_kind_t kind);
void mail_link_free(gpointer link);

#endif
