/*
 * dns_unbound.c - the live backend: libunbound, bounded by a deadline.
 *
 * A context per resolver, with its cache, asking either one forwarder
 * ("HOST[:PORT]": an IPv4 or IPv6 address, "[v6]:port" for a port with
 * IPv6) or the servers of /etc/resolv.conf. Localhost forwarders are
 * allowed (an authoritative server on loopback is how the tests run), and
 * the special-use zones libunbound would answer itself are passed through
 * to the server (ub_pass_through below).
 * DNSSEC: validation is opt-in (dns_unbound_trust_anchor, e.g. Debian's
 * dns-root-data /usr/share/dns/root.key); dns_answer_t.secure then tells a
 * validated answer and a bogus one is DNS_TEMPFAIL. Not by default,
 * because a validating stub behind a server that strips DNSSEC records
 * (many home routers, some stub resolvers) would fail every query, and a
 * test server holds no signed chain.
 *
 * Why asynchronous: ub_resolve() has no timeout of its own and a dead
 * server can hold it for a long time. Each query is started with
 * ub_resolve_async() and the caller waits on the context's descriptor with
 * poll() until the resolver's deadline; a query still pending then is
 * cancelled and answered DNS_TEMPFAIL ("timeout"). Nothing blocks past the
 * deadline.
 *
 * Answers: the answer packet is parsed with ldns (ldns_wire2pkt); records
 * of the wanted type and the CNAMEs on the way are returned. SERVFAIL,
 * REFUSED and other errors, a bogus DNSSEC result and a packet ldns cannot
 * parse are DNS_TEMPFAIL with a why; NXDOMAIN and empty answers map to
 * DNS_NXDOMAIN and DNS_NODATA.
 *
 * Memory: the resolver owns the context; a cancelled query whose callback
 * might still run keeps its small state on the resolver until it is freed.
 * Thread safety: one resolver per thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ldns/ldns.h>
#include <poll.h>
#include <string.h>
#include <unbound.h>
#include <unistd.h>

#include "dns/dns.h"
#include "dns/dns_backend.h"
#include "util/slice.h"

/* libunbound answers some names itself (RFC 6303 and RFC 6761 zones:
 * "test.", TEST-NET reverse zones, ...) with NXDOMAIN, as a full resolver
 * should. sesguard is a stub: the server it was given decides, as it would
 * for any stub resolver (an internal server may hold PTR records for
 * private space; a test server serves documentation addresses). These are
 * made transparent; localhost and its reverse zones stay local. */
static const char *const ub_pass_through[] = {
    "test.",
    "invalid.",
    "onion.",
    "home.arpa.",
    "0.in-addr.arpa.",
    "254.169.in-addr.arpa.",
    "2.0.192.in-addr.arpa.",
    "100.51.198.in-addr.arpa.",
    "113.0.203.in-addr.arpa.",
    "d.f.ip6.arpa.",
    "8.e.f.ip6.arpa.",
    "9.e.f.ip6.arpa.",
    "a.e.f.ip6.arpa.",
    "b.e.f.ip6.arpa.",
    "8.b.d.0.1.0.0.2.ip6.arpa.",
};

typedef struct ub_query {
    bool done;
    int err;
    struct ub_result *result;
} ub_query_t;

typedef struct dns_unbound {
    dns_resolver_t base;
    struct ub_ctx *ctx;
    unsigned timeout_ms;
    GPtrArray *orphans; /* ub_query_t* of cancelled queries */
} dns_unbound_t;

static void ub_done(void *arg, int err, struct ub_result *result)
{
    ub_query_t *q = arg;
    q->done = true;
    q->err = err;
    q->result = result;
}

static void orphan_free(gpointer p)
{
    ub_query_t *q = p;
    if (q->result)
        ub_resolve_free(q->result);
    g_free(q);
}

/* Parse "HOST[:PORT]" into unbound's "HOST@PORT"; NULL with *err set. */
static char *forwarder_spec(const char *fwd, char **err)
{
    slice_t s = slice_cstr(fwd);
    slice_t host = s, port = {NULL, 0};
    if (s.n && s.p[0] == '[') {
        long close = slice_find(s, ']');
        if (close < 0) {
            *err = g_strdup_printf("forwarder %s: missing ']'", fwd);
            return NULL;
        }
        host = slice_make(s.p + 1, (size_t)close - 1);
        slice_t rest = slice_make(s.p + close + 1, s.n - (size_t)close - 1);
        if (rest.n) {
            if (rest.p[0] != ':') {
                *err = g_strdup_printf("forwarder %s: expected ':PORT' after ']'", fwd);
                return NULL;
            }
            port = slice_make(rest.p + 1, rest.n - 1);
        }
    } else {
        long c = slice_find(s, ':');
        if (c >= 0 && memchr(s.p + c + 1, ':', s.n - (size_t)c - 1) == NULL) {
            host = slice_make(s.p, (size_t)c);
            port = slice_make(s.p + c + 1, s.n - (size_t)c - 1);
        }
    }
    char *h = slice_dup(host);
    unsigned char tmp[16];
    if (inet_pton(AF_INET, h, tmp) != 1 && inet_pton(AF_INET6, h, tmp) != 1) {
        *err = g_strdup_printf("forwarder %s: not an IP address", fwd);
        g_free(h);
        return NULL;
    }
    if (!port.p)
        return h;
    unsigned long pn = 0;
    for (size_t i = 0; i < port.n; i++) {
        if (port.p[i] < '0' || port.p[i] > '9' || pn > 65535) {
            pn = 0;
            break;
        }
        pn = pn * 10 + (unsigned long)(port.p[i] - '0');
    }
    if (pn == 0 || pn > 65535) {
        *err = g_strdup_printf("forwarder %s: bad port", fwd);
        g_free(h);
        return NULL;
    }
    char *spec = g_strdup_printf("%s@%lu", h, pn);
    g_free(h);
    return spec;
}

static void set_rcode_fail(dns_answer_t *out, int rcode)
{
    const ldns_lookup_table *lt = ldns_lookup_by_id(ldns_rcodes, rcode);
    char *why = g_strdup_printf("server answered %s", lt ? lt->name : "an error");
    dns_answer_set_fail(out, why);
    g_free(why);
}

static void fill_answer(const struct ub_result *res, dns_type_t type, dns_answer_t *out)
{
    out->secure = res->secure != 0;
    if (res->bogus) {
        char *why = g_strdup_printf("DNSSEC bogus%s%s", res->why_bogus ? ": " : "",
                                    res->why_bogus ? res->why_bogus : "");
        dns_answer_set_fail(out, why);
        g_free(why);
        return;
    }
    if (res->rcode != LDNS_RCODE_NOERROR && res->rcode != LDNS_RCODE_NXDOMAIN) {
        set_rcode_fail(out, res->rcode);
        return;
    }
    bool found = false;
    if (res->answer_packet && res->answer_len > 0 &&
        dns_answer_add_wire(out, res->answer_packet, (size_t)res->answer_len, type, &found) < 0) {
        dns_answer_set_fail(out, "malformed answer");
        return;
    }
    if (found)
        out->status = DNS_OK;
    else if (res->nxdomain || res->rcode == LDNS_RCODE_NXDOMAIN)
        out->status = DNS_NXDOMAIN;
    else
        out->status = DNS_NODATA;
}

static dns_status_t unbound_query(dns_resolver_t *r, const char *name, dns_type_t type,
                                  dns_answer_t *out)
{
    dns_unbound_t *u = (dns_unbound_t *)r;
    ldns_rdf *dn = ldns_dname_new_frm_str(name[0] ? name : ".");
    if (!dn) {
        out->status = DNS_NXDOMAIN;
        out->why = g_strdup("invalid name");
        return out->status;
    }
    ldns_rdf_deep_free(dn);
    ub_query_t *q = g_new0(ub_query_t, 1);
    int id = 0;
    int rc = ub_resolve_async(u->ctx, name, (int)type, LDNS_RR_CLASS_IN, q, ub_done, &id);
    if (rc != 0) {
        dns_answer_set_fail(out, ub_strerror(rc));
        g_free(q);
        return out->status;
    }
    gint64 deadline = g_get_monotonic_time() + (gint64)u->timeout_ms * 1000;
    int fd = ub_fd(u->ctx);
    while (!q->done) {
        gint64 left = deadline - g_get_monotonic_time();
        if (left <= 0)
            break;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int pr = poll(&pfd, 1, (int)((left + 999) / 1000));
        if (pr < 0 && errno != EINTR)
            break;
        if (pr > 0 && ub_process(u->ctx) != 0)
            break;
    }
    if (!q->done) {
        if (ub_cancel(u->ctx, id) == 0)
            g_free(q);
        else
            g_ptr_array_add(u->orphans, q); /* its callback may still run */
        dns_answer_set_fail(out, "timeout");
        return out->status;
    }
    if (q->err != 0 || !q->result)
        dns_answer_set_fail(out, ub_strerror(q->err));
    else
        fill_answer(q->result, type, out);
    orphan_free(q);
    return out->status;
}

static void unbound_destroy(dns_resolver_t *r)
{
    dns_unbound_t *u = (dns_unbound_t *)r;
    if (u->ctx)
        ub_ctx_delete(u->ctx);
    g_ptr_array_unref(u->orphans);
    g_free(u);
}

static const dns_backend_ops_t unbound_ops = {unbound_query, unbound_destroy};

dns_resolver_t *dns_unbound_new(const char *forwarder, unsigned timeout_ms, char **err)
{
    *err = NULL;
    dns_unbound_t *u = g_new0(dns_unbound_t, 1);
    u->base.ops = &unbound_ops;
    u->timeout_ms = timeout_ms ? timeout_ms : 5000;
    u->orphans = g_ptr_array_new_with_free_func(orphan_free);
    u->ctx = ub_ctx_create();
    if (!u->ctx) {
        *err = g_strdup("cannot create the libunbound context");
        unbound_destroy(&u->base);
        return NULL;
    }
    int rc = ub_ctx_async(u->ctx, 1);
    if (rc == 0)
        rc = ub_ctx_set_option(u->ctx, "do-not-query-localhost:", "no");
    /* answers in the server's order: the same data, the same result */
    if (rc == 0)
        rc = ub_ctx_set_option(u->ctx, "rrset-roundrobin:", "no");
    /* private address space (RFC 1918, RFC 6598) reverse zones */
    if (rc == 0)
        rc = ub_ctx_set_option(u->ctx, "unblock-lan-zones:", "yes");
    if (rc == 0)
        rc = ub_ctx_set_option(u->ctx, "insecure-lan-zones:", "yes");
    for (size_t i = 0; rc == 0 && i < G_N_ELEMENTS(ub_pass_through); i++) {
        char *v = g_strdup_printf("%s transparent", ub_pass_through[i]);
        rc = ub_ctx_set_option(u->ctx, "local-zone:", v);
        g_free(v);
    }
    if (rc == 0 && forwarder) {
        char *spec = forwarder_spec(forwarder, err);
        if (!spec) {
            unbound_destroy(&u->base);
            return NULL;
        }
        rc = ub_ctx_set_fwd(u->ctx, spec);
        g_free(spec);
    } else if (rc == 0) {
        rc = ub_ctx_resolvconf(u->ctx, NULL);
    }
    if (rc != 0) {
        *err = g_strdup_printf("libunbound: %s", ub_strerror(rc));
        unbound_destroy(&u->base);
        return NULL;
    }
    return &u->base;
}

int dns_unbound_trust_anchor(dns_resolver_t *r, const char *file, char **err)
{
    *err = NULL;
    if (!r || r->ops != &unbound_ops) {
        *err = g_strdup("trust anchors apply to the unbound resolver only");
        return -1;
    }
    dns_unbound_t *u = (dns_unbound_t *)r;
    if (access(file, R_OK) != 0) {
        *err = g_strdup_printf("%s: %s", file, g_strerror(errno));
        return -1;
    }
    int rc = ub_ctx_add_ta_file(u->ctx, file);
    if (rc != 0) {
        *err = g_strdup_printf("%s: %s", file, ub_strerror(rc));
        return -1;
    }
    return 0;
}
