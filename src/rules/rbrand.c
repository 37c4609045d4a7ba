/*
 * rbrand.c - brand impersonation: a brand named in the display name,
 * subject or text of mail that does not come from the brand; disguised
 * names; relay through a sending platform while impersonating; one
 * platform account sending for many domains.
 *
 * "Comes from the brand" means the From domain is one of the brand's
 * (data/brands.conf), or a trusted Authentication-Results says DKIM passed
 * for one of the brand's domains. A DKIM-Signature alone proves nothing in
 * stored mail (anyone can paste one), and passing SPF/DKIM/DMARC for the
 * sender's own domain never excuses naming someone else: the seed case is
 * exactly that, phishing that passes for a hijacked company's domain.
 */
#include <string.h>

#include "intel/domain.h"
#include "rules/rules.h"

static const char *sender_label(const scan_t *s)
{
    return s->facts.from_domain ? s->facts.from_domain : "?";
}

/* First brand hit that the sender is not, or NULL. */
static const brand_hit_t *foreign_hit(const scan_t *s, const brand_hit_t *hits, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        if (!scan_sender_is_brand(s, hits[i].brand))
            return &hits[i];
    return NULL;
}

static void name_rules(scan_t *s, const brand_hit_t **claimed)
{
    const scan_facts_t *f = &s->facts;
    const brand_hit_t *h = foreign_hit(s, f->name_hits, f->n_name);
    if (h) {
        char *dn = rules_visible(f->from->display_name, 80);
        scan_add_symbol(s, "BRAND_DISPLAY_NAME", h->name, sender_label(s),
                        "From: \"%s\" <%s> names %s (%s match); %s is not one of its domains", dn,
                        f->from->address, h->brand->id, h->how, sender_label(s));
        g_free(dn);
        *claimed = h;
    }
    if (f->from && *f->from->display_name) {
        const normalise_flags_t *fl = &f->from->display_flags;
        if (fl->invisible || fl->combining || fl->mixed_script ||
            rules_has_math_letters(f->from->display_name) ||
            rules_has_spaced_letters(f->from->display_name)) {
            char *dn = rules_visible(f->from->display_name, 80);
            scan_add_symbol(s, "NAME_DISGUISED", dn, NULL,
                            "display name \"%s\": %u invisible, %u combining%s%s", dn,
                            fl->invisible, fl->combining, fl->mixed_script ? ", mixed scripts" : "",
                            rules_has_math_letters(f->from->display_name) ? ", math letters" : "");
            g_free(dn);
        }
    }
}

static void subject_rules(scan_t *s, const brand_hit_t **claimed)
{
    const scan_facts_t *f = &s->facts;
    const char *subj = s->msg->subject;
    if (subj == NULL)
        return;
    const brand_hit_t *h = foreign_hit(s, f->subject_hits, f->n_subject);
    if (h) {
        char *vs = rules_visible(subj, 100);
        scan_add_symbol(s, "BRAND_SUBJECT", h->name, sender_label(s), "Subject: %s (%s, %s match)",
                        vs, h->brand->id, h->how);
        g_free(vs);
        if (*claimed == NULL)
            *claimed = h;
    }
    normalise_flags_t fl;
    g_free(normalise_text(subj, &fl));
    if (fl.invisible || rules_has_math_letters(subj) || rules_has_spaced_letters(subj) ||
        fl.combining > 1) {
        char *vs = rules_visible(subj, 100);
        scan_add_symbol(s, "SUBJECT_DISGUISED", vs, NULL, "Subject: %s", vs);
        g_free(vs);
    }
}

bool rules_is_bounce(const scan_t *s)
{
    /* A delivery report travels with the null reverse-path (RFC 5321
     * 4.5.5). The Content-Type alone is the sender's word: trusted on its
     * own it would let any lure switch the brand rules off. */
    const mail_header_t *ct = mail_msg_header(s->msg, "Content-Type");
    const char *rp = s->msg->return_path;
    if (ct && strstr(ct->value, "multipart/report") && rp && *rp == '\0')
        return true;
    const char *a = s->facts.from ? s->facts.from->address : NULL;
    return a && (g_ascii_strncasecmp(a, "mailer-daemon@", 14) == 0 ||
                 g_ascii_strncasecmp(a, "postmaster@", 11) == 0);
}

/* A brand's own domain in From without the brand's DKIM signature: big
 * senders sign everything, so this is the spoofed-From case that DMARC
 * would catch at a receiver that checks it. Free mail addresses at a
 * brand's consumer service (gmail.com, outlook.com) are people, not the
 * brand, and are left alone. */
static void unsigned_brand(scan_t *s)
{
    const scan_facts_t *f = &s->facts;
    if (f->from_domain == NULL || f->from_freemail || rules_is_bounce(s))
        return;
    const brand_t *b = brand_of_domain(s->engine->brands, f->from_domain);
    if (b == NULL)
        return;
    for (guint i = 0; i < s->msg->dkim_domains->len; i++)
        if (brand_owns(b, s->msg->dkim_domains->pdata[i]))
            return;
    if (scan_sender_is_brand(s, b) && f->verified_dkim && f->verified_dkim->len)
        return;
    scan_add_symbol(s, "BRAND_UNSIGNED", b->id, f->from_domain,
                    "From: %s; DKIM-Signature d=: %u, none of %s", f->from->address,
                    s->msg->dkim_domains->len, b->id);
}

/* "Mail Center", "IT Helpdesk", "メール管理者" writing from outside the
 * recipient's organisation: the lure that asks for a mailbox password. */
static void mail_admin(engine_t *e, scan_t *s)
{
    const scan_facts_t *f = &s->facts;
    int g = lexicon_group(e->lexicon, "mailadmin");
    if (g < 0 || f->from == NULL || *f->from->display_name == '\0' || rules_is_bounce(s))
        return;
    lexicon_hits_t h;
    lexicon_scan(e->lexicon, f->from->display_name, 512, &h);
    if (h.count[g] == 0)
        return;
    char *rdom = f->recipient ? domain_of_address(f->recipient) : NULL;
    char *rorg = rdom ? domain_org(rdom) : NULL;
    bool outside = f->from_org && (rorg == NULL || strcmp(rorg, f->from_org) != 0);
    if (outside)
        scan_add_symbol(s, "MAIL_ADMIN_IMPERSONATION", h.first[g], f->from_domain,
                        "From: \"%s\" <%s>%s%s", f->from->display_name, f->from->address,
                        rdom ? ", recipient at " : "", rdom ? rdom : "");
    g_free(rorg);
    g_free(rdom);
}

void rbrand_run(engine_t *e, scan_t *s)
{
    const scan_facts_t *f = &s->facts;
    const brand_hit_t *claimed = NULL;
    if (s->platform && s->platform->account && f->from_org) {
        unsigned n = engine_note_account(e, s->platform->name, s->platform->label,
                                         s->platform->account, f->from_org);
        if (n >= ENGINE_ACCOUNT_MANY)
            scan_add_symbol(s, "PLATFORM_ACCOUNT_MANY_DOMAINS", s->platform->label,
                            s->platform->account,
                            "%s account %s has sent for %u unrelated From domains in this run, "
                            "now %s",
                            s->platform->label, s->platform->account, n, f->from_org);
    }
    unsigned_brand(s);
    mail_admin(e, s);
    name_rules(s, &claimed);
    subject_rules(s, &claimed);

    /* A brand in the text alone is common in legitimate mail ("follow us
     * on Facebook"); it counts only next to a credential request or a
     * threat, the shape of a lure speaking for the brand. */
    int cred = lexicon_group(e->lexicon, "credential"), thr = lexicon_group(e->lexicon, "threat");
    bool lure = (cred >= 0 && f->lex.count[cred]) || (thr >= 0 && f->lex.count[thr]);
    const brand_hit_t *bh = foreign_hit(s, f->body_hits, f->n_body);
    if (bh && lure && !rules_is_bounce(s)) { /* a bounce quotes the mail it returns */
        scan_add_symbol(s, "BRAND_BODY", bh->name, sender_label(s), "text names %s next to \"%s\"",
                        bh->brand->id,
                        cred >= 0 && f->lex.first[cred] ? f->lex.first[cred] : f->lex.first[thr]);
    }
    /* the rest needs the claim where a reader sees it first: the sender's
     * name or the subject; a brand in the text is weaker evidence */
    if (claimed == NULL)
        return;

    bool by_name = scan_has_symbol(s, "BRAND_DISPLAY_NAME");
    if (f->from_freemail && by_name)
        scan_add_symbol(s, "FROM_FREEMAIL_BRAND", f->from->address, claimed->name,
                        "%s is a free mail provider", f->from_domain);
    if (s->platform && by_name && !scan_sender_is_brand(s, claimed->brand))
        scan_add_symbol(s, "PLATFORM_IMPERSONATION", s->platform->label, claimed->name,
                        "relayed by %s%s%s while naming %s", s->platform->label,
                        s->platform->account ? ", account " : "",
                        s->platform->account ? s->platform->account : "", claimed->brand->id);
    const char *passed = f->dmarc_pass_domain ? f->dmarc_pass_domain
                         : (f->verified_dkim && f->verified_dkim->len)
                             ? (const char *)f->verified_dkim->pdata[0]
                             : NULL;
    if (passed)
        scan_add_symbol(s, "AUTH_PASS_NOT_TRUST", passed, NULL, "%s pass for %s (%s)",
                        f->dmarc_pass_domain ? "DMARC" : "DKIM", passed,
                        s->auth && s->auth->source == AUTHMSG_VERIFIED
                            ? "verified by sesguard"
                            : "trusted Authentication-Results");
}
