/*
 * engine.h - what a mail scan loads once and shares: data, configuration.
 *
 * engine_new() reads the configuration (trusted hosts and authserv-ids,
 * thresholds) and the data files under paths_datadir() (platform
 * fingerprints today; rules, brands and lexicons as detection grows). All
 * of it is read-only after start-up, so scans on several threads may
 * share one engine.
 *
 * Configuration keys (docs/configuration.md documents each and its default):
 *   trusted_hosts         our MX hosts: names, ".suffix" patterns or IPs
 *   trusted_authserv_ids  authserv-ids whose Authentication-Results we
 *                         believe (default: trusted_hosts)
 *   score_suspicious      score at which a message is suspicious (5)
 *   score_phishing        score at which a message is phishing (10)
 *
 * Errors: engine_new returns NULL with *err ("what: why") when a data file
 * is missing or broken; the CLI prints it and exits 2.
 */
#ifndef SG_RULES_ENGINE_H
#define SG_RULES_ENGINE_H

#include "intel/esp.h"
#include "mail/boundary.h"
#include "util/conf.h"

typedef struct engine {
    esp_db_t *esp;
    mail_trust_t trust;
    double score_suspicious;
    double score_phishing;
} engine_t;

engine_t *engine_new(conf_t *conf, char **err);
void engine_free(engine_t *e);

#endif
