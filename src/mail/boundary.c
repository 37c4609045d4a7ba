/*
 * boundary.c - the trusted boundary of a message; see boundary.h.
 *
 * What: msg->hops[k] is the k-th Received field of msg->headers (both top
 * first). Walking the hops from the top, a hop is "ours" when its "by"
 * host is trusted, or when the previous hop's client was a trusted host
 * (that host wrote this Received). In a hop of ours, the client is
 * trusted when its IP is listed (exact or CIDR), is loopback (content
 * filters re-injecting on 127.0.0.1), or its reverse DNS name is listed;
 * a hop with no client at all ("by mx (Postfix, from userid 0)") is local
 * and passes, but vouches for nothing below it. The first hop of ours
 * whose client is not trusted is the boundary: its client is the SMTP
 * client our MX saw (first_untrusted_hop, client_*), and every header
 * below that hop's Received field came from the outside. So
 * trusted_header_end is the index just past that Received field, not the
 * index of the next one: a sender need not write any Received field, and
 * whatever sits right under our MX's Received is the sender's own text.
 * When every hop is ours, the boundary is just past the last one.
 *
 * Authentication-Results fields with a trusted authserv-id above the
 * boundary, or in the run of authentication fields directly under the
 * boundary's Received (where milters insert them), are believed (parsed,
 * top first); those further below are forged and recorded as
 * MAIL_ANOM_FORGED_AUTHRES. When trust is configured but
 * the top hop is not ours (the message did not come through our MX, or the
 * list misses an internal host) there is no boundary: nothing is
 * believed and nothing is called forged, because we cannot tell.
 *
 * Memory: the boundary owns its strings and the believed authres_t; the
 * message is only read, except for the anomalies it gains.
 * Limits: work is O(headers x trusted entries); hops are capped by
 * MAIL_MAX_HOPS and headers by MAIL_MAX_HEADERS upstream.
 * Errors: none; unparsable Received and A-R fields simply match nothing.
 * Security: names and HELOs written by the client are never trusted; a
 * reverse DNS name counts only as our MTA recorded it, and not when the
 * field says "may be forged" (Sendmail's mark for an unconfirmed PTR,
 * which an attacker controls for their own address). An empty
 * authserv-id is never trusted.
 */
#include "mail/boundary.h"

#include <arpa/inet.h>
#include <string.h>

#include "mail/message.h"
#include "util/slice.h"

/* Host name without a trailing dot or [brackets] and "IPv6:" prefix. */
static slice_t host_norm(const char *s)
{
    slice_t h = slice_trim(slice_cstr(s ? s : ""));
    if (h.n >= 2 && h.p[0] == '[' && h.p[h.n - 1] == ']') {
        h.p++;
        h.n -= 2;
        slice_skip_prefix_ci(&h, "IPv6:");
    }
    while (h.n > 0 && h.p[h.n - 1] == '.')
        h.n--;
    return h;
}

/* Parse an address; family AF_INET/AF_INET6 or 0. */
static int ip_bin(slice_t s, unsigned char bin[16])
{
    char buf[INET6_ADDRSTRLEN + 8];
    if (s.n == 0 || s.n >= sizeof buf)
        return 0;
    memcpy(buf, s.p, s.n);
    buf[s.n] = '\0';
    if (inet_pton(AF_INET, buf, bin) == 1)
        return AF_INET;
    if (inet_pton(AF_INET6, buf, bin) == 1)
        return AF_INET6;
    return 0;
}

/* entry "192.0.2.1", "2001:db8::/32", "192.0.2.0/24" against an address. */
static bool ip_entry_match(const char *entry, int fam, const unsigned char *bin)
{
    slice_t e = slice_trim(slice_cstr(entry));
    long slash = slice_find(e, '/');
    slice_t addr = slash >= 0 ? slice_make(e.p, (size_t)slash) : e;
    unsigned char eb[16];
    int efam = ip_bin(addr, eb);
    if (efam == 0 || efam != fam)
        return false;
    unsigned max = fam == AF_INET ? 32 : 128, bits = max;
    if (slash >= 0) {
        slice_t p = slice_make(e.p + slash + 1, e.n - (size_t)slash - 1);
        if (p.n == 0 || p.n > 3)
            return false;
        bits = 0;
        for (size_t i = 0; i < p.n; i++) {
            if (p.p[i] < '0' || p.p[i] > '9')
                return false;
            bits = bits * 10 + (unsigned)(p.p[i] - '0');
        }
        if (bits > max)
            return false;
    }
    for (unsigned i = 0; i < bits / 8; i++)
        if (eb[i] != bin[i])
            return false;
    if (bits % 8) {
        unsigned char mask = (unsigned char)(0xFF << (8 - bits % 8));
        if ((eb[bits / 8] & mask) != (bin[bits / 8] & mask))
            return false;
    }
    return true;
}

/* entry "mx.example.jp" (exact) or ".example.jp" (any name under it). */
static bool name_entry_match(const char *entry, slice_t name)
{
    slice_t e = slice_trim(slice_cstr(entry));
    while (e.n > 0 && e.p[e.n - 1] == '.')
        e.n--;
    if (e.n == 0 || name.n == 0)
        return false;
    if (e.p[0] == '.') {
        if (name.n <= e.n)
            return false;
        return g_ascii_strncasecmp(name.p + name.n - e.n, e.p, e.n) == 0;
    }
    return name.n == e.n && g_ascii_strncasecmp(name.p, e.p, e.n) == 0;
}

static bool listed(char *const *list, const char *host)
{
    if (list == NULL || host == NULL)
        return false;
    slice_t h = host_norm(host);
    if (h.n == 0)
        return false;
    unsigned char bin[16];
    int fam = ip_bin(h, bin);
    for (size_t i = 0; list[i] != NULL; i++) {
        if (fam ? ip_entry_match(list[i], fam, bin) : name_entry_match(list[i], h))
            return true;
    }
    return false;
}

static bool loopback(const char *ip)
{
    unsigned char bin[16];
    int fam = ip_bin(slice_cstr(ip), bin);
    if (fam == AF_INET)
        return bin[0] == 127;
    static const unsigned char one[16] = {[15] = 1};
    return fam == AF_INET6 && memcmp(bin, one, 16) == 0;
}

static bool may_be_forged(const char *raw)
{
    return raw != NULL && strstr(raw, "may be forged") != NULL;
}

static char *dup_nonempty(const char *s)
{
    return (s != NULL && s[0] != '\0') ? g_strdup(s) : NULL;
}

static bool is_named(const mail_header_t *h, const char *name)
{
    return h->name != NULL && g_ascii_strcasecmp(h->name, name) == 0;
}

/* Fields a receiving MTA or its milters add next to their Received. */
static bool is_auth_field(const mail_header_t *h)
{
    return is_named(h, "Authentication-Results") || is_named(h, "ARC-Authentication-Results") ||
           is_named(h, "ARC-Seal") || is_named(h, "ARC-Message-Signature") ||
           is_named(h, "Received-SPF") ||
           (h->name != NULL && (g_ascii_strncasecmp(h->name, "X-Spam-", 7) == 0 ||
                                g_ascii_strncasecmp(h->name, "X-Virus-", 8) == 0));
}

/* Walk the hops; returns the header index just past the last Received of
 * ours, or -1 when the top hop is not ours. Fills the client fields. */
static long walk_hops(const mail_msg_t *m, const mail_trust_t *t, mail_boundary_t *b)
{
    long end = -1;
    guint k = 0; /* hop index */
    bool vouched = false;
    for (guint j = 0; j < m->headers->len && m->hops != NULL && k < m->hops->len; j++) {
        if (!is_named(m->headers->pdata[j], "Received"))
            continue;
        const mail_hop_t *hop = m->hops->pdata[k];
        if (!vouched && !listed(t->hosts, hop->by))
            break;
        end = (long)j + 1;
        bool has_client = hop->from_name[0] != '\0' || hop->ip[0] != '\0';
        bool client_ok = !has_client || listed(t->hosts, hop->ip) || loopback(hop->ip) ||
                         (!may_be_forged(hop->raw) && listed(t->hosts, hop->rdns));
        if (!client_ok) {
            b->first_untrusted_hop = (int)k;
            b->client_ip = dup_nonempty(hop->ip);
            b->client_helo = dup_nonempty(hop->helo);
            b->client_rdns = dup_nonempty(hop->rdns);
            break;
        }
        vouched = has_client;
        k++;
    }
    return end;
}

mail_boundary_t *mail_boundary_find(mail_msg_t *m, const mail_trust_t *trust)
{
    mail_boundary_t *b = g_new0(mail_boundary_t, 1);
    b->first_untrusted_hop = -1;
    b->authres = g_ptr_array_new_with_free_func(authres_free);
    b->configured = trust != NULL && trust->hosts != NULL && trust->hosts[0] != NULL;
    if (!b->configured || m == NULL || m->headers == NULL)
        return b;
    long end = walk_hops(m, trust, b);
    b->trusted_header_end = end < 0 ? 0 : (size_t)end;
    /* Milters on our MX (OpenDKIM, OpenDMARC, ...) insert their results
     * just below the MX's own Received field, so the contiguous run of
     * authentication fields right under the boundary is ours too. RFC 8601
     * section 5 obliges our MX to delete incoming fields that carry our
     * authserv-id, which is what makes this run safe to believe; further
     * down, a field with our id can only be the sender's forgery. */
    long auth_end = end;
    if (end >= 0 && b->first_untrusted_hop >= 0)
        while ((guint)auth_end < m->headers->len && is_auth_field(m->headers->pdata[auth_end]))
            auth_end++;
    char *const *ids = trust->authserv_ids ? trust->authserv_ids : trust->hosts;
    for (guint j = 0; j < m->headers->len; j++) {
        const mail_header_t *h = m->headers->pdata[j];
        if (!is_named(h, "Authentication-Results"))
            continue;
        const char *v = h->raw ? h->raw : h->value ? h->value : "";
        authres_t *a = authres_parse(v, strlen(v));
        if (a->authserv_id[0] == '\0' || !listed(ids, a->authserv_id) || end < 0) {
            authres_free(a);
            continue;
        }
        if ((long)j < auth_end) {
            g_ptr_array_add(b->authres, a);
        } else {
            if (m->anomalies != NULL)
                mail_msg_anomaly(m, MAIL_ANOM_FORGED_AUTHRES,
                                 "Authentication-Results of %.200s below the trusted boundary "
                                 "(header %u)",
                                 a->authserv_id, j + 1);
            authres_free(a);
        }
    }
    return b;
}

void mail_boundary_free(mail_boundary_t *b)
{
    if (b == NULL)
        return;
    g_free(b->client_ip);
    g_free(b->client_helo);
    g_free(b->client_rdns);
    g_ptr_array_unref(b->authres);
    g_free(b);
}
