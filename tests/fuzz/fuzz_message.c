/*
 * fuzz_message.c - the whole message path: GMime parse, charsets, HTML,
 * URLs, attachments, identities, normalisation, link details.
 * Seeds: tests/fuzz/seeds/message/ (hand-written messages and odd cases).
 */
#include <stddef.h>
#include <stdint.h>

#include "intel/identity.h"
#include "intel/urlinfo.h"
#include "mail/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mail_msg_t *m = mail_msg_parse((const char *)data, size);
    GPtrArray *ids = identity_collect(m);
    for (guint i = 0; i < m->links->len; i++) {
        urlinfo_t u;
        urlinfo_parse(((mail_link_t *)m->links->pdata[i])->href, &u);
        urlinfo_clear(&u);
    }
    g_ptr_array_unref(ids);
    mail_msg_free(m);
    return 0;
}
