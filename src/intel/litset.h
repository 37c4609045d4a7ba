/*
 * litset.h - a set of literal strings searched in one pass (Hyperscan),
 * the one multi-pattern API behind brand names and lure phrases.
 *
 * litset_new compiles n literals (exact bytes, case-sensitive: callers
 * fold case first), each reported with its id. litset_scan calls on_match
 * with the id and the end offset of every occurrence; returning non-zero
 * from on_match stops the scan.
 *
 * Scratch space is kept per thread and re-sized only when a thread scans
 * a set it has not scanned before (hs_alloc_scratch validates the whole
 * database, far too costly per message). Each set carries a generation
 * number so that a freed set's address reused by a new one is not
 * mistaken for it.
 *
 * The compiled database is cached (util/hscache.h: keyed by the Hyperscan
 * version, the CPU features and every literal and id; SESGUARD_NO_CACHE=1
 * turns it off), so a warm start deserializes instead of compiling.
 *
 * Memory: the set is immutable after litset_new and may be shared by
 * threads; litset_free frees it. Errors: NULL with *err set.
 */
#ifndef SG_INTEL_LITSET_H
#define SG_INTEL_LITSET_H

#include <stddef.h>

typedef struct litset litset_t;

typedef int (*litset_match_fn)(unsigned id, size_t end, void *ctx);

/* n may be 0: the set then never matches. */
litset_t *litset_new(const char *const *lits, const unsigned *ids, unsigned n, char **err);
/* Returns 0, or -1 if scratch could not be allocated (nothing scanned). */
int litset_scan(const litset_t *s, const char *text, size_t len, litset_match_fn on_match,
                void *ctx);
void litset_free(litset_t *s);

#endif
