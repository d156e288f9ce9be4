/* Curation of topics by an admin: rename, merge, move a question, dismiss and
 * undo. Merges and moves change assignments, so they bump the account's
 * generation and every process rebuilds its grouping model from the new
 * assignments: later questions then follow the curated topics. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gaps/gaps.h"

static const char *const status_names[] = {
#define AP_GAP_STATUS_STR(name, str) str,
    AP_GAP_STATUS_MAP(AP_GAP_STATUS_STR)
#undef AP_GAP_STATUS_STR
};

const char *ap_gap_status_name(enum ap_gap_status status)
{
    return (unsigned)status < AP_GAP__STATUS_COUNT ? status_names[status] : "unknown";
}

static enum ap_status ignore_topic(void *ctx, const struct ap_gap_topic_rec *t)
{
    int64_t *merged_into = ctx;
    *merged_into = t->merged_into;
    return AP_OK;
}

/* AP_OK when the account has the topic and it was not merged away; the error
 * names `field`. */
static enum ap_status require_topic(struct ap_store *store, int64_t account_id, int64_t topic_id,
                                    const char *field, struct ap_error *err)
{
    int64_t merged_into = 0;
    enum ap_status rc = ap_store_get_gap_topic(store, account_id, topic_id, ignore_topic,
                                               &merged_into, err);
    if (rc == AP_NOT_FOUND || (rc == AP_OK && merged_into != 0))
        return ap_error_set(err, AP_NOT_FOUND, field, "\"%s\": no topic %lld", field,
                            (long long)topic_id);
    return rc;
}

static enum ap_status not_found_as(enum ap_status rc, const char *field, int64_t id,
                                   const char *what, struct ap_error *err)
{
    if (rc == AP_NOT_FOUND)
        return ap_error_set(err, AP_NOT_FOUND, field, "\"%s\": no %s %lld", field, what,
                            (long long)id);
    return rc;
}

struct rename {
    int64_t account_id, topic_id;
    const char *label;
};

static enum ap_status rename_txn(struct ap_store *store, void *ctx, struct ap_error *err)
{
    struct rename *r = ctx;
    enum ap_status rc = ap_store_rename_gap_topic(store, r->account_id, r->topic_id, r->label, err);
    return not_found_as(rc, "id", r->topic_id, "topic", err);
}

enum ap_status ap_gaps_rename(struct ap_store *store, int64_t account_id, int64_t topic_id,
                              const char *label, struct ap_error *err)
{
    if (label != NULL) {
        size_t len = strlen(label);
        if (len == 0 || !ap_utf8_valid(label, len) || !ap_utf8_printable(label, len) ||
            ap_utf8_length(label, len) > AP_GAP_LABEL_MAX)
            return ap_error_set(err, AP_INVALID, "label",
                                "\"label\": must be 1-%d characters of UTF-8, no control characters",
                                AP_GAP_LABEL_MAX);
    }
    struct rename r = {account_id, topic_id, label};
    return ap_store_transact(store, rename_txn, &r, err);
}

struct merge {
    int64_t account_id, from, into;
};

static enum ap_status merge_txn(struct ap_store *store, void *ctx, struct ap_error *err)
{
    struct merge *m = ctx;
    enum ap_status rc = require_topic(store, m->account_id, m->from, "id", err);
    if (rc == AP_OK)
        rc = require_topic(store, m->account_id, m->into, "into", err);
    if (rc == AP_OK)
        rc = ap_store_merge_gap_topic(store, m->account_id, m->from, m->into, err);
    if (rc == AP_OK)
        rc = ap_store_bump_gap_generation(store, m->account_id, err);
    return rc;
}

enum ap_status ap_gaps_merge(struct ap_store *store, int64_t account_id, int64_t from,
                             int64_t into, struct ap_error *err)
{
    if (from == into)
        return ap_error_set(err, AP_INVALID, "into", "\"into\": a topic cannot merge into itself");
    struct merge m = {account_id, from, into};
    return ap_store_transact(store, merge_txn, &m, err);
}

static enum ap_status ignore_question(void *ctx, const struct ap_gap_question_rec *q)
{
    int64_t *topic_id = ctx;
    *topic_id = q->topic_id;
    return AP_OK;
}

static enum ap_status move_txn(struct ap_store *store, void *ctx, struct ap_error *err)
{
    struct merge *m = ctx; /* from = the question, into = the topic */
    int64_t current = 0;
    enum ap_status rc = ap_store_get_gap_question(store, m->account_id, m->from, ignore_question,
                                                  &current, err);
    rc = not_found_as(rc, "id", m->from, "question", err);
    if (rc == AP_OK && current == 0)
        return ap_error_set(err, AP_CONFLICT, "id",
                            "\"id\": question %lld is not assigned to a topic yet",
                            (long long)m->from);
    if (rc == AP_OK)
        rc = require_topic(store, m->account_id, m->into, "topic", err);
    if (rc != AP_OK || current == m->into)
        return rc;
    rc = ap_store_move_gap_question(store, m->account_id, m->from, m->into, err);
    if (rc == AP_OK)
        rc = ap_store_bump_gap_generation(store, m->account_id, err);
    return rc;
}

enum ap_status ap_gaps_move(struct ap_store *store, int64_t account_id, int64_t question_id,
                            int64_t topic_id, struct ap_error *err)
{
    struct merge m = {account_id, question_id, topic_id};
    return ap_store_transact(store, move_txn, &m, err);
}

struct dismissal {
    int64_t account_id, id;
    bool dismissed;
    int64_t topic_id;
};

static enum ap_status dismiss_topic_txn(struct ap_store *store, void *ctx, struct ap_error *err)
{
    struct dismissal *d = ctx;
    enum ap_status rc =
        ap_store_set_gap_topic_dismissed(store, d->account_id, d->id, d->dismissed, err);
    return not_found_as(rc, "id", d->id, "topic", err);
}

enum ap_status ap_gaps_dismiss_topic(struct ap_store *store, int64_t account_id,
                                     int64_t topic_id, bool dismissed, struct ap_error *err)
{
    struct dismissal d = {account_id, topic_id, dismissed, topic_id};
    return ap_store_transact(store, dismiss_topic_txn, &d, err);
}

static enum ap_status dismiss_question_txn(struct ap_store *store, void *ctx,
                                           struct ap_error *err)
{
    struct dismissal *d = ctx;
    enum ap_status rc = ap_store_get_gap_question(store, d->account_id, d->id, ignore_question,
                                                  &d->topic_id, err);
    if (rc == AP_OK)
        rc = ap_store_set_gap_question_dismissed(store, d->account_id, d->id, d->dismissed, err);
    return not_found_as(rc, "id", d->id, "question", err);
}

enum ap_status ap_gaps_dismiss_question(struct ap_store *store, int64_t account_id,
                                        int64_t question_id, bool dismissed, int64_t *topic_id,
                                        struct ap_error *err)
{
    struct dismissal d = {account_id, question_id, dismissed, 0};
    enum ap_status rc = ap_store_transact(store, dismiss_question_txn, &d, err);
    if (topic_id)
        *topic_id = d.topic_id;
    return rc;
}

enum ap_status ap_gaps_mark_answered(struct ap_store *store, int64_t account_id,
                                     int64_t topic_id, const char *answer_id, int64_t at_us,
                                     struct ap_error *err)
{
    enum ap_status rc =
        ap_store_set_gap_topic_answer(store, account_id, topic_id, answer_id, at_us, err);
    return not_found_as(rc, "id", topic_id, "topic", err);
}

/* --- dismissing by conversation, and the undo ------------------------------------ */

/* A topic's questions as the batch curations need them: id, conversation,
 * whether dismissed. */
struct topic_question {
    int64_t id;
    char *conversation_id;
    bool dismissed;
};

struct batch {
    int64_t account_id, topic_id;
    const char *const *conversations;   /* dismissing: sorted copies of the request's */
    size_t n_conversations;
    const int64_t *ids;                 /* restoring: sorted */
    size_t n_ids_in;
    struct topic_question *questions;
    size_t n_questions, cap_questions;
    int64_t *changed;                   /* the questions whose dismissal changed */
    size_t n_changed;
};

static enum ap_status keep_topic_question(void *ctx, const struct ap_gap_question_rec *q)
{
    struct batch *b = ctx;
    if (b->n_questions == b->cap_questions) {
        b->cap_questions = b->cap_questions ? 2 * b->cap_questions : 64;
        b->questions = ap_realloc(b->questions, b->cap_questions * sizeof *b->questions);
    }
    b->questions[b->n_questions++] = (struct topic_question){
        q->id, ap_strdup(q->conversation_id ? q->conversation_id : ""), q->dismissed};
    return AP_OK;
}

static void batch_reset(struct batch *b)
{
    for (size_t i = 0; i < b->n_questions; i++)
        free(b->questions[i].conversation_id);
    free(b->questions);
    free(b->changed);
    b->questions = NULL;
    b->changed = NULL;
    b->n_questions = b->cap_questions = b->n_changed = 0;
}

static int by_string(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int by_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

/* Reads the topic's questions into b (after a retry: anew). */
static enum ap_status read_topic_questions(struct ap_store *store, struct batch *b,
                                           struct ap_error *err)
{
    batch_reset(b);
    enum ap_status rc = require_topic(store, b->account_id, b->topic_id, "id", err);
    if (rc == AP_OK)
        rc = ap_store_select_gap_topic_questions(store, b->account_id, b->topic_id, INT64_MAX, 0,
                                                 keep_topic_question, b, err);
    b->changed = ap_calloc(b->n_questions ? b->n_questions : 1, sizeof *b->changed);
    return rc;
}

/* Sets the dismissal of every question in b->changed, pinning each, then the
 * topic's figures once. */
static enum ap_status apply_batch(struct ap_store *store, struct batch *b, bool dismissed,
                                  struct ap_error *err)
{
    enum ap_status rc = AP_OK;
    for (size_t i = 0; rc == AP_OK && i < b->n_changed; i++)
        rc = ap_store_curate_gap_question_dismissed(store, b->account_id, b->topic_id,
                                                    b->changed[i], dismissed, err);
    if (rc == AP_OK && b->n_changed > 0)
        rc = ap_store_refresh_gap_topic(store, b->account_id, b->topic_id, err);
    return rc;
}

/* The error for a conversation with no question in the topic. The id is
 * named whole (the parser checked its UTF-8) when it fits the message. */
static enum ap_status unknown_conversation(const char *id, int64_t topic_id,
                                           struct ap_error *err)
{
    if (strlen(id) > 128)
        return ap_error_set(err, AP_INVALID, "conversations",
                            "\"conversations\": a conversation id of %zu bytes has no question "
                            "in topic %lld",
                            strlen(id), (long long)topic_id);
    return ap_error_set(err, AP_INVALID, "conversations",
                        "\"conversations\": conversation \"%s\" has no question in topic %lld",
                        id, (long long)topic_id);
}

static enum ap_status dismiss_conversations_txn(struct ap_store *store, void *ctx,
                                                struct ap_error *err)
{
    struct batch *b = ctx;
    enum ap_status rc = read_topic_questions(store, b, err);
    if (rc != AP_OK)
        return rc;
    bool *seen = ap_calloc(b->n_conversations, sizeof *seen);
    for (size_t i = 0; i < b->n_questions; i++) {
        const char *key = b->questions[i].conversation_id;
        const char *const *hit = bsearch(&key, b->conversations, b->n_conversations,
                                         sizeof *b->conversations, by_string);
        if (hit == NULL)
            continue;
        seen[hit - b->conversations] = true;
        if (!b->questions[i].dismissed)
            b->changed[b->n_changed++] = b->questions[i].id;
    }
    for (size_t i = 0; rc == AP_OK && i < b->n_conversations; i++)
        if (!seen[i])
            rc = unknown_conversation(b->conversations[i], b->topic_id, err);
    free(seen);
    if (rc == AP_OK && b->n_changed > AP_GAP_BATCH_QUESTIONS_MAX)
        rc = ap_error_set(err, AP_TOO_LARGE, "conversations",
                          "\"conversations\": they have %zu questions in the topic, more than "
                          "%d at once (the most an undo takes back)",
                          b->n_changed, AP_GAP_BATCH_QUESTIONS_MAX);
    if (rc == AP_OK)
        rc = apply_batch(store, b, true, err);
    return rc;
}

/* Hands b's changed ids to the caller and frees the rest. */
static void batch_finish(struct batch *b, enum ap_status rc, int64_t **ids, size_t *n_ids)
{
    if (rc == AP_OK && ids) {
        *ids = b->changed;
        *n_ids = b->n_changed;
        b->changed = NULL;
    }
    batch_reset(b);
}

static enum ap_status check_batch_size(const char *field, size_t n, size_t max,
                                       struct ap_error *err)
{
    if (n == 0)
        return ap_error_set(err, AP_INVALID, field, "\"%s\": name at least one", field);
    if (n > max)
        return ap_error_set(err, AP_TOO_LARGE, field, "\"%s\": at most %zu at once", field, max);
    return AP_OK;
}

enum ap_status ap_gaps_dismiss_conversations(struct ap_store *store, int64_t account_id,
                                             int64_t topic_id, const char *const *conversations,
                                             size_t n, int64_t **ids, size_t *n_ids,
                                             struct ap_error *err)
{
    if (ids) {
        *ids = NULL;
        *n_ids = 0;
    }
    enum ap_status rc = check_batch_size("conversations", n, AP_GAP_BATCH_CONVERSATIONS_MAX, err);
    if (rc != AP_OK)
        return rc;
    const char **sorted = ap_calloc(n, sizeof *sorted);
    memcpy(sorted, conversations, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, by_string);
    size_t distinct = 0; /* a conversation named twice is named once */
    for (size_t i = 0; i < n; i++)
        if (distinct == 0 || strcmp(sorted[i], sorted[distinct - 1]) != 0)
            sorted[distinct++] = sorted[i];
    n = distinct;
    struct batch b = {.account_id = account_id, .topic_id = topic_id,
                      .conversations = sorted, .n_conversations = n};
    rc = ap_store_transact(store, dismiss_conversations_txn, &b, err);
    batch_finish(&b, rc, ids, n_ids);
    free(sorted);
    return rc;
}

static enum ap_status restore_txn(struct ap_store *store, void *ctx, struct ap_error *err)
{
    struct batch *b = ctx;
    enum ap_status rc = read_topic_questions(store, b, err);
    if (rc != AP_OK)
        return rc;
    size_t found = 0;
    bool *seen = ap_calloc(b->n_ids_in, sizeof *seen);
    for (size_t i = 0; i < b->n_questions; i++) {
        const int64_t *hit = bsearch(&b->questions[i].id, b->ids, b->n_ids_in, sizeof *b->ids,
                                     by_id);
        if (hit == NULL)
            continue;
        seen[hit - b->ids] = true;
        found++;
        if (b->questions[i].dismissed)
            b->changed[b->n_changed++] = b->questions[i].id;
    }
    for (size_t i = 0; found < b->n_ids_in && i < b->n_ids_in; i++)
        if (!seen[i]) {
            rc = ap_error_set(err, AP_INVALID, "questions",
                              "\"questions\": topic %lld has no question %lld",
                              (long long)b->topic_id, (long long)b->ids[i]);
            break;
        }
    free(seen);
    if (rc == AP_OK)
        rc = apply_batch(store, b, false, err);
    return rc;
}

enum ap_status ap_gaps_restore_questions(struct ap_store *store, int64_t account_id,
                                         int64_t topic_id, const int64_t *question_ids, size_t n,
                                         int64_t **ids, size_t *n_ids, struct ap_error *err)
{
    if (ids) {
        *ids = NULL;
        *n_ids = 0;
    }
    enum ap_status rc = check_batch_size("questions", n, AP_GAP_BATCH_QUESTIONS_MAX, err);
    if (rc != AP_OK)
        return rc;
    int64_t *sorted = ap_calloc(n, sizeof *sorted);
    memcpy(sorted, question_ids, n * sizeof *sorted);
    qsort(sorted, n, sizeof *sorted, by_id);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        if (distinct == 0 || sorted[i] != sorted[distinct - 1])
            sorted[distinct++] = sorted[i];
    n = distinct;
    struct batch b = {.account_id = account_id, .topic_id = topic_id, .ids = sorted,
                      .n_ids_in = n};
    rc = ap_store_transact(store, restore_txn, &b, err);
    batch_finish(&b, rc, ids, n_ids);
    free(sorted);
    return rc;
}
