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

/* Assigns a question, given its tokens (ap_text_tokens), to a topic and
 * returns the topic's number (0, 1, ... in order of creation). *similarity
 * (may be NULL) receives the average similarity to the topic it joined, or 0
 * for a new topic. */
size_t ap_grouper_assign(struct ap_grouper *g, const struct ap_tokens *tokens, double *similarity);

#endif
