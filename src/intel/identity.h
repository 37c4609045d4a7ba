/*
 * identity.h - who the message says it is from, in every form rules need.
 *
 * Collects each sender identity of a message: every From address, Reply-To,
 * Sender, Return-Path and each DKIM-Signature d= domain. For each: the
 * address, its domain in ASCII and Unicode form, the registrable domain,
 * and for display names the normalised text and confusable skeleton (see
 * normalise.h) with what the normalisation removed.
 *
 * Memory: the array and its identity_t belong to the caller
 * (g_ptr_array_unref frees everything).
 */
#ifndef SG_INTEL_IDENTITY_H
#define SG_INTEL_IDENTITY_H

#include <glib.h>
#include <stdbool.h>

#include "intel/normalise.h"
#include "mail/message.h"

typedef enum identity_role {
    ID_FROM = 0,
    ID_REPLY_TO,
    ID_SENDER,
    ID_RETURN_PATH,
    ID_DKIM,
} identity_role_t;

typedef struct identity {
    identity_role_t role;
    char *address;          /* "" for DKIM */
    char *display_name;     /* decoded, "" if none */
    char *display_norm;     /* normalise_text(display_name) */
    char *display_skeleton; /* normalise_skeleton(display_name) */
    normalise_flags_t display_flags;
    char *domain;         /* ASCII, lower case, or NULL */
    char *domain_unicode; /* Unicode form, or NULL */
    char *org_domain;     /* registrable domain, or NULL */
    bool idn;
} identity_t;

const char *identity_role_name(identity_role_t r);
/* Never NULL; may be empty. */
GPtrArray *identity_collect(const mail_msg_t *m);
/* First identity of a role, or NULL. */
const identity_t *identity_find(const GPtrArray *ids, identity_role_t role);

#endif
