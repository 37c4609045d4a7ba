/*
 * fuzz_dkim_sig.c - the DKIM tag-list parser and the DKIM-Signature,
 * ARC-Message-Signature and ARC-Seal parsers on arbitrary bytes
 * (libFuzzer target; seeds in seeds/dkim_sig/).
 *
 * Invariants: tag slices and raw offsets stay inside the input; a parsed
 * signature has its required parts, at most DKIMSIG_MAX_HFIELDS names in
 * h=, and a b= span inside the input.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/dkimsig.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    slice_t in = slice_make((const char *)data, size);
    dkimsig_tag_t tags[DKIMSIG_MAX_TAGS];
    size_t n = 0;
    const char *why = NULL;
    if (dkimsig_tags_parse(in, tags, DKIMSIG_MAX_TAGS, &n, &why) == 0) {
        if (n > DKIMSIG_MAX_TAGS)
            abort();
        for (size_t i = 0; i < n; i++) {
            const dkimsig_tag_t *t = &tags[i];
            if (t->name.n == 0 || t->name.p < in.p || t->name.p + t->name.n > in.p + in.n ||
                t->raw_off > t->raw_end || t->raw_end > in.n ||
                (t->value.n && (t->value.p < in.p || t->value.p + t->value.n > in.p + in.n)))
                abort();
        }
    } else if (why == NULL) {
        abort();
    }
    static const dkimsig_kind_t kinds[] = {DKIMSIG_DKIM, DKIMSIG_AMS, DKIMSIG_AS};
    for (size_t k = 0; k < 3; k++) {
        dkimsig_t *s = NULL;
        why = NULL;
        if (dkimsig_parse(in, kinds[k], &s, &why) != 0) {
            if (s != NULL || why == NULL)
                abort();
            continue;
        }
        if (!s->domain || !s->selector || !s->b || s->b_len == 0 ||
            s->hfields->len > DKIMSIG_MAX_HFIELDS || s->b_raw_off > s->b_raw_end ||
            s->b_raw_end > size)
            abort();
        if (kinds[k] == DKIMSIG_DKIM && (s->auid == NULL || s->bh == NULL))
            abort();
        if (kinds[k] != DKIMSIG_DKIM && (s->instance < 1 || s->instance > 50))
            abort();
        (void)dkimsig_alg_name(s->alg);
        dkimsig_free(s);
    }
    size_t blen = 0;
    g_free(dkimsig_b64_decode(in, &blen));
    return 0;
}
