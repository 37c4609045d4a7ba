/*
 * authres.h - parse Authentication-Results fields (RFC 8601).
 *
 *   Authentication-Results: mx.example.jp 1;
 *       spf=pass smtp.mailfrom=example.com;
 *       dkim=pass header.d=example.com header.s=sel;
 *       dmarc=pass header.from=example.com
 *
 * Comments (RFC 5322 CFWS) are skipped, quoted strings honoured, method
 * names and results lower-cased; "none" as the only result means no
 * methods. The parser is a cursor over a slice: it never reads past the
 * value, and anything it cannot parse ends the method list (what was
 * parsed is kept, and ok is false).
 *
 * Memory: authres_t owns its strings; authres_free.
 * Limits: AUTHRES_MAX_METHODS results and AUTHRES_MAX_PROPS properties per
 * result are kept; a real field has three or four.
 */
#ifndef SG_MAIL_AUTHRES_H
#define SG_MAIL_AUTHRES_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#define AUTHRES_MAX_METHODS 32
#define AUTHRES_MAX_PROPS 16

typedef struct authres_prop {
    char *ptype;    /* "smtp", "header", "policy", "body" */
    char *property; /* "mailfrom", "d", "from", ... */
    char *value;
} authres_prop_t;

typedef struct authres_result {
    char *method; /* "spf", "dkim", "dmarc", "arc", ... */
    char *result; /* "pass", "fail", ... */
    char *reason; /* reason= value, or NULL */
    GPtrArray *props; /* authres_prop_t* */
} authres_result_t;

typedef struct authres {
    char *authserv_id; /* lower case */
    GPtrArray *results; /* authres_result_t* */
    bool ok;            /* the whole value parsed */
} authres_t;

authres_t *authres_parse(const char *value, size_t len);
void authres_free(gpointer a);
/* First result of method (e.g. "dkim"), or NULL. */
const authres_result_t *authres_find(const authres_t *a, const char *method);
/* Value of ptype.property in r (e.g. "header", "d"), or NULL. */
const char *authres_prop(const authres_result_t *r, const char *ptype, const char *property);

#endif
