/*
 * esp.h - which sending platform (ESP) relayed a message, and its account.
 *
 * Fingerprints live in a data file (data/platforms.conf, see its header
 * for the format): for each platform, matchers on header names/values,
 * Received hosts, DKIM d= domains, Message-ID and Return-Path shapes, each
 * with a strength (strong markers identify the platform by themselves;
 * weak ones only support a strong one) and optional named captures for
 * the region and the account id. Knowledge is data; this module holds the
 * mechanism plus the few checks that need code:
 *   - Amazon SES: region and account hash from Feedback-ID, region code
 *     and send time (Unix ms, hex) from the Message-ID and its skew
 *     against Date, region agreement across Message-ID / Feedback-ID /
 *     Received host, custom MAIL FROM (Return-Path not at amazonses.com);
 *     an SES-shaped Message-ID with no other SES marker is reported as a
 *     forgery (MAIL_ANOM_FORGED_PLATFORM_ID), and disagreeing regions or a
 *     skew over ESP_SES_MAX_SKEW_S as MAIL_ANOM_PLATFORM_MISMATCH;
 *   - SendGrid: the account uid, base64 in the "from" token of its (SG)
 *     Received line, decoded to its number;
 *   - Microsoft 365: the tenant GUID, counted only from headers written
 *     below the trusted boundary (our own Exchange Online stamps the same
 *     X-MS-Exchange-* family on inbound mail).
 * A platform is context, never a verdict.
 *
 * Memory: esp_db_t is immutable after loading and may be shared between
 * threads; esp_result_t is owned by the caller (esp_result_free).
 * Errors: esp_db_load reports "path:line: reason" for a bad data file.
 */
#ifndef SG_INTEL_ESP_H
#define SG_INTEL_ESP_H

#include <glib.h>
#include <stdbool.h>

#include "mail/boundary.h"
#include "mail/message.h"

/* SES sets Date when it accepts the message; 219 of 219 real messages
 * were within 2 minutes of the Message-ID time. 10 minutes leaves room
 * for clock trouble and still catches a reused or forged Message-ID. */
#define ESP_SES_MAX_SKEW_S 600

typedef struct esp_db esp_db_t;

typedef struct esp_result {
    char *name;        /* stable id: "amazon-ses", "sendgrid", "microsoft-365", ... */
    char *label;       /* human name: "Amazon SES" */
    char *region;      /* "us-east-1", or NULL */
    char *account;     /* account id the platform reveals, or NULL */
    GPtrArray *evidence; /* char*: "Feedback-ID: 1.us-east-1.…=:AmazonSES" */
    bool has_send_time;
    gint64 send_time_ms;  /* SES Message-ID time, Unix ms */
    gint64 date_skew_s;   /* Date minus send time, seconds (if both known) */
    bool custom_mail_from; /* SES: Return-Path at the customer's domain */
} esp_result_t;

esp_db_t *esp_db_load(const char *path, char **err);
void esp_db_free(esp_db_t *db);

/* Identify the platform of m; NULL when none matched with a strong marker.
 * b may be NULL (no trusted boundary known). May add anomalies to m. */
esp_result_t *esp_identify(const esp_db_t *db, mail_msg_t *m, const mail_boundary_t *b);
void esp_result_free(esp_result_t *r);

#endif
