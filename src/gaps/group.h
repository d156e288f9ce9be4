/* Online grouping of unanswered questions into topics (SPEC §5). Each question
 * becomes a sparse vector — TF-IDF over word stems, stem bigrams and character
 * n-grams, with document frequencies learned from the account's own questions —
 * and joins the topic whose members it resembles most on average, or starts a
 * new topic when none is similar enough. Topic numbers never change. */
#ifndef AP_GROUP_H
#define AP_GROUP_H

#include "core/core.h"
#include "text/text.h"

struct ap_grouper_options {
    double threshold;   /* least average similarity to join a topic */
    double word_weight; /* share of word features against character n-grams */
    double char_weight;
    size_t candidates;  /* topics scored in full per question */
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
 * similarity to the topic it joined, or 0 for a new topic. */
size_t ap_grouper_assign(struct ap_grouper *g, const struct ap_gap_question *q, double *similarity);

/* Replays a recorded decision: the question joins topic `topic` (at most
 * ap_grouper_topic_count; equal starts a new topic) without deciding anew.
 * Replaying a stream of assign results in order rebuilds the same model. */
void ap_grouper_place(struct ap_grouper *g, const struct ap_gap_question *q, size_t topic);

size_t ap_grouper_topic_count(const struct ap_grouper *g);

#endif
