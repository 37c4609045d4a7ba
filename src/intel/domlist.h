/*
 * domlist.h - a set of domains from a data file (freemail providers, URL
 * shorteners, redirectors, free hosting): does a host belong to it?
 *
 * File: one domain per line, '#' comments. An entry covers the domain and
 * all its subdomains; an entry with '*' matches exactly one label there
 * ("s3.*.amazonaws.com"). Lookup walks the host's labels from the full
 * name up, so the cost is a few hash lookups whatever the list size.
 *
 * Memory: immutable after loading; shareable between threads.
 */
#ifndef SG_INTEL_DOMLIST_H
#define SG_INTEL_DOMLIST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct domlist domlist_t;

domlist_t *domlist_load(const char *path, char **err);
domlist_t *domlist_parse(const char *text, size_t len);
/* The entry host falls under, or NULL. */
const char *domlist_match(const domlist_t *l, const char *host);
static inline bool domlist_has(const domlist_t *l, const char *host)
{
    return domlist_match(l, host) != NULL;
}
unsigned domlist_count(const domlist_t *l);
void domlist_free(domlist_t *l);

#endif
