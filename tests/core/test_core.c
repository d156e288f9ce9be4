/* Tests of src/core: RFC 3339 parsing and formatting, civil dates, bounded
 * buffers, JSON string escaping and UTF-8 checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "core/core.h"

static void test_rfc3339_accepts(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int64_t us;
    } cases[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"2026-11-02T09:15:00Z", INT64_C(1793610900000000)},
        {"2026-11-02T10:15:00.250+01:00", INT64_C(1793610900250000)},
        {"2026-11-02t09:15:00z", INT64_C(1793610900000000)},
        {"2026-11-02T04:00:00-05:15", INT64_C(1793610900000000)},
        {"2024-02-29T00:00:00Z", INT64_C(1709164800000000)},
        {"2026-11-02T09:15:00.123456789Z", INT64_C(1793610900123456)},
        {"1969-12-31T23:59:59.5Z", INT64_C(-500000)},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int64_t us = 0;
        assert_true(ap_time_parse_rfc3339(cases[i].text, strlen(cases[i].text), &us));
        assert_int_equal(us, cases[i].us);
    }
}

static void test_rfc3339_rejects(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", "2026-11-02", "2026-11-02T09:15:00", "2026-11-02 09:15:00Z", "2026-13-02T09:15:00Z",
        "2026-02-29T09:15:00Z", "2026-11-31T09:15:00Z", "2026-11-02T24:00:00Z",
        "2026-11-02T09:60:00Z", "2026-11-02T09:15:60Z", "2026-11-02T09:15:00.Z",
        "2026-11-02T09:15:00.1234567890Z", "2026-11-02T09:15:00+0100", "2026-11-02T09:15:00+24:00",
        "2026-11-02T09:15:00Zjunk", "26-11-02T09:15:00Z", "2026-11-02T9:15:00Z",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t us;
        if (ap_time_parse_rfc3339(bad[i], strlen(bad[i]), &us))
            fail_msg("accepted \"%s\"", bad[i]);
    }
}

static void test_rfc3339_format(void **state)
{
    (void)state;
    char out[AP_TIME_RFC3339_MAX];
    ap_time_format_rfc3339(INT64_C(1793610900250000), out);
    assert_string_equal(out, "2026-11-02T09:15:00.25Z");
    ap_time_format_rfc3339(0, out);
    assert_string_equal(out, "1970-01-01T00:00:00Z");
    ap_time_format_rfc3339(INT64_C(-500000), out);
    assert_string_equal(out, "1969-12-31T23:59:59.5Z");
}

static void test_civil_round_trip(void **state)
{
    (void)state;
    for (int64_t days = -800000; days < 800000; days += 37) {
        int64_t y;
        unsigned m, d;
        ap_civil_from_days(days, &y, &m, &d);
        assert_int_equal(ap_days_from_civil(y, m, d), days);
    }
    assert_int_equal(ap_days_from_civil(2000, 3, 1), 11017);
}

static void test_buf_cap(void **state)
{
    (void)state;
    struct ap_buf b;
    ap_buf_init(&b, 8);
    assert_int_equal(ap_buf_append_str(&b, "12345678"), AP_OK);
    assert_string_equal(b.data, "12345678");
    assert_int_equal(ap_buf_append_char(&b, '9'), AP_TOO_LARGE);
    /* The failure sticks: what fits after it is refused too, so a document
     * can never lose a part in the middle and go on as if whole. */
    assert_int_equal(ap_buf_append_str(&b, ""), AP_TOO_LARGE);
    ap_buf_reset(&b);
    assert_int_equal(ap_buf_status(&b), AP_OK);
    ap_buf_free(&b);
    ap_buf_init(&b, 8);
    assert_int_equal(ap_buf_append_str(&b, "123456"), AP_OK);
    assert_int_equal(ap_buf_printf(&b, "%s", "789"), AP_TOO_LARGE);
    assert_int_equal(ap_buf_append_char(&b, '!'), AP_TOO_LARGE);
    assert_int_equal(ap_buf_append_json_string(&b, "", 0), AP_TOO_LARGE);
    assert_string_equal(b.data, "123456");
    assert_int_equal(ap_buf_status(&b), AP_TOO_LARGE);
    struct ap_error err;
    assert_int_equal(ap_buf_check(&b, "the list", &err), AP_INTERNAL);
    assert_string_equal(err.message, "the list larger than its limit of 8 bytes");
    ap_buf_free(&b);
    assert_int_equal(ap_buf_status(&b), AP_OK);
}

static void test_buf_append_buf_carries_the_failure(void **state)
{
    (void)state;
    struct ap_buf part, doc;
    ap_buf_init(&part, 4);
    ap_buf_init(&doc, 1024);
    ap_buf_append_str(&doc, "[");
    assert_int_equal(ap_buf_append_str(&part, "ab"), AP_OK);
    assert_int_equal(ap_buf_append_buf(&doc, &part), AP_OK);
    assert_int_equal(ap_buf_append_str(&part, "cde"), AP_TOO_LARGE);
    assert_int_equal(ap_buf_append_buf(&doc, &part), AP_TOO_LARGE);
    assert_int_equal(ap_buf_append_str(&doc, "]"), AP_TOO_LARGE);
    assert_string_equal(doc.data, "[ab");
    ap_buf_free(&part);
    ap_buf_free(&doc);
}

static void test_buf_printf_long(void **state)
{
    (void)state;
    struct ap_buf b;
    char big[1000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ap_buf_init(&b, 4096);
    assert_int_equal(ap_buf_printf(&b, "<%s>", big), AP_OK);
    assert_int_equal(b.len, 1001);
    ap_buf_free(&b);
}

static void test_json_string_escape(void **state)
{
    (void)state;
    struct ap_buf b;
    const char in[] = "a\"b\\c\n\x01" "é";
    ap_buf_init(&b, 1024);
    ap_buf_append_json_string(&b, in, strlen(in));
    assert_string_equal(b.data, "\"a\\\"b\\\\c\\n\\u0001é\"");
    ap_buf_free(&b);
}

static void test_utf8(void **state)
{
    (void)state;
    assert_true(ap_utf8_valid("blåbærsyltetøy", strlen("blåbærsyltetøy")));
    assert_int_equal(ap_utf8_length("blåbær", strlen("blåbær")), 6);
    assert_false(ap_utf8_valid("\xff", 1));
    assert_false(ap_utf8_valid("\xc0\xaf", 2));         /* overlong */
    assert_false(ap_utf8_valid("\xed\xa0\x80", 3));     /* surrogate */
    assert_false(ap_utf8_valid("\xe2\x82", 2));         /* truncated */
    assert_true(ap_utf8_printable("conv-1 ø", strlen("conv-1 ø")));
    assert_false(ap_utf8_printable("a\tb", 3));
    assert_false(ap_utf8_printable("a\xc2\x85", 3));    /* C1 control */
}

/* 200 copies of a three-byte character, the shape of issue 21's attack. */
static void fill_euros(char *out, size_t copies)
{
    for (size_t i = 0; i < copies; i++)
        memcpy(out + 3 * i, "\xe2\x82\xac", 3);
    out[3 * copies] = '\0';
}

static void test_error_message_cut_on_character_boundary(void **state)
{
    (void)state;
    char euros[3 * 200 + 1];
    fill_euros(euros, 200);
    struct ap_error errors[4];
    ap_error_set(&errors[0], AP_INVALID, euros, "unknown event type \"%.64s\"", euros);
    ap_error_set(&errors[1], AP_INVALID, euros, "no answer \"%s\"", euros);
    ap_error_set(&errors[2], AP_INVALID, euros, "x%s", euros);
    ap_error_set(&errors[3], AP_INVALID, euros, "xx%s", euros);
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        assert_true(ap_utf8_valid(errors[i].message, strlen(errors[i].message)));
        assert_true(ap_utf8_valid(errors[i].field, strlen(errors[i].field)));
        assert_true(strlen(errors[i].message) > 60);
    }
}

static void test_utf8_prefix_and_copy(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        size_t max, expected;
    } cases[] = {
        {"abc", 5, 3},   {"abc", 2, 2},          {"a\xc3\xa9", 2, 1},
        {"a\xc3\xa9", 3, 3}, {"\xe2\x82\xac\xe2\x82\xac", 4, 3}, {"\xe2\x82\xac\xe2\x82\xac", 5, 3},
        {"\xe2\x82\xac\xe2\x82\xac", 6, 6}, {"\xf0\x9f\x98\x80x", 3, 0}, {"\xf0\x9f\x98\x80x", 4, 4},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(ap_utf8_prefix(cases[i].text, strlen(cases[i].text), cases[i].max),
                         cases[i].expected);
    char small[6];
    assert_int_equal(ap_copy_str(small, sizeof small, "\xe2\x82\xac\xe2\x82\xac"), 3);
    assert_string_equal(small, "\xe2\x82\xac");
    assert_int_equal(ap_copy_str(small, sizeof small, "abcde"), 5);
    assert_int_equal(ap_copy_str(small, sizeof small, "abcdefg"), 5);
}

static void test_utf8_scrub(void **state)
{
    (void)state;
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},
        {"cut \xe2\x82", "cut "},
        {"\"\xe2\x82\"", "\"\""},
        {"a\xff" "b\xc0\xaf" "c", "abc"},
        {"bl\xc3\xa5" "b\xc3\xa6" "r", "bl\xc3\xa5" "b\xc3\xa6" "r"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[32];
        snprintf(text, sizeof text, "%s", cases[i].in);
        assert_int_equal(ap_utf8_scrub(text), strlen(cases[i].out));
        assert_string_equal(text, cases[i].out);
    }
}

static void test_json_string_replaces_invalid_utf8(void **state)
{
    (void)state;
    struct ap_buf b;
    const char in[] = "x\xe2\x82\"y\xff";
    ap_buf_init(&b, 1024);
    assert_int_equal(ap_buf_append_json_string(&b, in, strlen(in)), AP_OK);
    assert_string_equal(b.data, "\"x\xef\xbf\xbd\xef\xbf\xbd\\\"y\xef\xbf\xbd\"");
    ap_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339_accepts),  cmocka_unit_test(test_rfc3339_rejects),
        cmocka_unit_test(test_rfc3339_format),   cmocka_unit_test(test_civil_round_trip),
        cmocka_unit_test(test_buf_cap),          cmocka_unit_test(test_buf_printf_long),
        cmocka_unit_test(test_buf_append_buf_carries_the_failure),
        cmocka_unit_test(test_json_string_escape), cmocka_unit_test(test_utf8),
        cmocka_unit_test(test_error_message_cut_on_character_boundary),
        cmocka_unit_test(test_utf8_prefix_and_copy),
        cmocka_unit_test(test_utf8_scrub),
        cmocka_unit_test(test_json_string_replaces_invalid_utf8),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
