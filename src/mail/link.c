/*
 * link.c - mail_link_t constructors; see link.h.
 */
#include "mail/link.h"

mail_link_t *mail_link_new(const char *href, const char *text, mail_link_kind_t kind)
{
    mail_link_t *l = g_new0(mail_link_t, 1);
    l->href = g_strdup(href ? href : "");
    l->text = g_strdup(text ? text : "");
    l->kind = kind;
    return l;
}

void mail_link_free(gpointer p)
{
    mail_link_t *l = p;
    if (l == NULL)
        return;
    g_free(l->href);
    g_free(l->text);
    g_free(l);
}
