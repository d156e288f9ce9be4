/* Table-driven tests of the text pipeline: input, language, expected tokens. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "text/stopwords.h"
#include "text/text.h"

struct token_case {
    const char *text;
    const char *language; /* BCP 47 or stemmer name; NULL: no stemming */
    const char *tokens;   /* space-separated */
};

static const struct token_case token_cases[] = {
    {"How do I reset my password?", "en", "reset password"},
    {"I forgot my login, how do I change it?", "en", "forgot login chang"},
    {"Resetting PASSWORDS — resets, reset!", "en", "reset password reset reset"},
    {"Where's my card? It hasn't arrived", "en", "where card hasn't arriv"},
    {"Can I pay with Apple Pay?", "en", "pay appl pay"},
    {"Order #12345 arrived 2 days late", "en", "order 12345 arriv 2 day late"},
    {"Hvordan endrer jeg passordet mitt?", "nb", "endr passord"},
    {"Jeg har glemt passordet og får ikke logget inn", "nb", "glemt passord får logg"},
    {"Når kommer pakken min?", "no", "komm pakk"},
    {"Kan jeg betale med kort på døren?", "nb", "betal kort dør"},
    {"ÆØÅ blåbærsyltetøy", "nb", "æøå blåbærsyltetøy"},
    {"Straße café naïve ﬁle", NULL, "strasse café naïve file"},
    {"Wie ändere ich mein Passwort?", "de", "wie and ich mein passwort"},
    {"   ", "en", ""},
    {"?!.,;", "en", ""},
};

static void join_tokens(const struct ap_tokens *t, char *out, size_t size)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < t->n; i++)
        used += (size_t)snprintf(out + used, size - used, "%s%s", i ? " " : "", t->items[i]);
}

static void test_tokens(void **state)
{
    struct ap_text *t = *state;
    for (size_t i = 0; i < sizeof token_cases / sizeof token_cases[0]; i++) {
        struct ap_tokens tokens = {0};
        struct ap_error err;
        char got[512];
        const struct token_case *c = &token_cases[i];
        assert_int_equal(ap_text_tokens(t, c->text, strlen(c->text), ap_text_stemmer_for(c->language),
                                        &tokens, &err),
                         AP_OK);
        join_tokens(&tokens, got, sizeof got);
        if (strcmp(got, c->tokens) != 0)
            fail_msg("\"%s\" (%s): got \"%s\", want \"%s\"", c->text, c->language ? c->language : "-",
                     got, c->tokens);
        ap_tokens_free(&tokens);
    }
}

static void test_language_choice(void **state)
{
    struct ap_text *t = *state;
    static const struct {
        const char *text, *language, *fallback, *want;
    } cases[] = {
        {"anything", "en-GB", "nb", "english"},
        {"anything", "nb", NULL, "norwegian"},
        {"anything", "nn-NO", NULL, "norwegian"},
        {"Hvordan kan jeg endre adressen min?", NULL, "en", "norwegian"},
        {"How can I change the address on my account?", NULL, "nb", "english"},
        {"Hvor er pakken min, jeg har ventet i en uke", NULL, NULL, "norwegian"},
        {"refund", NULL, "nb", "norwegian"}, /* too little to tell: the account's default */
        {"refund", NULL, NULL, NULL},
        {"Ich möchte mein Passwort ändern", "de", "en", "german"},
        {"x", "tlh", "en", "english"},     /* a language without a stemmer: detection, then default */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = ap_text_language(t, cases[i].text, strlen(cases[i].text), cases[i].language,
                                           cases[i].fallback);
        if ((got == NULL) != (cases[i].want == NULL) || (got && strcmp(got, cases[i].want) != 0))
            fail_msg("\"%s\": got %s, want %s", cases[i].text, got ? got : "none",
                     cases[i].want ? cases[i].want : "none");
    }
}

static void test_every_stemmer_works(void **state)
{
    struct ap_text *t = *state;
    static const char *const codes[] = {"ar", "hy", "eu", "ca", "da", "nl", "en", "fi", "fr", "de",
                                        "el", "hi", "hu", "id", "ga", "it", "lt", "ne", "nb", "pt",
                                        "ro", "ru", "sr", "es", "sv", "ta", "tr", "yi"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        struct ap_tokens tokens = {0};
        struct ap_error err;
        const char *stemmer = ap_text_stemmer_for(codes[i]);
        assert_non_null(stemmer);
        assert_int_equal(ap_text_tokens(t, "testing words", 13, stemmer, &tokens, &err), AP_OK);
        assert_true(tokens.n >= 1);
        ap_tokens_free(&tokens);
    }
}

static void test_stopword_lists_sorted(void **state)
{
    (void)state;
    /* ap_stopword bisects: an unsorted list would miss words. */
    assert_true(ap_stopword("english", "the"));
    assert_true(ap_stopword("english", "yours"));
    assert_true(ap_stopword("english", "a"));
    assert_true(ap_stopword("norwegian", "å"));
    assert_true(ap_stopword("norwegian", "være"));
    assert_true(ap_stopword("norwegian", "alle"));
    assert_false(ap_stopword("english", "password"));
    assert_false(ap_stopword("german", "der"));
    assert_false(ap_stopword(NULL, "the"));
}

static int setup(void **state)
{
    struct ap_text *t;
    struct ap_error err;
    if (ap_text_new(&t, &err) != AP_OK)
        return -1;
    *state = t;
    return 0;
}

/* Identity: what counts as "the same question" (case, white space, the
 * punctuation at the end), and what still tells two questions apart. */
static const struct {
    const char *text, *identity;
} identity_cases[] = {
    {"Where is my order?", "where is my order"},
    {"  WHERE   is my\torder ?! ", "where is my order"},
    {"Where is my order.", "where is my order"},
    {"Where is my order?!…", "where is my order"},
    {"Where, is my order?", "where, is my order"},     /* inside punctuation stays */
    {"Hvor er bestillingen MIN?", "hvor er bestillingen min"},
    {"Straße?", "strasse"},
    {"order #12345?", "order #12345"},
    {"???", ""},
    {"", ""},
};

static void test_identity(void **state)
{
    struct ap_text *t = *state;
    for (size_t i = 0; i < sizeof identity_cases / sizeof *identity_cases; i++) {
        struct ap_buf out;
        struct ap_error err;
        ap_buf_init(&out, 4096);
        ap_buf_append_str(&out, "<");
        const char *text = identity_cases[i].text;
        assert_int_equal(ap_text_identity(t, text, strlen(text), &out, &err), AP_OK);
        ap_buf_append_char(&out, '\0');
        char expected[128];
        snprintf(expected, sizeof expected, "<%s", identity_cases[i].identity);
        assert_string_equal(out.data, expected); /* appended after what was there */
        ap_buf_free(&out);
    }
}

static int teardown(void **state)
{
    ap_text_destroy(*state);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_language_choice),
        cmocka_unit_test(test_every_stemmer_works),
        cmocka_unit_test(test_stopword_lists_sorted),
        cmocka_unit_test(test_identity),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
