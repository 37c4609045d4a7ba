/*
 * message.h - the message model: one parsed message, ready for analysis.
 *
 * mail_msg_parse() turns the raw bytes of one RFC 5322 message into a
 * mail_msg_t: headers (raw and decoded, every field of the top header
 * block in order, Content-* fields included), identities as written
 * (From, Reply-To, Sender, Return-Path), every text part as UTF-8 (with
 * charset detection for the mislabels real Japanese mail has), the visible
 * text and links of HTML parts, URLs found in plain text, attachments with
 * declared and sniffed types and SHA-256, the Received hops, and the
 * anomalies met on the way. It never fails on hostile input: a message
 * that cannot be parsed at all still yields a model with its anomalies.
 *
 * Memory: the mail_msg_t owns every string and array in it (GLib
 * allocations); mail_msg_free releases everything at once. Fields are
 * read-only for the layers above. The raw bytes are not kept beyond
 * parsing except as raw_header (the header block, for DKIM/ARC later).
 *
 * Limits: see limits.h; each hit is an anomaly (anomaly.h).
 * Structure is read by mime.h (zero-copy); GMime decodes what is worth a
 * library (RFC 2047/2231, addresses, dates, parameters, transfer
 * encodings).
 * Thread safety: parsing is reentrant after mail_init() (GMime and the
 * libmagic handle are set up once per thread by mail_init()).
 */
#ifndef SG_MAIL_MESSAGE_H
#define SG_MAIL_MESSAGE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mail/anomaly.h"
#include "mail/limits.h"

typedef struct mail_header {
    char *name;  /* field name as written */
    char *raw;   /* unfolded value, original bytes (may be non-UTF-8) */
    char *value; /* RFC 2047-decoded, UTF-8, unfolded */
} mail_header_t;

typedef struct mail_addr {
    char *display_name; /* decoded UTF-8, "" if none */
    char *address;      /* addr-spec as written ("" if the group/field was empty) */
} mail_addr_t;

/* Where a link came from. */
typedef enum mail_link_kind {
    MAIL_LINK_TEXT = 0, /* URL written in plain text */
    MAIL_LINK_ANCHOR,   /* <a href> (or <area href>) */
    MAIL_LINK_FORM,     /* <form action> */
    MAIL_LINK_IMAGE,    /* <img src> */
    MAIL_LINK_OTHER     /* other href/src attributes */
} mail_link_kind_t;

typedef struct mail_link {
    char *href; /* as written, entity-decoded, trimmed */
    char *text; /* visible anchor text, UTF-8, whitespace collapsed ("" if none) */
    mail_link_kind_t kind;
} mail_link_t;

typedef struct mail_attachment {
    char *filename;      /* decoded (RFC 2231/2047), "" if none */
    char *declared_type; /* Content-Type as declared, lower case */
    char *sniffed_type;  /* MIME type of the decoded bytes (sniff.h) */
    size_t size;         /* decoded size in bytes */
    char sha256[65];     /* hex of the decoded bytes */
    bool inline_part;    /* Content-Disposition: inline */
    bool archive;        /* an archive libarchive could list */
    bool encrypted;      /* an archive with encrypted members */
    bool macros;         /* an Office document carrying VBA macros */
    GPtrArray *members;  /* char*: names inside an archive (at most ATTACH_MAX_MEMBERS) */
} mail_attachment_t;

typedef struct mail_textpart {
    char *content_type;     /* "text/plain", "text/html" */
    char *charset_declared; /* as in the header, "" if none */
    char *charset_used;     /* what we converted from */
    bool charset_detected;  /* charset_used came from detection */
    size_t raw_size;        /* decoded bytes before conversion */
} mail_textpart_t;

/* One Received field, parsed for what analysis needs. */
typedef struct mail_hop {
    char *from_name; /* name after "from" (often the HELO) */
    char *helo;      /* "helo=" inside the comment, or from_name */
    char *rdns;      /* reverse DNS name in the TCP-info comment, "" if unknown */
    char *ip;        /* connecting IP in the TCP-info comment, "" if none */
    char *by;        /* name after "by" */
    char *with;      /* protocol after "with" */
    char *raw;       /* the whole field value, unfolded */
} mail_hop_t;

typedef struct mail_msg {
    size_t raw_size;               /* bytes given to the parser */
    char *raw_header;              /* the header block as received (for DKIM later) */
    GPtrArray *headers;            /* mail_header_t*, in order */
    char *subject;                 /* decoded UTF-8, NULL if absent */
    char *message_id;              /* without angle brackets, NULL if absent */
    char *date_raw;                /* NULL if absent */
    gint64 date;                   /* Unix seconds, G_MININT64 if absent/unparsable */
    GPtrArray *from;               /* mail_addr_t* (every address of every From field) */
    GPtrArray *reply_to;           /* mail_addr_t* */
    GPtrArray *sender;             /* mail_addr_t* */
    char *return_path;             /* address inside Return-Path, NULL if absent */
    GPtrArray *dkim_domains;       /* char*: d= of each DKIM-Signature, lower case */
    GPtrArray *hops;               /* mail_hop_t*, top (newest) first */
    GPtrArray *parts;              /* mail_textpart_t* */
    char *text;                    /* visible text of all text parts, UTF-8 */
    GPtrArray *links;              /* mail_link_t*, HTML links then plain-text URLs */
    GPtrArray *attachments;        /* mail_attachment_t* */
    unsigned html_forms;           /* <form> elements in HTML parts and HTML attachments */
    unsigned html_password_inputs; /* <input type=password> among them */
    GPtrArray *anomalies;          /* mail_anomaly_rec_t* */
    guint32 anomaly_bits;          /* 1 << mail_anomaly_t, for quick tests */
} mail_msg_t;

/* Once per process (idempotent). Returns 0, or -1 if GMime/libmagic could
 * not be set up (libmagic failing only disables sniffing). */
int mail_init(void);
void mail_shutdown(void);

/* Parse len bytes. Never returns NULL. */
mail_msg_t *mail_msg_parse(const char *data, size_t len);
void mail_msg_free(mail_msg_t *m);

/* First header named name (case-insensitive), or NULL. */
const mail_header_t *mail_msg_header(const mail_msg_t *m, const char *name);
/* Count of headers named name. */
unsigned mail_msg_header_count(const mail_msg_t *m, const char *name);
/* Record an anomaly (detail is printf-formatted, UTF-8). */
void mail_msg_anomaly(mail_msg_t *m, mail_anomaly_t kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static inline bool mail_msg_has_anomaly(const mail_msg_t *m, mail_anomaly_t kind)
{
    return (m->anomaly_bits >> kind) & 1u;
}

#endif
