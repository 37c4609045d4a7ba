/*
 * trailrules.h - the detections of `sesguard trail` as data.
 *
 * Loaded at start-up from data/trail/ (paths_data_file): events.tsv (which
 * event is evidence of which detection, with an optional condition on
 * requestParameters), detections.tsv (severity, stage, ATT&CK ids, title),
 * useragents.tsv (attack tooling) and benign.tsv (AWS's own activity).
 * Code holds the mechanisms; a user adds an event or a tool without a
 * rebuild.
 *
 * Memory: the trailrules_t owns everything; free with trailrules_free.
 * Limits: TRAILRULES_MAX_DETECTIONS (incidents keep a 64-bit mask), lines
 * of TRAILRULES_MAX_LINE bytes, files of TRAILRULES_MAX_FILE bytes.
 * Errors: a missing file or a bad line fails the load with "file:line:
 * reason" (a half-loaded rule set would silently miss attacks).
 */
#ifndef SG_TRAIL_TRAILRULES_H
#define SG_TRAIL_TRAILRULES_H

#include <stdbool.h>

#include "trail/ctrec.h"

#define TRAILRULES_MAX_DETECTIONS 64
#define TRAILRULES_MAX_LINE       4096
#define TRAILRULES_MAX_FILE       (4 * 1024 * 1024)

typedef enum { TSEV_NONE = 0, TSEV_LOW, TSEV_MEDIUM, TSEV_HIGH, TSEV_CRITICAL } tsev_t;

typedef enum {
    TSTAGE_CONTEXT = 0,
    TSTAGE_RECON,
    TSTAGE_PRODUCTION,
    TSTAGE_IDENTITY,
    TSTAGE_SENDING,
    TSTAGE_PERSISTENCE,
    TSTAGE_TAMPER,
    TSTAGE_ACCESS,
    TSTAGE_COUNT
} tstage_t;

typedef struct trail_detection {
    char *name;
    tsev_t severity;
    tstage_t stage;
    char **attack; /* NULL-terminated */
    char *title;   /* English msgid */
} trail_detection_t;

typedef struct trailrules trailrules_t;

/* dir: folder holding the .tsv files, or NULL for paths_data_file("trail"). */
trailrules_t *trailrules_load(const char *dir, char **err);
void trailrules_free(trailrules_t *t);

int trailrules_count(const trailrules_t *t);
const trail_detection_t *trailrules_get(const trailrules_t *t, int det);
/* Index of a detection by name, or -1. */
int trailrules_find(const trailrules_t *t, const char *name);
/* The detection an event is evidence of, or -1. May parse requestParameters. */
int trailrules_match(const trailrules_t *t, ctrec_t *rec);
/* True if the event is AWS acting on its own (by fields AWS writes). */
bool trailrules_benign(const trailrules_t *t, const ctrec_t *rec);
/* Label of the attack tool named in ua, or NULL. */
const char *trailrules_tool(const trailrules_t *t, slice_t ua);

const char *tsev_name(tsev_t s);
const char *tstage_name(tstage_t s);

#endif
