/*
 * ctscan.c - structural JSON scanner; see ctscan.h for why it exists.
 *
 * Every loop is bounded by n; every index is checked before it is read.
 */
#include "trail/ctscan.h"

#include <stdbool.h>
#include <string.h>

#include "trail/cttime.h"

static inline bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int ctscan_ws(const char *p, size_t n, size_t *i)
{
    size_t k = *i;
    while (k < n && is_ws(p[k]))
        k++;
    *i = k;
    return k < n ? CTSCAN_OK : CTSCAN_MORE;
}

/* p[i] == '"'; *end is one past the closing quote. */
static int skip_string(const char *p, size_t n, size_t i, size_t *end)
{
    size_t from = i + 1;
    for (;;) {
        if (from >= n)
            return CTSCAN_MORE;
        const char *q = memchr(p + from, '"', n - from);
        if (q == NULL)
            return CTSCAN_MORE;
        size_t j = (size_t)(q - p), k = j;
        while (k > i + 1 && p[k - 1] == '\\')
            k--;
        if (((j - k) & 1) == 0) {
            *end = j + 1;
            return CTSCAN_OK;
        }
        from = j + 1;
    }
}

/* Bytes that matter inside a compound value. */
static const unsigned char special[256] = {
    ['"'] = 1, ['{'] = 2, ['['] = 2, ['}'] = 3, [']'] = 3,
};

static int skip_compound(const char *p, size_t n, size_t i, size_t *end)
{
    int depth = 0;
    while (i < n) {
        unsigned char k = special[(unsigned char)p[i]];
        if (k == 0) {
            i++;
            continue;
        }
        if (k == 1) {
            size_t e;
            int rc = skip_string(p, n, i, &e);
            if (rc != CTSCAN_OK)
                return rc;
            i = e;
            continue;
        }
        if (k == 2) {
            if (++depth > CTSCAN_MAX_DEPTH)
                return CTSCAN_BAD;
        } else if (--depth == 0) {
            *end = i + 1;
            return CTSCAN_OK;
        }
        i++;
    }
    return CTSCAN_MORE;
}

static bool scalar_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
           c == '+' || c == '.';
}

int ctscan_value(const char *p, size_t n, size_t start, int at_eof, size_t *end)
{
    if (start >= n)
        return CTSCAN_MORE;
    char c = p[start];
    if (c == '"')
        return skip_string(p, n, start, end);
    if (c == '{' || c == '[')
        return skip_compound(p, n, start, end);
    if (c == '}' || c == ']' || c == ',' || c == ':' || !scalar_char(c))
        return CTSCAN_BAD;
    size_t i = start;
    while (i < n && scalar_char(p[i]))
        i++;
    if (i == n && !at_eof)
        return CTSCAN_MORE;
    *end = i;
    return CTSCAN_OK;
}

/* Key match: the raw key (between quotes) equals lit. Keys with escapes
 * never match, which is fine: AWS never escapes its own field names. */
static bool key_is(const char *k, size_t kn, const char *lit, size_t ln)
{
    return kn == ln && memcmp(k, lit, ln) == 0;
}
#define KEY(lit) key_is(k, kn, lit, sizeof(lit) - 1)

typedef int (*member_fn)(const char *k, size_t kn, const char *p, size_t vs, size_t ve, ctrec_t *r,
                         ctscan_env_t *env);

/* Walk the members of the object at p[0]; call fn for each. *end is one
 * past its '}'. CTSCAN_MORE if p[0..n) ends inside the object. */
static int walk_object(const char *p, size_t n, ctrec_t *r, ctscan_env_t *env, member_fn fn,
                       size_t *end)
{
    size_t i = 0;
    int rc;
    if ((rc = ctscan_ws(p, n, &i)) != CTSCAN_OK)
        return rc;
    if (p[i] != '{')
        return CTSCAN_BAD;
    i++;
    if ((rc = ctscan_ws(p, n, &i)) != CTSCAN_OK)
        return rc;
    if (p[i] == '}') {
        *end = i + 1;
        return CTSCAN_OK;
    }
    for (;;) {
        size_t ke, vs, ve;
        if (p[i] != '"')
            return CTSCAN_BAD;
        if ((rc = skip_string(p, n, i, &ke)) != CTSCAN_OK)
            return rc;
        const char *k = p + i + 1;
        size_t kn = ke - i - 2;
        i = ke;
        if ((rc = ctscan_ws(p, n, &i)) != CTSCAN_OK)
            return rc;
        if (p[i] != ':')
            return CTSCAN_BAD;
        i++;
        if ((rc = ctscan_ws(p, n, &i)) != CTSCAN_OK)
            return rc;
        vs = i;
        if ((rc = ctscan_value(p, n, vs, 0, &ve)) != CTSCAN_OK)
            return rc;
        if (fn(k, kn, p, vs, ve, r, env) != CTSCAN_OK)
            return CTSCAN_BAD;
        i = ve;
        if ((rc = ctscan_ws(p, n, &i)) != CTSCAN_OK)
            return rc;
        if (p[i] == '}') {
            *end = i + 1;
            return CTSCAN_OK;
        }
        if (p[i] != ',')
            return CTSCAN_BAD;
        i++;
        if ((rc = ctscan_ws(p, n, &i)) != CTSCAN_OK)
            return rc;
    }
}

static void set_if_string(ctrec_t *r, ctrec_field_t f, const char *p, size_t vs, size_t ve)
{
    if (p[vs] == '"' && ve >= vs + 2)
        ctrec_set_raw(r, f, p + vs + 1, ve - vs - 2);
}

static int identity_member(const char *k, size_t kn, const char *p, size_t vs, size_t ve,
                           ctrec_t *r, ctscan_env_t *env)
{
    (void)env;
    if (KEY("type"))
        set_if_string(r, CTF_ID_TYPE, p, vs, ve);
    else if (KEY("arn"))
        set_if_string(r, CTF_ID_ARN, p, vs, ve);
    else if (KEY("accessKeyId"))
        set_if_string(r, CTF_ID_KEY, p, vs, ve);
    else if (KEY("principalId"))
        set_if_string(r, CTF_ID_PRINCIPAL, p, vs, ve);
    else if (KEY("userName"))
        set_if_string(r, CTF_ID_USER, p, vs, ve);
    else if (KEY("invokedBy"))
        set_if_string(r, CTF_ID_INVOKED_BY, p, vs, ve);
    else if (KEY("accountId"))
        set_if_string(r, CTF_ID_ACCOUNT, p, vs, ve);
    return CTSCAN_OK;
}

static int record_member(const char *k, size_t kn, const char *p, size_t vs, size_t ve, ctrec_t *r,
                         ctscan_env_t *env)
{
    if (kn < 4)
        return CTSCAN_OK;
    switch (k[0]) {
    case 'e':
        if (KEY("eventTime"))
            set_if_string(r, CTF_EVENT_TIME, p, vs, ve);
        else if (KEY("eventSource"))
            set_if_string(r, CTF_EVENT_SOURCE, p, vs, ve);
        else if (KEY("eventName"))
            set_if_string(r, CTF_EVENT_NAME, p, vs, ve);
        else if (KEY("eventID"))
            set_if_string(r, CTF_EVENT_ID, p, vs, ve);
        else if (KEY("errorCode"))
            set_if_string(r, CTF_ERROR_CODE, p, vs, ve);
        break;
    case 'a':
        if (KEY("awsRegion"))
            set_if_string(r, CTF_REGION, p, vs, ve);
        break;
    case 's':
        if (KEY("sourceIPAddress"))
            set_if_string(r, CTF_SOURCE_IP, p, vs, ve);
        break;
    case 'u':
        if (KEY("userAgent"))
            set_if_string(r, CTF_USER_AGENT, p, vs, ve);
        else if (KEY("userIdentity") && p[vs] == '{') {
            size_t e;
            return walk_object(p + vs, ve - vs, r, env, identity_member, &e) == CTSCAN_OK
                       ? CTSCAN_OK
                       : CTSCAN_BAD;
        }
        break;
    case 'r':
        if (KEY("requestParameters") && p[vs] == '{')
            r->params_text = slice_make(p + vs, ve - vs);
        else if (KEY("responseElements") && p[vs] == '{')
            r->response_text = slice_make(p + vs, ve - vs);
        break;
    case 'R':
        if (KEY("Records") && p[vs] == '[') {
            env->list_start = vs;
            env->list_end = ve;
        }
        break;
    case 'E':
        if (KEY("Events") && p[vs] == '[') {
            env->list_start = vs;
            env->list_end = ve;
        }
        break;
    case 'Q':
        if (KEY("QueryResultRows") && p[vs] == '[') {
            env->list_start = vs;
            env->list_end = ve;
        }
        break;
    case 'd':
        if (KEY("detail") && p[vs] == '{') {
            env->detail_start = vs;
            env->detail_end = ve;
        }
        break;
    case 'C':
        if (KEY("CloudTrailEvent") && p[vs] == '"') {
            env->cte_start = vs;
            env->cte_end = ve;
        }
        break;
    default:
        break;
    }
    return CTSCAN_OK;
}

int ctscan_record(const char *p, size_t n, ctrec_t *r, ctscan_env_t *env, size_t *end)
{
    size_t e = 0;
    memset(env, 0, sizeof *env);
    ctrec_clear(r);
    int rc = walk_object(p, n, r, env, record_member, &e);
    if (rc == CTSCAN_OK) {
        r->time = cttime_parse(r->f[CTF_EVENT_TIME].p, r->f[CTF_EVENT_TIME].n);
        if (end)
            *end = e;
    }
    return rc;
}
