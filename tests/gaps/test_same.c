/* Identical questions of a topic counted together (src/gaps/same.c): one row
 * per identity, counts without the dismissed, the row's text that of its most
 * central member, rows by count, then centrality, then the earliest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "gaps/gaps.h"

struct q {
    int64_t id;
    const char *text, *conversation;
    double similarity;
    bool dismissed;
};

static void add_all(struct ap_gap_same *s, const struct q *qs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct ap_gap_question_rec r = {.id = qs[i].id, .text = qs[i].text,
                                        .conversation_id = qs[i].conversation,
                                        .at_us = qs[i].id * 1000000, .similarity = qs[i].similarity,
                                        .dismissed = qs[i].dismissed};
        struct ap_error err;
        assert_int_equal(ap_gap_same_add(s, &r, &err), AP_OK);
    }
    ap_gap_same_finish(s);
}

static void test_rows_and_counts(void **state)
{
    (void)state;
    static const struct q qs[] = {
        {1, "How do I pay?", "c1", 0.2, false},
        {2, "Where is my order?", "c2", 0.3, false},
        {3, "where is my ORDER", "c3", 0.9, false},   /* the most central: its text shows */
        {4, "Where is my order", "c4", 0.1, true},    /* dismissed: a member, not counted */
        {5, "how do i pay", "c5", 0.1, false},
        {6, "Can I return it?", "c6", 0.5, false},
        {7, "Where is my order ?", "c3", 0.4, false}, /* the same conversation again */
    };
    struct ap_gap_same s;
    ap_gap_same_init(&s);
    add_all(&s, qs, sizeof qs / sizeof *qs);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.items[0].text, "where is my ORDER");
    assert_int_equal(s.items[0].count, 3);
    assert_int_equal(s.items[0].dismissed, 1);
    assert_int_equal(s.items[0].n_members, 4);
    assert_int_equal(s.items[0].first_id, 2);
    /* Members newest first. */
    assert_int_equal(s.items[0].members[0]->id, 7);
    assert_int_equal(s.items[0].members[3]->id, 2);
    assert_true(s.items[0].members[1]->dismissed);
    assert_string_equal(s.items[0].members[0]->conversation_id, "c3");
    assert_string_equal(s.items[1].text, "How do I pay?");
    assert_int_equal(s.items[1].count, 2);
    assert_string_equal(s.items[2].text, "Can I return it?");
    assert_int_equal(s.items[2].count, 1);
    ap_gap_same_free(&s);
}

/* Equal counts: the more central first; equal centrality too: the earlier. */
static void test_ties(void **state)
{
    (void)state;
    static const struct q qs[] = {
        {1, "a?", "c1", 0.2, false}, {2, "b?", "c2", 0.7, false}, {3, "c?", "c3", 0.2, false},
        {4, "d", "c4", 0.2, false},  {5, "D.", "c5", 0.1, false},
    };
    struct ap_gap_same s;
    ap_gap_same_init(&s);
    add_all(&s, qs, sizeof qs / sizeof *qs);
    assert_int_equal(s.n, 4);
    const char *expected[] = {"d", "b?", "a?", "c?"};
    for (size_t i = 0; i < 4; i++)
        assert_string_equal(s.items[i].text, expected[i]);
    ap_gap_same_free(&s);
}

/* A row whose every member is dismissed counts 0 and keeps its place: the
 * dismissed count in the order. */
static void test_dismissed_rows_keep_their_place(void **state)
{
    (void)state;
    static const struct q qs[] = {
        {1, "gone", "c1", 0.9, true}, {2, "gone!", "c2", 0.9, true}, {3, "kept", "c3", 0.1, false},
    };
    struct ap_gap_same s;
    ap_gap_same_init(&s);
    add_all(&s, qs, sizeof qs / sizeof *qs);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.items[0].text, "gone");
    assert_int_equal(s.items[0].count, 0);
    assert_int_equal(s.items[0].dismissed, 2);
    assert_string_equal(s.items[1].text, "kept");
    ap_gap_same_free(&s);
}

/* Text that case folding lengthens many times over still gets its row. */
static void test_long_folding(void **state)
{
    (void)state;
    char text[3 * 40 + 2];
    for (int i = 0; i < 40; i++)
        memcpy(text + 3 * i, "\xef\xb7\xba", 3); /* U+FDFA: 18 characters folded */
    memcpy(text + 120, "?", 2);
    static struct q qs[2];
    qs[0] = (struct q){1, text, "c1", 0.1, false};
    qs[1] = (struct q){2, text, "c2", 0.2, false};
    struct ap_gap_same s;
    ap_gap_same_init(&s);
    add_all(&s, qs, 2);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.items[0].count, 2);
    ap_gap_same_free(&s);
}

static void test_empty(void **state)
{
    (void)state;
    struct ap_gap_same s;
    ap_gap_same_init(&s);
    ap_gap_same_finish(&s);
    assert_int_equal(s.n, 0);
    ap_gap_same_free(&s);
    ap_gap_same_free(&s); /* freed twice: nothing left to free */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rows_and_counts),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_dismissed_rows_keep_their_place),
        cmocka_unit_test(test_long_folding),
        cmocka_unit_test(test_empty),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
