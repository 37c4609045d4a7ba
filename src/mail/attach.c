/*
 * attach.c - archive and macro inspection; see attach.h.
 */
#include "mail/attach.h"

#include <archive.h>
#include <archive_entry.h>
#include <string.h>

static bool is_ole(const char *b, size_t n)
{
    static const unsigned char sig[8] = {0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1};
    return n >= 8 && memcmp(b, sig, 8) == 0;
}

static bool is_zipish(const char *b, size_t n)
{
    return (n >= 4 && memcmp(b, "PK\x03\x04", 4) == 0) ||         /* zip */
           (n >= 6 && memcmp(b, "7z\xbc\xaf\x27\x1c", 6) == 0) || /* 7z */
           (n >= 7 && memcmp(b, "Rar!\x1a\x07", 6) == 0) ||       /* rar */
           (n >= 3 && memcmp(b, "\x1f\x8b\x08", 3) == 0) ||       /* gzip */
           (n >= 3 && memcmp(b, "BZh", 3) == 0) ||                /* bzip2 */
           (n >= 6 && memcmp(b,
                             "\xfd"
                             "7zXZ\x00",
                             6) == 0) ||                   /* xz */
           (n >= 262 && memcmp(b + 257, "ustar", 5) == 0); /* tar */
}

static void list_archive(mail_attachment_t *a, const char *bytes, size_t len)
{
    struct archive *ar = archive_read_new();
    if (ar == NULL)
        return;
    archive_read_support_filter_all(ar);
    archive_read_support_format_zip(ar);
    archive_read_support_format_7zip(ar);
    archive_read_support_format_rar(ar);
    archive_read_support_format_rar5(ar);
    archive_read_support_format_tar(ar);
    archive_read_support_format_raw(ar); /* a lone gzip/bzip2/xz stream */
    if (archive_read_open_memory(ar, bytes, len) != ARCHIVE_OK) {
        archive_read_free(ar);
        return;
    }
    struct archive_entry *e;
    unsigned entries = 0;
    int rc;
    while (entries < ATTACH_MAX_ENTRIES && (rc = archive_read_next_header(ar, &e)) == ARCHIVE_OK) {
        entries++;
        a->archive = true;
        const char *name = archive_entry_pathname_utf8(e);
        if (name == NULL)
            name = archive_entry_pathname(e);
        if (name && a->members->len < ATTACH_MAX_MEMBERS)
            g_ptr_array_add(a->members, g_utf8_make_valid(name, -1));
        if (name && g_str_has_suffix(name, "vbaProject.bin"))
            a->macros = true;
        if (archive_entry_is_encrypted(e))
            a->encrypted = true;
        archive_read_data_skip(ar);
    }
    if (archive_read_has_encrypted_entries(ar) > 0)
        a->encrypted = true;
    archive_read_free(ar);
}

void attach_inspect(mail_attachment_t *a, const char *bytes, size_t len)
{
    if (a->members == NULL)
        a->members = g_ptr_array_new_with_free_func(g_free);
    if (bytes == NULL || len == 0)
        return;
    if (is_ole(bytes, len)) {
        static const char vba[] = "_\0V\0B\0A\0_\0P\0R\0O\0J\0E\0C\0T\0";
        a->macros = memmem(bytes, len, vba, sizeof vba - 1) != NULL;
        return;
    }
    if (is_zipish(bytes, len))
        list_archive(a, bytes, len);
}
