/*
 * rattach.c - attachments that run, hide or can't be scanned:
 * executables and scripts (by name, by sniffed type, or inside an
 * archive), double extensions, a declared type the bytes contradict,
 * local HTML pages, encrypted archives, Office macros.
 */
#include <string.h>

#include "rules/rules.h"

static const char *const exec_ext[] = {
    "exe", "scr", "com",  "pif",  "bat",  "cmd",         "js",  "jse", "vbs", "vbe", "wsf",  "wsh",
    "hta", "ps1", "psm1", "lnk",  "msi",  "msp",         "jar", "iso", "img", "vhd", "vhdx", "cpl",
    "reg", "scf", "dll",  "appx", "msix", "application", "url", "chm", "xll", "one", "svg",
};
static const char *const exec_types[] = {
    "application/x-dosexec",
    "application/x-msdownload",
    "application/vnd.microsoft.portable-executable",
    "application/x-executable",
    "application/x-sharedlib",
    "application/java-archive",
    "application/x-ms-shortcut",
    "application/x-iso9660-image",
    "application/x-msi",
    "text/x-msdos-batch",
    "application/hta",
};
static const char *const doc_ext[] = {"pdf", "doc",  "docx", "xls", "xlsx", "ppt", "pptx", "txt",
                                      "jpg", "jpeg", "png",  "gif", "csv",  "rtf", "zip",  "html"};
static const char *const macro_ext[] = {"docm", "xlsm", "pptm", "dotm", "xltm",
                                        "xlam", "ppsm", "potm", "xlsb"};

static const char *ext_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    return dot && dot[1] ? dot + 1 : NULL;
}

static bool in(const char *x, const char *const *list, size_t n)
{
    if (x == NULL)
        return false;
    for (size_t i = 0; i < n; i++)
        if (g_ascii_strcasecmp(x, list[i]) == 0)
            return true;
    return false;
}

static bool exec_name(const char *name)
{
    const char *ext = ext_of(name);
    /* svg is only dangerous as a script carrier; judged by ATTACH_HTML */
    return ext && g_ascii_strcasecmp(ext, "svg") != 0 && in(ext, exec_ext, G_N_ELEMENTS(exec_ext));
}

/* "invoice.pdf.exe", "scan.jpg      .scr" */
static bool double_ext(const char *name)
{
    const char *last = strrchr(name, '.');
    if (last == NULL || last == name || !exec_name(name))
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
    bool yes = in(g_strstrip(mid), doc_ext, G_N_ELEMENTS(doc_ext));
    g_free(mid);
    return yes;
}

static bool major_differs(const char *declared, const char *sniffed)
{
    if (!*sniffed || strcmp(sniffed, "application/octet-stream") == 0 ||
        strcmp(declared, "application/octet-stream") == 0 || strcmp(sniffed, "text/plain") == 0)
        return false;
    if (strcmp(declared, "application/pdf") == 0)
        return strcmp(sniffed, "application/pdf") != 0;
    if (g_str_has_prefix(declared, "image/"))
        return !g_str_has_prefix(sniffed, "image/");
    return in(sniffed, exec_types, G_N_ELEMENTS(exec_types)) &&
           !in(declared, exec_types, G_N_ELEMENTS(exec_types));
}

void rattach_run(engine_t *e, scan_t *s)
{
    for (guint i = 0; i < s->msg->attachments->len; i++) {
        const mail_attachment_t *a = s->msg->attachments->pdata[i];
        const char *name = a->filename;
        const char *shown = *name ? name : a->declared_type;
        if (exec_name(name) || in(a->sniffed_type, exec_types, G_N_ELEMENTS(exec_types)))
            scan_add_symbol(s, "ATTACH_EXECUTABLE", shown, NULL, "%s (%s, sniffed %s)", shown,
                            a->declared_type, a->sniffed_type);
        for (guint k = 0; a->members && k < a->members->len; k++) {
            const char *m = a->members->pdata[k];
            if (exec_name(m)) {
                char *both = g_strdup_printf("%s → %s", shown, m);
                scan_add_symbol(s, "ATTACH_EXECUTABLE", both, NULL, "archive %s holds %s", shown,
                                m);
                g_free(both);
                break;
            }
        }
        if (*name && double_ext(name))
            scan_add_symbol(s, "ATTACH_DOUBLE_EXTENSION", name, NULL, "%s", name);
        if (major_differs(a->declared_type, a->sniffed_type))
            scan_add_symbol(s, "ATTACH_TYPE_MISMATCH", a->declared_type, a->sniffed_type,
                            "%s: declared %s, content %s", shown, a->declared_type,
                            a->sniffed_type);
        const char *ext = ext_of(name);
        if ((ext &&
             (g_ascii_strcasecmp(ext, "html") == 0 || g_ascii_strcasecmp(ext, "htm") == 0 ||
              g_ascii_strcasecmp(ext, "shtml") == 0 || g_ascii_strcasecmp(ext, "svg") == 0)) ||
            (!a->inline_part && strcmp(a->sniffed_type, "text/html") == 0))
            scan_add_symbol(s, "ATTACH_HTML", shown, NULL, "%s (%s)", shown, a->sniffed_type);
        if (a->encrypted)
            scan_add_symbol(s, "ATTACH_ENCRYPTED_ARCHIVE", shown, NULL, "%s", shown);
        if (a->macros || in(ext, macro_ext, G_N_ELEMENTS(macro_ext)))
            scan_add_symbol(s, "ATTACH_MACRO", shown, NULL, "%s%s", shown,
                            a->macros ? " (VBA project inside)" : "");
    }
}
