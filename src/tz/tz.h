/* Time zones, through ICU's copy of the IANA time-zone database: which local
 * date an instant falls on in an account's zone. Local dates are day numbers
 * (days since 1970-01-01 of the proleptic Gregorian calendar). */
#ifndef AP_TZ_H
#define AP_TZ_H

#include "core/core.h"

#define AP_TZ_ID_MAX 128

/* True when `zone` is an IANA zone id ICU knows ("Europe/Oslo", "UTC"). */
bool ap_tz_valid(const char *zone);

/* A zone opened for conversions. Not thread-safe: one per thread or per call.
 * Release with ap_tz_close (accepts NULL). */
struct ap_tz;
enum ap_status ap_tz_open(const char *zone, struct ap_tz **out, struct ap_error *err);
void ap_tz_close(struct ap_tz *tz);

/* The UTC offset in effect at an instant, in seconds (east positive). */
int32_t ap_tz_offset_seconds(struct ap_tz *tz, int64_t utc_us);
/* An instant as local ISO 8601 time with its offset, to the second:
 * "2026-11-30T19:51:15+01:00" (what people read; the API keeps UTC). */
#define AP_TZ_TIME_MAX 32
void ap_tz_format_local(struct ap_tz *tz, int64_t utc_us, char out[AP_TZ_TIME_MAX]);
/* The local day number of an instant. */
int64_t ap_tz_local_day(struct ap_tz *tz, int64_t utc_us);

/* Weekday of a day number, Monday = 0 ... Sunday = 6 (ISO 8601). */
int ap_day_weekday(int64_t day);
/* Parses "YYYY-MM-DD" into a day number; false when it is not a real date. */
bool ap_day_parse(const char *s, int64_t *day);
/* Formats a day number as "YYYY-MM-DD". */
void ap_day_format(int64_t day, char out[16]);

#endif
