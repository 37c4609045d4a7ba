/*
 * domain.c - IDN forms and registrable domains; see domain.h.
 */
#include "intel/domain.h"

#include <arpa/inet.h>
#include <glib.h>
#include <idn2.h>
#include <libpsl.h>
#include <string.h>

static const psl_ctx_t *psl;
static GOnce psl_once = G_ONCE_INIT;

static gpointer load_psl(gpointer unused)
{
    const psl_ctx_t *p = psl_latest(NULL);
    if (p == NULL)
        p = psl_builtin();
    return (gpointer)p;
}

int domain_init(void)
{
    psl = g_once(&psl_once, load_psl, NULL);
    return psl ? 0 : -1;
}

static bool is_ip(const char *s)
{
    unsigned char buf[16];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

/* An ASCII name that IDNA2008 lookup (libidn2) passes through unchanged:
 * no label longer than 63 bytes, starting or ending with a hyphen, or with
 * hyphens in its third and fourth places (which covers "xn--" labels, whose
 * punycode libidn2 must check). Anything else takes the libidn2 path. */
static bool ascii_labels_pass(const char *d)
{
    const char *label = d;
    for (const char *p = d;; p++) {
        if (*p == '.' || *p == '\0') {
            size_t len = (size_t)(p - label);
            if (len > 63)
                return false;
            if (len > 0 && (label[0] == '-' || label[len - 1] == '-'))
                return false;
            if (len >= 4 && label[2] == '-' && label[3] == '-')
                return false;
            if (*p == '\0')
                return true;
            label = p + 1;
        } else if ((unsigned char)*p < 0x21 || (unsigned char)*p == 0x7f) {
            return false; /* controls and spaces: let libidn2 decide */
        }
    }
}

void domain_info(const char *host, domain_info_t *out)
{
    memset(out, 0, sizeof *out);
    domain_init();
    char *h = g_utf8_make_valid(host ? host : "", -1);
    size_t n = strlen(h);
    if (n > 1 && h[0] == '[' && h[n - 1] == ']') {
        memmove(h, h + 1, n - 2);
        h[n - 2] = '\0';
        if (g_ascii_strncasecmp(h, "IPv6:", 5) == 0)
            memmove(h, h + 5, strlen(h + 5) + 1);
    }
    n = strlen(h);
    while (n > 0 && h[n - 1] == '.')
        h[--n] = '\0';
    char *low = g_utf8_strdown(h, -1);
    g_free(h);
    if (is_ip(low)) {
        out->ascii = g_strdup(low);
        out->unicode = low;
        out->ip = out->valid = true;
        return;
    }
    bool ascii_only = true;
    for (const char *p = low; *p; p++)
        if ((unsigned char)*p >= 0x80)
            ascii_only = false;
    if (ascii_only && strlen(low) <= DOMAIN_MAX_LEN && ascii_labels_pass(low)) {
        /* what IDNA would return unchanged: skip libidn2 */
        out->valid = true;
        out->ascii = g_strdup(low);
        out->unicode = low;
        out->idn = false;
        if (strchr(out->ascii, '.')) {
            const char *reg = psl_registrable_domain(psl, out->ascii);
            if (reg)
                out->org = g_strdup(reg);
        }
        return;
    }
    char *a = NULL, *u = NULL;
    if (strlen(low) <= DOMAIN_MAX_LEN * 4 &&
        idn2_to_ascii_8z(low, &a, IDN2_NONTRANSITIONAL | IDN2_NFC_INPUT) == IDN2_OK &&
        strlen(a) <= DOMAIN_MAX_LEN)
        out->valid = true;
    else {
        idn2_free(a);
        a = NULL;
    }
    if (a && idn2_to_unicode_8z8z(a, &u, 0) != IDN2_OK)
        u = NULL;
    out->ascii = a ? g_ascii_strdown(a, -1) : g_strdup(low);
    out->unicode = u ? g_utf8_strdown(u, -1) : g_strdup(low);
    idn2_free(a);
    idn2_free(u);
    out->idn = !ascii_only || strstr(out->ascii, "xn--") != NULL;
    if (out->valid && strchr(out->ascii, '.')) {
        const char *reg = psl_registrable_domain(psl, out->ascii);
        if (reg)
            out->org = g_strdup(reg);
    }
    g_free(low);
}

void domain_info_clear(domain_info_t *d)
{
    g_free(d->ascii);
    g_free(d->unicode);
    g_free(d->org);
    memset(d, 0, sizeof *d);
}

char *domain_of_address(const char *addr)
{
    const char *at = addr ? strrchr(addr, '@') : NULL;
    if (at == NULL || at[1] == '\0')
        return NULL;
    char *d = g_utf8_make_valid(at + 1, -1);
    char *low = g_utf8_strdown(d, -1);
    g_free(d);
    return g_strstrip(low);
}

/* The rules ask for the registrable domain of the same few hosts many
 * times per message (every link against the From domain); IDNA and the PSL
 * walk cost microseconds each, so answers are cached per thread. The cache
 * is dropped whole when it reaches DOMAIN_CACHE_MAX entries, which bounds
 * its memory whatever the input. */
#define DOMAIN_CACHE_MAX 4096
static __thread GHashTable *org_cache;

char *domain_org(const char *host)
{
    if (host == NULL)
        return NULL;
    if (org_cache == NULL)
        org_cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    gpointer key, val;
    if (g_hash_table_lookup_extended(org_cache, host, &key, &val))
        return g_strdup(val);
    domain_info_t di;
    domain_info(host, &di);
    char *org = di.org ? g_strdup(di.org) : NULL;
    domain_info_clear(&di);
    if (g_hash_table_size(org_cache) >= DOMAIN_CACHE_MAX)
        g_hash_table_remove_all(org_cache);
    g_hash_table_insert(org_cache, g_strdup(host), g_strdup(org));
    return org;
}

void domain_cache_clear(void)
{
    if (org_cache)
        g_hash_table_destroy(org_cache);
    org_cache = NULL;
}

bool domain_is_within(const char *host, const char *dom)
{
    size_t hn = strlen(host), dn = strlen(dom);
    if (dn == 0 || hn < dn)
        return false;
    if (g_ascii_strcasecmp(host + hn - dn, dom) != 0)
        return false;
    return hn == dn || host[hn - dn - 1] == '.';
}
