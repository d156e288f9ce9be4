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
typedef enum ap_status (*ap_blob_fn)(void *ctx, const char *key, const void *blob, size_t len);
typedef enum ap_status (*ap_cell_fn)(void *ctx, const struct ap_cell *cell);
/* An event's facts (ap_event_from_facts); its strings live during the call only. */
typedef enum ap_status (*ap_event_fn)(void *ctx, const struct ap_event *event);
typedef enum ap_status (*ap_member_fn)(void *ctx, const char *id, const char *name);

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
     * its figures no longer depend on time. */
    enum ap_status (*get_conversation)(struct ap_store *store, int64_t account_id,
                                       const char *conversation_id, struct ap_buf *out,
                                       struct ap_error *err);
    enum ap_status (*put_conversation)(struct ap_store *store, int64_t account_id,
                                       const char *conversation_id, const void *state,
                                       size_t len, int64_t quiet_at_us, struct ap_error *err);
    /* Conversations whose quiet time is in (after_us, before_us). */
    enum ap_status (*select_quiet_conversations)(struct ap_store *store, int64_t account_id,
                                                 int64_t after_us, int64_t before_us,
                                                 ap_blob_fn fn, void *ctx, struct ap_error *err);
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

static inline enum ap_status ap_store_put_conversation(struct ap_store *s, int64_t account_id, const char *conversation_id, const void *state, size_t len, int64_t quiet_at_us, struct ap_error *err)
{
    return s->ops->put_conversation(s, account_id, conversation_id, state, len, quiet_at_us, err);
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

/* Runs `fn` inside a transaction, retrying it on AP_BUSY up to a bounded number
 * of times; commits when fn returns AP_OK, rolls back otherwise. */
enum ap_status ap_store_transact(struct ap_store *s,
                                 enum ap_status (*fn)(struct ap_store *s, void *ctx,
                                                      struct ap_error *err),
                                 void *ctx, struct ap_error *err);

#endif
