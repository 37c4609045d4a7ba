/*
 * message.c - parse one message into the model of message.h.
 *
 * mime.c cuts the message into header blocks and body parts without
 * copying; this file walks that structure with our own limits (depth,
 * parts, text, links, attachments), decodes field values, addresses,
 * dates, Content-Type/-Disposition parameters and transfer encodings with
 * GMime's functions (no GMime object tree: building and freeing it cost a
 * third of the analysis), converts every text part through charset.c,
 * hands HTML to html.c and plain text to urls.c, describes attachments
 * (sniff.c, SHA-256), and records structural anomalies (invalid header
 * lines, unclosed or delimiter-less multiparts, truncation, repeated
 * fields) plus GMime's warnings about what it decodes.
 *
 * Structure, read as GMime 3.2 and mail clients read it (see mime.h), with
 * two deliberate differences: a multipart whose body holds no delimiter
 * line (or that has no boundary) is read as the text a client falls back
 * to, so nothing hidden behind it is lost; and a part whose first line is
 * neither a field nor empty keeps that line as body text.
 *
 * multipart/alternative: only the alternative a mail client shows (the
 * last HTML one, else the last one) contributes visible text, but links
 * are taken from every alternative: a lure may hide its real link in the
 * part the reader never sees.
 */
#include "mail/message.h"

#include <gmime/gmime.h>
#include <magic.h>
#include <stdarg.h>
#include <string.h>

#include "mail/attach.h"
#include "mail/charset.h"
#include "mail/html.h"
#include "mail/link.h"
#include "mail/mime.h"
#include "mail/received.h"
#include "mail/rfc2047.h"
#include "mail/sniff.h"
#include "mail/urls.h"
#include "util/hash.h"

/* Records kept per anomaly kind: enough evidence, bounded memory. */
#define ANOMALY_RECORDS_PER_KIND 5

static GOnce init_once = G_ONCE_INIT;
static __thread magic_t magic_cookie;
static __thread bool magic_tried;

static gpointer do_init(gpointer unused)
{
    g_mime_init();
    return GINT_TO_POINTER(1);
}

int mail_init(void)
{
    g_once(&init_once, do_init, NULL);
    if (!magic_tried) {
        magic_tried = true;
        magic_cookie = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR);
        if (magic_cookie && magic_load(magic_cookie, NULL) != 0) {
            magic_close(magic_cookie);
            magic_cookie = NULL;
        }
    }
    return magic_cookie ? 0 : -1;
}

void mail_shutdown(void)
{
    if (magic_cookie)
        magic_close(magic_cookie);
    magic_cookie = NULL;
    magic_tried = false;
}

/* ---- model helpers ---- */

static void header_free(gpointer p)
{
    mail_header_t *h = p;
    g_free(h->name);
    g_free(h->raw);
    g_free(h->value);
    g_free(h);
}

static void addr_free(gpointer p)
{
    mail_addr_t *a = p;
    g_free(a->display_name);
    g_free(a->address);
    g_free(a);
}

static void part_free(gpointer p)
{
    mail_textpart_t *t = p;
    g_free(t->content_type);
    g_free(t->charset_declared);
    g_free(t->charset_used);
    g_free(t);
}

static void attachment_free(gpointer p)
{
    mail_attachment_t *a = p;
    g_free(a->filename);
    g_free(a->declared_type);
    g_free(a->sniffed_type);
    if (a->members)
        g_ptr_array_unref(a->members);
    g_free(a);
}

static void anomaly_free(gpointer p)
{
    mail_anomaly_rec_t *r = p;
    g_free(r->detail);
    g_free(r);
}

void mail_msg_anomaly(mail_msg_t *m, mail_anomaly_t kind, const char *fmt, ...)
{
    unsigned same = 0;
    va_list ap;
    va_start(ap, fmt);
    char *detail = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    if (!g_utf8_validate(detail, -1, NULL)) {
        char *v = g_utf8_make_valid(detail, -1);
        g_free(detail);
        detail = v;
    }
    for (guint i = 0; i < m->anomalies->len; i++) {
        mail_anomaly_rec_t *r = m->anomalies->pdata[i];
        if (r->kind == kind && (++same >= ANOMALY_RECORDS_PER_KIND || !strcmp(r->detail, detail))) {
            g_free(detail);
            return;
        }
    }
    mail_anomaly_rec_t *r = g_new0(mail_anomaly_rec_t, 1);
    r->kind = kind;
    r->detail = detail;
    g_ptr_array_add(m->anomalies, r);
    m->anomaly_bits |= 1u << kind;
}

const mail_header_t *mail_msg_header(const mail_msg_t *m, const char *name)
{
    for (guint i = 0; i < m->headers->len; i++) {
        const mail_header_t *h = m->headers->pdata[i];
        if (g_ascii_strcasecmp(h->name, name) == 0)
            return h;
    }
    return NULL;
}

unsigned mail_msg_header_count(const mail_msg_t *m, const char *name)
{
    unsigned n = 0;
    for (guint i = 0; i < m->headers->len; i++)
        n += g_ascii_strcasecmp(((mail_header_t *)m->headers->pdata[i])->name, name) == 0;
    return n;
}

static mail_msg_t *msg_new(void)
{
    mail_msg_t *m = g_new0(mail_msg_t, 1);
    m->headers = g_ptr_array_new_with_free_func(header_free);
    m->from = g_ptr_array_new_with_free_func(addr_free);
    m->reply_to = g_ptr_array_new_with_free_func(addr_free);
    m->sender = g_ptr_array_new_with_free_func(addr_free);
    m->dkim_domains = g_ptr_array_new_with_free_func(g_free);
    m->hops = g_ptr_array_new_with_free_func(received_hop_free);
    m->parts = g_ptr_array_new_with_free_func(part_free);
    m->links = g_ptr_array_new_with_free_func(mail_link_free);
    m->attachments = g_ptr_array_new_with_free_func(attachment_free);
    m->anomalies = g_ptr_array_new_with_free_func(anomaly_free);
    m->date = G_MININT64;
    return m;
}

void mail_msg_free(mail_msg_t *m)
{
    if (m == NULL)
        return;
    g_free(m->raw_header);
    g_ptr_array_unref(m->headers);
    g_free(m->subject);
    g_free(m->message_id);
    g_free(m->date_raw);
    g_ptr_array_unref(m->from);
    g_ptr_array_unref(m->reply_to);
    g_ptr_array_unref(m->sender);
    g_free(m->return_path);
    g_ptr_array_unref(m->dkim_domains);
    g_ptr_array_unref(m->hops);
    g_ptr_array_unref(m->parts);
    g_free(m->text);
    g_ptr_array_unref(m->links);
    g_ptr_array_unref(m->attachments);
    g_ptr_array_unref(m->anomalies);
    g_free(m);
}

/* ---- parse state ---- */

typedef struct parse {
    mail_msg_t *m;
    GMimeParserOptions *opts;
    GString *text;
    unsigned parts;
    const char *base; /* the message's first byte, for offsets in evidence */
    const char *end;  /* one past its last byte */
} parse_t;

/* Warnings of the GMime functions called here (the structure is read by
 * mime.c): broken encoded words and Content-Type values it cannot parse. */
static void on_gmime_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
                             gpointer user)
{
    mail_msg_t *m = user;
    const char *what = item ? item : "";
    (void)offset;
    if (code == GMIME_WARN_INVALID_RFC2047_HEADER_VALUE)
        mail_msg_anomaly(m, MAIL_ANOM_BAD_ENCODED_WORD, "%.200s", what);
    else if (code == GMIME_WARN_INVALID_CONTENT_TYPE)
        mail_msg_anomaly(m, MAIL_ANOM_BAD_BOUNDARY, "invalid Content-Type: %.100s", what);
}

/* Unfold a raw header value (RFC 5322 2.2.3: remove CRLF before WSP) and
 * trim it; bounded by MAIL_MAX_HEADER_BYTES. */
static char *unfold_n(mail_msg_t *m, const char *name, const char *raw, size_t n)
{
    if (n > MAIL_MAX_HEADER_BYTES) {
        mail_msg_anomaly(m, MAIL_ANOM_HEADER_LONG, "%s: %zu bytes", name, n);
        n = MAIL_MAX_HEADER_BYTES;
    }
    const char *nul = memchr(raw, '\0', n);
    const char *p = raw, *end = nul ? nul : raw + n;
    char *s = g_malloc((size_t)(end - raw) + 1);
    size_t o = 0;
    /* copy the lines between line breaks; a CR anywhere goes too */
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        const char *cr;
        while ((cr = memchr(p, '\r', (size_t)(stop - p))) != NULL) {
            memcpy(s + o, p, (size_t)(cr - p));
            o += (size_t)(cr - p);
            p = cr + 1;
        }
        memcpy(s + o, p, (size_t)(stop - p));
        o += (size_t)(stop - p);
        p = nl ? nl + 1 : end;
    }
    s[o] = '\0';
    return g_strstrip(s);
}

static char *unfold(mail_msg_t *m, const char *name, const char *raw)
{
    return unfold_n(m, name, raw ? raw : "", raw ? strlen(raw) : 0);
}

static bool has_raw_8bit(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return true;
    return false;
}

static void add_addresses(GPtrArray *out, InternetAddressList *list, int depth)
{
    int n = list ? internet_address_list_length(list) : 0;
    for (int i = 0; i < n && out->len < 100; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            if (depth < 2)
                add_addresses(out, internet_address_group_get_members(INTERNET_ADDRESS_GROUP(ia)),
                              depth + 1);
            continue;
        }
        if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
            continue;
        mail_addr_t *a = g_new0(mail_addr_t, 1);
        const char *name = internet_address_get_name(ia);
        const char *addr = internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
        a->display_name = g_utf8_make_valid(name ? name : "", -1);
        a->address = g_utf8_make_valid(addr ? addr : "", -1);
        g_ptr_array_add(out, a);
    }
}

/* d= of a DKIM-Signature tag list (RFC 6376 3.2), lower case, no FWS. */
static char *dkim_domain(const char *v)
{
    gchar **tags = g_strsplit(v, ";", 64);
    char *d = NULL;
    for (gchar **t = tags; *t && d == NULL; t++) {
        char *tag = g_strstrip(*t);
        if ((tag[0] == 'd' || tag[0] == 'D') && tag[1] != '\0') {
            const char *q = tag + 1;
            while (*q == ' ' || *q == '\t')
                q++;
            if (*q == '=') {
                GString *s = g_string_new(NULL);
                for (q++; *q; q++)
                    if (*q != ' ' && *q != '\t')
                        g_string_append_c(s, g_ascii_tolower(*q));
                d = g_string_free(s, FALSE);
            }
        }
    }
    g_strfreev(tags);
    return d;
}

static char *angle_addr(const char *v)
{
    const char *lt = strchr(v, '<');
    const char *gt = lt ? strchr(lt, '>') : NULL;
    if (lt && gt)
        return g_strndup(lt + 1, (gsize)(gt - lt - 1));
    return g_strstrip(g_strdup(v));
}

/* Fields RFC 5322 3.6 allows once per message (GMime's list, plus From,
 * which MULTIPLE_FROM reports as well). */
static const char *const single_fields[] = {"Bcc",         "Cc",         "Date",       "From",
                                            "In-Reply-To", "Message-ID", "References", "Reply-To",
                                            "Sender",      "Subject",    "To"};

static bool single_field(const mime_field_t *f)
{
    for (size_t i = 0; i < G_N_ELEMENTS(single_fields); i++)
        if (strlen(single_fields[i]) == f->name_len &&
            g_ascii_strncasecmp(f->name, single_fields[i], f->name_len) == 0)
            return true;
    return false;
}

/* A repeated field in one header block: for a message (ours or an
 * attached one), the fields it may carry once and the Content-* fields of
 * its body; for a body part, any field. */
static bool repeat_checked(const mime_field_t *f, bool message)
{
    return !message || (f->name_len >= 8 && g_ascii_strncasecmp(f->name, "Content-", 8) == 0) ||
           single_field(f);
}

static void check_repeats(mail_msg_t *m, const mime_block_t *blk, bool message)
{
    guint n = blk->fields->len;
    if (n <= 64) { /* the usual block: pairwise is cheapest */
        for (guint i = 1; i < n; i++) {
            const mime_field_t *f = &g_array_index(blk->fields, mime_field_t, i);
            if (!repeat_checked(f, message))
                continue;
            for (guint j = 0; j < i; j++) {
                const mime_field_t *e = &g_array_index(blk->fields, mime_field_t, j);
                if (e->name_len == f->name_len &&
                    g_ascii_strncasecmp(e->name, f->name, f->name_len) == 0) {
                    mail_msg_anomaly(m, MAIL_ANOM_DUPLICATE_HEADER, "%.*s", (int)f->name_len,
                                     f->name);
                    break;
                }
            }
        }
        return;
    }
    /* up to MAIL_MAX_HEADERS fields: one pass over the names seen */
    GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < n; i++) {
        const mime_field_t *f = &g_array_index(blk->fields, mime_field_t, i);
        char *name = g_ascii_strdown(f->name, (gssize)f->name_len);
        if (!g_hash_table_add(seen, name) && repeat_checked(f, message))
            mail_msg_anomaly(m, MAIL_ANOM_DUPLICATE_HEADER, "%.*s", (int)f->name_len, f->name);
    }
    g_hash_table_destroy(seen);
}

static void invalid_lines(mail_msg_t *m, const mime_block_t *blk, const char *base, const char *d)
{
    if (blk->invalid)
        mail_msg_anomaly(m, MAIL_ANOM_BAD_BOUNDARY, "invalid header name at byte %zu",
                         (size_t)(d - base) + blk->first_invalid);
}

/* Decode a field value the way GMime decodes unstructured text (RFC 2047,
 * raw 8-bit through the fallback charsets), unfolded and trimmed. */
static char *decode_value(parse_t *ps, const char *name, const char *raw)
{
    char *unf = g_mime_utils_header_unfold(raw);
    char *dec = g_mime_utils_header_decode_text(ps->opts, unf);
    char *v = unfold(ps->m, name, dec);
    char *valid = g_utf8_make_valid(v, -1);
    g_free(unf);
    g_free(dec);
    g_free(v);
    return valid;
}

/* Message-ID and Date: the last of each counts, as in GMime; date_raw
 * keeps the first Date as written. */
static void read_id_and_date(mail_msg_t *m)
{
    const mail_header_t *mh = NULL, *dh = NULL;
    for (guint i = 0; i < m->headers->len; i++) {
        const mail_header_t *h = m->headers->pdata[i];
        if (g_ascii_strcasecmp(h->name, "Message-ID") == 0)
            mh = h;
        else if (g_ascii_strcasecmp(h->name, "Date") == 0)
            dh = h;
    }
    char *mid = mh ? g_mime_utils_decode_message_id(mh->value) : NULL;
    if (mid && *mid)
        m->message_id = g_utf8_make_valid(mid, -1);
    else
        mail_msg_anomaly(m, MAIL_ANOM_NO_MESSAGE_ID, "no Message-ID field");
    g_free(mid);
    GDateTime *dt = dh ? g_mime_utils_header_decode_date(dh->value) : NULL;
    const mail_header_t *first_date = mail_msg_header(m, "Date");
    if (first_date)
        m->date_raw = g_strdup(first_date->raw);
    if (dt) {
        m->date = g_date_time_to_unix(dt);
        g_date_time_unref(dt);
    } else {
        mail_msg_anomaly(m, MAIL_ANOM_NO_DATE, first_date ? "Date: %.100s" : "no Date field",
                         first_date ? first_date->raw : "");
    }
}

static void read_headers(parse_t *ps, const mime_block_t *blk)
{
    mail_msg_t *m = ps->m;
    unsigned nfrom = 0;
    if (blk->total_fields > MAIL_MAX_HEADERS)
        mail_msg_anomaly(m, MAIL_ANOM_HEADERS, "%zu header fields", blk->total_fields);
    for (guint i = 0; i < blk->fields->len; i++) {
        const mime_field_t *f = &g_array_index(blk->fields, mime_field_t, i);
        mail_header_t *h = g_new0(mail_header_t, 1);
        char *name = g_strndup(f->name, f->name_len);
        h->name = g_utf8_make_valid(name, -1);
        g_free(name);
        h->raw = unfold_n(m, h->name, f->value, f->value_len);
        /* words split inside a character are joined before decoding */
        char *merged = rfc2047_merge(h->raw, strlen(h->raw));
        const char *src = merged ? merged : h->raw;
        bool eight = has_raw_8bit(h->raw);
        if (merged) {
            char *dec = g_mime_utils_header_decode_text(ps->opts, merged);
            h->value = g_utf8_make_valid(dec ? dec : "", -1);
            g_free(dec);
        } else if (!eight && strstr(h->raw, "=?") == NULL) {
            /* ASCII without encoded words: decoding it is unfolding it */
            h->value = g_strdup(h->raw);
        } else {
            char *raw = g_strndup(f->value, MIN(f->value_len, MAIL_MAX_HEADER_BYTES));
            h->value = decode_value(ps, h->name, raw);
            g_free(raw);
        }
        if (eight && !g_utf8_validate(h->raw, -1, NULL))
            mail_msg_anomaly(m, MAIL_ANOM_8BIT_HEADER, "%s", h->name);
        g_ptr_array_add(m->headers, h);

        if (g_ascii_strcasecmp(h->name, "From") == 0) {
            InternetAddressList *al = internet_address_list_parse(ps->opts, src);
            guint before = m->from->len;
            add_addresses(m->from, al, 0);
            if (m->from->len == before)
                mail_msg_anomaly(m, MAIL_ANOM_BAD_FROM, "From: %.200s", h->value);
            if (al)
                g_object_unref(al);
            nfrom++;
        } else if (g_ascii_strcasecmp(h->name, "Reply-To") == 0 ||
                   g_ascii_strcasecmp(h->name, "Sender") == 0) {
            InternetAddressList *al = internet_address_list_parse(ps->opts, src);
            add_addresses(h->name[0] == 'R' || h->name[0] == 'r' ? m->reply_to : m->sender, al, 0);
            if (al)
                g_object_unref(al);
        } else if (g_ascii_strcasecmp(h->name, "Return-Path") == 0 && m->return_path == NULL) {
            m->return_path = angle_addr(h->raw);
        } else if (g_ascii_strcasecmp(h->name, "DKIM-Signature") == 0) {
            char *d = dkim_domain(h->raw);
            if (d && *d && m->dkim_domains->len < 32)
                g_ptr_array_add(m->dkim_domains, d);
            else
                g_free(d);
        } else if (g_ascii_strcasecmp(h->name, "Received") == 0) {
            if (m->hops->len < MAIL_MAX_HOPS)
                g_ptr_array_add(m->hops, received_parse(h->raw, strlen(h->raw)));
            else
                mail_msg_anomaly(m, MAIL_ANOM_HOP_LIMIT, "more than %d Received fields",
                                 MAIL_MAX_HOPS);
        } else if (g_ascii_strcasecmp(h->name, "Subject") == 0 && m->subject == NULL) {
            m->subject = g_strdup(h->value);
        }
        g_free(merged);
    }
    if (nfrom == 0 && m->from->len == 0)
        mail_msg_anomaly(m, MAIL_ANOM_NO_FROM, "no From field");
    if (nfrom > 1 || m->from->len > 1)
        mail_msg_anomaly(m, MAIL_ANOM_MULTIPLE_FROM, "%u From fields, %u addresses", nfrom,
                         m->from->len);
    check_repeats(m, blk, true);

    read_id_and_date(m);
}

/* ---- body ---- */

static void append_text(parse_t *ps, const char *s, size_t n)
{
    if (n == 0)
        return;
    size_t room = MAIL_MAX_TEXT_BYTES - ps->text->len;
    if (n > room) {
        /* cut at a UTF-8 character boundary */
        while (room > 0 && ((unsigned char)s[room] & 0xc0) == 0x80)
            room--;
        g_string_append_len(ps->text, s, (gssize)room);
        mail_msg_anomaly(ps->m, MAIL_ANOM_TEXT_LIMIT, "text cut at %u bytes", MAIL_MAX_TEXT_BYTES);
        return;
    }
    if (ps->text->len && ps->text->str[ps->text->len - 1] != '\n')
        g_string_append_c(ps->text, '\n');
    g_string_append_len(ps->text, s, (gssize)n);
}

/* One MIME entity: its header block, its body, and what the walk needs
 * from its Content-Type and Content-Disposition. */
typedef struct entity {
    const char *d; /* the entity's bytes: header block, then body */
    size_t n;
    mime_block_t blk;
    GMimeContentType *ct;        /* NULL when there is no Content-Type field */
    GMimeContentDisposition *cd; /* NULL when there is no Content-Disposition field */
    const char *type, *subtype;  /* effective type (RFC 2045 5.2 defaults without ct) */
} entity_t;

static char *field_text(parse_t *ps, const mime_field_t *f)
{
    char *name = g_strndup(f->name, f->name_len);
    char *v = unfold_n(ps->m, name, f->value, f->value_len);
    g_free(name);
    return v;
}

/* Read what the walk needs from e->blk (already filled). */
static void entity_init(parse_t *ps, entity_t *e, const char *d, size_t n, bool in_digest,
                        bool message)
{
    e->d = d;
    e->n = n;
    const mime_field_t *f = mime_block_find(&e->blk, "Content-Type");
    if (f) {
        char *v = field_text(ps, f);
        e->ct = g_mime_content_type_parse(ps->opts, v);
        g_free(v);
    }
    if ((f = mime_block_find(&e->blk, "Content-Disposition")) != NULL) {
        char *v = field_text(ps, f);
        e->cd = g_mime_content_disposition_parse(ps->opts, v);
        g_free(v);
    }
    if (e->ct) {
        e->type = g_mime_content_type_get_media_type(e->ct);
        e->subtype = g_mime_content_type_get_media_subtype(e->ct);
    }
    if (e->type == NULL || e->subtype == NULL) {
        e->type = in_digest ? "message" : "text";
        e->subtype = in_digest ? "rfc822" : "plain";
    }
    if (e->d == ps->base)
        return; /* the message's own fields: read_headers */
    check_repeats(ps->m, &e->blk, message);
}

/* A body part: read its header block, then as entity_init. */
static void entity_open(parse_t *ps, entity_t *e, const char *base, const char *d, size_t n,
                        bool in_digest, bool message)
{
    memset(e, 0, sizeof(*e));
    mime_block_read(d, n, MIME_PART, MAIL_MAX_HEADERS, &e->blk);
    if (e->blk.no_headers)
        mail_msg_anomaly(ps->m, MAIL_ANOM_BAD_BOUNDARY, "part without a header block at byte %zu",
                         (size_t)(d - base));
    else if (e->blk.unterminated && n > 0 && d + n == ps->end)
        /* at a delimiter, the line break before it ends the block */
        mail_msg_anomaly(ps->m, MAIL_ANOM_BAD_BOUNDARY, "message truncated at byte %zu",
                         (size_t)(d - base) + n);
    invalid_lines(ps->m, &e->blk, base, d);
    entity_init(ps, e, d, n, in_digest, message);
}

static void entity_clear(entity_t *e)
{
    mime_block_clear(&e->blk);
    if (e->ct)
        g_object_unref(e->ct);
    if (e->cd)
        g_object_unref(e->cd);
}

static bool is_type(const entity_t *e, const char *type, const char *subtype)
{
    return g_ascii_strcasecmp(e->type, type) == 0 &&
           (subtype == NULL || g_ascii_strcasecmp(e->subtype, subtype) == 0);
}

static const char *param(const entity_t *e, const char *name)
{
    return e->ct ? g_mime_content_type_get_parameter(e->ct, name) : NULL;
}

static const char *filename(const entity_t *e)
{
    const char *fn = e->cd ? g_mime_content_disposition_get_parameter(e->cd, "filename") : NULL;
    return fn ? fn : param(e, "name");
}

static GMimeContentEncoding transfer_encoding(parse_t *ps, const entity_t *e)
{
    const mime_field_t *f = mime_block_find(&e->blk, "Content-Transfer-Encoding");
    if (f == NULL)
        return GMIME_CONTENT_ENCODING_DEFAULT;
    char *v = field_text(ps, f);
    GMimeContentEncoding enc = g_mime_content_encoding_from_string(v);
    if (enc == GMIME_CONTENT_ENCODING_DEFAULT && *v)
        mail_msg_anomaly(ps->m, MAIL_ANOM_BAD_TRANSFER_ENC, "Content-Transfer-Encoding: %.60s", v);
    g_free(v);
    return enc;
}

/* The decoded body of a leaf: points into the message for identity
 * encodings, else into own. */
typedef struct body {
    const char *p;
    size_t n;
    char *own;
} body_t;

static void decode_body(parse_t *ps, const entity_t *e, GMimeContentEncoding enc, body_t *out)
{
    const char *in = e->d + e->blk.body;
    size_t n = e->n - e->blk.body;
    memset(out, 0, sizeof(*out));
    if (enc == GMIME_CONTENT_ENCODING_UUENCODE) {
        /* the data starts after the "begin MODE NAME" line */
        size_t p = 0;
        while (p < n && !(n - p >= 6 && memcmp(in + p, "begin ", 6) == 0)) {
            const char *nl = memchr(in + p, '\n', n - p);
            p = nl ? (size_t)(nl - in) + 1 : n;
        }
        const char *nl = p < n ? memchr(in + p, '\n', n - p) : NULL;
        p = nl ? (size_t)(nl - in) + 1 : n;
        in += p;
        n -= p;
    }
    if (enc == GMIME_CONTENT_ENCODING_BASE64 || enc == GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE ||
        enc == GMIME_CONTENT_ENCODING_UUENCODE) {
        GMimeEncoding st;
        g_mime_encoding_init_decode(&st, enc);
        if (enc == GMIME_CONTENT_ENCODING_UUENCODE)
            st.state = GMIME_UUDECODE_STATE_BEGIN;
        out->own = g_malloc(g_mime_encoding_outlen(&st, n) + 1);
        out->n = g_mime_encoding_flush(&st, in, n, out->own);
        out->p = out->own;
    } else {
        out->p = in;
        out->n = n;
    }
    if (out->n > MAIL_MAX_PART_BYTES) {
        mail_msg_anomaly(ps->m, MAIL_ANOM_PART_LIMIT, "part of %zu bytes", out->n);
        out->n = MAIL_MAX_PART_BYTES;
    }
}

static size_t links_room(parse_t *ps)
{
    return ps->m->links->len < MAIL_MAX_URLS ? MAIL_MAX_URLS - ps->m->links->len : 0;
}

static void take_html(parse_t *ps, const char *u, size_t n, bool show)
{
    html_result_t hr;
    if (html_extract(u, n, MAIL_MAX_TEXT_BYTES, links_room(ps), &hr) != 0)
        return;
    if (show && hr.text)
        append_text(ps, hr.text, strlen(hr.text));
    for (guint i = 0; i < hr.links->len; i++) {
        g_ptr_array_add(ps->m->links, hr.links->pdata[i]);
        hr.links->pdata[i] = NULL;
    }
    if (hr.links_truncated)
        mail_msg_anomaly(ps->m, MAIL_ANOM_URL_LIMIT, "more than %d links", MAIL_MAX_URLS);
    if (hr.incomplete)
        mail_msg_anomaly(ps->m, MAIL_ANOM_HTML_INCOMPLETE,
                         "HTML nested or padded past the parser's limits");
    ps->m->html_forms += hr.forms;
    ps->m->html_password_inputs += hr.password_inputs;
    html_result_clear(&hr);
}

static void take_text_part(parse_t *ps, const entity_t *e, const body_t *body, bool is_html,
                           bool show)
{
    const char *declared = param(e, "charset");
    mail_textpart_t *tp = g_new0(mail_textpart_t, 1);
    tp->content_type = g_strdup(is_html ? "text/html" : "text/plain");
    tp->charset_declared = g_utf8_make_valid(declared ? declared : "", -1);
    charset_result_t cr;
    const char *bytes = body->n ? body->p : "";
    size_t len = body->n;
    char *clean = NULL;
    if (len && memchr(bytes, '\0', len)) {
        clean = g_memdup2(bytes, len);
        for (size_t i = 0; i < len; i++)
            if (clean[i] == '\0')
                clean[i] = ' ';
        bytes = clean;
        mail_msg_anomaly(ps->m, MAIL_ANOM_NUL_BYTES, "NUL bytes in a %s part", tp->content_type);
    }
    charset_to_utf8(bytes, len, declared, &cr);
    tp->charset_used = g_strdup(cr.used);
    tp->charset_detected = cr.detected;
    tp->raw_size = len;
    g_ptr_array_add(ps->m->parts, tp);
    if (cr.anomaly >= 0)
        mail_msg_anomaly(ps->m, (mail_anomaly_t)cr.anomaly,
                         "%s part labelled \"%.40s\", read as %s", tp->content_type,
                         tp->charset_declared, cr.used);
    if (is_html) {
        take_html(ps, cr.utf8, cr.len, show);
    } else {
        if (show)
            append_text(ps, cr.utf8, cr.len);
        size_t seen = urls_find(cr.utf8, cr.len, ps->m->links, MAIL_MAX_URLS);
        if (ps->m->links->len >= MAIL_MAX_URLS && seen > 0)
            mail_msg_anomaly(ps->m, MAIL_ANOM_URL_LIMIT, "more than %d links", MAIL_MAX_URLS);
    }
    charset_result_clear(&cr);
    g_free(clean);
}

static bool looks_html_name(const char *name)
{
    return name && (g_str_has_suffix(name, ".html") || g_str_has_suffix(name, ".htm") ||
                    g_str_has_suffix(name, ".HTML") || g_str_has_suffix(name, ".HTM") ||
                    g_str_has_suffix(name, ".shtml") || g_str_has_suffix(name, ".svg"));
}

static void take_attachment(parse_t *ps, const entity_t *e, const body_t *body)
{
    if (ps->m->attachments->len >= MAIL_MAX_ATTACHMENTS) {
        mail_msg_anomaly(ps->m, MAIL_ANOM_ATTACHMENT_LIMIT, "more than %d attachments",
                         MAIL_MAX_ATTACHMENTS);
        return;
    }
    mail_attachment_t *a = g_new0(mail_attachment_t, 1);
    const char *fn = filename(e);
    a->filename = g_utf8_make_valid(fn ? fn : "", -1);
    char *mt = g_strdup_printf("%s/%s", e->type, e->subtype);
    a->declared_type = g_ascii_strdown(mt, -1);
    g_free(mt);
    a->inline_part = e->cd && !g_mime_content_disposition_is_attachment(e->cd);
    const char *bytes = body->n ? body->p : "";
    a->size = body->n;
    hash_sha256_hex(bytes, a->size, a->sha256);
    a->sniffed_type = g_strdup(sniff_type(magic_cookie, bytes, a->size));
    attach_inspect(a, bytes, a->size);
    g_ptr_array_add(ps->m->attachments, a);
    /* An HTML attachment is a page the reader opens locally: its links and
     * forms matter as much as the body's. */
    if (g_str_has_prefix(a->declared_type, "text/html") ||
        strcmp(a->sniffed_type, "text/html") == 0 || looks_html_name(a->filename)) {
        charset_result_t cr;
        charset_to_utf8(bytes, a->size, param(e, "charset"), &cr);
        take_html(ps, cr.utf8, cr.len, false);
        charset_result_clear(&cr);
    }
}

/* The alternative a mail client shows: the last HTML one (or a multipart
 * wrapping it), else the last plain text one, else the last. */
static guint preferred_alternative(const entity_t *kids, guint n)
{
    int html = -1, plain = -1;
    for (guint i = 0; i < n; i++) {
        if (is_type(&kids[i], "text", "html") || is_type(&kids[i], "multipart", NULL))
            html = (int)i;
        else if (is_type(&kids[i], "text", "plain"))
            plain = (int)i;
    }
    return html >= 0 ? (guint)html : plain >= 0 ? (guint)plain : n - 1;
}

static bool is_rfc822(const entity_t *e)
{
    return is_type(e, "message", "rfc822") || is_type(e, "message", "rfc2822") ||
           is_type(e, "message", "global") || is_type(e, "message", "news");
}

/* A part with content: text the reader sees, or an attachment. as_text:
 * a multipart whose delimiters are missing, read as the text it shows. */
static void walk_leaf(parse_t *ps, const entity_t *e, GMimeContentEncoding enc, bool show,
                      bool as_text)
{
    const char *fn = filename(e);
    bool attached = (e->cd && g_mime_content_disposition_is_attachment(e->cd)) || fn != NULL;
    bool html = is_type(e, "text", "html");
    bool is_text = as_text || html || is_type(e, "text", "plain");
    body_t body;
    decode_body(ps, e, enc, &body);
    if (is_text && (as_text || !attached))
        take_text_part(ps, e, &body, html, show);
    else
        take_attachment(ps, e, &body);
    g_free(body.own);
}

typedef struct nest_ctx {
    const char *boundary;
    char *next_line; /* "\n--" boundary: where the part can end at the latest */
} nest_ctx_t;

/* mime_nests_fn: does the part at p open a multipart on the boundary being
 * split? Only its own header block is read (up to the next delimiter, so
 * the whole split stays linear), and Content-Type is parsed only when its
 * value holds the boundary's text. */
static bool part_nests(const char *p, size_t len, void *ctx)
{
    const nest_ctx_t *c = ctx;
    const char *next = memmem(p, len, c->next_line, strlen(c->next_line));
    if (next != NULL)
        len = (size_t)(next - p) + 1;
    mime_block_t blk;
    mime_block_read(p, len, MIME_PART, MAIL_MAX_HEADERS, &blk);
    const mime_field_t *f = mime_block_find(&blk, "Content-Type");
    bool yes = false;
    if (f != NULL && f->value_len <= MAIL_MAX_HEADER_BYTES &&
        memmem(f->value, f->value_len, c->boundary, strlen(c->boundary)) != NULL) {
        char *v = g_strndup(f->value, f->value_len);
        GMimeContentType *ct =
            g_mime_content_type_parse(NULL, v); /* no warnings: entity_open gives them */
        const char *b = g_mime_content_type_get_parameter(ct, "boundary");
        yes = g_mime_content_type_is_type(ct, "multipart", "*") && b && strcmp(b, c->boundary) == 0;
        g_object_unref(ct);
        g_free(v);
    }
    mime_block_clear(&blk);
    return yes;
}

/* at_end: the entity's bytes run to the end of the message (an unclosed
 * multipart there is a truncated message, elsewhere a malformed one). */
static void walk(parse_t *ps, entity_t *e, int depth, bool show, bool at_end);

static void walk_multipart(parse_t *ps, entity_t *e, int depth, bool show, bool at_end)
{
    const char *body = e->d + e->blk.body;
    size_t blen = e->n - e->blk.body;
    size_t where = (size_t)(e->d - ps->base);
    const char *boundary = param(e, "boundary");
    mime_split_t sp = {0};
    if (boundary && *boundary) {
        size_t room = ps->parts < MAIL_MAX_MIME_PARTS ? MAIL_MAX_MIME_PARTS - ps->parts : 0;
        nest_ctx_t nc = {boundary, g_strconcat("\n--", boundary, NULL)};
        mime_split(body, blen, boundary, strlen(boundary), room, part_nests, &nc, &sp);
        g_free(nc.next_line);
    }
    if (!sp.found) {
        /* No part to walk: the body is still read, as the text a client
         * falls back to, so nothing hidden behind a broken multipart is
         * lost. */
        mail_msg_anomaly(ps->m, MAIL_ANOM_BAD_BOUNDARY, "%s at byte %zu",
                         sp.parts ? "multipart without delimiter" : "multipart without boundary",
                         where);
        mime_split_clear(&sp);
        walk_leaf(ps, e, transfer_encoding(ps, e), show, true);
        return;
    }
    if (!sp.closed)
        mail_msg_anomaly(ps->m, MAIL_ANOM_BAD_BOUNDARY, "%s at byte %zu",
                         at_end ? "message truncated"
                                : "multipart not closed before its enclosing part ends",
                         where + e->blk.body + blen);
    if (sp.more)
        mail_msg_anomaly(ps->m, MAIL_ANOM_MIME_PARTS, "more than %d parts", MAIL_MAX_MIME_PARTS);
    guint n = sp.parts->len;
    entity_t *kids = g_new0(entity_t, n ? n : 1);
    bool digest = is_type(e, "multipart", "digest");
    for (guint i = 0; i < n; i++) {
        const mime_span_t *s = &g_array_index(sp.parts, mime_span_t, i);
        entity_open(ps, &kids[i], ps->base, body + s->start, s->len, digest, false);
    }
    bool alt = is_type(e, "multipart", "alternative");
    guint pref = alt && n ? preferred_alternative(kids, n) : 0;
    for (guint i = 0; i < n; i++) {
        const mime_span_t *s = &g_array_index(sp.parts, mime_span_t, i);
        walk(ps, &kids[i], depth + 1, show && (!alt || i == pref),
             at_end && !sp.closed && s->start + s->len == blen);
        entity_clear(&kids[i]);
    }
    g_free(kids);
    mime_split_clear(&sp);
}

static void walk(parse_t *ps, entity_t *e, int depth, bool show, bool at_end)
{
    if (depth > MAIL_MAX_MIME_DEPTH) {
        mail_msg_anomaly(ps->m, MAIL_ANOM_MIME_DEPTH, "deeper than %d levels", MAIL_MAX_MIME_DEPTH);
        return;
    }
    if (++ps->parts > MAIL_MAX_MIME_PARTS) {
        mail_msg_anomaly(ps->m, MAIL_ANOM_MIME_PARTS, "more than %d parts", MAIL_MAX_MIME_PARTS);
        return;
    }
    if (is_type(e, "multipart", NULL)) {
        walk_multipart(ps, e, depth, show, at_end);
        return;
    }
    GMimeContentEncoding enc = transfer_encoding(ps, e);
    if (is_rfc822(e) && enc != GMIME_CONTENT_ENCODING_BASE64 &&
        enc != GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE && enc != GMIME_CONTENT_ENCODING_UUENCODE) {
        /* an attached message: its MIME structure is walked, its header
         * fields are the forwarded mail's, not ours */
        size_t blen = e->n - e->blk.body;
        if (blen > 0) {
            entity_t inner;
            entity_open(ps, &inner, ps->base, e->d + e->blk.body, blen, false, true);
            walk(ps, &inner, depth + 1, show, at_end);
            entity_clear(&inner);
        }
        return;
    }
    walk_leaf(ps, e, enc, show, false);
}

static char *header_block(const char *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (d[i] != '\n')
            continue;
        if (i + 1 < n && d[i + 1] == '\n')
            return g_strndup(d, i + 1);
        if (i + 2 < n && d[i + 1] == '\r' && d[i + 2] == '\n')
            return g_strndup(d, i + 1);
    }
    return g_strndup(d, n);
}

mail_msg_t *mail_msg_parse(const char *data, size_t len)
{
    mail_init();
    mail_msg_t *m = msg_new();
    m->raw_size = len;
    if (len > MAIL_MAX_MESSAGE_BYTES) {
        mail_msg_anomaly(m, MAIL_ANOM_TRUNCATED, "%zu bytes, read %u", len, MAIL_MAX_MESSAGE_BYTES);
        len = MAIL_MAX_MESSAGE_BYTES;
    }
    if (len && memchr(data, '\0', len))
        mail_msg_anomaly(m, MAIL_ANOM_NUL_BYTES, "NUL bytes in the message");
    m->raw_header = header_block(data, len);

    parse_t ps = {.m = m, .text = g_string_new(NULL), .base = data, .end = data + len};
    ps.opts = g_mime_parser_options_new();
    g_mime_parser_options_set_rfc2047_compliance_mode(ps.opts, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_address_compliance_mode(ps.opts, GMIME_RFC_COMPLIANCE_LOOSE);
    static const char *fallback[] = {"UTF-8", "CP932", "EUC-JP", "GB18030", "windows-1252", NULL};
    g_mime_parser_options_set_fallback_charsets(ps.opts, fallback);
    g_mime_parser_options_set_warning_callback(ps.opts, on_gmime_warning, m);

    entity_t top = {0};
    mime_block_read(data, len, MIME_TOP, MAIL_MAX_HEADERS, &top.blk);
    if (top.blk.no_headers || top.blk.fields->len == 0) {
        mail_msg_anomaly(m, MAIL_ANOM_NO_HEADERS, "no header block");
        mail_msg_anomaly(m, MAIL_ANOM_NO_FROM, "no From field");
        /* Still read what is there as text, so nothing is lost. */
        charset_result_t cr;
        charset_to_utf8(data, len, NULL, &cr);
        append_text(&ps, cr.utf8, strlen(cr.utf8));
        urls_find(cr.utf8, strlen(cr.utf8), m->links, MAIL_MAX_URLS);
        charset_result_clear(&cr);
        mime_block_clear(&top.blk);
    } else {
        if (top.blk.unterminated)
            mail_msg_anomaly(m, MAIL_ANOM_BAD_BOUNDARY, "message truncated at byte %zu", len);
        invalid_lines(m, &top.blk, data, data);
        read_headers(&ps, &top.blk);
        entity_init(&ps, &top, data, len, false, true);
        walk(&ps, &top, 0, true, true);
        entity_clear(&top);
    }
    g_mime_parser_options_free(ps.opts);
    m->text = g_string_free(ps.text, FALSE);
    return m;
}
