/*
 * ctrec.c - the record model; see ctrec.h.
 *
 * Unescaping follows RFC 8259 section 7: the two-character escapes and
 * \uXXXX, with surrogate pairs joined; a lone surrogate or a broken escape
 * becomes U+FFFD rather than an error, because one odd byte must not hide
 * an event. Output never exceeds input length, so the scratch bound holds.
 */
#include "trail/ctrec.h"

#include <json-c/json.h>
#include <string.h>

#include "trail/cttime.h"

static const char *const field_names[CTF_COUNT] = {
    "eventTime",
    "eventSource",
    "eventName",
    "awsRegion",
    "sourceIPAddress",
    "userAgent",
    "errorCode",
    "eventID",
    "userIdentity.type",
    "userIdentity.arn",
    "userIdentity.accessKeyId",
    "userIdentity.principalId",
    "userIdentity.userName",
    "userIdentity.invokedBy",
    "userIdentity.accountId",
};

const char *ctrec_field_name(ctrec_field_t f)
{
    return f < CTF_COUNT ? field_names[f] : "?";
}

void ctrec_clear(ctrec_t *r)
{
    memset(r->f, 0, sizeof r->f);
    r->time = CTTIME_INVALID;
    r->params_text = r->response_text = slice_make(NULL, 0);
    r->params = r->response = NULL;
    r->params_owned = r->response_owned = r->params_tried = r->response_tried = false;
    r->scratch_used = 0;
}

void ctrec_release(ctrec_t *r)
{
    if (r->params_owned && r->params)
        json_object_put(r->params);
    if (r->response_owned && r->response)
        json_object_put(r->response);
    r->params = r->response = NULL;
    r->params_owned = r->response_owned = false;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool hex4(const char *p, size_t n, size_t i, unsigned *out)
{
    unsigned v = 0;
    if (i + 4 > n)
        return false;
    for (size_t k = 0; k < 4; k++) {
        int h = hexval(p[i + k]);
        if (h < 0)
            return false;
        v = v << 4 | (unsigned)h;
    }
    *out = v;
    return true;
}

/* Writes at most 3 bytes per 6 input bytes (and 4 per 12), so o <= i. */
static size_t put_utf8(char *o, unsigned cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | cp >> 6);
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | cp >> 12);
        o[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | cp >> 18);
    o[1] = (char)(0x80 | (cp >> 12 & 0x3F));
    o[2] = (char)(0x80 | (cp >> 6 & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

static size_t unescape(const char *p, size_t n, char *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        if (p[i] != '\\') {
            out[o++] = p[i++];
            continue;
        }
        if (i + 1 >= n)
            break;
        char c = p[i + 1];
        i += 2;
        switch (c) {
        case 'b':
            out[o++] = '\b';
            break;
        case 'f':
            out[o++] = '\f';
            break;
        case 'n':
            out[o++] = '\n';
            break;
        case 'r':
            out[o++] = '\r';
            break;
        case 't':
            out[o++] = '\t';
            break;
        case 'u': {
            unsigned cp;
            if (!hex4(p, n, i, &cp)) {
                o += put_utf8(out + o, 0xFFFD);
                i = n; /* truncated escape: stop here */
                break;
            }
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                unsigned lo;
                if (i + 1 < n && p[i] == '\\' && p[i + 1] == 'u' && hex4(p, n, i + 2, &lo) &&
                    lo >= 0xDC00 && lo <= 0xDFFF) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    i += 6;
                } else {
                    cp = 0xFFFD;
                }
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                cp = 0xFFFD;
            }
            o += put_utf8(out + o, cp);
            break;
        }
        default:
            out[o++] = c;
            break; /* \" \\ \/ and anything odd */
        }
    }
    return o;
}

void ctrec_set_raw(ctrec_t *r, ctrec_field_t f, const char *p, size_t n)
{
    if (n > CTREC_MAX_FIELD)
        n = CTREC_MAX_FIELD;
    if (memchr(p, '\\', n) == NULL) {
        r->f[f] = slice_make(p, n);
        return;
    }
    if (r->scratch_used + n > sizeof r->scratch) {
        r->f[f] = slice_make(p, 0);
        return;
    }
    char *out = r->scratch + r->scratch_used;
    size_t m = unescape(p, n, out);
    r->scratch_used += m;
    r->f[f] = slice_make(out, m);
}

static void set_str(ctrec_t *r, ctrec_field_t f, json_object *o, const char *key)
{
    json_object *v;
    if (o && json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)) {
        size_t n = (size_t)json_object_get_string_len(v);
        r->f[f] = slice_make(json_object_get_string(v), n > CTREC_MAX_FIELD ? CTREC_MAX_FIELD : n);
    }
}

bool ctrec_looks_like_event(const ctrec_t *r)
{
    return r->f[CTF_EVENT_NAME].n > 0 &&
           (r->f[CTF_EVENT_SOURCE].n > 0 || r->f[CTF_EVENT_TIME].n > 0);
}

bool ctrec_from_json(ctrec_t *r, json_object *obj)
{
    ctrec_clear(r);
    if (!json_object_is_type(obj, json_type_object))
        return false;
    set_str(r, CTF_EVENT_TIME, obj, "eventTime");
    set_str(r, CTF_EVENT_SOURCE, obj, "eventSource");
    set_str(r, CTF_EVENT_NAME, obj, "eventName");
    set_str(r, CTF_REGION, obj, "awsRegion");
    set_str(r, CTF_SOURCE_IP, obj, "sourceIPAddress");
    set_str(r, CTF_USER_AGENT, obj, "userAgent");
    set_str(r, CTF_ERROR_CODE, obj, "errorCode");
    set_str(r, CTF_EVENT_ID, obj, "eventID");
    json_object *id;
    if (json_object_object_get_ex(obj, "userIdentity", &id) &&
        json_object_is_type(id, json_type_object)) {
        set_str(r, CTF_ID_TYPE, id, "type");
        set_str(r, CTF_ID_ARN, id, "arn");
        set_str(r, CTF_ID_KEY, id, "accessKeyId");
        set_str(r, CTF_ID_PRINCIPAL, id, "principalId");
        set_str(r, CTF_ID_USER, id, "userName");
        set_str(r, CTF_ID_INVOKED_BY, id, "invokedBy");
        set_str(r, CTF_ID_ACCOUNT, id, "accountId");
    }
    json_object *p;
    if (json_object_object_get_ex(obj, "requestParameters", &p) &&
        json_object_is_type(p, json_type_object))
        r->params = p;
    if (json_object_object_get_ex(obj, "responseElements", &p) &&
        json_object_is_type(p, json_type_object))
        r->response = p;
    r->params_tried = r->response_tried = true;
    r->time = cttime_parse(r->f[CTF_EVENT_TIME].p, r->f[CTF_EVENT_TIME].n);
    return ctrec_looks_like_event(r);
}

json_object *ctrec_params(ctrec_t *r, int which)
{
    json_object **slot = which ? &r->response : &r->params;
    bool *tried = which ? &r->response_tried : &r->params_tried;
    bool *owned = which ? &r->response_owned : &r->params_owned;
    slice_t text = which ? r->response_text : r->params_text;
    if (*tried)
        return *slot;
    *tried = true;
    if (text.n == 0 || text.n > CTREC_MAX_PARAMS || text.p[0] != '{')
        return NULL;
    json_tokener *tok = json_tokener_new_ex(64);
    if (tok == NULL)
        return NULL;
    json_object *o = json_tokener_parse_ex(tok, text.p, (int)text.n);
    if (o && json_tokener_get_error(tok) == json_tokener_success &&
        json_object_is_type(o, json_type_object)) {
        *slot = o;
        *owned = true;
    } else if (o) {
        json_object_put(o);
    }
    json_tokener_free(tok);
    return *slot;
}

slice_t ctrec_param(ctrec_t *r, int which, const char *path)
{
    json_object *o = ctrec_params(r, which);
    const char *p = path;
    while (o && *p) {
        const char *dot = strchr(p, '.');
        size_t len = dot ? (size_t)(dot - p) : strlen(p);
        char key[128];
        if (len >= sizeof key)
            return slice_make("", 0);
        memcpy(key, p, len);
        key[len] = '\0';
        if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &o))
            return slice_make("", 0);
        p = dot ? dot + 1 : p + len;
    }
    if (o == NULL)
        return slice_make("", 0);
    switch (json_object_get_type(o)) {
    case json_type_string:
        return slice_make(json_object_get_string(o), (size_t)json_object_get_string_len(o));
    case json_type_boolean:
        return json_object_get_boolean(o) ? SLICE_LIT("true") : SLICE_LIT("false");
    case json_type_int:
    case json_type_double: {
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
        return slice_cstr(s);
    }
    default:
        return slice_make("", 0);
    }
}
