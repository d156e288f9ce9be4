/* Topic labels a lead can read: greetings and sign-offs around the question
 * cut, order and ticket numbers shown as "…", nothing cut that would leave
 * the label empty, never a UTF-8 character cut in half. A table: input,
 * expected. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "gaps/gaps.h"

static const struct {
    const char *text, *label;
} CASES[] = {
    {"Where is my order?", "Where is my order?"},
    {"Hello, how much is shipping to Denmark? Thank you.", "How much is shipping to Denmark?"},
    {"Good morning, do I have to pay for return shipping? Cheers",
     "Do I have to pay for return shipping?"},
    {"Hei! Kan dere sjekke status på ordre 10045? Takk på forhånd.",
     "Kan dere sjekke status på ordre \xe2\x80\xa6?"},
    {"Kan jeg bestille som bedrift? Mvh", "Kan jeg bestille som bedrift?"},
    {"Hallo, jeg trenger en annen størrelse, må jeg returnere? Takk for hjelpen.",
     "Jeg trenger en annen størrelse, må jeg returnere?"},
    {"where is my order, thanks", "where is my order"},
    {"Hi there! Hi, my ticket #A-2231 is still open", "My ticket \xe2\x80\xa6 is still open"},
    {"Thanks", "Thanks"},
    {"Hello", "Hello"},
    {"Hi!", "Hi!"},
    {"Highway tolls: do you pay them?", "Highway tolls: do you pay them?"},
    {"Is the 2 year warranty valid?", "Is the 2 year warranty valid?"},
    {"Call me on 99887766 please", "Call me on \xe2\x80\xa6 please"},
    {"", ""},
};

static void test_label_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
        char out[AP_GAP_LABEL_TEXT_MAX + 1];
        size_t len = ap_gap_label_trim(CASES[i].text, out, sizeof out);
        assert_string_equal(out, CASES[i].label);
        assert_int_equal(len, strlen(CASES[i].label));
    }
}

/* A small buffer gets whole words and characters only. */
static void test_label_fits_the_buffer(void **state)
{
    (void)state;
    char out[8];
    size_t len = ap_gap_label_trim("Hvor er størrelsen?", out, sizeof out);
    assert_true(len < sizeof out);
    assert_string_equal(out, "Hvor er");
    assert_int_equal(ap_gap_label_trim("abc", out, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_label_table),
        cmocka_unit_test(test_label_fits_the_buffer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
