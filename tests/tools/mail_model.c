/*
 * mail_model.c - print the whole message model (message.h) of every
 * message under the given paths, one field per line.
 *
 * For changes to the message layer that must not change what it sees:
 * run it before and after over a corpus and diff the outputs (JSON reports
 * show only part of the model). Built with the tests; not installed.
 *   build-test/tests/mail_model ../shared/corpus > before.txt
 */
#include <stdio.h>
#include <string.h>

#include "mail/message.h"
#include "mail/source.h"

static void s(const char *k, const char *v)
{
    printf("%s=%s\n", k, v ? v : "(null)");
}
static int on_msg(const mail_item_t *it, void *ctx)
{
    (void)ctx;
    mail_msg_t *m = mail_msg_parse(it->data, it->len);
    printf("@@ %s %ld\n", it->path, it->index);
    printf("raw_header_len=%zu\n", strlen(m->raw_header));
    for (guint i = 0; i < m->headers->len; i++) {
        mail_header_t *h = m->headers->pdata[i];
        printf("H[%s]raw=%s\n  val=%s\n", h->name, h->raw, h->value);
    }
    s("subject", m->subject);
    s("mid", m->message_id);
    s("date_raw", m->date_raw);
    printf("date=%lld\n", (long long)m->date);
    GPtrArray *as[] = {m->from, m->reply_to, m->sender};
    for (int k = 0; k < 3; k++)
        for (guint i = 0; i < as[k]->len; i++) {
            mail_addr_t *a = as[k]->pdata[i];
            printf("A%d dn=%s addr=%s\n", k, a->display_name, a->address);
        }
    s("return_path", m->return_path);
    for (guint i = 0; i < m->dkim_domains->len; i++)
        s("dkim", m->dkim_domains->pdata[i]);
    for (guint i = 0; i < m->hops->len; i++) {
        mail_hop_t *h = m->hops->pdata[i];
        printf("hop %s|%s|%s|%s|%s|%s\n", h->from_name, h->helo, h->rdns, h->ip, h->by, h->with);
    }
    for (guint i = 0; i < m->parts->len; i++) {
        mail_textpart_t *t = m->parts->pdata[i];
        printf("part %s decl=%s used=%s det=%d size=%zu\n", t->content_type, t->charset_declared,
               t->charset_used, t->charset_detected, t->raw_size);
    }
    printf("text=<<%s>>\n", m->text);
    for (guint i = 0; i < m->links->len; i++) {
        mail_link_t *l = m->links->pdata[i];
        printf("link %d %s | %s\n", l->kind, l->href, l->text);
    }
    for (guint i = 0; i < m->attachments->len; i++) {
        mail_attachment_t *a = m->attachments->pdata[i];
        printf("att fn=%s decl=%s sniff=%s size=%zu sha=%s inl=%d ar=%d enc=%d mac=%d n=%u\n",
               a->filename, a->declared_type, a->sniffed_type, a->size, a->sha256, a->inline_part,
               a->archive, a->encrypted, a->macros, a->members ? a->members->len : 0);
    }
    printf("forms=%u pw=%u\n", m->html_forms, m->html_password_inputs);
    for (guint i = 0; i < m->anomalies->len; i++) {
        mail_anomaly_rec_t *r = m->anomalies->pdata[i];
        printf("anom %s: %s\n", mail_anomaly_name(r->kind), r->detail);
    }
    mail_msg_free(m);
    return 0;
}
static void on_err(const char *p, int e, void *c)
{
    (void)c;
    printf("ERR %s %d\n", p, e);
}
int main(int argc, char **argv)
{
    mail_init();
    mail_source_opts_t o = {.on_message = on_msg, .on_error = on_err};
    for (int i = 1; i < argc; i++)
        mail_source_scan(argv[i], &o);
    return 0;
}
