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

struct ap_store_ops {
    const char *backend;
    void (*destroy)(struct ap_store *store);

    enum ap_status (*begin)(struct ap_store *store, struct ap_error *err);
    enum ap_status (*commit)(struct ap_store *store, struct ap_error *err);
    void (*rollback)(struct ap_store *store);
    enum ap_status (*ping)(struct ap_store *store, struct ap_error *err);
    enum ap_status (*schema_version)(struct ap_store *store, int *version, struct ap_error *err);

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
};

struct ap_store {
    const struct ap_store_ops *ops;
};

/* Opens the store a URL names: "sqlite:PATH", "file:PATH" or a plain path for
 * SQLite. Schema migrations run on open. The caller owns *out and releases it
 * with ap_store_destroy. */
enum ap_status ap_store_open(const char *url, struct ap_store **out, struct ap_error *err);
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

/* Runs `fn` inside a transaction, retrying it on AP_BUSY up to a bounded number
 * of times; commits when fn returns AP_OK, rolls back otherwise. */
enum ap_status ap_store_transact(struct ap_store *s,
                                 enum ap_status (*fn)(struct ap_store *s, void *ctx,
                                                      struct ap_error *err),
                                 void *ctx, struct ap_error *err);

#endif
