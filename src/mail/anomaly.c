/*
 * anomaly.c - names and descriptions of message anomalies; see anomaly.h.
 */
#include "mail/anomaly.h"

#include "util/i18n.h"

static const struct {
    const char *name;
    const char *text;
} table[MAIL_ANOM_COUNT] = {
    [MAIL_ANOM_TRUNCATED] = {"truncated",
                             N_("message larger than the size limit; the rest was not read")},
    [MAIL_ANOM_MIME_DEPTH] = {"mime_depth", N_("MIME parts nested deeper than the limit")},
    [MAIL_ANOM_MIME_PARTS] = {"mime_parts", N_("more MIME parts than the limit")},
    [MAIL_ANOM_HEADERS] = {"too_many_headers", N_("more header fields than the limit")},
    [MAIL_ANOM_HEADER_LONG] = {"header_too_long", N_("a header field longer than the limit")},
    [MAIL_ANOM_TEXT_LIMIT] = {"text_limit",
                              N_("more body text than the limit; the rest was not analysed")},
    [MAIL_ANOM_URL_LIMIT] = {"url_limit", N_("more links than the limit")},
    [MAIL_ANOM_PART_LIMIT] = {"part_limit", N_("a MIME part larger than the limit")},
    [MAIL_ANOM_NO_HEADERS] = {"no_headers", N_("no header fields: not a mail message")},
    [MAIL_ANOM_NO_FROM] = {"no_from", N_("no From address")},
    [MAIL_ANOM_MULTIPLE_FROM] = {"multiple_from", N_("more than one From address")},
    [MAIL_ANOM_BAD_FROM] = {"bad_from", N_("From field that is not a valid address")},
    [MAIL_ANOM_NO_MESSAGE_ID] = {"no_message_id", N_("no Message-ID")},
    [MAIL_ANOM_NO_DATE] = {"no_date", N_("no valid Date")},
    [MAIL_ANOM_DUPLICATE_HEADER] = {"duplicate_header",
                                    N_("a header field that must be unique appears twice")},
    [MAIL_ANOM_8BIT_HEADER] = {"8bit_header", N_("raw 8-bit bytes in a header field")},
    [MAIL_ANOM_BAD_ENCODED_WORD] = {"bad_encoded_word",
                                    N_("an encoded word (RFC 2047) that does not decode")},
    [MAIL_ANOM_CHARSET_MISMATCH] = {"charset_mismatch",
                                    N_("text whose bytes do not match its declared charset")},
    [MAIL_ANOM_CHARSET_UNKNOWN] = {"charset_unknown", N_("text in an unknown charset")},
    [MAIL_ANOM_CHARSET_MISSING] = {"charset_missing", N_("8-bit text without a declared charset")},
    [MAIL_ANOM_JA_IN_CHINESE] = {"japanese_in_chinese_charset",
                                 N_("Japanese text sent in a Chinese charset")},
    [MAIL_ANOM_BAD_BOUNDARY] = {"bad_multipart", N_("a multipart part that is malformed")},
    [MAIL_ANOM_BAD_TRANSFER_ENC] = {"bad_transfer_encoding",
                                    N_("an unknown or broken transfer encoding")},
    [MAIL_ANOM_NUL_BYTES] = {"nul_bytes", N_("NUL bytes in the message")},
    [MAIL_ANOM_HOP_LIMIT] = {"hop_limit", N_("more Received fields than the limit")},
    [MAIL_ANOM_ATTACHMENT_LIMIT] = {"attachment_limit", N_("more attachments than the limit")},
    [MAIL_ANOM_FORGED_AUTHRES] =
        {"forged_authentication_results",
         N_("Authentication-Results claiming a trusted server, written outside it")},
    [MAIL_ANOM_FORGED_PLATFORM_ID] =
        {"forged_platform_id",
         N_("a sending platform's Message-ID without any other sign of that platform")},
    [MAIL_ANOM_HTML_INCOMPLETE] = {"html_incomplete",
                                   N_("HTML built to stop filters from reading it to the end")},
    [MAIL_ANOM_PLATFORM_MISMATCH] = {"platform_mismatch",
                                     N_("a sending platform's own fields disagree")},
};

const char *mail_anomaly_name(mail_anomaly_t a)
{
    return (a >= 0 && a < MAIL_ANOM_COUNT && table[a].name) ? table[a].name : "unknown";
}

const char *mail_anomaly_text(mail_anomaly_t a)
{
    return (a >= 0 && a < MAIL_ANOM_COUNT && table[a].text) ? table[a].text : "unknown anomaly";
}
