/* The batch re-grouping: the same needs share a topic and different needs do
 * not; the topics depend on the set of questions, not on their order (the
 * same numbers for every question whatever the order, bursts included);
 * nothing breaks on empty or tiny input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "gaps/regroup.h"

#include "words.h"

/* Three needs, five wordings each (already stemmed, as the grouper sees them),
 * sharing words within a need and the odd word across needs. */
static const char *const NEEDS[][5] = {
    {"reset password", "forgot password", "password reset link", "cannot reset password",
     "new password please"},
    {"parcel not arriv", "where parcel", "parcel track", "parcel late arriv", "track my parcel"},
    {"refund order", "order refund status", "want refund", "refund money order",
     "refund not receiv"},
};
#define N_NEEDS 3
#define PER_NEED 5
#define N_QUESTIONS (N_NEEDS * PER_NEED)

/* Groups the questions NEEDS[order[i] / PER_NEED][order[i] % PER_NEED] in the
 * given order; topic_of[q] receives question q's topic (q in NEEDS order). */
static size_t regroup(const size_t *order, uint32_t *topic_of)
{
    struct ap_regroup_options opts;
    ap_regroup_options_init(&opts);
    struct ap_regrouper *r = ap_regrouper_new(&opts);
    for (size_t i = 0; i < N_QUESTIONS; i++) {
        struct ap_tokens t = tokens_of(NEEDS[order[i] / PER_NEED][order[i] % PER_NEED]);
        ap_regrouper_add(r, &t, NULL, 0);
        ap_tokens_free(&t);
    }
    assert_int_equal(ap_regrouper_count(r), N_QUESTIONS);
    uint32_t topic[N_QUESTIONS];
    size_t topics = ap_regrouper_run(r, topic, NULL);
    for (size_t i = 0; i < N_QUESTIONS; i++)
        topic_of[order[i]] = topic[i];
    ap_regrouper_destroy(r);
    return topics;
}

static void in_order(size_t *order)
{
    for (size_t i = 0; i < N_QUESTIONS; i++)
        order[i] = i;
}

static void test_one_topic_per_need(void **state)
{
    (void)state;
    size_t order[N_QUESTIONS];
    uint32_t topic[N_QUESTIONS];
    in_order(order);
    assert_int_equal(regroup(order, topic), N_NEEDS);
    for (size_t q = 0; q < N_QUESTIONS; q++) {
        size_t first = q / PER_NEED * PER_NEED;
        assert_int_equal(topic[q], topic[first]);
        if (q >= PER_NEED)
            assert_int_not_equal(topic[q], topic[0]);
    }
    assert_int_not_equal(topic[PER_NEED], topic[2 * PER_NEED]);
}

/* Every permutation tried gives every question the same topic number. */
static void test_order_does_not_matter(void **state)
{
    (void)state;
    size_t order[N_QUESTIONS];
    uint32_t expected[N_QUESTIONS], got[N_QUESTIONS];
    in_order(order);
    regroup(order, expected);
    unsigned seed = 12345;
    for (int round = 0; round < 20; round++) {
        for (size_t i = N_QUESTIONS - 1; i > 0; i--) { /* Fisher-Yates, fixed seed */
            seed = seed * 1103515245u + 12345u;
            size_t j = (seed >> 16) % (i + 1);
            size_t t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        regroup(order, got);
        assert_memory_equal(got, expected, sizeof got);
    }
    /* A burst: one need after the other, last need first. */
    for (size_t i = 0; i < N_QUESTIONS; i++)
        order[i] = N_QUESTIONS - 1 - i;
    regroup(order, got);
    assert_memory_equal(got, expected, sizeof got);
}

static void test_empty_and_single(void **state)
{
    (void)state;
    struct ap_regroup_options opts;
    ap_regroup_options_init(&opts);
    struct ap_regrouper *r = ap_regrouper_new(&opts);
    uint32_t topic[2] = {7, 7};
    assert_int_equal(ap_regrouper_run(r, topic, NULL), 0);
    struct ap_tokens t = tokens_of("hello");
    ap_regrouper_add(r, &t, NULL, 0);
    ap_tokens_free(&t);
    struct ap_tokens none = {0}; /* a question with no words left after stop words */
    ap_regrouper_add(r, &none, NULL, 0);
    assert_int_equal(ap_regrouper_run(r, topic, NULL), 2);
    assert_int_not_equal(topic[0], topic[1]);
    ap_regrouper_destroy(r);
    ap_regrouper_destroy(NULL);
}

/* Words no two questions share give no text similarity at all; the agent's
 * embeddings alone put them into their two needs. */
static void test_embeddings_group_paraphrases(void **state)
{
    (void)state;
    static const char *const WORDS[] = {"alpha", "bravo", "charlie", "delta", "echo", "foxtrot"};
    struct ap_regroup_options opts;
    ap_regroup_options_init(&opts);
    struct ap_regrouper *r = ap_regrouper_new(&opts);
    for (size_t i = 0; i < 6; i++) {
        double e[8] = {0};
        e[i < 3 ? 0 : 1] = 1;
        e[2 + i] = 0.1; /* each its own wording */
        struct ap_tokens t = tokens_of(WORDS[i]);
        ap_regrouper_add(r, &t, e, 8);
        ap_tokens_free(&t);
    }
    uint32_t topic[6];
    assert_int_equal(ap_regrouper_run(r, topic, NULL), 2);
    assert_int_equal(topic[0], topic[1]);
    assert_int_equal(topic[0], topic[2]);
    assert_int_equal(topic[3], topic[4]);
    assert_int_equal(topic[3], topic[5]);
    assert_int_not_equal(topic[0], topic[3]);
    ap_regrouper_destroy(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_topic_per_need),
        cmocka_unit_test(test_order_does_not_matter),
        cmocka_unit_test(test_empty_and_single),
        cmocka_unit_test(test_embeddings_group_paraphrases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
