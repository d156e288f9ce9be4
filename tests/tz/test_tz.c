/* Tests of src/tz: offsets and local days from ICU's time-zone database across
 * DST changes and odd offsets, ISO weekdays, and date parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "tz/tz.h"

static int64_t at(const char *rfc3339)
{
    int64_t us = 0;
    assert_true(ap_time_parse_rfc3339(rfc3339, strlen(rfc3339), &us));
    return us;
}

static int64_t day(const char *date)
{
    int64_t d = 0;
    assert_true(ap_day_parse(date, &d));
    return d;
}

static void test_offsets(void **state)
{
    (void)state;
    static const struct {
        const char *zone, *instant;
        int32_t offset;
        const char *local_day;
    } cases[] = {
        /* Oslo: CEST until 2026-10-25 01:00Z, CET after; CET until 2026-03-29 01:00Z. */
        {"Europe/Oslo", "2026-10-25T00:59:59Z", 7200, "2026-10-25"},
        {"Europe/Oslo", "2026-10-25T01:00:00Z", 3600, "2026-10-25"},
        {"Europe/Oslo", "2026-10-25T22:30:00Z", 3600, "2026-10-25"},
        {"Europe/Oslo", "2026-10-25T23:30:00Z", 3600, "2026-10-26"},
        {"Europe/Oslo", "2026-03-29T00:59:59Z", 3600, "2026-03-29"},
        {"Europe/Oslo", "2026-03-29T01:00:00Z", 7200, "2026-03-29"},
        {"Europe/Oslo", "2026-03-28T22:59:59Z", 3600, "2026-03-28"},
        {"Europe/Oslo", "2026-03-28T23:00:00Z", 3600, "2026-03-29"},
        /* New York: EDT until 2026-11-01 06:00Z, EST after; DST from 2026-03-08 07:00Z. */
        {"America/New_York", "2026-11-01T05:59:59Z", -14400, "2026-11-01"},
        {"America/New_York", "2026-11-01T06:00:00Z", -18000, "2026-11-01"},
        {"America/New_York", "2026-11-02T04:59:59Z", -18000, "2026-11-01"},
        {"America/New_York", "2026-03-08T07:00:00Z", -14400, "2026-03-08"},
        {"America/New_York", "2026-03-09T03:59:59Z", -14400, "2026-03-08"},
        /* Half-hour and 45-minute offsets. */
        {"Asia/Kolkata", "2026-11-02T18:29:59Z", 19800, "2026-11-02"},
        {"Asia/Kolkata", "2026-11-02T18:30:00Z", 19800, "2026-11-03"},
        {"Asia/Kathmandu", "2026-11-02T18:14:59Z", 20700, "2026-11-02"},
        {"Asia/Kathmandu", "2026-11-02T18:15:00Z", 20700, "2026-11-03"},
        {"UTC", "2026-11-02T23:59:59.999999Z", 0, "2026-11-02"},
        {"UTC", "1969-12-31T23:59:59.5Z", 0, "1969-12-31"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ap_tz *tz;
        struct ap_error err;
        assert_int_equal(ap_tz_open(cases[i].zone, &tz, &err), AP_OK);
        int64_t us = at(cases[i].instant);
        if (ap_tz_offset_seconds(tz, us) != cases[i].offset ||
            ap_tz_local_day(tz, us) != day(cases[i].local_day))
            fail_msg("%s at %s: offset %d day %lld", cases[i].zone, cases[i].instant,
                     ap_tz_offset_seconds(tz, us), (long long)ap_tz_local_day(tz, us));
        ap_tz_close(tz);
    }
}

static void test_zone_validation(void **state)
{
    (void)state;
    struct ap_tz *tz = NULL;
    struct ap_error err;
    assert_true(ap_tz_valid("Europe/Oslo"));
    assert_true(ap_tz_valid("UTC"));
    assert_true(ap_tz_valid("Asia/Kathmandu"));
    assert_false(ap_tz_valid("Mars/Base"));
    assert_false(ap_tz_valid(""));
    assert_false(ap_tz_valid("Europe/Oslo/"));
    assert_int_equal(ap_tz_open("Nowhere/City", &tz, &err), AP_INVALID);
    assert_null(tz);
    assert_string_equal(err.field, "time_zone");
}

static void test_weekday_and_dates(void **state)
{
    (void)state;
    char out[16];
    assert_int_equal(ap_day_weekday(day("2026-11-02")), 0); /* Monday */
    assert_int_equal(ap_day_weekday(day("2026-11-08")), 6); /* Sunday */
    assert_int_equal(ap_day_weekday(day("1970-01-01")), 3); /* Thursday */
    assert_int_equal(ap_day_weekday(day("1969-12-29")), 0);
    ap_day_format(day("2024-02-29"), out);
    assert_string_equal(out, "2024-02-29");
    int64_t d;
    static const char *const bad[] = {"2026-02-29", "2026-13-01", "2026-1-01", "2026-01-01x",
                                      "20260101", "2026/01/01", "", "2026-00-10", "2026-04-31"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (ap_day_parse(bad[i], &d))
            fail_msg("accepted \"%s\"", bad[i]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offsets),
        cmocka_unit_test(test_zone_validation),
        cmocka_unit_test(test_weekday_and_dates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
