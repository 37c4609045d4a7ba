/*
 * trailout.h - write the incidents of `sesguard trail`: JSON Lines (one
 * incident per line, "schema": 1, documented in docs/trail.md), text for
 * people with response steps (translated), and a self-contained HTML report
 * with an SVG timeline per incident.
 *
 * Security: every string in an incident came from the logs. JSON goes
 * through json-c's escaping; HTML through g_markup_escape_text (text and
 * attributes alike); text output replaces control characters so that a
 * hostile user agent cannot drive the analyst's terminal.
 * Errors: write errors are reported by the caller (ferror on out).
 */
#ifndef SG_TRAIL_TRAILOUT_H
#define SG_TRAIL_TRAILOUT_H

#include <stdio.h>

#include "trail/ctread.h"
#include "trail/traildetect.h"

#define TRAILOUT_SCHEMA 1
/* Timeline lines per incident in the text report (JSON/HTML have all kept). */
#define TRAILOUT_TEXT_EVENTS 40

void trailout_json(FILE *out, const traildetect_t *d);
void trailout_text(FILE *out, const traildetect_t *d, const ctread_stats_t *rs);
void trailout_html(FILE *out, const traildetect_t *d, const ctread_stats_t *rs);

#endif
