/* The grouping engine: similar questions share a topic and unrelated ones do
 * not; replaying recorded decisions through place() rebuilds exactly the model
 * that assign() built; the agent's embeddings change decisions the way they
 * should; malformed embeddings are ignored; a young account is cautious with
 * unfamiliar questions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gaps/group.h"

#include "words.h"

static size_t assign(struct ap_grouper *g, const char *words, const double *embedding, size_t len,
                     double *similarity)
{
    struct ap_tokens t = tokens_of(words);
    struct ap_gap_question q = {.tokens = &t, .embedding = embedding, .embedding_len = len};
    size_t topic = ap_grouper_assign(g, &q, similarity);
    ap_tokens_free(&t);
    return topic;
}

static struct ap_grouper *grouper(void)
{
    struct ap_grouper_options opts;
    ap_grouper_options_init(&opts);
    return ap_grouper_new(&opts);
}

static void test_similar_join_unrelated_split(void **state)
{
    (void)state;
    struct ap_grouper *g = grouper();
    double sim;
    assert_int_equal(assign(g, "reset password", NULL, 0, &sim), 0);
    assert_true(sim == 0);
    assert_int_equal(assign(g, "forgot password reset", NULL, 0, &sim), 0);
    assert_true(sim > 0.22);
    assert_int_equal(assign(g, "card arriv late", NULL, 0, &sim), 1);
    assert_int_equal(assign(g, "card arriv", NULL, 0, NULL), 1);
    assert_int_equal(assign(g, "password reset link", NULL, 0, NULL), 0);
    assert_int_equal(assign(g, "refund order", NULL, 0, NULL), 2);
    assert_int_equal(ap_grouper_topic_count(g), 3);
    ap_grouper_destroy(g);
}

/* A question of mostly unseen words ("ship", "late") that resembles a topic
 * through one shared word: it joins with no novelty rise; with the default it
 * starts a topic while the account is young, and joins once it has seen 3,000
 * other questions (the rise has faded). */
static void test_novelty_rise(void **state)
{
    (void)state;
    struct ap_grouper_options opts;
    ap_grouper_options_init(&opts);
    opts.novelty_rise = 0;
    struct ap_grouper *g = ap_grouper_new(&opts);
    assign(g, "refund order", NULL, 0, NULL);
    assert_int_equal(assign(g, "order ship late", NULL, 0, NULL), 0);
    ap_grouper_destroy(g);

    g = grouper();
    assign(g, "refund order", NULL, 0, NULL);
    assert_int_equal(assign(g, "order ship late", NULL, 0, NULL), 1);
    ap_grouper_destroy(g);

    g = grouper();
    char filler[16];
    for (int i = 0; i < 3000; i++) {
        snprintf(filler, sizeof filler, "f%d", i);
        assign(g, filler, NULL, 0, NULL);
    }
    size_t topic = assign(g, "refund order", NULL, 0, NULL);
    assert_int_equal(assign(g, "order ship late", NULL, 0, NULL), topic);
    ap_grouper_destroy(g);
}

/* A deterministic stream: questions about 40 themes of four words each, three
 * of them per question plus a common word, some with an embedding near their
 * theme's direction. */
enum { DIM = 16, THEMES = 40 };

struct stream {
    uint64_t rng;
    char words[128];
    double embedding[DIM];
    size_t embedding_len;
};

static uint32_t next_rand(struct stream *s, uint32_t n)
{
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    return (uint32_t)(s->rng % n);
}

static void next_question(struct stream *s)
{
    static const char *common[] = {"help", "need", "want", "problem"};
    uint32_t theme = next_rand(s, THEMES), skip = next_rand(s, 4);
    s->words[0] = '\0';
    for (uint32_t k = 0; k < 4; k++) {
        if (k == skip)
            continue;
        char w[16];
        snprintf(w, sizeof w, "w%u ", (theme * 7 + k * 13) % 97);
        strcat(s->words, w);
    }
    strcat(s->words, common[next_rand(s, 4)]);
    s->embedding_len = next_rand(s, 3) ? DIM : 0;
    for (size_t i = 0; i < DIM; i++)
        s->embedding[i] = (i == theme % DIM ? 1.0 : 0.0) + 0.1 * next_rand(s, 5);
}

static void test_replay_rebuilds_the_same_model(void **state)
{
    (void)state;
    enum { HISTORY = 800, AFTER = 300 };
    struct ap_grouper *live = grouper(), *rebuilt = grouper();
    struct stream s = {.rng = 12345};
    size_t topics[HISTORY];
    char words[HISTORY][128];
    double embeddings[HISTORY][DIM];
    size_t lens[HISTORY];
    for (size_t i = 0; i < HISTORY; i++) {
        next_question(&s);
        topics[i] = assign(live, s.words, s.embedding, s.embedding_len, NULL);
        strcpy(words[i], s.words);
        memcpy(embeddings[i], s.embedding, sizeof s.embedding);
        lens[i] = s.embedding_len;
    }
    assert_true(ap_grouper_topic_count(live) > 5);
    assert_true(ap_grouper_topic_count(live) < HISTORY / 2);
    for (size_t i = 0; i < HISTORY; i++) {
        struct ap_tokens t = tokens_of(words[i]);
        struct ap_gap_question q = {.tokens = &t, .embedding = embeddings[i],
                                    .embedding_len = lens[i]};
        ap_grouper_place(rebuilt, &q, topics[i]);
        ap_tokens_free(&t);
    }
    assert_int_equal(ap_grouper_topic_count(rebuilt), ap_grouper_topic_count(live));
    /* the same model: every later decision and similarity is identical */
    for (size_t i = 0; i < AFTER; i++) {
        double a, b;
        next_question(&s);
        size_t x = assign(live, s.words, s.embedding, s.embedding_len, &a);
        size_t y = assign(rebuilt, s.words, s.embedding, s.embedding_len, &b);
        assert_int_equal(x, y);
        assert_true(a == b);
    }
    assert_int_equal(ap_grouper_topic_count(rebuilt), ap_grouper_topic_count(live));
    ap_grouper_destroy(live);
    ap_grouper_destroy(rebuilt);
}

static void unit(double *v, size_t axis)
{
    for (size_t i = 0; i < DIM; i++)
        v[i] = i == axis ? 1 : 0;
}

/* Questions sharing one word of three: text alone joins them; embeddings that
 * agree keep them together, embeddings that disagree split them. */
static void test_embedding_splits_and_joins(void **state)
{
    (void)state;
    double a[DIM], b[DIM];
    unit(a, 0);
    unit(b, 1);
    const char *first = "card payment declin", *second = "card payment pend";

    struct ap_grouper *g = grouper();
    assign(g, first, NULL, 0, NULL);
    assert_int_equal(assign(g, second, NULL, 0, NULL), 0);
    ap_grouper_destroy(g);

    g = grouper();
    assign(g, first, a, DIM, NULL);
    assert_int_equal(assign(g, second, a, DIM, NULL), 0);
    ap_grouper_destroy(g);

    g = grouper();
    assign(g, first, a, DIM, NULL);
    assert_int_equal(assign(g, second, b, DIM, NULL), 1);
    ap_grouper_destroy(g);
}

/* Paraphrases with no word in common: apart on text, together when the
 * agent's embeddings say they mean the same. */
static void test_embedding_joins_paraphrases(void **state)
{
    (void)state;
    double a[DIM];
    unit(a, 3);
    const char *first = "cancel subscript", *second = "stop month plan";

    struct ap_grouper *g = grouper();
    assign(g, first, NULL, 0, NULL);
    assert_int_equal(assign(g, second, NULL, 0, NULL), 1);
    ap_grouper_destroy(g);

    g = grouper();
    assign(g, first, a, DIM, NULL);
    double sim;
    assert_int_equal(assign(g, second, a, DIM, &sim), 0);
    assert_true(sim > 0.4);
    ap_grouper_destroy(g);
}

/* An encoder that puts every text in a narrow cone (all raw cosines 0.9 or
 * more, as many do): centred on the account's mean, the embeddings still tell
 * unrelated questions apart and keep paraphrases together. */
static void test_embedding_cone_is_centred(void **state)
{
    (void)state;
    enum { WARM = 40 };
    double v[DIM];
    struct ap_grouper *g = grouper();
    for (size_t k = 0; k < WARM; k++) { /* an account with some history */
        char words[32];
        snprintf(words, sizeof words, "warm%zu up%zu", k, k);
        unit(v, 4 + k % 6);
        v[0] = 3;
        assign(g, words, v, DIM, NULL);
    }
    size_t before = ap_grouper_topic_count(g);
    unit(v, 1);
    v[0] = 3;
    size_t cancel = assign(g, "cancel subscript", v, DIM, NULL);
    unit(v, 2);
    v[0] = 3;
    size_t parcel = assign(g, "where parcel", v, DIM, NULL);
    assert_true(cancel >= before && parcel >= before && cancel != parcel);
    unit(v, 1);
    v[0] = 3;
    assert_int_equal(assign(g, "stop month plan", v, DIM, NULL), cancel);
    ap_grouper_destroy(g);
}

/* Too short, another length than the account's first, zero or NaN: the
 * question is grouped on its text alone. */
static void test_malformed_embeddings_ignored(void **state)
{
    (void)state;
    double a[DIM], zero[DIM] = {0}, nan_vec[DIM];
    unit(a, 0);
    for (size_t i = 0; i < DIM; i++)
        nan_vec[i] = NAN;
    double short_vec[4] = {1, 0, 0, 0};
    struct ap_grouper *g = grouper();
    assert_int_equal(assign(g, "cancel subscript", a, DIM, NULL), 0);
    assert_int_equal(assign(g, "stop month plan", short_vec, 4, NULL), 1);
    assert_int_equal(assign(g, "stop month plan", a, DIM - 1, NULL), 1);
    assert_int_equal(assign(g, "stop month plan", zero, DIM, NULL), 1);
    assert_int_equal(assign(g, "stop month plan", nan_vec, DIM, NULL), 1);
    assert_int_equal(ap_grouper_topic_count(g), 2);
    ap_grouper_destroy(g);
}

static void place(struct ap_grouper *g, const char *words, size_t topic)
{
    struct ap_tokens t = tokens_of(words);
    struct ap_gap_question q = {.tokens = &t};
    ap_grouper_place(g, &q, topic);
    ap_tokens_free(&t);
}

/* A large topic whose members share one word takes a question about something
 * new that shares only that word, unless min_shared asks the topic to have
 * more of what the question is about. */
static void test_min_shared(void **state)
{
    (void)state;
    for (int strict = 0; strict <= 1; strict++) {
        struct ap_grouper_options opts;
        ap_grouper_options_init(&opts);
        opts.min_shared = strict ? 0.3 : 0;
        struct ap_grouper *g = ap_grouper_new(&opts);
        char words[64];
        for (size_t i = 0; i < 400; i++) { /* other topics, so that "card" is rare */
            snprintf(words, sizeof words, "f%zu g%zu", i, i);
            place(g, words, i);
        }
        for (size_t i = 0; i < 20; i++) {
            snprintf(words, sizeof words, "card w%zu", i);
            place(g, words, 400);
        }
        size_t topic = assign(g, "card zqxvortex blorfang", NULL, 0, NULL);
        assert_int_equal(topic, strict ? 401 : 400);
        ap_grouper_destroy(g);
    }
}

/* A question of thousands of words is grouped on its first AP_GAP_TOKENS_MAX:
 * the same topic as its first words alone, and in bounded time. */
static void test_long_question_bounded(void **state)
{
    (void)state;
    size_t n = 20000, len = 0;
    char *text = malloc(n * 8 + 1);
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(text + len, "%sw%zu", i ? " " : "", i % AP_GAP_TOKENS_MAX);
    struct ap_grouper *g = grouper();
    assert_int_equal(assign(g, text, NULL, 0, NULL), 0);
    text[strlen(text) / 2] = '\0';
    double sim;
    assert_int_equal(assign(g, text, NULL, 0, &sim), 0);
    assert_true(sim > 0.99);
    ap_grouper_destroy(g);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_similar_join_unrelated_split),
        cmocka_unit_test(test_replay_rebuilds_the_same_model),
        cmocka_unit_test(test_embedding_splits_and_joins),
        cmocka_unit_test(test_embedding_joins_paraphrases),
        cmocka_unit_test(test_embedding_cone_is_centred),
        cmocka_unit_test(test_malformed_embeddings_ignored),
        cmocka_unit_test(test_long_question_bounded),
        cmocka_unit_test(test_min_shared),
        cmocka_unit_test(test_novelty_rise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
