/*
 * html.h - what a reader sees in an HTML part, and where its links go.
 *
 * html_extract() reads HTML (UTF-8 in, as produced by the charset layer)
 * the way browsers read tag soup (own tokenizer and element stack, see
 * html.c) and returns:
 *   - the visible text: text outside <script>, <style>, <head>, <title>,
 *     <template>, comments and elements hidden with inline CSS
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
 * max_links, with the *_truncated flags set; elements nested deeper than
 * 256 and attributes past 256 in one tag are not tracked (their text is
 * still read) and set incomplete, so the layers above can treat the
 * evasion as a finding. Nothing is fetched or resolved.
 * Errors: none surface; malformed HTML yields what a browser would show,
 * as closely as the rules above allow.
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
    bool incomplete;        /* nesting or attributes past the limits: some
                               elements' hiding and anchors were not tracked */
} html_result_t;

/* Read len bytes of UTF-8 HTML. Returns 0 (always fills out, possibly
 * with empty text). */
int html_extract(const char *utf8, size_t len, size_t max_text, size_t max_links,
                 html_result_t *out);
void html_result_clear(html_result_t *r);

#endif
