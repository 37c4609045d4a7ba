/*
 * rlinks.c - where the links really go.
 *
 * Link text that shows one site while the link goes to another, links to
 * bare IPs, through shorteners, to free hosting and public cloud storage
 * (where a fake login page costs nothing), lure words in the path, the
 * recipient's own address carried in the link, data: URIs, "@" tricks,
 * and forms in the mail itself.
 *
 * What is not a mismatch: a link to the sender's own registrable domain,
 * two hosts of one brand, and links through known redirectors and click
 * trackers (data/redirectors.txt), whose final target we cannot see
 * offline. Image sources are never judged: they are not followed by a
 * click.
 */
#include <string.h>

#include "intel/domain.h"
#include "rules/rules.h"

static bool same_party(engine_t *e, const scan_t *s, const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return true;
    char *oa = domain_org(a), *ob = domain_org(b);
    bool same = oa && ob && strcmp(oa, ob) == 0;
    g_free(oa);
    g_free(ob);
    if (same)
        return true;
    const brand_t *ba = brand_of_domain(e->brands, a), *bb = brand_of_domain(e->brands, b);
    return ba && ba == bb;
}

static bool senders(engine_t *e, const scan_t *s, const char *host)
{
    return s->facts.from_domain && same_party(e, s, s->facts.from_domain, host);
}

/* Anchor text that reads as a URL or a bare domain name. */
static bool text_is_url(const char *t)
{
    if (t == NULL || *t == '\0' || strlen(t) > 2048)
        return false;
    if (g_ascii_strncasecmp(t, "http://", 7) == 0 || g_ascii_strncasecmp(t, "https://", 8) == 0 ||
        g_ascii_strncasecmp(t, "www.", 4) == 0)
        return true;
    /* "example.co.jp" or "example.com/login": one word with a dot and a
     * letter-only last label */
    if (strchr(t, ' ') || !strchr(t, '.'))
        return false;
    const char *slash = strchr(t, '/');
    const char *end = slash ? slash : t + strlen(t);
    const char *dot = NULL;
    for (const char *p = t; p < end; p++)
        if (*p == '.')
            dot = p;
    if (dot == NULL || end - dot < 3)
        return false;
    for (const char *p = dot + 1; p < end; p++)
        if (!g_ascii_isalpha(*p))
            return false;
    return true;
}

static bool has_lure_word(engine_t *e, const char *path, const char **word)
{
    char *low = g_ascii_strdown(path, -1);
    bool hit = false;
    for (char **w = e->url_words; w && *w && !hit; w++) {
        size_t n = strlen(*w);
        for (const char *p = strstr(low, *w); p && !hit; p = strstr(p + 1, *w)) {
            bool left = p == low || !g_ascii_isalpha(p[-1]);
            bool right = !g_ascii_isalpha(p[n]);
            if (left && right) {
                hit = true;
                *word = *w;
            }
        }
    }
    g_free(low);
    return hit;
}

static bool unsubscribe_link(const mail_link_t *l)
{
    static const char *const words[] = {"unsubscribe", "unsub",    "opt-out",
                                        "optout",      "opt_out",  "remove",
                                        "配信停止",    "配信解除", "preferences"};
    for (size_t i = 0; i < G_N_ELEMENTS(words); i++)
        if (strstr(l->href, words[i]) || strstr(l->text, words[i]))
            return true;
    return false;
}

static bool carries_recipient(const char *href, const char *rcpt)
{
    if (rcpt == NULL || strlen(rcpt) < 6)
        return false;
    if (g_strstr_len(href, -1, rcpt))
        return true;
    char *at = g_strdup(rcpt);
    char *p = strchr(at, '@');
    bool hit = false;
    if (p) {
        *p = '\0';
        char *enc = g_strdup_printf("%s%%40%s", at, p + 1);
        hit = strstr(href, enc) != NULL;
        g_free(enc);
    }
    if (!hit) {
        char *b64 = g_base64_encode((const guchar *)rcpt, strlen(rcpt));
        /* drop padding: the encoded address is usually inside a longer token */
        size_t n = strlen(b64);
        while (n > 0 && b64[n - 1] == '=')
            b64[--n] = '\0';
        if (n >= 8)
            hit = strstr(href, b64) != NULL;
        g_free(b64);
    }
    g_free(at);
    return hit;
}

void rlinks_run(engine_t *e, scan_t *s)
{
    for (guint i = 0; i < s->links->len; i++) {
        const scan_link_t *l = s->links->pdata[i];
        const urlinfo_t *u = &l->info;
        if (l->link->kind == MAIL_LINK_IMAGE)
            continue;
        if (u->scheme && strcmp(u->scheme, "data") == 0) {
            scan_add_symbol(s, "LINK_DATA_URI", NULL, NULL, "%.80s", l->link->href);
            continue;
        }
        if (u->host == NULL)
            continue;
        bool own = senders(e, s, u->host);
        /* a form asking for a password, or posting elsewhere next to a
         * credential request: newsletters have search boxes, lures have this */
        int cred = lexicon_group(e->lexicon, "credential");
        if (l->link->kind == MAIL_LINK_FORM &&
            (s->msg->html_password_inputs > 0 || (!own && cred >= 0 && s->facts.lex.count[cred])))
            scan_add_symbol(s, "HTML_FORM",
                            s->msg->html_password_inputs ? " with a password field" : "", NULL,
                            "<form action=\"%.200s\">, %u password field(s)", l->link->href,
                            s->msg->html_password_inputs);
        if (u->has_userinfo && (g_str_has_prefix(u->scheme, "http")))
            scan_add_symbol(s, "LINK_USERINFO", u->host, NULL, "%.200s", l->link->href);
        if (u->ip_host)
            scan_add_symbol(s, "LINK_IP_HOST", u->host, NULL, "%.200s", l->link->href);
        if (domlist_has(e->shorteners, u->host))
            scan_add_symbol(s, "LINK_SHORTENER", u->host, NULL, "%.200s", l->link->href);
        const char *fh = own ? NULL : domlist_match(e->free_hosting, u->host);
        if (fh)
            scan_add_symbol(s, "LINK_FREE_HOSTING", u->host, NULL, "%.200s (%s)", l->link->href,
                            fh);
        const char *word = NULL;
        if (!own && u->path && has_lure_word(e, u->path, &word))
            scan_add_symbol(s, "LINK_LURE_PATH", word, NULL, "%.200s", l->link->href);
        if (!own && !unsubscribe_link(l->link) &&
            carries_recipient(l->link->href, s->facts.recipient))
            scan_add_symbol(s, "LINK_RECIPIENT_IN_URL", s->facts.recipient, NULL, "%.200s",
                            l->link->href);
        if (l->link->kind == MAIL_LINK_ANCHOR && text_is_url(l->link->text) &&
            !domlist_has(e->redirectors, u->host)) {
            urlinfo_t t;
            urlinfo_parse(l->link->text, &t);
            if (t.host && !t.ip_host && strchr(t.host, '.') && !same_party(e, s, t.host, u->host) &&
                !own)
                scan_add_symbol(s, "LINK_TEXT_MISMATCH", t.host, u->host,
                                "text \"%.100s\" -> %.200s", l->link->text, l->link->href);
            urlinfo_clear(&t);
        }
    }
}
