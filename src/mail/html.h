/*
 * html.h - what a reader sees in an HTML part, and where its links go.
 *
 * html_extract() parses HTML (UTF-8 in, as produced by the charset layer)
 * with libxml2's HTML parser, which copes with tag soup, and returns:
 *   - the visible text: text nodes outside <script>, <style>, <head>,
 *     <title>, <template>, comments and elements hidden with inline CSS
 *     (display:none, visibility:hidden, font-size:0) or the hidden
 *     attribute; block elements (p, div, br, li, tr, h1-6, ...) become line
 *     breaks; runs of white space collapse; entities decoded;
 *   - the links as mail_link_t: <a>/<area> href with their visible anchor
 *     text (MAIL_LINK_ANCHOR), <form action> (MAIL_LINK_FORM), <img src>
 *     (MAIL_LINK_IMAGE), other URL attributes (MAIL_LINK_OTHER);
 *   - counts of what the layers above weigh: forms, password inputs,
 *     scripts, hidden text bytes, meta refresh target.
 *
 * Memory: the html_result_t owns text and links; html_result_clear frees.
 * Limits: text stops at max_text bytes (at a UTF-8 boundary) and links at
 * max_links, with the *_truncated flags set; libxml2 nesting depth is
 * bounded by the parser (it stops at elements nested deeper than 256 unless
 * XML_PARSE_HUGE, which we never pass; what follows is lost and incomplete
 * is set, so the layers above can treat the evasion as a finding); network
 * access is disabled
 * (HTML_PARSE_NONET) and no external entity is ever loaded.
 * Errors: none surface; malformed HTML yields whatever libxml2 recovers.
 */
#ifndef SG_MAIL_HTML_H
#define SG_MAIL_HTML_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct html_result {
    char *text;             /* visible text, UTF-8, NUL-terminated */
    GPtrArray *links;       /* mail_link_t* (free with mail_link_free) */
    unsigned forms;         /* <form> elements */
    unsigned password_inputs; /* <input type=password> */
    unsigned scripts;       /* <script> elements and on* handlers */
    size_t hidden_text_bytes; /* text bytes inside hidden elements */
    char *meta_refresh;     /* URL of <meta http-equiv=refresh>, or NULL */
    bool text_truncated;
    bool links_truncated;
    bool incomplete;        /* libxml2 stopped early (nesting past 256):
                               text and links after that point are missing */
} html_result_t;

/* Parse len bytes of UTF-8 HTML. Returns 0 (always fills out, possibly
 * with empty text), or -1 if libxml2 could not allocate a parser. */
int html_extract(const char *utf8, size_t len, size_t max_text, size_t max_links,
                 html_result_t *out);
void html_result_clear(html_result_t *r);

#endif
