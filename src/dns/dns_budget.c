/*
 * dns_budget.c - a resolver that spends a budget: at most max_queries
 * queries and max_ms milliseconds of wall time, then DNS_TEMPFAIL.
 *
 * Why: per-query timeouts alone do not bound the work one message can
 * cause. SPF may legitimately ask ~120 questions (10 DNS terms, each MX or
 * PTR with 10 more names) and a hostile chain of DKIM/ARC signatures many
 * keys; at 5 s a query that is minutes. RFC 7208 4.6.4 asks for a limit on
 * the total time of check_host() (at least 20 s, then temperror). A budget
 * wraps the shared resolver for one message (or one check) and is freed
 * with it; the inner resolver and its cache live on.
 *
 * Memory: the budget borrows inner (never frees it).
 * Thread safety: as the inner resolver; one budget per message.
 */
#include <glib.h>

#include "dns/dns.h"
#include "dns/dns_backend.h"

typedef struct dns_budget {
    dns_resolver_t base;
    dns_resolver_t *inner;
    unsigned max_queries, queries;
    gint64 deadline; /* monotonic, microseconds; 0: none */
    gint64 started;
} dns_budget_t;

static dns_status_t budget_query(dns_resolver_t *r, const char *name, dns_type_t type,
                                 dns_answer_t *out)
{
    dns_budget_t *b = (dns_budget_t *)r;
    if (b->max_queries && b->queries >= b->max_queries) {
        dns_answer_set_fail(out, "lookup budget exhausted (too many queries)");
        return out->status;
    }
    if (b->deadline && g_get_monotonic_time() >= b->deadline) {
        dns_answer_set_fail(out, "lookup budget exhausted (time)");
        return out->status;
    }
    b->queries++;
    dns_answer_clear(out);
    return dns_query(b->inner, name, type, out);
}

static void budget_destroy(dns_resolver_t *r)
{
    g_free(r);
}

static const dns_backend_ops_t budget_ops = {budget_query, budget_destroy};

dns_resolver_t *dns_budget_new(dns_resolver_t *inner, unsigned max_queries, unsigned max_ms)
{
    dns_budget_t *b = g_new0(dns_budget_t, 1);
    b->base.ops = &budget_ops;
    b->inner = inner;
    b->max_queries = max_queries;
    b->started = g_get_monotonic_time();
    if (max_ms)
        b->deadline = b->started + (gint64)max_ms * 1000;
    return &b->base;
}

void dns_budget_used(const dns_resolver_t *r, unsigned *queries, unsigned *ms)
{
    const dns_budget_t *b = (const dns_budget_t *)r;
    if (r->ops != &budget_ops) {
        *queries = 0;
        *ms = 0;
        return;
    }
    *queries = b->queries;
    *ms = (unsigned)((g_get_monotonic_time() - b->started) / 1000);
}
