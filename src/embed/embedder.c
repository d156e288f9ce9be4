/* The embedder: a background thread with its own store connection that
 * fetches the model server's vectors for knowledge-gap questions stored
 * without one (and for answers' phrasings), in batches, a few requests at
 * once, and keeps every vector in the store's cache so a text is embedded
 * once per model. A question's vector is stored with it, so assignment reads
 * it from the store like an agent's own and every node replays the same
 * decisions (docs/internals/embed.md).
 *
 * When a request fails the worker backs off (0.5 s doubling to 60 s) and
 * tries again; while it backs off nobody waits for it: the gap worker assigns
 * with text alone and the match API does not call the server. */
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "account/account.h"
#include "embed/embed.h"

#define MAX_WAITING 256          /* accounts noted at once */
#define WANT_MAX 4096            /* answers' phrasings queued at once */
#define WAVES_PER_PASS 16        /* rounds of requests for one account before the next */
#define BACKOFF_FIRST_US (500 * INT64_C(1000))
#define BACKOFF_MAX_US (60 * AP_USEC_PER_SEC)

struct counters {
    atomic_uint_fast64_t requests;
    atomic_uint_fast64_t failures[AP_EMBED__FAULT_COUNT];
    atomic_uint_fast64_t texts;         /* texts the server embedded */
    atomic_uint_fast64_t cache_hits;
    atomic_uint_fast64_t questions;     /* question vectors stored */
    atomic_int_fast64_t queue;          /* texts the worker holds */
};

struct ap_embedder {
    struct ap_embed_config cfg;        /* strings below are its own copies */
    char *url, *model, *key, *db_url;
    pthread_t thread;
    pthread_mutex_t lock;              /* guards everything down to `dims` */
    pthread_cond_t wake, done;
    int64_t waiting[MAX_WAITING];
    size_t n_waiting;
    int64_t current[MAX_WAITING];      /* the accounts of the round in progress */
    size_t n_current;
    char *wanted[WANT_MAX];
    size_t n_wanted;
    bool stopping;
    int64_t retry_at_us;               /* backing off until then */
    unsigned failures_in_row;
    enum ap_embed_fault last_fault;
    int64_t last_fault_at_us, last_ok_at_us;
    size_t dims;                       /* the model's vector length, once known */
    struct counters c;
};

/* --- helpers ---------------------------------------------------------------------------- */

void ap_embed_text_hash(const char *text, uint8_t out[AP_TEXT_HASH_SIZE])
{
    crypto_hash_sha256(out, (const unsigned char *)text, strlen(text));
}

const struct ap_embed_config *ap_embedder_config(const struct ap_embedder *e)
{
    return &e->cfg;
}

static void deadline_in(struct timespec *ts, int64_t us)
{
    clock_gettime(CLOCK_REALTIME, ts);
    int64_t ns = ts->tv_nsec + (us % AP_USEC_PER_SEC) * 1000;
    ts->tv_sec += (time_t)(us / AP_USEC_PER_SEC + ns / 1000000000);
    ts->tv_nsec = (long)(ns % 1000000000);
}

/* Lock held. */
static bool backing_off(const struct ap_embedder *e, int64_t now_us)
{
    return e->retry_at_us > now_us;
}

static size_t want_dims(struct ap_embedder *e)
{
    pthread_mutex_lock(&e->lock);
    size_t d = e->cfg.dims ? e->cfg.dims : e->dims;
    pthread_mutex_unlock(&e->lock);
    return d;
}

/* Counts a request's outcome and moves the back-off. A timeout of the match
 * API's short wait says nothing about the server's health (backs_off false). */
static void record(struct ap_embedder *e, const struct ap_embed_job *job, bool backs_off)
{
    atomic_fetch_add(&e->c.requests, 1);
    int64_t now = ap_time_now_us();
    pthread_mutex_lock(&e->lock);
    if (job->fault == AP_EMBED_NONE) {
        atomic_fetch_add(&e->c.texts, job->n);
        e->failures_in_row = 0;
        e->retry_at_us = 0;
        e->last_ok_at_us = now;
        if (e->dims == 0)
            e->dims = job->vectors.dims;
    } else {
        atomic_fetch_add(&e->c.failures[job->fault], 1);
        e->last_fault = job->fault;
        e->last_fault_at_us = now;
        if (backs_off) {
            int64_t wait = BACKOFF_FIRST_US;
            for (unsigned i = 0; i < e->failures_in_row && wait < BACKOFF_MAX_US; i++)
                wait *= 2;
            e->failures_in_row++;
            e->retry_at_us = now + (wait < BACKOFF_MAX_US ? wait : BACKOFF_MAX_US);
        }
    }
    pthread_mutex_unlock(&e->lock);
    if (job->fault != AP_EMBED_NONE)
        ap_log(AP_LOG_WARN, "msg=\"embeddings request failed\" kind=%s status=%ld why=\"%s\"",
               ap_embed_fault_name(job->fault), job->http_status, job->why);
}

static bool cache_get(struct ap_embedder *e, struct ap_store *store, const uint8_t *hash,
                      size_t dims, double *out, size_t *got)
{
    struct ap_error err;
    ap_error_clear(&err);
    if (ap_store_get_cached_embedding(store, e->model, hash, out, AP_EMBED_DIMS_MAX, got, &err) !=
        AP_OK)
        return false;
    return dims == 0 || *got == dims;
}

/* --- one pass over texts: cache, then the server ---------------------------------------- */

/* Texts of one wave and their vectors as they come. Owns texts and vectors. */
struct wave {
    size_t n;
    char **texts;
    uint8_t (*hashes)[AP_TEXT_HASH_SIZE];
    double **vectors;   /* NULL until known */
    bool *fetched;      /* from the server now (to be cached), not the cache */
    size_t dims;
};

static void wave_init(struct wave *w, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->texts = ap_calloc(cap, sizeof *w->texts);
    w->hashes = ap_calloc(cap, sizeof *w->hashes);
    w->vectors = ap_calloc(cap, sizeof *w->vectors);
    w->fetched = ap_calloc(cap, sizeof *w->fetched);
}

static void wave_add(struct wave *w, const char *text)
{
    w->texts[w->n] = ap_strdup(text);
    ap_embed_text_hash(text, w->hashes[w->n]);
    w->n++;
}

static void wave_clear(struct wave *w)
{
    for (size_t i = 0; i < w->n; i++) {
        free(w->texts[i]);
        free(w->vectors[i]);
        w->texts[i] = NULL;
        w->vectors[i] = NULL;
        w->fetched[i] = false;
    }
    w->n = 0;
}

static void wave_free(struct wave *w)
{
    wave_clear(w);
    free(w->texts);
    free(w->hashes);
    free(w->vectors);
    free(w->fetched);
}

/* Fills the vectors the cache has. */
static void wave_from_cache(struct ap_embedder *e, struct ap_store *store, struct wave *w)
{
    size_t dims = want_dims(e);
    double *buf = ap_malloc(AP_EMBED_DIMS_MAX * sizeof *buf);
    for (size_t i = 0; i < w->n; i++) {
        size_t got;
        if (!cache_get(e, store, w->hashes[i], dims, buf, &got))
            continue;
        w->vectors[i] = ap_malloc(got * sizeof *buf);
        memcpy(w->vectors[i], buf, got * sizeof *buf);
        w->dims = got;
        atomic_fetch_add(&e->c.cache_hits, 1);
    }
    free(buf);
}

/* Asks the server for the rest, `batch` texts a request, `concurrency`
 * requests at once. False when any request failed (the worker backs off). */
static bool wave_fetch(struct ap_embedder *e, struct wave *w)
{
    size_t missing[AP_EMBED_BATCH_MAX * AP_EMBED_CONCURRENCY_MAX];
    size_t n_missing = 0;
    for (size_t i = 0; i < w->n; i++)
        if (w->vectors[i] == NULL)
            missing[n_missing++] = i;
    struct ap_embed_job jobs[AP_EMBED_CONCURRENCY_MAX];
    const char *texts[AP_EMBED_BATCH_MAX * AP_EMBED_CONCURRENCY_MAX];
    size_t n_jobs = 0;
    for (size_t k = 0; k < n_missing; k++)
        texts[k] = w->texts[missing[k]];
    for (size_t k = 0; k < n_missing; k += e->cfg.batch) {
        size_t n = n_missing - k < e->cfg.batch ? n_missing - k : e->cfg.batch;
        memset(&jobs[n_jobs], 0, sizeof jobs[n_jobs]);
        jobs[n_jobs].texts = &texts[k];
        jobs[n_jobs].n = n;
        n_jobs++;
    }
    if (n_jobs == 0)
        return true;
    ap_embed_fetch(&e->cfg, jobs, n_jobs, e->cfg.timeout_ms, want_dims(e));
    bool ok = true;
    for (size_t j = 0; j < n_jobs; j++) {
        record(e, &jobs[j], true);
        ok &= jobs[j].fault == AP_EMBED_NONE;
        size_t first = (size_t)(jobs[j].texts - texts);
        for (size_t t = 0; jobs[j].fault == AP_EMBED_NONE && t < jobs[j].n; t++) {
            size_t i = missing[first + t];
            size_t d = jobs[j].vectors.dims;
            w->vectors[i] = ap_malloc(d * sizeof(double));
            memcpy(w->vectors[i], jobs[j].vectors.values + t * d, d * sizeof(double));
            w->fetched[i] = true;
            w->dims = d;
        }
        ap_embed_vectors_free(&jobs[j].vectors);
    }
    return ok;
}

/* --- questions ------------------------------------------------------------------------ */

struct question_wave {
    struct ap_embedder *e;
    struct wave w;
    int64_t *ids;
    bool *assigned;
    size_t cap;
    int64_t account_id;
};

static enum ap_status collect_question(void *ctx, const struct ap_gap_question_rec *q)
{
    struct question_wave *qw = ctx;
    if (qw->w.n == qw->cap || q->text == NULL)
        return AP_OK;
    qw->ids[qw->w.n] = q->id;
    qw->assigned[qw->w.n] = q->topic_id != 0;
    wave_add(&qw->w, q->text);
    return AP_OK;
}

/* In one transaction: the new vectors into the cache, each known vector
 * with its question; the gap generation bumped when an assigned question
 * changed, so every process rebuilds its model from the stored vectors. */
static enum ap_status store_wave(struct ap_store *store, void *ctx, struct ap_error *err)
{
    struct question_wave *qw = ctx;
    struct wave *w = &qw->w;
    int64_t now = ap_time_now_us();
    bool bump = false;
    size_t stored = 0;
    enum ap_status rc = AP_OK;
    for (size_t i = 0; rc == AP_OK && i < w->n; i++) {
        if (w->vectors[i] == NULL)
            continue;
        if (w->fetched[i])
            rc = ap_store_put_cached_embedding(store, qw->e->model, w->hashes[i], w->vectors[i],
                                               w->dims, now, err);
        bool assigned = false;
        if (rc == AP_OK)
            rc = ap_store_set_gap_question_embedding(store, qw->account_id, qw->ids[i],
                                                     qw->e->model, w->vectors[i], w->dims,
                                                     &assigned, err);
        bump |= assigned;
        stored++;
    }
    if (rc == AP_OK && bump)
        rc = ap_store_bump_gap_generation(store, qw->account_id, err);
    if (rc == AP_OK)
        atomic_fetch_add(&qw->e->c.questions, stored);
    return rc;
}

/* One account: waves of questions until none lacks a vector, a request
 * fails, or WAVES_PER_PASS waves were done (*more: call again). */
static bool embed_account(struct ap_embedder *e, struct ap_store *store, int64_t account_id,
                          bool *more)
{
    struct ap_error err;
    struct ap_account account;
    ap_error_clear(&err);
    *more = false;
    if (ap_store_get_account(store, account_id, &account, &err) != AP_OK || !account.embeddings)
        return true;
    size_t cap = e->cfg.batch * e->cfg.concurrency;
    struct question_wave qw = {e, {0}, ap_calloc(cap, sizeof(int64_t)),
                               ap_calloc(cap, sizeof(bool)), cap, account_id};
    wave_init(&qw.w, cap);
    bool ok = true;
    for (int wave = 0; ok && wave < WAVES_PER_PASS; wave++) {
        wave_clear(&qw.w);
        ap_error_clear(&err);
        if (ap_store_select_unembedded_gap_questions(store, account_id, e->model, (int64_t)cap,
                                                     collect_question, &qw, &err) != AP_OK) {
            ap_log(AP_LOG_WARN, "msg=\"embeddings: cannot read the questions\" error=%s",
                   ap_status_code(err.status));
            break;
        }
        if (qw.w.n == 0)
            break;
        atomic_store(&e->c.queue, (int_fast64_t)qw.w.n);
        wave_from_cache(e, store, &qw.w);
        ok = wave_fetch(e, &qw.w);
        if (ap_store_transact(store, store_wave, &qw, &err) != AP_OK)
            ap_log(AP_LOG_WARN, "msg=\"embeddings: cannot store the vectors\" error=%s",
                   ap_status_code(err.status));
        *more = ok && qw.w.n == cap && wave == WAVES_PER_PASS - 1;
        if (qw.w.n < cap)
            break;
    }
    atomic_store(&e->c.queue, 0);
    wave_free(&qw.w);
    free(qw.ids);
    free(qw.assigned);
    return ok;
}

/* --- answers' phrasings ----------------------------------------------------------------- */

static enum ap_status store_cache_only(struct ap_store *store, void *ctx, struct ap_error *err)
{
    struct question_wave *qw = ctx;
    struct wave *w = &qw->w;
    int64_t now = ap_time_now_us();
    enum ap_status rc = AP_OK;
    for (size_t i = 0; rc == AP_OK && i < w->n; i++)
        if (w->fetched[i])
            rc = ap_store_put_cached_embedding(store, qw->e->model, w->hashes[i], w->vectors[i],
                                               w->dims, now, err);
    return rc;
}

/* Embeds the queued phrasings into the cache; what is left after a failure
 * goes back to the queue. */
static bool embed_wanted(struct ap_embedder *e, struct ap_store *store, char **texts, size_t n)
{
    size_t cap = e->cfg.batch * e->cfg.concurrency;
    struct question_wave qw = {e, {0}, NULL, NULL, cap, 0};
    wave_init(&qw.w, cap);
    bool ok = true;
    size_t k = 0;
    while (ok && k < n) {
        wave_clear(&qw.w);
        for (; k < n && qw.w.n < cap; k++) {
            wave_add(&qw.w, texts[k]);
            free(texts[k]);
            texts[k] = NULL;
        }
        wave_from_cache(e, store, &qw.w);
        ok = wave_fetch(e, &qw.w);
        struct ap_error err;
        ap_error_clear(&err);
        if (ap_store_transact(store, store_cache_only, &qw, &err) != AP_OK)
            ap_log(AP_LOG_WARN, "msg=\"embeddings: cannot cache the vectors\" error=%s",
                   ap_status_code(err.status));
    }
    if (!ok) /* retry the failed wave's texts and the rest later */
        ap_embedder_want(e, (const char *const *)qw.w.texts, qw.w.n);
    ap_embedder_want(e, (const char *const *)texts + k, n - k);
    for (size_t i = k; i < n; i++)
        free(texts[i]);
    wave_free(&qw.w);
    return ok;
}

/* --- the worker ---------------------------------------------------------------------------- */

static void note_locked(struct ap_embedder *e, int64_t account_id)
{
    bool known = false;
    for (size_t i = 0; i < e->n_waiting; i++)
        known |= e->waiting[i] == account_id;
    if (!known && e->n_waiting < MAX_WAITING)
        e->waiting[e->n_waiting++] = account_id;
    pthread_cond_signal(&e->wake);
}

void ap_embedder_note(struct ap_embedder *e, int64_t account_id)
{
    pthread_mutex_lock(&e->lock);
    note_locked(e, account_id);
    pthread_mutex_unlock(&e->lock);
}

static enum ap_status note_account(void *ctx, const struct ap_account *account)
{
    ap_embedder_note(ctx, account->id);
    return AP_OK;
}

/* Waits for work and for the back-off to pass; takes the noted accounts and
 * queued phrasings. False when stopping. */
static bool next_round(struct ap_embedder *e, int64_t *accounts, size_t *n, char **wanted,
                       size_t *n_wanted)
{
    pthread_mutex_lock(&e->lock);
    for (;;) {
        if (e->stopping)
            break;
        int64_t now = ap_time_now_us();
        if (backing_off(e, now)) {
            struct timespec ts;
            deadline_in(&ts, e->retry_at_us - now);
            pthread_cond_timedwait(&e->wake, &e->lock, &ts);
            continue;
        }
        if (e->n_waiting > 0 || e->n_wanted > 0)
            break;
        pthread_cond_wait(&e->wake, &e->lock);
    }
    if (e->stopping) { /* what is queued is freed by ap_embedder_stop */
        pthread_mutex_unlock(&e->lock);
        return false;
    }
    *n = e->n_waiting;
    memcpy(accounts, e->waiting, *n * sizeof *accounts);
    memcpy(e->current, e->waiting, *n * sizeof *accounts);
    e->n_current = *n;
    e->n_waiting = 0;
    *n_wanted = e->n_wanted;
    memcpy(wanted, e->wanted, *n_wanted * sizeof *wanted);
    e->n_wanted = 0;
    atomic_store(&e->c.queue, (int_fast64_t)*n_wanted);
    pthread_mutex_unlock(&e->lock);
    return true;
}

/* The round's accounts are no longer busy: wakes ap_embedder_settle. */
static void finish_round(struct ap_embedder *e)
{
    pthread_mutex_lock(&e->lock);
    e->n_current = 0;
    pthread_cond_broadcast(&e->done);
    pthread_mutex_unlock(&e->lock);
}

static void *run(void *arg)
{
    struct ap_embedder *e = arg;
    struct ap_store *store = NULL;
    struct ap_error err;
    int64_t *accounts = ap_malloc(MAX_WAITING * sizeof *accounts);
    char **wanted = ap_malloc(WANT_MAX * sizeof *wanted);
    size_t n, n_wanted;
    bool listed = false;
    while (next_round(e, accounts, &n, wanted, &n_wanted)) {
        ap_error_clear(&err);
        if (store == NULL && ap_store_open(e->db_url, &store, &err) != AP_OK) {
            ap_log(AP_LOG_WARN, "msg=\"embeddings: cannot open the database\" error=%s",
                   ap_status_code(err.status));
            store = NULL;
        }
        /* At the first round every account is noted, so questions stored
         * while no server (or another model) ran get their vectors. */
        if (store && !listed)
            listed = ap_store_select_accounts(store, note_account, e, &err) == AP_OK;
        bool ok = store != NULL;
        for (size_t i = 0; ok && i < n; i++) {
            bool more;
            ok = embed_account(e, store, accounts[i], &more);
            if (more || !ok)
                ap_embedder_note(e, accounts[i]);
        }
        for (size_t i = ok ? n : 0; i < n; i++) /* left for after the back-off */
            ap_embedder_note(e, accounts[i]);
        if (store && ok && n_wanted > 0)
            embed_wanted(e, store, wanted, n_wanted);
        else if (n_wanted > 0) {
            ap_embedder_want(e, (const char *const *)wanted, n_wanted);
            for (size_t i = 0; i < n_wanted; i++)
                free(wanted[i]);
        }
        finish_round(e);
    }
    finish_round(e);
    free(accounts);
    free(wanted);
    ap_store_destroy(store);
    return NULL;
}

struct ap_embedder *ap_embedder_start(const struct ap_embed_config *cfg, const char *db_url)
{
    ap_embed_global_init();
    struct ap_embedder *e = ap_calloc(1, sizeof *e);
    e->cfg = *cfg;
    e->url = ap_strdup(cfg->url);
    e->model = ap_strdup(cfg->model);
    e->key = cfg->key ? ap_strdup(cfg->key) : NULL;
    e->db_url = ap_strdup(db_url);
    e->cfg.url = e->url;
    e->cfg.model = e->model;
    e->cfg.key = e->key;
    pthread_mutex_init(&e->lock, NULL);
    pthread_cond_init(&e->wake, NULL);
    pthread_cond_init(&e->done, NULL);
    pthread_create(&e->thread, NULL, run, e);
    /* a first round lists every account, for the questions stored meanwhile */
    ap_embedder_note(e, 0);
    return e;
}

void ap_embedder_stop(struct ap_embedder *e)
{
    if (e == NULL)
        return;
    pthread_mutex_lock(&e->lock);
    e->stopping = true;
    pthread_cond_broadcast(&e->wake);
    pthread_mutex_unlock(&e->lock);
    pthread_join(e->thread, NULL);
    for (size_t i = 0; i < e->n_wanted; i++)
        free(e->wanted[i]);
    pthread_cond_destroy(&e->done);
    pthread_cond_destroy(&e->wake);
    pthread_mutex_destroy(&e->lock);
    if (e->key)
        sodium_memzero(e->key, strlen(e->key));
    free(e->key);
    free(e->url);
    free(e->model);
    free(e->db_url);
    free(e);
}

/* Lock held: whether the account waits for a round or is in the current one. */
static bool busy_with(const struct ap_embedder *e, int64_t account_id)
{
    for (size_t i = 0; i < e->n_waiting; i++)
        if (e->waiting[i] == account_id)
            return true;
    for (size_t i = 0; i < e->n_current; i++)
        if (e->current[i] == account_id)
            return true;
    return false;
}

/* Waits, lock held, until the account is not busy, the server backs off or
 * `until` passes. False when the wait should end (stopping, backing off,
 * time up). */
static bool wait_not_busy(struct ap_embedder *e, int64_t account_id, int64_t until)
{
    for (;;) {
        int64_t now = ap_time_now_us();
        if (e->stopping || backing_off(e, now) || now >= until)
            return false;
        if (!busy_with(e, account_id))
            return true;
        struct timespec ts;
        deadline_in(&ts, until - now);
        pthread_cond_timedwait(&e->done, &e->lock, &ts);
    }
}

static enum ap_status first_question(void *ctx, const struct ap_gap_question_rec *q)
{
    *(bool *)ctx = q->topic_id == 0;
    return AP_OK;
}

/* Whether a question not yet assigned still lacks a vector (the store lists
 * those first). */
static bool pending_without_vector(struct ap_embedder *e, struct ap_store *store,
                                   int64_t account_id)
{
    bool pending = false;
    struct ap_error err;
    ap_error_clear(&err);
    ap_store_select_unembedded_gap_questions(store, account_id, e->model, 1, first_question,
                                             &pending, &err);
    return pending;
}

int64_t ap_embedder_settle(struct ap_embedder *e, struct ap_store *store, int64_t account_id)
{
    if (e == NULL || e->cfg.hold_ms == 0)
        return INT64_MAX;
    struct ap_account account;
    struct ap_error err;
    ap_error_clear(&err);
    if (ap_store_get_account(store, account_id, &account, &err) != AP_OK || !account.embeddings)
        return INT64_MAX;
    int64_t until = ap_time_now_us() + (int64_t)e->cfg.hold_ms * 1000;
    /* Questions stored while a pass ran are not in it: look again until none
     * that waits for assignment lacks a vector. The largest id is read
     * before the look, so every question up to it was looked at; those
     * stored after it wait for the caller's next call. */
    for (;;) {
        pthread_mutex_lock(&e->lock);
        note_locked(e, account_id);
        bool go_on = wait_not_busy(e, account_id, until);
        pthread_mutex_unlock(&e->lock);
        if (!go_on)
            return INT64_MAX; /* the hold is over: text alone for what is left */
        int64_t max_id = INT64_MAX;
        ap_error_clear(&err);
        if (ap_store_max_gap_question_id(store, account_id, &max_id, &err) != AP_OK)
            return INT64_MAX;
        if (!pending_without_vector(e, store, account_id))
            return max_id;
    }
}

void ap_embedder_want(struct ap_embedder *e, const char *const *texts, size_t n)
{
    pthread_mutex_lock(&e->lock);
    for (size_t i = 0; i < n && e->n_wanted < WANT_MAX; i++)
        if (texts[i] && texts[i][0])
            e->wanted[e->n_wanted++] = ap_strdup(texts[i]);
    if (n > 0)
        pthread_cond_signal(&e->wake);
    pthread_mutex_unlock(&e->lock);
}

bool ap_embedder_cached(struct ap_embedder *e, struct ap_store *store, const char *text,
                        struct ap_embed_vectors *out)
{
    uint8_t hash[AP_TEXT_HASH_SIZE];
    ap_embed_text_hash(text, hash);
    double *buf = ap_malloc(AP_EMBED_DIMS_MAX * sizeof *buf);
    size_t got;
    memset(out, 0, sizeof *out);
    if (!cache_get(e, store, hash, want_dims(e), buf, &got)) {
        free(buf);
        return false;
    }
    out->values = ap_realloc(buf, got * sizeof *buf);
    out->n = 1;
    out->dims = got;
    return true;
}

bool ap_embedder_embed(struct ap_embedder *e, struct ap_store *store, const char *text,
                       unsigned wait_ms, struct ap_embed_vectors *out)
{
    if (ap_embedder_cached(e, store, text, out)) {
        atomic_fetch_add(&e->c.cache_hits, 1);
        return true;
    }
    pthread_mutex_lock(&e->lock);
    bool skip = backing_off(e, ap_time_now_us());
    pthread_mutex_unlock(&e->lock);
    if (skip || wait_ms == 0)
        return false;
    struct ap_embed_job job = {0};
    job.texts = &text;
    job.n = 1;
    ap_embed_fetch(&e->cfg, &job, 1, wait_ms < e->cfg.timeout_ms ? wait_ms : e->cfg.timeout_ms,
                   want_dims(e));
    record(e, &job, job.fault != AP_EMBED_TIMEOUT);
    if (job.fault != AP_EMBED_NONE)
        return false;
    uint8_t hash[AP_TEXT_HASH_SIZE];
    ap_embed_text_hash(text, hash);
    struct ap_error err;
    ap_error_clear(&err);
    ap_store_put_cached_embedding(store, e->model, hash, job.vectors.values, job.vectors.dims,
                                  ap_time_now_us(), &err); /* a failure only costs a refetch */
    *out = job.vectors;
    return true;
}

/* --- what it reports ------------------------------------------------------------------------ */

void ap_embedder_metrics(struct ap_embedder *e, struct ap_buf *out)
{
    ap_buf_printf(out, "# HELP agentperf_embeddings_requests_total Requests sent to the model "
                       "server.\n# TYPE agentperf_embeddings_requests_total counter\n"
                       "agentperf_embeddings_requests_total %llu\n",
                  (unsigned long long)atomic_load(&e->c.requests));
    ap_buf_append_str(out, "# HELP agentperf_embeddings_failures_total Failed requests to the "
                           "model server, by kind.\n"
                           "# TYPE agentperf_embeddings_failures_total counter\n");
    for (int k = 1; k < AP_EMBED__FAULT_COUNT; k++)
        ap_buf_printf(out, "agentperf_embeddings_failures_total{kind=\"%s\"} %llu\n",
                      ap_embed_fault_name((enum ap_embed_fault)k),
                      (unsigned long long)atomic_load(&e->c.failures[k]));
    ap_buf_printf(out, "# HELP agentperf_embeddings_texts_total Texts the model server "
                       "embedded.\n# TYPE agentperf_embeddings_texts_total counter\n"
                       "agentperf_embeddings_texts_total %llu\n"
                       "# HELP agentperf_embeddings_cache_hits_total Texts whose vector came "
                       "from the store's cache.\n"
                       "# TYPE agentperf_embeddings_cache_hits_total counter\n"
                       "agentperf_embeddings_cache_hits_total %llu\n"
                       "# HELP agentperf_embeddings_questions_total Question vectors stored.\n"
                       "# TYPE agentperf_embeddings_questions_total counter\n"
                       "agentperf_embeddings_questions_total %llu\n"
                       "# HELP agentperf_embeddings_queue Texts the embedding worker holds.\n"
                       "# TYPE agentperf_embeddings_queue gauge\n"
                       "agentperf_embeddings_queue %lld\n",
                  (unsigned long long)atomic_load(&e->c.texts),
                  (unsigned long long)atomic_load(&e->c.cache_hits),
                  (unsigned long long)atomic_load(&e->c.questions),
                  (long long)atomic_load(&e->c.queue));
    pthread_mutex_lock(&e->lock);
    bool up = e->failures_in_row == 0;
    pthread_mutex_unlock(&e->lock);
    ap_buf_printf(out, "# HELP agentperf_embeddings_up 1 unless the last request to the model "
                       "server failed.\n# TYPE agentperf_embeddings_up gauge\n"
                       "agentperf_embeddings_up %d\n",
                  up ? 1 : 0);
}

void ap_embedder_health_json(struct ap_embedder *e, struct ap_buf *out)
{
    pthread_mutex_lock(&e->lock);
    int64_t now = ap_time_now_us();
    bool failing = e->failures_in_row > 0;
    enum ap_embed_fault fault = e->last_fault;
    int64_t fault_at = e->last_fault_at_us, ok_at = e->last_ok_at_us;
    int64_t retry_ms = backing_off(e, now) ? (e->retry_at_us - now) / 1000 : 0;
    pthread_mutex_unlock(&e->lock);
    ap_buf_append_str(out, "\"embeddings\":{\"status\":");
    ap_buf_append_str(out, failing ? "\"failing\"" : "\"ok\"");
    ap_buf_append_str(out, ",\"model\":");
    ap_buf_append_json_string(out, e->model, strlen(e->model));
    char t[AP_TIME_RFC3339_MAX];
    if (ok_at) {
        ap_time_format_rfc3339(ok_at, t);
        ap_buf_printf(out, ",\"last_success_at\":\"%s\"", t);
    }
    if (fault_at) {
        ap_time_format_rfc3339(fault_at, t);
        ap_buf_printf(out, ",\"last_failure\":\"%s\",\"last_failure_at\":\"%s\"",
                      ap_embed_fault_name(fault), t);
    }
    if (failing)
        ap_buf_printf(out, ",\"retry_in_ms\":%lld", (long long)retry_ms);
    ap_buf_append_char(out, '}');
}
