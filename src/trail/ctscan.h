/*
 * ctscan.h - a structural scanner for JSON text: where does a value end,
 * and what are the top-level fields of one CloudTrail record.
 *
 * Why not json-c for every record: json-c builds a tree of allocated
 * objects for each record (about 60 per record, most of them inside
 * requestParameters and responseElements that no detection reads). The
 * issue asks for 200,000 records/s per core on gzip input and for staying
 * within 2x of gunzip's own time; json-c alone cannot do that (see
 * bench/README.md, "## trail", for both measured). So the fast path only
 * *delimits*: strings are skipped with memchr, nesting is counted, and the
 * record's own fields (depth 1, and userIdentity at depth 2) are taken as
 * slices. requestParameters stay text until a detection asks, and then
 * json-c parses them. The json-c reader path (CTREAD_JSONC) stays as the
 * reference: tests check that both paths see the same records.
 *
 * The scanner does not validate JSON fully (it does not check that '}'
 * closes '{' inside skipped values); it never reads outside [p, p+n),
 * bounds nesting at CTSCAN_MAX_DEPTH, and reports truncation separately
 * from malformation so that a streaming reader can fetch more input.
 */
#ifndef SG_TRAIL_CTSCAN_H
#define SG_TRAIL_CTSCAN_H

#include <stddef.h>

#include "trail/ctrec.h"

/* Deeper nesting than any AWS API parameter shape; json-c's own default is 32
 * per tokener but we only count here. */
#define CTSCAN_MAX_DEPTH 256

enum ctscan_status { CTSCAN_OK = 0, CTSCAN_MORE = 1, CTSCAN_BAD = -1 };

/* Skip JSON white space from *i; CTSCAN_MORE if the end was reached. */
int ctscan_ws(const char *p, size_t n, size_t *i);
/* The value starting at p[start] (no leading white space) ends at *end
 * (one past it). A scalar that touches n is CTSCAN_MORE unless at_eof. */
int ctscan_value(const char *p, size_t n, size_t start, int at_eof, size_t *end);

/* What a scanned object holds besides record fields: the envelopes that
 * carry records (Records/Events/QueryResultRows arrays, EventBridge detail,
 * LookupEvents CloudTrailEvent string). Spans are [start, end) into p. */
typedef struct ctscan_env {
    size_t list_start, list_end;     /* Records / Events / QueryResultRows */
    size_t detail_start, detail_end; /* detail object */
    size_t cte_start, cte_end;       /* CloudTrailEvent string, quotes included */
} ctscan_env_t;

/* Walk the object starting at p[0]: record fields into r, record envelopes
 * into env, and *end (may be NULL) one past its '}'. CTSCAN_MORE if
 * p[0..n) ends inside the object (a streaming reader reads more and calls
 * again), CTSCAN_BAD if it is not a well-formed object at depths 1-2.
 * Delimiting and walking in one pass is what makes the fast path fast. */
int ctscan_record(const char *p, size_t n, ctrec_t *r, ctscan_env_t *env, size_t *end);

#endif
