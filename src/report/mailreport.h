/*
 * mailreport.h - write a scanned message as JSON Lines or as text.
 *
 * JSON: one object per message, one line, schema 1 (docs/mail-json.md is
 * the contract; fields are only ever added within a schema version).
 * Every string is valid UTF-8 (invalid bytes were repaired upstream or are
 * replaced here), so any JSON parser accepts the output.
 * Text: a report for people, in the language chosen by i18n_init(): what
 * the message claims, which platform sent it, what it links to, what is
 * wrong with it, and the verdict with its reasons.
 */
#ifndef SG_REPORT_MAILREPORT_H
#define SG_REPORT_MAILREPORT_H

#include <stdio.h>

#include "rules/scan.h"

#define MAILREPORT_SCHEMA 1

void mailreport_json(FILE *out, const scan_t *s);
void mailreport_text(FILE *out, const scan_t *s);
/* Closing section of a text run: the sending-platform accounts that sent
 * for several unrelated From domains (engine_accounts()); writes nothing
 * when there are none. */
void mailreport_text_accounts(FILE *out, const GPtrArray *accounts);
/* Closing line of a text run. */
void mailreport_text_summary(FILE *out, unsigned long n, unsigned long suspicious,
                             unsigned long phishing, unsigned long errors);

#endif
