/*
 * scan.h - one message through the pipeline: parse, trusted boundary,
 * enrich (identities, links, sending platform), rules, verdict.
 *
 * The scan_t owns everything learnt about one message (the parsed model,
 * the boundary, the platform, identities, link details, symbols) and frees
 * it all at once with scan_free: the per-message arena of DESIGN.md.
 *
 * Symbols are the rules' output (rspamd's idea): a name, a weight, the
 * evidence that triggered it and an explanation for a person (rules/
 * ruleset.h). The score is their sum; the verdict compares it with the
 * engine's thresholds and the action follows from the verdict. The rule
 * modules (rbrand.c, rdomain.c, rlinks.c, rtext.c, rheaders.c, rattach.c)
 * each add their symbols; none ever subtracts: passing authentication
 * proves who sent a message, not who it claims to be.
 */
#ifndef SG_RULES_SCAN_H
#define SG_RULES_SCAN_H

#include <glib.h>

#include "intel/brand.h"
#include "intel/esp.h"
#include "intel/identity.h"
#include "intel/lexicon.h"
#include "intel/urlinfo.h"
#include "mail/boundary.h"
#include "mail/message.h"
#include "mail/source.h"
#include "rules/engine.h"

typedef enum verdict { VERDICT_CLEAN = 0, VERDICT_SUSPICIOUS, VERDICT_PHISHING } verdict_t;

typedef struct symbol {
    const rule_def_t *def; /* weight, group, explanation templates */
    char *name;            /* "BRAND_DISPLAY_NAME" */
    double weight;
    char *evidence;    /* the header, phrase or URL, UTF-8 */
    char *arg1, *arg2; /* fill {1} and {2} of the explanation */
} symbol_t;

/* Facts about the message that several rules need, computed once. */
typedef struct scan_facts {
    const identity_t *from;  /* first From, or NULL */
    const char *from_domain; /* ASCII, or NULL */
    const char *from_org;    /* registrable domain, or NULL */
    bool from_freemail;
    const char *recipient; /* first To address (points into recipient_buf), or NULL */
    char recipient_buf[320];
    brand_hit_t name_hits[4];
    unsigned n_name;
    brand_hit_t subject_hits[4];
    unsigned n_subject;
    brand_hit_t body_hits[4];
    unsigned n_body;
    lexicon_hits_t lex;       /* lure phrases in subject and text */
    GPtrArray *verified_dkim; /* char*: d= domains whose DKIM passed (verified or trusted A-R) */
    const char *dmarc_pass_domain; /* From domain of a DMARC pass, or NULL */
} scan_facts_t;

typedef struct scan_link {
    const mail_link_t *link; /* owned by msg */
    urlinfo_t info;
} scan_link_t;

typedef struct scan {
    char *source_path;
    long source_index; /* -1 for a one-message file */
    mail_msg_t *msg;
    mail_boundary_t *boundary;
    esp_result_t *platform; /* NULL: no platform recognised */
    authmsg_t *auth;        /* SPF/DKIM/DMARC/ARC, verified or from trusted headers */
    GPtrArray *identities;  /* identity_t* */
    GPtrArray *links;       /* scan_link_t*, parallel to msg->links */
    scan_facts_t facts;
    GPtrArray *symbols; /* symbol_t*, heaviest first after scoring */
    double score;
    verdict_t verdict;
    const engine_t *engine;
} scan_t;

typedef enum action { ACTION_ACCEPT = 0, ACTION_TAG, ACTION_QUARANTINE, ACTION_REJECT } action_t;

scan_t *scan_message(engine_t *e, const mail_item_t *item);
void scan_free(scan_t *s);
/* Emit a symbol (once per name per message; disabled symbols are ignored;
 * an unknown name is a programming error, logged once). */
void scan_add_symbol(scan_t *s, const char *name, const char *arg1, const char *arg2,
                     const char *evidence_fmt, ...) __attribute__((format(printf, 5, 6)));
bool scan_has_symbol(const scan_t *s, const char *name);
/* Is the brand vouched for as the sender: From domain owned by the brand,
 * or a trusted Authentication-Results saying DKIM passed for its domain? */
bool scan_sender_is_brand(const scan_t *s, const brand_t *b);
/* The explanation of a symbol in the current language; g_free it. */
char *scan_explain(const symbol_t *sym);
const char *verdict_name(verdict_t v);
action_t scan_action(const scan_t *s);
const char *action_name(action_t a);

#endif
