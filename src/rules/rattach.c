/*
 * rattach.c - attachments that run, hide or can't be scanned:
 * executables and scripts (by name, by sniffed type, or inside an
 * archive), double extensions, a declared type the bytes contradict,
 * local HTML pages, encrypted archives, Office macros. Which extensions
 * and types mean what is data (data/attachments.conf).
 */
#include <string.h>

#include "rules/rules.h"

static const char *ext_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && dot[1] ? dot + 1 : NULL;
}

static bool in(const char *x, char *const *list)
{
    if (x == NULL || list == NULL)
        return false;
    for (char *const *p = list; *p; p++)
        if (g_ascii_strcasecmp(x, *p) == 0)
            return true;
    return false;
}

static bool exec_name(const engine_t *e, const char *name)
{
    return in(ext_of(name), e->exec_ext);
}

/* "invoice.pdf.exe", "scan.jpg      .scr" */
static bool double_ext(const engine_t *e, const char *name)
{
    const char *last = strrchr(name, '.');
    if (last == NULL || last == name || !exec_name(e, name))
        return false;
    const char *p = last - 1;
    while (p > name && *p == ' ')
        p--;
    if (p < last - 3)
        return true; /* padding spaces before the real extension */
    const char *prev = NULL;
    for (const char *q = name; q < last; q++)
        if (*q == '.')
            prev = q;
    if (prev == NULL)
        return false;
    char *mid = g_strndup(prev + 1, (gsize)(last - prev - 1));
    bool yes = in(g_strstrip(mid), e->doc_ext);
    g_free(mid);
    return yes;
}

static bool major_differs(const engine_t *e, const char *declared, const char *sniffed)
{
    if (!*sniffed || strcmp(sniffed, "application/octet-stream") == 0 ||
        strcmp(declared, "application/octet-stream") == 0 || strcmp(sniffed, "text/plain") == 0)
        return false;
    if (strcmp(declared, "application/pdf") == 0)
        return strcmp(sniffed, "application/pdf") != 0;
    if (g_str_has_prefix(declared, "image/"))
        return !g_str_has_prefix(sniffed, "image/");
    return in(sniffed, e->exec_types) && !in(declared, e->exec_types);
}

void rattach_run(engine_t *e, scan_t *s)
{
    for (guint i = 0; i < s->msg->attachments->len; i++) {
        const mail_attachment_t *a = s->msg->attachments->pdata[i];
        const char *name = a->filename;
        const char *shown = *name ? name : a->declared_type;
        if (exec_name(e, name) || in(a->sniffed_type, e->exec_types))
            scan_add_symbol(s, "ATTACH_EXECUTABLE", shown, NULL, "%s (%s, sniffed %s)", shown,
                            a->declared_type, a->sniffed_type);
        for (guint k = 0; a->members && k < a->members->len; k++) {
            const char *m = a->members->pdata[k];
            if (exec_name(e, m)) {
                char *both = g_strdup_printf("%s → %s", shown, m);
                scan_add_symbol(s, "ATTACH_EXECUTABLE", both, NULL, "archive %s holds %s", shown,
                                m);
                g_free(both);
                break;
            }
        }
        if (*name && double_ext(e, name))
            scan_add_symbol(s, "ATTACH_DOUBLE_EXTENSION", name, NULL, "%s", name);
        if (major_differs(e, a->declared_type, a->sniffed_type))
            scan_add_symbol(s, "ATTACH_TYPE_MISMATCH", a->declared_type, a->sniffed_type,
                            "%s: declared %s, content %s", shown, a->declared_type,
                            a->sniffed_type);
        const char *ext = ext_of(name);
        if (in(ext, e->html_ext) || (!a->inline_part && strcmp(a->sniffed_type, "text/html") == 0))
            scan_add_symbol(s, "ATTACH_HTML", shown, NULL, "%s (%s)", shown, a->sniffed_type);
        if (a->encrypted)
            scan_add_symbol(s, "ATTACH_ENCRYPTED_ARCHIVE", shown, NULL, "%s", shown);
        if (a->macros || in(ext, e->macro_ext))
            scan_add_symbol(s, "ATTACH_MACRO", shown, NULL, "%s%s", shown,
                            a->macros ? " (VBA project inside)" : "");
    }
}
