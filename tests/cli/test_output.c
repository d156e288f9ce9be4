/* Tests of src/cli/output.c: text from input written for a terminal, every
 * control character as an escape (issue 21, item 5). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

/* What ap_cli_write_text writes for `in`. The caller frees it. */
static char *written(const char *in, bool keep_layout)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    ap_cli_write_text(f, in, strlen(in), keep_layout);
    fclose(f);
    return text;
}

static void test_control_characters_are_escaped(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        bool keep_layout;
        const char *out;
    } cases[] = {
        {"plain text, blåbær", false, "plain text, blåbær"},
        {"\x1b]0;owned\x07", false, "\\u001b]0;owned\\u0007"},
        {"\x1b[2Jclear", false, "\\u001b[2Jclear"},
        {"ok\rFAKE", false, "ok\\u000dFAKE"},
        {"a\tb\nc", false, "a\\u0009b\\u000ac"},
        {"a\tb\nc", true, "a\tb\nc"},
        {"row\r\nnext\rover", true, "row\r\nnext\\u000dover"},
        {"c1 \xc2\x9b" "31m", false, "c1 \\u009b31m"},
        {"del \x7f", false, "del \\u007f"},
        {"bidi \xe2\x80\xae" "txt", false, "bidi \\u202etxt"},
        {"bad \xff byte", false, "bad \\xff byte"},
        {"cut \xe2\x82", true, "cut \\xe2\\x82"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *out = written(cases[i].in, cases[i].keep_layout);
        assert_string_equal(out, cases[i].out);
        free(out);
    }
}

static void test_problem_line(void **state)
{
    (void)state;
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    ap_cli_print_problem(f, 3, "rejected", "e\x1b[1", "\"type\": unknown \"\x07\"");
    ap_cli_print_problem(f, 4, "conflict", "", "x");
    fclose(f);
    assert_string_equal(text, "line 3: rejected (id e\\u001b[1): \"type\": unknown \"\\u0007\"\n"
                              "line 4: conflict: x\n");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_control_characters_are_escaped),
        cmocka_unit_test(test_problem_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
