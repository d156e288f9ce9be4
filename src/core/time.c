/* RFC 3339 timestamps and civil-date arithmetic, all in UTC microseconds.
 * Time zones are not handled here: see src/tz. */
#include "core.h"

#include <stdio.h>
#include <time.h>

int64_t ap_time_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * AP_USEC_PER_SEC + ts.tv_nsec / 1000;
}

/* Howard Hinnant's days_from_civil: exact for every proleptic Gregorian date. */
int64_t ap_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

void ap_civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool is_leap(int64_t y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned days_in_month(int64_t y, unsigned m)
{
    static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Reads exactly `n` decimal digits at s[*pos]. */
static bool read_digits(const char *s, size_t len, size_t *pos, unsigned n, unsigned *out)
{
    unsigned v = 0;
    if (*pos + n > len)
        return false;
    for (unsigned i = 0; i < n; i++) {
        char c = s[*pos + i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (unsigned)(c - '0');
    }
    *pos += n;
    *out = v;
    return true;
}

static bool expect(const char *s, size_t len, size_t *pos, char a, char b)
{
    if (*pos >= len || (s[*pos] != a && s[*pos] != b))
        return false;
    (*pos)++;
    return true;
}

bool ap_time_parse_rfc3339(const char *s, size_t len, int64_t *out_us)
{
    size_t pos = 0;
    unsigned year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_digits(s, len, &pos, 4, &year) || !expect(s, len, &pos, '-', '-') ||
        !read_digits(s, len, &pos, 2, &month) || !expect(s, len, &pos, '-', '-') ||
        !read_digits(s, len, &pos, 2, &day) || !expect(s, len, &pos, 'T', 't') ||
        !read_digits(s, len, &pos, 2, &hour) || !expect(s, len, &pos, ':', ':') ||
        !read_digits(s, len, &pos, 2, &minute) || !expect(s, len, &pos, ':', ':') ||
        !read_digits(s, len, &pos, 2, &second))
        return false;
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour > 23 ||
        minute > 59 || second > 59)
        return false;
    int64_t frac_us = 0;
    if (pos < len && s[pos] == '.') {
        pos++;
        unsigned digits = 0;
        int64_t scale = 100000;
        while (pos < len && s[pos] >= '0' && s[pos] <= '9') {
            if (++digits > 9)
                return false;
            frac_us += (s[pos] - '0') * scale;
            scale /= 10;
            pos++;
        }
        if (digits == 0)
            return false;
    }
    int64_t offset_sec = 0;
    if (pos < len && (s[pos] == 'Z' || s[pos] == 'z')) {
        pos++;
    } else if (pos < len && (s[pos] == '+' || s[pos] == '-')) {
        int sign = s[pos] == '-' ? -1 : 1;
        unsigned oh, om;
        pos++;
        if (!read_digits(s, len, &pos, 2, &oh) || !expect(s, len, &pos, ':', ':') ||
            !read_digits(s, len, &pos, 2, &om) || oh > 23 || om > 59)
            return false;
        offset_sec = sign * (int64_t)(oh * 3600 + om * 60);
    } else {
        return false;
    }
    if (pos != len)
        return false;
    int64_t days = ap_days_from_civil(year, month, day);
    int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_sec;
    /* An offset can move a time at either end of the years 0000-9999 out of
     * them in UTC, where it has no RFC 3339 form to be written back in. */
    if (secs < INT64_C(-62167219200) || secs >= INT64_C(253402300800)) /* 0000 .. 10000-01-01Z */
        return false;
    *out_us = secs * AP_USEC_PER_SEC + frac_us;
    return true;
}

/* Writes n decimal digits of v, zero-padded. */
static char *put_digits(char *p, int64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + n;
}

void ap_time_format_rfc3339(int64_t us, char out[AP_TIME_RFC3339_MAX])
{
    int64_t secs = us / AP_USEC_PER_SEC;
    int64_t frac = us % AP_USEC_PER_SEC;
    if (frac < 0) {
        frac += AP_USEC_PER_SEC;
        secs -= 1;
    }
    int64_t days = secs / 86400;
    int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days -= 1;
    }
    int64_t y;
    unsigned m, d;
    ap_civil_from_days(days, &y, &m, &d);
    if (y < 0 || y > 9999) { /* outside RFC 3339; only reachable from arithmetic */
        snprintf(out, AP_TIME_RFC3339_MAX, "%lldZ", (long long)us);
        return;
    }
    char *p = out;
    p = put_digits(p, y, 4);
    *p++ = '-';
    p = put_digits(p, m, 2);
    *p++ = '-';
    p = put_digits(p, d, 2);
    *p++ = 'T';
    p = put_digits(p, rem / 3600, 2);
    *p++ = ':';
    p = put_digits(p, rem % 3600 / 60, 2);
    *p++ = ':';
    p = put_digits(p, rem % 60, 2);
    if (frac) {
        int digits = 6;
        while (frac % 10 == 0) {
            frac /= 10;
            digits--;
        }
        *p++ = '.';
        p = put_digits(p, frac, digits);
    }
    *p++ = 'Z';
    *p = '\0';
}
