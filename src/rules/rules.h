/*
 * rules.h - the rule modules. Each looks at a scan (facts already
 * computed) and adds symbols; none reads another's output except through
 * scan_has_symbol, and the order below is the order they run.
 */
#ifndef SG_RULES_RULES_H
#define SG_RULES_RULES_H

#include "rules/scan.h"

void rbrand_run(engine_t *e, scan_t *s);   /* brand in name/subject/text; platform relay */
void rdomain_run(engine_t *e, scan_t *s);  /* look-alike, brand-in-domain, deceptive IDN */
void rlinks_run(engine_t *e, scan_t *s);   /* link text vs target, hosting, shorteners */
void rtext_run(engine_t *e, scan_t *s);    /* lure phrases, Japanese tricks, invisible text */
void rheaders_run(engine_t *e, scan_t *s); /* Reply-To, From oddities, structural anomalies */
void rattach_run(engine_t *e, scan_t *s);  /* executables, double extensions, archives */

/* A delivery report or a message from MAILER-DAEMON/postmaster: bounce
 * generators are sloppy with structure and quote other people's mail. */
bool rules_is_bounce(const scan_t *s);

/* Build and free the brand-label index rdomain_run needs (engine start-up). */
void *rdomain_index_new(const brand_db_t *brands);
void rdomain_index_free(void *index);

/* s with invisible and control characters shown as <U+XXXX>, cut to max
 * characters: evidence must show what a reader cannot see. g_free it. */
char *rules_visible(const char *s, unsigned max);
/* Mathematical alphanumeric symbols (U+1D400-U+1D7FF) in s. */
bool rules_has_math_letters(const char *s);
/* Four or more single letters separated by spaces or dots ("C o i n"). */
bool rules_has_spaced_letters(const char *s);

/* Levenshtein distance of two short ASCII strings, capped: returns
 * cap + 1 as soon as the distance must exceed cap. */
unsigned rules_edit_distance(const char *a, const char *b, unsigned cap);

#endif
