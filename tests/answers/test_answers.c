/* Unit tests of short answers: validation (tables of input → field named),
 * the JSON form, the preview renderer against hostile input, and the
 * matcher's behaviour on a small knowledge base, incremental changes included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answers/answers.h"

/* --- validation -------------------------------------------------------------------- */

struct json_case {
    const char *json;
    enum ap_status status; /* of read + validate */
    const char *field;     /* named on failure */
};

static const struct json_case json_cases[] = {
    {"{\"id\":\"a1\",\"question\":\"q\",\"answer\":\"a\"}", AP_OK, ""},
    {"{\"question\":\"q\",\"answer\":\"a\",\"alternatives\":[\"x\",\"y\"],\"language\":\"nb\"}", AP_OK, ""},
    {"{\"id\":\"a1\",\"question\":\"q\",\"answer\":\"line one\\nline two\"}", AP_OK, ""},
    {"{\"id\":\"a1\",\"question\":\"q\",\"answer\":\"a\",\"unknown\":{\"x\":1}}", AP_OK, ""},
    {"{\"id\":\"a1\",\"question\":\"q\",\"answer\":\"a\",\"language\":\"pt-BR\"}", AP_OK, ""},
    {"{\"id\":\"\",\"question\":\"q\",\"answer\":\"a\"}", AP_INVALID, "id"},
    {"{\"id\":\"a/b\",\"question\":\"q\",\"answer\":\"a\"}", AP_INVALID, "id"},
    {"{\"id\":\"a\\u0001\",\"question\":\"q\",\"answer\":\"a\"}", AP_INVALID, "id"},
    {"{\"id\":7,\"question\":\"q\",\"answer\":\"a\"}", AP_INVALID, "id"},
    {"{\"id\":\"a1\",\"answer\":\"a\"}", AP_INVALID, "question"},
    {"{\"id\":\"a1\",\"question\":\"\",\"answer\":\"a\"}", AP_INVALID, "question"},
    {"{\"id\":\"a1\",\"question\":\"q\\nq\",\"answer\":\"a\"}", AP_INVALID, "question"},
    {"{\"id\":\"a1\",\"question\":\"q\"}", AP_INVALID, "answer"},
    {"{\"id\":\"a1\",\"question\":\"q\",\"answer\":\"bell\\u0007\"}", AP_INVALID, "answer"},
    {"{\"id\":\"a1\",\"question\":\"q\",\"answer\":\"a\",\"alternatives\":\"x\"}", AP_INVALID, "alternatives"},
    {"{\"id\":\"a1\",\"question\":\"q\",\"answer\":\"a\",\"alternatives\":[\"x\",3]}", AP_INVALID, "alternatives"},
    {"{\"id\":\"a1\",\"question\":\"q\",\"answer\":\"a\",\"alternatives\":[\"\"]}", AP_INVALID, "alternatives"},
    {"{\"id\":\"a1\",\"question\":\"q\",\"answer\":\"a\",\"language\":\"english\"}", AP_INVALID, "language"},
    {"{\"id\":\"a1\",\"question\":\"q\",\"answer\":\"a\",\"language\":\"e\"}", AP_INVALID, "language"},
    {"{\"id\":\"a1\",\"question\":\"q\",\"answer\":\"a\",\"language\":\"en-\"}", AP_INVALID, "language"},
    {"{\"id\":\"a1\",\"question\":\"q\",\"answer\":\"a\",\"enabled\":\"yes\"}", AP_INVALID, "enabled"},
    {"{\"id\":\"a1\",\"question\":\"q\",\"answer\":\"a\",\"created_at\":\"2026-01-01T00:00:00Z\"}", AP_INVALID, "created_at"},
    {"[1,2]", AP_INVALID, ""},
};

static void test_validation(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof json_cases / sizeof json_cases[0]; i++) {
        const struct json_case *c = &json_cases[i];
        struct ap_answer a;
        struct ap_error err;
        unsigned present;
        ap_error_clear(&err);
        ap_answer_init(&a);
        enum ap_status rc = ap_answer_read_json(c->json, strlen(c->json), &a, &present, &err);
        if (rc == AP_OK) {
            if (a.id == NULL)
                a.id = ap_strdup("generated");
            rc = ap_answer_validate(&a, &err);
        }
        if (rc != c->status || (rc != AP_OK && strcmp(err.field, c->field) != 0))
            fail_msg("%s: got %s field \"%s\" (%s), want %s field \"%s\"", c->json,
                     ap_status_code(rc), err.field, err.message, ap_status_code(c->status),
                     c->field);
        ap_answer_free(&a);
    }
}

static void test_limits(void **state)
{
    (void)state;
    struct ap_answer a;
    struct ap_error err;
    ap_answer_init(&a);
    a.id = ap_strdup("a1");
    a.question = ap_strdup("q");
    a.answer = calloc(AP_ANSWER_TEXT_MAX + 2, 1);
    memset(a.answer, 'x', AP_ANSWER_TEXT_MAX);
    assert_int_equal(ap_answer_validate(&a, &err), AP_OK);
    a.answer[AP_ANSWER_TEXT_MAX] = 'x';
    assert_int_equal(ap_answer_validate(&a, &err), AP_INVALID);
    assert_string_equal(err.field, "answer");
    a.answer[AP_ANSWER_TEXT_MAX] = '\0';
    for (int i = 0; i < AP_ANSWER_ALTERNATIVES_MAX; i++)
        ap_answer_add_alternative(&a, "alt", 3);
    assert_int_equal(ap_answer_validate(&a, &err), AP_OK);
    ap_answer_add_alternative(&a, "alt", 3);
    assert_int_equal(ap_answer_validate(&a, &err), AP_INVALID);
    assert_string_equal(err.field, "alternatives");
    ap_answer_free(&a);
    char id[200];
    memset(id, 'i', sizeof id);
    assert_int_equal(ap_answer_check_id(id, 128, &err), AP_OK);
    assert_int_equal(ap_answer_check_id(id, 129, &err), AP_INVALID);
}

static void test_json_round_trip(void **state)
{
    (void)state;
    const char *in = "{\"id\":\"a-42\",\"question\":\"Hvordan endrer jeg \\\"passord\\\"?\","
                     "\"alternatives\":[\"glemt passord\",\"bytte innlogging\"],"
                     "\"answer\":\"Gå til https://example.com/reset\\nog følg stegene.\","
                     "\"language\":\"nb\",\"enabled\":false}";
    struct ap_answer a, b;
    struct ap_error err;
    struct ap_buf out;
    unsigned present;
    ap_answer_init(&a);
    ap_answer_init(&b);
    assert_int_equal(ap_answer_read_json(in, strlen(in), &a, &present, &err), AP_OK);
    assert_int_equal(present, AP_ANSWER_F_ID | AP_ANSWER_F_QUESTION | AP_ANSWER_F_ALTERNATIVES |
                                  AP_ANSWER_F_ANSWER | AP_ANSWER_F_LANGUAGE | AP_ANSWER_F_ENABLED);
    ap_buf_init(&out, 1 << 20);
    assert_int_equal(ap_answer_write_json(&a, &out), AP_OK);
    assert_int_equal(ap_answer_read_json(out.data, out.len, &b, &present, &err), AP_INVALID);
    assert_string_equal(err.field, "created_at"); /* written, but set by the service only */
    assert_non_null(strstr(out.data, "\"alternatives\":[\"glemt passord\",\"bytte innlogging\"]"));
    assert_non_null(strstr(out.data, "\"enabled\":false"));
    assert_non_null(strstr(out.data, "\\\"passord\\\""));
    ap_buf_free(&out);
    /* A patch changes only the fields it names. */
    const char *patch = "{\"answer\":\"ny tekst\",\"alternatives\":null}";
    assert_int_equal(ap_answer_read_json(patch, strlen(patch), &a, &present, &err), AP_OK);
    assert_int_equal(present, AP_ANSWER_F_ANSWER | AP_ANSWER_F_ALTERNATIVES);
    assert_string_equal(a.answer, "ny tekst");
    assert_string_equal(a.language, "nb");
    assert_int_equal(a.n_alternatives, 0);
    ap_answer_free(&a);
    ap_answer_free(&b);
}

/* --- the renderer -------------------------------------------------------------------- */

struct render_case {
    const char *answer;
    const char *html; /* the <p class="ap-answer"> content */
};

static const struct render_case render_cases[] = {
    {"plain", "plain"},
    {"a & b < c > d \"e\" 'f'", "a &amp; b &lt; c &gt; d &quot;e&quot; &#39;f&#39;"},
    {"one\ntwo\r\nthree\rfour", "one<br>two<br>three<br>four"},
    {"See https://example.com/reset.", "See <a href=\"https://example.com/reset\" rel=\"noopener "
     "noreferrer nofollow ugc\" target=\"_blank\">https://example.com/reset</a>."},
    {"(http://x.io/a_(b))", "(<a href=\"http://x.io/a_(b)\" rel=\"noopener noreferrer nofollow "
     "ugc\" target=\"_blank\">http://x.io/a_(b)</a>)"},
    {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
    {"<img src=x onerror=alert(1)>", "&lt;img src=x onerror=alert(1)&gt;"},
    {"javascript:alert(1)", "javascript:alert(1)"},
    {"JaVaScRiPt:alert(document.cookie) data:text/html,<b>x</b>",
     "JaVaScRiPt:alert(document.cookie) data:text/html,&lt;b&gt;x&lt;/b&gt;"},
    {"https://x.io/\"onmouseover=alert(1)//", "<a href=\"https://x.io/\" rel=\"noopener noreferrer "
     "nofollow ugc\" target=\"_blank\">https://x.io/</a>&quot;onmouseover=alert(1)//"},
    {"https://x.io/?a=1&b='2'", "<a href=\"https://x.io/?a=1&amp;b=&#39;2\" rel=\"noopener "
     "noreferrer nofollow ugc\" target=\"_blank\">https://x.io/?a=1&amp;b=&#39;2</a>&#39;"},
    {"xhttps://evil.example", "xhttps://evil.example"},
    {"https://", "https://"},
    {"&lt;already escaped&gt;", "&amp;lt;already escaped&amp;gt;"},
    {"</p></div><iframe>", "&lt;/p&gt;&lt;/div&gt;&lt;iframe&gt;"},
};

static void test_render(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof render_cases / sizeof render_cases[0]; i++) {
        struct ap_buf out, want;
        ap_buf_init(&out, 1 << 20);
        ap_buf_init(&want, 1 << 20);
        assert_int_equal(ap_answer_render_html(NULL, render_cases[i].answer, &out), AP_OK);
        ap_buf_printf(&want, "<div class=\"ap-reply\"><p class=\"ap-answer\">%s</p></div>",
                      render_cases[i].html);
        if (strcmp(out.data, want.data) != 0)
            fail_msg("%s:\n got %s\nwant %s", render_cases[i].answer, out.data, want.data);
        ap_buf_free(&out);
        ap_buf_free(&want);
    }
}

/* Whatever the input, the output's tags are only ours. */
static void test_render_fuzz(void **state)
{
    (void)state;
    static const char alphabet[] = "<>\"'&\n\r:/ahtps.=()javscript ";
    unsigned seed = 12345;
    char input[64];
    for (int round = 0; round < 20000; round++) {
        for (size_t i = 0; i < sizeof input - 1; i++) {
            seed = seed * 1103515245u + 12345u;
            input[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        input[sizeof input - 1] = '\0';
        struct ap_buf out;
        ap_buf_init(&out, 1 << 20);
        ap_answer_render_html("q", input, &out);
        for (const char *p = strchr(out.data, '<'); p; p = strchr(p + 1, '<')) {
            if (strncmp(p, "<br>", 4) != 0 && strncmp(p, "<a href=\"http", 13) != 0 &&
                strncmp(p, "</a>", 4) != 0 && strncmp(p, "<p class=\"ap-", 13) != 0 &&
                strncmp(p, "</p>", 4) != 0 && strncmp(p, "<div class=\"ap-reply\">", 22) != 0 &&
                strncmp(p, "</div>", 6) != 0)
                fail_msg("foreign tag in %s", out.data);
        }
        ap_buf_free(&out);
    }
}

/* --- the matcher ------------------------------------------------------------------- */

static struct ap_answer make(const char *id, const char *question, const char *const *alts)
{
    struct ap_answer a;
    ap_answer_init(&a);
    a.id = ap_strdup(id);
    a.question = ap_strdup(question);
    a.answer = ap_strdup("-");
    for (; alts && *alts; alts++)
        ap_answer_add_alternative(&a, *alts, strlen(*alts));
    return a;
}

static const char *const password_alts[] = {
    "I forgot my password", "how can I change my password", "my password does not work",
    "reset login", "cannot log in", NULL};
static const char *const hours_alts[] = {
    "when are you open", "what time do you close", "are you open on sunday",
    "opening times", "when does the shop open", NULL};
static const char *const refund_alts[] = {
    "can I get my money back", "I want a refund", "how do I return an item",
    "refund my order", "send it back for a refund", NULL};
static const char *const shipping_alts[] = {
    "where is my parcel", "when will my order arrive", "track my package",
    "my delivery is late", "how long does shipping take", NULL};

static const char *best_id(struct ap_matcher *m, struct ap_text *t, const char *q, double *score)
{
    static struct ap_match best[3];
    struct ap_error err;
    size_t n = ap_matcher_match(m, t, q, strlen(q), "en", "en", best, 3, &err);
    *score = n ? best[0].score : 0;
    return n && ap_matcher_is_match(m, &best[0]) ? best[0].id : "none";
}

static void test_matcher(void **state)
{
    struct ap_text *t = *state;
    struct ap_error err;
    struct ap_matcher *m = ap_matcher_new(NULL);
    struct ap_answer kb[] = {
        make("password", "How do I reset my password?", password_alts),
        make("hours", "What are your opening hours?", hours_alts),
        make("refund", "How do I get a refund?", refund_alts),
    };
    double s;
    assert_string_equal(best_id(m, t, "reset my password", &s), "none"); /* empty model */
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(ap_matcher_put(m, t, &kb[i], true, &err), AP_OK);
    assert_int_equal(ap_matcher_count(m), 3);
    assert_string_equal(best_id(m, t, "I forgot my password, help", &s), "password");
    assert_string_equal(best_id(m, t, "are you open on saturday?", &s), "hours");
    assert_string_equal(best_id(m, t, "I want my money back", &s), "refund");
    assert_string_equal(best_id(m, t, "who won the football world cup", &s), "none");
    assert_string_equal(best_id(m, t, "what is the capital of peru", &s), "none");
    /* Before the shipping answer exists, a shipping question has no answer;
     * after it is put, it has, with no rebuild. */
    assert_string_equal(best_id(m, t, "where is my package, it is late", &s), "none");
    struct ap_answer shipping = make("shipping", "Where is my order?", shipping_alts);
    assert_int_equal(ap_matcher_put(m, t, &shipping, true, &err), AP_OK);
    assert_string_equal(best_id(m, t, "where is my package, it is late", &s), "shipping");
    assert_string_equal(best_id(m, t, "I forgot my password, help", &s), "password");
    /* Removed answers are never matched again. */
    ap_matcher_remove(m, "password");
    assert_int_equal(ap_matcher_count(m), 3);
    assert_string_not_equal(best_id(m, t, "I forgot my password, help", &s), "password");
    /* An edit replaces the phrasings. */
    static const char *const new_alts[] = {"do you sell gift cards", "buy a gift card", NULL};
    struct ap_answer edited = make("hours", "Do you have gift cards?", new_alts);
    assert_int_equal(ap_matcher_put(m, t, &edited, true, &err), AP_OK);
    assert_string_equal(best_id(m, t, "can I buy a gift card", &s), "hours");
    assert_string_not_equal(best_id(m, t, "are you open on saturday?", &s), "hours");
    for (size_t i = 0; i < 3; i++)
        ap_answer_free(&kb[i]);
    ap_answer_free(&shipping);
    ap_answer_free(&edited);
    ap_matcher_destroy(m);
}

/* The same answers, put one by one with training or in bulk, give the same
 * best answers: the incremental update is no worse than a rebuild here. */
static void test_matcher_bulk_equals_incremental(void **state)
{
    struct ap_text *t = *state;
    struct ap_error err;
    struct ap_matcher *a = ap_matcher_new(NULL), *b = ap_matcher_new(NULL);
    struct ap_answer kb[] = {
        make("password", "How do I reset my password?", password_alts),
        make("hours", "What are your opening hours?", hours_alts),
        make("refund", "How do I get a refund?", refund_alts),
        make("shipping", "Where is my order?", shipping_alts),
    };
    for (size_t i = 0; i < 4; i++) {
        ap_matcher_put(a, t, &kb[i], true, &err);
        ap_matcher_put(b, t, &kb[i], false, &err);
    }
    ap_matcher_train_all(b);
    static const char *const questions[] = {"forgot password", "open sunday?", "money back please",
                                            "parcel not arrived", NULL};
    for (const char *const *q = questions; *q; q++) {
        double sa, sb;
        char ida[64];
        ap_copy_str(ida, sizeof ida, best_id(a, t, *q, &sa));
        assert_string_equal(ida, best_id(b, t, *q, &sb));
    }
    for (size_t i = 0; i < 4; i++)
        ap_answer_free(&kb[i]);
    ap_matcher_destroy(a);
    ap_matcher_destroy(b);
}

static void test_matcher_norwegian(void **state)
{
    struct ap_text *t = *state;
    struct ap_error err;
    struct ap_matcher *m = ap_matcher_new(NULL);
    static const char *const pw[] = {"jeg har glemt passordet", "endre passord", "får ikke logget inn", NULL};
    static const char *const ret[] = {"kan jeg returnere varen", "pengene tilbake", "angrerett", NULL};
    struct ap_answer kb[] = {make("pw", "Hvordan endrer jeg passordet mitt?", pw),
                             make("ret", "Hvordan returnerer jeg en vare?", ret)};
    for (size_t i = 0; i < 2; i++) {
        ap_copy_str(kb[i].language, sizeof kb[i].language, "nb");
        ap_matcher_put(m, t, &kb[i], true, &err);
    }
    struct ap_match best[2];
    const char *q = "Jeg har glemt passordet mitt";
    size_t n = ap_matcher_match(m, t, q, strlen(q), "nb", "en", best, 2, &err);
    assert_true(n >= 1);
    assert_string_equal(best[0].id, "pw");
    assert_true(ap_matcher_is_match(m, &best[0]));
    for (size_t i = 0; i < 2; i++)
        ap_answer_free(&kb[i]);
    ap_matcher_destroy(m);
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

static int teardown(void **state)
{
    ap_text_destroy(*state);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_render_fuzz),
        cmocka_unit_test(test_matcher),
        cmocka_unit_test(test_matcher_bulk_equals_incremental),
        cmocka_unit_test(test_matcher_norwegian),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
