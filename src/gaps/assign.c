/* Assignment of recorded questions to topics, with one grouping model per
 * account kept in memory. The model is a function of the stored assignments:
 * it is built by replaying them in assignment order, and before deciding
 * anything it catches up with the assignments other processes stored since.
 * Decisions are made under the database's write lock, so every process
 * reaches the same model. Curation that moves questions bumps the account's
 * generation, and a model of an older generation is rebuilt. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gaps/gaps.h"
#include "gaps/regroup.h"
#include "text/text.h"

#define PENDING_PAGE 512

struct model {
    int64_t account_id;
    pthread_mutex_t lock;      /* held while the model is read or changed */
    bool valid;                /* false: rebuild before use */
    int64_t generation;
    int64_t seq;               /* last assignment the model contains */
    struct ap_grouper *grouper;
    struct ap_text *text;      /* ICU and stemmer state, not thread-safe */
    /* the account's setting, read at each assignment so a change applies to
     * the next question (stored decisions keep the stemmer they were made in) */
    char default_language[AP_LANGUAGE_TAG_MAX + 1];
    int64_t *topic_of;         /* grouper topic -> topic id */
    size_t n_topics, cap_topics;
    size_t *index_of;          /* topic id -> grouper topic, SIZE_MAX for none */
    size_t cap_index;
    int64_t regrouped_seq;     /* assignments the last re-grouping saw (this process) */
    int64_t assign_until;      /* the pending questions assign_txn takes: ids up to this */
};

struct ap_gaps {
    pthread_mutex_t lock;      /* guards the list of models */
    struct ap_grouper_options opts;
    struct ap_regroup_options regroup;
    bool regroup_in_background; /* ap_gaps_regroup_if_due runs (off by default) */
    struct model **models;
    size_t n_models, cap_models;
};

struct ap_gaps *ap_gaps_new(const struct ap_grouper_options *opts)
{
    struct ap_gaps *gaps = ap_calloc(1, sizeof *gaps);
    pthread_mutex_init(&gaps->lock, NULL);
    if (opts)
        gaps->opts = *opts;
    else
        ap_grouper_options_init(&gaps->opts);
    ap_regroup_options_init(&gaps->regroup);
    return gaps;
}

void ap_gaps_regroup_in_background(struct ap_gaps *gaps, bool on)
{
    gaps->regroup_in_background = on;
}

static void model_reset(struct model *m)
{
    ap_grouper_destroy(m->grouper);
    m->grouper = NULL;
    m->valid = false;
    m->seq = 0;
    m->n_topics = 0;
    for (size_t i = 0; i < m->cap_index; i++)
        m->index_of[i] = SIZE_MAX;
}

static void model_free(struct model *m)
{
    model_reset(m);
    ap_text_destroy(m->text);
    free(m->topic_of);
    free(m->index_of);
    pthread_mutex_destroy(&m->lock);
    free(m);
}

void ap_gaps_destroy(struct ap_gaps *gaps)
{
    if (gaps == NULL)
        return;
    for (size_t i = 0; i < gaps->n_models; i++)
        model_free(gaps->models[i]);
    free(gaps->models);
    pthread_mutex_destroy(&gaps->lock);
    free(gaps);
}

/* The account's model, created empty (invalid) on first use. */
static enum ap_status model_for(struct ap_gaps *gaps, int64_t account_id, struct model **out,
                                struct ap_error *err)
{
    enum ap_status rc = AP_OK;
    pthread_mutex_lock(&gaps->lock);
    for (size_t i = 0; i < gaps->n_models; i++)
        if (gaps->models[i]->account_id == account_id)
            *out = gaps->models[i];
    if (*out == NULL) {
        struct model *m = ap_calloc(1, sizeof *m);
        m->account_id = account_id;
        pthread_mutex_init(&m->lock, NULL);
        rc = ap_text_new(&m->text, err);
        if (rc != AP_OK) {
            pthread_mutex_destroy(&m->lock);
            free(m);
        } else {
            if (gaps->n_models == gaps->cap_models) {
                gaps->cap_models = gaps->cap_models ? 2 * gaps->cap_models : 8;
                gaps->models = ap_realloc(gaps->models, gaps->cap_models * sizeof *gaps->models);
            }
            gaps->models[gaps->n_models++] = m;
            *out = m;
        }
    }
    pthread_mutex_unlock(&gaps->lock);
    return rc;
}

/* The grouper's topic for a stored topic id, mapping a new one to the next
 * grouper topic. */
static size_t grouper_topic(struct model *m, int64_t topic_id)
{
    size_t id = (size_t)topic_id;
    if (id >= m->cap_index) {
        size_t cap = m->cap_index ? m->cap_index : 256;
        while (cap <= id)
            cap *= 2;
        m->index_of = ap_realloc(m->index_of, cap * sizeof *m->index_of);
        for (size_t i = m->cap_index; i < cap; i++)
            m->index_of[i] = SIZE_MAX;
        m->cap_index = cap;
    }
    if (m->index_of[id] == SIZE_MAX) {
        if (m->n_topics == m->cap_topics) {
            m->cap_topics = m->cap_topics ? 2 * m->cap_topics : 256;
            m->topic_of = ap_realloc(m->topic_of, m->cap_topics * sizeof *m->topic_of);
        }
        m->topic_of[m->n_topics] = topic_id;
        m->index_of[id] = m->n_topics++;
    }
    return m->index_of[id];
}

/* Tokens of a question in the language it was (or is now) stemmed in. */
static enum ap_status question_tokens(struct model *m, const struct ap_gap_question_rec *q,
                                      const char **stemmer, struct ap_tokens *tokens,
                                      struct ap_error *err)
{
    size_t len = strlen(q->text);
    if (*stemmer == NULL)
        *stemmer = ap_text_language(m->text, q->text, len, q->language,
                                    m->default_language[0] ? m->default_language
                                                           : AP_DEFAULT_LANGUAGE);
    return ap_text_tokens(m->text, q->text, len, *stemmer, tokens, err);
}

struct replay {
    struct model *m;
    struct ap_error *err;
};

static enum ap_status replay_one(void *ctx, const struct ap_gap_question_rec *q)
{
    struct replay *r = ctx;
    struct model *m = r->m;
    struct ap_tokens tokens = {0};
    const char *stemmer = q->stemmer ? ap_text_stemmer_for(q->stemmer) : NULL;
    enum ap_status rc = question_tokens(m, q, &stemmer, &tokens, r->err);
    if (rc == AP_OK) {
        struct ap_gap_question gq = {&tokens, q->embedding, q->embedding_len};
        ap_grouper_place(m->grouper, &gq, grouper_topic(m, q->topic_id));
        m->seq = q->assign_seq;
    }
    ap_tokens_free(&tokens);
    return rc;
}

/* Brings the model up to the stored assignments: rebuilt from nothing when it
 * is invalid or of another generation, else only the newer ones replayed. */
static enum ap_status catch_up(struct ap_gaps *gaps, struct model *m, struct ap_store *store,
                               struct ap_error *err)
{
    int64_t generation;
    enum ap_status rc = ap_store_gap_generation(store, m->account_id, &generation, err);
    if (rc != AP_OK)
        return rc;
    if (!m->valid || generation != m->generation) {
        model_reset(m);
        m->grouper = ap_grouper_new(&gaps->opts);
        m->generation = generation;
        m->valid = true;
    }
    struct replay r = {m, err};
    rc = ap_store_select_gap_assignments(store, m->account_id, m->seq, replay_one, &r, err);
    if (rc != AP_OK)
        m->valid = false;
    return rc;
}

/* A page of pending questions, copied out of the store's callback. */
struct pending {
    struct ap_gap_question_rec *items;
    size_t n;
};

static char *dup_or_null(const char *s)
{
    return s ? ap_strdup(s) : NULL;
}

static enum ap_status collect_pending(void *ctx, const struct ap_gap_question_rec *q)
{
    struct pending *p = ctx;
    struct ap_gap_question_rec *c = &p->items[p->n++];
    *c = *q;
    c->text = ap_strdup(q->text);
    c->language = dup_or_null(q->language);
    c->event_id = NULL;
    c->conversation_id = NULL;
    c->channel = NULL;
    c->stemmer = NULL;
    if (q->embedding) {
        double *copy = ap_malloc(q->embedding_len * sizeof *copy);
        memcpy(copy, q->embedding, q->embedding_len * sizeof *copy);
        c->embedding = copy;
    }
    return AP_OK;
}

static void pending_free(struct pending *p)
{
    for (size_t i = 0; i < p->n; i++) {
        free((char *)p->items[i].text);
        free((char *)p->items[i].language);
        free((double *)p->items[i].embedding);
    }
    p->n = 0;
}

/* Decides one question's topic and stores the decision. */
static enum ap_status assign_one(struct model *m, struct ap_store *store,
                                 const struct ap_gap_question_rec *q, int64_t now_us,
                                 struct ap_error *err)
{
    struct ap_tokens tokens = {0};
    const char *stemmer = NULL;
    enum ap_status rc = question_tokens(m, q, &stemmer, &tokens, err);
    if (rc != AP_OK)
        return rc;
    struct ap_gap_question gq = {&tokens, q->embedding, q->embedding_len};
    double similarity;
    size_t topic = ap_grouper_assign(m->grouper, &gq, &similarity);
    ap_tokens_free(&tokens);
    if (topic >= m->n_topics) { /* a new topic: give it a stored id */
        int64_t topic_id;
        rc = ap_store_insert_gap_topic(store, m->account_id, now_us, &topic_id, err);
        if (rc != AP_OK)
            return rc;
        grouper_topic(m, topic_id);
    }
    m->seq++;
    return ap_store_assign_gap_question(store, m->account_id, q->id, m->topic_of[topic], m->seq,
                                        stemmer, similarity, err);
}

/* Inside the transaction: catch up, then assign pending questions a page at
 * a time. Any failure leaves the model invalid, to be rebuilt. */
static enum ap_status assign_txn(struct ap_gaps *gaps, struct model *m, struct ap_store *store,
                                 size_t *assigned, struct ap_error *err)
{
    struct ap_account account;
    enum ap_status rc = ap_store_get_account(store, m->account_id, &account, err);
    if (rc == AP_OK) {
        ap_copy_str(m->default_language, sizeof m->default_language, account.default_language);
        rc = catch_up(gaps, m, store, err);
    }
    struct pending p = {ap_calloc(PENDING_PAGE, sizeof *p.items), 0};
    int64_t now_us = ap_time_now_us();
    while (rc == AP_OK) {
        rc = ap_store_select_pending_gap_questions(store, m->account_id, PENDING_PAGE,
                                                   collect_pending, &p, err);
        size_t got = p.n, done = 0;
        bool past = false; /* stored after the caller's bound: left for later */
        for (size_t i = 0; i < p.n && rc == AP_OK && !past; i++) {
            past = p.items[i].id > m->assign_until;
            if (!past) {
                rc = assign_one(m, store, &p.items[i], now_us, err);
                done++;
            }
        }
        if (rc == AP_OK)
            *assigned += done;
        pending_free(&p);
        if (got < PENDING_PAGE || past)
            break;
    }
    free(p.items);
    if (rc != AP_OK)
        m->valid = false;
    return rc;
}

static enum ap_status count_pending(void *ctx, const struct ap_gap_question_rec *q)
{
    (void)q;
    (*(size_t *)ctx)++;
    return AP_OK;
}

/* One unit of work inside a write transaction. */
typedef enum ap_status (*model_txn_fn)(struct ap_gaps *gaps, struct model *m,
                                       struct ap_store *store, size_t *count,
                                       struct ap_error *err);

/* Runs fn in a write transaction, again while the store is busy. The model's
 * lock must be held. */
static enum ap_status in_transaction(struct ap_gaps *gaps, struct model *m, struct ap_store *store,
                                     model_txn_fn fn, size_t *count, struct ap_error *err)
{
    enum { MAX_ATTEMPTS = 20 };
    enum ap_status rc = AP_OK;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
        *count = 0;
        rc = ap_store_begin(store, err);
        if (rc == AP_BUSY)
            continue;
        if (rc == AP_OK)
            rc = fn(gaps, m, store, count, err);
        if (rc == AP_OK)
            rc = ap_store_commit(store, err);
        if (rc != AP_OK) {
            ap_store_rollback(store);
            m->valid = false;
        }
        if (rc != AP_BUSY)
            break;
    }
    return rc;
}

enum ap_status ap_gaps_assign_pending(struct ap_gaps *gaps, struct ap_store *store,
                                      int64_t account_id, size_t *assigned,
                                      struct ap_error *err)
{
    return ap_gaps_assign_pending_until(gaps, store, account_id, INT64_MAX, assigned, err);
}

enum ap_status ap_gaps_assign_pending_until(struct ap_gaps *gaps, struct ap_store *store,
                                            int64_t account_id, int64_t until_id,
                                            size_t *assigned, struct ap_error *err)
{
    struct model *m = NULL;
    size_t count = 0;
    enum ap_status rc = model_for(gaps, account_id, &m, err);
    if (rc != AP_OK)
        return rc;
    pthread_mutex_lock(&m->lock);
    /* The bulk of a rebuild reads outside the write lock; the transaction
     * then replays only what was stored meanwhile. */
    rc = catch_up(gaps, m, store, err);
    /* Reads are the common case: take the write lock only when there is work. */
    size_t waiting = 0;
    if (rc == AP_OK)
        rc = ap_store_select_pending_gap_questions(store, account_id, 1, count_pending, &waiting,
                                                   err);
    m->assign_until = until_id;
    if (rc == AP_OK && waiting > 0)
        rc = in_transaction(gaps, m, store, assign_txn, &count, err);
    pthread_mutex_unlock(&m->lock);
    if (assigned)
        *assigned = rc == AP_OK ? count : 0;
    return rc;
}

/* --- re-grouping ------------------------------------------------------------------ */

/* The questions a re-grouping may move, as read: ids, topics, similarities,
 * and their tokens handed to the regrouper. */
struct regroup_rows {
    struct model *m;
    struct ap_regrouper *r;
    int64_t *id, *topic;
    double *similarity;
    size_t n, cap;
    struct ap_error *err;
};

static enum ap_status collect_regroup_row(void *ctx, const struct ap_gap_question_rec *q)
{
    struct regroup_rows *rows = ctx;
    struct ap_tokens tokens = {0};
    const char *stemmer = q->stemmer ? ap_text_stemmer_for(q->stemmer) : NULL;
    enum ap_status rc = question_tokens(rows->m, q, &stemmer, &tokens, rows->err);
    if (rc != AP_OK)
        return rc;
    ap_regrouper_add(rows->r, &tokens, q->embedding, q->embedding_len);
    ap_tokens_free(&tokens);
    if (rows->n == rows->cap) {
        rows->cap = rows->cap ? 2 * rows->cap : 1024;
        rows->id = ap_realloc(rows->id, rows->cap * sizeof *rows->id);
        rows->topic = ap_realloc(rows->topic, rows->cap * sizeof *rows->topic);
        rows->similarity = ap_realloc(rows->similarity, rows->cap * sizeof *rows->similarity);
    }
    rows->id[rows->n] = q->id;
    rows->topic[rows->n] = q->topic_id;
    rows->similarity[rows->n] = q->similarity;
    rows->n++;
    return AP_OK;
}

/* Topic ids a re-grouping changed, refreshed once each at the end. */
struct touched {
    int64_t *ids;
    size_t n, cap;
};

static void touch_topic(struct touched *t, int64_t id)
{
    if (t->n == t->cap) {
        t->cap = t->cap ? 2 * t->cap : 64;
        t->ids = ap_realloc(t->ids, t->cap * sizeof *t->ids);
    }
    t->ids[t->n++] = id;
}

static int by_topic_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static enum ap_status refresh_touched(struct ap_store *store, int64_t account_id,
                                      struct touched *t, struct ap_error *err)
{
    if (t->n == 0)
        return AP_OK;
    qsort(t->ids, t->n, sizeof *t->ids, by_topic_id);
    enum ap_status rc = AP_OK;
    for (size_t i = 0; rc == AP_OK && i < t->n; i++)
        if (i == 0 || t->ids[i] != t->ids[i - 1])
            rc = ap_store_refresh_gap_topic(store, account_id, t->ids[i], err);
    return rc;
}

struct retiring {
    int64_t topic;
    size_t row;
};

static int by_topic_then_row(const void *a, const void *b)
{
    const struct retiring *x = a, *y = b;
    if (x->topic != y->topic)
        return x->topic < y->topic ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

/* An earlier topic that no group continues has lost its questions: it is
 * merged into the new topic of its first question (its id then answers
 * "merged into N", and what is left in it, dismissed questions, follows). */
static enum ap_status retire_topics(struct ap_store *store, int64_t account_id,
                                    const struct regroup_rows *rows, const uint32_t *group,
                                    const int64_t *topic_of_group, const int64_t *continues,
                                    size_t groups, struct ap_error *err)
{
    int64_t *kept = ap_malloc((groups ? groups : 1) * sizeof *kept);
    size_t n_kept = 0;
    for (size_t g = 0; g < groups; g++)
        if (continues[g])
            kept[n_kept++] = continues[g];
    qsort(kept, n_kept, sizeof *kept, by_topic_id);
    struct retiring *gone = ap_malloc((rows->n ? rows->n : 1) * sizeof *gone);
    size_t n_gone = 0;
    for (size_t i = 0; i < rows->n; i++)
        if (!bsearch(&rows->topic[i], kept, n_kept, sizeof *kept, by_topic_id))
            gone[n_gone++] = (struct retiring){rows->topic[i], i};
    qsort(gone, n_gone, sizeof *gone, by_topic_then_row);
    enum ap_status rc = AP_OK;
    for (size_t i = 0; rc == AP_OK && i < n_gone; i++)
        if (i == 0 || gone[i].topic != gone[i - 1].topic)
            rc = ap_store_merge_gap_topic(store, account_id, gone[i].topic,
                                          topic_of_group[group[gone[i].row]], err);
    free(gone);
    free(kept);
    return rc;
}

/* The similarity stored with a question is what picks a topic's label (the
 * highest): a re-grouping stores each question's cosine to its topic's
 * centre, so the label is the most central question. Changes below this are
 * not worth a write. */
#define SIMILARITY_EPSILON 1e-6

/* Inside the transaction: assigns what waits, re-groups the questions nobody
 * placed by hand, and stores what changed. *moved counts questions that
 * changed topic. */
static enum ap_status regroup_txn(struct ap_gaps *gaps, struct model *m, struct ap_store *store,
                                  size_t *moved, struct ap_error *err)
{
    size_t assigned = 0;
    enum ap_status rc = assign_txn(gaps, m, store, &assigned, err);
    if (rc != AP_OK)
        return rc;
    m->regrouped_seq = m->seq;
    struct regroup_rows rows = {.m = m, .r = ap_regrouper_new(&gaps->regroup), .err = err};
    rc = ap_store_select_gap_regroup_questions(store, m->account_id, collect_regroup_row, &rows,
                                               err);
    uint32_t *group = ap_malloc((rows.n ? rows.n : 1) * sizeof *group);
    double *similarity = ap_malloc((rows.n ? rows.n : 1) * sizeof *similarity);
    size_t groups = rc == AP_OK ? ap_regrouper_run(rows.r, group, similarity) : 0;
    int64_t *continues = ap_malloc((groups ? groups : 1) * sizeof *continues);
    int64_t *topic_of_group = ap_malloc((groups ? groups : 1) * sizeof *topic_of_group);
    ap_regroup_carry_over(rows.topic, group, rows.n, groups, continues);
    int64_t now_us = ap_time_now_us();
    for (size_t g = 0; rc == AP_OK && g < groups; g++) {
        topic_of_group[g] = continues[g];
        if (topic_of_group[g] == 0)
            rc = ap_store_insert_gap_topic(store, m->account_id, now_us, &topic_of_group[g], err);
    }
    struct touched touched = {0};
    for (size_t i = 0; rc == AP_OK && i < rows.n; i++) {
        int64_t to = topic_of_group[group[i]];
        if (to == rows.topic[i] && !(fabs(similarity[i] - rows.similarity[i]) > SIMILARITY_EPSILON))
            continue;
        rc = ap_store_regroup_gap_question(store, m->account_id, rows.id[i], to, similarity[i],
                                           err);
        touch_topic(&touched, to);
        if (to != rows.topic[i]) {
            touch_topic(&touched, rows.topic[i]);
            (*moved)++;
        }
    }
    if (rc == AP_OK && *moved > 0)
        rc = retire_topics(store, m->account_id, &rows, group, topic_of_group, continues, groups,
                           err);
    if (rc == AP_OK)
        rc = refresh_touched(store, m->account_id, &touched, err);
    /* Every process rebuilds its model from the new assignments. */
    if (rc == AP_OK && *moved > 0) {
        rc = ap_store_bump_gap_generation(store, m->account_id, err);
        m->valid = false;
    }
    free(touched.ids);
    free(topic_of_group);
    free(continues);
    free(similarity);
    free(group);
    free(rows.id);
    free(rows.topic);
    free(rows.similarity);
    ap_regrouper_destroy(rows.r);
    return rc;
}

enum ap_status ap_gaps_regroup(struct ap_gaps *gaps, struct ap_store *store, int64_t account_id,
                               size_t *moved, struct ap_error *err)
{
    /* A run with nothing to re-group is a short transaction: no need to
     * check for work first as assignment does. */
    struct model *m = NULL;
    size_t count = 0;
    enum ap_status rc = model_for(gaps, account_id, &m, err);
    if (rc != AP_OK)
        return rc;
    pthread_mutex_lock(&m->lock);
    rc = catch_up(gaps, m, store, err);
    if (rc == AP_OK)
        rc = in_transaction(gaps, m, store, regroup_txn, &count, err);
    pthread_mutex_unlock(&m->lock);
    if (moved)
        *moved = rc == AP_OK ? count : 0;
    return rc;
}

/* A re-grouping is due once the account's questions have grown by a tenth
 * since the last one this process ran (and by at least this many). */
#define REGROUP_MIN_NEW 20

enum ap_status ap_gaps_regroup_if_due(struct ap_gaps *gaps, struct ap_store *store,
                                      int64_t account_id, size_t *moved, struct ap_error *err)
{
    struct model *m = NULL;
    if (moved)
        *moved = 0;
    if (!gaps->regroup_in_background)
        return AP_OK;
    enum ap_status rc = model_for(gaps, account_id, &m, err);
    if (rc != AP_OK)
        return rc;
    pthread_mutex_lock(&m->lock);
    int64_t grown = m->seq - m->regrouped_seq;
    bool due = m->valid && grown >= REGROUP_MIN_NEW && grown * 10 >= m->regrouped_seq;
    pthread_mutex_unlock(&m->lock);
    return due ? ap_gaps_regroup(gaps, store, account_id, moved, err) : AP_OK;
}
