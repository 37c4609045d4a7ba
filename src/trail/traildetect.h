/*
 * traildetect.h - correlate CloudTrail records per access key into
 * incidents: the SES takeover chain, IAM persistence, CloudTrail
 * tampering, a long-term key used from a new IP address or user agent,
 * attack tooling, storms of AccessDenied.
 *
 * Feed every record with traildetect_record (it is a ctread callback),
 * then traildetect_finish, then read the incidents.
 *
 * Correlation key: userIdentity.accessKeyId, else the principal ARN, else
 * principalId. A key that another key created with CreateAccessKey (seen
 * in its responseElements) and that is then used is linked to its creator
 * (created_key_used), evidence or not: it is the attacker's way back in.
 *
 * Records may come in any order (files are read in parallel) and the report
 * is the same: per-key state is made of minima, maxima and sets; a bounded
 * set keeps the values seen first (by time, then value) and the timeline
 * the earliest events; every record from an attack tool's user agent
 * counts, not the first to arrive. Only logs past the bounds of the
 * production-access, AccessDenied and created-key lists below (which keep
 * the first to arrive) can give order-dependent details. Duplicated
 * eventIDs are counted once for every event kept as evidence.
 *
 * Memory grows with the number of keys, not with the logs: per key a few
 * counters, at most TD_MAX_IPS addresses and TD_MAX_UAS user agents, at
 * most TD_MAX_EVENTS timeline events (the earliest are kept, the rest
 * counted), TD_MAX_PROD production-access requests and TD_MAX_DENIED
 * AccessDenied times. At most TD_MAX_KEYS keys are tracked (a log with
 * more distinct keys than that is itself an anomaly; the excess is counted
 * and reported). Strings are interned once and sanitised to valid UTF-8.
 *
 * Security: every string comes from the logs and is attacker-controlled;
 * writers must escape it for their format. Benign activity is recognised
 * only by fields AWS writes (identity type, invokedBy, service source
 * address), never by the user agent, which the caller chooses.
 */
#ifndef SG_TRAIL_TRAILDETECT_H
#define SG_TRAIL_TRAILDETECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trail/ctrec.h"
#include "trail/trailrules.h"

#define TD_MAX_KEYS               500000
#define TD_MAX_IPS                64
#define TD_MAX_UAS                32
#define TD_MAX_EVENTS             256
#define TD_MAX_PROD               256
#define TD_MAX_DENIED             2048
#define TD_MAX_DENIED_ON_TIMELINE 20
#define TD_MAX_CREATED            8
/* Dedup set of kept evidence events; far above TD_MAX_KEYS * kept events
 * for any real account. */
#define TD_MAX_SEEN (1u * 1024 * 1024)
/* Production access in >= TD_BURST_REGIONS regions within
 * TD_BURST_SECONDS: the published campaign did every region in ~10 s. */
#define TD_BURST_REGIONS 3
#define TD_BURST_SECONDS 60
/* >= TD_STORM_COUNT AccessDenied within TD_STORM_SECONDS. */
#define TD_STORM_COUNT   20
#define TD_STORM_SECONDS 600
/* An address or agent is "new" when first seen this long after the key's
 * first use, from a key with earlier history elsewhere. */
#define TD_NEW_GRACE 60
/* SES reconnaissance alone is an incident only with this many distinct
 * calls: an application reads its own quota all day. */
#define TD_RECON_DISTINCT 3

typedef struct trail_event {
    int64_t time;
    const char *source; /* eventSource */
    const char *name;
    const char *region;
    const char *ip;
    const char *user_agent;
    const char *result; /* "success" or the errorCode */
    int det;            /* detection index, or -1 for context */
} trail_event_t;

typedef struct trail_incident {
    tsev_t severity;
    const char *key; /* correlation key */
    const char *access_key;
    const char *principal;
    const char *principal_type;
    const char *account;
    bool long_term; /* AKIA key */
    bool chain;     /* SES takeover chain (several stages) */
    char *title;    /* English */
    int lead;       /* detection that gave the title */
    uint64_t dets;  /* bit per detection index */
    uint32_t det_counts[TRAILRULES_MAX_DETECTIONS];
    int64_t first_seen, last_seen; /* of the evidence */
    int64_t key_first, key_last;   /* of every record of the key */
    uint64_t records;              /* every record of the key */
    const char **regions, **source_ips, **user_agents, **new_ips, **new_uas, **created;
    size_t n_regions, n_ips, n_uas, n_new_ips, n_new_uas, n_created;
    trail_event_t *events; /* sorted by time */
    size_t n_events;
    uint64_t events_dropped;
    const char *tool;       /* attack tool label */
    const char *created_by; /* the key whose CreateAccessKey made this one */
    int burst_regions, burst_seconds;
    uint64_t denied;
    char **attack; /* ATT&CK ids, sorted, unique */
} trail_incident_t;

typedef struct traildetect_stats {
    uint64_t records, benign, duplicates, keys, untracked;
} traildetect_stats_t;

typedef struct traildetect traildetect_t;

traildetect_t *traildetect_new(const trailrules_t *rules);
void traildetect_free(traildetect_t *d);
/* ctread callback: ctx is the traildetect_t. Always returns 0. */
int traildetect_record(ctrec_t *rec, void *ctx);
/* Build the incidents (call once, after the last record). */
void traildetect_finish(traildetect_t *d);
size_t traildetect_count(const traildetect_t *d);
const trail_incident_t *traildetect_get(const traildetect_t *d, size_t i);
const traildetect_stats_t *traildetect_stats(const traildetect_t *d);
const trailrules_t *traildetect_rules(const traildetect_t *d);

#endif
