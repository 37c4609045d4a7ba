/*
 * urlinfo.c - links taken apart; see urlinfo.h.
 */
#include "intel/urlinfo.h"

#include <glib.h>
#include <string.h>

#include "intel/domain.h"

/* Links longer than this are cut before parsing: no real URL needs more,
 * and GUri's work is linear but not free. */
#define URLINFO_MAX_BYTES 8192

/* "3232235777", "0xc0a80101": IPv4 written as one number. */
static bool numeric_host(const char *h)
{
    if (h[0] == '\0')
        return false;
    if (h[0] == '0' && (h[1] == 'x' || h[1] == 'X')) {
        for (const char *p = h + 2; *p; p++)
            if (!g_ascii_isxdigit(*p))
                return false;
        return h[2] != '\0';
    }
    for (const char *p = h; *p; p++)
        if (!g_ascii_isdigit(*p))
            return false;
    return true;
}

void urlinfo_parse(const char *href, urlinfo_t *out)
{
    memset(out, 0, sizeof *out);
    char *s = g_strndup(href ? href : "", URLINFO_MAX_BYTES);
    g_strstrip(s);
    if (g_ascii_strncasecmp(s, "hxxp", 4) == 0) {
        s[1] = 't';
        s[2] = 't';
    }
    for (char *p = s; *p; p++)
        if (*p == '\\')
            *p = '/';
    char *full = NULL;
    if (g_ascii_strncasecmp(s, "www.", 4) == 0)
        full = g_strconcat("http://", s, NULL);
    else if (!strstr(s, ":") && strchr(s, '.') && !strchr(s, ' '))
        full = g_strconcat("http://", s, NULL);
    else
        full = g_strdup(s);
    g_free(s);
    GUri *u = g_uri_parse(
        full, G_URI_FLAGS_PARSE_RELAXED | G_URI_FLAGS_ENCODED | G_URI_FLAGS_NON_DNS, NULL);
    if (u == NULL) {
        /* keep at least the scheme */
        const char *colon = strchr(full, ':');
        out->scheme = colon ? g_ascii_strdown(full, colon - full) : g_strdup("");
        out->path = g_strdup("");
        g_free(full);
        return;
    }
    out->parsed = true;
    out->scheme = g_ascii_strdown(g_uri_get_scheme(u) ? g_uri_get_scheme(u) : "", -1);
    out->has_userinfo = g_uri_get_userinfo(u) != NULL;
    const char *path = g_uri_get_path(u);
    const char *query = g_uri_get_query(u);
    out->path =
        query ? g_strconcat(path ? path : "", "?", query, NULL) : g_strdup(path ? path : "");
    const char *host = g_uri_get_host(u);
    if (host && *host) {
        char *h = g_uri_unescape_string(host, NULL);
        domain_info_t di;
        domain_info(h ? h : host, &di);
        out->host = g_strdup(di.ascii);
        out->host_unicode = g_strdup(di.unicode);
        out->org_domain = di.org ? g_strdup(di.org) : NULL;
        out->ip_host = di.ip || numeric_host(di.ascii);
        out->idn = di.idn;
        domain_info_clear(&di);
        g_free(h);
    }
    g_uri_unref(u);
    g_free(full);
}

void urlinfo_clear(urlinfo_t *u)
{
    g_free(u->scheme);
    g_free(u->host);
    g_free(u->host_unicode);
    g_free(u->org_domain);
    g_free(u->path);
    memset(u, 0, sizeof *u);
}
