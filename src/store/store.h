/* The storage interface. Callers see only this header: a backend (SQLite,
 * PostgreSQL) is a struct embedding `struct ap_store` first, selected by the URL
 * scheme in ap_store_open. SQL and driver types never leave the backend files.
 *
 * A store object is one connection: use it from one thread at a time. Every
 * function returns AP_OK or an error status with details in *err; AP_BUSY is the
 * soft error (lock contention): roll back and retry the whole transaction. */
#ifndef AP_STORE_H
#define AP_STORE_H

#include "account/account.h"
#include "answers/answer.h"
#include "core/core.h"
#include "ingest/event.h"
#include "reports/cells.h"

enum ap_verdict {
    AP_VERDICT_STORED,
    AP_VERDICT_DUPLICATE, /* same id, same content: acknowledged, nothing changed */
    AP_VERDICT_CONFLICT,  /* same id, other content: the stored event is kept */
    AP_VERDICT_REJECTED,  /* invalid input, never reaches the store */
};

const char *ap_verdict_name(enum ap_verdict verdict);

struct ap_store;

typedef enum ap_status (*ap_account_fn)(void *ctx, const struct ap_account *account);
typedef enum ap_status (*ap_token_fn)(void *ctx, const struct ap_token *token);
/* A keyed blob: an event body (key = conversation id) or a conversation state
 * (key = conversation id). Both pointers are valid during the call only. */
/* put_conversation's started_at_us of a conversation whose start is not stored. */
#define AP_NOT_STARTED INT64_MIN

typedef enum ap_status (*ap_blob_fn)(void *ctx, const char *key, const void *blob, size_t len);
typedef enum ap_status (*ap_cell_fn)(void *ctx, const struct ap_cell *cell);
/* An event's facts (ap_event_from_facts); its strings live during the call only. */
typedef enum ap_status (*ap_event_fn)(void *ctx, const struct ap_event *event);
typedef enum ap_status (*ap_member_fn)(void *ctx, const char *id, const char *name);
/* A stored short answer, valid during the call only. */
typedef enum ap_status (*ap_answer_fn)(void *ctx, const struct ap_answer *answer);

/* Which answers select_answers returns: those containing `q` (case-insensitive
 * for ASCII) in question, alternatives or answer when q is not NULL; enabled
 * ones (1), disabled ones (0) or both (-1); ordered by creation, paged.
 * limit 0 means all. */
struct ap_answer_query {
    const char *q;
    int enabled;
    size_t limit, offset;
};

/* Which cells select_cells returns: kind `kind` (or every kind when -1), start
 * days in [day_from, day_to), one channel or all (NULL). From the pending table
 * when pending is set, then only those with quiet_hour > after_hour. */
struct ap_cell_query {
    int kind;
    int64_t day_from, day_to;
    const char *channel;
    bool pending;
    int64_t after_hour;
};

/* --- knowledge gaps ------------------------------------------------------- */

#define AP_TEXT_HASH_SIZE 32 /* SHA-256 of a text, the embedding cache's key */

/* One stored unanswered question. Strings may be NULL where noted and live
 * during the callback only. */
struct ap_gap_question_rec {
    int64_t id;                 /* per account, in order of storage */
    const char *event_id;
    const char *conversation_id;
    int64_t at_us;
    const char *text;
    const char *language;       /* the event's tag, or NULL */
    const double *embedding;    /* or NULL */
    size_t embedding_len;
    const char *channel;        /* NULL until the conversation's start is stored */
    int64_t topic_id;           /* 0 while not yet assigned */
    int64_t assign_seq;         /* order of assignment; 0 while not yet assigned */
    const char *stemmer;        /* language it was stemmed in, or NULL */
    double similarity;          /* to its topic when it joined */
    bool dismissed;
};
typedef enum ap_status (*ap_gap_question_fn)(void *ctx, const struct ap_gap_question_rec *q);

/* What a topic shows is derived from status: dismissed, else answered or
 * reopened (when questions arrived after the answer), else open. */
#define AP_GAP_STATUS_MAP(X) X(OPEN, "open") X(ANSWERED, "answered") \
    X(REOPENED, "reopened") X(DISMISSED, "dismissed")

enum ap_gap_status {
#define AP_GAP_STATUS_ENUM(name, str) AP_GAP_##name,
    AP_GAP_STATUS_MAP(AP_GAP_STATUS_ENUM)
#undef AP_GAP_STATUS_ENUM
    AP_GAP__STATUS_COUNT
};

/* A topic with its figures over the questions a query selects (never the
 * dismissed questions). Strings live during the callback only. */
struct ap_gap_topic_rec {
    int64_t id;
    const char *label;          /* set by a rename, or NULL */
    const char *auto_label;     /* the most representative question, or NULL */
    bool dismissed;
    int64_t merged_into;        /* 0 unless merged away */
    const char *answer_id;      /* or NULL */
    int64_t answered_at_us;     /* 0 when not answered */
    int64_t created_at_us;
    int64_t conversations, questions, last_at_us, since_answer;
    enum ap_gap_status status;
};
typedef enum ap_status (*ap_gap_topic_fn)(void *ctx, const struct ap_gap_topic_rec *t);

#define AP_GAP_STATUS_ANY (-1)    /* ap_gap_topic_query.status: every status */
#define AP_GAP_STATUS_ACTIVE (-2) /* every status but dismissed */

struct ap_gap_topic_query {
    int64_t from_us, to_us;     /* question times in [from, to) */
    const char *channel;        /* or NULL for all */
    int status;                 /* enum ap_gap_status or AP_GAP_STATUS_ANY/_ACTIVE */
    bool by_last;               /* sort by latest question, else by conversations */
    int64_t limit, offset;
    int64_t topic_id;           /* 0 for all topics, else this one only */
};

/* Housekeeping of an embedded store's log (SQLite's WAL). */
enum ap_checkpoint_mode {
    AP_CHECKPOINT_PASSIVE,  /* copy what it can without waiting for anyone */
    AP_CHECKPOINT_TRUNCATE, /* wait for readers and writers, copy all, empty the log */
};

struct ap_store_ops {
    const char *backend;
    void (*destroy)(struct ap_store *store);

    enum ap_status (*begin)(struct ap_store *store, struct ap_error *err);
    enum ap_status (*commit)(struct ap_store *store, struct ap_error *err);
    void (*rollback)(struct ap_store *store);
    enum ap_status (*ping)(struct ap_store *store, struct ap_error *err);
    enum ap_status (*schema_version)(struct ap_store *store, int *version, struct ap_error *err);
    /* Called first in an ingest transaction with the batch's events: serialises
     * it with other processes writing the same conversations and tickets of the
     * account, whose aggregates it reads, derives and writes back. NULL when the
     * backend needs nothing (SQLite's BEGIN IMMEDIATE serialises every writer). */
    enum ap_status (*lock_events)(struct ap_store *store, int64_t account_id,
                                  const struct ap_event *events, size_t n, struct ap_error *err);
    /* Optional (NULL when the backend has no log to keep): checkpoint_log
     * moves the log into the database and sets *log_bytes to what is left in
     * the log; set_auto_checkpoint makes commits checkpoint once the log holds
     * `pages` pages (0: never; the caller checkpoints). */
    enum ap_status (*checkpoint_log)(struct ap_store *store, enum ap_checkpoint_mode mode,
                                     int64_t *log_bytes, struct ap_error *err);
    void (*set_auto_checkpoint)(struct ap_store *store, int pages);
    /* Optional: writes a consistent copy of the whole database, as of one
     * moment, into the file `path` (replacing its contents), while others keep
     * reading and writing. */
    enum ap_status (*copy_to)(struct ap_store *store, const char *path, struct ap_error *err);

    /* Accounts. insert_account sets a->id; AP_EXISTS when the name is taken. */
    enum ap_status (*insert_account)(struct ap_store *store, struct ap_account *a,
                                     struct ap_error *err);
    enum ap_status (*update_account)(struct ap_store *store, const struct ap_account *a,
                                     struct ap_error *err);
    enum ap_status (*get_account_by_name)(struct ap_store *store, const char *name,
                                          struct ap_account *out, struct ap_error *err);
    enum ap_status (*get_account)(struct ap_store *store, int64_t id, struct ap_account *out,
                                  struct ap_error *err);
    enum ap_status (*select_accounts)(struct ap_store *store, ap_account_fn fn, void *ctx,
                                      struct ap_error *err);

    /* Tokens. insert_token sets t->id. get_token_by_hash finds revoked tokens
     * too: the caller checks revoked_at_us. */
    enum ap_status (*insert_token)(struct ap_store *store, struct ap_token *t,
                                   struct ap_error *err);
    enum ap_status (*get_token_by_hash)(struct ap_store *store,
                                        const uint8_t hash[AP_TOKEN_HASH_SIZE],
                                        struct ap_token *out, struct ap_error *err);
    enum ap_status (*select_tokens)(struct ap_store *store, int64_t account_id, ap_token_fn fn,
                                    void *ctx, struct ap_error *err);
    enum ap_status (*revoke_token)(struct ap_store *store, int64_t account_id, int64_t token_id,
                                   int64_t now_us, struct ap_error *err);

    /* Events. insert_event stores ev inside the open transaction, or compares it
     * with the stored event of the same id: *verdict says which. */
    enum ap_status (*insert_event)(struct ap_store *store, int64_t account_id,
                                   const struct ap_event *ev, enum ap_verdict *verdict,
                                   struct ap_error *err);
    /* Optional: insert_event for a whole batch, in order (a later event with
     * the id of an earlier one is its duplicate or conflict), in fewer round
     * trips. NULL: the wrapper calls insert_event for each. */
    enum ap_status (*insert_events)(struct ap_store *store, int64_t account_id,
                                    const struct ap_event *events, size_t n,
                                    enum ap_verdict *verdicts, struct ap_error *err);
    enum ap_status (*count_events)(struct ap_store *store, int64_t account_id, int64_t *count,
                                   struct ap_error *err);
    /* The canonical JSON of one event, appended to out. */
    enum ap_status (*get_event)(struct ap_store *store, int64_t account_id, const char *id,
                                struct ap_buf *out, struct ap_error *err);
    /* The facts of every stored event of a conversation. */
    enum ap_status (*select_conversation_events)(struct ap_store *store, int64_t account_id,
                                                 const char *conversation_id, ap_event_fn fn,
                                                 void *ctx, struct ap_error *err);
    /* The facts of every stored event naming a ticket (handoffs and ticket closes). */
    enum ap_status (*select_ticket_events)(struct ap_store *store, int64_t account_id,
                                           const char *ticket_id, ap_event_fn fn, void *ctx,
                                           struct ap_error *err);
    /* The id of every conversation that has events. */
    enum ap_status (*select_event_conversations)(struct ap_store *store, int64_t account_id,
                                                 ap_blob_fn fn, void *ctx, struct ap_error *err);

    /* Report aggregates. get_conversation appends the stored state to out, or
     * returns AP_NOT_FOUND. put_conversation stores it; quiet_at_us < 0 means
     * its figures no longer depend on time; started_at_us is AP_NOT_STARTED
     * until its start is stored. */
    enum ap_status (*get_conversation)(struct ap_store *store, int64_t account_id,
                                       const char *conversation_id, struct ap_buf *out,
                                       struct ap_error *err);
    enum ap_status (*put_conversation)(struct ap_store *store, int64_t account_id,
                                       const char *conversation_id, const void *state,
                                       size_t len, int64_t quiet_at_us, int64_t started_at_us,
                                       struct ap_error *err);
    /* Conversations whose quiet time is in (after_us, before_us). */
    enum ap_status (*select_quiet_conversations)(struct ap_store *store, int64_t account_id,
                                                 int64_t after_us, int64_t before_us,
                                                 ap_blob_fn fn, void *ctx, struct ap_error *err);
    /* Up to `limit` conversations that started in [from_us, to_us) after
     * (after_started_us, after_id) (after_id NULL: from the start), by
     * (start, id): the list behind a figure pages with the last one. */
    enum ap_status (*select_conversations_by_start)(struct ap_store *store, int64_t account_id,
                                                    int64_t from_us, int64_t to_us,
                                                    int64_t after_started_us, const char *after_id,
                                                    size_t limit, ap_blob_fn fn, void *ctx,
                                                    struct ap_error *err);
    /* Adds each cell's values to the stored cell of the same key. */
    enum ap_status (*add_cells)(struct ap_store *store, int64_t account_id,
                                const struct ap_cell *cells, size_t n, struct ap_error *err);
    enum ap_status (*select_cells)(struct ap_store *store, int64_t account_id,
                                   const struct ap_cell_query *q, ap_cell_fn fn, void *ctx,
                                   struct ap_error *err);
    /* Drops an account's conversations and cells, for a rebuild. */
    enum ap_status (*delete_report_data)(struct ap_store *store, int64_t account_id,
                                         struct ap_error *err);
    enum ap_status (*set_reports_stale)(struct ap_store *store, int64_t account_id, bool stale,
                                        struct ap_error *err);
    /* Keeps the member's name of the latest event by (at, id). */
    enum ap_status (*put_member_name)(struct ap_store *store, int64_t account_id,
                                      const char *member_id, const char *name, int64_t at_us,
                                      const char *event_id, struct ap_error *err);
    enum ap_status (*select_members)(struct ap_store *store, int64_t account_id, ap_member_fn fn,
                                     void *ctx, struct ap_error *err);

    /* Knowledge gaps (docs/internals/gaps.md). record_gap_question stores a new
     * unanswered question (not yet assigned; q->id, topic and seq ignored) unless
     * its event is already recorded; its channel comes from the stored events.
     * update_gap_channels re-reads the channel of a conversation's questions. */
    enum ap_status (*record_gap_question)(struct ap_store *store, int64_t account_id,
                                          const struct ap_gap_question_rec *q,
                                          struct ap_error *err);
    enum ap_status (*update_gap_channels)(struct ap_store *store, int64_t account_id,
                                          const char *conversation_id, struct ap_error *err);
    /* Counter bumped by curation that changes assignments (merge, move). */
    enum ap_status (*gap_generation)(struct ap_store *store, int64_t account_id,
                                     int64_t *generation, struct ap_error *err);
    enum ap_status (*bump_gap_generation)(struct ap_store *store, int64_t account_id,
                                          struct ap_error *err);
    /* Assigned questions with assign_seq > after_seq, in assignment order. */
    enum ap_status (*select_gap_assignments)(struct ap_store *store, int64_t account_id,
                                             int64_t after_seq, ap_gap_question_fn fn, void *ctx,
                                             struct ap_error *err);
    /* Questions not yet assigned, in order of storage, at most `limit`. */
    enum ap_status (*select_pending_gap_questions)(struct ap_store *store, int64_t account_id,
                                                   int64_t limit, ap_gap_question_fn fn,
                                                   void *ctx, struct ap_error *err);
    enum ap_status (*assign_gap_question)(struct ap_store *store, int64_t account_id,
                                          int64_t question_id, int64_t topic_id, int64_t seq,
                                          const char *stemmer, double similarity,
                                          struct ap_error *err);
    /* A new, empty topic; sets *topic_id. */
    enum ap_status (*insert_gap_topic)(struct ap_store *store, int64_t account_id,
                                       int64_t created_at_us, int64_t *topic_id,
                                       struct ap_error *err);
    /* Topics with at least one question the query selects, in its order and
     * page; *total counts them all. */
    enum ap_status (*select_gap_topics)(struct ap_store *store, int64_t account_id,
                                        const struct ap_gap_topic_query *q, ap_gap_topic_fn fn,
                                        void *ctx, int64_t *total, struct ap_error *err);
    /* One topic's own row (figures zero), merged ones too; AP_NOT_FOUND if none. */
    enum ap_status (*get_gap_topic)(struct ap_store *store, int64_t account_id, int64_t topic_id,
                                    ap_gap_topic_fn fn, void *ctx, struct ap_error *err);
    /* A topic's questions, dismissed ones too, newest first, one page. */
    enum ap_status (*select_gap_topic_questions)(struct ap_store *store, int64_t account_id,
                                                 int64_t topic_id, int64_t limit, int64_t offset,
                                                 ap_gap_question_fn fn, void *ctx,
                                                 struct ap_error *err);
    /* The topic's latest `limit` undismissed questions asked in [q->from_us,
     * q->to_us) on q->channel (NULL: any), newest first. */
    enum ap_status (*select_gap_topic_latest)(struct ap_store *store, int64_t account_id,
                                              int64_t topic_id, const struct ap_gap_topic_query *q,
                                              int64_t limit, ap_gap_question_fn fn, void *ctx,
                                              struct ap_error *err);
    enum ap_status (*get_gap_question)(struct ap_store *store, int64_t account_id,
                                       int64_t question_id, ap_gap_question_fn fn, void *ctx,
                                       struct ap_error *err);
    /* Curation. label NULL returns to the automatic label. */
    enum ap_status (*rename_gap_topic)(struct ap_store *store, int64_t account_id,
                                       int64_t topic_id, const char *label, struct ap_error *err);
    enum ap_status (*set_gap_topic_dismissed)(struct ap_store *store, int64_t account_id,
                                              int64_t topic_id, bool dismissed,
                                              struct ap_error *err);
    enum ap_status (*set_gap_question_dismissed)(struct ap_store *store, int64_t account_id,
                                                 int64_t question_id, bool dismissed,
                                                 struct ap_error *err);
    enum ap_status (*move_gap_question)(struct ap_store *store, int64_t account_id,
                                        int64_t question_id, int64_t topic_id,
                                        struct ap_error *err);
    /* Moves every question of `from` into `into` and marks `from` merged. */
    enum ap_status (*merge_gap_topic)(struct ap_store *store, int64_t account_id, int64_t from,
                                      int64_t into, struct ap_error *err);
    enum ap_status (*set_gap_topic_answer)(struct ap_store *store, int64_t account_id,
                                           int64_t topic_id, const char *answer_id,
                                           int64_t answered_at_us, struct ap_error *err);
    /* The background re-grouping (docs/internals/gaps.md): the questions it
     * may move, by id (assigned, not dismissed, not placed by a person — a move
     * or a merge pins a question — in a topic nobody renamed, dismissed,
     * answered or merged away); a question's new topic and similarity to it,
     * without pinning it or refreshing figures; and a topic's figures computed
     * anew once its questions have moved. */
    enum ap_status (*select_gap_regroup_questions)(struct ap_store *store, int64_t account_id,
                                                   ap_gap_question_fn fn, void *ctx,
                                                   struct ap_error *err);
    enum ap_status (*regroup_gap_question)(struct ap_store *store, int64_t account_id,
                                           int64_t question_id, int64_t topic_id,
                                           double similarity, struct ap_error *err);
    enum ap_status (*refresh_gap_topic)(struct ap_store *store, int64_t account_id,
                                        int64_t topic_id, struct ap_error *err);
    /* Dismisses (or restores) one question of topic_id for a person and pins
     * it, so that the re-grouping never undoes the decision; the topic's
     * figures are left for one refresh_gap_topic after a batch. AP_NOT_FOUND
     * when the account has no such question in that topic. */
    enum ap_status (*curate_gap_question_dismissed)(struct ap_store *store, int64_t account_id,
                                                    int64_t topic_id, int64_t question_id,
                                                    bool dismissed, struct ap_error *err);
    /* The canonical JSON of a conversation's events of one type, by (at, id);
     * key = event id. */
    enum ap_status (*select_conversation_bodies)(struct ap_store *store, int64_t account_id,
                                                 const char *conversation_id, int type,
                                                 ap_blob_fn fn, void *ctx, struct ap_error *err);
    /* --- Short answers (src/answers) ------------------------------------------------
     * Account first in every key. Each change bumps the account's answer version
     * inside the caller's transaction; a process that caches a matcher compares
     * versions to see another process's changes. insert_answer: AP_EXISTS when
     * the id is taken. update_answer and delete_answer: AP_NOT_FOUND. */
    enum ap_status (*insert_answer)(struct ap_store *store, int64_t account_id,
                                    const struct ap_answer *a, struct ap_error *err);
    enum ap_status (*update_answer)(struct ap_store *store, int64_t account_id,
                                    const struct ap_answer *a, struct ap_error *err);
    enum ap_status (*delete_answer)(struct ap_store *store, int64_t account_id, const char *id,
                                    struct ap_error *err);
    /* Fills *out (ap_answer_init'ed by the call; the caller frees it). */
    enum ap_status (*get_answer)(struct ap_store *store, int64_t account_id, const char *id,
                                 struct ap_answer *out, struct ap_error *err);
    /* Calls fn for each answer of the page; *total (may be NULL) receives the
     * number of answers matching q and enabled, over all pages. */
    enum ap_status (*select_answers)(struct ap_store *store, int64_t account_id,
                                     const struct ap_answer_query *q, ap_answer_fn fn, void *ctx,
                                     int64_t *total, struct ap_error *err);
    /* The version (0 before any change) and the account's own no-answer
     * threshold (negative when it uses the default). */
    enum ap_status (*get_answer_state)(struct ap_store *store, int64_t account_id,
                                       int64_t *version, double *threshold, struct ap_error *err);
    /* Sets the threshold (negative: back to the default). It is read with the
     * version on every match, so it needs no version bump. */
    enum ap_status (*set_answer_threshold)(struct ap_store *store, int64_t account_id,
                                           double threshold, struct ap_error *err);
    /* --- Embeddings from the model server (src/embed) -------------------------------
     * The cache is keyed by (model, SHA-256 of the text) and shared by every
     * account: it holds vectors, never texts. get_cached_embedding copies the
     * vector into out (cap doubles) and sets *dims; AP_NOT_FOUND when there is
     * none, or when it does not fit. put_cached_embedding keeps the first
     * vector stored for a key. */
    enum ap_status (*get_cached_embedding)(struct ap_store *store, const char *model,
                                           const uint8_t hash[AP_TEXT_HASH_SIZE], double *out,
                                           size_t cap, size_t *dims, struct ap_error *err);
    enum ap_status (*put_cached_embedding)(struct ap_store *store, const char *model,
                                           const uint8_t hash[AP_TEXT_HASH_SIZE],
                                           const double *vector, size_t dims, int64_t now_us,
                                           struct ap_error *err);
    /* Questions that need `model`'s embedding: none stored, or one made by
     * another model (never the agent's own), questions not yet assigned first,
     * then in order of storage, at most `limit`. Records carry id, text,
     * language and topic_id only. */
    enum ap_status (*select_unembedded_gap_questions)(struct ap_store *store,
                                                      int64_t account_id, const char *model,
                                                      int64_t limit, ap_gap_question_fn fn,
                                                      void *ctx, struct ap_error *err);
    /* Stores the model's embedding with a question unless the agent's own is
     * there; *assigned tells whether the question has a topic already (the
     * caller then bumps the gap generation, so every process replays it). */
    /* The largest question id the account has (0 for none). */
    enum ap_status (*max_gap_question_id)(struct ap_store *store, int64_t account_id,
                                          int64_t *id, struct ap_error *err);
    enum ap_status (*set_gap_question_embedding)(struct ap_store *store, int64_t account_id,
                                                 int64_t question_id, const char *model,
                                                 const double *vector, size_t dims,
                                                 bool *assigned, struct ap_error *err);
};

struct ap_store {
    const struct ap_store_ops *ops;
};

/* Opens the store a URL names: "sqlite:PATH", "file:PATH" or a plain path for
 * SQLite; "postgres://..." or "postgresql://..." (a libpq connection URL) for
 * PostgreSQL. Schema migrations run on open. The caller owns *out and releases it
 * with ap_store_destroy. */
enum ap_status ap_store_open(const char *url, struct ap_store **out, struct ap_error *err);
/* Whether the URL names a database server (PostgreSQL), which may be down for a
 * while, rather than a local file. */
bool ap_store_url_is_server(const char *url);
/* The file a SQLite location names (a plain path or "sqlite:PATH"), or NULL
 * for a server URL, a "file:" URI or an in-memory database: what the CLI
 * checks exists before a command that must not start a new database. */
const char *ap_store_file_path(const char *url);
/* The schema version the store is at after its migrations ran. */
static inline enum ap_status ap_store_schema_version(struct ap_store *s, int *version,
                                                     struct ap_error *err);

static inline void ap_store_destroy(struct ap_store *s)
{
    if (s != NULL)
        s->ops->destroy(s);
}

static inline enum ap_status ap_store_begin(struct ap_store *s, struct ap_error *err)
{
    return s->ops->begin(s, err);
}

static inline enum ap_status ap_store_commit(struct ap_store *s, struct ap_error *err)
{
    return s->ops->commit(s, err);
}

static inline void ap_store_rollback(struct ap_store *s)
{
    s->ops->rollback(s);
}

static inline enum ap_status ap_store_ping(struct ap_store *s, struct ap_error *err)
{
    return s->ops->ping(s, err);
}

static inline enum ap_status ap_store_schema_version(struct ap_store *s, int *version,
                                                     struct ap_error *err)
{
    return s->ops->schema_version(s, version, err);
}

static inline enum ap_status ap_store_lock_events(struct ap_store *s, int64_t account_id,
                                                  const struct ap_event *events, size_t n,
                                                  struct ap_error *err)
{
    return s->ops->lock_events ? s->ops->lock_events(s, account_id, events, n, err) : AP_OK;
}

static inline enum ap_status ap_store_checkpoint_log(struct ap_store *s,
                                                    enum ap_checkpoint_mode mode,
                                                    int64_t *log_bytes, struct ap_error *err)
{
    *log_bytes = 0;
    return s->ops->checkpoint_log ? s->ops->checkpoint_log(s, mode, log_bytes, err) : AP_OK;
}

static inline void ap_store_set_auto_checkpoint(struct ap_store *s, int pages)
{
    if (s->ops->set_auto_checkpoint)
        s->ops->set_auto_checkpoint(s, pages);
}

static inline enum ap_status ap_store_copy_to(struct ap_store *s, const char *path,
                                             struct ap_error *err)
{
    if (s->ops->copy_to == NULL)
        return ap_error_set(err, AP_UNSUPPORTED, "db",
                            "the %s backend has no file copy; use its own tools (pg_dump)",
                            s->ops->backend);
    return s->ops->copy_to(s, path, err);
}

static inline enum ap_status ap_store_insert_account(struct ap_store *s, struct ap_account *a,
                                                     struct ap_error *err)
{
    return s->ops->insert_account(s, a, err);
}

static inline enum ap_status ap_store_update_account(struct ap_store *s, const struct ap_account *a,
                                                     struct ap_error *err)
{
    return s->ops->update_account(s, a, err);
}

static inline enum ap_status ap_store_get_account_by_name(struct ap_store *s, const char *name,
                                                          struct ap_account *out,
                                                          struct ap_error *err)
{
    return s->ops->get_account_by_name(s, name, out, err);
}

static inline enum ap_status ap_store_get_account(struct ap_store *s, int64_t id,
                                                  struct ap_account *out, struct ap_error *err)
{
    return s->ops->get_account(s, id, out, err);
}

static inline enum ap_status ap_store_select_accounts(struct ap_store *s, ap_account_fn fn,
                                                      void *ctx, struct ap_error *err)
{
    return s->ops->select_accounts(s, fn, ctx, err);
}

static inline enum ap_status ap_store_insert_token(struct ap_store *s, struct ap_token *t,
                                                   struct ap_error *err)
{
    return s->ops->insert_token(s, t, err);
}

static inline enum ap_status ap_store_get_token_by_hash(struct ap_store *s,
                                                        const uint8_t hash[AP_TOKEN_HASH_SIZE],
                                                        struct ap_token *out,
                                                        struct ap_error *err)
{
    return s->ops->get_token_by_hash(s, hash, out, err);
}

static inline enum ap_status ap_store_select_tokens(struct ap_store *s, int64_t account_id,
                                                    ap_token_fn fn, void *ctx,
                                                    struct ap_error *err)
{
    return s->ops->select_tokens(s, account_id, fn, ctx, err);
}

static inline enum ap_status ap_store_revoke_token(struct ap_store *s, int64_t account_id,
                                                   int64_t token_id, int64_t now_us,
                                                   struct ap_error *err)
{
    return s->ops->revoke_token(s, account_id, token_id, now_us, err);
}

static inline enum ap_status ap_store_insert_event(struct ap_store *s, int64_t account_id,
                                                   const struct ap_event *ev,
                                                   enum ap_verdict *verdict, struct ap_error *err)
{
    return s->ops->insert_event(s, account_id, ev, verdict, err);
}

static inline enum ap_status ap_store_insert_events(struct ap_store *s, int64_t account_id,
                                                    const struct ap_event *events, size_t n,
                                                    enum ap_verdict *verdicts,
                                                    struct ap_error *err)
{
    if (s->ops->insert_events)
        return s->ops->insert_events(s, account_id, events, n, verdicts, err);
    for (size_t i = 0; i < n; i++) {
        enum ap_status rc = s->ops->insert_event(s, account_id, &events[i], &verdicts[i], err);
        if (rc != AP_OK)
            return rc;
    }
    return AP_OK;
}

static inline enum ap_status ap_store_count_events(struct ap_store *s, int64_t account_id,
                                                   int64_t *count, struct ap_error *err)
{
    return s->ops->count_events(s, account_id, count, err);
}

static inline enum ap_status ap_store_get_event(struct ap_store *s, int64_t account_id,
                                                const char *id, struct ap_buf *out,
                                                struct ap_error *err)
{
    return s->ops->get_event(s, account_id, id, out, err);
}

static inline enum ap_status ap_store_select_conversation_events(struct ap_store *s, int64_t account_id, const char *conversation_id, ap_event_fn fn, void *ctx, struct ap_error *err)
{
    return s->ops->select_conversation_events(s, account_id, conversation_id, fn, ctx, err);
}

static inline enum ap_status ap_store_select_ticket_events(struct ap_store *s, int64_t account_id, const char *ticket_id, ap_event_fn fn, void *ctx, struct ap_error *err)
{
    return s->ops->select_ticket_events(s, account_id, ticket_id, fn, ctx, err);
}

static inline enum ap_status ap_store_select_event_conversations(struct ap_store *s, int64_t account_id, ap_blob_fn fn, void *ctx, struct ap_error *err)
{
    return s->ops->select_event_conversations(s, account_id, fn, ctx, err);
}

static inline enum ap_status ap_store_get_conversation(struct ap_store *s, int64_t account_id, const char *conversation_id, struct ap_buf *out, struct ap_error *err)
{
    return s->ops->get_conversation(s, account_id, conversation_id, out, err);
}

static inline enum ap_status ap_store_put_conversation(struct ap_store *s, int64_t account_id, const char *conversation_id, const void *state, size_t len, int64_t quiet_at_us, int64_t started_at_us, struct ap_error *err)
{
    return s->ops->put_conversation(s, account_id, conversation_id, state, len, quiet_at_us, started_at_us, err);
}

static inline enum ap_status ap_store_select_conversations_by_start(struct ap_store *s, int64_t account_id, int64_t from_us, int64_t to_us, int64_t after_started_us, const char *after_id, size_t limit, ap_blob_fn fn, void *ctx, struct ap_error *err)
{
    return s->ops->select_conversations_by_start(s, account_id, from_us, to_us, after_started_us, after_id, limit, fn, ctx, err);
}

static inline enum ap_status ap_store_select_quiet_conversations(struct ap_store *s, int64_t account_id, int64_t after_us, int64_t before_us, ap_blob_fn fn, void *ctx, struct ap_error *err)
{
    return s->ops->select_quiet_conversations(s, account_id, after_us, before_us, fn, ctx, err);
}

static inline enum ap_status ap_store_add_cells(struct ap_store *s, int64_t account_id, const struct ap_cell *cells, size_t n, struct ap_error *err)
{
    return s->ops->add_cells(s, account_id, cells, n, err);
}

static inline enum ap_status ap_store_select_cells(struct ap_store *s, int64_t account_id, const struct ap_cell_query *q, ap_cell_fn fn, void *ctx, struct ap_error *err)
{
    return s->ops->select_cells(s, account_id, q, fn, ctx, err);
}

static inline enum ap_status ap_store_delete_report_data(struct ap_store *s, int64_t account_id, struct ap_error *err)
{
    return s->ops->delete_report_data(s, account_id, err);
}

static inline enum ap_status ap_store_set_reports_stale(struct ap_store *s, int64_t account_id, bool stale, struct ap_error *err)
{
    return s->ops->set_reports_stale(s, account_id, stale, err);
}

static inline enum ap_status ap_store_put_member_name(struct ap_store *s, int64_t account_id, const char *member_id, const char *name, int64_t at_us, const char *event_id, struct ap_error *err)
{
    return s->ops->put_member_name(s, account_id, member_id, name, at_us, event_id, err);
}

static inline enum ap_status ap_store_select_members(struct ap_store *s, int64_t account_id, ap_member_fn fn, void *ctx, struct ap_error *err)
{
    return s->ops->select_members(s, account_id, fn, ctx, err);
}

static inline enum ap_status ap_store_record_gap_question(struct ap_store *s, int64_t account_id, const struct ap_gap_question_rec *q, struct ap_error *err)
{
    return s->ops->record_gap_question(s, account_id, q, err);
}

static inline enum ap_status ap_store_update_gap_channels(struct ap_store *s, int64_t account_id, const char *conversation_id, struct ap_error *err)
{
    return s->ops->update_gap_channels(s, account_id, conversation_id, err);
}

static inline enum ap_status ap_store_gap_generation(struct ap_store *s, int64_t account_id, int64_t *generation, struct ap_error *err)
{
    return s->ops->gap_generation(s, account_id, generation, err);
}

static inline enum ap_status ap_store_bump_gap_generation(struct ap_store *s, int64_t account_id, struct ap_error *err)
{
    return s->ops->bump_gap_generation(s, account_id, err);
}

static inline enum ap_status ap_store_select_gap_assignments(struct ap_store *s, int64_t account_id, int64_t after_seq, ap_gap_question_fn fn, void *ctx, struct ap_error *err)
{
    return s->ops->select_gap_assignments(s, account_id, after_seq, fn, ctx, err);
}

static inline enum ap_status ap_store_select_pending_gap_questions(struct ap_store *s, int64_t account_id, int64_t limit, ap_gap_question_fn fn, void *ctx, struct ap_error *err)
{
    return s->ops->select_pending_gap_questions(s, account_id, limit, fn, ctx, err);
}

static inline enum ap_status ap_store_assign_gap_question(struct ap_store *s, int64_t account_id, int64_t question_id, int64_t topic_id, int64_t seq, const char *stemmer, double similarity, struct ap_error *err)
{
    return s->ops->assign_gap_question(s, account_id, question_id, topic_id, seq, stemmer, similarity, err);
}

static inline enum ap_status ap_store_insert_gap_topic(struct ap_store *s, int64_t account_id, int64_t created_at_us, int64_t *topic_id, struct ap_error *err)
{
    return s->ops->insert_gap_topic(s, account_id, created_at_us, topic_id, err);
}

static inline enum ap_status ap_store_select_gap_topics(struct ap_store *s, int64_t account_id, const struct ap_gap_topic_query *q, ap_gap_topic_fn fn, void *ctx, int64_t *total, struct ap_error *err)
{
    return s->ops->select_gap_topics(s, account_id, q, fn, ctx, total, err);
}

static inline enum ap_status ap_store_get_gap_topic(struct ap_store *s, int64_t account_id, int64_t topic_id, ap_gap_topic_fn fn, void *ctx, struct ap_error *err)
{
    return s->ops->get_gap_topic(s, account_id, topic_id, fn, ctx, err);
}

static inline enum ap_status ap_store_select_gap_topic_questions(struct ap_store *s, int64_t account_id, int64_t topic_id, int64_t limit, int64_t offset, ap_gap_question_fn fn, void *ctx, struct ap_error *err)
{
    return s->ops->select_gap_topic_questions(s, account_id, topic_id, limit, offset, fn, ctx, err);
}

static inline enum ap_status ap_store_select_gap_topic_latest(struct ap_store *s, int64_t account_id, int64_t topic_id, const struct ap_gap_topic_query *q, int64_t limit, ap_gap_question_fn fn, void *ctx, struct ap_error *err)
{
    return s->ops->select_gap_topic_latest(s, account_id, topic_id, q, limit, fn, ctx, err);
}

static inline enum ap_status ap_store_get_gap_question(struct ap_store *s, int64_t account_id, int64_t question_id, ap_gap_question_fn fn, void *ctx, struct ap_error *err)
{
    return s->ops->get_gap_question(s, account_id, question_id, fn, ctx, err);
}

static inline enum ap_status ap_store_rename_gap_topic(struct ap_store *s, int64_t account_id, int64_t topic_id, const char *label, struct ap_error *err)
{
    return s->ops->rename_gap_topic(s, account_id, topic_id, label, err);
}

static inline enum ap_status ap_store_set_gap_topic_dismissed(struct ap_store *s, int64_t account_id, int64_t topic_id, bool dismissed, struct ap_error *err)
{
    return s->ops->set_gap_topic_dismissed(s, account_id, topic_id, dismissed, err);
}

static inline enum ap_status ap_store_set_gap_question_dismissed(struct ap_store *s, int64_t account_id, int64_t question_id, bool dismissed, struct ap_error *err)
{
    return s->ops->set_gap_question_dismissed(s, account_id, question_id, dismissed, err);
}

static inline enum ap_status ap_store_move_gap_question(struct ap_store *s, int64_t account_id, int64_t question_id, int64_t topic_id, struct ap_error *err)
{
    return s->ops->move_gap_question(s, account_id, question_id, topic_id, err);
}

static inline enum ap_status ap_store_merge_gap_topic(struct ap_store *s, int64_t account_id, int64_t from, int64_t into, struct ap_error *err)
{
    return s->ops->merge_gap_topic(s, account_id, from, into, err);
}

static inline enum ap_status ap_store_set_gap_topic_answer(struct ap_store *s, int64_t account_id, int64_t topic_id, const char *answer_id, int64_t answered_at_us, struct ap_error *err)
{
    return s->ops->set_gap_topic_answer(s, account_id, topic_id, answer_id, answered_at_us, err);
}

static inline enum ap_status ap_store_select_gap_regroup_questions(struct ap_store *s, int64_t account_id, ap_gap_question_fn fn, void *ctx, struct ap_error *err)
{
    return s->ops->select_gap_regroup_questions(s, account_id, fn, ctx, err);
}

static inline enum ap_status ap_store_regroup_gap_question(struct ap_store *s, int64_t account_id, int64_t question_id, int64_t topic_id, double similarity, struct ap_error *err)
{
    return s->ops->regroup_gap_question(s, account_id, question_id, topic_id, similarity, err);
}

static inline enum ap_status ap_store_refresh_gap_topic(struct ap_store *s, int64_t account_id, int64_t topic_id, struct ap_error *err)
{
    return s->ops->refresh_gap_topic(s, account_id, topic_id, err);
}

static inline enum ap_status ap_store_curate_gap_question_dismissed(struct ap_store *s, int64_t account_id, int64_t topic_id, int64_t question_id, bool dismissed, struct ap_error *err)
{
    return s->ops->curate_gap_question_dismissed(s, account_id, topic_id, question_id, dismissed, err);
}

static inline enum ap_status ap_store_select_conversation_bodies(struct ap_store *s, int64_t account_id, const char *conversation_id, int type, ap_blob_fn fn, void *ctx, struct ap_error *err)
{
    return s->ops->select_conversation_bodies(s, account_id, conversation_id, type, fn, ctx, err);
}

/* --- Short answers ---------------------------------------------------------------- */

static inline enum ap_status ap_store_insert_answer(struct ap_store *s, int64_t account_id, const struct ap_answer *a, struct ap_error *err)
{
    return s->ops->insert_answer(s, account_id, a, err);
}

static inline enum ap_status ap_store_update_answer(struct ap_store *s, int64_t account_id, const struct ap_answer *a, struct ap_error *err)
{
    return s->ops->update_answer(s, account_id, a, err);
}

static inline enum ap_status ap_store_delete_answer(struct ap_store *s, int64_t account_id, const char *id, struct ap_error *err)
{
    return s->ops->delete_answer(s, account_id, id, err);
}

static inline enum ap_status ap_store_get_answer(struct ap_store *s, int64_t account_id, const char *id, struct ap_answer *out, struct ap_error *err)
{
    return s->ops->get_answer(s, account_id, id, out, err);
}

static inline enum ap_status ap_store_select_answers(struct ap_store *s, int64_t account_id, const struct ap_answer_query *q, ap_answer_fn fn, void *ctx, int64_t *total, struct ap_error *err)
{
    return s->ops->select_answers(s, account_id, q, fn, ctx, total, err);
}

static inline enum ap_status ap_store_get_answer_state(struct ap_store *s, int64_t account_id, int64_t *version, double *threshold, struct ap_error *err)
{
    return s->ops->get_answer_state(s, account_id, version, threshold, err);
}

static inline enum ap_status ap_store_set_answer_threshold(struct ap_store *s, int64_t account_id, double threshold, struct ap_error *err)
{
    return s->ops->set_answer_threshold(s, account_id, threshold, err);
}

/* --- Embeddings ------------------------------------------------------------------- */

static inline enum ap_status ap_store_get_cached_embedding(struct ap_store *s, const char *model, const uint8_t hash[AP_TEXT_HASH_SIZE], double *out, size_t cap, size_t *dims, struct ap_error *err)
{
    return s->ops->get_cached_embedding(s, model, hash, out, cap, dims, err);
}

static inline enum ap_status ap_store_put_cached_embedding(struct ap_store *s, const char *model, const uint8_t hash[AP_TEXT_HASH_SIZE], const double *vector, size_t dims, int64_t now_us, struct ap_error *err)
{
    return s->ops->put_cached_embedding(s, model, hash, vector, dims, now_us, err);
}

static inline enum ap_status ap_store_select_unembedded_gap_questions(struct ap_store *s, int64_t account_id, const char *model, int64_t limit, ap_gap_question_fn fn, void *ctx, struct ap_error *err)
{
    return s->ops->select_unembedded_gap_questions(s, account_id, model, limit, fn, ctx, err);
}

static inline enum ap_status ap_store_max_gap_question_id(struct ap_store *s, int64_t account_id, int64_t *id, struct ap_error *err)
{
    return s->ops->max_gap_question_id(s, account_id, id, err);
}

static inline enum ap_status ap_store_set_gap_question_embedding(struct ap_store *s, int64_t account_id, int64_t question_id, const char *model, const double *vector, size_t dims, bool *assigned, struct ap_error *err)
{
    return s->ops->set_gap_question_embedding(s, account_id, question_id, model, vector, dims, assigned, err);
}

/* Runs `fn` inside a transaction, retrying it on AP_BUSY up to a bounded number
 * of times; commits when fn returns AP_OK, rolls back otherwise. */
enum ap_status ap_store_transact(struct ap_store *s,
                                 enum ap_status (*fn)(struct ap_store *s, void *ctx,
                                                      struct ap_error *err),
                                 void *ctx, struct ap_error *err);

#endif
