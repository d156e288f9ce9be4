/* The answers service: changes go to the store in one transaction that bumps
 * the account's answer version, then into the cached matcher when the cache
 * was exactly one version behind (its own change); any other difference — a
 * change made by another process — rebuilds the matcher from the store on the
 * next match. One cache per process; a read-write lock per account lets
 * matches run in parallel while a change or a rebuild waits for them. */
#include "answers/answers.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "embed/embed.h"

/* The answers' phrasings and their vectors from the model server, for the
 * blend of docs/internals/embed.md. Vectors come from the store's cache as
 * the embedder fills it; a missing one is looked up again at most once a
 * second. Owns everything it points to. */
struct phrasing_vectors {
    pthread_mutex_t lock;
    size_t n;
    char **texts;
    size_t *answer;       /* index into ids */
    double **unit;        /* unit vector, or NULL while not cached */
    size_t dims;
    char **ids;           /* answer ids */
    size_t n_ids;
    size_t missing;
    int64_t looked_at_us; /* last look for the missing ones */
};

struct entry {
    int64_t account_id;
    int64_t version;      /* of the answers the matcher holds; -1 before the first build */
    struct ap_matcher *m;
    struct phrasing_vectors *vectors; /* with an embedder only; rebuilt with m */
    pthread_rwlock_t lock;
    struct entry *next;
};

struct ap_answers_cache {
    pthread_mutex_t mu; /* guards the list, not the entries */
    struct entry *entries;
    pthread_key_t text_key; /* each thread's text pipeline */
    struct ap_embedder *embedder; /* or NULL: text alone; not owned */
};

void ap_answers_cache_set_embedder(struct ap_answers_cache *c, struct ap_embedder *e)
{
    c->embedder = e;
}

static void phrasing_vectors_free(struct phrasing_vectors *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->n; i++) {
        free(v->texts[i]);
        free(v->unit[i]);
    }
    for (size_t i = 0; i < v->n_ids; i++)
        free(v->ids[i]);
    free(v->texts);
    free(v->answer);
    free(v->unit);
    free(v->ids);
    pthread_mutex_destroy(&v->lock);
    free(v);
}

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
        phrasing_vectors_free(e->vectors);
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
    struct phrasing_vectors *v; /* NULL without an embedder */
};

static void vectors_add(struct phrasing_vectors *v, const char *text)
{
    v->texts = ap_realloc(v->texts, (v->n + 1) * sizeof *v->texts);
    v->answer = ap_realloc(v->answer, (v->n + 1) * sizeof *v->answer);
    v->unit = ap_realloc(v->unit, (v->n + 1) * sizeof *v->unit);
    v->texts[v->n] = ap_strdup(text);
    v->answer[v->n] = v->n_ids - 1;
    v->unit[v->n] = NULL;
    v->n++;
    v->missing++;
}

static enum ap_status add_stored(void *ctx, const struct ap_answer *a)
{
    struct build *b = ctx;
    if (b->v) {
        struct phrasing_vectors *v = b->v;
        v->ids = ap_realloc(v->ids, (v->n_ids + 1) * sizeof *v->ids);
        v->ids[v->n_ids++] = ap_strdup(a->id);
        vectors_add(v, a->question);
        for (size_t i = 0; i < a->n_alternatives; i++)
            vectors_add(v, a->alternatives[i]);
    }
    return ap_matcher_put(b->m, b->text, a, false, NULL);
}

static enum ap_status rebuild(struct entry *e, struct ap_store *store, struct ap_text *text,
                              struct ap_embedder *embedder, int64_t version,
                              struct ap_error *err)
{
    struct ap_answer_query q = {.q = NULL, .enabled = 1, .limit = 0, .offset = 0};
    struct build b = {ap_matcher_new(NULL), text, NULL};
    if (embedder) {
        b.v = ap_calloc(1, sizeof *b.v);
        pthread_mutex_init(&b.v->lock, NULL);
    }
    enum ap_status rc = ap_store_select_answers(store, e->account_id, &q, add_stored, &b, NULL, err);
    if (rc != AP_OK) {
        ap_matcher_destroy(b.m);
        phrasing_vectors_free(b.v);
        return rc;
    }
    ap_matcher_train_all(b.m);
    ap_matcher_destroy(e->m);
    e->m = b.m;
    phrasing_vectors_free(e->vectors);
    e->vectors = b.v;
    if (b.v) /* the embedder fills the cache in the background */
        ap_embedder_want(embedder, (const char *const *)b.v->texts, b.v->n);
    e->version = version;
    return AP_OK;
}

/* --- the model server's part of a match (docs/internals/embed.md) -------------------- */

/* How much the embedding's opinion weighs against the text model's score,
 * and the temperature of the softmax that turns cosines into a share of
 * belief over the answers (cosines differ by encoder in level, far less in
 * spread, and a softmax ignores the level). Chosen on CLINC150 val with
 * bench/answers/embed_tune.py: the most right answers whose wrong share
 * stays at or below the text model's, at 3 and 10 phrasings. The weight
 * stays below the default threshold, so the embedding alone never matches. */
#define BLEND_WEIGHT 0.4
#define BLEND_TEMPERATURE 0.1
#define BLEND_EXTRA 3 /* answers the text model missed that the embedding ranks first */
#define REWANT_MAX 1024 /* missing phrasings asked for again at each look */

/* A new unit-length copy of v, or NULL for a zero vector. */
static double *unit_copy(const double *v, size_t dims)
{
    double norm = 0;
    for (size_t i = 0; i < dims; i++)
        norm += v[i] * v[i];
    if (!(norm > 0))
        return NULL;
    double *u = ap_malloc(dims * sizeof *u);
    double inv = 1.0 / sqrt(norm);
    for (size_t i = 0; i < dims; i++)
        u[i] = v[i] * inv;
    return u;
}

/* Reads the phrasings' vectors the cache has now, at most once a second
 * while some are missing. v->lock held. */
static void refresh_vectors(struct ap_embedder *emb, struct ap_store *store,
                            struct phrasing_vectors *v)
{
    int64_t now = ap_time_now_us();
    if (v->missing == 0 || now - v->looked_at_us < AP_USEC_PER_SEC)
        return;
    v->looked_at_us = now;
    const char *again[REWANT_MAX];
    size_t n_again = 0;
    for (size_t i = 0; i < v->n; i++) {
        struct ap_embed_vectors got;
        if (v->unit[i])
            continue;
        if (!ap_embedder_cached(emb, store, v->texts[i], &got)) {
            if (n_again < REWANT_MAX) /* dropped from a full queue, or failed: ask again */
                again[n_again++] = v->texts[i];
            continue;
        }
        if (v->dims == 0 || got.dims == v->dims) {
            v->dims = got.dims;
            v->unit[i] = unit_copy(got.values, got.dims);
            v->missing -= v->unit[i] != NULL;
        }
        ap_embed_vectors_free(&got);
    }
    ap_embedder_want(emb, again, n_again);
}

/* Each answer's belief: softmax over answers of its closest phrasing's
 * cosine to the question. Writes n_ids values into p (-1: no vector). */
static bool answer_beliefs(const struct phrasing_vectors *v, const double *q, double *p)
{
    double top = -2;
    for (size_t a = 0; a < v->n_ids; a++)
        p[a] = -2;
    for (size_t i = 0; i < v->n; i++) {
        if (v->unit[i] == NULL)
            continue;
        double cos = 0;
        for (size_t d = 0; d < v->dims; d++)
            cos += q[d] * v->unit[i][d];
        if (cos > p[v->answer[i]])
            p[v->answer[i]] = cos;
        if (cos > top)
            top = cos;
    }
    if (top < -1)
        return false;
    double sum = 0;
    for (size_t a = 0; a < v->n_ids; a++)
        if (p[a] >= -1)
            sum += exp((p[a] - top) / BLEND_TEMPERATURE);
    for (size_t a = 0; a < v->n_ids; a++)
        p[a] = p[a] >= -1 ? exp((p[a] - top) / BLEND_TEMPERATURE) / sum : -1;
    return true;
}

static int by_score(const void *a, const void *b)
{
    const struct ap_match *x = a, *y = b;
    return (x->score < y->score) - (x->score > y->score);
}

/* Blends the beliefs into the text model's candidates, adds the answers the
 * embedding ranks first that the text model missed (with a text score of 0,
 * so the embedding alone never reaches the default threshold), re-sorts. */
static void blend_scores(const struct phrasing_vectors *v, const double *p,
                         struct ap_match_result *out)
{
    bool *listed = ap_calloc(v->n_ids, sizeof *listed);
    for (size_t k = 0; k < out->n; k++) {
        struct ap_match *m = &out->candidates[k];
        for (size_t a = 0; a < v->n_ids; a++) {
            if (strcmp(v->ids[a], m->id) != 0)
                continue;
            listed[a] = true;
            if (p[a] >= 0) /* an answer without vectors yet keeps its text score */
                m->score = (1 - BLEND_WEIGHT) * m->score + BLEND_WEIGHT * p[a];
        }
    }
    for (int extra = 0; extra < BLEND_EXTRA && out->n < AP_MATCH_LIMIT_MAX; extra++) {
        size_t best = SIZE_MAX;
        for (size_t a = 0; a < v->n_ids; a++)
            if (!listed[a] && p[a] >= 0 && (best == SIZE_MAX || p[a] > p[best]))
                best = a;
        if (best == SIZE_MAX)
            break;
        listed[best] = true;
        struct ap_match *m = &out->candidates[out->n++];
        memset(m, 0, sizeof *m);
        ap_copy_str(m->id, sizeof m->id, v->ids[best]);
        m->score = BLEND_WEIGHT * p[best];
    }
    free(listed);
    qsort(out->candidates, out->n, sizeof *out->candidates, by_score);
}

static void blend_embeddings(struct ap_embedder *emb, struct ap_store *store,
                             struct phrasing_vectors *v, const struct ap_embed_vectors *qv,
                             struct ap_match_result *out)
{
    pthread_mutex_lock(&v->lock);
    refresh_vectors(emb, store, v);
    double *q = v->dims == qv->dims ? unit_copy(qv->values, qv->dims) : NULL;
    double *p = ap_malloc((v->n_ids ? v->n_ids : 1) * sizeof *p);
    if (q && answer_beliefs(v, q, p))
        blend_scores(v, p, out);
    pthread_mutex_unlock(&v->lock);
    free(p);
    free(q);
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
    /* The question's vector, asked before any lock is taken: the wait for the
     * model server is bounded (--embeddings-match-wait) and holds up no one. */
    struct ap_embed_vectors qv = {0};
    bool have_vector = false;
    if (c->embedder && account->embeddings) {
        char *q = ap_strndup(question, len);
        have_vector = ap_embedder_embed(c->embedder, store, q,
                                        ap_embedder_config(c->embedder)->match_wait_ms, &qv);
        free(q);
    }
    struct entry *e = entry_for(c, account->id);
    pthread_rwlock_rdlock(&e->lock);
    while (e->version != version) {
        pthread_rwlock_unlock(&e->lock);
        pthread_rwlock_wrlock(&e->lock);
        rc = e->version == version ? AP_OK
                                   : rebuild(e, store, text,
                                             account->embeddings ? c->embedder : NULL, version,
                                             err);
        pthread_rwlock_unlock(&e->lock);
        if (rc != AP_OK) {
            ap_embed_vectors_free(&qv);
            return rc;
        }
        pthread_rwlock_rdlock(&e->lock);
        if (e->version != version) { /* a newer change came in between: use what is there */
            break;
        }
    }
    bool blend = have_vector && e->vectors && e->m;
    out->n = e->m ? ap_matcher_match(e->m, text, question, len, language,
                                     account->default_language, out->candidates,
                                     blend ? AP_MATCH_LIMIT_MAX : limit, err)
                  : 0;
    if (blend)
        blend_embeddings(c->embedder, store, e->vectors, &qv, out);
    if (out->n > limit)
        out->n = limit;
    pthread_rwlock_unlock(&e->lock);
    ap_embed_vectors_free(&qv);
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

/* Drops the phrasings of answer `id` and adds those of `a` (NULL: none),
 * asking the embedder for the new ones. */
static void vectors_replace(struct ap_embedder *emb, struct phrasing_vectors *v, const char *id,
                            const struct ap_answer *a)
{
    pthread_mutex_lock(&v->lock);
    size_t drop = SIZE_MAX;
    for (size_t k = 0; k < v->n_ids; k++)
        if (strcmp(v->ids[k], id) == 0)
            drop = k;
    if (drop != SIZE_MAX) {
        size_t kept = 0;
        for (size_t i = 0; i < v->n; i++) {
            if (v->answer[i] == drop) {
                free(v->texts[i]);
                if (v->unit[i] == NULL)
                    v->missing--;
                free(v->unit[i]);
                continue;
            }
            v->texts[kept] = v->texts[i];
            v->unit[kept] = v->unit[i];
            v->answer[kept++] = v->answer[i] - (v->answer[i] > drop);
        }
        v->n = kept;
        free(v->ids[drop]);
        memmove(v->ids + drop, v->ids + drop + 1, (v->n_ids - drop - 1) * sizeof *v->ids);
        v->n_ids--;
    }
    if (a) {
        size_t first = v->n;
        v->ids = ap_realloc(v->ids, (v->n_ids + 1) * sizeof *v->ids);
        v->ids[v->n_ids++] = ap_strdup(a->id);
        vectors_add(v, a->question);
        for (size_t i = 0; i < a->n_alternatives; i++)
            vectors_add(v, a->alternatives[i]);
        ap_embedder_want(emb, (const char *const *)v->texts + first, v->n - first);
        v->looked_at_us = 0;
    }
    pthread_mutex_unlock(&v->lock);
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
        if (e->vectors && e->version == ch->version)
            vectors_replace(c->embedder, e->vectors,
                            ch->kind == CHANGE_DELETE ? ch->id : ch->answer->id,
                            keep ? ch->answer : NULL);
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
