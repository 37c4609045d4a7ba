/*
 * cttime.c - timestamps; see cttime.h. Civil-date arithmetic after the
 * well-known days-from-civil algorithm (proleptic Gregorian, no tables).
 */
#include "trail/cttime.h"

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

static bool digits(const char *s, size_t n, size_t at, size_t len, int *out)
{
    int v = 0;
    if (at + len > n)
        return false;
    for (size_t i = at; i < at + len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

static int64_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t cttime_parse(const char *s, size_t n)
{
    int y, mo, d, h, mi, sec = 0;
    if (s == NULL || !digits(s, n, 0, 4, &y) || n < 16 || s[4] != '-' || !digits(s, n, 5, 2, &mo) ||
        s[7] != '-' || !digits(s, n, 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
        !digits(s, n, 11, 2, &h) || s[13] != ':' || !digits(s, n, 14, 2, &mi))
        return CTTIME_INVALID;
    size_t i = 16;
    if (i < n && s[i] == ':') {
        if (!digits(s, n, 17, 2, &sec))
            return CTTIME_INVALID;
        i = 19;
    }
    if (i < n && (s[i] == '.' || s[i] == ',')) {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
    }
    int off = 0;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int oh, om = 0;
        int sign = s[i] == '-' ? -1 : 1;
        if (!digits(s, n, i + 1, 2, &oh))
            return CTTIME_INVALID;
        i += 3;
        if (i < n && s[i] == ':')
            i++;
        if (i < n && digits(s, n, i, 2, &om))
            i += 2;
        if (oh > 23 || om > 59)
            return CTTIME_INVALID;
        off = sign * (oh * 3600 + om * 60);
    }
    if (i != n || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return CTTIME_INVALID;
    return days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
}

void cttime_format(int64_t t, char out[CTTIME_BUFSZ])
{
    if (t == CTTIME_INVALID) {
        snprintf(out, CTTIME_BUFSZ, "-");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL) {
        snprintf(out, CTTIME_BUFSZ, "-");
        return;
    }
    strftime(out, CTTIME_BUFSZ, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
