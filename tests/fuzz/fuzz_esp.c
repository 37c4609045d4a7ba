/*
 * fuzz_esp.c - sending-platform identification over hostile messages.
 *
 * Any bytes are parsed as a message (mail_msg_parse, as the CLI does) and
 * run through esp_identify with the shipped data/platforms.conf, with and
 * without a trusted boundary: Feedback-ID, DKIM d= tags, Received hops,
 * envelope-from comments, base64 account ids and hex send times are all
 * attacker-written. Nothing may read out of bounds, leak or hang.
 */
#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "intel/esp.h"
#include "mail/boundary.h"
#include "mail/message.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static esp_db_t *db;

static void load_db(void)
{
    const char *dir = g_getenv("SESGUARD_DATADIR");
    char *path = g_build_filename(dir ? dir : SG_SOURCE_DIR "/data", "platforms.conf", NULL);
    char *err = NULL;
    db = esp_db_load(path, &err);
    if (db == NULL)
        abort(); /* the shipped file must load */
    g_free(path);
    mail_init();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (db == NULL)
        load_db();
    mail_msg_t *m = mail_msg_parse((const char *)data, size);
    esp_result_free(esp_identify(db, m, NULL));
    guint nh = m->headers ? m->headers->len : 0;
    mail_boundary_t b = {.configured = true,
                         .first_untrusted_hop = size % 3 == 0 ? -1 : (int)(size % 5),
                         .trusted_header_end = nh / 2 + size % 7};
    esp_result_free(esp_identify(db, m, &b));
    mail_msg_free(m);
    return 0;
}
