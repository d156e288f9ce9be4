/* Tests of the model server's wire format (src/embed/parse.c): a table of
 * answers, each with the fault it must give, then the values of good ones
 * (out-of-order indexes land in input order) and the request body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embed/embed.h"

#define V8 "[1,2,3,4,5,6,7,8]"
#define V8B "[8,7,6,5,4,3,2,1]"
#define V7 "[1,2,3,4,5,6,7]"

struct parse_case {
    const char *name;
    const char *body;
    size_t n;         /* inputs */
    size_t max_dims;
    size_t want_dims;
    enum ap_embed_fault fault;
};

static const struct parse_case cases[] = {
    {"one vector", "{\"data\":[{\"index\":0,\"embedding\":" V8 "}]}", 1, 4096, 0, AP_EMBED_NONE},
    {"OpenAI's full answer",
     "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":" V8
     "}],\"model\":\"m\",\"usage\":{\"prompt_tokens\":3,\"total_tokens\":3}}",
     1, 4096, 0, AP_EMBED_NONE},
    {"two in order", "{\"data\":[{\"index\":0,\"embedding\":" V8 "},{\"index\":1,\"embedding\":"
     V8B "}]}", 2, 4096, 0, AP_EMBED_NONE},
    {"two out of order", "{\"data\":[{\"index\":1,\"embedding\":" V8B "},{\"embedding\":" V8
     ",\"index\":0}]}", 2, 4096, 0, AP_EMBED_NONE},
    {"no index: position", "{\"data\":[{\"embedding\":" V8 "}]}", 1, 4096, 0, AP_EMBED_NONE},
    {"exponents and signs", "{\"data\":[{\"index\":0,\"embedding\":[-1e-3,2.5E+2,0,-0.0,1,2,3,4]}]}",
     1, 4096, 8, AP_EMBED_NONE},
    {"white space", " \n{ \"data\" : [ { \"index\" : 0 , \"embedding\" : " V8 " } ] } \n", 1,
     4096, 0, AP_EMBED_NONE},
    {"nested extras skipped", "{\"x\":{\"a\":[1,{\"b\":null}],\"t\":true},\"data\":[{\"index\":0,"
     "\"embedding\":" V8 ",\"meta\":{\"k\":\"v\\\"q\"}}]}", 1, 4096, 0, AP_EMBED_NONE},
    /* garbage */
    {"empty", "", 1, 4096, 0, AP_EMBED_GARBAGE},
    {"html", "<html>busy</html>", 1, 4096, 0, AP_EMBED_GARBAGE},
    {"truncated", "{\"data\":[{\"index\":0,\"embedding\":[1,2,3", 1, 4096, 0, AP_EMBED_GARBAGE},
    {"no data", "{\"object\":\"list\"}", 1, 4096, 0, AP_EMBED_GARBAGE},
    {"data not an array", "{\"data\":{}}", 1, 4096, 0, AP_EMBED_GARBAGE},
    {"NaN", "{\"data\":[{\"index\":0,\"embedding\":[NaN,1,2,3,4,5,6,7]}]}", 1, 4096, 0,
     AP_EMBED_GARBAGE},
    {"Infinity", "{\"data\":[{\"index\":0,\"embedding\":[Infinity,1,2,3,4,5,6,7]}]}", 1, 4096, 0,
     AP_EMBED_GARBAGE},
    {"overflow to inf", "{\"data\":[{\"index\":0,\"embedding\":[1e999,1,2,3,4,5,6,7]}]}", 1, 4096,
     0, AP_EMBED_GARBAGE},
    {"string in vector", "{\"data\":[{\"index\":0,\"embedding\":[\"1\",1,2,3,4,5,6,7]}]}", 1, 4096,
     0, AP_EMBED_GARBAGE},
    {"leading zero", "{\"data\":[{\"index\":0,\"embedding\":[01,1,2,3,4,5,6,7]}]}", 1, 4096, 0,
     AP_EMBED_GARBAGE},
    {"fewer than inputs", "{\"data\":[{\"index\":0,\"embedding\":" V8 "}]}", 2, 4096, 0,
     AP_EMBED_GARBAGE},
    {"more than inputs", "{\"data\":[{\"index\":0,\"embedding\":" V8 "},{\"index\":1,"
     "\"embedding\":" V8 "}]}", 1, 4096, 0, AP_EMBED_GARBAGE},
    {"index twice", "{\"data\":[{\"index\":0,\"embedding\":" V8 "},{\"index\":0,\"embedding\":"
     V8 "}]}", 2, 4096, 0, AP_EMBED_GARBAGE},
    {"index out of range", "{\"data\":[{\"index\":5,\"embedding\":" V8 "}]}", 1, 4096, 0,
     AP_EMBED_GARBAGE},
    {"index negative", "{\"data\":[{\"index\":-1,\"embedding\":" V8 "}]}", 1, 4096, 0,
     AP_EMBED_GARBAGE},
    {"index fractional", "{\"data\":[{\"index\":0.5,\"embedding\":" V8 "}]}", 1, 4096, 0,
     AP_EMBED_GARBAGE},
    {"no embedding", "{\"data\":[{\"index\":0}]}", 1, 4096, 0, AP_EMBED_GARBAGE},
    {"text after", "{\"data\":[{\"index\":0,\"embedding\":" V8 "}]}{}", 1, 4096, 0,
     AP_EMBED_GARBAGE},
    {"data twice", "{\"data\":[{\"index\":0,\"embedding\":" V8 "}],\"data\":[]}", 1, 4096, 0,
     AP_EMBED_GARBAGE},
    {"too deep", "{\"x\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
     ",\"data\":[{\"index\":0,\"embedding\":" V8 "}]}", 1, 4096, 0, AP_EMBED_GARBAGE},
    {"control character", "{\"data\":[{\"index\":0,\"embedding\":" V8 ",\"s\":\"a\x01\"}]}", 1,
     4096, 0, AP_EMBED_GARBAGE},
    /* dimensions */
    {"too short", "{\"data\":[{\"index\":0,\"embedding\":" V7 "}]}", 1, 4096, 0,
     AP_EMBED_DIMENSIONS},
    {"empty vector", "{\"data\":[{\"index\":0,\"embedding\":[]}]}", 1, 4096, 0,
     AP_EMBED_DIMENSIONS},
    {"too long", "{\"data\":[{\"index\":0,\"embedding\":" V8 "}]}", 1, 7, 0, AP_EMBED_DIMENSIONS},
    {"lengths differ", "{\"data\":[{\"index\":0,\"embedding\":" V8 "},{\"index\":1,\"embedding\":"
     "[1,2,3,4,5,6,7,8,9]}]}", 2, 4096, 0, AP_EMBED_DIMENSIONS},
    {"not the model's length", "{\"data\":[{\"index\":0,\"embedding\":" V8 "}]}", 1, 4096, 16,
     AP_EMBED_DIMENSIONS},
};

static void test_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct parse_case *c = &cases[i];
        struct ap_embed_vectors v;
        char why[128];
        enum ap_embed_fault got = ap_embed_parse_response(c->body, strlen(c->body), c->n,
                                                          c->max_dims, c->want_dims, &v, why,
                                                          sizeof why);
        if (got != c->fault)
            fail_msg("%s: got %s (%s), want %s", c->name, ap_embed_fault_name(got), why,
                     ap_embed_fault_name(c->fault));
        if (got == AP_EMBED_NONE) {
            assert_int_equal(v.n, c->n);
            assert_non_null(v.values);
        } else {
            assert_null(v.values);
            assert_true(why[0] != '\0');
        }
        ap_embed_vectors_free(&v);
    }
}

static void test_out_of_order_lands_in_input_order(void **state)
{
    (void)state;
    const char *body = "{\"data\":[{\"index\":1,\"embedding\":" V8B "},{\"index\":0,"
                       "\"embedding\":" V8 "}]}";
    struct ap_embed_vectors v;
    assert_int_equal(ap_embed_parse_response(body, strlen(body), 2, 4096, 0, &v, NULL, 0),
                     AP_EMBED_NONE);
    assert_int_equal(v.dims, 8);
    assert_true(v.values[0] == 1.0 && v.values[7] == 8.0);   /* input 0 */
    assert_true(v.values[8] == 8.0 && v.values[15] == 1.0);  /* input 1 */
    ap_embed_vectors_free(&v);
}

static void test_numbers(void **state)
{
    (void)state;
    const char *body = "{\"data\":[{\"index\":0,\"embedding\":[-1e-3,2.5E+2,0,-0.0,1,2,3,4]}]}";
    struct ap_embed_vectors v;
    assert_int_equal(ap_embed_parse_response(body, strlen(body), 1, 4096, 0, &v, NULL, 0),
                     AP_EMBED_NONE);
    assert_true(v.values[0] == -1e-3);
    assert_true(v.values[1] == 250.0);
    ap_embed_vectors_free(&v);
}

static void test_largest_vector(void **state)
{
    (void)state;
    struct ap_buf b;
    ap_buf_init(&b, 1 << 20);
    ap_buf_append_str(&b, "{\"data\":[{\"index\":0,\"embedding\":[");
    for (int i = 0; i < AP_EMBED_DIMS_MAX + 1; i++)
        ap_buf_printf(&b, i ? ",%d" : "%d", i % 7);
    ap_buf_append_str(&b, "]}]}");
    struct ap_embed_vectors v;
    assert_int_equal(ap_embed_parse_response(b.data, b.len, 1, 1 << 20, 0, &v, NULL, 0),
                     AP_EMBED_DIMENSIONS); /* capped at AP_EMBED_DIMS_MAX whatever is asked */
    ap_buf_free(&b);
}

static void test_request_body(void **state)
{
    (void)state;
    const char *texts[] = {"reset \"my\" password", "nb: glemt passord\n"};
    struct ap_buf b;
    ap_buf_init(&b, 4096);
    ap_embed_request_json("nomic-embed-text", texts, 2, &b);
    assert_string_equal(b.data, "{\"model\":\"nomic-embed-text\",\"input\":[\"reset \\\"my\\\" "
                                "password\",\"nb: glemt passord\\n\"]}");
    ap_buf_free(&b);
}

static void test_long_texts_are_cut(void **state)
{
    (void)state;
    char *text = ap_malloc(AP_EMBED_TEXT_MAX + 100);
    memset(text, 'a', AP_EMBED_TEXT_MAX - 1);
    strcpy(text + AP_EMBED_TEXT_MAX - 1, "\xc3\xa6 tail"); /* æ across the limit */
    const char *texts[] = {text};
    struct ap_buf b;
    ap_buf_init(&b, 1 << 20);
    ap_embed_request_json("m", texts, 1, &b);
    /* {"model":"m","input":[" + 2047 a's (the æ would cross the limit) + "]} */
    assert_int_equal(b.len, strlen("{\"model\":\"m\",\"input\":[\"") + AP_EMBED_TEXT_MAX - 1 +
                                strlen("\"]}"));
    ap_buf_free(&b);
    free(text);
}

static void test_fault_names(void **state)
{
    (void)state;
    assert_string_equal(ap_embed_fault_name(AP_EMBED_HTTP_5XX), "http_5xx");
    assert_string_equal(ap_embed_fault_name(AP_EMBED__FAULT_COUNT), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_out_of_order_lands_in_input_order),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_largest_vector),
        cmocka_unit_test(test_request_body),
        cmocka_unit_test(test_long_texts_are_cut),
        cmocka_unit_test(test_fault_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
