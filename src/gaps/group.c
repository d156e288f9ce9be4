/* The online grouping engine. Features are hashed to 32 bits (word and
 * character n-gram namespaces kept apart by a prefix), so the model stores no
 * strings. A topic keeps the sum of its members' vectors: x·sum/count is the
 * average similarity of x to the members, the average-linkage criterion for
 * one new point. The least similarity to join falls with the topic's size (a
 * topic of one question is a noisy estimate of what its members share).
 * Candidates come from an inverted index of word features. The agent's
 * embeddings, when questions carry them, are kept the same way (a dense sum
 * per topic) and their average similarity is blended with the text's. */
#include "gaps/group.h"
#include "gaps/fmap.h"
#include "text/features.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* --- the model ---------------------------------------------------------------------- */

struct posting {
    uint32_t *topics;
    uint32_t n, cap;
};

struct topic {
    struct ap_fmap sum;
    uint32_t count;
    uint32_t embedded; /* members that carried an embedding */
    float *embedding;  /* sum of their unit embeddings (dim floats), or NULL */
    float *assoc;      /* sum of its members' association vectors, or NULL */
    uint32_t associated; /* members that had one */
};

struct feature {
    uint32_t key;
    float weight;
    bool word;  /* a word feature (not a character n-gram): finds candidates */
    bool fresh; /* no earlier question had it */
};

struct ap_grouper {
    struct ap_grouper_options opts;
    struct ap_fmap df;          /* document frequency per feature */
    uint32_t documents;
    struct topic *topics;
    size_t n_topics, cap_topics;
    struct ap_fmap posting_of;  /* word feature -> index into postings (as float bits) */
    struct posting *postings;
    size_t n_postings, cap_postings;
    /* scratch, reused per question */
    struct feature *features;
    size_t n_features, cap_features;
    size_t dim;              /* embedding length, fixed by the first one seen */
    float *embedding;        /* the question's unit embedding, or NULL */
    float *centred;          /* it minus the account's mean, to unit length */
    double centred_to_mean;  /* <centred, the (shrunk) mean it was centred on> */
    double embedding_spread; /* root mean square distance of embeddings to that mean */
    double *embedding_total; /* sum of every embedded question's unit vector */
    uint32_t embedding_seen;
    /* word associations: each word's context, a random-indexing sum of the
     * signatures of the words it appeared with (association_dim floats) */
    struct ap_fmap context_of;  /* word feature -> row of contexts (as float bits) */
    float *contexts;
    size_t n_contexts, cap_contexts;
    float *assoc;            /* the question's association vector (unit) */
    bool associated;         /* whether it has one */
    double coverage;         /* share of its word weight with a context */
    double novelty;          /* the rise of its threshold_new (novelty_rise) */
    double *assoc_total;     /* sum of every question's uncentred vector */
    uint32_t assoc_seen;
    float *scores;           /* per topic */
    uint32_t *touched;
    size_t n_touched, cap_touched;
};

void ap_grouper_options_init(struct ap_grouper_options *opts)
{
    opts->threshold = 0.01;
    opts->threshold_new = 0.13;
    opts->novelty_rise = 0.4;
    opts->novelty_horizon = 500;
    opts->word_weight = 0.6;
    opts->char_weight = 0.8;
    opts->min_shared = 0;
    opts->candidates = 16;
    opts->common_word = 4096;
    opts->embedding_scan = 1024;
    opts->association_dim = 128;
    opts->association_weight = 0.3;
    opts->association_threshold = 0.1;
    opts->association_threshold_new = 0.4;
    opts->embedding_weight = 0.6;
    opts->embedding_threshold = 0.15;
    opts->embedding_threshold_new = 0.35;
}

struct ap_grouper *ap_grouper_new(const struct ap_grouper_options *opts)
{
    struct ap_grouper *g = ap_calloc(1, sizeof *g);
    g->opts = *opts;
    if (g->opts.association_dim > AP_GAP_ASSOCIATION_DIM_MAX)
        g->opts.association_dim = AP_GAP_ASSOCIATION_DIM_MAX;
    if (g->opts.association_dim) {
        g->assoc = ap_calloc(g->opts.association_dim, sizeof *g->assoc);
        g->assoc_total = ap_calloc(g->opts.association_dim, sizeof *g->assoc_total);
    }
    return g;
}

void ap_grouper_destroy(struct ap_grouper *g)
{
    if (g == NULL)
        return;
    ap_fmap_free(&g->df);
    for (size_t i = 0; i < g->n_topics; i++) {
        ap_fmap_free(&g->topics[i].sum);
        free(g->topics[i].embedding);
        free(g->topics[i].assoc);
    }
    free(g->topics);
    ap_fmap_free(&g->posting_of);
    for (size_t i = 0; i < g->n_postings; i++)
        free(g->postings[i].topics);
    free(g->postings);
    free(g->features);
    free(g->embedding);
    free(g->centred);
    free(g->embedding_total);
    ap_fmap_free(&g->context_of);
    free(g->contexts);
    free(g->assoc);
    free(g->assoc_total);
    free(g->scores);
    free(g->touched);
    free(g);
}

/* --- features ------------------------------------------------------------------------ */

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
    g->features[g->n_features++] = (struct feature){key, 1, word, false};
}

static void add_char_gram(void *ctx, uint32_t key)
{
    add_feature(ctx, key, false);
}

/* Character n-grams (3 to 5 code points) of "<token>". */
static void add_char_grams(struct ap_grouper *g, const char *token)
{
    ap_char_grams(token, 3, 5, add_char_gram, g);
}

/* The features of the question's first AP_GAP_TOKENS_MAX tokens (a bound on the
 * work per question: term counting and learning associations are quadratic). */
static void extract(struct ap_grouper *g, const struct ap_tokens *tokens)
{
    g->n_features = 0;
    size_t n = tokens->n < AP_GAP_TOKENS_MAX ? tokens->n : AP_GAP_TOKENS_MAX;
    for (size_t i = 0; i < n; i++) {
        const char *t = tokens->items[i];
        add_feature(g, ap_feature_hash('w', t, strlen(t), NULL, 0), true);
        add_char_grams(g, t);
    }
}

/* How much the question's threshold_new rises: by novelty_rise times the
 * share of its word weight on words never seen before (`fresh` of `words`),
 * fading as the account's questions pass novelty_horizon. */
static double novelty_of(const struct ap_grouper *g, double fresh, double words)
{
    const struct ap_grouper_options *o = &g->opts;
    if (!(words > 0) || !(o->novelty_rise > 0))
        return 0;
    return o->novelty_rise * (fresh / words) * o->novelty_horizon /
           (g->documents + o->novelty_horizon);
}

/* Counts the question's features in the document frequencies, then weighs
 * them: (1 + ln tf) * idf, each block (words, n-grams) to unit length, blocks
 * weighted, the whole to unit length. Sets g->novelty. */
static void weigh(struct ap_grouper *g)
{
    bool created;
    g->documents++;
    double norm[2] = {0, 0};
    for (size_t i = 0; i < g->n_features; i++) {
        struct feature *f = &g->features[i];
        float *df = ap_fmap_slot(&g->df, f->key, &created);
        *df += 1;
        f->fresh = *df == 1;
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
    double inv = total > 0 ? 1.0 / sqrt(total) : 0, words = 0, fresh = 0;
    for (size_t i = 0; i < g->n_features; i++) {
        struct feature *f = &g->features[i];
        f->weight = (float)(f->weight * inv);
        double w2 = f->word ? (double)f->weight * f->weight : 0;
        words += w2;
        fresh += f->fresh ? w2 : 0;
    }
    g->novelty = novelty_of(g, fresh, words);
}

/* --- the agent's embedding ------------------------------------------------------------ */

/* The account's mean embedding is trusted as if this many more questions, all
 * at the origin, had been seen: the first few questions' mean is mostly
 * themselves, and subtracting it whole would leave noise. */
#define EMBEDDING_MEAN_PRIOR 2.0

/* Reads the question's embedding: to unit length in g->embedding (what topics
 * sum), and minus the account's mean unit embedding so far (shrunk by
 * EMBEDDING_MEAN_PRIOR), to unit length, in g->centred. Encoders put all texts
 * in a narrow cone, so raw cosines run high between unrelated questions, and
 * how high differs between encoders; compared centred, the embedding
 * thresholds mean the same for any encoder (the word associations are centred
 * the same way). Then counts the question in the mean. False when it has none,
 * or one of another length than the account's first (then it is text only),
 * or a zero or non-finite one. */
static bool embed(struct ap_grouper *g, const struct ap_gap_question *q)
{
    if (q->embedding == NULL || q->embedding_len < AP_GAP_EMBEDDING_MIN ||
        q->embedding_len > AP_GAP_EMBEDDING_MAX)
        return false;
    if (g->dim == 0) {
        g->dim = q->embedding_len;
        g->embedding = ap_calloc(g->dim, sizeof *g->embedding);
        g->centred = ap_calloc(g->dim, sizeof *g->centred);
        g->embedding_total = ap_calloc(g->dim, sizeof *g->embedding_total);
    }
    if (q->embedding_len != g->dim)
        return false;
    double norm = 0;
    for (size_t i = 0; i < g->dim; i++)
        norm += q->embedding[i] * q->embedding[i];
    if (!(norm > 0) || !isfinite(norm))
        return false;
    double inv = 1.0 / sqrt(norm), seen = g->embedding_seen;
    double shrink = 1.0 / (seen + EMBEDDING_MEAN_PRIOR);
    /* |d|², <d, m>, |m|², <true mean, m> for d the question minus m */
    double centred = 0, to_mean = 0, mean_sq = 0, mean_dot = 0;
    for (size_t i = 0; i < g->dim; i++) {
        double unit = q->embedding[i] * inv, m = g->embedding_total[i] * shrink;
        g->embedding[i] = (float)unit;
        g->centred[i] = (float)(unit - m);
        centred += (unit - m) * (unit - m);
        to_mean += (unit - m) * m;
        mean_sq += m * m;
        mean_dot += seen > 0 ? g->embedding_total[i] / seen * m : 0;
        g->embedding_total[i] += unit;
    }
    g->embedding_seen++;
    /* E|x - m|² over the unit embeddings so far, = 1 - 2<mean, m> + |m|² */
    double spread = 1 - 2 * mean_dot + mean_sq;
    if (!(centred > 0) || !(spread > 0))
        return false;
    g->embedding_spread = sqrt(spread);
    inv = 1.0 / sqrt(centred);
    g->centred_to_mean = to_mean * inv;
    for (size_t i = 0; i < g->dim; i++)
        g->centred[i] = (float)(g->centred[i] * inv);
    return true;
}

/* The question's average centred cosine to the topic's embedded members: with
 * S their sum of unit embeddings and n their number, <d, S/n - m> / spread,
 * centred on the current mean m, so early members are compared as well
 * centred as late ones. */
static double embedding_similarity(const struct ap_grouper *g, const struct topic *t)
{
    double to_sum = 0;
    for (size_t i = 0; i < g->dim; i++)
        to_sum += (double)g->centred[i] * t->embedding[i];
    return (to_sum / t->embedded - g->centred_to_mean) / g->embedding_spread;
}

/* --- assignment ------------------------------------------------------------------------ */

static struct posting *posting_for(struct ap_grouper *g, uint32_t key, bool create)
{
    bool created;
    if (!create) {
        float v = ap_fmap_get(&g->posting_of, key);
        return v > 0 ? &g->postings[(size_t)v - 1] : NULL;
    }
    float *slot = ap_fmap_slot(&g->posting_of, key, &created);
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

static void touch(struct ap_grouper *g, uint32_t topic)
{
    if (g->n_touched == g->cap_touched) {
        g->cap_touched = g->cap_touched ? 2 * g->cap_touched : 1024;
        g->touched = ap_realloc(g->touched, g->cap_touched * sizeof *g->touched);
    }
    g->touched[g->n_touched++] = topic;
}

/* Topics sharing word features with the question, scored by shared weight;
 * features in very many topics are too common to tell topics apart. */
static void gather_candidates(struct ap_grouper *g)
{
    g->n_touched = 0;
    for (size_t i = 0; i < g->n_features; i++) {
        const struct feature *f = &g->features[i];
        if (!f->word)
            continue;
        struct posting *p = posting_for(g, f->key, false);
        if (p == NULL || p->n > g->opts.common_word)
            continue;
        for (uint32_t k = 0; k < p->n; k++) {
            uint32_t t = p->topics[k];
            if (g->scores[t] == 0)
                touch(g, t);
            g->scores[t] += f->weight;
        }
    }
}

/* Whether topic a ranks before b: more shared weight, then the older. */
static bool ranks_before(const float *scores, uint32_t a, uint32_t b)
{
    return scores[a] != scores[b] ? scores[a] > scores[b] : a < b;
}

static void sift_down(uint32_t *heap, size_t n, size_t i, const float *scores)
{
    for (;;) {
        size_t worst = i, l = 2 * i + 1, r = l + 1;
        if (l < n && ranks_before(scores, heap[worst], heap[l]))
            worst = l;
        if (r < n && ranks_before(scores, heap[worst], heap[r]))
            worst = r;
        if (worst == i)
            return;
        uint32_t tmp = heap[i];
        heap[i] = heap[worst];
        heap[worst] = tmp;
        i = worst;
    }
}

/* Moves the k best-ranked touched topics to the front (in no order): a heap
 * whose root is the worst of the k kept so far. O(touched · log k). */
static size_t keep_best(struct ap_grouper *g, size_t k)
{
    uint32_t *t = g->touched;
    size_t n = g->n_touched;
    if (n <= k)
        return n;
    for (size_t i = k / 2; i-- > 0;)
        sift_down(t, k, i, g->scores);
    for (size_t i = k; i < n; i++) {
        if (ranks_before(g->scores, t[i], t[0])) {
            uint32_t evicted = t[0]; /* kept behind, so that its score is reset */
            t[0] = t[i];
            t[i] = evicted;
            sift_down(t, k, 0, g->scores);
        }
    }
    return k;
}

/* The least similarity to join a topic of `count` members: from `first` for a
 * topic of one question down towards `floor` as it grows. */
static double threshold_for(double floor, double first, uint32_t count)
{
    return floor + (first - floor) / count;
}

/* --- word associations --------------------------------------------------------------- */

/* The context row of a word feature; NULL when absent and !create. */
static float *context_row(struct ap_grouper *g, uint32_t key, bool create)
{
    bool created;
    size_t dim = g->opts.association_dim;
    if (!create) {
        float v = ap_fmap_get(&g->context_of, key);
        return v > 0 ? &g->contexts[((size_t)v - 1) * dim] : NULL;
    }
    float *slot = ap_fmap_slot(&g->context_of, key, &created);
    if (created) {
        if (g->n_contexts == g->cap_contexts) {
            g->cap_contexts = g->cap_contexts ? 2 * g->cap_contexts : 256;
            g->contexts = ap_realloc(g->contexts, g->cap_contexts * dim * sizeof *g->contexts);
        }
        memset(&g->contexts[g->n_contexts * dim], 0, dim * sizeof *g->contexts);
        *slot = (float)++g->n_contexts; /* exact for up to 2^24 words */
    }
    return &g->contexts[((size_t)*slot - 1) * dim];
}

/* Adds a word's signature to a context row: four ±weight entries at places
 * drawn from the word's hash (random indexing). */
static void add_signature(float *row, size_t dim, uint32_t key, float weight)
{
    uint32_t x = key;
    for (int r = 0; r < 4; r++) {
        x = x * 2654435761u + 0x9E3779B9u;
        x ^= x >> 15;
        row[x % dim] += (x & 0x80000000u) ? weight : -weight;
    }
}

/* The question's association vector: the sum of its words' contexts (each to
 * unit length, times the word's weight), to unit length, minus the mean of the
 * questions so far, to unit length; questions whose words keep the same company
 * come out close even when they share no word. g->coverage: the share of the
 * question's word weight that has a context (what the vector stands for). Then
 * learns from the question: each word's context gains the others' signatures.
 * False when no word of the question has a context yet. */
static bool associate(struct ap_grouper *g)
{
    size_t dim = g->opts.association_dim;
    if (dim == 0)
        return false;
    memset(g->assoc, 0, dim * sizeof *g->assoc);
    double known = 0, words = 0;
    for (size_t i = 0; i < g->n_features; i++) {
        const struct feature *f = &g->features[i];
        words += f->word ? (double)f->weight * f->weight : 0;
        const float *row = f->word ? context_row(g, f->key, false) : NULL;
        if (row == NULL)
            continue;
        known += (double)f->weight * f->weight;
        double norm = 0;
        for (size_t k = 0; k < dim; k++)
            norm += (double)row[k] * row[k];
        if (!(norm > 0))
            continue;
        double scale = f->weight / sqrt(norm);
        for (size_t k = 0; k < dim; k++)
            g->assoc[k] += (float)(row[k] * scale);
    }
    g->coverage = words > 0 ? known / words : 0;
    double norm = 0;
    for (size_t k = 0; k < dim; k++)
        norm += (double)g->assoc[k] * g->assoc[k];
    bool found = norm > 0;
    if (found) {
        /* centred on the mean of the questions so far: what every question
         * shares (the company of frequent words) tells none apart */
        double inv = 1 / sqrt(norm), centred = 0;
        for (size_t k = 0; k < dim; k++) {
            double unit = g->assoc[k] * inv;
            double mean = g->assoc_seen ? g->assoc_total[k] / g->assoc_seen : 0;
            g->assoc_total[k] += unit;
            g->assoc[k] = (float)(unit - mean);
            centred += (double)g->assoc[k] * g->assoc[k];
        }
        g->assoc_seen++;
        found = centred > 0;
        for (size_t k = 0; found && k < dim; k++)
            g->assoc[k] = (float)(g->assoc[k] / sqrt(centred));
    }
    for (size_t i = 0; i < g->n_features; i++) {
        if (!g->features[i].word)
            continue;
        float *row = context_row(g, g->features[i].key, true);
        for (size_t j = 0; j < g->n_features; j++)
            if (j != i && g->features[j].word)
                add_signature(row, dim, g->features[j].key, g->features[j].weight);
    }
    return found;
}

struct verdict {
    double similarity; /* blended average similarity to the members */
    double margin;     /* by how much it clears the topic's threshold */
};

/* Asks for the first probe slot of each question feature in each candidate's
 * sum: the look-ups in judge() miss the cache, and this lets the misses
 * overlap (about twice as fast with a large history). */
static void prefetch_candidates(const struct ap_grouper *g, size_t n)
{
    for (size_t c = 0; c < n; c++) {
        const struct ap_fmap *m = &g->topics[g->touched[c]].sum;
        if (m->cap == 0)
            continue;
        for (size_t i = 0; i < g->n_features; i++)
            __builtin_prefetch(&m->slots[ap_fmap_home(g->features[i].key, m->cap)]);
    }
}

static struct verdict judge(const struct ap_grouper *g, const struct topic *t, bool embedded)
{
    const struct ap_grouper_options *o = &g->opts;
    double dot = 0, words = 0, shared = 0;
    for (size_t i = 0; i < g->n_features; i++) {
        const struct feature *f = &g->features[i];
        float in_topic = ap_fmap_get(&t->sum, f->key);
        dot += (double)f->weight * in_topic;
        if (f->word) {
            words += (double)f->weight * f->weight;
            shared += in_topic > 0 ? (double)f->weight * f->weight : 0;
        }
    }
    double text = dot / t->count;
    /* the caution for unfamiliar words is about the account's thin text
     * statistics; where the agent's embeddings weigh in, they speak for it */
    bool blended = embedded && t->embedded > 0;
    double first = o->threshold_new + (blended ? 0 : g->novelty);
    struct verdict v = {text, text - threshold_for(o->threshold, first, t->count)};
    if (words > 0 && shared / words < o->min_shared)
        v.margin = -1; /* the topic has too little of what the question is about */
    if (blended) {
        double emb = embedding_similarity(g, t);
        double w = o->embedding_weight;
        double emb_margin =
            emb - threshold_for(o->embedding_threshold, o->embedding_threshold_new, t->embedded);
        v.similarity = (1 - w) * v.similarity + w * emb;
        v.margin = (1 - w) * v.margin + w * emb_margin;
    }
    if (g->associated && t->associated > 0) {
        double adot = 0;
        for (size_t i = 0; i < o->association_dim; i++)
            adot += (double)g->assoc[i] * t->assoc[i];
        double assoc = adot / t->associated;
        double w = o->association_weight * g->coverage; /* as much as its words are known */
        double assoc_margin = assoc - threshold_for(o->association_threshold,
                                                    o->association_threshold_new, t->associated);
        v.similarity = (1 - w) * v.similarity + w * assoc;
        v.margin = (1 - w) * v.margin + w * assoc_margin;
    }
    return v;
}

static void join(struct ap_grouper *g, size_t topic, bool embedded)
{
    bool created;
    struct topic *t = &g->topics[topic];
    t->count++;
    for (size_t i = 0; i < g->n_features; i++) {
        const struct feature *f = &g->features[i];
        *ap_fmap_slot(&t->sum, f->key, &created) += f->weight;
        if (created && f->word) {
            struct posting *p = posting_for(g, f->key, true);
            if (p->n == p->cap) {
                p->cap = p->cap ? 2 * p->cap : 4;
                p->topics = ap_realloc(p->topics, p->cap * sizeof *p->topics);
            }
            p->topics[p->n++] = (uint32_t)topic;
        }
    }
    if (g->associated) {
        size_t dim = g->opts.association_dim;
        if (t->assoc == NULL)
            t->assoc = ap_calloc(dim, sizeof *t->assoc);
        for (size_t i = 0; i < dim; i++)
            t->assoc[i] += g->assoc[i];
        t->associated++;
    }
    if (embedded) {
        if (t->embedding == NULL)
            t->embedding = ap_calloc(g->dim, sizeof *t->embedding);
        for (size_t i = 0; i < g->dim; i++)
            t->embedding[i] += g->embedding[i];
        t->embedded++;
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

/* With an embedding and few topics, every topic that has embeddings is a
 * candidate too: the agent's vectors find paraphrases that share no word. */
static void gather_embedded(struct ap_grouper *g)
{
    if (g->n_topics > g->opts.embedding_scan)
        return;
    for (size_t t = 0; t < g->n_topics; t++)
        if (g->topics[t].embedded > 0 && g->scores[t] == 0)
            touch(g, (uint32_t)t);
}

size_t ap_grouper_assign(struct ap_grouper *g, const struct ap_gap_question *q, double *similarity)
{
    extract(g, q->tokens);
    weigh(g);
    bool embedded = embed(g, q);
    g->associated = associate(g);
    gather_candidates(g);
    size_t n = keep_best(g, g->opts.candidates);
    for (size_t i = n; i < g->n_touched; i++)
        g->scores[g->touched[i]] = 0;
    g->n_touched = n;
    if (embedded) {
        gather_embedded(g);
        n = g->n_touched;
    }
    prefetch_candidates(g, n);
    size_t best = SIZE_MAX;
    struct verdict best_v = {0, -1};
    for (size_t i = 0; i < n; i++) {
        uint32_t t = g->touched[i];
        struct verdict v = judge(g, &g->topics[t], embedded);
        if (best == SIZE_MAX || v.similarity > best_v.similarity ||
            (v.similarity == best_v.similarity && t < best)) {
            best_v = v;
            best = t;
        }
    }
    for (size_t i = 0; i < g->n_touched; i++)
        g->scores[g->touched[i]] = 0;
    if (best == SIZE_MAX || best_v.margin < 0) {
        best = new_topic(g);
        best_v.similarity = 0;
    }
    join(g, best, embedded);
    if (similarity)
        *similarity = best_v.similarity;
    return best;
}

void ap_grouper_place(struct ap_grouper *g, const struct ap_gap_question *q, size_t topic)
{
    extract(g, q->tokens);
    weigh(g);
    bool embedded = embed(g, q);
    g->associated = associate(g);
    while (g->n_topics <= topic)
        new_topic(g);
    join(g, topic, embedded);
}

size_t ap_grouper_topic_count(const struct ap_grouper *g)
{
    return g->n_topics;
}
