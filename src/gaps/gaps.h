/* Knowledge gaps as a service (SPEC §5): unanswered questions recorded at
 * ingest, assigned to topics right after they are stored, the topic table and
 * detail, and curation. The grouping itself is group.h; this module keeps one
 * grouping model per account in memory and makes it a function of the stored
 * assignments (docs/internals/gaps.md). */
#ifndef AP_GAPS_H
#define AP_GAPS_H

#include "account/account.h"
#include "core/core.h"
#include "gaps/group.h"
#include "store/store.h"
#include "text/text.h"

const char *ap_gap_status_name(enum ap_gap_status status);

/* --- recording (record.c) ------------------------------------------------------ */

/* Inside the ingest transaction: records every stored unanswered question of
 * `events` (verdicts[i] says which were stored) as not yet assigned, and keeps
 * the channel of recorded questions current when a conversation's start
 * arrives. */
enum ap_status ap_gaps_record(struct ap_store *store, int64_t account_id,
                              const struct ap_event *events, const enum ap_verdict *verdicts,
                              size_t n, struct ap_error *err);

/* --- assignment (assign.c) ----------------------------------------------------- */

/* The models of one process, one per account, each built by replaying the
 * stored assignments and kept current. Thread-safe. Owned by the caller of
 * ap_gaps_new; ap_gaps_destroy frees every model. */
struct ap_gaps;

struct ap_gaps *ap_gaps_new(const struct ap_grouper_options *opts);
void ap_gaps_destroy(struct ap_gaps *gaps);

/* Assigns every recorded question that has no topic yet, in order of storage,
 * in its own transaction(s), creating topics as needed. Call it after an ingest
 * commits and before reading topics. *assigned (may be NULL) receives how many
 * were assigned. */
enum ap_status ap_gaps_assign_pending(struct ap_gaps *gaps, struct ap_store *store,
                                      int64_t account_id, size_t *assigned,
                                      struct ap_error *err);
/* The same for the recorded questions with ids up to until_id only: those
 * stored later wait for the next call (the topic worker's bound after it
 * waited for their vectors, docs/internals/embed.md). */
enum ap_status ap_gaps_assign_pending_until(struct ap_gaps *gaps, struct ap_store *store,
                                            int64_t account_id, int64_t until_id,
                                            size_t *assigned, struct ap_error *err);

/* Re-groups the account's questions that nobody placed by hand (not in a
 * topic renamed, dismissed, answered or merged, not moved or merged by a
 * person, not dismissed) with the batch engine of regroup.h, in one
 * transaction: topics keep their ids where they continue (by the questions
 * they share), a topic left without questions is merged into the one that
 * took its first, new needs get new topics, and each moved question stores
 * its similarity to its topic's centre (so the label is the most central
 * question). Assigns pending questions first. *moved (may be NULL) receives
 * how many questions changed topic. The result is stored, so every process
 * sees the same topics. */
enum ap_status ap_gaps_regroup(struct ap_gaps *gaps, struct ap_store *store, int64_t account_id,
                               size_t *moved, struct ap_error *err);

/* ap_gaps_regroup when re-grouping in the background is on and the account's
 * assigned questions have grown by a tenth (and at least 20) since this
 * process last re-grouped it; else nothing. Off by default (`serve --regroup`
 * turns it on): on the demo's short questions it makes more topics than the
 * online engine (docs/benchmarks.md). */
void ap_gaps_regroup_in_background(struct ap_gaps *gaps, bool on);
enum ap_status ap_gaps_regroup_if_due(struct ap_gaps *gaps, struct ap_store *store,
                                      int64_t account_id, size_t *moved, struct ap_error *err);

/* --- curation (curate.c) ------------------------------------------------------- */

/* Each runs in its own transaction and answers AP_NOT_FOUND (field "id",
 * "topic" or "into") for a topic or question the account does not have. */
#define AP_GAP_LABEL_MAX 200
enum ap_status ap_gaps_rename(struct ap_store *store, int64_t account_id, int64_t topic_id,
                              const char *label, struct ap_error *err);
enum ap_status ap_gaps_merge(struct ap_store *store, int64_t account_id, int64_t from,
                             int64_t into, struct ap_error *err);
enum ap_status ap_gaps_move(struct ap_store *store, int64_t account_id, int64_t question_id,
                            int64_t topic_id, struct ap_error *err);
enum ap_status ap_gaps_dismiss_topic(struct ap_store *store, int64_t account_id,
                                     int64_t topic_id, bool dismissed, struct ap_error *err);
/* *topic_id (may be NULL) receives the question's topic. */
enum ap_status ap_gaps_dismiss_question(struct ap_store *store, int64_t account_id,
                                        int64_t question_id, bool dismissed, int64_t *topic_id,
                                        struct ap_error *err);
/* Dismissal by conversation (SPEC §5: checkboxes, select all) and its undo.
 * ap_gaps_dismiss_conversations dismisses, in the topic, every undismissed
 * question of the named conversations (1 to AP_GAP_BATCH_CONVERSATIONS_MAX;
 * each must have a question in the topic, else AP_INVALID naming
 * "conversations"); ap_gaps_restore_questions undismisses the named questions
 * of the topic (1 to AP_GAP_BATCH_QUESTIONS_MAX; each must be in the topic,
 * else AP_INVALID naming "questions"). Both pin the questions they change, so
 * the re-grouping never undoes a person's decision (an undo included), and
 * hand the ids they changed to *ids (the caller frees it; NULL on failure or
 * when ids is NULL). One transaction each. */
#define AP_GAP_BATCH_CONVERSATIONS_MAX 500
#define AP_GAP_BATCH_QUESTIONS_MAX 10000
enum ap_status ap_gaps_dismiss_conversations(struct ap_store *store, int64_t account_id,
                                             int64_t topic_id, const char *const *conversations,
                                             size_t n, int64_t **ids, size_t *n_ids,
                                             struct ap_error *err);
enum ap_status ap_gaps_restore_questions(struct ap_store *store, int64_t account_id,
                                         int64_t topic_id, const int64_t *question_ids, size_t n,
                                         int64_t **ids, size_t *n_ids, struct ap_error *err);
/* Marks a topic answered by a short answer, at `at_us`, inside the open
 * transaction (the caller creates the answer in the same one). */
enum ap_status ap_gaps_mark_answered(struct ap_store *store, int64_t account_id,
                                     int64_t topic_id, const char *answer_id, int64_t at_us,
                                     struct ap_error *err);

/* --- labels (label.c) ---------------------------------------------------------- */

/* The automatic label shown for a topic whose representative question is
 * `text`: greetings before the question and sign-offs after it cut, words
 * with three digits or more (order, ticket, phone numbers) shown as "…".
 * Writes at most cap - 1 bytes and a NUL to out (never cutting a UTF-8
 * character); returns the length. Text that would come out empty is kept. */
#define AP_GAP_LABEL_TEXT_MAX 4096
size_t ap_gap_label_trim(const char *text, char *out, size_t cap);

/* --- identical questions (same.c) --------------------------------------------- */

/* One question of a topic as the topic page lists it. Strings owned by the
 * ap_gap_same that holds it. */
struct ap_gap_member {
    int64_t id;
    char *event_id, *conversation_id, *channel; /* channel may be NULL */
    int64_t at_us;
    bool dismissed;
};

/* A topic's questions of one identity (ap_text_identity): `text` is its most
 * central member's as asked, `count` its undismissed members, `dismissed`
 * the others; members newest first. Pointers into the ap_gap_same. */
struct ap_gap_same_question {
    const char *text;
    int64_t count, dismissed;
    double similarity;                  /* of the member whose text is shown */
    int64_t first_id;                   /* the earliest member */
    const struct ap_gap_member **members;
    size_t n_members;
};

/* The same questions of a topic, most asked first (dismissed members
 * included, so a dismissed row keeps its place; then the most central, then
 * the earliest asked): items[0, n). Fill with ap_gap_same_add, then
 * ap_gap_same_finish once; ap_gap_same_free releases everything, the
 * strings the items point to included. */
struct ap_gap_same {
    struct ap_gap_same_question *items;
    size_t n;
    struct ap_gap_same_entry *entries;  /* private (same.c) */
    size_t n_entries, cap_entries;
    struct ap_text *text;
};

void ap_gap_same_init(struct ap_gap_same *s);
enum ap_status ap_gap_same_add(struct ap_gap_same *s, const struct ap_gap_question_rec *q,
                               struct ap_error *err);
void ap_gap_same_finish(struct ap_gap_same *s);
void ap_gap_same_free(struct ap_gap_same *s);

/* Reads every question of the topic (of the account only), dismissed ones
 * included, and groups them into out, which the caller frees with
 * ap_gap_same_free whatever the result. */
enum ap_status ap_gaps_same_questions(struct ap_store *store, int64_t account_id,
                                      int64_t topic_id, struct ap_gap_same *out,
                                      struct ap_error *err);

/* The same questions among the topic's latest `limit` undismissed questions
 * asked within q's date range and channel; out as for ap_gaps_same_questions. */
enum ap_status ap_gaps_same_latest(struct ap_store *store, int64_t account_id, int64_t topic_id,
                                   const struct ap_gap_topic_query *q, int64_t limit,
                                   struct ap_gap_same *out, struct ap_error *err);

/* --- reading (document.c) ------------------------------------------------------ */

/* What a topic-table call asks for, as strings from a query string or flags
 * (NULL: not given). */
struct ap_gaps_params {
    const char *from, *to;   /* local dates YYYY-MM-DD, `to` exclusive */
    const char *channel;
    const char *status;      /* open|answered|reopened|dismissed|active|all */
    const char *sort;        /* conversations|last */
    const char *limit, *offset;
};

#define AP_GAPS_LIMIT_DEFAULT 50
#define AP_GAPS_LIMIT_MAX 500

/* Validates params for the account's time zone; errors name the parameter. */
enum ap_status ap_gaps_query_parse(const struct ap_gaps_params *params,
                                   const struct ap_account *account,
                                   struct ap_gap_topic_query *q, char channel[33],
                                   struct ap_error *err);

/* A topic's top questions: the first AP_GAPS_TOP_QUESTIONS same questions
 * among its latest AP_GAPS_TOP_SAMPLE undismissed questions within the
 * table's filters (date range, channel). The sample bounds what a list costs
 * whatever the topics' sizes (docs/internals/gaps.md); for a topic of at most
 * that many questions the counts are over all of them. out as for
 * ap_gaps_same_questions. */
#define AP_GAPS_TOP_QUESTIONS 3
#define AP_GAPS_TOP_SAMPLE 500
enum ap_status ap_gaps_top_questions(struct ap_store *store, int64_t account_id,
                                     const struct ap_gap_topic_query *q, int64_t topic_id,
                                     struct ap_gap_same *out, struct ap_error *err);

/* Appends the topic table of docs/api.md (GET /v1/gaps) as JSON to out, each
 * topic with its top questions. */
enum ap_status ap_gaps_list_json(struct ap_store *store, const struct ap_account *account,
                                 const struct ap_gap_topic_query *q, struct ap_buf *out,
                                 struct ap_error *err);

/* Appends the topic detail (GET /v1/gaps/{id}) as JSON: the topic, one page of
 * its questions with links, and the team's replies in their conversations. */
enum ap_status ap_gaps_topic_json(struct ap_store *store, const struct ap_account *account,
                                  int64_t topic_id, int64_t limit, int64_t offset,
                                  struct ap_buf *out, struct ap_error *err);

/* Appends a topic's questions with identical ones together (GET
 * /v1/gaps/{id}/questions): the topic, how many distinct questions ("total")
 * and questions it has, and the page [offset, offset + limit) of its same
 * questions, each with its members and their conversations' links. */
enum ap_status ap_gaps_topic_same_json(struct ap_store *store, const struct ap_account *account,
                                       int64_t topic_id, int64_t limit, int64_t offset,
                                       struct ap_buf *out, struct ap_error *err);

/* Calls fn with the topic's record (its figures as the list shows them). */
enum ap_status ap_gaps_with_topic(struct ap_store *store, const struct ap_account *account,
                                  int64_t topic_id, ap_gap_topic_fn fn, void *ctx,
                                  struct ap_error *err);

/* Appends the topic's JSON object alone ({"id":…,"label":…,…}). */
enum ap_status ap_gaps_topic_summary_json(struct ap_store *store,
                                          const struct ap_account *account, int64_t topic_id,
                                          struct ap_buf *out, struct ap_error *err);

/* The topic's label as shown (renamed label, else its representative
 * question), into out; AP_NOT_FOUND for no such (or a merged) topic. */
enum ap_status ap_gaps_topic_label(struct ap_store *store, int64_t account_id,
                                   int64_t topic_id, char *out, size_t size,
                                   struct ap_error *err);

#endif
