/* Online grouping of unanswered questions into topics (SPEC §5). Each question
 * becomes a sparse vector — TF-IDF over word stems and their character
 * n-grams, with document frequencies learned from the account's own questions —
 * and joins the topic whose members it resembles most on average, or starts a
 * new topic when none is similar enough for its size. Topic numbers never
 * change, and neither does a question's topic. Deterministic: the same
 * questions in the same order give the same topics. */
#ifndef AP_GROUP_H
#define AP_GROUP_H

#include "core/core.h"
#include "text/text.h"

/* An embedding is used when its length is in this range (and is the length of
 * the account's first one). */
#define AP_GAP_EMBEDDING_MIN 8
#define AP_GAP_EMBEDDING_MAX 4096
#define AP_GAP_ASSOCIATION_DIM_MAX 4096
/* Only a question's first tokens are grouped on: questions are short, and this
 * bounds the work per question. */
#define AP_GAP_TOKENS_MAX 64

struct ap_grouper_options {
    /* Least average text similarity to join a topic: threshold_new for a topic
     * of one question, falling as threshold + (threshold_new - threshold) / n
     * for a topic of n. */
    double threshold;
    double threshold_new;
    /* While the account is young, a question made of words it has not seen
     * needs a closer match to join: threshold_new rises by
     * novelty_rise * unfamiliar * novelty_horizon / (questions + novelty_horizon),
     * unfamiliar being the share of the question's word weight on words no
     * earlier question had. Early decisions rest on thin statistics and are
     * never undone, so the engine then prefers a new topic (0: off). */
    double novelty_rise;
    double novelty_horizon;
    /* Least share of the question's word weight (squared) on words the topic
     * has, to join it (0: no such rule). 0.1 keeps a question whose own words
     * are all new from joining a large topic on one frequent word; it costs
     * topics on paraphrase-rich data (docs/internals/gaps.md). */
    double min_shared;
    double word_weight; /* share of word features against character n-grams */
    double char_weight;
    size_t candidates;  /* topics scored in full per question */
    size_t common_word; /* a word in more topics than this finds no candidates */
    /* Word associations learned from the account's own questions (random
     * indexing: a word's context sums the random signatures of the words it
     * appeared with): dimension (0: off), and blended with the text like the
     * embeddings below, with their own thresholds. */
    size_t association_dim;
    double association_weight;
    double association_threshold;
    double association_threshold_new;
    /* The agent's embeddings: when the question and the topic have them, the
     * similarity and the margin over the threshold are blended, this weight on
     * the embeddings' side; their thresholds fall with the number of embedded
     * members the same way. Every embedded topic is a candidate while there are
     * at most embedding_scan topics. */
    double embedding_weight;
    double embedding_threshold;
    double embedding_threshold_new;
    size_t embedding_scan;
};

void ap_grouper_options_init(struct ap_grouper_options *opts);

/* One account's grouping model, in memory. Not thread-safe. */
struct ap_grouper;

struct ap_grouper *ap_grouper_new(const struct ap_grouper_options *opts);
void ap_grouper_destroy(struct ap_grouper *g);

/* One question as the grouper sees it: its tokens (ap_text_tokens) and, when
 * the agent sent one, its own embedding (NULL / 0 otherwise). Borrowed. */
struct ap_gap_question {
    const struct ap_tokens *tokens;
    const double *embedding;
    size_t embedding_len;
};

/* Assigns a question to a topic and returns the topic's number (0, 1, ... in
 * order of creation). *similarity (may be NULL) receives the average
 * similarity to the topic it joined (blended with the embeddings' when both
 * have them), or 0 for a new topic. */
size_t ap_grouper_assign(struct ap_grouper *g, const struct ap_gap_question *q, double *similarity);

/* Replays a recorded decision: the question joins topic `topic` (at most
 * ap_grouper_topic_count; equal starts a new topic) without deciding anew.
 * Replaying a stream of assign results in order rebuilds the same model. */
void ap_grouper_place(struct ap_grouper *g, const struct ap_gap_question *q, size_t topic);

size_t ap_grouper_topic_count(const struct ap_grouper *g);

#endif
