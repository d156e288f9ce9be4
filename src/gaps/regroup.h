/* Batch re-grouping of questions into topics (SPEC §5: "the engine may re-group
 * questions, deterministically"). The online engine (group.h) decides each
 * question once, when little may be known, so it splits a need over several
 * topics and its result depends on the arrival order. This one sees every
 * question at once: TF-IDF vectors with the document frequencies of the whole
 * set, each question's nearest neighbours, average-linkage merging along those
 * neighbours down to a similarity threshold, then a few rounds of moving each
 * question to the topic whose centre it is closest to. The result is a
 * function of the set of questions, not of their order. */
#ifndef AP_GAPS_REGROUP_H
#define AP_GAPS_REGROUP_H

#include <stddef.h>
#include <stdint.h>

#include "gaps/group.h"
#include "text/text.h"

struct ap_regroup_options {
    /* Two groups merge while the average similarity of their questions is at
     * least threshold + (threshold_small - threshold) / n, n the smaller
     * group's size (average linkage; the pair that clears its least
     * similarity by most merges first). */
    double threshold;
    double threshold_small;
    /* Nearest neighbours kept per question: the pairs merging may consider. */
    size_t neighbours;
    /* Rounds of moving questions to their closest topic centre. */
    size_t refine_rounds;
    /* A topic of fewer questions than this joins the closest topic whose
     * centre its questions reach with at least `attach` similarity. */
    size_t min_size;
    double attach;
    /* A feature in fewer questions than this tells no two apart: it is left
     * out of every vector (names, order numbers, typos). */
    size_t min_df;
    double word_weight; /* words against character n-grams, as in group.h */
    double char_weight;
    /* The agent's embeddings (centred on the account's mean, as in group.h):
     * a question that has one gives them this share of its similarity; two
     * groups that both have them merge at the threshold blended the same way
     * with embedding_threshold. */
    double embedding_weight;
    double embedding_threshold;
};

void ap_regroup_options_init(struct ap_regroup_options *opts);

/* The questions of one run, and the result. Not thread-safe. */
struct ap_regrouper;

struct ap_regrouper *ap_regrouper_new(const struct ap_regroup_options *opts);
void ap_regrouper_destroy(struct ap_regrouper *r);

/* Adds a question: its tokens (as from ap_text_tokens) and the agent's
 * embedding (NULL / 0 for none; one of another length than the first, zero or
 * not finite is ignored). Both borrowed: what is needed is copied. Questions
 * are numbered 0, 1, ... in the order added. */
void ap_regrouper_add(struct ap_regrouper *r, const struct ap_tokens *tokens,
                      const double *embedding, size_t embedding_len);

size_t ap_regrouper_count(const struct ap_regrouper *r);

/* Groups every question added so far. topic[i] (an array of
 * ap_regrouper_count entries, the caller's) receives question i's topic, topics
 * numbered 0, 1, ... by their question whose features hash lowest, so the same
 * set of questions in any order gets the same topics; similarity[i] (may be
 * NULL) its cosine to its topic's centre, highest for the most central
 * question. Returns the number of topics. */
size_t ap_regrouper_run(struct ap_regrouper *r, uint32_t *topic, double *similarity);

/* Which earlier topic each new group continues: groups and earlier topics are
 * paired by the questions they share, the largest overlap first (ties: the
 * lower group, then the lower topic id), each used once. old_topic[i] and
 * group[i] are question i's earlier topic id and new group (below `groups`);
 * continues[g] receives group g's earlier topic id, or 0 when it starts a new
 * topic. Deterministic for the same inputs. */
void ap_regroup_carry_over(const int64_t *old_topic, const uint32_t *group, size_t n,
                           size_t groups, int64_t *continues);

#endif
