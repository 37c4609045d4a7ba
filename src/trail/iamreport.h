/*
 * iamreport.h - checks on the IAM credential report (the CSV from
 * `aws iam get-credential-report`): root access keys, root and console
 * users without MFA, keys not rotated in 90 days, keys and passwords
 * unused for 45/90 days or never used, keys created with the user and
 * never used, two active keys.
 *
 * Input: 22 columns, matched by header name (order may change; missing
 * columns fail the file). Values "N/A", "no_information", "not_supported"
 * mean "no date"; booleans in any case. Quoted CSV fields are accepted.
 * Severities, control ids and advice are data (data/trail/iam-checks.tsv);
 * thresholds are the named constants below.
 *
 * Limits: IAMREPORT_MAX_BYTES per file, IAMREPORT_MAX_ROWS rows (IAM
 * allows 5,000 users per account), fields cut at IAMREPORT_MAX_FIELD.
 * Errors: a bad row is reported (log_err, file:line) and skipped; a bad
 * header fails the file. Memory: the iamreport_t owns all findings.
 * Security: user names come from the report; writers escape them (JSON via
 * json-c, text with control characters replaced).
 */
#ifndef SG_TRAIL_IAMREPORT_H
#define SG_TRAIL_IAMREPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "trail/trailrules.h"

#define IAMREPORT_MAX_BYTES      (64u * 1024 * 1024)
#define IAMREPORT_MAX_ROWS       200000
#define IAMREPORT_MAX_FIELD      1024
#define IAMREPORT_COLUMNS        22
#define IAMREPORT_ROTATE_DAYS    90   /* IAM.3 */
#define IAMREPORT_UNUSED_DAYS    90   /* IAM.8 */
#define IAMREPORT_STALE_DAYS     45   /* IAM.22 */
#define IAMREPORT_WITH_USER_SECS 3600 /* key made within an hour of the user */

typedef struct iam_finding {
    char *user, *arn, *check, *key, *detail;
    tsev_t severity;
    const char *control, *cis, *advice; /* owned by the check table */
} iam_finding_t;

typedef struct iamreport iamreport_t;

/* dir: folder of iam-checks.tsv, or NULL for paths_data_file("trail"). */
iamreport_t *iamreport_new(const char *dir, char **err);
void iamreport_free(iamreport_t *r);
/* Check one report; now is "today" (Unix seconds). Returns 0, or -1 if the
 * file or some rows were bad (logged with name). */
int iamreport_parse(iamreport_t *r, const char *name, const char *data, size_t n, int64_t now);
int iamreport_file(iamreport_t *r, const char *path, int64_t now);
size_t iamreport_count(const iamreport_t *r);
const iam_finding_t *iamreport_get(const iamreport_t *r, size_t i);
/* Users (rows) checked so far. */
size_t iamreport_users(const iamreport_t *r);

void iamreport_json(FILE *out, const iamreport_t *r);
void iamreport_text(FILE *out, const iamreport_t *r);

#endif
