/* Curation of topics by an admin: rename, merge, move a question, dismiss and
 * undo. Merges and moves change assignments, so they bump the account's
 * generation and every process rebuilds its grouping model from the new
 * assignments: later questions then follow the curated topics. */
#include <stdio.h>
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
