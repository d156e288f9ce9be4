/* Time-zone conversions through ICU (ucal), which carries the IANA database.
 * ICU answers offsets for any instant, DST transitions and historical rules
 * included; no offset table is kept here. */
#include "tz/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

struct ap_tz {
    UCalendar *cal;
};

static int32_t to_uchars(const char *zone, UChar *out, int32_t cap)
{
    size_t len = strlen(zone);
    if (len == 0 || len >= (size_t)cap)
        return -1;
    u_uastrncpy(out, zone, (int32_t)len);
    return (int32_t)len;
}

bool ap_tz_valid(const char *zone)
{
    UChar id[AP_TZ_ID_MAX], canonical[AP_TZ_ID_MAX];
    UErrorCode status = U_ZERO_ERROR;
    int32_t len = to_uchars(zone, id, AP_TZ_ID_MAX);
    if (len < 0)
        return false;
    UBool is_system = 0;
    ucal_getCanonicalTimeZoneID(id, len, canonical, AP_TZ_ID_MAX, &is_system, &status);
    return U_SUCCESS(status) && is_system;
}

enum ap_status ap_tz_open(const char *zone, struct ap_tz **out, struct ap_error *err)
{
    UChar id[AP_TZ_ID_MAX];
    UErrorCode status = U_ZERO_ERROR;
    *out = NULL;
    int32_t len = to_uchars(zone, id, AP_TZ_ID_MAX);
    if (len < 0 || !ap_tz_valid(zone))
        return ap_error_set(err, AP_INVALID, "time_zone", "\"time_zone\": \"%.64s\" is not an IANA time zone", zone);
    UCalendar *cal = ucal_open(id, len, "en_US_POSIX", UCAL_GREGORIAN, &status);
    if (U_FAILURE(status))
        return ap_error_set(err, AP_INTERNAL, "time_zone", "ICU cannot open zone %.64s: %s", zone,
                            u_errorName(status));
    /* Proleptic Gregorian throughout, as our day numbers are. */
    ucal_setGregorianChange(cal, -8.64e15, &status);
    struct ap_tz *tz = ap_malloc(sizeof *tz);
    tz->cal = cal;
    *out = tz;
    return AP_OK;
}

void ap_tz_close(struct ap_tz *tz)
{
    if (tz == NULL)
        return;
    ucal_close(tz->cal);
    free(tz);
}

int32_t ap_tz_offset_seconds(struct ap_tz *tz, int64_t utc_us)
{
    UErrorCode status = U_ZERO_ERROR;
    /* Floor to the millisecond: ICU's clock is in milliseconds. */
    int64_t ms = utc_us >= 0 ? utc_us / 1000 : -((-utc_us + 999) / 1000);
    ucal_setMillis(tz->cal, (UDate)ms, &status);
    int32_t zone = ucal_get(tz->cal, UCAL_ZONE_OFFSET, &status);
    int32_t dst = ucal_get(tz->cal, UCAL_DST_OFFSET, &status);
    if (U_FAILURE(status))
        return 0;
    return (zone + dst) / 1000;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int64_t ap_tz_local_day(struct ap_tz *tz, int64_t utc_us)
{
    int64_t local_s = floor_div(utc_us, AP_USEC_PER_SEC) + ap_tz_offset_seconds(tz, utc_us);
    return floor_div(local_s, 86400);
}

int ap_day_weekday(int64_t day)
{
    /* 1970-01-01 was a Thursday (3 with Monday = 0). */
    int64_t w = (day + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

bool ap_day_parse(const char *s, int64_t *day)
{
    unsigned y, m, d;
    char tail;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return false;
    if (sscanf(s, "%4u-%2u-%2u%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1)
        return false;
    int64_t n = ap_days_from_civil(y, m, d);
    int64_t yy;
    unsigned mm, dd;
    ap_civil_from_days(n, &yy, &mm, &dd);
    if (mm != m || dd != d) /* 2026-02-30 rolls over: not a real date */
        return false;
    *day = n;
    return true;
}

void ap_day_format(int64_t day, char out[16])
{
    int64_t y;
    unsigned m, d;
    ap_civil_from_days(day, &y, &m, &d);
    snprintf(out, 16, "%04lld-%02u-%02u", (long long)y, m, d);
}

void ap_tz_format_local(struct ap_tz *tz, int64_t utc_us, char out[AP_TZ_TIME_MAX])
{
    int32_t offset = ap_tz_offset_seconds(tz, utc_us);
    int64_t local_s = floor_div(utc_us, AP_USEC_PER_SEC) + offset;
    int64_t day = floor_div(local_s, 86400), second = local_s - day * 86400;
    int64_t y;
    unsigned m, d;
    ap_civil_from_days(day, &y, &m, &d);
    int32_t off = offset < 0 ? -offset : offset;
    snprintf(out, AP_TZ_TIME_MAX, "%04lld-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", (long long)y, m, d,
             (int)(second / 3600), (int)(second / 60 % 60), (int)(second % 60),
             offset < 0 ? '-' : '+', (int)(off / 3600), (int)(off / 60 % 60));
}
