/* Assigning questions to topics after an ingest, off the request path: the
 * POST /v1/events handler only notes the account, and this worker thread, with
 * its own store connection, assigns what waits. Reads of topics still assign
 * first (gap_handlers.c), so a question shows as soon as it is stored either
 * way; ingest just does not wait for the grouping model. */
#include <pthread.h>
#include <stdlib.h>

#include "gaps/gaps.h"
#include "http/http.h"

#define MAX_WAITING 256 /* accounts noted at once; more are picked up by the next read */

struct ap_gap_worker {
    char *db_url;
    struct ap_gaps *gaps;
    struct ap_embedder *embedder; /* or NULL; not owned */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int64_t waiting[MAX_WAITING];
    size_t n_waiting;
    bool stopping;
};

/* Takes the accounts noted so far; false when stopping with nothing left. */
static bool next_batch(struct ap_gap_worker *w, int64_t *out, size_t *n)
{
    pthread_mutex_lock(&w->lock);
    while (w->n_waiting == 0 && !w->stopping)
        pthread_cond_wait(&w->wake, &w->lock);
    *n = w->n_waiting;
    for (size_t i = 0; i < *n; i++)
        out[i] = w->waiting[i];
    w->n_waiting = 0;
    bool go_on = *n > 0 || !w->stopping;
    pthread_mutex_unlock(&w->lock);
    return go_on;
}

static enum ap_status note_account(void *ctx, const struct ap_account *account)
{
    ap_gap_worker_note(ctx, account->id);
    return AP_OK;
}

/* At start every account is noted, so that its model is built off the request
 * path before the first gap read needs it (seconds for a large account,
 * docs/benchmarks.md) and questions stored while no server ran (CLI ingest)
 * get their topics. Past MAX_WAITING accounts the rest wait for a read. */
static struct ap_store *open_and_note_accounts(struct ap_gap_worker *w)
{
    struct ap_store *store = NULL;
    struct ap_error err;
    ap_error_clear(&err);
    if (ap_store_open(w->db_url, &store, &err) != AP_OK)
        return NULL; /* reported when the first batch cannot open it either */
    if (ap_store_select_accounts(store, note_account, w, &err) != AP_OK)
        ap_log(AP_LOG_WARN, "msg=\"topic assignment: cannot list the accounts\" error=%s",
               ap_status_code(err.status));
    return store;
}

/* With a model server, new questions wait a little (`--embeddings-hold`) for
 * their vectors, so that they are grouped with them; the embedder cuts the
 * wait short when its server is failing, and whatever is stored when the wait
 * ends is what assignment uses (docs/internals/embed.md). */
static void hold_for_embeddings(struct ap_gap_worker *w, struct ap_store *store,
                                const int64_t *accounts, size_t n, int64_t *until)
{
    for (size_t i = 0; i < n; i++) /* their passes run while we wait for the first */
        if (w->embedder)
            ap_embedder_note(w->embedder, accounts[i]);
    for (size_t i = 0; i < n; i++)
        until[i] = w->embedder ? ap_embedder_settle(w->embedder, store, accounts[i]) : INT64_MAX;
}

static void *run(void *arg)
{
    struct ap_gap_worker *w = arg;
    struct ap_store *store = open_and_note_accounts(w);
    int64_t batch[MAX_WAITING], until[MAX_WAITING];
    size_t n;
    while (next_batch(w, batch, &n)) {
        struct ap_error err;
        ap_error_clear(&err);
        if (store == NULL && ap_store_open(w->db_url, &store, &err) != AP_OK) {
            ap_log(AP_LOG_WARN, "msg=\"topic assignment: cannot open the database\" error=%s",
                   ap_status_code(err.status));
            store = NULL;
            continue; /* the questions wait for the next read or ingest */
        }
        hold_for_embeddings(w, store, batch, n, until);
        for (size_t i = 0; i < n; i++) {
            if (ap_gaps_assign_pending_until(w->gaps, store, batch[i], until[i], NULL, &err) !=
                AP_OK)
                ap_log(AP_LOG_WARN, "msg=\"assigning questions to topics failed\" account=%lld "
                                    "error=%s",
                       (long long)batch[i], ap_status_code(err.status));
            else if (ap_gaps_regroup_if_due(w->gaps, store, batch[i], NULL, &err) != AP_OK)
                ap_log(AP_LOG_WARN, "msg=\"re-grouping topics failed\" account=%lld error=%s",
                       (long long)batch[i], ap_status_code(err.status));
        }
    }
    ap_store_destroy(store);
    return NULL;
}

struct ap_gap_worker *ap_gap_worker_start(const char *db_url, struct ap_gaps *gaps,
                                          struct ap_embedder *embedder)
{
    struct ap_gap_worker *w = ap_calloc(1, sizeof *w);
    w->embedder = embedder;
    w->db_url = ap_strdup(db_url);
    w->gaps = gaps;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->wake, NULL);
    pthread_create(&w->thread, NULL, run, w);
    return w;
}

void ap_gap_worker_note(struct ap_gap_worker *w, int64_t account_id)
{
    pthread_mutex_lock(&w->lock);
    bool known = false;
    for (size_t i = 0; i < w->n_waiting; i++)
        known |= w->waiting[i] == account_id;
    if (!known && w->n_waiting < MAX_WAITING)
        w->waiting[w->n_waiting++] = account_id;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
}

void ap_gap_worker_stop(struct ap_gap_worker *w)
{
    if (w == NULL)
        return;
    pthread_mutex_lock(&w->lock);
    w->stopping = true;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->lock);
    pthread_join(w->thread, NULL);
    pthread_cond_destroy(&w->wake);
    pthread_mutex_destroy(&w->lock);
    free(w->db_url);
    free(w);
}
