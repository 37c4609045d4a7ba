/*
 * charset.h - turn the bytes of a text part into UTF-8, whatever its label.
 *
 * Japanese mail is labelled wrongly often enough that trusting the label
 * loses the lure: Shift_JIS sent as "iso-2022-jp", Japanese written with a
 * Chinese charset ("gb2312"), 8-bit text with no charset at all. The
 * strategy, cheapest first:
 *   1. map the label to the charset actually used in the wild
 *      (shift_jis -> CP932, euc-jp -> EUC-JP-MS, gb2312 -> GB18030,
 *      iso-8859-1/us-ascii -> windows-1252, ks_c_5601 -> CP949);
 *   2. if the bytes cannot be that charset (8-bit bytes under a 7-bit label,
 *      invalid sequences), or there is no label on 8-bit text, detect it
 *      with uchardet, then try UTF-8, CP932, EUC-JP-MS in turn;
 *   3. ISO-2022-JP with Microsoft's extensions (NEC row 13: ① ㈱), which
 *      glibc's iconv rejects, is converted through its Shift_JIS image
 *      (a table-free arithmetic mapping of JIS rows; see charset.c);
 *   4. as a last resort, UTF-8 with invalid bytes replaced by U+FFFD.
 * The result says which charset was used, whether it was detected, and
 * which anomaly (if any) the bytes show: CHARSET_MISMATCH, CHARSET_UNKNOWN,
 * CHARSET_MISSING, JA_IN_CHINESE (kana inside a Chinese charset).
 *
 * Memory: out->utf8 is g_malloc'd and owned by the caller, NUL-terminated;
 * charset_result_clear frees it.
 * Limits: input is bounded by the caller (MAIL_MAX_PART_BYTES); output is
 * at most 3x the input for the CJK charsets.
 * Thread safety: reentrant (iconv descriptors are opened per call).
 */
#ifndef SG_MAIL_CHARSET_H
#define SG_MAIL_CHARSET_H

#include <stdbool.h>
#include <stddef.h>

#include "mail/anomaly.h"

typedef struct charset_result {
    char *utf8;
    size_t len;
    char used[32]; /* charset converted from */
    bool detected; /* used came from detection, not the label */
    int anomaly;   /* mail_anomaly_t, or -1 */
} charset_result_t;

/* declared may be NULL or "" (no label). Always fills out. */
void charset_to_utf8(const char *data, size_t len, const char *declared, charset_result_t *out);
void charset_result_clear(charset_result_t *r);

/* The iconv name we use for a label (lower-cased, aliases resolved),
 * written to out (size n). Returns out. */
const char *charset_canonical(const char *label, char *out, size_t n);

#endif
