/* The answers service: changes go to the store in one transaction that bumps
 * the account's answer version, then into the cached matcher when the cache
 * was exactly one version behind (its own change); any other difference — a
 * change made by another process — rebuilds the matcher from the store on the
 * next match. One cache per process; a read-write lock per account lets
 * matches run in parallel while a change or a rebuild waits for them. */
#include "answers/answers.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    int64_t account_id;
    int64_t version;      /* of the answers the matcher holds; -1 before the first build */
    struct ap_matcher *m;
    pthread_rwlock_t lock;
    struct entry *next;
};

struct ap_answers_cache {
    pthread_mutex_t mu; /* guards the list, not the entries */
    struct entry *entries;
    pthread_key_t text_key; /* each thread's text pipeline */
};

static void destroy_text(void *t)
{
    ap_text_destroy(t);
}

struct ap_answers_cache *ap_answers_cache_new(void)
{
    struct ap_answers_cache *c = ap_calloc(1, sizeof *c);
    pthread_mutex_init(&c->mu, NULL);
    if (pthread_key_create(&c->text_key, destroy_text) != 0)
        abort();
    return c;
}

void ap_answers_cache_destroy(struct ap_answers_cache *c)
{
    if (c == NULL)
        return;
    for (struct entry *e = c->entries, *next; e; e = next) {
        next = e->next;
        ap_matcher_destroy(e->m);
        pthread_rwlock_destroy(&e->lock);
        free(e);
    }
    /* The calling thread's pipeline; other threads' went with their exit. */
    ap_text_destroy(pthread_getspecific(c->text_key));
    pthread_setspecific(c->text_key, NULL);
    pthread_key_delete(c->text_key);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

static struct ap_text *thread_text(struct ap_answers_cache *c, struct ap_error *err)
{
    struct ap_text *t = pthread_getspecific(c->text_key);
    if (t == NULL && ap_text_new(&t, err) == AP_OK)
        pthread_setspecific(c->text_key, t);
    return t;
}

static struct entry *entry_for(struct ap_answers_cache *c, int64_t account_id)
{
    pthread_mutex_lock(&c->mu);
    struct entry *e = c->entries;
    while (e && e->account_id != account_id)
        e = e->next;
    if (e == NULL) {
        e = ap_calloc(1, sizeof *e);
        e->account_id = account_id;
        e->version = -1;
        pthread_rwlock_init(&e->lock, NULL);
        e->next = c->entries;
        c->entries = e;
    }
    pthread_mutex_unlock(&c->mu);
    return e;
}

/* --- building a matcher from the store ------------------------------------------- */

struct build {
    struct ap_matcher *m;
    struct ap_text *text;
};

static enum ap_status add_stored(void *ctx, const struct ap_answer *a)
{
    struct build *b = ctx;
    return ap_matcher_put(b->m, b->text, a, false, NULL);
}

static enum ap_status rebuild(struct entry *e, struct ap_store *store, struct ap_text *text,
                              int64_t version, struct ap_error *err)
{
    struct ap_answer_query q = {.q = NULL, .enabled = 1, .limit = 0, .offset = 0};
    struct build b = {ap_matcher_new(NULL), text};
    enum ap_status rc = ap_store_select_answers(store, e->account_id, &q, add_stored, &b, NULL, err);
    if (rc != AP_OK) {
        ap_matcher_destroy(b.m);
        return rc;
    }
    ap_matcher_train_all(b.m);
    ap_matcher_destroy(e->m);
    e->m = b.m;
    e->version = version;
    return AP_OK;
}

enum ap_status ap_answers_threshold(struct ap_store *store, int64_t account_id, double *out,
                                    struct ap_error *err)
{
    int64_t version;
    enum ap_status rc = ap_store_get_answer_state(store, account_id, &version, out, err);
    if (rc == AP_OK && *out < 0)
        *out = AP_MATCH_THRESHOLD_DEFAULT;
    return rc;
}

enum ap_status ap_answers_match(struct ap_answers_cache *c, struct ap_store *store,
                                const struct ap_account *account, const char *question,
                                size_t len,
                                const char *language, size_t limit, struct ap_match_result *out,
                                struct ap_error *err)
{
    int64_t version;
    double threshold;
    memset(out, 0, sizeof *out);
    if (limit == 0 || limit > AP_MATCH_LIMIT_MAX)
        limit = AP_MATCH_LIMIT_MAX;
    struct ap_text *text = thread_text(c, err);
    if (text == NULL)
        return err ? err->status : AP_INTERNAL;
    enum ap_status rc = ap_store_get_answer_state(store, account->id, &version, &threshold, err);
    if (rc != AP_OK)
        return rc;
    out->threshold = threshold < 0 ? AP_MATCH_THRESHOLD_DEFAULT : threshold;
    struct entry *e = entry_for(c, account->id);
    pthread_rwlock_rdlock(&e->lock);
    while (e->version != version) {
        pthread_rwlock_unlock(&e->lock);
        pthread_rwlock_wrlock(&e->lock);
        rc = e->version == version ? AP_OK : rebuild(e, store, text, version, err);
        pthread_rwlock_unlock(&e->lock);
        if (rc != AP_OK)
            return rc;
        pthread_rwlock_rdlock(&e->lock);
        if (e->version != version) { /* a newer change came in between: use what is there */
            break;
        }
    }
    out->n = e->m ? ap_matcher_match(e->m, text, question, len, language,
                                     account->default_language, out->candidates, limit, err)
                  : 0;
    pthread_rwlock_unlock(&e->lock);
    out->matched = out->n > 0 && out->candidates[0].score >= out->threshold;
    return AP_OK;
}

/* --- changes ----------------------------------------------------------------------- */

enum change_kind { CHANGE_INSERT, CHANGE_UPDATE, CHANGE_DELETE };

struct change {
    enum change_kind kind;
    int64_t account_id;
    const struct ap_answer *answer;
    const char *id;
    int64_t version; /* after the change */
};

static enum ap_status apply_change(struct ap_store *store, void *ctx, struct ap_error *err)
{
    struct change *ch = ctx;
    enum ap_status rc;
    double threshold;
    switch (ch->kind) {
    case CHANGE_INSERT: rc = ap_store_insert_answer(store, ch->account_id, ch->answer, err); break;
    case CHANGE_UPDATE: rc = ap_store_update_answer(store, ch->account_id, ch->answer, err); break;
    default: rc = ap_store_delete_answer(store, ch->account_id, ch->id, err); break;
    }
    if (rc == AP_OK)
        rc = ap_store_get_answer_state(store, ch->account_id, &ch->version, &threshold, err);
    return rc;
}

/* Brings the cached matcher along when it held the version just before this
 * change; otherwise the next match rebuilds it. */
static void update_cache(struct ap_answers_cache *c, const struct change *ch)
{
    if (c == NULL)
        return;
    struct entry *e = entry_for(c, ch->account_id);
    pthread_rwlock_wrlock(&e->lock);
    if (e->m && e->version == ch->version - 1) {
        struct ap_text *text = thread_text(c, NULL);
        bool keep = ch->kind != CHANGE_DELETE && ch->answer->enabled;
        if (!keep)
            ap_matcher_remove(e->m, ch->kind == CHANGE_DELETE ? ch->id : ch->answer->id);
        if (keep && text && ap_matcher_put(e->m, text, ch->answer, true, NULL) == AP_OK)
            e->version = ch->version;
        else if (!keep)
            e->version = ch->version;
    }
    pthread_rwlock_unlock(&e->lock);
}

static enum ap_status change(struct ap_answers_cache *c, struct ap_store *store,
                             struct change *ch, struct ap_error *err)
{
    enum ap_status rc = ap_store_transact(store, apply_change, ch, err);
    if (rc == AP_OK)
        update_cache(c, ch);
    return rc;
}

enum ap_status ap_answers_create(struct ap_answers_cache *c, struct ap_store *store,
                                 int64_t account_id, struct ap_answer *a, struct ap_error *err)
{
    if (a->id == NULL) {
        char id[24];
        ap_answer_new_id(id);
        a->id = ap_strdup(id);
    }
    if (ap_answer_validate(a, err) != AP_OK)
        return AP_INVALID;
    a->created_at_us = a->updated_at_us = ap_time_now_us();
    struct change ch = {CHANGE_INSERT, account_id, a, a->id, 0};
    return change(c, store, &ch, err);
}

enum ap_status ap_answers_update(struct ap_answers_cache *c, struct ap_store *store,
                                 int64_t account_id, struct ap_answer *a, struct ap_error *err)
{
    if (ap_answer_validate(a, err) != AP_OK)
        return AP_INVALID;
    a->updated_at_us = ap_time_now_us();
    struct change ch = {CHANGE_UPDATE, account_id, a, a->id, 0};
    return change(c, store, &ch, err);
}

enum ap_status ap_answers_patch(struct ap_answers_cache *c, struct ap_store *store,
                                int64_t account_id, const char *id, const char *json, size_t len,
                                struct ap_answer *out, struct ap_error *err)
{
    unsigned present;
    enum ap_status rc = ap_store_get_answer(store, account_id, id, out, err);
    if (rc != AP_OK)
        return rc;
    char *stored_id = ap_strdup(out->id);
    rc = ap_answer_read_json(json, len, out, &present, err);
    if (rc == AP_OK && (present & AP_ANSWER_F_ID) && strcmp(out->id, stored_id) != 0)
        rc = ap_error_set(err, AP_INVALID, "id", "\"id\": an answer's id cannot change");
    free(stored_id);
    if (rc == AP_OK)
        rc = ap_answers_update(c, store, account_id, out, err);
    return rc;
}

enum ap_status ap_answers_delete(struct ap_answers_cache *c, struct ap_store *store,
                                 int64_t account_id, const char *id, struct ap_error *err)
{
    struct change ch = {CHANGE_DELETE, account_id, NULL, id, 0};
    return change(c, store, &ch, err);
}

enum ap_status ap_answers_set_threshold(struct ap_answers_cache *c, struct ap_store *store,
                                        int64_t account_id, double threshold,
                                        struct ap_error *err)
{
    (void)c; /* the threshold is read with the version on every match */
    if (threshold > 1)
        return ap_error_set(err, AP_INVALID, "match_threshold",
                            "\"match_threshold\": must be from 0 to 1");
    return ap_store_set_answer_threshold(store, account_id, threshold, err);
}
