/* Short answers, the service side: the matcher (an in-memory model of one
 * account's enabled answers that finds the answer to a visitor's question or
 * says none fits), the per-process cache of matchers shared by the HTTP
 * worker threads, and the operations that change answers and keep the cached
 * model current. docs/internals/answers.md explains the model. */
#ifndef AP_ANSWERS_H
#define AP_ANSWERS_H

#include "answers/answer.h"
#include "store/store.h"
#include "text/text.h"

/* The default no-answer rule: the best answer's score (a probability-like
 * value in [0, 1], see docs/internals/answers.md) must reach this, or the
 * match is "none". Chosen on CLINC150's validation split (bench/answers). An
 * account may set its own (ap_answers_set_threshold). */
#define AP_MATCH_THRESHOLD_DEFAULT 0.5
#define AP_MATCH_LIMIT_MAX 20
#define AP_MATCH_QUESTION_MAX 4096 /* bytes, as a question.asked text */

struct ap_matcher_options {
    double threshold;     /* the no-answer rule */
    double lambda;        /* L2 regularisation of each answer's classifier */
    double learning_rate; /* initial SGD step */
    unsigned epochs;      /* passes over the training phrasings */
    size_t max_negatives; /* other answers' phrasings one classifier trains against */
    size_t neighbours;    /* answers retrained after a change, nearest first */
    double balance;       /* phrasings weigh (negatives / phrasings) ^ balance */
};

void ap_matcher_options_init(struct ap_matcher_options *opts);

/* One account's model. Changes (put, remove, train_all) need exclusive
 * access; ap_matcher_match only reads it and may run concurrently with other
 * matches. */
struct ap_matcher;

struct ap_matcher *ap_matcher_new(const struct ap_matcher_options *opts);
void ap_matcher_destroy(struct ap_matcher *m); /* accepts NULL */

/* Adds an answer, or replaces the one with the same id: its question and
 * alternatives become its training phrasings. With `train`, its classifier
 * and those of its nearest answers are trained at once (the incremental
 * update); without, call ap_matcher_train_all after a bulk load. `text` is
 * the caller's pipeline. */
enum ap_status ap_matcher_put(struct ap_matcher *m, struct ap_text *text,
                              const struct ap_answer *a, bool train, struct ap_error *err);
/* Drops an answer (no-op when absent). */
void ap_matcher_remove(struct ap_matcher *m, const char *id);
/* Trains every answer's classifier that is not trained yet. */
void ap_matcher_train_all(struct ap_matcher *m);
size_t ap_matcher_count(const struct ap_matcher *m);
double ap_matcher_threshold(const struct ap_matcher *m);
void ap_matcher_set_threshold(struct ap_matcher *m, double threshold);

/* What a candidate's score is made of (docs/internals/answers.md, "The
 * no-answer rule"): the answer's own classifier, how far it leads the best
 * other answer, how close the question is to the answer's phrasings, and how
 * much evidence (phrasings) the answer has. */
struct ap_match_evidence {
    double logit;     /* the answer's classifier, w.x + b */
    double margin;    /* logit minus the best other answer's logit */
    double nearest;   /* cosine to the answer's closest phrasing */
    double centroid;  /* cosine to the mean of its phrasings */
    double covered;   /* share of the question's stems (by idf) its phrasings hold */
    double phrasing_covered; /* best share of one phrasing's stems the question holds */
    unsigned phrasings;
};

/* One candidate of a match. */
struct ap_match {
    char id[AP_ANSWER_ID_MAX_BYTES + 1];
    double score; /* the estimated chance that this answer is the right one */
    struct ap_match_evidence evidence;
};

/* Scores the question against every answer and writes up to `max` best
 * candidates into out, best first; returns how many. The best one is the
 * match when its score reaches the threshold (ap_matcher_is_match). `language`
 * (a BCP 47 tag) may be NULL: it is then detected, else `fallback` (the
 * account's default language). */
size_t ap_matcher_match(const struct ap_matcher *m, struct ap_text *text, const char *question,
                        size_t len, const char *language, const char *fallback,
                        struct ap_match *out, size_t max, struct ap_error *err);
bool ap_matcher_is_match(const struct ap_matcher *m, const struct ap_match *best);

/* --- the service: answers in the store, matchers in a cache ------------------------ */

/* Every process that matches keeps one cache; it holds one matcher per
 * account, built from the store on first use and rebuilt when the account's
 * answers changed in another process (the store's per-account version).
 * Thread-safe: HTTP workers share it. */
struct ap_answers_cache;

struct ap_answers_cache *ap_answers_cache_new(void);
void ap_answers_cache_destroy(struct ap_answers_cache *c); /* accepts NULL */
/* With an embedder (not owned; it outlives the cache's use), matches of
 * accounts that have embeddings on blend the model server's similarity into
 * the score (docs/internals/embed.md). */
struct ap_embedder;
void ap_answers_cache_set_embedder(struct ap_answers_cache *c, struct ap_embedder *e);

/* The result of a match. `candidates` holds up to the requested limit. */
struct ap_match_result {
    bool matched; /* candidates[0] is good enough */
    struct ap_match candidates[AP_MATCH_LIMIT_MAX];
    size_t n;
    double threshold;
};

/* Matches a question for an account: the one code path of POST
 * /v1/answers/match and `agentperf answers match`. A question without
 * `language` whose language is not detected is read in the account's
 * default language. */
enum ap_status ap_answers_match(struct ap_answers_cache *c, struct ap_store *store,
                                const struct ap_account *account, const char *question,
                                size_t len,
                                const char *language, size_t limit, struct ap_match_result *out,
                                struct ap_error *err);

/* Creates an answer (a->id may be NULL: one is generated and set). Validates,
 * stamps the times, stores it in one transaction and updates the cached
 * matcher (c may be NULL). AP_EXISTS when the id is taken. */
enum ap_status ap_answers_create(struct ap_answers_cache *c, struct ap_store *store,
                                 int64_t account_id, struct ap_answer *a, struct ap_error *err);
/* Applies a JSON patch (the fields given) to the stored answer `id`; *out
 * receives the result (the caller frees it). */
enum ap_status ap_answers_patch(struct ap_answers_cache *c, struct ap_store *store,
                                int64_t account_id, const char *id, const char *json, size_t len,
                                struct ap_answer *out, struct ap_error *err);
/* Replaces a stored answer with *a (validated); for the CLI's edit and disable. */
enum ap_status ap_answers_update(struct ap_answers_cache *c, struct ap_store *store,
                                 int64_t account_id, struct ap_answer *a, struct ap_error *err);
enum ap_status ap_answers_delete(struct ap_answers_cache *c, struct ap_store *store,
                                 int64_t account_id, const char *id, struct ap_error *err);
/* What an answer made from a knowledge-gap topic learns from it (topic.c):
 * unless `present` (AP_ANSWER_F_ bits) says the caller gave them, the topic's
 * undismissed questions, newest first, become a's alternatives (each once,
 * those a phrasing may be, at most AP_ANSWER_ALTERNATIVES_MAX), and the
 * language most of them were asked in becomes a's language (a keeps its own
 * when the topic's is unknown). a owns what is added. */
enum ap_status ap_answers_learn_from_topic(struct ap_store *store, int64_t account_id,
                                           int64_t topic_id, unsigned present,
                                           struct ap_answer *a, struct ap_error *err);
/* Questions that join a topic after its answer was made (a move, a merge)
 * join the answer's phrasings: read them before the change with
 * ap_answers_read_topic_questions (one question when question_id is not 0,
 * else the topic's; undismissed only; `out` owns copies, freed by
 * ap_topic_questions_free), then ap_answers_join_topic appends them to the
 * alternatives of the answer `topic_id` is linked to, each once, while there
 * is room. A topic without an answer, or whose answer was deleted, is left
 * alone. */
struct ap_topic_questions {
    char **texts;
    size_t n;
};
void ap_topic_questions_free(struct ap_topic_questions *q);
enum ap_status ap_answers_read_topic_questions(struct ap_store *store, int64_t account_id,
                                               int64_t topic_id, int64_t question_id,
                                               struct ap_topic_questions *out,
                                               struct ap_error *err);
enum ap_status ap_answers_join_topic(struct ap_answers_cache *c, struct ap_store *store,
                                     int64_t account_id, int64_t topic_id,
                                     const struct ap_topic_questions *q, struct ap_error *err);
/* The account's no-answer threshold (its own, or the default), and setting
 * it (a negative value restores the default). */
enum ap_status ap_answers_threshold(struct ap_store *store, int64_t account_id, double *out,
                                    struct ap_error *err);
enum ap_status ap_answers_set_threshold(struct ap_answers_cache *c, struct ap_store *store,
                                        int64_t account_id, double threshold,
                                        struct ap_error *err);

#endif
