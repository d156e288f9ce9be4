/* The online grouping engine. Features are hashed to 32 bits (word, bigram and
 * character n-gram namespaces kept apart by a prefix), so the model stores no
 * strings. A topic keeps the sum of its members' vectors: x·sum/count is the
 * average similarity of x to the members, the average-linkage criterion for
 * one new point. Candidates come from an inverted index of word features. */
#include "gaps/group.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --- a map from feature to float, open addressing -------------------------------- */

struct fmap {
    uint32_t *keys; /* 0 = empty; feature hashes are never 0 */
    float *values;
    uint32_t n, cap;
};

static void fmap_free(struct fmap *m)
{
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof *m);
}

static uint32_t slot_of(uint32_t key, uint32_t cap)
{
    return (key * 2654435761u) & (cap - 1);
}

static void fmap_grow(struct fmap *m)
{
    struct fmap old = *m;
    m->cap = old.cap ? old.cap * 2 : 8;
    m->keys = ap_calloc(m->cap, sizeof *m->keys);
    m->values = ap_calloc(m->cap, sizeof *m->values);
    m->n = 0;
    for (uint32_t i = 0; i < old.cap; i++) {
        if (!old.keys[i])
            continue;
        uint32_t s = slot_of(old.keys[i], m->cap);
        while (m->keys[s])
            s = (s + 1) & (m->cap - 1);
        m->keys[s] = old.keys[i];
        m->values[s] = old.values[i];
        m->n++;
    }
    fmap_free(&old);
}

/* The value slot for key, created as 0 when absent; *created tells which. */
static float *fmap_slot(struct fmap *m, uint32_t key, bool *created)
{
    if (4 * (m->n + 1) > 3 * m->cap)
        fmap_grow(m);
    uint32_t s = slot_of(key, m->cap);
    while (m->keys[s] && m->keys[s] != key)
        s = (s + 1) & (m->cap - 1);
    *created = m->keys[s] == 0;
    if (*created) {
        m->keys[s] = key;
        m->values[s] = 0;
        m->n++;
    }
    return &m->values[s];
}

static float fmap_get(const struct fmap *m, uint32_t key)
{
    if (m->cap == 0)
        return 0;
    uint32_t s = slot_of(key, m->cap);
    while (m->keys[s]) {
        if (m->keys[s] == key)
            return m->values[s];
        s = (s + 1) & (m->cap - 1);
    }
    return 0;
}

/* --- the model ---------------------------------------------------------------------- */

struct posting {
    uint32_t *topics;
    uint32_t n, cap;
};

struct topic {
    struct fmap sum;
    uint32_t count;
};

struct feature {
    uint32_t key;
    float weight;
    bool word; /* a word or bigram feature, used to find candidates */
};

struct ap_grouper {
    struct ap_grouper_options opts;
    struct fmap df;          /* document frequency per feature */
    uint32_t documents;
    struct topic *topics;
    size_t n_topics, cap_topics;
    struct fmap posting_of;  /* word feature -> index into postings (as float bits) */
    struct posting *postings;
    size_t n_postings, cap_postings;
    /* scratch, reused per question */
    struct feature *features;
    size_t n_features, cap_features;
    float *scores;           /* per topic */
    uint32_t *touched;
    size_t n_touched, cap_touched;
};

void ap_grouper_options_init(struct ap_grouper_options *opts)
{
    opts->threshold = 0.12;
    opts->word_weight = 0.6;
    opts->char_weight = 0.8;
    opts->candidates = 64;
}

struct ap_grouper *ap_grouper_new(const struct ap_grouper_options *opts)
{
    struct ap_grouper *g = ap_calloc(1, sizeof *g);
    g->opts = *opts;
    return g;
}

void ap_grouper_destroy(struct ap_grouper *g)
{
    if (g == NULL)
        return;
    fmap_free(&g->df);
    for (size_t i = 0; i < g->n_topics; i++)
        fmap_free(&g->topics[i].sum);
    free(g->topics);
    fmap_free(&g->posting_of);
    for (size_t i = 0; i < g->n_postings; i++)
        free(g->postings[i].topics);
    free(g->postings);
    free(g->features);
    free(g->scores);
    free(g->touched);
    free(g);
}

/* --- features ------------------------------------------------------------------------ */

static uint32_t hash_feature(char space, const char *a, size_t a_len, const char *b, size_t b_len)
{
    uint64_t h = 1469598103934665603ULL;
    h = (h ^ (unsigned char)space) * 1099511628211ULL;
    for (size_t i = 0; i < a_len; i++)
        h = (h ^ (unsigned char)a[i]) * 1099511628211ULL;
    if (b) {
        h = (h ^ 0x1f) * 1099511628211ULL;
        for (size_t i = 0; i < b_len; i++)
            h = (h ^ (unsigned char)b[i]) * 1099511628211ULL;
    }
    uint32_t x = (uint32_t)(h ^ (h >> 32));
    return x ? x : 1;
}

static void add_feature(struct ap_grouper *g, uint32_t key, bool word)
{
    for (size_t i = 0; i < g->n_features; i++) { /* term frequency: a question is short */
        if (g->features[i].key == key) {
            g->features[i].weight += 1;
            return;
        }
    }
    if (g->n_features == g->cap_features) {
        g->cap_features = g->cap_features ? 2 * g->cap_features : 256;
        g->features = ap_realloc(g->features, g->cap_features * sizeof *g->features);
    }
    g->features[g->n_features++] = (struct feature){key, 1, word};
}

/* Character n-grams (3 to 5 code points) of "<token>". */
static void add_char_grams(struct ap_grouper *g, const char *token)
{
    char padded[520];
    size_t len = strlen(token);
    if (len + 2 >= sizeof padded)
        return;
    padded[0] = '<';
    memcpy(padded + 1, token, len);
    padded[len + 1] = '>';
    size_t total = len + 2;
    size_t starts[520], n_starts = 0; /* byte offsets of code points */
    for (size_t i = 0; i < total; i++)
        if (((unsigned char)padded[i] & 0xC0) != 0x80)
            starts[n_starts++] = i;
    starts[n_starts] = total;
    for (size_t n = 3; n <= 5; n++)
        for (size_t i = 0; i + n <= n_starts; i++)
            add_feature(g, hash_feature('c', padded + starts[i], starts[i + n] - starts[i], NULL, 0),
                        false);
}

static void extract(struct ap_grouper *g, const struct ap_tokens *tokens)
{
    g->n_features = 0;
    for (size_t i = 0; i < tokens->n; i++) {
        const char *t = tokens->items[i];
        add_feature(g, hash_feature('w', t, strlen(t), NULL, 0), true);
        if (i + 1 < tokens->n) {
            const char *u = tokens->items[i + 1];
            add_feature(g, hash_feature('b', t, strlen(t), u, strlen(u)), true);
        }
        add_char_grams(g, t);
    }
}

/* Counts the question's features in the document frequencies, then weighs
 * them: (1 + ln tf) * idf, each block (words, n-grams) to unit length, blocks
 * weighted, the whole to unit length. */
static void weigh(struct ap_grouper *g)
{
    bool created;
    g->documents++;
    double norm[2] = {0, 0};
    for (size_t i = 0; i < g->n_features; i++) {
        struct feature *f = &g->features[i];
        float *df = fmap_slot(&g->df, f->key, &created);
        *df += 1;
        double idf = log((g->documents + 1.0) / (*df + 1.0)) + 1.0;
        f->weight = (float)((1.0 + log(f->weight)) * idf);
        norm[f->word] += (double)f->weight * f->weight;
    }
    double scale[2];
    scale[1] = norm[1] > 0 ? g->opts.word_weight / sqrt(norm[1]) : 0;
    scale[0] = norm[0] > 0 ? g->opts.char_weight / sqrt(norm[0]) : 0;
    double total = 0;
    for (size_t i = 0; i < g->n_features; i++) {
        struct feature *f = &g->features[i];
        f->weight = (float)(f->weight * scale[f->word]);
        total += (double)f->weight * f->weight;
    }
    double inv = total > 0 ? 1.0 / sqrt(total) : 0;
    for (size_t i = 0; i < g->n_features; i++)
        g->features[i].weight = (float)(g->features[i].weight * inv);
}

/* --- assignment ------------------------------------------------------------------------ */

static struct posting *posting_for(struct ap_grouper *g, uint32_t key, bool create)
{
    bool created;
    if (!create) {
        float v = fmap_get(&g->posting_of, key);
        return v > 0 ? &g->postings[(size_t)v - 1] : NULL;
    }
    float *slot = fmap_slot(&g->posting_of, key, &created);
    if (created) {
        if (g->n_postings == g->cap_postings) {
            g->cap_postings = g->cap_postings ? 2 * g->cap_postings : 1024;
            g->postings = ap_realloc(g->postings, g->cap_postings * sizeof *g->postings);
        }
        memset(&g->postings[g->n_postings], 0, sizeof *g->postings);
        *slot = (float)++g->n_postings; /* exact for up to 2^24 word features */
    }
    return &g->postings[(size_t)*slot - 1];
}

/* Topics sharing word features with the question, scored by shared weight;
 * features in very many topics are too common to tell topics apart. */
static void gather_candidates(struct ap_grouper *g)
{
    const uint32_t too_common = 4096;
    g->n_touched = 0;
    for (size_t i = 0; i < g->n_features; i++) {
        const struct feature *f = &g->features[i];
        if (!f->word)
            continue;
        struct posting *p = posting_for(g, f->key, false);
        if (p == NULL || p->n > too_common)
            continue;
        for (uint32_t k = 0; k < p->n; k++) {
            uint32_t t = p->topics[k];
            if (g->scores[t] == 0) {
                if (g->n_touched == g->cap_touched) {
                    g->cap_touched = g->cap_touched ? 2 * g->cap_touched : 1024;
                    g->touched = ap_realloc(g->touched, g->cap_touched * sizeof *g->touched);
                }
                g->touched[g->n_touched++] = t;
            }
            g->scores[t] += f->weight;
        }
    }
}

static int compare_by_score_desc(const void *a, const void *b, void *ctx)
{
    const float *scores = ctx;
    float x = scores[*(const uint32_t *)a], y = scores[*(const uint32_t *)b];
    if (x != y)
        return x > y ? -1 : 1;
    return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

static double average_similarity(const struct ap_grouper *g, const struct topic *t)
{
    double dot = 0;
    for (size_t i = 0; i < g->n_features; i++)
        dot += (double)g->features[i].weight * fmap_get(&t->sum, g->features[i].key);
    return dot / t->count;
}

static void join(struct ap_grouper *g, size_t topic)
{
    bool created;
    struct topic *t = &g->topics[topic];
    t->count++;
    for (size_t i = 0; i < g->n_features; i++) {
        const struct feature *f = &g->features[i];
        *fmap_slot(&t->sum, f->key, &created) += f->weight;
        if (created && f->word) {
            struct posting *p = posting_for(g, f->key, true);
            if (p->n == p->cap) {
                p->cap = p->cap ? 2 * p->cap : 4;
                p->topics = ap_realloc(p->topics, p->cap * sizeof *p->topics);
            }
            p->topics[p->n++] = (uint32_t)topic;
        }
    }
}

static size_t new_topic(struct ap_grouper *g)
{
    if (g->n_topics == g->cap_topics) {
        g->cap_topics = g->cap_topics ? 2 * g->cap_topics : 256;
        g->topics = ap_realloc(g->topics, g->cap_topics * sizeof *g->topics);
        g->scores = ap_realloc(g->scores, g->cap_topics * sizeof *g->scores);
        memset(g->scores + g->n_topics, 0, (g->cap_topics - g->n_topics) * sizeof *g->scores);
    }
    memset(&g->topics[g->n_topics], 0, sizeof *g->topics);
    return g->n_topics++;
}

size_t ap_grouper_assign(struct ap_grouper *g, const struct ap_gap_question *q, double *similarity)
{
    extract(g, q->tokens);
    weigh(g);
    gather_candidates(g);
    size_t best = SIZE_MAX;
    double best_sim = 0;
    size_t n = g->n_touched < g->opts.candidates ? g->n_touched : g->opts.candidates;
    if (g->n_touched > n)
        qsort_r(g->touched, g->n_touched, sizeof *g->touched, compare_by_score_desc, g->scores);
    for (size_t i = 0; i < n; i++) {
        double sim = average_similarity(g, &g->topics[g->touched[i]]);
        if (sim > best_sim || (sim == best_sim && g->touched[i] < best)) {
            best_sim = sim;
            best = g->touched[i];
        }
    }
    for (size_t i = 0; i < g->n_touched; i++)
        g->scores[g->touched[i]] = 0;
    if (best == SIZE_MAX || best_sim < g->opts.threshold) {
        best = new_topic(g);
        best_sim = 0;
    }
    join(g, best);
    if (similarity)
        *similarity = best_sim;
    return best;
}

void ap_grouper_place(struct ap_grouper *g, const struct ap_gap_question *q, size_t topic)
{
    extract(g, q->tokens);
    weigh(g);
    while (g->n_topics <= topic)
        new_topic(g);
    join(g, topic);
}

size_t ap_grouper_topic_count(const struct ap_grouper *g)
{
    return g->n_topics;
}
