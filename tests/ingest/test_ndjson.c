/* Tests of src/ingest/ndjson.h: the same cases read from memory, from an
 * fmemopen stream and from a file, so that both reader modes agree on line
 * numbers, blank lines, CRLF, the last line and lines over the cap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ingest/ndjson.h"

#define MIB (1u << 20)

enum mode { MODE_MEMORY, MODE_FMEMOPEN, MODE_FILE, MODE__COUNT };
static const char *const mode_names[] = {"memory", "fmemopen", "file"};

/* One expected result of ap_ndjson_next: the line number after the call, and
 * the line for AP_NDJSON_LINE (text of len bytes). */
struct want {
    enum ap_ndjson_result res;
    size_t line_no;
    const char *text;
    size_t len;
};

#define LINE(no, s) {AP_NDJSON_LINE, (no), (s), sizeof(s) - 1}
#define TOO_LONG(no) {AP_NDJSON_TOO_LONG, (no), NULL, 0}
#define END(no) {AP_NDJSON_END, (no), NULL, 0}

static char *temp_path(void)
{
    static unsigned counter;
    const char *dir = getenv("AP_TEST_TMP");
    char *path = ap_malloc(4096);
    snprintf(path, 4096, "%s/ndjson-%ld-%u.txt", dir && *dir ? dir : "/tmp", (long)getpid(),
             counter++);
    return path;
}

/* Reads data in one mode and checks every result against want[], which ends
 * with an AP_NDJSON_END or AP_NDJSON_IO_ERROR entry. */
static void check_mode(const char *name, enum mode mode, const char *data, size_t len,
                       size_t max_line, const struct want *want)
{
    struct ap_ndjson_reader r;
    FILE *fp = NULL;
    char *path = NULL;
    switch (mode) {
    case MODE_MEMORY:
        ap_ndjson_init_memory(&r, data, len, max_line);
        break;
    case MODE_FMEMOPEN:
        if (len == 0)
            return; /* fmemopen of zero bytes is not portable; the file mode covers it */
        fp = fmemopen((void *)data, len, "r");
        assert_non_null(fp);
        ap_ndjson_init_stream(&r, fp, max_line);
        break;
    default:
        path = temp_path();
        fp = fopen(path, "w+");
        assert_non_null(fp);
        assert_int_equal(fwrite(data, 1, len, fp), len);
        rewind(fp);
        ap_ndjson_init_stream(&r, fp, max_line);
        break;
    }
    for (size_t i = 0;; i++) {
        const char *line = NULL;
        size_t n = 0;
        enum ap_ndjson_result res = ap_ndjson_next(&r, &line, &n);
        if (res != want[i].res || r.line_no != want[i].line_no)
            fail_msg("%s (%s) step %zu: result %d at line %zu, expected %d at line %zu", name,
                     mode_names[mode], i, (int)res, r.line_no, (int)want[i].res,
                     want[i].line_no);
        if (res == AP_NDJSON_LINE &&
            (n != want[i].len || memcmp(line, want[i].text, n) != 0))
            fail_msg("%s (%s) step %zu: line of %zu bytes \"%.40s\", expected %zu bytes "
                     "\"%.40s\"", name, mode_names[mode], i, n, line, want[i].len, want[i].text);
        if (res == AP_NDJSON_END || res == AP_NDJSON_IO_ERROR)
            break;
    }
    /* The end is sticky. */
    if (want[0].res != AP_NDJSON_IO_ERROR) {
        const char *line;
        size_t n;
        size_t line_no = r.line_no;
        assert_int_equal(ap_ndjson_next(&r, &line, &n), AP_NDJSON_END);
        assert_int_equal(r.line_no, line_no);
    }
    ap_ndjson_free(&r);
    ap_ndjson_free(&r); /* safe twice */
    if (fp)
        fclose(fp);
    if (path) {
        unlink(path);
        free(path);
    }
}

static void check_all_modes(const char *name, const char *data, size_t len, size_t max_line,
                            const struct want *want)
{
    for (int m = 0; m < MODE__COUNT; m++)
        check_mode(name, (enum mode)m, data, len, max_line, want);
}

struct ndjson_case {
    const char *name;
    const char *input;
    size_t max_line;
    struct want want[8];
};

static const struct ndjson_case cases[] = {
    {"three lines", "a\nb\nc\n", 64, {LINE(1, "a"), LINE(2, "b"), LINE(3, "c"), END(3)}},
    {"last line without newline", "{\"a\":1}\n{\"b\":2}", 64,
     {LINE(1, "{\"a\":1}"), LINE(2, "{\"b\":2}"), END(2)}},
    {"single line without newline", "x", 64, {LINE(1, "x"), END(1)}},
    {"empty input", "", 64, {END(0)}},
    {"only newlines", "\n\n\n", 64, {END(3)}},
    {"only blanks", " \n\t\n\r\n \t\r", 64, {END(4)}},
    {"blank lines skipped but counted", "a\n\n  \n\t\nb\n\n", 64,
     {LINE(1, "a"), LINE(5, "b"), END(6)}},
    {"leading blank lines", "\n\n\nfirst\n", 64, {LINE(4, "first"), END(4)}},
    {"CRLF stripped", "a\r\nb\r\n\r\nc\r\n", 64,
     {LINE(1, "a"), LINE(2, "b"), LINE(4, "c"), END(4)}},
    {"CR of the last line stripped", "a\r\nb\r", 64, {LINE(1, "a"), LINE(2, "b"), END(2)}},
    {"a lone CR is not a line break", "a\rb\n", 64, {LINE(1, "a\rb"), END(1)}},
    {"inner white space kept", "  {\"a\": 1}  \n", 64, {LINE(1, "  {\"a\": 1}  "), END(1)}},
    {"line at the cap", "12345\n", 5, {LINE(1, "12345"), END(1)}},
    {"line over the cap, then more", "12345\n123456\nab\n1234567\n\nok", 5,
     {LINE(1, "12345"), TOO_LONG(2), LINE(3, "ab"), TOO_LONG(4), LINE(6, "ok"), END(6)}},
    {"last line over the cap without newline", "ab\n123456", 5,
     {LINE(1, "ab"), TOO_LONG(2), END(2)}},
    {"consecutive long lines", "xxxxxxxx\nyyyyyyyy\nzzzzzzzz\n", 3,
     {TOO_LONG(1), TOO_LONG(2), TOO_LONG(3), END(3)}},
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_all_modes(cases[i].name, cases[i].input, strlen(cases[i].input), cases[i].max_line,
                        cases[i].want);
}

/* Lines far longer than one 1 MiB read, at the cap, and starting just before a
 * read boundary: the long ones are reported and everything after is read. */
static void test_long_lines(void **state)
{
    (void)state;
    struct ap_buf b;
    ap_buf_init(&b, 64 * MIB);
    /* The long line starts 20 bytes before the end of the first 1 MiB read. */
    size_t filler_len = MIB - 20 - strlen("first\n") - 1;
    size_t long_len = 3 * MIB + MIB / 2;
    size_t at_cap = MIB;

    ap_buf_append_str(&b, "first\n");
    size_t filler_at = b.len;
    for (size_t i = 0; i < filler_len; i++)
        ap_buf_append_char(&b, 'f');
    ap_buf_append_char(&b, '\n');
    for (size_t i = 0; i < long_len; i++)
        ap_buf_append_char(&b, 'x');
    ap_buf_append_str(&b, "\nthird\n");
    size_t cap_at = b.len;
    for (size_t i = 0; i < at_cap; i++)
        ap_buf_append_char(&b, 'y');
    ap_buf_append_str(&b, "\n");
    for (size_t i = 0; i < at_cap + 1; i++)
        ap_buf_append_char(&b, 'z');
    ap_buf_append_str(&b, "\r\n\nlast");

    const struct want want[] = {
        LINE(1, "first"),
        {AP_NDJSON_LINE, 2, b.data + filler_at, filler_len},
        TOO_LONG(3),
        LINE(4, "third"),
        {AP_NDJSON_LINE, 5, b.data + cap_at, at_cap},
        TOO_LONG(6),
        LINE(8, "last"),
        END(8),
    };
    check_all_modes("long lines", b.data, b.len, MIB, want);
    ap_buf_free(&b);
}

/* A small cap and a long last line without a newline that spans reads. */
static void test_long_last_line(void **state)
{
    (void)state;
    struct ap_buf b;
    ap_buf_init(&b, 64 * MIB);
    ap_buf_append_str(&b, "{}\n");
    for (size_t i = 0; i < 2 * MIB + MIB / 2; i++)
        ap_buf_append_char(&b, 'x');
    const struct want want[] = {LINE(1, "{}"), TOO_LONG(2), END(2)};
    check_all_modes("long last line", b.data, b.len, 100, want);
    ap_buf_free(&b);
}

/* Many short lines: every line that straddles a read boundary comes out whole
 * and numbered right. */
static void test_many_lines(void **state)
{
    (void)state;
    enum { N = 250000 };
    struct ap_buf b;
    ap_buf_init(&b, 64 * MIB);
    for (unsigned i = 1; i <= N; i++) {
        if (i % 1000 == 0)
            ap_buf_append_str(&b, i % 3000 ? "\n" : "\r\n"); /* blank lines */
        else
            ap_buf_printf(&b, "{\"line\":%u,\"pad\":\"%.*s\"}%s", i, (int)(i % 37),
                          "abcdefghijklmnopqrstuvwxyz0123456789!", i % 7 ? "\n" : "\r\n");
    }
    for (int m = 0; m < MODE__COUNT; m++) {
        struct ap_ndjson_reader r;
        FILE *fp = NULL;
        char *path = NULL;
        if (m == MODE_MEMORY) {
            ap_ndjson_init_memory(&r, b.data, b.len, 128);
        } else if (m == MODE_FMEMOPEN) {
            fp = fmemopen(b.data, b.len, "r");
            assert_non_null(fp);
            ap_ndjson_init_stream(&r, fp, 128);
        } else {
            path = temp_path();
            fp = fopen(path, "w+");
            assert_non_null(fp);
            assert_int_equal(fwrite(b.data, 1, b.len, fp), b.len);
            rewind(fp);
            ap_ndjson_init_stream(&r, fp, 128);
        }
        unsigned expect = 1, seen = 0;
        const char *line;
        size_t n;
        enum ap_ndjson_result res;
        while ((res = ap_ndjson_next(&r, &line, &n)) == AP_NDJSON_LINE) {
            if (expect % 1000 == 0)
                expect++;
            char want[128];
            int wn = snprintf(want, sizeof want, "{\"line\":%u,\"pad\":\"%.*s\"}", expect,
                              (int)(expect % 37), "abcdefghijklmnopqrstuvwxyz0123456789!");
            if (r.line_no != expect || n != (size_t)wn || memcmp(line, want, n) != 0)
                fail_msg("%s: line %zu \"%.*s\", expected %u \"%s\"", mode_names[m], r.line_no,
                         (int)n, line, expect, want);
            expect++;
            seen++;
        }
        assert_int_equal(res, AP_NDJSON_END);
        assert_int_equal(seen, N - N / 1000);
        assert_int_equal(r.line_no, N);
        ap_ndjson_free(&r);
        if (fp)
            fclose(fp);
        if (path) {
            unlink(path);
            free(path);
        }
    }
    ap_buf_free(&b);
}

/* A stream that cannot be read reports an I/O error, not the end. */
static void test_io_error(void **state)
{
    (void)state;
    char *path = temp_path();
    FILE *fp = fopen(path, "w"); /* write-only: fread fails */
    assert_non_null(fp);
    struct ap_ndjson_reader r;
    const char *line;
    size_t n;
    ap_ndjson_init_stream(&r, fp, 64);
    assert_int_equal(ap_ndjson_next(&r, &line, &n), AP_NDJSON_IO_ERROR);
    assert_int_equal(r.line_no, 0);
    ap_ndjson_free(&r);
    fclose(fp);
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),      cmocka_unit_test(test_long_lines),
        cmocka_unit_test(test_long_last_line), cmocka_unit_test(test_many_lines),
        cmocka_unit_test(test_io_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
