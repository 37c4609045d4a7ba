/*
 * ctrec.h - one CloudTrail record as the detections see it.
 *
 * A record is a set of slices: into the input buffer (fast path, ctscan) or
 * into json-c strings (json-c path, ctrec_from_json). Neither is
 * NUL-terminated and both are valid only during the reader's callback: copy
 * what you keep. Strings that had JSON escapes are unescaped into the
 * record's own scratch space. Every field is cut at CTREC_MAX_FIELD bytes
 * (CloudTrail documents 1 KB for userAgent and errorCode; an ARN is at most
 * 2 KB), so a hostile record cannot make a field large.
 *
 * requestParameters and responseElements stay raw JSON text on the fast
 * path and are parsed with json-c only when a detection asks for them
 * (ctrec_param_*), because they are most of a record's bytes and almost no
 * record needs them. CloudTrail caps each at 100 KB; we refuse to parse more
 * than CTREC_MAX_PARAMS.
 */
#ifndef SG_TRAIL_CTREC_H
#define SG_TRAIL_CTREC_H

#include <stdbool.h>
#include <stdint.h>

#include "util/slice.h"

#define CTREC_MAX_FIELD  2048
#define CTREC_SCRATCH    (CTREC_MAX_FIELD * 16)
#define CTREC_MAX_PARAMS (256 * 1024)

struct json_object;

typedef enum ctrec_field {
    CTF_EVENT_TIME,
    CTF_EVENT_SOURCE,
    CTF_EVENT_NAME,
    CTF_REGION,
    CTF_SOURCE_IP,
    CTF_USER_AGENT,
    CTF_ERROR_CODE,
    CTF_EVENT_ID,
    CTF_ID_TYPE,
    CTF_ID_ARN,
    CTF_ID_KEY,
    CTF_ID_PRINCIPAL,
    CTF_ID_USER,
    CTF_ID_INVOKED_BY,
    CTF_ID_ACCOUNT,
    CTF_COUNT
} ctrec_field_t;

typedef struct ctrec {
    slice_t f[CTF_COUNT];
    int64_t time;               /* Unix seconds or CTTIME_INVALID */
    slice_t params_text;        /* raw requestParameters JSON (fast path) */
    slice_t response_text;      /* raw responseElements JSON (fast path) */
    struct json_object *params; /* parsed, or borrowed from the json-c path */
    struct json_object *response;
    bool params_owned, response_owned, params_tried, response_tried;
    size_t scratch_used;
    char scratch[CTREC_SCRATCH];
} ctrec_t;

/* Reset to an empty record (does not free: call ctrec_release first). */
void ctrec_clear(ctrec_t *r);
/* Free what ctrec_param_* parsed. */
void ctrec_release(ctrec_t *r);
/* Store a string field from raw JSON string content (between the quotes,
 * escapes still in): cut at CTREC_MAX_FIELD, unescaped when needed. */
void ctrec_set_raw(ctrec_t *r, ctrec_field_t f, const char *p, size_t n);
/* Name of a field as in CloudTrail ("eventName", "userIdentity.arn"). */
const char *ctrec_field_name(ctrec_field_t f);
/* Fill r from a json-c object holding one record (borrowed; r points into
 * it). Returns false when obj does not look like a CloudTrail record. */
bool ctrec_from_json(ctrec_t *r, struct json_object *obj);
/* True if the record has the fields every CloudTrail event has. */
bool ctrec_looks_like_event(const ctrec_t *r);

/* requestParameters (which=0) or responseElements (which=1), parsed lazily;
 * NULL when absent, null, too big or malformed. Owned by r. */
struct json_object *ctrec_params(ctrec_t *r, int which);
/* A value under a dotted path ("accessKey.accessKeyId") of requestParameters
 * (which=0) or responseElements (which=1) as text: strings as they are,
 * booleans "true"/"false", numbers in decimal. Empty slice when absent. */
slice_t ctrec_param(ctrec_t *r, int which, const char *path);

#endif
