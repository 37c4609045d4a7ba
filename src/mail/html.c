/*
 * html.c - visible text and links of an HTML part; see html.h.
 *
 * What: a tokenizer reads the document once, left to right, and keeps a
 * stack of open elements, closing them the way libxml2's HTML parser (and,
 * for what matters here, browsers) do: an end tag closes up to the
 * matching open element but not through a "stronger" one (a stray </b>
 * does not close a <div> or a table cell); a start tag implicitly closes
 * what it cannot nest in (<a> an open <a>, a block an open <p>, <li> an
 * open <li>, <tr>/<td> open rows and cells, <body> the head; anything
 * that cannot sit in <head> ends it, so a misplaced <head> or <title> in
 * the body does not hide what a browser shows). On the way we collect:
 *   - visible text, whitespace-collapsed, block elements as one '\n';
 *   - links in document order (anchor text filled in when the <a> closes);
 *   - forms, password inputs, scripts (+ on* handler attributes), meta
 *     refresh target, and the non-whitespace bytes of hidden text.
 * <script> and <style> are raw text up to their end tag; comments,
 * doctypes, processing instructions and CDATA sections are skipped.
 * Entities are decoded in text and attribute values: numeric ones (with
 * or without ';'; references to no character are dropped) and the named
 * HTML 4 entities (with ';'), looked up in libxml2's table. A leading
 * byte order mark is not text.
 *
 * Why not libxml2's parser: building and freeing its tree was an eighth
 * of sesguard's time; this reader needs no tree, allocates per document
 * only the text it returns, and is linear in the input.
 *
 * Memory: html_result_t owns text (g_*) and links (mail_link_t,
 * mail_link_free); nothing else outlives the call.
 *
 * Limits: text stops at max_text bytes (cut at a UTF-8 boundary) and links
 * at max_links; anchor text is kept up to HTML_MAX_ANCHOR_TEXT bytes; at
 * most HTML_MAX_OPEN_ANCHORS nested anchors collect text. Elements nested
 * deeper than HTML_MAX_DEPTH are not tracked (their hiding, anchors and
 * blocks are ignored; their text is still read) and attributes past
 * HTML_MAX_ATTRS in one tag are ignored: both set incomplete, since a lure
 * can hide behind 300 <div>s or a thousand attributes.
 *
 * Security: nothing is fetched or resolved; hrefs are returned as written
 * (entity-decoded, trimmed); judging them is intel's job. Invalid UTF-8 is
 * made valid (U+FFFD) in text, anchor text and hrefs. Hidden-text
 * detection reads inline CSS only (display:none, visibility:hidden,
 * font-size:0, the hidden attribute); CSS in <style> blocks, colour tricks
 * and off-screen positioning are not evaluated.
 */
#include "mail/html.h"

#include <libxml/HTMLparser.h>
#include <stdint.h>
#include <string.h>

#include "mail/link.h"
#include "util/slice.h"

/* Anchor text beyond this is of no use to a rule ("click here" lures are
 * short) and a giant anchor must not double the text memory. */
#define HTML_MAX_ANCHOR_TEXT 1024
/* Attributes kept per start tag; real mail has a dozen at most. */
#define HTML_MAX_ATTRS 256
/* Open <a> elements that collect text at once (an <a> closes an open <a>,
 * so only tag soup with other anchors' text could nest them). */
#define HTML_MAX_OPEN_ANCHORS 4
/* Open elements tracked; libxml2 and browsers stop near here too. */
#define HTML_MAX_DEPTH 256
/* Tag names compared: longer names are no element we act on. */
#define HTML_MAX_NAME 16

/* element flags */
enum {
    NF_SKIP = 1u,   /* script/style/head/title/template: not text at all */
    NF_HIDDEN = 2u, /* hidden by CSS or the hidden attribute */
    NF_ANCHOR = 4u, /* an anchor collecting text (slot in the open list) */
    NF_BLOCK = 8u,  /* a line break before and after */
    NF_CELL = 16u,  /* a table cell: a space before and after */
};

typedef struct anchor_slot {
    unsigned depth;    /* stack index of its element */
    mail_link_t *link; /* owned by the links array */
    GString *text;
    bool space; /* whitespace pending inside the anchor text */
} anchor_slot_t;

/* Chains through the open elements: one per stop class and one per end
 * priority above the default (see the index functions). */
enum { CH_SCOPE = 0, CH_LIST, CH_DL, CH_ROW, CH_CELL, CH_PRIO, CH_COUNT = CH_PRIO + 7 };
static const int prio_levels[CH_COUNT - CH_PRIO] = {150, 160, 170, 180, 190, 200, 220};

typedef struct open_el {
    char name[HTML_MAX_NAME + 1];
    int id;               /* tag_id_t */
    unsigned flags;       /* NF_* */
    short prev_same;      /* the open element of this name below, or -1 */
    short prev[CH_COUNT]; /* the open element of each chain below it, or -1 */
} open_el_t;

/* Where the topmost open element of a name is (open addressing). */
#define NAME_SLOTS 512
typedef struct name_slot {
    char name[HTML_MAX_NAME + 1]; /* "" for a free slot */
    short top;                    /* -1 when none of that name is open */
} name_slot_t;

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
    open_el_t stack[HTML_MAX_DEPTH];
    unsigned depth;
    name_slot_t names[NAME_SLOTS];
    unsigned n_names;
    short top[CH_COUNT]; /* topmost open element of each chain, or -1 */
    bool body_seen;      /* <body>, or content that can only be in the body */
    GString *scratch;    /* entity-decoded text */
} walk_t;

/* One attribute as written: value not yet decoded. */
typedef struct tag_attr {
    const char *name;
    size_t nlen;
    const char *value; /* NULL when the attribute has no value */
    size_t vlen;
} tag_attr_t;

typedef struct tag {
    char name[HTML_MAX_NAME + 1]; /* lower case; "" when too long */
    int id;                       /* tag_id_t of name */
    tag_attr_t attrs[HTML_MAX_ATTRS];
    unsigned n_attrs;
    bool self_closing;
} tag_t;

/* Element classes: what the walk does with each element it knows. */
enum {
    TC_SKIP = 1u << 0,       /* not text at all: script/style/head/title/template */
    TC_BLOCK = 1u << 1,      /* a line break before and after */
    TC_CELL = 1u << 2,       /* a table cell: a space before and after */
    TC_VOID = 1u << 3,       /* no content, no end tag (HTML 4 EMPTY and HTML5 kin) */
    TC_PCLOSE = 1u << 4,     /* its start tag closes an open <p> */
    TC_HEAD_OK = 1u << 5,    /* may sit in <head>; anything else ends it */
    TC_SCOPE = 1u << 6,      /* an implied </p> does not look past it */
    TC_LIST_STOP = 1u << 7,  /* an implied </li> does not look past it */
    TC_DL_STOP = 1u << 8,    /* nor an implied </dt> or </dd> */
    TC_ROW_STOP = 1u << 9,   /* nor an implied </tr> */
    TC_CELL_STOP = 1u << 10, /* nor an implied </td> or </th> */
};

typedef enum tag_id {
    T_UNKNOWN = -1,
    T_A,
    T_ADDRESS,
    T_APPLET,
    T_AREA,
    T_ARTICLE,
    T_ASIDE,
    T_AUDIO,
    T_BASE,
    T_BASEFONT,
    T_BLOCKQUOTE,
    T_BODY,
    T_BR,
    T_BUTTON,
    T_CAPTION,
    T_CENTER,
    T_COL,
    T_DD,
    T_DETAILS,
    T_DIALOG,
    T_DIR,
    T_DIV,
    T_DL,
    T_DT,
    T_EMBED,
    T_FIELDSET,
    T_FIGCAPTION,
    T_FIGURE,
    T_FOOTER,
    T_FORM,
    T_FRAME,
    T_H1,
    T_H2,
    T_H3,
    T_H4,
    T_H5,
    T_H6,
    T_HEAD,
    T_HEADER,
    T_HR,
    T_HTML,
    T_IFRAME,
    T_IMG,
    T_INPUT,
    T_ISINDEX,
    T_KEYGEN,
    T_LI,
    T_LINK,
    T_MAIN,
    T_MARQUEE,
    T_MENU,
    T_META,
    T_NAV,
    T_NOSCRIPT,
    T_OBJECT,
    T_OL,
    T_OPTION,
    T_P,
    T_PARAM,
    T_PRE,
    T_SCRIPT,
    T_SECTION,
    T_SOURCE,
    T_STYLE,
    T_SUMMARY,
    T_TABLE,
    T_TBODY,
    T_TD,
    T_TEMPLATE,
    T_TFOOT,
    T_TH,
    T_THEAD,
    T_TITLE,
    T_TR,
    T_TRACK,
    T_UL,
    T_VIDEO,
    T_WBR,
    T_COUNT
} tag_id_t;

/* Sorted by name, in tag_id_t order. prio: how hard the element is to
 * close implicitly (libxml2's end priorities): an end tag does not close
 * through an element that ranks above it. */
static const struct tag_class {
    const char *name;
    unsigned cls;
    int prio;
} tag_classes[] = {
    {"a", 0, 100},
    {"address", TC_BLOCK | TC_PCLOSE, 100},
    {"applet", TC_SCOPE, 100},
    {"area", TC_VOID, 100},
    {"article", TC_BLOCK | TC_PCLOSE, 100},
    {"aside", TC_BLOCK | TC_PCLOSE, 100},
    {"audio", 0, 100},
    {"base", TC_VOID | TC_HEAD_OK, 100},
    {"basefont", TC_VOID, 100},
    {"blockquote", TC_BLOCK | TC_PCLOSE, 100},
    {"body", TC_BLOCK | TC_SCOPE | TC_LIST_STOP | TC_DL_STOP | TC_ROW_STOP | TC_CELL_STOP, 200},
    {"br", TC_BLOCK | TC_VOID, 100},
    {"button", TC_SCOPE, 100},
    {"caption", TC_BLOCK | TC_SCOPE, 100},
    {"center", TC_BLOCK | TC_PCLOSE, 100},
    {"col", TC_VOID, 100},
    {"dd", TC_BLOCK | TC_PCLOSE, 100},
    {"details", TC_BLOCK | TC_PCLOSE, 100},
    {"dialog", TC_BLOCK | TC_PCLOSE, 100},
    {"dir", TC_PCLOSE, 100},
    {"div", TC_BLOCK | TC_PCLOSE, 150},
    {"dl", TC_BLOCK | TC_PCLOSE | TC_DL_STOP, 100},
    {"dt", TC_BLOCK | TC_PCLOSE, 100},
    {"embed", TC_VOID, 100},
    {"fieldset", TC_BLOCK | TC_PCLOSE, 100},
    {"figcaption", TC_BLOCK | TC_PCLOSE, 100},
    {"figure", TC_BLOCK | TC_PCLOSE, 100},
    {"footer", TC_BLOCK | TC_PCLOSE, 100},
    {"form", TC_BLOCK | TC_PCLOSE, 100},
    {"frame", TC_VOID, 100},
    {"h1", TC_BLOCK | TC_PCLOSE, 100},
    {"h2", TC_BLOCK | TC_PCLOSE, 100},
    {"h3", TC_BLOCK | TC_PCLOSE, 100},
    {"h4", TC_BLOCK | TC_PCLOSE, 100},
    {"h5", TC_BLOCK | TC_PCLOSE, 100},
    {"h6", TC_BLOCK | TC_PCLOSE, 100},
    {"head", TC_SKIP, 200},
    {"header", TC_BLOCK | TC_PCLOSE, 100},
    {"hr", TC_BLOCK | TC_VOID | TC_PCLOSE, 100},
    {"html", TC_BLOCK | TC_SCOPE | TC_LIST_STOP | TC_DL_STOP | TC_ROW_STOP | TC_CELL_STOP, 220},
    {"iframe", 0, 100},
    {"img", TC_VOID, 100},
    {"input", TC_VOID, 100},
    {"isindex", TC_VOID, 100},
    {"keygen", TC_VOID, 100},
    {"li", TC_BLOCK | TC_PCLOSE, 100},
    {"link", TC_VOID | TC_HEAD_OK, 100},
    {"main", TC_BLOCK | TC_PCLOSE, 100},
    {"marquee", TC_SCOPE, 100},
    {"menu", TC_PCLOSE, 100},
    {"meta", TC_VOID | TC_HEAD_OK, 100},
    {"nav", TC_BLOCK | TC_PCLOSE, 100},
    {"noscript", TC_HEAD_OK, 100},
    {"object", TC_HEAD_OK | TC_SCOPE, 100},
    {"ol", TC_BLOCK | TC_PCLOSE | TC_LIST_STOP, 100},
    {"option", 0, 100},
    {"p", TC_BLOCK | TC_PCLOSE, 100},
    {"param", TC_VOID, 100},
    {"pre", TC_BLOCK | TC_PCLOSE, 100},
    {"script", TC_SKIP | TC_HEAD_OK, 100},
    {"section", TC_BLOCK | TC_PCLOSE, 100},
    {"source", TC_VOID, 100},
    {"style", TC_SKIP | TC_HEAD_OK, 100},
    {"summary", TC_BLOCK, 100},
    {"table",
     TC_BLOCK | TC_PCLOSE | TC_SCOPE | TC_LIST_STOP | TC_DL_STOP | TC_ROW_STOP | TC_CELL_STOP, 190},
    {"tbody", TC_BLOCK, 180},
    {"td", TC_CELL | TC_SCOPE, 160},
    {"template", TC_SKIP | TC_HEAD_OK | TC_SCOPE, 100},
    {"tfoot", TC_BLOCK, 180},
    {"th", TC_CELL | TC_SCOPE, 160},
    {"thead", TC_BLOCK, 180},
    {"title", TC_SKIP | TC_HEAD_OK, 100},
    {"tr", TC_BLOCK | TC_CELL_STOP, 170},
    {"track", TC_VOID, 100},
    {"ul", TC_BLOCK | TC_PCLOSE | TC_LIST_STOP, 100},
    {"video", 0, 100},
    {"wbr", TC_VOID, 100},
};
G_STATIC_ASSERT(G_N_ELEMENTS(tag_classes) == T_COUNT);

static int cmp_class(const void *key, const void *entry)
{
    return strcmp(key, ((const struct tag_class *)entry)->name);
}

static tag_id_t tag_lookup(const char *name)
{
    const struct tag_class *c =
        bsearch(name, tag_classes, T_COUNT, sizeof tag_classes[0], cmp_class);
    return c ? (tag_id_t)(c - tag_classes) : T_UNKNOWN;
}

static unsigned tag_cls(tag_id_t id)
{
    return id == T_UNKNOWN ? 0 : tag_classes[id].cls;
}

static int tag_prio(tag_id_t id)
{
    return id == T_UNKNOWN ? 100 : tag_classes[id].prio;
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
static void text_node(walk_t *w, const char *s, size_t n)
{
    if (w->skip_depth > 0)
        return;
    size_t i = 0;
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
            /* the charset layer passes invalid bytes of a "UTF-8" part through */
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

/* ---- attributes and entities ---------------------------------------- */

/* A numeric reference to no character (0, a surrogate, past U+10FFFF) is
 * dropped, as libxml2 does: lures splice such references between the
 * characters of a word to break keyword matching. */
static void put_utf8(GString *o, guint32 c)
{
    if (c == 0 || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return;
    g_string_append_unichar(o, (gunichar)c);
}

/* Append p[0..n) to o with entities decoded. */
static void decode_entities(const char *p, size_t n, GString *o)
{
    size_t i = 0;
    while (i < n) {
        const char *amp = memchr(p + i, '&', n - i);
        size_t j = amp ? (size_t)(amp - p) : n;
        g_string_append_len(o, p + i, (gssize)(j - i));
        if (j >= n)
            return;
        i = j + 1;
        if (i < n && p[i] == '#') {
            size_t k = i + 1;
            bool hex = k < n && (p[k] == 'x' || p[k] == 'X');
            if (hex)
                k++;
            guint32 c = 0;
            size_t digits = 0;
            for (; k < n && g_ascii_isxdigit(p[k]) && (hex || g_ascii_isdigit(p[k])); k++) {
                if (c <= 0x10FFFF)
                    c = c * (hex ? 16 : 10) + (guint32)g_ascii_xdigit_value(p[k]);
                digits++;
            }
            if (digits == 0) {
                g_string_append_c(o, '&');
                continue;
            }
            put_utf8(o, c);
            i = k < n && p[k] == ';' ? k + 1 : k;
            continue;
        }
        char name[33];
        size_t k = i, m = 0;
        while (k < n && m < sizeof name - 1 && g_ascii_isalnum(p[k]))
            name[m++] = p[k++];
        name[m] = '\0';
        const htmlEntityDesc *e = NULL;
        if (m > 0 && k < n && p[k] == ';')
            e = htmlEntityLookup((const xmlChar *)name);
        if (e == NULL) {
            g_string_append_c(o, '&');
            continue;
        }
        put_utf8(o, e->value);
        i = k + 1;
    }
}

static const tag_attr_t *find_attr(const tag_t *t, const char *name)
{
    size_t len = strlen(name);
    for (unsigned i = 0; i < t->n_attrs; i++)
        if (t->attrs[i].nlen == len && g_ascii_strncasecmp(t->attrs[i].name, name, len) == 0)
            return &t->attrs[i];
    return NULL;
}

/* The decoded value of attribute name (g_free), "" for a bare attribute,
 * NULL when absent. */
static char *attr(const tag_t *t, const char *name)
{
    const tag_attr_t *a = find_attr(t, name);
    if (a == NULL)
        return NULL;
    GString *o = g_string_sized_new(a->vlen + 1);
    if (a->value)
        decode_entities(a->value, a->vlen, o);
    return g_string_free(o, FALSE);
}

/* ---- links and counters -------------------------------------------- */

static mail_link_t *add_link(walk_t *w, const char *href, mail_link_kind_t kind)
{
    if (href == NULL)
        return NULL;
    slice_t s = slice_trim(slice_cstr(href));
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

static void add_attr_link(walk_t *w, const tag_t *t, const char *name, mail_link_kind_t kind)
{
    char *v = attr(t, name);
    add_link(w, v, kind);
    g_free(v);
}

static bool attr_is(const tag_t *t, const char *name, const char *want)
{
    char *v = attr(t, name);
    bool eq = v != NULL && slice_eq_ci(slice_trim(slice_cstr(v)), want);
    g_free(v);
    return eq;
}

/* <meta http-equiv=refresh content="5; url='https://...'">: the URL part,
 * read as browsers do (delay, ';' or ',', optional "url=", quotes). */
static void meta_refresh(walk_t *w, const tag_t *t)
{
    if (w->out->meta_refresh != NULL || !attr_is(t, "http-equiv", "refresh"))
        return;
    char *c = attr(t, "content");
    if (c == NULL)
        return;
    slice_t s = slice_trim(slice_cstr(c));
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
        add_link(w, w->out->meta_refresh, MAIL_LINK_OTHER);
    }
    g_free(c);
}

static void count_handlers(walk_t *w, const tag_t *t)
{
    for (unsigned i = 0; i < t->n_attrs; i++) {
        const tag_attr_t *a = &t->attrs[i];
        if (a->nlen > 2 && lower((unsigned char)a->name[0]) == 'o' &&
            lower((unsigned char)a->name[1]) == 'n')
            w->out->scripts++;
    }
}

/* Links and counters of one element; returns the anchor link, if any. */
static mail_link_t *element_links(walk_t *w, const tag_t *t)
{
    mail_link_t *anchor = NULL;
    switch (t->id) {
    case T_A:
    case T_AREA: {
        char *v = attr(t, "href");
        anchor = add_link(w, v, MAIL_LINK_ANCHOR);
        g_free(v);
        break;
    }
    case T_FORM:
        w->out->forms++;
        add_attr_link(w, t, "action", MAIL_LINK_FORM);
        break;
    case T_IMG:
        add_attr_link(w, t, "src", MAIL_LINK_IMAGE);
        break;
    case T_INPUT:
        if (attr_is(t, "type", "password"))
            w->out->password_inputs++;
        add_attr_link(w, t, "src", MAIL_LINK_OTHER);
        add_attr_link(w, t, "formaction", MAIL_LINK_OTHER);
        break;
    case T_BUTTON:
        add_attr_link(w, t, "formaction", MAIL_LINK_OTHER);
        break;
    case T_SCRIPT:
        w->out->scripts++;
        add_attr_link(w, t, "src", MAIL_LINK_OTHER);
        break;
    case T_META:
        meta_refresh(w, t);
        break;
    case T_LINK:
    case T_BASE:
        add_attr_link(w, t, "href", MAIL_LINK_OTHER);
        break;
    case T_IFRAME:
    case T_FRAME:
    case T_EMBED:
    case T_SOURCE:
    case T_AUDIO:
    case T_VIDEO:
    case T_TRACK:
        add_attr_link(w, t, "src", MAIL_LINK_OTHER);
        break;
    case T_OBJECT:
        add_attr_link(w, t, "data", MAIL_LINK_OTHER);
        break;
    case T_BODY:
    case T_TABLE:
    case T_TD:
    case T_TH:
    case T_TR:
        add_attr_link(w, t, "background", MAIL_LINK_OTHER);
        break;
    default:
        break;
    }
    if (t->n_attrs)
        count_handlers(w, t);
    return anchor;
}

/* ---- the element stack ---------------------------------------------- */

static unsigned element_flags(const tag_t *t)
{
    unsigned c = tag_cls(t->id), f = 0;
    if (c & TC_SKIP)
        f |= NF_SKIP;
    if (c & TC_BLOCK)
        f |= NF_BLOCK;
    else if (c & TC_CELL)
        f |= NF_CELL;
    if (t->n_attrs == 0)
        return f;
    if (find_attr(t, "hidden") != NULL) {
        f |= NF_HIDDEN;
    } else if (find_attr(t, "style") != NULL) {
        char *style = attr(t, "style");
        if (css_hidden(style))
            f |= NF_HIDDEN;
        g_free(style);
    }
    return f;
}

/* ---- the index of open elements -------------------------------------
 * Every question the walk asks of the stack (the nearest open <p> with no
 * table above it; whether a stronger element stands above the <b> an end
 * tag would close) is answered in constant time: each open element keeps
 * the previous open element of its name and of each chain it is on, and
 * the walk keeps the topmost of each. Scanning the stack instead costs its
 * depth (up to 256) per tag, which a hostile part of a few MB of stray end
 * tags turns into seconds. */

static unsigned name_hash(const char *name)
{
    unsigned h = 2166136261u; /* FNV-1a */
    for (; *name; name++)
        h = (h ^ (unsigned char)*name) * 16777619u;
    return h;
}

/* The slot of name; with add, a free slot is taken for it. NULL when the
 * name has none and add is false. */
static name_slot_t *name_slot(walk_t *w, const char *name, bool add)
{
    for (unsigned i = name_hash(name) % NAME_SLOTS;; i = (i + 1) % NAME_SLOTS) {
        name_slot_t *sl = &w->names[i];
        if (sl->name[0] == '\0') {
            if (!add)
                return NULL;
            memcpy(sl->name, name, sizeof sl->name);
            sl->top = -1;
            w->n_names++;
            return sl;
        }
        if (strcmp(sl->name, name) == 0)
            return sl;
    }
}

/* Names of closed elements stay in the table; when it fills up it is
 * rebuilt from the open ones (at most HTML_MAX_DEPTH names). */
static void names_rebuild(walk_t *w)
{
    memset(w->names, 0, sizeof w->names);
    w->n_names = 0;
    for (unsigned i = 0; i < w->depth; i++)
        name_slot(w, w->stack[i].name, true)->top = (short)i;
}

static bool on_chain(const open_el_t *e, int ch)
{
    if (ch >= CH_PRIO)
        return tag_prio(e->id) == prio_levels[ch - CH_PRIO];
    static const unsigned cls[CH_PRIO] = {TC_SCOPE, TC_LIST_STOP, TC_DL_STOP, TC_ROW_STOP,
                                          TC_CELL_STOP};
    return (tag_cls(e->id) & cls[ch]) != 0;
}

static void index_push(walk_t *w, unsigned i)
{
    open_el_t *e = &w->stack[i];
    if (w->n_names >= NAME_SLOTS * 3 / 4)
        names_rebuild(w);
    name_slot_t *sl = name_slot(w, e->name, true);
    e->prev_same = sl->top;
    sl->top = (short)i;
    for (int ch = 0; ch < CH_COUNT; ch++)
        if (on_chain(e, ch)) {
            e->prev[ch] = w->top[ch];
            w->top[ch] = (short)i;
        }
}

static void index_pop(walk_t *w, unsigned i)
{
    const open_el_t *e = &w->stack[i];
    name_slot_t *sl = name_slot(w, e->name, false);
    if (sl != NULL)
        sl->top = e->prev_same;
    for (int ch = 0; ch < CH_COUNT; ch++)
        if (on_chain(e, ch))
            w->top[ch] = e->prev[ch];
}

/* The topmost open element named name, or -1. */
static int top_of(walk_t *w, const char *name)
{
    const name_slot_t *sl = name_slot(w, name, false);
    return sl ? sl->top : -1;
}

static void leave_top(walk_t *w)
{
    index_pop(w, w->depth - 1);
    open_el_t *e = &w->stack[--w->depth];
    unsigned f = e->flags;
    if (f & NF_SKIP)
        w->skip_depth--;
    if (f & NF_HIDDEN)
        w->hidden_depth--;
    if (f & NF_BLOCK)
        pending(w, 2);
    else if (f & NF_CELL)
        pending(w, 1);
    if ((f & NF_ANCHOR) && w->n_anchors > 0 && w->anchors[w->n_anchors - 1].depth == w->depth) {
        anchor_slot_t *a = &w->anchors[--w->n_anchors];
        g_free(a->link->text);
        a->link->text = g_string_free(a->text, FALSE);
    }
}

/* Close open elements down to and including index i. */
static void close_to(walk_t *w, unsigned i)
{
    while (w->depth > i)
        leave_top(w);
}

#if !defined(NDEBUG) || defined(SG_CHECKS)
/* The index's answers, found by scanning the stack: debug and fuzzing
 * builds check every answer against these. */
#define CHECK_INDEX(cond) g_assert(cond)
static int scan_open(const walk_t *w, const char *name, unsigned stop)
{
    for (unsigned i = w->depth; i-- > 0;) {
        if (strcmp(w->stack[i].name, name) == 0)
            return (int)i;
        if (tag_cls(w->stack[i].id) & stop)
            return -1;
    }
    return -1;
}

static int scan_end(const walk_t *w, const char *name, int prio)
{
    for (unsigned i = w->depth; i-- > 0;) {
        if (strcmp(w->stack[i].name, name) == 0)
            return (int)i;
        if (tag_prio(w->stack[i].id) > prio)
            return -1;
    }
    return -1;
}
#else
#define CHECK_INDEX(cond) ((void)0)
#endif

/* The nearest open element id with no element of the stop classes above
 * it, or -1. */
static int find_open(walk_t *w, tag_id_t id, unsigned stop)
{
    int i = top_of(w, tag_classes[id].name);
    static const unsigned cls[CH_PRIO] = {TC_SCOPE, TC_LIST_STOP, TC_DL_STOP, TC_ROW_STOP,
                                          TC_CELL_STOP};
    for (int ch = 0; ch < CH_PRIO && i >= 0; ch++)
        if ((stop & cls[ch]) && w->top[ch] > i)
            i = -1;
    CHECK_INDEX(i == scan_open(w, tag_classes[id].name, stop));
    return i;
}

static void end_tag(walk_t *w, const char *name)
{
    tag_id_t id = tag_lookup(name);
    /* </br> is read as <br>, and a </p> without an open <p> as an empty
     * paragraph (HTML 13.2.6.4.7): both break the line */
    if (id == T_BR || (id == T_P && find_open(w, T_P, TC_SCOPE) < 0)) {
        pending(w, 2);
        return;
    }
    int i = top_of(w, name);
    /* not through an element that is harder to close */
    int prio = tag_prio(id);
    for (int ch = CH_PRIO; ch < CH_COUNT && i >= 0; ch++)
        if (prio_levels[ch - CH_PRIO] > prio && w->top[ch] > i)
            i = -1;
    CHECK_INDEX(i == scan_end(w, name, prio));
    if (i >= 0)
        close_to(w, (unsigned)i);
}

static int later(int a, int b)
{
    return a > b ? a : b;
}

/* What a start tag closes before it opens. */
static void auto_close(walk_t *w, tag_id_t id)
{
    int i = -1;
    if (id == T_A)
        i = find_open(w, T_A, 0);
    if (i < 0 && (tag_cls(id) & TC_PCLOSE))
        i = find_open(w, T_P, TC_SCOPE);
    if (i >= 0)
        close_to(w, (unsigned)i);
    i = -1;
    if (id == T_LI)
        i = find_open(w, T_LI, TC_LIST_STOP);
    else if (id == T_DT || id == T_DD)
        i = later(find_open(w, T_DT, TC_DL_STOP), find_open(w, T_DD, TC_DL_STOP));
    else if (id == T_TR)
        i = find_open(w, T_TR, TC_ROW_STOP);
    else if (id == T_TD || id == T_TH)
        i = later(find_open(w, T_TD, TC_CELL_STOP), find_open(w, T_TH, TC_CELL_STOP));
    else if (id == T_OPTION)
        i = find_open(w, T_OPTION, 0);
    if (i >= 0)
        close_to(w, (unsigned)i);
}

/* Content that cannot be in <head> ends it. */
static void leave_head(walk_t *w)
{
    if (!w->body_seen) {
        int i = find_open(w, T_HEAD, 0);
        if (i >= 0)
            close_to(w, (unsigned)i);
    }
    w->body_seen = true;
}

static void start_tag(walk_t *w, tag_t *t)
{
    if (t->name[0] == '\0') { /* a name longer than any element we act on */
        t->id = T_UNKNOWN;
        element_links(w, t);
        return;
    }
    tag_id_t id = t->id = tag_lookup(t->name);
    if (id == T_HEAD && (w->body_seen || find_open(w, T_HEAD, 0) >= 0))
        return; /* a misplaced <head> is ignored, as browsers do */
    if (id == T_BODY || (id != T_HTML && id != T_HEAD && !(tag_cls(id) & TC_HEAD_OK)))
        leave_head(w);
    auto_close(w, id);
    unsigned f = element_flags(t);
    if (f & NF_BLOCK)
        pending(w, 2);
    else if (f & NF_CELL)
        pending(w, 1);
    mail_link_t *anchor = element_links(w, t);
    if ((tag_cls(id) & TC_VOID) || t->self_closing) {
        if (f & NF_BLOCK) /* <br>, <hr> */
            pending(w, 2);
        else if (f & NF_CELL)
            pending(w, 1);
        return;
    }
    if (w->depth >= HTML_MAX_DEPTH) {
        w->out->incomplete = true;
        return;
    }
    open_el_t *e = &w->stack[w->depth];
    memcpy(e->name, t->name, sizeof e->name);
    e->id = (int)id;
    index_push(w, w->depth);
    if (anchor != NULL && w->n_anchors < HTML_MAX_OPEN_ANCHORS) {
        anchor_slot_t *a = &w->anchors[w->n_anchors++];
        a->depth = w->depth;
        a->link = anchor;
        a->text = g_string_new(NULL);
        a->space = false;
        f |= NF_ANCHOR;
    }
    if (f & NF_SKIP)
        w->skip_depth++;
    if (f & NF_HIDDEN)
        w->hidden_depth++;
    e->flags = f;
    w->depth++;
}

/* ---- the tokenizer -------------------------------------------------- */

static bool is_name_start(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_name_char(unsigned char c)
{
    return is_name_start(c) || (c >= '0' && c <= '9') || c == ':' || c == '_' || c == '.' ||
           c == '-';
}

/* Read a tag name at p[i..n) into out (lower case, "" if too long). */
static size_t read_name(const char *p, size_t n, size_t i, char out[HTML_MAX_NAME + 1])
{
    size_t k = 0, start = i;
    while (i < n && is_name_char((unsigned char)p[i])) {
        if (k < HTML_MAX_NAME)
            out[k++] = (char)lower((unsigned char)p[i]);
        i++;
    }
    out[k] = '\0';
    if (i - start > HTML_MAX_NAME)
        out[0] = '\0';
    return i;
}

/* Parse the start tag whose name starts at p[i]; returns the offset after
 * its '>', or n when the input ends inside the tag (an unclosed quote runs
 * to the end): the tag still counts, so a link in a cut-off tag is kept. */
static size_t read_start_tag(walk_t *w, const char *p, size_t n, size_t i, tag_t *t)
{
    i = read_name(p, n, i, t->name);
    t->n_attrs = 0;
    t->self_closing = false;
    while (i < n) {
        unsigned char c = (unsigned char)p[i];
        if (c == '>')
            return i + 1;
        if (is_space(c)) {
            i++;
            continue;
        }
        if (c == '/') {
            t->self_closing = i + 1 < n && p[i + 1] == '>';
            i++;
            continue;
        }
        size_t ns = i;
        while (i < n && !is_space((unsigned char)p[i]) && p[i] != '=' && p[i] != '>' &&
               !(p[i] == '/' && i > ns))
            i++;
        if (i == ns) /* a lone '=' */
            i++;
        size_t ne = i;
        const char *v = NULL;
        size_t vl = 0;
        size_t k = i;
        while (k < n && is_space((unsigned char)p[k]))
            k++;
        if (k < n && p[k] == '=') {
            k++;
            while (k < n && is_space((unsigned char)p[k]))
                k++;
            if (k < n && (p[k] == '"' || p[k] == '\'')) {
                const char *q = memchr(p + k + 1, p[k], n - k - 1);
                v = p + k + 1;
                vl = q ? (size_t)(q - v) : n - k - 1;
                k = q ? (size_t)(q - p) + 1 : n;
            } else {
                size_t vs = k;
                while (k < n && !is_space((unsigned char)p[k]) && p[k] != '>')
                    k++;
                v = p + vs;
                vl = k - vs;
            }
            i = k;
        }
        if (t->n_attrs < HTML_MAX_ATTRS) {
            t->attrs[t->n_attrs++] = (tag_attr_t){p + ns, ne - ns, v, vl};
        } else {
            w->out->incomplete = true;
        }
    }
    return n;
}

/* Raw text of <script>/<style>: up to "</name" (any case). */
static size_t skip_raw_text(const char *p, size_t n, size_t i, const char *name)
{
    size_t len = strlen(name);
    while (i < n) {
        const char *lt = memchr(p + i, '<', n - i);
        if (lt == NULL)
            return n;
        i = (size_t)(lt - p);
        if (i + 2 + len <= n && p[i + 1] == '/' && g_ascii_strncasecmp(p + i + 2, name, len) == 0 &&
            (i + 2 + len == n || !is_name_char((unsigned char)p[i + 2 + len])))
            return i;
        i++;
    }
    return n;
}

static void flush_text(walk_t *w, const char *p, size_t n)
{
    if (n == 0)
        return;
    if (w->depth > 0 && w->stack[w->depth - 1].id == T_HEAD) {
        /* text that is not white space ends the head */
        for (size_t i = 0; i < n; i++)
            if (!is_space((unsigned char)p[i])) {
                leave_head(w);
                break;
            }
    }
    if (memchr(p, '&', n) == NULL) {
        text_node(w, p, n);
        return;
    }
    g_string_truncate(w->scratch, 0);
    decode_entities(p, n, w->scratch);
    text_node(w, w->scratch->str, w->scratch->len);
}

/* Where the comment whose text starts at p[i] ends, as browsers read it
 * (HTML 13.2.5.43-52): "<!-->" and "<!--->" are whole comments, and
 * "--!>" closes one as "-->" does. Reading further than a browser would
 * hide the text it shows. memmem, not strstr: a NUL in the comment must
 * not hide its end. */
static size_t comment_end(const char *p, size_t n, size_t i)
{
    if (i < n && p[i] == '>')
        return i + 1;
    if (i + 1 < n && p[i] == '-' && p[i + 1] == '>')
        return i + 2;
    const char *a = memmem(p + i, n - i, "-->", 3);
    const char *b = memmem(p + i, (size_t)((a ? a : p + n) - (p + i)), "--!>", 4);
    if (b != NULL)
        return (size_t)(b - p) + 4;
    return a ? (size_t)(a - p) + 3 : n;
}

static void tokenize(walk_t *w, const char *p, size_t n, tag_t *t)
{
    size_t i = 0, text = 0; /* text: start of the pending text run */
    while (i < n) {
        const char *lt = memchr(p + i, '<', n - i);
        if (lt == NULL)
            break;
        size_t j = (size_t)(lt - p);
        unsigned char c = j + 1 < n ? (unsigned char)p[j + 1] : 0;
        if (is_name_start(c)) {
            flush_text(w, p + text, j - text);
            i = read_start_tag(w, p, n, j + 1, t);
            text = i;
            start_tag(w, t);
            if (!t->self_closing && (t->id == T_SCRIPT || t->id == T_STYLE)) {
                i = skip_raw_text(p, n, i, t->name);
                text = i;
            }
        } else if (c == '/' && j + 2 < n && is_name_start((unsigned char)p[j + 2])) {
            flush_text(w, p + text, j - text);
            char name[HTML_MAX_NAME + 1];
            size_t k = read_name(p, n, j + 2, name);
            const char *gt = memchr(p + k, '>', n - k);
            i = gt ? (size_t)(gt - p) + 1 : n;
            text = i;
            if (gt && *name)
                end_tag(w, name);
        } else if (c == '!' || c == '?' || c == '/') {
            flush_text(w, p + text, j - text);
            if (c == '!' && j + 3 < n && p[j + 2] == '-' && p[j + 3] == '-') {
                i = comment_end(p, n, j + 4);
            } else { /* doctype, CDATA, processing instruction, "</ >": to '>' */
                const char *gt = memchr(p + j + 1, '>', n - j - 1);
                i = gt ? (size_t)(gt - p) + 1 : n;
            }
            text = i;
        } else {
            i = j + 1; /* a '<' that opens nothing is text */
        }
    }
    if (text < n)
        flush_text(w, p + text, n - text);
}

int html_extract(const char *utf8, size_t len, size_t max_text, size_t max_links,
                 html_result_t *out)
{
    memset(out, 0, sizeof *out);
    out->links = g_ptr_array_new_with_free_func(mail_link_free);
    walk_t *w = g_new0(walk_t, 1);
    w->out = out;
    w->text = g_string_new(NULL);
    w->max_text = max_text;
    w->max_links = max_links;
    w->scratch = g_string_new(NULL);
    for (int ch = 0; ch < CH_COUNT; ch++)
        w->top[ch] = -1;
    if (len >= 3 && memcmp(utf8, "\xef\xbb\xbf", 3) == 0) {
        utf8 += 3;
        len -= 3;
    }
    if (utf8 != NULL && len > 0) {
        tag_t *t = g_new(tag_t, 1);
        tokenize(w, utf8, len, t);
        g_free(t);
        close_to(w, 0);
    }
    out->text = g_string_free(w->text, FALSE);
    g_string_free(w->scratch, TRUE);
    g_free(w);
    return 0;
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
