/*
 * readfile.c - bounded whole-file read; see readfile.h.
 */
#include "util/readfile.h"

#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

char *readfile(const char *path, size_t max, size_t *len, char **err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        *err = g_strdup_printf("%s: %s", path, g_strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (guint64)st.st_size > max) {
        *err = g_strdup_printf("%s: larger than %zu bytes", path, max);
        fclose(f);
        return NULL;
    }
    GString *s = g_string_sized_new(S_ISREG(st.st_mode) ? (gsize)st.st_size + 1 : 4096);
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        if (s->len + n > max) {
            *err = g_strdup_printf("%s: larger than %zu bytes", path, max);
            g_string_free(s, TRUE);
            fclose(f);
            return NULL;
        }
        g_string_append_len(s, buf, (gssize)n);
    }
    if (ferror(f)) {
        *err = g_strdup_printf("%s: %s", path, g_strerror(errno ? errno : EIO));
        g_string_free(s, TRUE);
        fclose(f);
        return NULL;
    }
    fclose(f);
    if (len)
        *len = s->len;
    return g_string_free(s, FALSE);
}
