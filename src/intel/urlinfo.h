/*
 * urlinfo.h - a link, taken apart: scheme, host (both IDN forms), the
 * registrable domain, and the facts rules ask about.
 *
 * Parsing uses GLib's GUri in relaxed mode (what mail clients accept:
 * spaces, backslashes, missing scheme for "www." links), after trimming
 * and un-defanging "hxxp". The host keeps both forms so that a rule can
 * compare the punycode a browser fetches with the Unicode a reader sees.
 *
 * Memory: urlinfo_t owns its strings (urlinfo_clear).
 */
#ifndef SG_INTEL_URLINFO_H
#define SG_INTEL_URLINFO_H

#include <stdbool.h>

typedef struct urlinfo {
    char *scheme; /* lower case: "https", "http", "mailto", "data", ... */
    char *host;   /* ASCII form, lower case, or NULL */
    char *host_unicode;
    char *org_domain; /* registrable domain, or NULL */
    char *path;       /* path + query, or "" */
    bool ip_host;     /* host is an IP literal (also decimal/hex IPv4 forms) */
    bool idn;
    bool has_userinfo; /* "https://paypal.com@evil.example/" */
    bool parsed;
} urlinfo_t;

void urlinfo_parse(const char *href, urlinfo_t *out);
void urlinfo_clear(urlinfo_t *u);

#endif
