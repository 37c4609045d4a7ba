/*
 * sniff.c - an attachment's content type: signatures and text first,
 * libmagic for the rest. See sniff.h.
 */
#include "mail/sniff.h"

#include <stdbool.h>
#include <string.h>


static bool starts(const char *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    return n >= l && memcmp(p, lit, l) == 0;
}

/* ASCII case-insensitive prefix; lit is lower case. */
static bool starts_ci(const char *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    if (n < l)
        return false;
    for (size_t i = 0; i < l; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if (c != (unsigned char)lit[i])
            return false;
    }
    return true;
}

/* ASCII case-insensitive search; lit is lower case and starts with '<'. */
static bool contains_ci(const char *p, size_t n, const char *lit)
{
    size_t l = strlen(lit);
    for (const char *q = p; n >= l && (q = memchr(q, lit[0], n - (size_t)(q - p) - l + 1));
         q++) {
        if (starts_ci(q, l, lit))
            return true;
    }
    return false;
}

/* libmagic's table of bytes that never occur in text (encoding.c: NUL to
 * ACK, SO to SUB, FS to US and DEL); everything else, including the bytes
 * of ISO-8859, UTF-8 and the Japanese encodings, may. */
static bool is_text(const char *p, size_t n)
{
    static const unsigned char binary[256] = {
        [0x00] = 1, [0x01] = 1, [0x02] = 1, [0x03] = 1, [0x04] = 1, [0x05] = 1, [0x06] = 1,
        [0x0e] = 1, [0x0f] = 1, [0x10] = 1, [0x11] = 1, [0x12] = 1, [0x13] = 1, [0x14] = 1,
        [0x15] = 1, [0x16] = 1, [0x17] = 1, [0x18] = 1, [0x19] = 1, [0x1a] = 1, [0x1c] = 1,
        [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, [0x7f] = 1,
    };
    for (size_t i = 0; i < n; i++) {
        if (binary[(unsigned char)p[i]])
            return false;
    }
    return true;
}

/* "#!/usr/bin/env perl -w" -> "perl" */
static const char *script_type(const char *p, size_t n)
{
    size_t e = 2;
    while (e < n && p[e] != '\n' && p[e] != '\r')
        e++;
    const char *line = p + 2;
    size_t len = e - 2;
    static const struct {
        const char *interp;
        const char *type;
    } known[] = {
        {"sh", "text/x-shellscript"},   {"bash", "text/x-shellscript"},
        {"dash", "text/x-shellscript"}, {"ksh", "text/x-shellscript"},
        {"zsh", "text/x-shellscript"},  {"csh", "text/x-shellscript"},
        {"tcsh", "text/x-shellscript"}, {"perl", "text/x-perl"},
        {"python", "text/x-script.python"}, {"python3", "text/x-script.python"},
        {"python2", "text/x-script.python"}, {"ruby", "text/x-ruby"},
        {"php", "text/x-php"},          {"node", "application/javascript"},
        {"awk", "text/x-awk"},          {"gawk", "text/x-awk"},
    };
    /* the interpreter: the last path component of the first word, or the
     * word after "env" */
    size_t i = 0;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    for (int round = 0; round < 2; round++) {
        size_t s = i;
        while (i < len && line[i] != ' ' && line[i] != '\t')
            i++;
        size_t w = s;
        for (size_t k = s; k < i; k++) {
            if (line[k] == '/')
                w = k + 1;
        }
        size_t wl = i - w;
        if (round == 0 && wl == 3 && memcmp(line + w, "env", 3) == 0) {
            while (i < len && (line[i] == ' ' || line[i] == '\t'))
                i++;
            continue;
        }
        for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
            if (strlen(known[k].interp) == wl && memcmp(line + w, known[k].interp, wl) == 0)
                return known[k].type;
        }
        break;
    }
    return "text/plain";
}

static const char *text_type(const char *p, size_t n)
{
    if (starts(p, n, "\xEF\xBB\xBF")) {
        p += 3;
        n -= 3;
    }
    if (starts(p, n, "#!"))
        return script_type(p, n);
    if (starts(p, n, "{\\rtf"))
        return "text/rtf";
    if (starts(p, n, "%!PS"))
        return "application/postscript";
    if (starts(p, n, "-----BEGIN PGP SIGNATURE-----"))
        return "application/pgp-signature";
    if (starts(p, n, "-----BEGIN PGP PUBLIC KEY BLOCK-----"))
        return "application/pgp-keys";
    if (starts(p, n, "-----BEGIN PGP MESSAGE-----"))
        return "application/pgp";
    if (starts_ci(p, n, "begin:vcalendar"))
        return "text/calendar";
    if (starts_ci(p, n, "begin:vcard"))
        return "text/vcard";
    if (starts_ci(p, n, "@echo off") || starts_ci(p, n, "@rem ") || starts_ci(p, n, "@set "))
        return "text/x-msdos-batch";
    if (starts_ci(p, n, "[internetshortcut]"))
        return "application/x-mswinurl";
    if (starts(p, n, "<?php"))
        return "text/x-php";
    /* mail and header blocks (text/rfc822-headers, message/delivery-status
     * carry these) */
    if (starts_ci(p, n, "received:") || starts_ci(p, n, "return-path:") ||
        starts_ci(p, n, "delivered-to:") || starts(p, n, "From:"))
        return "message/rfc822";
    size_t head = n < 4096 ? n : 4096;
    size_t lead = 0;
    while (lead < head && (p[lead] == ' ' || p[lead] == '\t' || p[lead] == '\r' || p[lead] == '\n'))
        lead++;
    if (starts_ci(p + lead, head - lead, "<svg") ||
        (starts(p + lead, head - lead, "<?xml") && contains_ci(p, head, "<svg")))
        return "image/svg+xml";
    if (starts(p + lead, head - lead, "<?xml"))
        return contains_ci(p, head, "<html") ? "text/html" : "text/xml";
    static const char *const html[] = {
        "<!doctype html", "<html", "<head>", "<head ", "<title>", "<script",
        "<style", "<table", "<a href=", "<body", "<iframe", "<form",
    };
    for (size_t i = 0; i < sizeof html / sizeof html[0]; i++) {
        if (contains_ci(p, head, html[i]))
            return "text/html";
    }
    return "text/plain";
}

const char *sniff_quick(const char *bytes, size_t len)
{
    if (bytes == NULL || len == 0)
        return "application/x-empty";
    if (starts(bytes, len, "%PDF-"))
        return "application/pdf";
    if (starts(bytes, len, "\x89PNG\r\n\x1a\n"))
        return "image/png";
    if (starts(bytes, len, "\xFF\xD8\xFF"))
        return "image/jpeg";
    if (starts(bytes, len, "GIF87a") || starts(bytes, len, "GIF89a"))
        return "image/gif";
    size_t window = len < SNIFF_TEXT_WINDOW ? len : SNIFF_TEXT_WINDOW;
    if (is_text(bytes, window))
        return text_type(bytes, window);
    return NULL;
}

const char *sniff_type(magic_t cookie, const char *bytes, size_t len)
{
    const char *t = sniff_quick(bytes, len);
    if (t)
        return t;
    if (cookie) {
        size_t window = len < SNIFF_MAGIC_WINDOW ? len : SNIFF_MAGIC_WINDOW;
        t = magic_buffer(cookie, bytes, window);
    }
    return t ? t : "application/octet-stream";
}
