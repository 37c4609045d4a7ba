/*
 * scan.h - one message through the pipeline: parse, trusted boundary,
 * enrich (identities, links, sending platform), rules, verdict.
 *
 * The scan_t owns everything learnt about one message (the parsed model,
 * the boundary, the platform, identities, link details, symbols) and frees
 * it all at once with scan_free: the per-message arena of DESIGN.md.
 *
 * Symbols are the rules' output (rspamd's idea): a name, a weight, the
 * evidence that triggered it and an explanation msgid. The score is their
 * sum; the verdict compares it with the engine's thresholds. Detection
 * rules arrive with the detection work; today the pipeline fills
 * everything up to the rules and the verdict is computed from whatever
 * symbols exist.
 */
#ifndef SG_RULES_SCAN_H
#define SG_RULES_SCAN_H

#include <glib.h>

#include "intel/esp.h"
#include "intel/identity.h"
#include "intel/urlinfo.h"
#include "mail/boundary.h"
#include "mail/message.h"
#include "mail/source.h"
#include "rules/engine.h"

typedef enum verdict { VERDICT_CLEAN = 0, VERDICT_SUSPICIOUS, VERDICT_PHISHING } verdict_t;

typedef struct symbol {
    char *name;        /* "BRAND_DISPLAY_NAME_MISMATCH" */
    double weight;
    char *evidence;    /* the header, phrase or URL, UTF-8 */
    const char *explain; /* English msgid, translated at report time */
} symbol_t;

typedef struct scan_link {
    const mail_link_t *link; /* owned by msg */
    urlinfo_t info;
} scan_link_t;

typedef struct scan {
    char *source_path;
    long source_index;      /* -1 for a one-message file */
    mail_msg_t *msg;
    mail_boundary_t *boundary;
    esp_result_t *platform; /* NULL: no platform recognised */
    GPtrArray *identities;  /* identity_t* */
    GPtrArray *links;       /* scan_link_t*, parallel to msg->links */
    GPtrArray *symbols;     /* symbol_t* */
    double score;
    verdict_t verdict;
} scan_t;

scan_t *scan_message(const engine_t *e, const mail_item_t *item);
void scan_free(scan_t *s);
void scan_add_symbol(scan_t *s, const char *name, double weight, const char *explain,
                     const char *evidence_fmt, ...) __attribute__((format(printf, 5, 6)));
const char *verdict_name(verdict_t v);

#endif
