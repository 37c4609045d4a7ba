/*
 * log.c - diagnostics; see log.h. Lines are written with one fwrite so
 * that two threads (keys uses both cores) do not interleave mid-line.
 */
#include "util/log.h"

#include <errno.h>
#include <glib.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static enum log_level current = LOG_LEVEL_WARN;
static gint errors;

void log_set_level(enum log_level level)
{
    current = level;
}

enum log_level log_get_level(void)
{
    return current;
}

unsigned long log_error_count(void)
{
    return (unsigned long)g_atomic_int_get(&errors);
}

static void emit(enum log_level lvl, int errnum, const char *fmt, va_list ap)
{
    if (lvl > current)
        return;
    char *msg = g_strdup_vprintf(fmt, ap);
    char *line = errnum ? g_strdup_printf("sesguard: %s: %s\n", msg, strerror(errnum))
                        : g_strdup_printf("sesguard: %s\n", msg);
    fwrite(line, 1, strlen(line), stderr);
    g_free(line);
    g_free(msg);
}

#define LOGFN(fn, lvl, witherr, count)                                                             \
    void fn(const char *fmt, ...)                                                                  \
    {                                                                                              \
        int e = witherr ? errno : 0;                                                               \
        va_list ap;                                                                                \
        if (count)                                                                                 \
            g_atomic_int_inc(&errors);                                                             \
        va_start(ap, fmt);                                                                         \
        emit(lvl, e, fmt, ap);                                                                     \
        va_end(ap);                                                                                \
    }

LOGFN(log_err, LOG_LEVEL_ERR, 0, 1)
LOGFN(log_err_errno, LOG_LEVEL_ERR, 1, 1)
LOGFN(log_warn, LOG_LEVEL_WARN, 0, 0)
LOGFN(log_warn_errno, LOG_LEVEL_WARN, 1, 0)
LOGFN(log_info, LOG_LEVEL_INFO, 0, 0)
LOGFN(log_debug, LOG_LEVEL_DEBUG, 0, 0)
