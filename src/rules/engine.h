/*
 * engine.h - what a mail scan loads once and shares: data, configuration,
 * and the little state a run accumulates.
 *
 * engine_new() reads the configuration and the data files under
 * paths_datadir(): symbols.conf (weights and explanations), platforms.conf
 * (sending platforms), brands.conf, lexicon.conf, readings.txt and the
 * domain lists (freemail, shorteners, redirectors, free hosting). All of
 * it is read-only after start-up. The run state (which platform accounts
 * sent for which From domains) is the one mutable part, behind a mutex.
 *
 * Configuration keys (docs/configuration.md documents each and its default):
 *   trusted_hosts         our MX hosts: names, ".suffix" patterns or IPs
 *   trusted_authserv_ids  authserv-ids whose Authentication-Results we
 *                         believe (default: trusted_hosts)
 *   own_domains           the organisation's own domains (lookalike checks)
 *   score_suspicious      score at which a message is suspicious (5)
 *   score_phishing        score at which a message is phishing (10)
 *   dns_server, dns_zone, dns_timeout   where authentication asks DNS
 *   verify                verify SPF/DKIM/DMARC when the envelope is known
 *                         (yes); "no" believes the trusted headers instead
 *   weight.SYMBOL, disable, enable   see rules/ruleset.h
 *
 * Errors: engine_new returns NULL with *err ("what: why") when a data file
 * is missing or broken; the CLI prints it and exits 2.
 */
#ifndef SG_RULES_ENGINE_H
#define SG_RULES_ENGINE_H

#include <glib.h>

#include "auth/authmsg.h"
#include "dns/dns.h"
#include "intel/brand.h"
#include "intel/domlist.h"
#include "intel/esp.h"
#include "intel/lexicon.h"
#include "mail/boundary.h"
#include "rules/ruleset.h"
#include "util/conf.h"

typedef struct engine {
    esp_db_t *esp;
    ruleset_t *rules;
    brand_db_t *brands;
    lexicon_t *lexicon;
    GHashTable *readings; /* kanji word -> kana reading (spliced readings) */
    domlist_t *freemail, *shorteners, *redirectors, *free_hosting;
    char **url_words;   /* lure words in link paths */
    /* attachment knowledge (data/attachments.conf) */
    char **exec_ext, **exec_types, **doc_ext, **macro_ext, **html_ext;
    char **own_domains; /* the organisation's registrable domains */
    mail_trust_t trust;
    /* authentication: the resolver (made on first use) and an envelope
     * given on the command line, which then applies to every message */
    char *dns_server; /* HOST[:PORT] or NULL for /etc/resolv.conf */
    char **dns_zones; /* zone files, or NULL */
    unsigned dns_timeout_ms;
    dns_resolver_t *dns;
    bool dns_failed;
    bool verify; /* verify when the envelope is known (config "verify") */
    authmsg_env_t env;
    char *env_ip, *env_helo, *env_mail_from;
    double score_suspicious;
    double score_phishing;
    void *domain_index; /* brand domain labels for look-alike checks (rdomain.c) */
    /* run state: "platform/account" -> account_state_t (engine.c) */
    GMutex lock;
    GHashTable *accounts;
} engine_t;

engine_t *engine_new(conf_t *conf, char **err);
void engine_free(engine_t *e);
/* The resolver for authentication, made on first use; NULL (and logged
 * once) if it cannot be made. */
dns_resolver_t *engine_dns(engine_t *e);
/* Set the envelope from the command line (any may be NULL). */
void engine_set_envelope(engine_t *e, const char *ip, const char *helo, const char *mail_from);

/* A platform account sending for this many unrelated From domains in one
 * run is flagged (PLATFORM_ACCOUNT_MANY_DOMAINS) and listed at the end. */
#define ENGINE_ACCOUNT_MANY 3
/* Distinct From domains kept per account: bounds the run state. */
#define ENGINE_ACCOUNT_MAX_DOMAINS 64

/* Record that a platform account (platform: its name in platforms.conf,
 * label: its human name) sent for org_domain; returns how many distinct
 * From domains the account has sent for so far in this run. */
unsigned engine_note_account(engine_t *e, const char *platform, const char *label,
                             const char *account, const char *org_domain);

typedef struct engine_account {
    char *label;    /* "Amazon SES" */
    char *account;  /* the platform's account or tenant id */
    char **domains; /* the From domains, sorted, NULL-terminated */
    unsigned n;     /* how many */
} engine_account_t;

/* The accounts that sent for at least min distinct From domains so far,
 * most domains first (then by label and account): a run-level view that,
 * unlike the per-message symbol, does not depend on message order. Free
 * with g_ptr_array_unref. */
GPtrArray *engine_accounts(engine_t *e, unsigned min);

#endif
