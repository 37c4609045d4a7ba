/*
 * dns_zone.c - the zone-file backend: answers from RFC 1035 master files.
 *
 * Files are parsed with ldns (one ldns_rr_new_frm_fp_l per record), which
 * handles $ORIGIN, $TTL, parentheses, comments, "\DDD" escapes and the
 * generic "\# len hex" rdata of RFC 3597; the TTL and the class of a record
 * are optional (class IN) and may come in either order (RFC 1035 5.1; ldns
 * reads only TTL first, so zone_normalise swaps "<class> <TTL>"). Before any $ORIGIN line the
 * origin is the root, so a name without a trailing dot is still absolute. $INCLUDE is refused: a
 * zone file names its own data and nothing else.
 *
 * Answers: names compare case-insensitively (canonical wire form). A name
 * that owns records of the wanted type answers DNS_OK; a CNAME is followed
 * (at most ZONE_MAX_CNAME links, like a recursive resolver; a longer chain
 * or a loop is DNS_TEMPFAIL, as a resolver's SERVFAIL) and the answer holds
 * the CNAME records followed by the target's records; a name that exists
 * with other types only, or is an empty non-terminal (an ancestor of an
 * owner, RFC 8020), is DNS_NODATA; any other name is DNS_NXDOMAIN. A name
 * that cannot be a DNS name (label over 63 octets, name over 255 on the
 * wire) cannot exist: DNS_NXDOMAIN with why "invalid name". There is no
 * wildcard expansion and no delegation: every file is authoritative data.
 *
 * Timeouts for tests: a record of the private-use type 65280 (RFC 6895
 * 3.1), written "name TYPE65280 \# 0", marks the name as unreachable: a
 * query there for a type the name does not own answers DNS_TEMPFAIL
 * ("timeout"), as the RFC 7208 test suite's TIMEOUT entries require. A real
 * server serves such a record as opaque data, so the same files can be
 * loaded into NSD.
 *
 * Memory: the resolver owns every parsed record; answers hold copies.
 * Limits: ZONE_MAX_RRS records over all files (a runaway file fails to
 * load instead of exhausting memory); a file is read whole, up to
 * ZONE_MAX_FILE bytes.
 * Thread safety: read-only after dns_zone_new; queries may run in parallel.
 */
#include <errno.h>
#include <glib/gstdio.h>
#include <ldns/ldns.h>
#include <stdio.h>
#include <string.h>

#include "dns/dns.h"
#include "dns/dns_backend.h"
#include "util/slice.h"

#define ZONE_MAX_RRS      (1u << 20)
#define ZONE_MAX_CNAME    8
#define ZONE_TIMEOUT_TYPE 65280
#define ZONE_MAX_FILE     (256u << 20) /* bytes: a zone file is read whole */

typedef struct zone_node {
    GPtrArray *rrs; /* ldns_rr* */
    bool timeout;
} zone_node_t;

typedef struct dns_zone {
    dns_resolver_t base;
    GHashTable *nodes; /* GBytes canonical wire name -> zone_node_t* */
    GHashTable *ents;  /* GBytes -> GBytes: ancestors of owners */
    size_t nrrs;
} dns_zone_t;

static void node_free(gpointer p)
{
    zone_node_t *n = p;
    if (!n)
        return;
    for (guint i = 0; i < n->rrs->len; i++)
        ldns_rr_free(g_ptr_array_index(n->rrs, i));
    g_ptr_array_unref(n->rrs);
    g_free(n);
}

static GBytes *name_key(const ldns_rdf *dname)
{
    ldns_rdf *c = ldns_rdf_clone(dname);
    ldns_dname2canonical(c);
    GBytes *k = g_bytes_new(ldns_rdf_data(c), ldns_rdf_size(c));
    ldns_rdf_deep_free(c);
    return k;
}

/* Record every proper ancestor of an owner name as an existing name. */
static void add_ancestors(dns_zone_t *z, GBytes *key)
{
    gsize n;
    const uint8_t *w = g_bytes_get_data(key, &n);
    size_t off = 0;
    while (off < n && w[off] != 0) {
        off += (size_t)w[off] + 1;
        if (off >= n)
            break;
        GBytes *anc = g_bytes_new(w + off, n - off);
        if (g_hash_table_contains(z->ents, anc)) {
            g_bytes_unref(anc);
            break; /* its ancestors are in already */
        }
        g_hash_table_add(z->ents, anc);
    }
}

static void zone_add(dns_zone_t *z, ldns_rr *rr)
{
    GBytes *key = name_key(ldns_rr_owner(rr));
    zone_node_t *node = g_hash_table_lookup(z->nodes, key);
    if (!node) {
        node = g_new0(zone_node_t, 1);
        node->rrs = g_ptr_array_new();
        add_ancestors(z, key);
        g_hash_table_insert(z->nodes, g_bytes_ref(key), node);
    }
    g_bytes_unref(key);
    if ((unsigned)ldns_rr_get_type(rr) == ZONE_TIMEOUT_TYPE) {
        node->timeout = true;
        ldns_rr_free(rr);
        return;
    }
    g_ptr_array_add(node->rrs, rr);
    z->nrrs++;
}

static int zone_load_fp(dns_zone_t *z, FILE *fp, const char *fname, char **err)
{
    uint32_t ttl = 3600;
    ldns_rdf *origin = ldns_dname_new_frm_str(".");
    ldns_rdf *prev = NULL;
    int line = 1;
    int rc = 0;
    while (!feof(fp)) {
        ldns_rr *rr = NULL;
        int at = line;
        ldns_status s = ldns_rr_new_frm_fp_l(&rr, fp, &ttl, &origin, &prev, &line);
        if (s == LDNS_STATUS_OK && rr) {
            if (z->nrrs >= ZONE_MAX_RRS) {
                ldns_rr_free(rr);
                *err = g_strdup_printf("%s:%d: more than %u records", fname, line, ZONE_MAX_RRS);
                rc = -1;
                break;
            }
            zone_add(z, rr);
            continue;
        }
        if (rr)
            ldns_rr_free(rr);
        if (s == LDNS_STATUS_SYNTAX_EMPTY || s == LDNS_STATUS_SYNTAX_TTL ||
            s == LDNS_STATUS_SYNTAX_ORIGIN || s == LDNS_STATUS_OK)
            continue;
        if (s == LDNS_STATUS_SYNTAX_INCLUDE)
            *err = g_strdup_printf("%s:%d: $INCLUDE is not supported", fname, at);
        else
            *err = g_strdup_printf("%s:%d: %s", fname, line > at ? line - 1 : at,
                                   ldns_get_errorstr_by_id(s));
        rc = -1;
        break;
    }
    if (origin)
        ldns_rdf_deep_free(origin);
    if (prev)
        ldns_rdf_deep_free(prev);
    return rc;
}

static dns_status_t zone_query(dns_resolver_t *r, const char *name, dns_type_t type,
                               dns_answer_t *out)
{
    dns_zone_t *z = (dns_zone_t *)r;
    ldns_rdf *dn = name[0] ? ldns_dname_new_frm_str(name) : ldns_dname_new_frm_str(".");
    if (!dn) {
        out->status = DNS_NXDOMAIN;
        out->why = g_strdup("invalid name");
        return out->status;
    }
    GBytes *key = name_key(dn);
    ldns_rdf_deep_free(dn);
    for (int hop = 0;; hop++) {
        zone_node_t *node = g_hash_table_lookup(z->nodes, key);
        if (!node) {
            out->status = g_hash_table_contains(z->ents, key) ? DNS_NODATA : DNS_NXDOMAIN;
            break;
        }
        bool found = false;
        const ldns_rr *cname = NULL;
        for (guint i = 0; i < node->rrs->len; i++) {
            const ldns_rr *rr = g_ptr_array_index(node->rrs, i);
            unsigned t = ldns_rr_get_type(rr);
            if (t == (unsigned)type) {
                dns_rr_t *c = dns_rr_from_ldns(rr);
                if (c) {
                    g_ptr_array_add(out->records, c);
                    found = true;
                }
            } else if (t == LDNS_RR_TYPE_CNAME && !cname && ldns_rr_rd_count(rr) == 1 &&
                       ldns_rdf_get_type(ldns_rr_rdf(rr, 0)) == LDNS_RDF_TYPE_DNAME) {
                cname = rr; /* generic rdata ("\# 0") can leave a CNAME without a target */
            }
        }
        if (found) {
            out->status = DNS_OK;
            break;
        }
        if (cname && type != DNS_T_CNAME) {
            if (hop >= ZONE_MAX_CNAME) {
                dns_answer_set_fail(out, "CNAME chain too long");
                break;
            }
            dns_rr_t *c = dns_rr_from_ldns(cname);
            if (c)
                g_ptr_array_add(out->records, c);
            g_bytes_unref(key);
            key = name_key(ldns_rr_rdf(cname, 0));
            continue;
        }
        if (node->timeout) {
            dns_answer_set_fail(out, "timeout");
            break;
        }
        out->status = DNS_NODATA;
        break;
    }
    g_bytes_unref(key);
    return out->status;
}

static void zone_destroy(dns_resolver_t *r)
{
    dns_zone_t *z = (dns_zone_t *)r;
    g_hash_table_destroy(z->nodes);
    g_hash_table_destroy(z->ents);
    g_free(z);
}

static const dns_backend_ops_t zone_ops = {zone_query, zone_destroy};

static dns_zone_t *zone_alloc(void)
{
    dns_zone_t *z = g_new0(dns_zone_t, 1);
    z->base.ops = &zone_ops;
    z->nodes = g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref,
                                     node_free);
    z->ents =
        g_hash_table_new_full(g_bytes_hash, g_bytes_equal, (GDestroyNotify)g_bytes_unref, NULL);
    return z;
}

/* --- "<class> <TTL>" order ------------------------------------------ */

/* RFC 1035 5.1 allows a record's TTL and class in either order; ldns reads
 * only "<TTL> <class>". Lines that start a record with "<class> <TTL>" are
 * rewritten with the two swapped before ldns sees them (line count and
 * everything else unchanged, so error line numbers stay right). */

static bool is_class(slice_t t)
{
    return slice_eq_ci(t, "IN") || slice_eq_ci(t, "CH") || slice_eq_ci(t, "HS") ||
           slice_eq_ci(t, "CS");
}

/* 3600, or BIND's 1h30m: a digit first, then digits and unit letters. */
static bool is_ttl(slice_t t)
{
    if (t.n == 0 || t.n > 32 || !g_ascii_isdigit(t.p[0]))
        return false;
    for (size_t i = 0; i < t.n; i++)
        if (!g_ascii_isdigit(t.p[i]) && !strchr("smhdwSMHDW", t.p[i]))
            return false;
    return true;
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static size_t token_end(slice_t l, size_t i)
{
    while (i < l.n && !is_blank(l.p[i]) && l.p[i] != ';' && l.p[i] != '(' && l.p[i] != ')') {
        if (l.p[i] == '\\' && i + 1 < l.n)
            i++;
        i++;
    }
    return i;
}

static size_t skip_blank(slice_t l, size_t i)
{
    while (i < l.n && is_blank(l.p[i]))
        i++;
    return i;
}

static void swap_class_ttl(slice_t l, GString *out)
{
    size_t i = 0;
    if (l.n && l.p[0] == '$') {
        g_string_append_len(out, l.p, (gssize)l.n);
        return;
    }
    if (l.n && !is_blank(l.p[0]))
        i = token_end(l, 0); /* the owner */
    size_t a0 = skip_blank(l, i), a1 = token_end(l, a0);
    size_t b0 = skip_blank(l, a1), b1 = token_end(l, b0);
    slice_t a = slice_make(l.p + a0, a1 - a0), b = slice_make(l.p + b0, b1 - b0);
    if (!is_class(a) || !is_ttl(b)) {
        g_string_append_len(out, l.p, (gssize)l.n);
        return;
    }
    g_string_append_len(out, l.p, (gssize)a0);
    g_string_append_len(out, b.p, (gssize)b.n);
    g_string_append_len(out, l.p + a1, (gssize)(b0 - a1));
    g_string_append_len(out, a.p, (gssize)a.n);
    g_string_append_len(out, l.p + b1, (gssize)(l.n - b1));
}

/* Parenthesis depth after line l (quotes, escapes and comments honoured). */
static int paren_depth(slice_t l, int depth, bool *quoted)
{
    for (size_t i = 0; i < l.n; i++) {
        char c = l.p[i];
        if (c == '\\') {
            i++;
        } else if (c == '"') {
            *quoted = !*quoted;
        } else if (!*quoted && c == ';') {
            break;
        } else if (!*quoted && c == '(') {
            depth++;
        } else if (!*quoted && c == ')' && depth > 0) {
            depth--;
        }
    }
    return depth;
}

static GString *zone_normalise(const char *text, size_t len)
{
    GString *out = g_string_sized_new(len + 1);
    int depth = 0;
    bool quoted = false;
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t eol = nl ? (size_t)(nl - text) : len;
        slice_t line = slice_make(text + i, eol - i);
        if (depth == 0 && !quoted)
            swap_class_ttl(line, out);
        else
            g_string_append_len(out, line.p, (gssize)line.n);
        depth = paren_depth(line, depth, &quoted);
        if (nl)
            g_string_append_c(out, '\n');
        i = eol + 1;
    }
    return out;
}

static int zone_load_text(dns_zone_t *z, const char *label, const char *text, size_t len,
                          char **err)
{
    if (len == 0)
        return 0;
    GString *norm = zone_normalise(text, len);
    FILE *fp = fmemopen(norm->str, norm->len, "r");
    if (!fp) {
        *err = g_strdup_printf("%s: %s", label, g_strerror(errno));
        g_string_free(norm, TRUE);
        return -1;
    }
    int rc = zone_load_fp(z, fp, label, err);
    fclose(fp);
    g_string_free(norm, TRUE);
    return rc;
}

dns_resolver_t *dns_zone_new(const char *const *files, char **err)
{
    *err = NULL;
    dns_zone_t *z = zone_alloc();
    for (size_t i = 0; files && files[i]; i++) {
        char *text = NULL;
        gsize len = 0;
        GError *gerr = NULL;
        GStatBuf st;
        if (g_stat(files[i], &st) == 0 && st.st_size > ZONE_MAX_FILE) {
            *err = g_strdup_printf("%s: larger than %u MB", files[i], ZONE_MAX_FILE >> 20);
            zone_destroy(&z->base);
            return NULL;
        }
        if (!g_file_get_contents(files[i], &text, &len, &gerr)) {
            *err = g_strdup_printf("%s", gerr->message);
            g_error_free(gerr);
            zone_destroy(&z->base);
            return NULL;
        }
        int rc = zone_load_text(z, files[i], text, len, err);
        g_free(text);
        if (rc < 0) {
            zone_destroy(&z->base);
            return NULL;
        }
    }
    return &z->base;
}

dns_resolver_t *dns_zone_new_text(const char *label, const char *text, size_t len, char **err)
{
    *err = NULL;
    dns_zone_t *z = zone_alloc();
    if (zone_load_text(z, label, text, len, err) < 0) {
        zone_destroy(&z->base);
        return NULL;
    }
    return &z->base;
}
