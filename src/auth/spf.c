/*
 * spf.c - check_host() of RFC 7208 and the identities; see spf.h for the
 * contract, limits and security notes.
 *
 * Flow: spf_check() builds one evaluation context (the client address in
 * every form the macros need, the sender split into local-part and
 * domain, the counters of 4.6.4) and calls check_host() for the identity's
 * domain. check_host() validates the domain (4.3), fetches and selects
 * the record (4.4, 4.5), parses it whole (4.6), then walks the directives;
 * include and redirect recurse with the same context, so the lookup and
 * void-lookup counters are per check, not per record. The explanation
 * (6.2) is computed once, at the end, for a final "fail" only, in the
 * context of the record that failed (a redirect's target supplies its own
 * exp=, an include's is never used since its fail does not propagate).
 *
 * Where the RFC leaves a choice: %{i} of an IPv6 client is written with
 * upper-case nibbles, as the RFC 7208 test suite expects (DNS does not
 * care); %{p} prefers the <domain> itself, then a subdomain of it, then
 * any validated name (7.3); a DNS error while validating names for ptr or
 * %{p} only skips that name (5.5); a DNS error for an MX host's addresses
 * is temperror like any other required lookup (5).
 *
 * Memory: the context owns scratch strings; results own theirs.
 */
#include "auth/spf.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "auth/spf_macro.h"
#include "auth/spf_record.h"
#include "util/buf.h"

typedef struct spf_ctx {
    dns_resolver_t *dns;
    unsigned max_lookups, max_void;
    int family; /* AF_INET or AF_INET6 */
    uint8_t ip[16];
    char ip_dotted[80];
    char ip_readable[INET6_ADDRSTRLEN];
    const char *receiver;
    time_t now;
    char *sender, *local, *sender_domain, *helo;
    unsigned depth;
    bool ptr_done;
    GPtrArray *validated; /* char*: names of <ip> that resolve back to it */
    GString *pick;        /* the %{p} value handed to the macro code */
    spf_result_t *out;
} spf_ctx_t;

/* What check_host() decided and where. */
typedef struct eval {
    spf_res_t res;
    char *mechanism;
    char *domain;
    char *record;
    char *exp_spec; /* exp= of the deciding record, on fail */
    char *problem;
} eval_t;

typedef enum { M_NOMATCH = 0, M_MATCH, M_TEMPERROR, M_PERMERROR } match_t;

static spf_res_t check_host(spf_ctx_t *c, const char *domain, const char *record_text, eval_t *ev);

const char *spf_res_name(spf_res_t r)
{
    static const char *const names[] = {"none",     "neutral",   "pass",     "fail",
                                        "softfail", "temperror", "permerror"};
    return (unsigned)r < G_N_ELEMENTS(names) ? names[r] : "unknown";
}

static void eval_clear(eval_t *ev)
{
    g_free(ev->mechanism);
    g_free(ev->domain);
    g_free(ev->record);
    g_free(ev->exp_spec);
    g_free(ev->problem);
    memset(ev, 0, sizeof *ev);
}

static void eval_problem(eval_t *ev, spf_res_t res, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Messages quote names built from the sender, which an attacker chose:
 * keep them valid UTF-8 without control characters, fit for a terminal
 * and for JSON. Takes ownership of msg. */
static char *tame(char *msg)
{
    if (!g_utf8_validate(msg, -1, NULL)) {
        char *v = g_utf8_make_valid(msg, -1);
        g_free(msg);
        msg = v;
    }
    GString *g = g_string_sized_new(strlen(msg));
    for (const char *p = msg; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch < 0x20 || ch == 0x7f)
            g_string_append_printf(g, "\\x%02x", ch);
        else
            g_string_append_c(g, (char)ch);
    }
    g_free(msg);
    return g_string_free(g, FALSE);
}

static void eval_problem(eval_t *ev, spf_res_t res, const char *fmt, ...)
{
    ev->res = res;
    if (ev->problem)
        return; /* the first cause is the one worth reporting */
    va_list ap;
    va_start(ap, fmt);
    ev->problem = tame(g_strdup_vprintf(fmt, ap));
    va_end(ap);
}

static void trace(spf_ctx_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void trace(spf_ctx_t *c, const char *fmt, ...)
{
    GPtrArray *t = c->out->trace;
    if (t->len > SPF_MAX_TRACE)
        return;
    if (t->len == SPF_MAX_TRACE) {
        g_ptr_array_add(t, g_strdup("... (trace truncated)"));
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    char *msg = tame(g_strdup_vprintf(fmt, ap));
    va_end(ap);
    g_ptr_array_add(t, g_strdup_printf("%*s%s", (int)c->depth * 2, "", msg));
    g_free(msg);
}

char *spf_printable(slice_t s)
{
    GString *g = g_string_sized_new(s.n);
    for (size_t i = 0; i < s.n; i++) {
        unsigned char ch = (unsigned char)s.p[i];
        if (ch < 0x20 || ch > 0x7e || ch == '\\')
            g_string_append_printf(g, "\\x%02x", ch);
        else
            g_string_append_c(g, (char)ch);
    }
    return g_string_free(g, FALSE);
}

/* --- the client address ------------------------------------------------ */

static int ctx_set_ip(spf_ctx_t *c, const char *ip)
{
    uint8_t b[16];
    if (inet_pton(AF_INET, ip, b) == 1) {
        c->family = AF_INET;
        memcpy(c->ip, b, 4);
    } else if (inet_pton(AF_INET6, ip, b) == 1) {
        static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
        if (memcmp(b, mapped, 12) == 0) { /* IPv4-mapped: an IPv4 client */
            c->family = AF_INET;
            memcpy(c->ip, b + 12, 4);
        } else {
            c->family = AF_INET6;
            memcpy(c->ip, b, 16);
        }
    } else {
        return -1;
    }
    inet_ntop(c->family, c->ip, c->ip_readable, sizeof c->ip_readable);
    if (c->family == AF_INET) {
        g_strlcpy(c->ip_dotted, c->ip_readable, sizeof c->ip_dotted);
    } else {
        static const char hex[] = "0123456789ABCDEF";
        size_t k = 0;
        for (int i = 0; i < 16; i++) {
            c->ip_dotted[k++] = hex[c->ip[i] >> 4];
            c->ip_dotted[k++] = '.';
            c->ip_dotted[k++] = hex[c->ip[i] & 15];
            c->ip_dotted[k++] = i == 15 ? '\0' : '.';
        }
    }
    return 0;
}

/* in-addr.arpa / ip6.arpa name of the client. */
static char *reverse_name(const spf_ctx_t *c)
{
    GString *s = g_string_new(NULL);
    if (c->family == AF_INET) {
        g_string_printf(s, "%u.%u.%u.%u.in-addr.arpa", c->ip[3], c->ip[2], c->ip[1], c->ip[0]);
    } else {
        for (int i = 15; i >= 0; i--)
            g_string_append_printf(s, "%x.%x.", c->ip[i] & 15, c->ip[i] >> 4);
        g_string_append(s, "ip6.arpa");
    }
    return g_string_free(s, FALSE);
}

static bool addr_in(const spf_ctx_t *c, int family, const uint8_t *net, int cidr)
{
    if (family != c->family)
        return false;
    int bits = family == AF_INET ? 32 : 128;
    if (cidr < 0 || cidr > bits)
        cidr = bits;
    int full = cidr / 8, rem = cidr % 8;
    if (memcmp(c->ip, net, (size_t)full) != 0)
        return false;
    if (rem) {
        uint8_t mask = (uint8_t)(0xff << (8 - rem));
        if ((c->ip[full] & mask) != (net[full] & mask))
            return false;
    }
    return true;
}

/* Does any A/AAAA record in the answer hold an address in <ip>/cidr? */
static bool answer_has_ip(const spf_ctx_t *c, const dns_answer_t *a, int cidr)
{
    dns_type_t want = c->family == AF_INET ? DNS_T_A : DNS_T_AAAA;
    for (guint i = 0; i < a->records->len; i++) {
        const dns_rr_t *rr = g_ptr_array_index(a->records, i);
        uint8_t b[16];
        if (rr->type != want || inet_pton(c->family, rr->text, b) != 1)
            continue;
        if (addr_in(c, c->family, b, cidr))
            return true;
    }
    return false;
}

static guint count_type(const dns_answer_t *a, dns_type_t t)
{
    guint n = 0;
    for (guint i = 0; i < a->records->len; i++)
        if (((const dns_rr_t *)g_ptr_array_index(a->records, i))->type == t)
            n++;
    return n;
}

/* --- names ------------------------------------------------------------- */

/* RFC 7208 4.3: a domain check_host() can work on: labels of 1..63 octets,
 * at most 253 in all, more than one label, not an address literal and not
 * ending in an all-numeric label. */
static bool domain_usable(const char *d)
{
    size_t n = strlen(d);
    if (n && d[n - 1] == '.')
        n--;
    if (n == 0 || n > 253 || d[0] == '[')
        return false;
    size_t labels = 0, len = 0;
    bool numeric = true;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || d[i] == '.') {
            if (len == 0 || len > 63)
                return false;
            labels++;
            len = 0;
            if (i < n)
                numeric = true;
            continue;
        }
        unsigned char ch = (unsigned char)d[i];
        if (ch <= 0x20 || ch == 0x7f)
            return false;
        if (!g_ascii_isdigit(ch))
            numeric = false;
        len++;
    }
    return labels >= 2 && !numeric;
}

/* 7.3: an expanded name over 253 octets loses labels from the left. */
static void truncate_name(buf_t *b)
{
    if (b->len && b->data[b->len - 1] == '.')
        b->data[--b->len] = '\0';
    size_t off = 0;
    while (b->len - off > 253) {
        const char *dot = memchr(b->data + off, '.', b->len - off);
        if (!dot) {
            off = b->len;
            break;
        }
        off = (size_t)(dot - b->data) + 1;
    }
    if (off) {
        memmove(b->data, b->data + off, b->len - off);
        b->len -= off;
        b->data[b->len] = '\0';
    }
}

/* --- %{p} and ptr: validated names (5.5) ------------------------------- */

static void validate_ptr(spf_ctx_t *c)
{
    if (c->ptr_done)
        return;
    c->ptr_done = true;
    char *rev = reverse_name(c);
    dns_answer_t a;
    dns_status_t st = dns_query(c->dns, rev, DNS_T_PTR, &a);
    trace(c, "PTR %s: %s", rev, dns_status_name(st));
    g_free(rev);
    guint used = 0;
    for (guint i = 0; st == DNS_OK && i < a.records->len && used < SPF_MAX_PTR_NAMES; i++) {
        const dns_rr_t *rr = g_ptr_array_index(a.records, i);
        if (rr->type != DNS_T_PTR)
            continue;
        used++; /* 4.6.4: names past the first 10 are ignored */
        dns_answer_t b;
        dns_type_t t = c->family == AF_INET ? DNS_T_A : DNS_T_AAAA;
        if (dns_query(c->dns, rr->text, t, &b) == DNS_OK && answer_has_ip(c, &b, -1))
            g_ptr_array_add(c->validated, g_strdup(rr->text));
        dns_answer_clear(&b);
    }
    dns_answer_clear(&a);
}

static bool name_within(const char *name, const char *dom)
{
    size_t n = strlen(name), d = strlen(dom);
    if (d && dom[d - 1] == '.')
        d--;
    if (n < d || g_ascii_strncasecmp(name + n - d, dom, d) != 0)
        return false;
    return n == d || name[n - d - 1] == '.';
}

static const char *macro_validated(void *ud, const char *domain)
{
    spf_ctx_t *c = ud;
    validate_ptr(c);
    const char *pick = NULL;
    for (guint i = 0; i < c->validated->len && !pick; i++) {
        const char *n = g_ptr_array_index(c->validated, i);
        if (g_ascii_strcasecmp(n, domain) == 0)
            pick = n;
    }
    for (guint i = 0; i < c->validated->len && !pick; i++) {
        const char *n = g_ptr_array_index(c->validated, i);
        if (name_within(n, domain))
            pick = n;
    }
    if (!pick && c->validated->len)
        pick = g_ptr_array_index(c->validated, 0);
    g_string_assign(c->pick, pick ? pick : "unknown");
    return c->pick->str;
}

static void macro_env(spf_ctx_t *c, const char *domain, spf_macro_env_t *env)
{
    *env = (spf_macro_env_t){
        .sender = c->sender,
        .local = c->local,
        .sender_domain = c->sender_domain,
        .domain = domain,
        .ip_dotted = c->ip_dotted,
        .ip_readable = c->ip_readable,
        .ip_version = c->family == AF_INET ? "in-addr" : "ip6",
        .helo = c->helo ? c->helo : "unknown",
        .receiver = c->receiver,
        .now = c->now,
        .validated = macro_validated,
        .ud = c,
    };
}

/* Expand a domain-spec into a name to query; NULL on permerror. */
static char *target_name(spf_ctx_t *c, const char *spec, const char *domain, eval_t *ev)
{
    if (!spec)
        return g_strdup(domain);
    spf_macro_env_t env;
    macro_env(c, domain, &env);
    buf_t b;
    buf_init(&b, SPF_MAX_EXPANSION);
    const char *why = NULL;
    if (spf_macro_expand(slice_cstr(spec), false, &env, &b, &why) < 0) {
        eval_problem(ev, SPF_PERMERROR, "%s: %s", spec, why);
        buf_free(&b);
        return NULL;
    }
    truncate_name(&b);
    return buf_steal(&b);
}

/* --- counting (4.6.4) -------------------------------------------------- */

static bool count_term(spf_ctx_t *c, const char *term, eval_t *ev)
{
    if (++c->out->lookups > c->max_lookups) {
        eval_problem(ev, SPF_PERMERROR, "more than %u DNS-querying terms at '%s' (RFC 7208 4.6.4)",
                     c->max_lookups, term);
        return false;
    }
    return true;
}

static bool count_void(spf_ctx_t *c, dns_status_t st, const char *name, eval_t *ev)
{
    if (st != DNS_NXDOMAIN && st != DNS_NODATA)
        return true;
    if (++c->out->void_lookups > c->max_void) {
        eval_problem(ev, SPF_PERMERROR, "more than %u void lookups at %s (RFC 7208 4.6.4)",
                     c->max_void, name);
        return false;
    }
    return true;
}

/* --- mechanisms (5) ---------------------------------------------------- */

static match_t query_checked(spf_ctx_t *c, const char *name, dns_type_t t, dns_answer_t *a,
                             eval_t *ev)
{
    dns_status_t st = dns_query(c->dns, name, t, a);
    if (st == DNS_TEMPFAIL) {
        eval_problem(ev, SPF_TEMPERROR, "DNS lookup of %s failed: %s", name,
                     a->why ? a->why : "temporary failure");
        return M_TEMPERROR;
    }
    if (!count_void(c, st, name, ev))
        return M_PERMERROR;
    return M_NOMATCH;
}

static match_t mech_a(spf_ctx_t *c, const spf_term_t *t, const char *name, eval_t *ev)
{
    dns_answer_t a;
    dns_type_t type = c->family == AF_INET ? DNS_T_A : DNS_T_AAAA;
    match_t m = query_checked(c, name, type, &a, ev);
    if (m == M_NOMATCH && answer_has_ip(c, &a, c->family == AF_INET ? t->cidr4 : t->cidr6))
        m = M_MATCH;
    dns_answer_clear(&a);
    return m;
}

static match_t mech_mx(spf_ctx_t *c, const spf_term_t *t, const char *name, eval_t *ev)
{
    dns_answer_t a;
    match_t m = query_checked(c, name, DNS_T_MX, &a, ev);
    if (m != M_NOMATCH) {
        dns_answer_clear(&a);
        return m;
    }
    if (count_type(&a, DNS_T_MX) > SPF_MAX_MX_NAMES) {
        eval_problem(ev, SPF_PERMERROR, "%s has more than %d MX names (RFC 7208 4.6.4)", name,
                     SPF_MAX_MX_NAMES);
        dns_answer_clear(&a);
        return M_PERMERROR;
    }
    dns_type_t type = c->family == AF_INET ? DNS_T_A : DNS_T_AAAA;
    int cidr = c->family == AF_INET ? t->cidr4 : t->cidr6;
    for (guint i = 0; i < a.records->len && m == M_NOMATCH; i++) {
        const dns_rr_t *rr = g_ptr_array_index(a.records, i);
        if (rr->type != DNS_T_MX || rr->text[0] == '\0') /* null MX (RFC 7505) */
            continue;
        dns_answer_t b;
        dns_status_t st = dns_query(c->dns, rr->text, type, &b);
        if (st == DNS_TEMPFAIL) {
            eval_problem(ev, SPF_TEMPERROR, "DNS lookup of MX host %s failed: %s", rr->text,
                         b.why ? b.why : "temporary failure");
            m = M_TEMPERROR;
        } else if (answer_has_ip(c, &b, cidr)) {
            m = M_MATCH;
        }
        dns_answer_clear(&b);
    }
    dns_answer_clear(&a);
    return m;
}

static match_t mech_ptr(spf_ctx_t *c, const char *name, eval_t *ev)
{
    char *rev = reverse_name(c);
    dns_answer_t a;
    dns_status_t st = dns_query(c->dns, rev, DNS_T_PTR, &a);
    g_free(rev);
    dns_answer_clear(&a);
    if (st == DNS_TEMPFAIL)
        return M_NOMATCH; /* 5.5: a DNS error here makes ptr not match */
    if (!count_void(c, st, "the PTR name", ev))
        return M_PERMERROR;
    validate_ptr(c);
    for (guint i = 0; i < c->validated->len; i++)
        if (name_within(g_ptr_array_index(c->validated, i), name))
            return M_MATCH;
    return M_NOMATCH;
}

static match_t mech_exists(spf_ctx_t *c, const char *name, eval_t *ev)
{
    dns_answer_t a;
    match_t m = query_checked(c, name, DNS_T_A, &a, ev); /* A even for IPv6 (5.7) */
    if (m == M_NOMATCH && count_type(&a, DNS_T_A) > 0)
        m = M_MATCH;
    dns_answer_clear(&a);
    return m;
}

static match_t mech_include(spf_ctx_t *c, const char *name, eval_t *ev)
{
    eval_t sub = {0};
    c->depth++;
    spf_res_t r = check_host(c, name, NULL, &sub);
    c->depth--;
    match_t m = M_NOMATCH;
    switch (r) {
    case SPF_PASS:
        m = M_MATCH;
        break;
    case SPF_FAIL:
    case SPF_SOFTFAIL:
    case SPF_NEUTRAL:
        break;
    case SPF_TEMPERROR:
        eval_problem(ev, SPF_TEMPERROR, "include:%s: %s", name,
                     sub.problem ? sub.problem : "temperror");
        m = M_TEMPERROR;
        break;
    case SPF_PERMERROR:
        eval_problem(ev, SPF_PERMERROR, "include:%s: %s", name,
                     sub.problem ? sub.problem : "permerror");
        m = M_PERMERROR;
        break;
    case SPF_NONE:
        eval_problem(ev, SPF_PERMERROR, "include:%s: %s", name,
                     "the included domain has no SPF record (RFC 7208 5.2)");
        m = M_PERMERROR;
        break;
    }
    eval_clear(&sub);
    return m;
}

static bool needs_dns(spf_mech_t m)
{
    return m == SPF_MECH_INCLUDE || m == SPF_MECH_A || m == SPF_MECH_MX || m == SPF_MECH_PTR ||
           m == SPF_MECH_EXISTS;
}

static match_t eval_term(spf_ctx_t *c, const spf_term_t *t, const char *domain, eval_t *ev)
{
    if (t->mech == SPF_MECH_ALL)
        return M_MATCH;
    if (t->mech == SPF_MECH_IP4)
        return addr_in(c, AF_INET, t->net, t->cidr4) ? M_MATCH : M_NOMATCH;
    if (t->mech == SPF_MECH_IP6)
        return addr_in(c, AF_INET6, t->net, t->cidr6) ? M_MATCH : M_NOMATCH;
    if (needs_dns(t->mech) && !count_term(c, t->text, ev))
        return M_PERMERROR;
    char *name = target_name(c, t->spec, domain, ev);
    if (!name)
        return M_PERMERROR;
    match_t m = M_NOMATCH;
    switch (t->mech) {
    case SPF_MECH_A:
        m = mech_a(c, t, name, ev);
        break;
    case SPF_MECH_MX:
        m = mech_mx(c, t, name, ev);
        break;
    case SPF_MECH_PTR:
        m = mech_ptr(c, name, ev);
        break;
    case SPF_MECH_EXISTS:
        m = mech_exists(c, name, ev);
        break;
    case SPF_MECH_INCLUDE:
        trace(c, "  %s: DNS term %u of %u, evaluating %s", t->text, c->out->lookups, c->max_lookups,
              name);
        m = mech_include(c, name, ev);
        break;
    default:
        break;
    }
    g_free(name);
    return m;
}

/* --- the record (4.4, 4.5) --------------------------------------------- */

/* Fetch and select the SPF record of domain: NULL with ev->res set
 * (none, temperror, permerror) when there is none to evaluate. */
static char *fetch_record(spf_ctx_t *c, const char *domain, size_t *len, eval_t *ev)
{
    dns_answer_t a;
    dns_status_t st = dns_query(c->dns, domain, DNS_T_TXT, &a);
    if (st == DNS_TEMPFAIL) {
        eval_problem(ev, SPF_TEMPERROR, "DNS lookup of %s TXT failed: %s", domain,
                     a.why ? a.why : "temporary failure");
        dns_answer_clear(&a);
        return NULL;
    }
    char *found = NULL;
    unsigned n = 0;
    for (guint i = 0; i < a.records->len; i++) {
        const dns_rr_t *rr = g_ptr_array_index(a.records, i);
        if (rr->type != DNS_T_TXT || !spf_record_is_spf(slice_make(rr->text, rr->text_len)))
            continue;
        if (n++ == 0) {
            found = g_malloc(rr->text_len + 1);
            memcpy(found, rr->text, rr->text_len + 1);
            *len = rr->text_len;
        }
    }
    dns_answer_clear(&a);
    if (n > 1) {
        g_free(found);
        eval_problem(ev, SPF_PERMERROR, "%s publishes %u SPF records (RFC 7208 4.5)", domain, n);
        return NULL;
    }
    if (!found) {
        eval_problem(ev, SPF_NONE, "%s has no SPF record (%s)", domain,
                     st == DNS_NXDOMAIN ? "no such domain" : "no v=spf1 TXT record");
        return NULL;
    }
    return found;
}

static void decide(eval_t *ev, spf_res_t res, const spf_term_t *t, const char *domain,
                   const char *shown, const spf_record_t *rec)
{
    ev->res = res;
    ev->mechanism = g_strdup(t ? t->text : "default");
    ev->domain = g_strdup(domain);
    ev->record = g_strdup(shown);
    if (res == SPF_FAIL && rec->exp)
        ev->exp_spec = g_strdup(rec->exp);
}

static spf_res_t qualifier_result(char q)
{
    switch (q) {
    case '-':
        return SPF_FAIL;
    case '~':
        return SPF_SOFTFAIL;
    case '?':
        return SPF_NEUTRAL;
    default:
        return SPF_PASS;
    }
}

static spf_res_t eval_redirect(spf_ctx_t *c, const spf_record_t *rec, const char *domain,
                               eval_t *ev)
{
    char *term = g_strdup_printf("redirect=%s", rec->redirect);
    bool ok = count_term(c, term, ev);
    g_free(term);
    if (!ok)
        return ev->res;
    char *name = target_name(c, rec->redirect, domain, ev);
    if (!name)
        return ev->res;
    trace(c, "redirect=%s -> %s", rec->redirect, name);
    eval_t sub = {0};
    c->depth++;
    spf_res_t r = check_host(c, name, NULL, &sub);
    c->depth--;
    if (r == SPF_NONE) {
        eval_problem(ev, SPF_PERMERROR, "redirect=%s: %s", name,
                     "the target has no SPF record (RFC 7208 6.1)");
        eval_clear(&sub);
    } else {
        char *p = ev->problem;
        *ev = sub; /* the target's result, mechanism, record and exp= */
        if (p && !ev->problem)
            ev->problem = p;
        else
            g_free(p);
    }
    g_free(name);
    return ev->res;
}

static spf_res_t check_host(spf_ctx_t *c, const char *domain, const char *record_text, eval_t *ev)
{
    if (c->depth > SPF_MAX_DEPTH) {
        eval_problem(ev, SPF_PERMERROR, "include/redirect nesting deeper than %d", SPF_MAX_DEPTH);
        return ev->res;
    }
    if (!domain_usable(domain)) {
        eval_problem(ev, SPF_NONE, "'%s' is not a usable domain name (RFC 7208 4.3)", domain);
        trace(c, "%s: not a usable domain name -> none", domain);
        return ev->res;
    }
    size_t len = record_text ? strlen(record_text) : 0;
    char *text = record_text ? g_strdup(record_text) : fetch_record(c, domain, &len, ev);
    if (!text) {
        trace(c, "%s: %s -> %s", domain, ev->problem ? ev->problem : "", spf_res_name(ev->res));
        return ev->res;
    }
    char *shown = spf_printable(slice_make(text, len));
    trace(c, "%s: \"%s\"", domain, shown);
    char *err = NULL;
    spf_record_t *rec = spf_record_parse(slice_make(text, len), &err);
    if (!rec) {
        eval_problem(ev, SPF_PERMERROR, "%s: syntax error: %s", domain, err);
        trace(c, "  syntax error: %s -> permerror", err);
        g_free(err);
        g_free(text);
        g_free(shown);
        return ev->res;
    }
    bool decided = false;
    for (guint i = 0; i < rec->terms->len && !decided; i++) {
        const spf_term_t *t = g_ptr_array_index(rec->terms, i);
        match_t m = eval_term(c, t, domain, ev);
        switch (m) {
        case M_MATCH:
            decide(ev, qualifier_result(t->qualifier), t, domain, shown, rec);
            trace(c, "  %s: match -> %s", t->text, spf_res_name(ev->res));
            decided = true;
            break;
        case M_NOMATCH:
            trace(c, "  %s: no match", t->text);
            break;
        case M_TEMPERROR:
        case M_PERMERROR:
            trace(c, "  %s: %s -> %s", t->text, ev->problem ? ev->problem : "",
                  spf_res_name(ev->res));
            decided = true;
            break;
        }
    }
    if (!decided) {
        if (rec->redirect && !rec->has_all) {
            eval_redirect(c, rec, domain, ev);
        } else {
            decide(ev, SPF_NEUTRAL, NULL, domain, shown, rec);
            trace(c, "  no mechanism matched -> neutral");
        }
    }
    spf_record_free(rec);
    g_free(text);
    g_free(shown);
    return ev->res;
}

/* --- explanation (6.2) ------------------------------------------------- */

static char *explanation(spf_ctx_t *c, const eval_t *ev)
{
    eval_t scratch = {0};
    char *name = target_name(c, ev->exp_spec, ev->domain, &scratch);
    eval_clear(&scratch);
    if (!name)
        return NULL;
    dns_answer_t a;
    dns_status_t st = dns_query(c->dns, name, DNS_T_TXT, &a);
    char *result = NULL;
    const dns_rr_t *only = NULL;
    if (st == DNS_OK && count_type(&a, DNS_T_TXT) == 1)
        for (guint i = 0; i < a.records->len; i++) {
            const dns_rr_t *rr = g_ptr_array_index(a.records, i);
            if (rr->type == DNS_T_TXT)
                only = rr;
        }
    if (only) {
        spf_macro_env_t env;
        macro_env(c, ev->domain, &env);
        buf_t b;
        buf_init(&b, SPF_MAX_EXPANSION);
        const char *why = NULL;
        if (spf_macro_expand(slice_make(only->text, only->text_len), true, &env, &b, &why) == 0)
            result = buf_steal(&b);
        else
            trace(c, "exp=%s: %s (explanation dropped)", name, why);
        buf_free(&b);
    } else {
        trace(c, "exp=%s: %s, %u TXT records (explanation dropped)", name, dns_status_name(st),
              count_type(&a, DNS_T_TXT));
    }
    dns_answer_clear(&a);
    g_free(name);
    return result;
}

/* --- entry points ------------------------------------------------------ */

static void result_init(spf_result_t *out)
{
    memset(out, 0, sizeof *out);
    out->trace = g_ptr_array_new_with_free_func(g_free);
}

void spf_result_clear(spf_result_t *r)
{
    if (!r)
        return;
    g_free(r->sender);
    g_free(r->domain);
    g_free(r->record_domain);
    g_free(r->record);
    g_free(r->mechanism);
    g_free(r->explanation);
    g_free(r->problem);
    if (r->trace)
        g_ptr_array_unref(r->trace);
    memset(r, 0, sizeof *r);
}

static spf_res_t run(dns_resolver_t *dns, const spf_options_t *opt, const char *ip,
                     const char *domain, const char *sender, const char *helo, const char *record,
                     spf_result_t *out)
{
    spf_ctx_t c = {0};
    c.dns = dns_budget_new(dns, SPF_MAX_QUERIES,
                           opt && opt->max_time_ms ? opt->max_time_ms : SPF_MAX_TIME_MS);
    c.max_lookups = opt && opt->max_lookups ? opt->max_lookups : SPF_MAX_DNS_TERMS;
    c.max_void = opt && opt->max_void ? opt->max_void : SPF_MAX_VOID;
    c.receiver = opt && opt->receiver ? opt->receiver : "unknown";
    c.now = opt && opt->now ? opt->now : time(NULL);
    c.helo = g_strdup(helo);
    c.out = out;
    c.validated = g_ptr_array_new_with_free_func(g_free);
    c.pick = g_string_new(NULL);
    /* The sender: local-part and domain at the last '@'; "postmaster" when
     * there is no local-part (4.3). */
    const char *at = strrchr(sender, '@');
    if (!at) {
        c.local = g_strdup("postmaster");
        c.sender_domain = g_strdup(sender);
    } else {
        c.local = at == sender ? g_strdup("postmaster") : g_strndup(sender, (size_t)(at - sender));
        c.sender_domain = g_strdup(at + 1);
    }
    c.sender = g_strdup_printf("%s@%s", c.local, c.sender_domain);
    out->sender = tame(g_strdup(c.sender));
    out->domain = tame(g_strdup(domain));

    eval_t ev = {0};
    if (ctx_set_ip(&c, ip) < 0) {
        eval_problem(&ev, SPF_PERMERROR, "'%s' is not an IP address", ip);
    } else {
        trace(&c, "check_host(%s, %s, %s)", c.ip_readable, domain, c.sender);
        check_host(&c, domain, record, &ev);
    }
    out->result = ev.res;
    out->mechanism = ev.mechanism;
    out->record_domain = ev.domain;
    out->record = ev.record;
    out->problem = ev.problem;
    if (ev.res == SPF_FAIL && ev.exp_spec)
        out->explanation = explanation(&c, &ev);
    g_free(ev.exp_spec);
    trace(&c, "result: %s", spf_res_name(out->result));

    dns_resolver_free(c.dns);
    g_free(c.helo);
    g_free(c.local);
    g_free(c.sender_domain);
    g_free(c.sender);
    g_ptr_array_unref(c.validated);
    g_string_free(c.pick, TRUE);
    return out->result;
}

spf_res_t spf_check_host(dns_resolver_t *dns, const spf_options_t *opt, const char *ip,
                         const char *domain, const char *sender, const char *helo,
                         const char *record, spf_result_t *out)
{
    result_init(out);
    out->identity = SPF_ID_MAILFROM;
    return run(dns, opt, ip, domain ? domain : "", sender ? sender : "", helo, record, out);
}

spf_res_t spf_check(dns_resolver_t *dns, const spf_options_t *opt, const char *ip,
                    const char *sender, const char *helo, spf_result_t *out)
{
    if (!sender || !*sender)
        return spf_check_helo(dns, opt, ip, helo, out);
    result_init(out);
    out->identity = SPF_ID_MAILFROM;
    const char *at = strrchr(sender, '@');
    const char *domain = at ? at + 1 : sender;
    return run(dns, opt, ip, domain, sender, helo, NULL, out);
}

spf_res_t spf_check_helo(dns_resolver_t *dns, const spf_options_t *opt, const char *ip,
                         const char *helo, spf_result_t *out)
{
    result_init(out);
    out->identity = SPF_ID_HELO;
    const char *h = helo ? helo : "";
    char *sender = g_strdup_printf("postmaster@%s", h);
    spf_res_t r = run(dns, opt, ip, h, sender, helo, NULL, out);
    g_free(sender);
    return r;
}
