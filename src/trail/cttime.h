/*
 * cttime.h - CloudTrail timestamps ("2023-07-10T12:11:15Z", optionally
 * with fractional seconds or a numeric offset) to Unix seconds and back.
 *
 * Hand-written because it runs once per record on the fast path (a GDateTime
 * per record costs more than the rest of the record); it reads only digits at
 * fixed places, never past n, and rejects anything else (CTTIME_INVALID).
 * No memory is allocated.
 */
#ifndef SG_TRAIL_CTTIME_H
#define SG_TRAIL_CTTIME_H

#include <stddef.h>
#include <stdint.h>

#define CTTIME_INVALID INT64_MIN
/* Big enough for "YYYY-MM-DDTHH:MM:SSZ" and a NUL. */
#define CTTIME_BUFSZ 32

/* Parse ISO 8601 (date, 'T' or ' ', time, optional .fraction, 'Z' or
 * +HH:MM / -HH:MM, or nothing = UTC). Years 1970..9999. */
int64_t cttime_parse(const char *s, size_t n);
/* Format t as "YYYY-MM-DDTHH:MM:SSZ" into out; "-" for CTTIME_INVALID. */
void cttime_format(int64_t t, char out[CTTIME_BUFSZ]);

#endif
