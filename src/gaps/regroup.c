/* The batch re-grouping of regroup.h. Every step runs over the questions in
 * one canonical order (by a hash of their features), so the topics depend on
 * the set of questions only. Group sums are feature maps: the average
 * similarity of two groups of unit vectors is <S_a, S_b> / (n_a n_b), exact
 * average linkage without a matrix of all pairs. Merging only considers
 * groups joined by a nearest-neighbour link, which keeps the work near
 * linear in the questions. */
#include "gaps/regroup.h"
#include "core/core.h"
#include "gaps/fmap.h"
#include "text/features.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Questions share a word with at most this share of the set before the word
 * stops finding neighbours (it is still compared). */
#define NEIGHBOUR_DF_SHARE 0.05
#define NEIGHBOUR_DF_FLOOR 2000
/* Candidates re-scored in full per question, per neighbour kept. */
#define CANDIDATES_PER_NEIGHBOUR 4
/* Posting entries read per question to find its candidates. */
#define NEIGHBOUR_VISITS 20000

struct raw_feature {
    uint32_t key;
    uint16_t tf;
    bool word;
};

struct feature {
    uint32_t key;
    float weight;
};

struct question {
    size_t first, n;      /* its raw features, then its weighted ones */
    float *embedding;     /* the agent's, to unit length (owned), or NULL */
    uint64_t hash;        /* of its sorted features: the canonical order */
    uint32_t *neighbours; /* canonical indices, most similar first */
    uint32_t n_neighbours;
};

struct ap_regrouper {
    struct ap_regroup_options opts;
    struct raw_feature *raw;
    size_t n_raw, cap_raw;
    struct question *questions;
    size_t n, cap;
    /* built by run, in canonical order */
    uint32_t *order;            /* canonical index -> question number */
    struct feature *features;   /* weighted, per question sorted by key */
    size_t *vector_first;       /* canonical index -> first feature */
    uint32_t *vector_len;
    /* the agent's embeddings: the length of the first one added (others of
     * another length are ignored), and by run, per canonical index, the
     * embedding centred on the mean of all of them, to unit length, times
     * sqrt(embedding_weight) (NULL rows of n * dim floats: none) */
    size_t dim;
    float *dense;
    bool *embedded;
    size_t n_embedded;
};

void ap_regroup_options_init(struct ap_regroup_options *opts)
{
    opts->threshold = 0.08;
    opts->threshold_small = 0.08;
    opts->embedding_weight = 0.6;
    opts->embedding_threshold = 0.3;
    opts->neighbours = 10;
    opts->refine_rounds = 10;
    opts->min_size = 3;
    opts->attach = 0.03;
    opts->min_df = 2;
    opts->word_weight = 0.6;
    opts->char_weight = 0.8;
}

struct ap_regrouper *ap_regrouper_new(const struct ap_regroup_options *opts)
{
    struct ap_regrouper *r = ap_calloc(1, sizeof *r);
    r->opts = *opts;
    if (r->opts.neighbours == 0)
        r->opts.neighbours = 1;
    return r;
}

static void free_run(struct ap_regrouper *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->questions[i].neighbours);
        r->questions[i].neighbours = NULL;
        r->questions[i].n_neighbours = 0;
    }
    free(r->order);
    free(r->features);
    free(r->vector_first);
    free(r->vector_len);
    free(r->dense);
    free(r->embedded);
    r->n_embedded = 0;
    r->dense = NULL;
    r->embedded = NULL;
    r->order = NULL;
    r->features = NULL;
    r->vector_first = NULL;
    r->vector_len = NULL;
}

void ap_regrouper_destroy(struct ap_regrouper *r)
{
    if (r == NULL)
        return;
    free_run(r);
    for (size_t i = 0; i < r->n; i++)
        free(r->questions[i].embedding);
    free(r->questions);
    free(r->raw);
    free(r);
}

size_t ap_regrouper_count(const struct ap_regrouper *r)
{
    return r->n;
}

/* --- adding questions ------------------------------------------------------------ */

static void add_raw(struct ap_regrouper *r, size_t first, uint32_t key, bool word)
{
    for (size_t i = first; i < r->n_raw; i++) {
        if (r->raw[i].key == key) {
            if (r->raw[i].tf < UINT16_MAX)
                r->raw[i].tf++;
            return;
        }
    }
    if (r->n_raw == r->cap_raw) {
        r->cap_raw = r->cap_raw ? 2 * r->cap_raw : 1024;
        r->raw = ap_realloc(r->raw, r->cap_raw * sizeof *r->raw);
    }
    r->raw[r->n_raw++] = (struct raw_feature){key, 1, word};
}

struct gram_ctx {
    struct ap_regrouper *r;
    size_t first;
};

static void add_gram(void *ctx, uint32_t key)
{
    struct gram_ctx *c = ctx;
    add_raw(c->r, c->first, key, false);
}

static int by_key(const void *a, const void *b)
{
    uint32_t x = ((const struct raw_feature *)a)->key, y = ((const struct raw_feature *)b)->key;
    return (x > y) - (x < y);
}

/* The same features as the online engine: word stems and the character 3- to
 * 5-grams of "<stem>", of the first AP_GAP_TOKENS_MAX tokens. */
/* The embedding to unit length, or NULL when it is not one to use: of
 * another length than the first, zero, or not finite. */
static float *unit_embedding(struct ap_regrouper *r, const double *e, size_t len)
{
    if (e == NULL || len < AP_GAP_EMBEDDING_MIN || len > AP_GAP_EMBEDDING_MAX ||
        (r->dim && len != r->dim))
        return NULL;
    double norm = 0;
    for (size_t i = 0; i < len; i++)
        norm += e[i] * e[i];
    if (!(norm > 0) || !isfinite(norm))
        return NULL;
    r->dim = len;
    float *u = ap_malloc(len * sizeof *u);
    for (size_t i = 0; i < len; i++)
        u[i] = (float)(e[i] / sqrt(norm));
    return u;
}

void ap_regrouper_add(struct ap_regrouper *r, const struct ap_tokens *tokens,
                      const double *embedding, size_t embedding_len)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 256;
        r->questions = ap_realloc(r->questions, r->cap * sizeof *r->questions);
    }
    struct question *q = &r->questions[r->n++];
    memset(q, 0, sizeof *q);
    q->first = r->n_raw;
    q->embedding = unit_embedding(r, embedding, embedding_len);
    size_t n = tokens->n < AP_GAP_TOKENS_MAX ? tokens->n : AP_GAP_TOKENS_MAX;
    struct gram_ctx ctx = {r, q->first};
    for (size_t i = 0; i < n; i++) {
        const char *t = tokens->items[i];
        add_raw(r, q->first, ap_feature_hash('w', t, strlen(t), NULL, 0), true);
        ap_char_grams(t, 3, 5, add_gram, &ctx);
    }
    q->n = r->n_raw - q->first;
    qsort(r->raw + q->first, q->n, sizeof *r->raw, by_key);
    uint64_t h = AP_FNV_OFFSET;
    for (size_t i = 0; i < q->n; i++) {
        uint32_t kv[2] = {r->raw[q->first + i].key, r->raw[q->first + i].tf};
        h = ap_fnv1a(h, (const char *)kv, sizeof kv);
    }
    if (q->embedding)
        h = ap_fnv1a(h, (const char *)q->embedding, r->dim * sizeof *q->embedding);
    q->hash = h;
}

/* --- vectors ----------------------------------------------------------------------- */

static const struct ap_regrouper *sort_ctx;

static int canonical_cmp(const void *a, const void *b)
{
    const struct question *x = &sort_ctx->questions[*(const uint32_t *)a];
    const struct question *y = &sort_ctx->questions[*(const uint32_t *)b];
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    /* Equal hashes are equal features: either order gives the same vectors. */
    return 0;
}

/* The canonical order: questions sorted by the hash of their features. Equal
 * feature sets keep their relative order, which cannot change the result:
 * their vectors are the same. */
static void sort_canonical(struct ap_regrouper *r)
{
    r->order = ap_malloc((r->n ? r->n : 1) * sizeof *r->order);
    for (size_t i = 0; i < r->n; i++)
        r->order[i] = (uint32_t)i;
    sort_ctx = r; /* qsort has no context argument; run is not reentrant anyway */
    qsort(r->order, r->n, sizeof *r->order, canonical_cmp);
    sort_ctx = NULL;
}

static void count_documents(const struct ap_regrouper *r, struct ap_fmap *df)
{
    bool created;
    for (size_t i = 0; i < r->n_raw; i++)
        *ap_fmap_slot(df, r->raw[i].key, &created) += 1;
}

/* One question's vector: (1 + ln tf) * idf over the features in at least
 * min_df questions, each block (words, n-grams) to unit length, the blocks
 * weighted, the whole to unit length. Returns its length in features. */
static uint32_t weigh(const struct ap_regrouper *r, const struct question *q,
                      const struct ap_fmap *df, struct feature *out)
{
    double norm[2] = {0, 0}, docs = (double)r->n;
    uint32_t n = 0;
    for (size_t i = 0; i < q->n; i++) {
        const struct raw_feature *f = &r->raw[q->first + i];
        double d = ap_fmap_get(df, f->key);
        if (d < (double)r->opts.min_df)
            continue;
        double w = (1.0 + log(f->tf)) * (log((docs + 1.0) / (d + 1.0)) + 1.0);
        out[n++] = (struct feature){f->key, (float)w};
        norm[f->word] += w * w;
    }
    double scale[2] = {norm[0] > 0 ? r->opts.char_weight / sqrt(norm[0]) : 0,
                       norm[1] > 0 ? r->opts.word_weight / sqrt(norm[1]) : 0};
    double total = 0;
    for (uint32_t i = 0, j = 0; i < q->n && j < n; i++) {
        const struct raw_feature *f = &r->raw[q->first + i];
        if (f->key != out[j].key)
            continue;
        out[j].weight = (float)(out[j].weight * scale[f->word]);
        total += (double)out[j].weight * out[j].weight;
        j++;
    }
    /* A question with an embedding splits its length between the two. */
    double share = q->embedding ? sqrt(1 - r->opts.embedding_weight) : 1;
    double inv = total > 0 ? share / sqrt(total) : 0;
    for (uint32_t j = 0; j < n; j++)
        out[j].weight = (float)(out[j].weight * inv);
    return n;
}

static void build_vectors(struct ap_regrouper *r, const struct ap_fmap *df)
{
    r->features = ap_malloc((r->n_raw ? r->n_raw : 1) * sizeof *r->features);
    r->vector_first = ap_malloc((r->n ? r->n : 1) * sizeof *r->vector_first);
    r->vector_len = ap_malloc((r->n ? r->n : 1) * sizeof *r->vector_len);
    size_t used = 0;
    for (size_t c = 0; c < r->n; c++) {
        r->vector_first[c] = used;
        r->vector_len[c] = weigh(r, &r->questions[r->order[c]], df, r->features + used);
        used += r->vector_len[c];
    }
}

/* Centres the embeddings on their mean (encoders put every text in a narrow
 * cone; see group.c), to unit length, weighted. */
static void build_dense(struct ap_regrouper *r)
{
    if (r->dim == 0)
        return;
    double *mean = ap_calloc(r->dim, sizeof *mean);
    size_t embedded = 0;
    for (size_t c = 0; c < r->n; c++) {
        const float *e = r->questions[r->order[c]].embedding;
        if (e == NULL)
            continue;
        embedded++;
        for (size_t i = 0; i < r->dim; i++)
            mean[i] += e[i];
    }
    r->dense = ap_calloc(r->n * r->dim, sizeof *r->dense);
    r->embedded = ap_calloc(r->n, sizeof *r->embedded);
    double weight = sqrt(r->opts.embedding_weight);
    for (size_t c = 0; c < r->n; c++) {
        const float *e = r->questions[r->order[c]].embedding;
        if (e == NULL)
            continue;
        float *d = r->dense + c * r->dim;
        double norm = 0;
        for (size_t i = 0; i < r->dim; i++) {
            d[i] = (float)(e[i] - mean[i] / (double)embedded);
            norm += (double)d[i] * d[i];
        }
        if (!(norm > 0))
            continue; /* the mean itself: says nothing */
        for (size_t i = 0; i < r->dim; i++)
            d[i] = (float)(d[i] * weight / sqrt(norm));
        r->embedded[c] = true;
        r->n_embedded++;
    }
    free(mean);
}

static double dense_dot(const float *a, const float *b, size_t dim)
{
    double dot = 0;
    for (size_t i = 0; i < dim; i++)
        dot += (double)a[i] * b[i];
    return dot;
}

static const float *dense_of(const struct ap_regrouper *r, uint32_t c)
{
    return r->embedded && r->embedded[c] ? r->dense + (size_t)c * r->dim : NULL;
}

static double text_dot(const struct ap_regrouper *r, uint32_t a, uint32_t b);

static double vector_dot(const struct ap_regrouper *r, uint32_t a, uint32_t b)
{
    const float *x = dense_of(r, a), *y = dense_of(r, b);
    return text_dot(r, a, b) + (x && y ? dense_dot(x, y, r->dim) : 0);
}

static double text_dot(const struct ap_regrouper *r, uint32_t a, uint32_t b)
{
    const struct feature *x = r->features + r->vector_first[a];
    const struct feature *y = r->features + r->vector_first[b];
    uint32_t i = 0, j = 0, nx = r->vector_len[a], ny = r->vector_len[b];
    double dot = 0;
    while (i < nx && j < ny) {
        if (x[i].key == y[j].key)
            dot += (double)x[i++].weight * y[j++].weight;
        else if (x[i].key < y[j].key)
            i++;
        else
            j++;
    }
    return dot;
}

/* --- nearest neighbours ---------------------------------------------------------- */

struct postings {
    struct ap_fmap list_of; /* feature -> index + 1 into lists (as float bits) */
    uint32_t **lists;
    uint32_t *lens;
    size_t n;
};

/* An inverted index over the features in at most `cap` questions (canonical
 * indices): a feature most questions have finds no neighbours. */
static void index_features(const struct ap_regrouper *r, const struct ap_fmap *df, double cap,
                           struct postings *p)
{
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < df->cap; i++) {
        if (df->slots[i].key && df->slots[i].value >= (float)r->opts.min_df &&
            df->slots[i].value <= cap)
            p->n++;
    }
    p->lists = ap_calloc(p->n ? p->n : 1, sizeof *p->lists);
    p->lens = ap_calloc(p->n ? p->n : 1, sizeof *p->lens);
    size_t next = 0;
    bool created;
    for (uint32_t c = 0; c < r->n; c++) {
        const struct feature *f = r->features + r->vector_first[c];
        for (uint32_t k = 0; k < r->vector_len[c]; k++) {
            float d = ap_fmap_get(df, f[k].key);
            if (d > cap)
                continue;
            float *slot = ap_fmap_slot(&p->list_of, f[k].key, &created);
            uint32_t at;
            if (created) {
                at = (uint32_t)next++;
                p->lists[at] = ap_malloc((size_t)d * sizeof **p->lists);
                memcpy(slot, &(uint32_t){at + 1}, sizeof at);
            } else {
                memcpy(&at, slot, sizeof at);
                at--;
            }
            p->lists[at][p->lens[at]++] = c;
        }
    }
}

static void postings_free(struct postings *p)
{
    for (size_t i = 0; i < p->n; i++)
        free(p->lists[i]);
    free(p->lists);
    free(p->lens);
    ap_fmap_free(&p->list_of);
}

struct scored {
    uint32_t id;
    float score;
};

static int by_score(const void *a, const void *b)
{
    const struct scored *x = a, *y = b;
    if (x->score != y->score)
        return x->score > y->score ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

/* Up to this many questions with embeddings, each one's closest by embedding
 * are candidates too (every pair is compared: paraphrases that share no word
 * meet); above it, candidates come from the text only. */
#define EMBEDDING_SCAN_MAX 8192

static void keep_best(struct scored *heap, size_t *n, size_t cap, struct scored s);

/* Adds to best[0..n) (room for n + keep) the `keep` questions closest to c
 * by embedding that are not there yet; returns the new count. */
static size_t add_embedding_candidates(const struct ap_regrouper *r, uint32_t c,
                                       struct scored *best, size_t n, size_t keep)
{
    const float *d = dense_of(r, c);
    if (d == NULL || r->n_embedded > EMBEDDING_SCAN_MAX)
        return n;
    struct scored *near = best + n;
    size_t n_near = 0;
    for (uint32_t o = 0; o < r->n; o++) {
        const float *e = dense_of(r, o);
        if (o != c && e)
            keep_best(near, &n_near, keep, (struct scored){o, (float)dense_dot(d, e, r->dim)});
    }
    size_t total = n;
    for (size_t i = 0; i < n_near; i++) {
        bool seen = false;
        for (size_t j = 0; j < n && !seen; j++)
            seen = best[j].id == near[i].id;
        if (!seen)
            best[total++] = near[i];
    }
    return total;
}

/* x ranks below y: a lower score, or the same score and a higher id. */
static bool ranks_below(const struct scored *x, const struct scored *y)
{
    return x->score < y->score || (x->score == y->score && x->id > y->id);
}

/* Keeps the best `cap` candidates seen in a min-heap of *n (the worst on top). */
static void keep_best(struct scored *heap, size_t *n, size_t cap, struct scored s)
{
    size_t i;
    if (*n < cap) {
        i = (*n)++;
        while (i > 0 && ranks_below(&s, &heap[(i - 1) / 2])) {
            heap[i] = heap[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        heap[i] = s;
        return;
    }
    if (!ranks_below(&heap[0], &s))
        return;
    i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= *n)
            break;
        if (c + 1 < *n && ranks_below(&heap[c + 1], &heap[c]))
            c++;
        if (!ranks_below(&heap[c], &s))
            break;
        heap[i] = heap[c];
        i = c;
    }
    heap[i] = s;
}

struct rare_first {
    uint32_t list, len;
    float weight;
};

static int by_length(const void *a, const void *b)
{
    const struct rare_first *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return (x->list > y->list) - (x->list < y->list);
}

/* Question c's nearest neighbours. Candidates come from the postings of its
 * rarest features first (the most telling ones, and the shortest lists) until
 * NEIGHBOUR_VISITS entries were read, which bounds the work per question
 * whatever the account's size; the best few by the weight they share are then
 * scored in full. acc is scratch of r->n entries, all zero on entry and on
 * return; touched and order are scratch too. */
static void find_neighbours(struct ap_regrouper *r, const struct postings *p, uint32_t c,
                            float *acc, uint32_t *touched, struct rare_first *order)
{
    const struct feature *f = r->features + r->vector_first[c];
    size_t n_order = 0, n_touched = 0, visits = 0;
    for (uint32_t k = 0; k < r->vector_len[c]; k++) {
        float v = ap_fmap_get(&p->list_of, f[k].key);
        uint32_t at;
        memcpy(&at, &v, sizeof at);
        if (at != 0)
            order[n_order++] = (struct rare_first){at - 1, p->lens[at - 1], f[k].weight};
    }
    qsort(order, n_order, sizeof *order, by_length);
    for (size_t k = 0; k < n_order && visits < NEIGHBOUR_VISITS; k++) {
        const uint32_t *list = p->lists[order[k].list];
        visits += order[k].len;
        for (uint32_t m = 0; m < order[k].len; m++) {
            uint32_t o = list[m];
            if (o == c)
                continue;
            if (acc[o] == 0)
                touched[n_touched++] = o;
            acc[o] += order[k].weight; /* a rough score: the question's weight on shared features */
        }
    }
    size_t keep = r->opts.neighbours * CANDIDATES_PER_NEIGHBOUR, n_best = 0;
    struct scored *best = ap_malloc(2 * keep * sizeof *best);
    for (size_t i = 0; i < n_touched; i++) {
        keep_best(best, &n_best, keep, (struct scored){touched[i], acc[touched[i]]});
        acc[touched[i]] = 0;
    }
    n_best = add_embedding_candidates(r, c, best, n_best, keep);
    for (size_t i = 0; i < n_best; i++)
        best[i].score = (float)vector_dot(r, c, best[i].id);
    qsort(best, n_best, sizeof *best, by_score);
    size_t kept = n_best < r->opts.neighbours ? n_best : r->opts.neighbours;
    while (kept > 0 && !(best[kept - 1].score > 0))
        kept--;
    struct question *q = &r->questions[r->order[c]];
    q->neighbours = ap_malloc((kept ? kept : 1) * sizeof *q->neighbours);
    q->n_neighbours = (uint32_t)kept;
    for (size_t i = 0; i < kept; i++)
        q->neighbours[i] = best[i].id;
    free(best);
}

static void find_all_neighbours(struct ap_regrouper *r, const struct ap_fmap *df)
{
    struct postings p;
    double cap = NEIGHBOUR_DF_SHARE * (double)r->n;
    index_features(r, df, cap > NEIGHBOUR_DF_FLOOR ? cap : NEIGHBOUR_DF_FLOOR, &p);
    float *acc = ap_calloc(r->n, sizeof *acc);
    uint32_t *touched = ap_malloc(r->n * sizeof *touched);
    size_t longest = 1;
    for (uint32_t c = 0; c < r->n; c++)
        longest = r->vector_len[c] > longest ? r->vector_len[c] : longest;
    struct rare_first *order = ap_malloc(longest * sizeof *order);
    for (uint32_t c = 0; c < r->n; c++)
        find_neighbours(r, &p, c, acc, touched, order);
    free(order);
    free(acc);
    free(touched);
    postings_free(&p);
}

static const struct question *canonical(const struct ap_regrouper *r, uint32_t c)
{
    return &r->questions[r->order[c]];
}

/* --- sums of question vectors -------------------------------------------------------- */

/* The sum of some questions' vectors: the text part as a feature map, the
 * embedding part dense (NULL until an embedded question is added). */
struct vsum {
    struct ap_fmap text;
    float *dense;
};

static void vsum_free(struct vsum *v)
{
    ap_fmap_free(&v->text);
    free(v->dense);
    v->dense = NULL;
}

static double fmap_dot(const struct ap_fmap *a, const struct ap_fmap *b)
{
    if (a->n > b->n) {
        const struct ap_fmap *t = a;
        a = b;
        b = t;
    }
    double dot = 0;
    for (uint32_t i = 0; i < a->cap; i++) {
        if (a->slots[i].key)
            dot += (double)a->slots[i].value * ap_fmap_get(b, a->slots[i].key);
    }
    return dot;
}

static double vsum_dot(const struct ap_regrouper *r, const struct vsum *a, const struct vsum *b)
{
    double dot = fmap_dot(&a->text, &b->text);
    if (a->dense && b->dense)
        dot += dense_dot(a->dense, b->dense, r->dim);
    return dot;
}

static void vsum_add(const struct ap_regrouper *r, struct vsum *to, const struct vsum *from)
{
    bool created;
    for (uint32_t i = 0; i < from->text.cap; i++) {
        if (from->text.slots[i].key)
            *ap_fmap_slot(&to->text, from->text.slots[i].key, &created) +=
                from->text.slots[i].value;
    }
    if (from->dense) {
        if (to->dense == NULL)
            to->dense = ap_calloc(r->dim, sizeof *to->dense);
        for (size_t i = 0; i < r->dim; i++)
            to->dense[i] += from->dense[i];
    }
}

static void vsum_add_question(const struct ap_regrouper *r, struct vsum *to, uint32_t c)
{
    bool created;
    const struct feature *f = r->features + r->vector_first[c];
    for (uint32_t k = 0; k < r->vector_len[c]; k++)
        *ap_fmap_slot(&to->text, f[k].key, &created) += f[k].weight;
    const float *d = dense_of(r, c);
    if (d) {
        if (to->dense == NULL)
            to->dense = ap_calloc(r->dim, sizeof *to->dense);
        for (size_t i = 0; i < r->dim; i++)
            to->dense[i] += d[i];
    }
}

/* <question c, v>. */
static double vsum_dot_question(const struct ap_regrouper *r, const struct vsum *v, uint32_t c)
{
    const struct feature *f = r->features + r->vector_first[c];
    double dot = 0;
    for (uint32_t k = 0; k < r->vector_len[c]; k++)
        dot += (double)f[k].weight * ap_fmap_get(&v->text, f[k].key);
    const float *d = dense_of(r, c);
    if (d && v->dense)
        dot += dense_dot(d, v->dense, r->dim);
    return dot;
}

/* --- groups: average-linkage merging ------------------------------------------------- */

struct group {
    struct vsum sum;
    uint32_t count;
    uint32_t version; /* bumped at every merge: older heap entries are stale */
    uint32_t *links;  /* groups joined by a neighbour link (may hold dead ones) */
    uint32_t n_links, cap_links;
    bool alive;
};

struct pair {
    float score;
    uint32_t a, b, va, vb;
};

struct heap {
    struct pair *items;
    size_t n, cap;
};

static bool pair_before(const struct pair *x, const struct pair *y)
{
    if (x->score != y->score)
        return x->score > y->score;
    if (x->a != y->a)
        return x->a < y->a;
    return x->b < y->b;
}

static void heap_push(struct heap *h, struct pair p)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 1024;
        h->items = ap_realloc(h->items, h->cap * sizeof *h->items);
    }
    size_t i = h->n++;
    while (i > 0 && pair_before(&p, &h->items[(i - 1) / 2])) {
        h->items[i] = h->items[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->items[i] = p;
}

static struct pair heap_pop(struct heap *h)
{
    struct pair top = h->items[0], last = h->items[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && pair_before(&h->items[c + 1], &h->items[c]))
            c++;
        if (!pair_before(&h->items[c], &last))
            break;
        h->items[i] = h->items[c];
        i = c;
    }
    if (h->n)
        h->items[i] = last;
    return top;
}

static double linkage(const struct ap_regrouper *r, const struct group *g, uint32_t a,
                      uint32_t b)
{
    return vsum_dot(r, &g[a].sum, &g[b].sum) / ((double)g[a].count * g[b].count);
}

static void add_link(struct group *g, uint32_t from, uint32_t to)
{
    struct group *x = &g[from];
    if (x->n_links == x->cap_links) {
        x->cap_links = x->cap_links ? 2 * x->cap_links : 8;
        x->links = ap_realloc(x->links, x->cap_links * sizeof *x->links);
    }
    x->links[x->n_links++] = to;
}

/* How far the pair's average similarity clears the least one for its sizes. */
static double margin(const struct ap_regrouper *r, const struct group *g, uint32_t a,
                     uint32_t b)
{
    const struct ap_regroup_options *o = &r->opts;
    uint32_t n = g[a].count < g[b].count ? g[a].count : g[b].count;
    double least = o->threshold + (o->threshold_small - o->threshold) / n;
    if (g[a].sum.dense && g[b].sum.dense) /* both sides have embeddings: blend */
        least = (1 - o->embedding_weight) * least + o->embedding_weight * o->embedding_threshold;
    return linkage(r, g, a, b) - least;
}

static void push_pair(struct heap *h, const struct ap_regrouper *r, const struct group *g,
                      uint32_t a, uint32_t b)
{
    uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
    heap_push(h, (struct pair){(float)margin(r, g, lo, hi), lo, hi, g[lo].version,
                               g[hi].version});
}

/* Merges group `gone` into `keep`: sums, counts and links (each live group
 * once, neither of the two). mark is scratch of n entries; stamp is unique per
 * call. */
static void merge(const struct ap_regrouper *r, struct group *g, uint32_t keep, uint32_t gone,
                  uint32_t *mark, uint32_t stamp)
{
    vsum_add(r, &g[keep].sum, &g[gone].sum);
    vsum_free(&g[gone].sum);
    g[keep].count += g[gone].count;
    g[keep].version++;
    g[gone].alive = false;
    uint32_t *old = g[keep].links, n_old = g[keep].n_links;
    g[keep].links = NULL;
    g[keep].n_links = g[keep].cap_links = 0;
    mark[keep] = mark[gone] = stamp;
    const uint32_t *lists[2] = {old, g[gone].links};
    uint32_t lens[2] = {n_old, g[gone].n_links};
    for (int l = 0; l < 2; l++) {
        for (uint32_t i = 0; i < lens[l]; i++) {
            uint32_t o = lists[l][i];
            if (mark[o] == stamp || !g[o].alive)
                continue;
            mark[o] = stamp;
            add_link(g, keep, o);
        }
    }
    free(old);
    free(g[gone].links);
    g[gone].links = NULL;
    g[gone].n_links = 0;
}

/* Root of question c's group (path halving). */
static uint32_t root_of(uint32_t *parent, uint32_t c)
{
    while (parent[c] != c) {
        parent[c] = parent[parent[c]];
        c = parent[c];
    }
    return c;
}

/* Average-linkage merging from one group per question, along neighbour
 * links, while a pair's average similarity clears its least one.
 * topic[c] receives the group (a canonical index) of question c. */
static void merge_groups(struct ap_regrouper *r, uint32_t *topic)
{
    size_t n = r->n;
    struct group *g = ap_calloc(n, sizeof *g);
    uint32_t *parent = ap_malloc(n * sizeof *parent);
    uint32_t *mark = ap_calloc(n, sizeof *mark);
    struct heap h = {0};
    for (uint32_t c = 0; c < n; c++) {
        parent[c] = c;
        g[c].count = 1;
        g[c].alive = true;
        vsum_add_question(r, &g[c].sum, c);
    }
    for (uint32_t c = 0; c < n; c++) {
        const struct question *q = canonical(r, c);
        for (uint32_t k = 0; k < q->n_neighbours; k++) {
            add_link(g, c, q->neighbours[k]);
            add_link(g, q->neighbours[k], c);
            push_pair(&h, r, g, c, q->neighbours[k]);
        }
    }
    uint32_t stamp = 0;
    while (h.n) {
        struct pair p = heap_pop(&h);
        if (!g[p.a].alive || !g[p.b].alive || g[p.a].version != p.va || g[p.b].version != p.vb)
            continue;
        if (p.score < 0)
            break;
        uint32_t keep = g[p.a].count >= g[p.b].count ? p.a : p.b;
        uint32_t gone = keep == p.a ? p.b : p.a;
        merge(r, g, keep, gone, mark, ++stamp);
        parent[gone] = keep;
        for (uint32_t i = 0; i < g[keep].n_links; i++) {
            /* The link back, so the neighbour's later merges still see it. */
            add_link(g, g[keep].links[i], keep);
            push_pair(&h, r, g, keep, g[keep].links[i]);
        }
    }
    for (uint32_t c = 0; c < n; c++)
        topic[c] = root_of(parent, c);
    for (size_t c = 0; c < n; c++) {
        vsum_free(&g[c].sum);
        free(g[c].links);
    }
    free(g);
    free(parent);
    free(mark);
    free(h.items);
}

/* --- refinement ---------------------------------------------------------------------- */

struct centres {
    struct vsum *sum; /* per group id (a canonical index), empty when unused */
    uint32_t *count;
    double *norm;
};

static void centres_build(const struct ap_regrouper *r, const uint32_t *topic, struct centres *c)
{
    c->sum = ap_calloc(r->n, sizeof *c->sum);
    c->count = ap_calloc(r->n, sizeof *c->count);
    c->norm = ap_calloc(r->n, sizeof *c->norm);
    for (uint32_t q = 0; q < r->n; q++) {
        vsum_add_question(r, &c->sum[topic[q]], q);
        c->count[topic[q]]++;
    }
    for (uint32_t t = 0; t < r->n; t++)
        c->norm[t] = c->count[t] ? sqrt(vsum_dot(r, &c->sum[t], &c->sum[t])) : 0;
}

static void centres_free(const struct ap_regrouper *r, struct centres *c)
{
    for (size_t t = 0; t < r->n; t++)
        vsum_free(&c->sum[t]);
    free(c->sum);
    free(c->count);
    free(c->norm);
}

/* Cosine of question q to the centre of group t. */
static double to_centre(const struct ap_regrouper *r, const struct centres *c, uint32_t q,
                        uint32_t t)
{
    if (!(c->norm[t] > 0))
        return 0;
    return vsum_dot_question(r, &c->sum[t], q) / c->norm[t];
}

/* The group among q's own and its neighbours' whose centre q is closest to,
 * only groups of at least min_count questions (other than its own when
 * own_counts); -1 when none qualifies. *best_score receives the cosine. */
static int64_t closest_centre(const struct ap_regrouper *r, const struct centres *c,
                              const uint32_t *topic, uint32_t q, uint32_t min_count,
                              bool own_counts, double *best_score)
{
    const struct question *qq = canonical(r, q);
    int64_t best = -1;
    *best_score = -1;
    for (int64_t k = -1; k < (int64_t)qq->n_neighbours; k++) {
        uint32_t t = k < 0 ? topic[q] : topic[qq->neighbours[k]];
        if (k < 0 && !own_counts)
            continue;
        if (k >= 0 && c->count[t] < min_count)
            continue;
        double s = to_centre(r, c, q, t);
        if (s > *best_score || (s == *best_score && (int64_t)t < best)) {
            *best_score = s;
            best = t;
        }
    }
    return best;
}

/* Moves every question to its closest centre, all at once from the same
 * centres, until none moves or the rounds are used up. */
static void refine(const struct ap_regrouper *r, uint32_t *topic)
{
    uint32_t *next = ap_malloc(r->n * sizeof *next);
    for (size_t round = 0; round < r->opts.refine_rounds; round++) {
        struct centres c;
        centres_build(r, topic, &c);
        size_t moved = 0;
        for (uint32_t q = 0; q < r->n; q++) {
            double s;
            int64_t best = closest_centre(r, &c, topic, q, 1, true, &s);
            next[q] = best < 0 ? topic[q] : (uint32_t)best;
            moved += next[q] != topic[q];
        }
        centres_free(r, &c);
        memcpy(topic, next, r->n * sizeof *topic);
        if (moved == 0)
            break;
    }
    free(next);
}

/* Questions of groups smaller than min_size join the closest larger group
 * their neighbours are in, when its centre is at least `attach` away. */
static void attach_small(const struct ap_regrouper *r, uint32_t *topic)
{
    if (r->opts.min_size < 2)
        return;
    struct centres c;
    centres_build(r, topic, &c);
    uint32_t *next = ap_malloc(r->n * sizeof *next);
    for (uint32_t q = 0; q < r->n; q++) {
        next[q] = topic[q];
        if (c.count[topic[q]] >= r->opts.min_size)
            continue;
        double s;
        int64_t best = closest_centre(r, &c, topic, q, (uint32_t)r->opts.min_size, false, &s);
        if (best >= 0 && s >= r->opts.attach)
            next[q] = (uint32_t)best;
    }
    memcpy(topic, next, r->n * sizeof *topic);
    free(next);
    centres_free(r, &c);
}

/* --- the run ------------------------------------------------------------------------- */

/* Each question's cosine to the centre of its group. */
static void centrality(const struct ap_regrouper *r, const uint32_t *topic, double *similarity)
{
    struct centres c;
    centres_build(r, topic, &c);
    for (uint32_t q = 0; q < r->n; q++)
        similarity[r->order[q]] = to_centre(r, &c, q, topic[q]);
    centres_free(r, &c);
}

size_t ap_regrouper_run(struct ap_regrouper *r, uint32_t *out, double *similarity)
{
    free_run(r);
    if (r->n == 0)
        return 0;
    struct ap_fmap df = {0};
    sort_canonical(r);
    count_documents(r, &df);
    build_vectors(r, &df);
    build_dense(r);
    find_all_neighbours(r, &df);
    ap_fmap_free(&df);
    uint32_t *topic = ap_malloc(r->n * sizeof *topic);
    merge_groups(r, topic);
    refine(r, topic);
    attach_small(r, topic);
    refine(r, topic);
    if (similarity)
        centrality(r, topic, similarity);
    /* Number topics by their first question in the canonical order. */
    uint32_t *number = ap_malloc(r->n * sizeof *number);
    memset(number, 0xff, r->n * sizeof *number);
    size_t topics = 0;
    for (uint32_t c = 0; c < r->n; c++) {
        if (number[topic[c]] == UINT32_MAX)
            number[topic[c]] = (uint32_t)topics++;
        out[r->order[c]] = number[topic[c]];
    }
    free(number);
    free(topic);
    return topics;
}

/* --- carrying topic ids over ---------------------------------------------------------- */

struct overlap {
    uint32_t group;
    int64_t topic;
    size_t shared;
};

static int by_group_topic(const void *a, const void *b)
{
    const struct overlap *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    return (x->topic > y->topic) - (x->topic < y->topic);
}

static int by_shared(const void *a, const void *b)
{
    const struct overlap *x = a, *y = b;
    if (x->shared != y->shared)
        return x->shared > y->shared ? -1 : 1;
    return by_group_topic(a, b);
}

static int by_id(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

void ap_regroup_carry_over(const int64_t *old_topic, const uint32_t *group, size_t n,
                           size_t groups, int64_t *continues)
{
    for (size_t g = 0; g < groups; g++)
        continues[g] = 0;
    if (n == 0)
        return;
    struct overlap *pairs = ap_malloc(n * sizeof *pairs);
    for (size_t i = 0; i < n; i++)
        pairs[i] = (struct overlap){group[i], old_topic[i], 1};
    qsort(pairs, n, sizeof *pairs, by_group_topic);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++) {
        if (distinct && pairs[distinct - 1].group == pairs[i].group &&
            pairs[distinct - 1].topic == pairs[i].topic)
            pairs[distinct - 1].shared++;
        else
            pairs[distinct++] = pairs[i];
    }
    /* The earlier topics, sorted and unique, each with whether it is taken. */
    int64_t *topics = ap_malloc(n * sizeof *topics);
    for (size_t i = 0; i < n; i++)
        topics[i] = old_topic[i];
    qsort(topics, n, sizeof *topics, by_id);
    size_t n_topics = 0;
    for (size_t i = 0; i < n; i++)
        if (n_topics == 0 || topics[n_topics - 1] != topics[i])
            topics[n_topics++] = topics[i];
    bool *used = ap_calloc(n_topics, sizeof *used);
    qsort(pairs, distinct, sizeof *pairs, by_shared);
    for (size_t i = 0; i < distinct; i++) {
        const struct overlap *p = &pairs[i];
        const int64_t *at = bsearch(&p->topic, topics, n_topics, sizeof *topics, by_id);
        if (p->topic <= 0 || continues[p->group] != 0 || used[at - topics])
            continue;
        continues[p->group] = p->topic;
        used[at - topics] = true;
    }
    free(topics);
    free(used);
    free(pairs);
}
