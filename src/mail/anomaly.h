/*
 * anomaly.h - structural anomalies found while reading a message.
 *
 * Malformation is a finding, not just an error (Postfix's MIME_ERR_* bits,
 * STYLE.md rule 6): a broken or limit-hitting message still gets a full
 * report, and the rules layer can weigh what is wrong with it. Each
 * anomaly has a stable name (used in JSON), and a detail string with the
 * evidence (the header, the charset, the limit that was hit).
 */
#ifndef SG_MAIL_ANOMALY_H
#define SG_MAIL_ANOMALY_H

#include <glib.h>

typedef enum mail_anomaly {
    MAIL_ANOM_TRUNCATED = 0,      /* message larger than MAIL_MAX_MESSAGE_BYTES */
    MAIL_ANOM_MIME_DEPTH,         /* MIME nesting past MAIL_MAX_MIME_DEPTH */
    MAIL_ANOM_MIME_PARTS,         /* more parts than MAIL_MAX_MIME_PARTS */
    MAIL_ANOM_HEADERS,            /* more header fields than MAIL_MAX_HEADERS */
    MAIL_ANOM_HEADER_LONG,        /* a header value past MAIL_MAX_HEADER_BYTES */
    MAIL_ANOM_TEXT_LIMIT,         /* decoded text past MAIL_MAX_TEXT_BYTES */
    MAIL_ANOM_URL_LIMIT,          /* more URLs than MAIL_MAX_URLS */
    MAIL_ANOM_PART_LIMIT,         /* a part larger than MAIL_MAX_PART_BYTES */
    MAIL_ANOM_NO_HEADERS,         /* no header block at all */
    MAIL_ANOM_NO_FROM,            /* no From address */
    MAIL_ANOM_MULTIPLE_FROM,      /* several From fields or addresses */
    MAIL_ANOM_BAD_FROM,           /* From that does not parse as an address */
    MAIL_ANOM_NO_MESSAGE_ID,      /* no Message-ID */
    MAIL_ANOM_NO_DATE,            /* no Date, or one that does not parse */
    MAIL_ANOM_DUPLICATE_HEADER,   /* a header that must be unique appears twice */
    MAIL_ANOM_8BIT_HEADER,        /* raw 8-bit bytes in a header (not RFC 6532 UTF-8) */
    MAIL_ANOM_BAD_ENCODED_WORD,   /* an RFC 2047 word that does not decode */
    MAIL_ANOM_CHARSET_MISMATCH,   /* declared charset does not fit the bytes */
    MAIL_ANOM_CHARSET_UNKNOWN,    /* declared charset unknown to iconv */
    MAIL_ANOM_CHARSET_MISSING,    /* 8-bit text without a declared charset */
    MAIL_ANOM_JA_IN_CHINESE,      /* Japanese text in a Chinese charset */
    MAIL_ANOM_BAD_BOUNDARY,       /* multipart without boundary or never closed */
    MAIL_ANOM_BAD_TRANSFER_ENC,   /* unknown or broken Content-Transfer-Encoding */
    MAIL_ANOM_NUL_BYTES,          /* NUL bytes in the message */
    MAIL_ANOM_HOP_LIMIT,          /* more Received fields than MAIL_MAX_HOPS */
    MAIL_ANOM_ATTACHMENT_LIMIT,   /* more attachments than MAIL_MAX_ATTACHMENTS */
    MAIL_ANOM_FORGED_AUTHRES,     /* Authentication-Results claiming a trusted id from outside */
    MAIL_ANOM_FORGED_PLATFORM_ID, /* a platform's Message-ID form without the platform */
    MAIL_ANOM_PLATFORM_MISMATCH,  /* a platform's own fields disagree (region, time) */
    MAIL_ANOM_HTML_INCOMPLETE,    /* HTML the parser could not read to its end */
    MAIL_ANOM_COUNT
} mail_anomaly_t;

typedef struct mail_anomaly_rec {
    mail_anomaly_t kind;
    char *detail; /* UTF-8 evidence, owned */
} mail_anomaly_rec_t;

/* Stable name for JSON ("truncated", "mime_depth", ...). */
const char *mail_anomaly_name(mail_anomaly_t a);
/* English msgid describing the anomaly (translate with _()). */
const char *mail_anomaly_text(mail_anomaly_t a);

#endif
