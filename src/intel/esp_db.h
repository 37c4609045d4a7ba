/*
 * esp_db.h - the sending-platform fingerprint database (private to esp).
 *
 * What: the in-memory form of data/platforms.conf (the format is described
 * in that file's header comment and in docs/platforms.md) and its parser.
 * esp.c runs the matchers; this file only loads and holds them.
 *
 * Memory: an esp_db_t owns every platform, matcher, compiled GRegex and
 * string in it; esp_db_free releases everything. Immutable after loading,
 * so one database may be shared by threads (GRegex matching is reentrant).
 *
 * Limits: ESP_DB_MAX_BYTES for the file, ESP_DB_MAX_PLATFORMS platforms,
 * ESP_DB_MAX_MATCHERS markers per platform, ESP_DB_MAX_PATTERN bytes per
 * regular expression. The file is written by administrators, but it is
 * still parsed as untrusted text (it is fuzzed): a bad line is an error
 * with "name:line: reason", never a crash.
 *
 * Errors: esp_db_parse returns NULL and sets *err (g_free it).
 */
#ifndef SG_INTEL_ESP_DB_H
#define SG_INTEL_ESP_DB_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "intel/esp.h"

/* A fingerprint file is a few hundred lines; a megabyte is a mistake. */
#define ESP_DB_MAX_BYTES (1024u * 1024)
/* There are a few dozen sending platforms worth naming. */
#define ESP_DB_MAX_PLATFORMS 256
/* A platform has a handful of markers; 64 leaves room. */
#define ESP_DB_MAX_MATCHERS 64
/* Region codes per platform (SES has about 30 regions). */
#define ESP_DB_MAX_REGION_CODES 128
/* A marker pattern is one line; longer patterns are unreadable and costly. */
#define ESP_DB_MAX_PATTERN 1024

typedef enum esp_kind {
    ESP_KIND_HEADER = 0,     /* header NAME /RE/: value of each header NAME */
    ESP_KIND_HEADER_PRESENT, /* header-present NAME */
    ESP_KIND_DKIM,           /* dkim DOMAIN | dkim .SUFFIX | dkim /RE/ (d= tag) */
    ESP_KIND_RECEIVED_FROM,  /* received-from /RE/: from-name, HELO, rDNS of a hop */
    ESP_KIND_RECEIVED_BY,    /* received-by /RE/: by-host of a hop */
    ESP_KIND_RECEIVED,       /* received /RE/: the whole Received value */
    ESP_KIND_MESSAGE_ID,     /* message-id /RE/: Message-ID without <> */
    ESP_KIND_RETURN_PATH     /* return-path /RE/: envelope sender(s) */
} esp_kind_t;

/* Named capture groups a pattern may use; any other name is an error. */
typedef enum esp_cap {
    ESP_CAP_REGION = 0,    /* region name, "us-east-1" */
    ESP_CAP_ACCOUNT,       /* account id as written */
    ESP_CAP_ACCOUNT64,     /* account id, base64 of its decimal digits (SendGrid) */
    ESP_CAP_REGIONCODE,    /* code looked up in the platform's region-code table */
    ESP_CAP_SENDTIME,      /* send time, Unix milliseconds in hex */
    ESP_CAP_SENDDAY,       /* send day, YYYY.MM.DD (UTC) */
    ESP_CAP_ACCOUNTLIST64, /* base64 of a JSON array whose first string is the
                            * account (Mailgun X-Mailgun-Sid) */
    ESP_CAP_COUNT
} esp_cap_t;

typedef struct esp_matcher {
    esp_kind_t kind;
    bool strong;
    bool forged_alone;      /* alone (no strong marker) it means a forgery */
    int line;               /* line in the data file, for messages */
    char *header;           /* header name (header kinds) */
    size_t header_len;      /* strlen(header) */
    char *domain;           /* dkim: exact domain, or ".suffix" */
    GRegex *re;             /* NULL for header-present and plain dkim */
    char *source;           /* the pattern as written, for docs and debugging */
    char *region_default;   /* region when the pattern's region group is unset */
    char *literal;          /* text every match contains (prefilter), or NULL */
    bool literal_ci;        /* compare literal case-insensitively (it is lower case) */
    int cap[ESP_CAP_COUNT]; /* group number of each capture, -1 if absent */
} esp_matcher_t;

typedef struct esp_platform {
    char *name;               /* "amazon-ses" */
    char *label;              /* "Amazon SES" */
    GPtrArray *matchers;      /* esp_matcher_t*, in file order (= priority) */
    GHashTable *region_codes; /* lower-case code -> region name */
} esp_platform_t;

struct esp_db {
    GPtrArray *platforms; /* esp_platform_t*, in file order */
};

/* Parse a whole data file held in memory; name is used in messages. */
esp_db_t *esp_db_parse(const char *name, const char *text, size_t len, char **err);

/* The longest text every match of pat must contain, found at the top level
 * of the pattern (outside groups and classes, before no quantifier), or
 * NULL when there is none of at least 3 bytes or the pattern is beyond this
 * simple analysis (top-level alternation, inline options). esp.c checks it
 * with memmem before running the regex: most subjects fail here, cheaply. */
char *esp_db_required_literal(const char *pat);

/* Name of a capture group ("region", ...). */
const char *esp_db_cap_name(esp_cap_t c);

#endif
