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

void rbrand_run(engine_t *e, scan_t *s)
{
    const scan_facts_t *f = &s->facts;
    const brand_hit_t *claimed = NULL;
    if (s->platform && s->platform->account && f->from_org) {
        unsigned n = engine_note_account(e, s->platform->name, s->platform->account, f->from_org);
        if (n >= 3)
            scan_add_symbol(s, "PLATFORM_ACCOUNT_MANY_DOMAINS", s->platform->label,
                            s->platform->account,
                            "%s account %s has sent for %u unrelated From domains in this run, "
                            "now %s",
                            s->platform->label, s->platform->account, n, f->from_org);
    }
    name_rules(s, &claimed);
    subject_rules(s, &claimed);

    /* A brand in the text alone is common in legitimate mail ("follow us
     * on Facebook"); it counts only next to a credential request or a
     * threat, the shape of a lure speaking for the brand. */
    int cred = lexicon_group(e->lexicon, "credential"), thr = lexicon_group(e->lexicon, "threat");
    bool lure = (cred >= 0 && f->lex.count[cred]) || (thr >= 0 && f->lex.count[thr]);
    const brand_hit_t *bh = foreign_hit(s, f->body_hits, f->n_body);
    if (bh && lure) {
        scan_add_symbol(s, "BRAND_BODY", bh->name, sender_label(s),
                        "text names %s next to \"%s\"", bh->brand->id,
                        cred >= 0 && f->lex.first[cred] ? f->lex.first[cred] : f->lex.first[thr]);
        if (claimed == NULL)
            claimed = bh;
    }
    if (claimed == NULL)
        return;

    if (f->from_freemail)
        scan_add_symbol(s, "FROM_FREEMAIL_BRAND", f->from->address, claimed->name,
                        "%s is a free mail provider", f->from_domain);
    if (s->platform && !scan_sender_is_brand(s, claimed->brand))
        scan_add_symbol(s, "PLATFORM_IMPERSONATION", s->platform->label, claimed->name,
                        "relayed by %s%s%s while naming %s", s->platform->label,
                        s->platform->account ? ", account " : "",
                        s->platform->account ? s->platform->account : "", claimed->brand->id);
    const char *passed = f->dmarc_pass_domain ? f->dmarc_pass_domain
                         : (f->verified_dkim && f->verified_dkim->len)
                             ? (const char *)f->verified_dkim->pdata[0]
                             : NULL;
    if (passed)
        scan_add_symbol(s, "AUTH_PASS_NOT_TRUST", passed, NULL,
                        "trusted Authentication-Results: pass for %s", passed);
}
