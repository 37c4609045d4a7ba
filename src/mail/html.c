/*
 * html.c - visible text and links of an HTML part, with libxml2; see html.h.
 *
 * What: libxml2's HTML parser builds the tree (it copes with tag soup and
 * decodes entities); we walk it once, iteratively (parent/next pointers,
 * no recursion, so nesting depth never costs C stack), and collect:
 *   - visible text, whitespace-collapsed, block elements as one '\n';
 *   - links in document order (anchor text filled in when the <a> closes);
 *   - forms, password inputs, scripts (+ on* handler attributes), meta
 *     refresh target, and the non-whitespace bytes of hidden text.
 * Per-node state (hidden / skipped / anchor) is kept in node->_private,
 * which libxml2 reserves for the application, so the walk needs no stack.
 *
 * Memory: the xmlDoc is freed before return; html_result_t owns text (g_*)
 * and links (mail_link_t, mail_link_free).
 *
 * Limits: text stops at max_text bytes (cut at a UTF-8 boundary) and links
 * at max_links; anchor text is kept up to HTML_MAX_ANCHOR_TEXT bytes; at
 * most HTML_MAX_OPEN_ANCHORS nested anchors collect text (libxml2 closes an
 * open <a> when another starts, so real documents never nest them). Input
 * past INT_MAX bytes is not parsed (libxml2 takes an int length); callers
 * bound parts far below that. Work is linear in the tree size. libxml2
 * stops at nesting deeper than 256 (without XML_PARSE_HUGE) and drops the
 * rest of the document: we then set incomplete, since a lure can hide its
 * body behind 300 <div>s. Attributes past HTML_MAX_ATTRS in one start tag
 * are blanked before parsing (libxml2's duplicate check is quadratic) and
 * also set incomplete.
 *
 * Errors: libxml2's diagnostics are silenced without touching any
 * process-wide state. Parser and HTML-domain errors are raised with the
 * parser context: HTML_PARSE_NOERROR|NOWARNING clear that context's own
 * error/warning callbacks (per context), and we also give it a no-op
 * structured handler, so they are dropped at the source. Errors libxml2
 * raises without a context (encoding conversion, allocation) go to the
 * calling thread's generic handler, which we swap for a no-op around the
 * parse and restore afterwards. libxml2 keeps that handler in
 * thread-local state (it is built with threads on Debian), so no other
 * thread is affected and no caller's handler is lost. xmlInitParser() runs
 * once, under g_once, since its first call is not thread-safe in 2.9.
 *
 * Security: HTML_PARSE_NONET, no XML_PARSE_HUGE, no external entities;
 * hrefs are returned as written (trimmed); judging them is intel's job.
 * libxml2 passes invalid bytes of a document declared UTF-8 through to the
 * tree, so text, anchor text and hrefs are made valid (U+FFFD) here.
 * Hidden-text detection reads inline CSS only (display:none,
 * visibility:hidden, font-size:0, the hidden attribute); CSS in <style>
 * blocks, colour tricks and off-screen positioning are not evaluated.
 */
#include "mail/html.h"

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "mail/link.h"
#include "util/slice.h"

/* Anchor text beyond this is of no use to a rule ("click here" lures are
 * short) and a giant anchor must not double the text memory. */
#define HTML_MAX_ANCHOR_TEXT 1024
/* Attributes kept per start tag; real mail has a dozen at most. */
#define HTML_MAX_ATTRS 256
/* Open <a> elements that collect text at once; see the header comment. */
#define HTML_MAX_OPEN_ANCHORS 4

/* node->_private flags */
enum {
    NF_SKIP = 1u,   /* script/style/head/title/template: not text at all */
    NF_HIDDEN = 2u, /* hidden by CSS or the hidden attribute */
    NF_ANCHOR = 4u, /* an anchor collecting text (slot in the open list) */
    NF_BLOCK = 8u,  /* a line break before and after */
    NF_CELL = 16u,  /* a table cell: a space before and after */
};

typedef struct anchor_slot {
    xmlNodePtr node;
    mail_link_t *link; /* owned by the links array */
    GString *text;
    bool space; /* whitespace pending inside the anchor text */
} anchor_slot_t;

typedef struct walk {
    html_result_t *out;
    GString *text;
    size_t max_text;
    size_t max_links;
    unsigned skip_depth;   /* open NF_SKIP elements */
    unsigned hidden_depth; /* open NF_HIDDEN elements */
    int pending;           /* 0 none, 1 space, 2 newline */
    anchor_slot_t anchors[HTML_MAX_OPEN_ANCHORS];
    unsigned n_anchors;
} walk_t;

static const char *const skip_tags[] = {"script", "style", "head", "title", "template", NULL};
static const char *const block_tags[] = {
    "address", "article", "aside",   "blockquote", "body",  "br",    "caption",  "center",
    "dd",      "details", "dialog",  "div",        "dl",    "dt",    "fieldset", "figcaption",
    "figure",  "footer",  "form",    "h1",         "h2",    "h3",    "h4",       "h5",
    "h6",      "header",  "hr",      "html",       "li",    "main",  "nav",      "ol",
    "p",       "pre",     "section", "summary",    "table", "tbody", "tfoot",    "thead",
    "tr",      "ul",      NULL};

static bool in_list(const char *name, const char *const *list)
{
    for (size_t i = 0; list[i] != NULL; i++)
        if (strcmp(name, list[i]) == 0)
            return true;
    return false;
}

static bool is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + 32 : c;
}

/* Longest prefix of p[0..n) that is at most room bytes and does not split a
 * UTF-8 sequence. */
static size_t utf8_cut(const char *p, size_t n, size_t room)
{
    if (n <= room)
        return n;
    size_t k = room;
    while (k > 0 && ((unsigned char)p[k] & 0xC0) == 0x80)
        k--;
    return k;
}

/* ---- inline CSS ---------------------------------------------------- */

/* Copy a style attribute lower-cased, without CSS comments and white
 * space, so "Display : NONE (comment) !important" reads "display:none!important". */
static char *css_squash(const char *s)
{
    size_t n = strlen(s);
    char *o = g_malloc(n + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '/' && i + 1 < n && s[i + 1] == '*') {
            const char *end = strstr(s + i + 2, "*/");
            if (end == NULL)
                break;
            i = (size_t)(end - s) + 1;
            continue;
        }
        if (is_space((unsigned char)s[i]))
            continue;
        o[j++] = (char)lower((unsigned char)s[i]);
    }
    o[j] = '\0';
    return o;
}

/* A CSS length that is zero: "0", "0px", "0.0em", "-0pt", "0%". */
static bool css_zero(const char *v, size_t n)
{
    size_t i = 0;
    bool digit = false;
    if (i < n && (v[i] == '+' || v[i] == '-'))
        i++;
    for (; i < n && (v[i] == '0' || v[i] == '.'); i++)
        digit |= v[i] == '0';
    if (!digit || (i < n && v[i] >= '1' && v[i] <= '9'))
        return false;
    for (; i < n; i++)
        if (!((v[i] >= 'a' && v[i] <= 'z') || v[i] == '%'))
            return false;
    return true;
}

static bool css_hidden(const char *style)
{
    char *s = css_squash(style);
    bool hidden = false;
    char *cur = s;
    while (!hidden && cur != NULL && *cur != '\0') {
        char *semi = strchr(cur, ';');
        char *next = semi ? semi + 1 : NULL;
        if (semi)
            *semi = '\0';
        char *bang = strchr(cur, '!');
        if (bang)
            *bang = '\0';
        char *colon = strchr(cur, ':');
        if (colon != NULL) {
            *colon = '\0';
            const char *prop = cur, *val = colon + 1;
            if (strcmp(prop, "display") == 0 && strcmp(val, "none") == 0)
                hidden = true;
            else if (strcmp(prop, "visibility") == 0 &&
                     (strcmp(val, "hidden") == 0 || strcmp(val, "collapse") == 0))
                hidden = true;
            else if (strcmp(prop, "font-size") == 0 && css_zero(val, strlen(val)))
                hidden = true;
        }
        cur = next;
    }
    g_free(s);
    return hidden;
}

/* ---- text output --------------------------------------------------- */

static void text_put(walk_t *w, const char *p, size_t n)
{
    if (w->out->text_truncated)
        return;
    size_t sep = (w->pending && w->text->len > 0) ? 1 : 0;
    if (w->text->len + sep + n > w->max_text) {
        w->out->text_truncated = true;
        if (w->text->len + sep >= w->max_text)
            return;
        n = utf8_cut(p, n, w->max_text - w->text->len - sep);
    }
    if (sep)
        g_string_append_c(w->text, w->pending == 2 ? '\n' : ' ');
    w->pending = 0;
    g_string_append_len(w->text, p, (gssize)n);
}

static void anchor_put(anchor_slot_t *a, const char *p, size_t n)
{
    size_t sep = (a->space && a->text->len > 0) ? 1 : 0;
    if (a->text->len + sep >= HTML_MAX_ANCHOR_TEXT)
        return;
    n = utf8_cut(p, n, HTML_MAX_ANCHOR_TEXT - a->text->len - sep);
    if (n == 0)
        return;
    if (sep)
        g_string_append_c(a->text, ' ');
    a->space = false;
    g_string_append_len(a->text, p, (gssize)n);
}

static void pending(walk_t *w, int level)
{
    if (level > w->pending)
        w->pending = level;
    for (unsigned i = 0; i < w->n_anchors; i++)
        w->anchors[i].space = true;
}

/* One text node: runs of non-space bytes, separated by collapsed space.
 * NBSP (U+00A0) counts as space: lures pad with it. */
static void text_node(walk_t *w, const char *s)
{
    if (w->skip_depth > 0)
        return;
    size_t n = strlen(s), i = 0;
    while (i < n) {
        if (is_space((unsigned char)s[i])) {
            if (!w->hidden_depth)
                pending(w, 1);
            i++;
            continue;
        }
        if ((unsigned char)s[i] == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) {
            if (!w->hidden_depth)
                pending(w, 1);
            i += 2;
            continue;
        }
        size_t j = i;
        while (j < n && !is_space((unsigned char)s[j]) &&
               !((unsigned char)s[j] == 0xC2 && j + 1 < n && (unsigned char)s[j + 1] == 0xA0))
            j++;
        if (w->hidden_depth) {
            w->out->hidden_text_bytes += j - i;
        } else if (g_utf8_validate(s + i, (gssize)(j - i), NULL)) {
            text_put(w, s + i, j - i);
            for (unsigned k = 0; k < w->n_anchors; k++)
                anchor_put(&w->anchors[k], s + i, j - i);
        } else {
            /* libxml2 passes invalid bytes of a "UTF-8" document through */
            char *v = g_utf8_make_valid(s + i, (gssize)(j - i));
            size_t vn = strlen(v);
            text_put(w, v, vn);
            for (unsigned k = 0; k < w->n_anchors; k++)
                anchor_put(&w->anchors[k], v, vn);
            g_free(v);
        }
        i = j;
    }
}

/* ---- links and counters -------------------------------------------- */

static mail_link_t *add_link(walk_t *w, const xmlChar *href, mail_link_kind_t kind)
{
    if (href == NULL)
        return NULL;
    slice_t s = slice_trim(slice_cstr((const char *)href));
    if (s.n == 0)
        return NULL;
    if (w->out->links->len >= w->max_links) {
        w->out->links_truncated = true;
        return NULL;
    }
    char *h = g_utf8_make_valid(s.p, (gssize)s.n);
    mail_link_t *l = mail_link_new(h, "", kind);
    g_free(h);
    g_ptr_array_add(w->out->links, l);
    return l;
}

static void add_attr_link(walk_t *w, xmlNodePtr n, const char *attr, mail_link_kind_t kind)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)attr);
    add_link(w, v, kind);
    xmlFree(v);
}

static bool attr_is(xmlNodePtr n, const char *attr, const char *want)
{
    xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)attr);
    bool eq = v != NULL && slice_eq_ci(slice_trim(slice_cstr((const char *)v)), want);
    xmlFree(v);
    return eq;
}

/* <meta http-equiv=refresh content="5; url='https://...'">: the URL part,
 * read as browsers do (delay, ';' or ',', optional "url=", quotes). */
static void meta_refresh(walk_t *w, xmlNodePtr n)
{
    if (w->out->meta_refresh != NULL || !attr_is(n, "http-equiv", "refresh"))
        return;
    xmlChar *c = xmlGetNoNsProp(n, (const xmlChar *)"content");
    if (c == NULL)
        return;
    slice_t s = slice_trim(slice_cstr((const char *)c));
    while (s.n > 0 && ((s.p[0] >= '0' && s.p[0] <= '9') || s.p[0] == '.')) {
        s.p++;
        s.n--;
    }
    s = slice_trim(s);
    if (s.n > 0 && (s.p[0] == ';' || s.p[0] == ',')) {
        s.p++;
        s.n--;
    }
    s = slice_trim(s);
    slice_t save = s;
    if (slice_skip_prefix_ci(&s, "url")) {
        s = slice_trim(s);
        if (s.n > 0 && s.p[0] == '=') {
            s.p++;
            s.n--;
            s = slice_trim(s);
        } else {
            s = save;
        }
    }
    if (s.n > 0 && (s.p[0] == '\'' || s.p[0] == '"')) {
        char q = s.p[0];
        s.p++;
        s.n--;
        long e = slice_find(s, q);
        if (e >= 0)
            s.n = (size_t)e;
    }
    s = slice_trim(s);
    if (s.n > 0) {
        w->out->meta_refresh = g_utf8_make_valid(s.p, (gssize)s.n);
        add_link(w, (const xmlChar *)w->out->meta_refresh, MAIL_LINK_OTHER);
    }
    xmlFree(c);
}

static void count_handlers(walk_t *w, xmlNodePtr n)
{
    for (xmlAttrPtr a = n->properties; a != NULL; a = a->next) {
        const char *name = (const char *)a->name;
        if (name != NULL && lower((unsigned char)name[0]) == 'o' &&
            lower((unsigned char)name[1]) == 'n' && name[2] != '\0')
            w->out->scripts++;
    }
}

/* Links and counters of one element; returns the anchor link, if any. */
static mail_link_t *element_links(walk_t *w, xmlNodePtr n, const char *name)
{
    mail_link_t *anchor = NULL;
    if (strcmp(name, "a") == 0 || strcmp(name, "area") == 0) {
        xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)"href");
        anchor = add_link(w, v, MAIL_LINK_ANCHOR);
        xmlFree(v);
    } else if (strcmp(name, "form") == 0) {
        w->out->forms++;
        add_attr_link(w, n, "action", MAIL_LINK_FORM);
    } else if (strcmp(name, "img") == 0) {
        add_attr_link(w, n, "src", MAIL_LINK_IMAGE);
    } else if (strcmp(name, "input") == 0) {
        if (attr_is(n, "type", "password"))
            w->out->password_inputs++;
        add_attr_link(w, n, "src", MAIL_LINK_OTHER);
        add_attr_link(w, n, "formaction", MAIL_LINK_OTHER);
    } else if (strcmp(name, "button") == 0) {
        add_attr_link(w, n, "formaction", MAIL_LINK_OTHER);
    } else if (strcmp(name, "script") == 0) {
        w->out->scripts++;
        add_attr_link(w, n, "src", MAIL_LINK_OTHER);
    } else if (strcmp(name, "meta") == 0) {
        meta_refresh(w, n);
    } else if (strcmp(name, "link") == 0 || strcmp(name, "base") == 0) {
        add_attr_link(w, n, "href", MAIL_LINK_OTHER);
    } else if (strcmp(name, "iframe") == 0 || strcmp(name, "frame") == 0 ||
               strcmp(name, "embed") == 0 || strcmp(name, "source") == 0 ||
               strcmp(name, "audio") == 0 || strcmp(name, "video") == 0 ||
               strcmp(name, "track") == 0) {
        add_attr_link(w, n, "src", MAIL_LINK_OTHER);
    } else if (strcmp(name, "object") == 0) {
        add_attr_link(w, n, "data", MAIL_LINK_OTHER);
    }
    if (strcmp(name, "body") == 0 || strcmp(name, "table") == 0 || strcmp(name, "td") == 0 ||
        strcmp(name, "th") == 0 || strcmp(name, "tr") == 0)
        add_attr_link(w, n, "background", MAIL_LINK_OTHER);
    count_handlers(w, n);
    return anchor;
}

/* ---- the walk ------------------------------------------------------ */

static void enter(walk_t *w, xmlNodePtr n)
{
    const char *name = (const char *)n->name;
    unsigned f = 0;
    if (name == NULL)
        name = "";
    if (in_list(name, skip_tags))
        f |= NF_SKIP;
    if (in_list(name, block_tags))
        f |= NF_BLOCK;
    else if (strcmp(name, "td") == 0 || strcmp(name, "th") == 0)
        f |= NF_CELL;
    if (xmlHasProp(n, (const xmlChar *)"hidden") != NULL) {
        f |= NF_HIDDEN;
    } else {
        xmlChar *style = xmlGetNoNsProp(n, (const xmlChar *)"style");
        if (style != NULL && css_hidden((const char *)style))
            f |= NF_HIDDEN;
        xmlFree(style);
    }
    if (f & NF_BLOCK)
        pending(w, 2);
    else if (f & NF_CELL)
        pending(w, 1);
    mail_link_t *anchor = element_links(w, n, name);
    if (anchor != NULL && w->n_anchors < HTML_MAX_OPEN_ANCHORS) {
        anchor_slot_t *a = &w->anchors[w->n_anchors++];
        a->node = n;
        a->link = anchor;
        a->text = g_string_new(NULL);
        a->space = false;
        f |= NF_ANCHOR;
    }
    if (f & NF_SKIP)
        w->skip_depth++;
    if (f & NF_HIDDEN)
        w->hidden_depth++;
    n->_private = (void *)(uintptr_t)f;
}

static void leave(walk_t *w, xmlNodePtr n)
{
    unsigned f = (unsigned)(uintptr_t)n->_private;
    if (f & NF_SKIP)
        w->skip_depth--;
    if (f & NF_HIDDEN)
        w->hidden_depth--;
    if (f & NF_BLOCK)
        pending(w, 2);
    else if (f & NF_CELL)
        pending(w, 1);
    if ((f & NF_ANCHOR) && w->n_anchors > 0 && w->anchors[w->n_anchors - 1].node == n) {
        anchor_slot_t *a = &w->anchors[--w->n_anchors];
        g_free(a->link->text);
        a->link->text = g_string_free(a->text, FALSE);
    }
}

static void walk_tree(walk_t *w, xmlNodePtr root)
{
    xmlNodePtr n = root;
    while (n != NULL) {
        bool descend = false;
        if (n->type == XML_ELEMENT_NODE) {
            enter(w, n);
            descend = n->children != NULL;
        } else if (n->type == XML_TEXT_NODE && n->content != NULL) {
            text_node(w, (const char *)n->content);
        }
        if (descend) {
            n = n->children;
            continue;
        }
        if (n->type == XML_ELEMENT_NODE)
            leave(w, n);
        /* climb until a next sibling exists, closing elements on the way */
        while (n != NULL && n->next == NULL) {
            n = n->parent;
            if (n == NULL || n == root->parent) {
                n = NULL;
                break;
            }
            if (n->type == XML_ELEMENT_NODE)
                leave(w, n);
        }
        if (n != NULL)
            n = n->next;
    }
}

/* ---- attribute bomb ------------------------------------------------ */

static bool is_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == ':' ||
           c == '_' || c == '.' || c == '-';
}

/* libxml2 2.9 checks each attribute of a start tag against all earlier
 * ones (quadratic: 1 MB of " aN=1" costs a minute). We scan start tags the
 * way htmlParseStartTag does and blank (with spaces) every attribute past
 * HTML_MAX_ATTRS in one tag. Returns a modified copy, or NULL when no tag
 * needed it. Linear; the tag grammar is approximated, which only matters
 * for documents that already carry such a bomb. */
static char *tame_attributes(const char *p, size_t n)
{
    char *copy = NULL;
    size_t i = 0;
    while (i < n) {
        const char *lt = memchr(p + i, '<', n - i);
        if (lt == NULL)
            break;
        i = (size_t)(lt - p) + 1;
        if (i >= n || !(is_name_char((unsigned char)p[i]) && p[i] != '-' && p[i] != '.'))
            continue;
        while (i < n && is_name_char((unsigned char)p[i])) /* tag name */
            i++;
        size_t count = 0, blank_from = 0;
        while (i < n && p[i] != '>') {
            if (is_space((unsigned char)p[i]) || p[i] == '/') {
                i++;
                continue;
            }
            size_t start = i;
            while (i < n && is_name_char((unsigned char)p[i]))
                i++;
            if (i == start) { /* bogus: skip to a blank or the end */
                while (i < n && !is_space((unsigned char)p[i]) && p[i] != '>')
                    i++;
                continue;
            }
            if (++count == HTML_MAX_ATTRS + 1)
                blank_from = start;
            while (i < n && is_space((unsigned char)p[i]))
                i++;
            if (i < n && p[i] == '=') {
                i++;
                while (i < n && is_space((unsigned char)p[i]))
                    i++;
                if (i < n && (p[i] == '"' || p[i] == '\'')) {
                    const char *q = memchr(p + i + 1, p[i], n - i - 1);
                    i = q ? (size_t)(q - p) + 1 : n;
                } else {
                    while (i < n && !is_space((unsigned char)p[i]) && p[i] != '>')
                        i++;
                }
            }
        }
        if (count > HTML_MAX_ATTRS) {
            if (copy == NULL)
                copy = g_memdup2(p, n);
            memset(copy + blank_from, ' ', i - blank_from);
        }
    }
    return copy;
}

/* ---- libxml2 set-up ------------------------------------------------ */

static void quiet_structured(void *ctx, xmlErrorPtr err)
{
    (void)ctx;
    (void)err;
}

static void quiet_generic(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void html_init_once(void)
{
    static gsize done = 0;
    if (g_once_init_enter(&done)) {
        xmlInitParser();
        g_once_init_leave(&done, 1);
    }
}

/* Returns -1 if no parser context could be made; *doc may still be NULL
 * (libxml2 recovered nothing). */
static int parse(const char *utf8, size_t len, xmlDocPtr *doc, bool *stopped)
{
    html_init_once();
    *doc = NULL;
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (ctxt == NULL)
        return -1;
    if (ctxt->sax != NULL) {
        ctxt->sax->serror = quiet_structured;
        ctxt->sax->error = NULL;
        ctxt->sax->warning = NULL;
    }
    /* Errors raised without a context use this thread's generic handler. */
    xmlGenericErrorFunc old_fn = xmlGenericError;
    void *old_ctx = xmlGenericErrorContext;
    xmlSetGenericErrorFunc(NULL, quiet_generic);
    int n = len > (size_t)INT_MAX ? INT_MAX : (int)len;
    *doc = htmlCtxtReadMemory(ctxt, utf8, n, NULL, "UTF-8",
                              HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING |
                                  HTML_PARSE_RECOVER);
    xmlSetGenericErrorFunc(old_ctx, old_fn);
    /* xmlStopParser (fatal errors: nesting past 256) disables SAX */
    *stopped = ctxt->disableSAX != 0 || len > (size_t)INT_MAX;
    htmlFreeParserCtxt(ctxt);
    return 0;
}

int html_extract(const char *utf8, size_t len, size_t max_text, size_t max_links,
                 html_result_t *out)
{
    memset(out, 0, sizeof *out);
    out->links = g_ptr_array_new_with_free_func(mail_link_free);
    walk_t w = {
        .out = out, .text = g_string_new(NULL), .max_text = max_text, .max_links = max_links};
    int rc = 0;
    if (utf8 != NULL && len > 0) {
        xmlDocPtr doc = NULL;
        char *tamed = tame_attributes(utf8, len);
        rc = parse(tamed ? tamed : utf8, len, &doc, &out->incomplete);
        if (tamed != NULL) {
            out->incomplete = true;
            g_free(tamed);
        }
        if (doc != NULL) {
            /* start at the document's first child: the root element's
             * siblings (comments, a doctype) are walked too */
            walk_tree(&w, doc->children);
            xmlFreeDoc(doc);
        }
        while (w.n_anchors > 0) { /* only if the tree walk ended early */
            anchor_slot_t *a = &w.anchors[--w.n_anchors];
            g_free(a->link->text);
            a->link->text = g_string_free(a->text, FALSE);
        }
    }
    out->text = g_string_free(w.text, FALSE);
    return rc;
}

void html_result_clear(html_result_t *r)
{
    if (r == NULL)
        return;
    g_free(r->text);
    if (r->links != NULL)
        g_ptr_array_unref(r->links);
    g_free(r->meta_refresh);
    memset(r, 0, sizeof *r);
}
