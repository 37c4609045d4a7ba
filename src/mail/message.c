/*
 * message.c - parse one message into the model of message.h.
 *
 * GMime does the MIME and RFC 2047/2231 work; this file walks its tree
 * with our own limits (depth, parts, text, links, attachments), converts
 * every text part through charset.c, hands HTML to html.c and plain text
 * to urls.c, describes attachments (sniff.c, SHA-256), and turns GMime's
 * parser warnings into anomalies. GMime's own nesting guard
 * (GMIME_CRIT_NESTING_OVERFLOW) bounds its recursion; ours bounds the walk.
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
} parse_t;

static void on_gmime_warning(gint64 offset, GMimeParserWarning code, const gchar *item,
                             gpointer user)
{
    mail_msg_t *m = user;
    const char *what = item ? item : "";
    switch (code) {
    case GMIME_WARN_DUPLICATED_HEADER:
    case GMIME_CRIT_CONFLICTING_HEADER:
        mail_msg_anomaly(m, MAIL_ANOM_DUPLICATE_HEADER, "%s", what);
        break;
    case GMIME_WARN_INVALID_RFC2047_HEADER_VALUE:
        mail_msg_anomaly(m, MAIL_ANOM_BAD_ENCODED_WORD, "%.200s", what);
        break;
    case GMIME_CRIT_NESTING_OVERFLOW:
        mail_msg_anomaly(m, MAIL_ANOM_MIME_DEPTH, "MIME nesting overflow at byte %lld",
                         (long long)offset);
        break;
    case GMIME_WARN_MALFORMED_MULTIPART:
    case GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY:
    case GMIME_WARN_PART_WITHOUT_CONTENT:
    case GMIME_CRIT_PART_WITHOUT_HEADERS_OR_CONTENT:
    case GMIME_WARN_TRUNCATED_MESSAGE:
    case GMIME_WARN_MALFORMED_MESSAGE:
    case GMIME_CRIT_INVALID_HEADER_NAME:
    case GMIME_WARN_INVALID_CONTENT_TYPE:
        mail_msg_anomaly(m, MAIL_ANOM_BAD_BOUNDARY, "%s at byte %lld",
                         code == GMIME_WARN_MALFORMED_MULTIPART ? "multipart without parts"
                         : code == GMIME_CRIT_MULTIPART_WITHOUT_BOUNDARY
                             ? "multipart without boundary"
                         : code == GMIME_WARN_TRUNCATED_MESSAGE    ? "message truncated"
                         : code == GMIME_CRIT_INVALID_HEADER_NAME  ? "invalid header name"
                         : code == GMIME_WARN_INVALID_CONTENT_TYPE ? "invalid Content-Type"
                                                                   : "malformed part",
                         (long long)offset);
        break;
    default:
        break;
    }
}

/* Unfold a raw header value (RFC 5322 2.2.3: remove CRLF before WSP) and
 * trim it; bounded by MAIL_MAX_HEADER_BYTES. */
static char *unfold(mail_msg_t *m, const char *name, const char *raw)
{
    size_t n = raw ? strlen(raw) : 0;
    if (n > MAIL_MAX_HEADER_BYTES) {
        mail_msg_anomaly(m, MAIL_ANOM_HEADER_LONG, "%s: %zu bytes", name, n);
        n = MAIL_MAX_HEADER_BYTES;
    }
    char *s = g_malloc(n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (raw[i] != '\r' && raw[i] != '\n')
            s[o++] = raw[i];
    }
    s[o] = '\0';
    return g_strstrip(s);
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

static void read_headers(parse_t *ps, GMimeMessage *msg)
{
    mail_msg_t *m = ps->m;
    GMimeHeaderList *list = g_mime_object_get_header_list(GMIME_OBJECT(msg));
    int count = g_mime_header_list_get_count(list);
    unsigned nfrom = 0;
    if (count > (int)MAIL_MAX_HEADERS) {
        mail_msg_anomaly(m, MAIL_ANOM_HEADERS, "%d header fields", count);
        count = MAIL_MAX_HEADERS;
    }
    for (int i = 0; i < count; i++) {
        GMimeHeader *gh = g_mime_header_list_get_header_at(list, i);
        const char *name = g_mime_header_get_name(gh);
        const char *rawv = g_mime_header_get_raw_value(gh);
        mail_header_t *h = g_new0(mail_header_t, 1);
        h->name = g_utf8_make_valid(name ? name : "", -1);
        h->raw = unfold(m, h->name, rawv);
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
            char *dec = unfold(m, h->name, g_mime_header_get_value(gh));
            h->value = g_utf8_make_valid(dec, -1);
            g_free(dec);
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
    static const char *const unique[] = {"Date",     "Message-ID", "Subject",
                                         "Reply-To", "Sender",     "To"};
    for (size_t i = 0; i < G_N_ELEMENTS(unique); i++)
        if (mail_msg_header_count(m, unique[i]) > 1)
            mail_msg_anomaly(m, MAIL_ANOM_DUPLICATE_HEADER, "%s", unique[i]);

    const char *mid = g_mime_message_get_message_id(msg);
    if (mid && *mid)
        m->message_id = g_utf8_make_valid(mid, -1);
    else
        mail_msg_anomaly(m, MAIL_ANOM_NO_MESSAGE_ID, "no Message-ID field");
    const mail_header_t *dh = mail_msg_header(m, "Date");
    GDateTime *dt = g_mime_message_get_date(msg);
    if (dh)
        m->date_raw = g_strdup(dh->raw);
    if (dt)
        m->date = g_date_time_to_unix(dt);
    else
        mail_msg_anomaly(m, MAIL_ANOM_NO_DATE, dh ? "Date: %.100s" : "no Date field",
                         dh ? dh->raw : "");
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

static GByteArray *decode_part(parse_t *ps, GMimePart *part)
{
    GMimeDataWrapper *w = g_mime_part_get_content(part);
    if (w == NULL)
        return NULL;
    GMimeStream *mem = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(w, mem);
    GByteArray *ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    GByteArray *out =
        g_byte_array_sized_new(ba->len < MAIL_MAX_PART_BYTES ? ba->len : MAIL_MAX_PART_BYTES);
    if (ba->len > MAIL_MAX_PART_BYTES) {
        mail_msg_anomaly(ps->m, MAIL_ANOM_PART_LIMIT, "part of %u bytes", ba->len);
        g_byte_array_append(out, ba->data, MAIL_MAX_PART_BYTES);
    } else {
        g_byte_array_append(out, ba->data, ba->len);
    }
    g_object_unref(mem);
    return out;
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

static void take_text_part(parse_t *ps, GMimePart *part, bool is_html, bool show)
{
    GMimeObject *obj = GMIME_OBJECT(part);
    GByteArray *ba = decode_part(ps, part);
    const char *declared = g_mime_object_get_content_type_parameter(obj, "charset");
    mail_textpart_t *tp = g_new0(mail_textpart_t, 1);
    tp->content_type = g_strdup(is_html ? "text/html" : "text/plain");
    tp->charset_declared = g_utf8_make_valid(declared ? declared : "", -1);
    charset_result_t cr;
    const char *bytes = (ba && ba->data) ? (const char *)ba->data : "";
    size_t len = ba ? ba->len : 0;
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
    if (ba)
        g_byte_array_unref(ba);
}

static bool looks_html_name(const char *name)
{
    return name && (g_str_has_suffix(name, ".html") || g_str_has_suffix(name, ".htm") ||
                    g_str_has_suffix(name, ".HTML") || g_str_has_suffix(name, ".HTM") ||
                    g_str_has_suffix(name, ".shtml") || g_str_has_suffix(name, ".svg"));
}

static void take_attachment(parse_t *ps, GMimePart *part)
{
    GMimeObject *obj = GMIME_OBJECT(part);
    if (ps->m->attachments->len >= MAIL_MAX_ATTACHMENTS) {
        mail_msg_anomaly(ps->m, MAIL_ANOM_ATTACHMENT_LIMIT, "more than %d attachments",
                         MAIL_MAX_ATTACHMENTS);
        return;
    }
    mail_attachment_t *a = g_new0(mail_attachment_t, 1);
    const char *fn = g_mime_part_get_filename(part);
    a->filename = g_utf8_make_valid(fn ? fn : "", -1);
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    char *mt = ct ? g_mime_content_type_get_mime_type(ct) : g_strdup("application/octet-stream");
    a->declared_type = g_ascii_strdown(mt, -1);
    g_free(mt);
    GMimeContentDisposition *cd = g_mime_object_get_content_disposition(obj);
    a->inline_part = cd && !g_mime_content_disposition_is_attachment(cd);
    GByteArray *ba = decode_part(ps, part);
    const char *bytes = (ba && ba->data) ? (const char *)ba->data : "";
    a->size = ba ? ba->len : 0;
    hash_sha256_hex(bytes, a->size, a->sha256);
    a->sniffed_type = g_strdup(sniff_type(magic_cookie, bytes, a->size));
    attach_inspect(a, bytes, a->size);
    g_ptr_array_add(ps->m->attachments, a);
    /* An HTML attachment is a page the reader opens locally: its links and
     * forms matter as much as the body's. */
    if (ba && (g_str_has_prefix(a->declared_type, "text/html") ||
               strcmp(a->sniffed_type, "text/html") == 0 || looks_html_name(a->filename))) {
        charset_result_t cr;
        charset_to_utf8(bytes, a->size, g_mime_object_get_content_type_parameter(obj, "charset"),
                        &cr);
        take_html(ps, cr.utf8, cr.len, false);
        charset_result_clear(&cr);
    }
    if (ba)
        g_byte_array_unref(ba);
}

static void walk(parse_t *ps, GMimeObject *obj, int depth, bool show);

static int preferred_alternative(GMimeMultipart *mp, int n)
{
    int html = -1, plain = -1;
    for (int i = 0; i < n; i++) {
        GMimeContentType *ct = g_mime_object_get_content_type(g_mime_multipart_get_part(mp, i));
        if (ct && g_mime_content_type_is_type(ct, "text", "html"))
            html = i;
        else if (ct && g_mime_content_type_is_type(ct, "text", "plain"))
            plain = i;
        else if (ct && g_mime_content_type_is_type(ct, "multipart", "*"))
            html = i; /* related/mixed wrapping the HTML */
    }
    return html >= 0 ? html : plain >= 0 ? plain : n - 1;
}

static void walk(parse_t *ps, GMimeObject *obj, int depth, bool show)
{
    if (obj == NULL)
        return;
    if (depth > MAIL_MAX_MIME_DEPTH) {
        mail_msg_anomaly(ps->m, MAIL_ANOM_MIME_DEPTH, "deeper than %d levels", MAIL_MAX_MIME_DEPTH);
        return;
    }
    if (++ps->parts > MAIL_MAX_MIME_PARTS) {
        mail_msg_anomaly(ps->m, MAIL_ANOM_MIME_PARTS, "more than %d parts", MAIL_MAX_MIME_PARTS);
        return;
    }
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);
        int n = g_mime_multipart_get_count(mp);
        GMimeContentType *ct = g_mime_object_get_content_type(obj);
        bool alt = ct && g_mime_content_type_is_type(ct, "multipart", "alternative");
        int pref = alt ? preferred_alternative(mp, n) : -1;
        for (int i = 0; i < n; i++)
            walk(ps, g_mime_multipart_get_part(mp, i), depth + 1, show && (!alt || i == pref));
        return;
    }
    if (GMIME_IS_MESSAGE_PART(obj)) {
        GMimeMessage *inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(obj));
        if (inner)
            walk(ps, g_mime_message_get_mime_part(inner), depth + 1, show);
        return;
    }
    if (!GMIME_IS_PART(obj))
        return;
    GMimePart *part = GMIME_PART(obj);
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    GMimeContentDisposition *cd = g_mime_object_get_content_disposition(obj);
    bool attached = (cd && g_mime_content_disposition_is_attachment(cd)) ||
                    (g_mime_part_get_filename(part) != NULL);
    bool is_text = ct == NULL || g_mime_content_type_is_type(ct, "text", "plain") ||
                   g_mime_content_type_is_type(ct, "text", "html");
    GMimeContentEncoding enc = g_mime_part_get_content_encoding(part);
    if (enc == GMIME_CONTENT_ENCODING_DEFAULT) {
        const char *cte = g_mime_object_get_header(obj, "Content-Transfer-Encoding");
        if (cte && *cte)
            mail_msg_anomaly(ps->m, MAIL_ANOM_BAD_TRANSFER_ENC, "Content-Transfer-Encoding: %.60s",
                             cte);
    }
    if (is_text && !attached)
        take_text_part(ps, part, ct && g_mime_content_type_is_type(ct, "text", "html"), show);
    else
        take_attachment(ps, part);
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

    parse_t ps = {.m = m, .text = g_string_new(NULL)};
    ps.opts = g_mime_parser_options_new();
    g_mime_parser_options_set_rfc2047_compliance_mode(ps.opts, GMIME_RFC_COMPLIANCE_LOOSE);
    g_mime_parser_options_set_address_compliance_mode(ps.opts, GMIME_RFC_COMPLIANCE_LOOSE);
    static const char *fallback[] = {"UTF-8", "CP932", "EUC-JP", "GB18030", "windows-1252", NULL};
    g_mime_parser_options_set_fallback_charsets(ps.opts, fallback);
    g_mime_parser_options_set_warning_callback(ps.opts, on_gmime_warning, m);

    GMimeStream *stream = g_mime_stream_mem_new_with_buffer(data, len);
    GMimeParser *parser = g_mime_parser_new_with_stream(stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    GMimeMessage *msg = g_mime_parser_construct_message(parser, ps.opts);
    if (msg == NULL ||
        g_mime_header_list_get_count(g_mime_object_get_header_list(GMIME_OBJECT(msg))) == 0) {
        mail_msg_anomaly(m, MAIL_ANOM_NO_HEADERS, "no header block");
        mail_msg_anomaly(m, MAIL_ANOM_NO_FROM, "no From field");
        /* Still read what is there as text, so nothing is lost. */
        charset_result_t cr;
        charset_to_utf8(data, len, NULL, &cr);
        append_text(&ps, cr.utf8, strlen(cr.utf8));
        urls_find(cr.utf8, strlen(cr.utf8), m->links, MAIL_MAX_URLS);
        charset_result_clear(&cr);
    } else {
        read_headers(&ps, msg);
        walk(&ps, g_mime_message_get_mime_part(msg), 0, true);
    }
    if (msg)
        g_object_unref(msg);
    g_object_unref(parser);
    g_object_unref(stream);
    g_mime_parser_options_free(ps.opts);
    m->text = g_string_free(ps.text, FALSE);
    return m;
}
