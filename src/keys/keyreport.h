/*
 * keyreport.h - write keys findings as JSON Lines, SARIF 2.1.0 or text, and
 * read a baseline of accepted findings.
 *
 * What: a finding is "new", "allowed" (inline sesguard:allow on its line)
 * or "baseline" (its fingerprint is in the --baseline file). JSON Lines
 * prints every finding with its status (schema 1, docs/keys.md); SARIF
 * prints every finding and marks accepted ones with a suppression, which
 * GitHub code scanning honours; text prints the new findings and what to
 * do about them.
 *
 * Memory: keybaseline_t owns its fingerprints; writers allocate only
 * temporaries. Secrets are redacted (a short prefix and "****") unless
 * show_secrets is set; key ids are identifiers, not secrets, and are
 * printed in full because a responder needs them to deactivate the key.
 *
 * Limits: a baseline file is at most KEYREPORT_MAX_BASELINE bytes.
 *
 * Errors: keybaseline_load returns NULL with "file:line: reason"; writers
 * return -1 when the stream reports a write error.
 *
 * Security: paths, archive member names and commit authors come from the
 * input; they are made valid UTF-8 and JSON-escaped (json-c), and control
 * characters are replaced in text output, so a crafted file name cannot
 * forge report lines or terminal escapes.
 */
#ifndef SG_KEYS_KEYREPORT_H
#define SG_KEYS_KEYREPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "keys/keyscan.h"

#define KEYREPORT_MAX_BASELINE (64 * 1024 * 1024)
#define KEYREPORT_SCHEMA       1

typedef struct keybaseline keybaseline_t;

/* Lines of JSON (a previous `--format json` run: its "fingerprint" fields)
 * or bare 64-hex fingerprints; blank lines and '#' comments are skipped. */
keybaseline_t *keybaseline_load(const char *path, char **err);
bool keybaseline_has(const keybaseline_t *b, const char *fingerprint);
void keybaseline_free(keybaseline_t *b);

typedef enum { KEYREPORT_NEW, KEYREPORT_ALLOWED, KEYREPORT_BASELINE } keyreport_status_t;

typedef struct keyreport_opts {
    bool show_secrets;
    const keybaseline_t *baseline; /* may be NULL */
} keyreport_opts_t;

keyreport_status_t keyreport_status(const keyfinding_t *f, const keyreport_opts_t *o);
/* Number of findings with status NEW. */
size_t keyreport_count_new(const keyscan_t *ks, const keyreport_opts_t *o);
/* The redacted form of a secret (g_free it). */
char *keyreport_redact(const char *secret);

int keyreport_json(FILE *out, const keyscan_t *ks, const keyreport_opts_t *o);
int keyreport_sarif(FILE *out, const keyscan_t *ks, const keyreport_opts_t *o);
int keyreport_text(FILE *out, const keyscan_t *ks, const keyreport_opts_t *o);

#endif
