/* The matcher: one logistic-regression classifier per answer ("is this
 * question asking for this answer?") over word, word-pair and character
 * n-gram features of the text pipeline's stems. Each classifier trains by SGD
 * on its own phrasings against the phrasings of the other answers (all of
 * them, or the nearest answers' plus a sample when there are many), so a
 * change retrains only the changed answer and its nearest neighbours. Weights
 * live in an inverted index (feature -> answers), so a match touches only the
 * weights of the question's own features. A candidate's score weighs its
 * evidence (its classifier, its lead, its closeness to the answer's phrasings,
 * how much of the question those cover, how many phrasings there are) into the
 * chance that it is right, against a bar that is higher for answers with few
 * phrasings; the no-answer rule is a threshold on the first candidate's. */
#include "answers/answers.h"
#include "answers/background.h"
#include "text/features.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#define WORD_SHARE 0.5f   /* share of the squared norm given to word features */
#define CHAR_MIN 2        /* character n-grams of "<stem>", by code points */
#define CHAR_MAX 5
#define NEG_NEIGHBOURS 24 /* nearest answers whose phrasings are always negatives */
#define PRUNE 1e-3f       /* smaller weights are left out of the index */
#define BG_WEIGHT 0.5f    /* a background question counts half a phrasing */
#define BG_EXCLUDE 0.30f  /* background questions this close to an answer are not its negatives */

void ap_matcher_options_init(struct ap_matcher_options *opts)
{
    opts->threshold = AP_MATCH_THRESHOLD_DEFAULT;
    opts->lambda = 5e-6;
    opts->learning_rate = 2.0;
    opts->epochs = 6;
    opts->max_negatives = 3000;
    opts->neighbours = 8;
    opts->balance = 0.5;
}

/* --- a map from 32-bit feature hash to dictionary index ------------------------ */

struct imap {
    uint32_t *keys; /* 0 = empty: hashes are never 0 */
    uint32_t *values;
    uint32_t n, cap;
};

static uint32_t slot_of(uint32_t key, uint32_t cap)
{
    return (key * 2654435761u) & (cap - 1);
}

static void imap_free(struct imap *m)
{
    free(m->keys);
    free(m->values);
    memset(m, 0, sizeof *m);
}

static void imap_grow(struct imap *m)
{
    struct imap old = *m;
    m->cap = old.cap ? 2 * old.cap : 1024;
    m->keys = ap_calloc(m->cap, sizeof *m->keys);
    m->values = ap_malloc(m->cap * sizeof *m->values);
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
    imap_free(&old);
}

/* The index of key, or UINT32_MAX when absent. */
static uint32_t imap_get(const struct imap *m, uint32_t key)
{
    if (m->cap == 0)
        return UINT32_MAX;
    for (uint32_t s = slot_of(key, m->cap); m->keys[s]; s = (s + 1) & (m->cap - 1))
        if (m->keys[s] == key)
            return m->values[s];
    return UINT32_MAX;
}

static uint32_t imap_put(struct imap *m, uint32_t key, uint32_t value)
{
    if (4 * (m->n + 1) > 3 * m->cap)
        imap_grow(m);
    uint32_t s = slot_of(key, m->cap);
    while (m->keys[s] && m->keys[s] != key)
        s = (s + 1) & (m->cap - 1);
    if (!m->keys[s]) {
        m->keys[s] = key;
        m->values[s] = value;
        m->n++;
    }
    return m->values[s];
}

/* --- the model ------------------------------------------------------------------- */

/* A sparse vector over dictionary indices, unit length. */
struct vec {
    uint32_t *idx;
    float *val;
    uint32_t n;
};

/* The stems of a phrasing, or of all of an answer's phrasings: sorted
 * feature hashes, each once. The coverage evidence of a match compares them
 * with the question's, weighed by how rare each stem is among all phrasings. */
struct stem_set {
    uint32_t *h;
    uint32_t n;
};

struct posting {
    uint32_t *cls;
    float *w;
    uint32_t n, cap;
};

struct klass {
    char *id;             /* NULL: a free slot */
    struct vec *examples;
    size_t n_examples;
    struct stem_set *stems; /* per example */
    struct stem_set vocabulary; /* every stem of its examples */
    struct vec centroid;  /* mean of the examples, unit length */
    uint32_t *indexed;    /* features with a weight of this class in the index */
    size_t n_indexed;
    float bias;
    bool trained;
};

struct ap_matcher {
    struct ap_matcher_options opts;
    struct imap dict;             /* feature hash -> index */
    uint32_t n_features;
    struct posting *postings;     /* by feature index */
    size_t cap_postings;
    struct klass *classes;
    size_t n_classes, cap_classes;
    size_t alive;
    struct imap df_index;         /* stem hash -> its slot in df */
    uint32_t *df;                 /* phrasings of enabled answers that hold the stem */
    size_t n_df, cap_df;
    size_t n_phrasings;           /* of enabled answers: the idf's N */
    struct vec *background;       /* featurised once, on the first put */
    size_t n_background;
    bool background_ready;
    /* training scratch, used under exclusive access */
    float *w;
    uint32_t *stamp;
    uint32_t stamp_now;
    size_t cap_scratch;
};

static void vec_free(struct vec *v)
{
    free(v->idx);
    free(v->val);
    memset(v, 0, sizeof *v);
}

struct entry {
    uint32_t idx;
    float val;
};

static int by_idx(const void *a, const void *b)
{
    uint32_t x = ((const struct entry *)a)->idx, y = ((const struct entry *)b)->idx;
    return (x > y) - (x < y);
}

/* Puts a vector in index order, so that two vectors' dot product is a merge
 * (the match computes it without scratch memory, which matches share). */
static void vec_sort(struct vec *v)
{
    struct entry *e = ap_malloc((v->n ? v->n : 1) * sizeof *e);
    for (uint32_t i = 0; i < v->n; i++)
        e[i] = (struct entry){v->idx[i], v->val[i]};
    qsort(e, v->n, sizeof *e, by_idx);
    for (uint32_t i = 0; i < v->n; i++) {
        v->idx[i] = e[i].idx;
        v->val[i] = e[i].val;
    }
    free(e);
}

/* The first position from `lo` in v whose index is at least idx. */
static uint32_t lower_bound(const struct vec *v, uint32_t lo, uint32_t idx)
{
    uint32_t hi = v->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (v->idx[mid] < idx)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* A short vector against a long one (a question against a centroid of
 * thousands of features): a binary search per entry of the short one. */
static float dot_skewed(const struct vec *shorter, const struct vec *longer)
{
    float sum = 0;
    uint32_t j = 0;
    for (uint32_t i = 0; i < shorter->n && j < longer->n; i++) {
        j = lower_bound(longer, j, shorter->idx[i]);
        if (j < longer->n && longer->idx[j] == shorter->idx[i])
            sum += shorter->val[i] * longer->val[j];
    }
    return sum;
}

static float dot_sorted(const struct vec *a, const struct vec *b)
{
    if (8 * (uint64_t)a->n < b->n)
        return dot_skewed(a, b);
    if (8 * (uint64_t)b->n < a->n)
        return dot_skewed(b, a);
    float sum = 0;
    uint32_t i = 0, j = 0;
    while (i < a->n && j < b->n) {
        if (a->idx[i] < b->idx[j])
            i++;
        else if (a->idx[i] > b->idx[j])
            j++;
        else
            sum += a->val[i++] * b->val[j++];
    }
    return sum;
}

struct ap_matcher *ap_matcher_new(const struct ap_matcher_options *opts)
{
    struct ap_matcher *m = ap_calloc(1, sizeof *m);
    if (opts)
        m->opts = *opts;
    else
        ap_matcher_options_init(&m->opts);
    return m;
}

static void stem_set_free(struct stem_set *s)
{
    free(s->h);
    s->h = NULL;
    s->n = 0;
}

static void class_clear(struct klass *k)
{
    free(k->id);
    for (size_t i = 0; i < k->n_examples; i++) {
        vec_free(&k->examples[i]);
        stem_set_free(&k->stems[i]);
    }
    free(k->examples);
    free(k->stems);
    stem_set_free(&k->vocabulary);
    vec_free(&k->centroid);
    free(k->indexed);
    memset(k, 0, sizeof *k);
}

void ap_matcher_destroy(struct ap_matcher *m)
{
    if (m == NULL)
        return;
    for (size_t i = 0; i < m->n_classes; i++)
        class_clear(&m->classes[i]);
    free(m->classes);
    for (size_t i = 0; i < m->n_features; i++) {
        free(m->postings[i].cls);
        free(m->postings[i].w);
    }
    free(m->postings);
    for (size_t i = 0; i < m->n_background; i++)
        vec_free(&m->background[i]);
    free(m->background);
    imap_free(&m->dict);
    imap_free(&m->df_index);
    free(m->df);
    free(m->w);
    free(m->stamp);
    free(m);
}

size_t ap_matcher_count(const struct ap_matcher *m)
{
    return m->alive;
}

double ap_matcher_threshold(const struct ap_matcher *m)
{
    return m->opts.threshold;
}

void ap_matcher_set_threshold(struct ap_matcher *m, double threshold)
{
    m->opts.threshold = threshold;
}

/* --- features -------------------------------------------------------------------- */

struct feat {
    uint32_t key;
    float count;
    bool word; /* the word block (stems, surface words, pairs), else characters */
    bool stem; /* a single stem: the words the coverage evidence counts */
};

struct feats {
    struct feat *items;
    size_t n, cap;
};

/* Counts a feature; questions are short, so a linear search beats a map. */
static struct feat *feats_add(struct feats *f, uint32_t key, bool word)
{
    for (size_t i = 0; i < f->n; i++) {
        if (f->items[i].key == key) {
            f->items[i].count += 1;
            return &f->items[i];
        }
    }
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 128;
        f->items = ap_realloc(f->items, f->cap * sizeof *f->items);
    }
    f->items[f->n] = (struct feat){key, 1, word, false};
    return &f->items[f->n++];
}

static void add_char_gram(void *ctx, uint32_t key)
{
    feats_add(ctx, key, false);
}

static void add_char_grams(struct feats *f, const char *token)
{
    ap_char_grams(token, CHAR_MIN, CHAR_MAX, add_char_gram, f);
}

/* The surface words of a text: NFKC case-folded, split at anything that is
 * not a letter, digit or apostrophe (bytes of non-ASCII characters count as
 * letters). Stop words stay: "who are you" and "how old are you" differ only
 * in them. The text pipeline gives the stems; this gives the surface. */
static size_t fold_text(const char *s, size_t len, char *out, size_t size)
{
    UErrorCode status = U_ZERO_ERROR;
    const UNormalizer2 *nfkc = unorm2_getNFKCCasefoldInstance(&status);
    UChar raw[AP_MATCH_QUESTION_MAX + 1], folded[2 * AP_MATCH_QUESTION_MAX];
    int32_t n16 = 0, n8 = 0;
    if (U_FAILURE(status) || len > AP_MATCH_QUESTION_MAX)
        return 0;
    u_strFromUTF8Lenient(raw, AP_MATCH_QUESTION_MAX + 1, &n16, s, (int32_t)len, &status);
    int32_t nf = U_SUCCESS(status)
                     ? unorm2_normalize(nfkc, raw, n16, folded, 2 * AP_MATCH_QUESTION_MAX, &status)
                     : 0;
    if (U_FAILURE(status))
        return 0;
    u_strToUTF8(out, (int32_t)size - 1, &n8, folded, nf, &status);
    if (U_FAILURE(status) || n8 >= (int32_t)size)
        return 0;
    out[n8] = '\0';
    return (size_t)n8;
}

static bool word_byte(unsigned char c)
{
    return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '\'' ||
           (c >= 'A' && c <= 'Z');
}

static void add_surface(struct feats *f, const char *s, size_t len)
{
    char folded[6 * AP_MATCH_QUESTION_MAX], word[520];
    size_t n = fold_text(s, len, folded, sizeof folded), i = 0;
    uint32_t prev = 0;
    while (i < n) {
        while (i < n && !word_byte((unsigned char)folded[i]))
            i++;
        size_t start = i;
        while (i < n && word_byte((unsigned char)folded[i]))
            i++;
        size_t wl = i - start;
        if (wl == 0 || wl >= sizeof word)
            continue;
        memcpy(word, folded + start, wl);
        word[wl] = '\0';
        uint32_t h = ap_feature_hash('r', word, wl, NULL, 0);
        feats_add(f, h, true);
        if (prev) {
            char pair[8];
            memcpy(pair, &prev, 4);
            memcpy(pair + 4, &h, 4);
            feats_add(f, ap_feature_hash('p', pair, 8, NULL, 0), true);
        }
        prev = h;
        add_char_grams(f, word);
    }
}

/* The features of one text, counted. */
static enum ap_status extract(struct ap_text *text, const char *s, size_t len, const char *stemmer,
                              struct feats *f, struct ap_error *err)
{
    struct ap_tokens tokens = {0};
    f->n = 0;
    if (ap_text_tokens(text, s, len, stemmer, &tokens, err) != AP_OK) {
        ap_tokens_free(&tokens);
        return err ? err->status : AP_INVALID;
    }
    for (size_t i = 0; i < tokens.n; i++) {
        const char *t = tokens.items[i];
        feats_add(f, ap_feature_hash('w', t, strlen(t), NULL, 0), true)->stem = true;
        if (i + 1 < tokens.n)
            feats_add(f, ap_feature_hash('b', t, strlen(t), tokens.items[i + 1],
                                      strlen(tokens.items[i + 1])),
                      true);
    }
    ap_tokens_free(&tokens);
    add_surface(f, s, len);
    return AP_OK;
}

/* Sublinear term frequency, each block (words, characters) normalised to its
 * share of a unit vector. */
static void weigh(struct feats *f)
{
    double norm[2] = {0, 0};
    for (size_t i = 0; i < f->n; i++) {
        f->items[i].count = 1.0f + logf(f->items[i].count);
        norm[f->items[i].word] += (double)f->items[i].count * f->items[i].count;
    }
    float scale[2] = {
        norm[0] > 0 ? sqrtf((1.0f - WORD_SHARE) / (float)norm[0]) : 0,
        norm[1] > 0 ? sqrtf(WORD_SHARE / (float)norm[1]) : 0,
    };
    double total = 0;
    for (int b = 0; b < 2; b++)
        total += norm[b] > 0 ? (b ? WORD_SHARE : 1.0 - WORD_SHARE) : 0;
    float renorm = total > 0 ? (float)(1.0 / sqrt(total)) : 0;
    for (size_t i = 0; i < f->n; i++)
        f->items[i].count *= scale[f->items[i].word] * renorm;
}

static int by_hash(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* The stems among a text's features (feats_add counted each once). */
static void stem_set_of(const struct feats *f, struct stem_set *out)
{
    out->h = ap_malloc((f->n ? f->n : 1) * sizeof *out->h);
    out->n = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->items[i].stem)
            out->h[out->n++] = f->items[i].key;
    qsort(out->h, out->n, sizeof *out->h, by_hash);
}

static void stem_set_union(struct stem_set *into, const struct stem_set *add)
{
    uint32_t *h = ap_malloc(((size_t)into->n + add->n + 1) * sizeof *h);
    uint32_t i = 0, j = 0, n = 0;
    while (i < into->n || j < add->n) {
        if (j == add->n || (i < into->n && into->h[i] < add->h[j]))
            h[n++] = into->h[i++];
        else if (i == into->n || add->h[j] < into->h[i])
            h[n++] = add->h[j++];
        else
            h[n++] = into->h[i++], j++;
    }
    free(into->h);
    into->h = h;
    into->n = n;
}

static bool stem_set_has(const struct stem_set *s, uint32_t h)
{
    return s->n && bsearch(&h, s->h, s->n, sizeof *s->h, by_hash) != NULL;
}

/* Counts a phrasing's stems in (`add`) or out of the document frequencies. */
static void df_change(struct ap_matcher *m, const struct stem_set *s, bool add)
{
    for (uint32_t i = 0; i < s->n; i++) {
        uint32_t slot = imap_get(&m->df_index, s->h[i]);
        if (slot == UINT32_MAX) {
            if (m->n_df == m->cap_df) {
                m->cap_df = m->cap_df ? 2 * m->cap_df : 1024;
                m->df = ap_realloc(m->df, m->cap_df * sizeof *m->df);
            }
            m->df[m->n_df] = 0;
            slot = imap_put(&m->df_index, s->h[i], (uint32_t)m->n_df++);
        }
        if (add)
            m->df[slot]++;
        else if (m->df[slot] > 0)
            m->df[slot]--;
    }
}

/* BM25's idf of a stem over the enabled answers' phrasings: a stem in few
 * phrasings ("tires") says more about the answer than one in many ("need"). */
static float idf(const struct ap_matcher *m, uint32_t h)
{
    uint32_t slot = imap_get(&m->df_index, h);
    double df = slot == UINT32_MAX ? 0 : m->df[slot];
    double n = (double)m->n_phrasings;
    return (float)log(1.0 + (n - df + 0.5) / (df + 0.5));
}

static void grow_features(struct ap_matcher *m, uint32_t need)
{
    if (need <= m->cap_postings)
        return;
    size_t cap = m->cap_postings ? m->cap_postings : 4096;
    while (cap < need)
        cap *= 2;
    m->postings = ap_realloc(m->postings, cap * sizeof *m->postings);
    memset(m->postings + m->cap_postings, 0, (cap - m->cap_postings) * sizeof *m->postings);
    m->w = ap_realloc(m->w, cap * sizeof *m->w);
    memset(m->w + m->cap_postings, 0, (cap - m->cap_postings) * sizeof *m->w);
    m->stamp = ap_realloc(m->stamp, cap * sizeof *m->stamp);
    memset(m->stamp + m->cap_postings, 0, (cap - m->cap_postings) * sizeof *m->stamp);
    m->cap_postings = cap;
}

/* The dictionary vector of weighed features; new features are added when
 * `learn`, dropped otherwise. */
static void to_vec(struct ap_matcher *m, const struct feats *f, bool learn, struct vec *out)
{
    out->idx = ap_malloc((f->n ? f->n : 1) * sizeof *out->idx);
    out->val = ap_malloc((f->n ? f->n : 1) * sizeof *out->val);
    out->n = 0;
    for (size_t i = 0; i < f->n; i++) {
        uint32_t ix = imap_get(&m->dict, f->items[i].key);
        if (ix == UINT32_MAX) {
            if (!learn)
                continue;
            ix = imap_put(&m->dict, f->items[i].key, m->n_features++);
            grow_features(m, m->n_features);
        }
        out->idx[out->n] = ix;
        out->val[out->n++] = f->items[i].count;
    }
}

/* --- classes --------------------------------------------------------------------- */

static struct klass *find_class(const struct ap_matcher *m, const char *id, size_t *slot)
{
    for (size_t i = 0; i < m->n_classes; i++) {
        if (m->classes[i].id && strcmp(m->classes[i].id, id) == 0) {
            if (slot)
                *slot = i;
            return &m->classes[i];
        }
    }
    return NULL;
}

static size_t new_slot(struct ap_matcher *m)
{
    for (size_t i = 0; i < m->n_classes; i++)
        if (m->classes[i].id == NULL)
            return i;
    if (m->n_classes == m->cap_classes) {
        m->cap_classes = m->cap_classes ? 2 * m->cap_classes : 64;
        m->classes = ap_realloc(m->classes, m->cap_classes * sizeof *m->classes);
    }
    memset(&m->classes[m->n_classes], 0, sizeof m->classes[0]);
    return m->n_classes++;
}

/* Removes a class's weights from the index. */
static void unindex(struct ap_matcher *m, size_t slot)
{
    struct klass *k = &m->classes[slot];
    for (size_t i = 0; i < k->n_indexed; i++) {
        struct posting *p = &m->postings[k->indexed[i]];
        for (uint32_t j = 0; j < p->n; j++) {
            if (p->cls[j] == slot) {
                p->cls[j] = p->cls[p->n - 1];
                p->w[j] = p->w[p->n - 1];
                p->n--;
                break;
            }
        }
    }
    free(k->indexed);
    k->indexed = NULL;
    k->n_indexed = 0;
    k->trained = false;
}

static void posting_add(struct posting *p, uint32_t cls, float w)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? 2 * p->cap : 4;
        p->cls = ap_realloc(p->cls, p->cap * sizeof *p->cls);
        p->w = ap_realloc(p->w, p->cap * sizeof *p->w);
    }
    p->cls[p->n] = cls;
    p->w[p->n++] = w;
}

static void compute_centroid(struct ap_matcher *m, struct klass *k)
{
    uint32_t stamp = ++m->stamp_now;
    size_t n = 0, cap = 64;
    uint32_t *idx = ap_malloc(cap * sizeof *idx);
    for (size_t e = 0; e < k->n_examples; e++) {
        const struct vec *v = &k->examples[e];
        for (uint32_t i = 0; i < v->n; i++) {
            uint32_t f = v->idx[i];
            if (m->stamp[f] != stamp) {
                m->stamp[f] = stamp;
                m->w[f] = 0;
                if (n == cap)
                    idx = ap_realloc(idx, (cap *= 2) * sizeof *idx);
                idx[n++] = f;
            }
            m->w[f] += v->val[i];
        }
    }
    double norm = 0;
    for (size_t i = 0; i < n; i++)
        norm += (double)m->w[idx[i]] * m->w[idx[i]];
    float scale = norm > 0 ? (float)(1.0 / sqrt(norm)) : 0;
    vec_free(&k->centroid);
    k->centroid.idx = idx;
    k->centroid.val = ap_malloc((n ? n : 1) * sizeof *k->centroid.val);
    k->centroid.n = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        k->centroid.val[i] = m->w[idx[i]] * scale;
        m->w[idx[i]] = 0;
    }
    vec_sort(&k->centroid);
}

struct neighbour {
    size_t slot;
    float sim;
};

static int by_sim_desc(const void *a, const void *b)
{
    float x = ((const struct neighbour *)a)->sim, y = ((const struct neighbour *)b)->sim;
    return (x < y) - (x > y);
}

/* The other classes, nearest (by centroid cosine) first; the caller frees. */
static struct neighbour *neighbours(struct ap_matcher *m, size_t slot, size_t *n_out)
{
    const struct vec *c = &m->classes[slot].centroid;
    struct neighbour *out = ap_malloc((m->n_classes ? m->n_classes : 1) * sizeof *out);
    size_t n = 0;
    uint32_t stamp = ++m->stamp_now;
    for (uint32_t i = 0; i < c->n; i++) {
        m->stamp[c->idx[i]] = stamp;
        m->w[c->idx[i]] = c->val[i];
    }
    for (size_t j = 0; j < m->n_classes; j++) {
        const struct klass *k = &m->classes[j];
        if (j == slot || k->id == NULL)
            continue;
        float sim = 0;
        for (uint32_t i = 0; i < k->centroid.n; i++)
            if (m->stamp[k->centroid.idx[i]] == stamp)
                sim += m->w[k->centroid.idx[i]] * k->centroid.val[i];
        out[n++] = (struct neighbour){j, sim};
    }
    for (uint32_t i = 0; i < c->n; i++)
        m->w[c->idx[i]] = 0;
    qsort(out, n, sizeof *out, by_sim_desc);
    *n_out = n;
    return out;
}

/* --- training -------------------------------------------------------------------- */

struct sample {
    const struct vec *x;
    float y;
    float weight;
};

/* xorshift64*: a small deterministic generator, seeded per answer, so the
 * same answers always train the same model. */
static uint64_t next_random(uint64_t *s)
{
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * 2685821657736338717ULL;
}

static void add_examples(struct sample **s, size_t *n, size_t *cap, const struct klass *k, float y)
{
    for (size_t e = 0; e < k->n_examples; e++) {
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 1024;
            *s = ap_realloc(*s, *cap * sizeof **s);
        }
        (*s)[(*n)++] = (struct sample){&k->examples[e], y, 1.0f};
    }
}

/* The background questions not close to the class, as weighed negatives.
 * The centroid is scattered into the (zero) weight scratch for the dot
 * products, and cleared again. */
static void add_background(struct ap_matcher *m, size_t slot, struct sample **s, size_t *n,
                           size_t *cap)
{
    const struct vec *c = &m->classes[slot].centroid;
    for (uint32_t i = 0; i < c->n; i++)
        m->w[c->idx[i]] = c->val[i];
    for (size_t b = 0; b < m->n_background; b++) {
        const struct vec *x = &m->background[b];
        float sim = 0;
        for (uint32_t i = 0; i < x->n; i++)
            sim += m->w[x->idx[i]] * x->val[i];
        if (sim >= BG_EXCLUDE)
            continue;
        if (*n == *cap) {
            *cap = *cap ? 2 * *cap : 1024;
            *s = ap_realloc(*s, *cap * sizeof **s);
        }
        (*s)[(*n)++] = (struct sample){x, 0.0f, BG_WEIGHT};
    }
    for (uint32_t i = 0; i < c->n; i++)
        m->w[c->idx[i]] = 0;
}

static struct sample *other_answers(struct ap_matcher *m, size_t slot, uint64_t *rng,
                                    struct sample *s, size_t n, size_t cap, size_t *n_out);

/* The training set of a class: its phrasings, the background, and as
 * negatives every other phrasing or, past max_negatives, the nearest
 * classes' and a sample. */
static struct sample *training_set(struct ap_matcher *m, size_t slot, uint64_t *rng, size_t *n_out)
{
    struct sample *s = NULL;
    size_t n = 0, cap = 0;
    add_examples(&s, &n, &cap, &m->classes[slot], 1.0f);
    add_background(m, slot, &s, &n, &cap);
    return other_answers(m, slot, rng, s, n, cap, n_out);
}

static struct sample *other_answers(struct ap_matcher *m, size_t slot, uint64_t *rng,
                                    struct sample *s, size_t n, size_t cap, size_t *n_out)
{
    size_t others = 0, base = n;
    for (size_t j = 0; j < m->n_classes; j++)
        if (j != slot && m->classes[j].id)
            others += m->classes[j].n_examples;
    if (others <= m->opts.max_negatives) {
        for (size_t j = 0; j < m->n_classes; j++)
            if (j != slot && m->classes[j].id)
                add_examples(&s, &n, &cap, &m->classes[j], 0.0f);
        *n_out = n;
        return s;
    }
    size_t n_near;
    struct neighbour *near = neighbours(m, slot, &n_near);
    size_t i = 0;
    for (; i < n_near && i < NEG_NEIGHBOURS && n - base < m->opts.max_negatives; i++)
        add_examples(&s, &n, &cap, &m->classes[near[i].slot], 0.0f);
    size_t rest = n_near - i;
    size_t want = m->opts.max_negatives > n - base ? m->opts.max_negatives - (n - base) : 0;
    for (size_t tries = 0; want > 0 && rest > 0 && tries < 4 * want; tries++) {
        const struct klass *k = &m->classes[near[i + next_random(rng) % rest].slot];
        if (k->n_examples == 0)
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 1024;
            s = ap_realloc(s, cap * sizeof *s);
        }
        s[n++] = (struct sample){&k->examples[next_random(rng) % k->n_examples], 0.0f, 1.0f};
        want--;
    }
    free(near);
    *n_out = n;
    return s;
}

static uint64_t seed_of(const char *id)
{
    uint64_t x = ap_fnv1a(AP_FNV_OFFSET, id, strlen(id));
    uint64_t h = (uint32_t)(x ^ (x >> 32));
    return (h << 32 | h) ^ 0x9E3779B97F4A7C15ULL;
}

static float sigmoid(float z)
{
    return 1.0f / (1.0f + expf(-z));
}

/* Logistic regression by SGD with L2 regularisation (the weight vector is
 * kept as scale * w so that decay costs O(1) per step), then the weights go
 * into the index. */
static void train_class(struct ap_matcher *m, size_t slot)
{
    struct klass *k = &m->classes[slot];
    uint64_t rng = seed_of(k->id);
    size_t n;
    unindex(m, slot);
    struct sample *set = training_set(m, slot, &rng, &n);
    /* Few phrasings against many negatives: weigh the phrasings up by a power
     * of the imbalance, so that an answer with one phrasing is not drowned. */
    double pos = 0, neg = 0;
    for (size_t i = 0; i < n; i++)
        *(set[i].y > 0 ? &pos : &neg) += set[i].weight;
    float up = pos > 0 && neg > pos ? (float)pow(neg / pos, m->opts.balance) : 1.0f;
    for (size_t i = 0; i < n; i++)
        if (set[i].y > 0)
            set[i].weight = up;
    uint32_t stamp = ++m->stamp_now;
    size_t n_touched = 0, cap_touched = 256;
    uint32_t *touched = ap_malloc(cap_touched * sizeof *touched);
    float scale = 1.0f, bias = 0.0f;
    double lambda = m->opts.lambda, eta0 = m->opts.learning_rate;
    uint64_t t = 0;
    for (size_t i = 0; i < n; i++) {
        const struct vec *x = set[i].x;
        for (uint32_t j = 0; j < x->n; j++) {
            uint32_t f = x->idx[j];
            if (m->stamp[f] != stamp) {
                m->stamp[f] = stamp;
                m->w[f] = 0;
                if (n_touched == cap_touched)
                    touched = ap_realloc(touched, (cap_touched *= 2) * sizeof *touched);
                touched[n_touched++] = f;
            }
        }
    }
    for (unsigned epoch = 0; epoch < m->opts.epochs; epoch++) {
        for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
            size_t j = next_random(&rng) % i;
            struct sample tmp = set[i - 1];
            set[i - 1] = set[j];
            set[j] = tmp;
        }
        for (size_t i = 0; i < n; i++, t++) {
            const struct vec *x = set[i].x;
            float eta = (float)(eta0 / (1.0 + eta0 * lambda * (double)t));
            float z = bias;
            for (uint32_t j = 0; j < x->n; j++)
                z += scale * m->w[x->idx[j]] * x->val[j];
            float g = (sigmoid(z) - set[i].y) * set[i].weight;
            scale *= 1.0f - eta * (float)lambda;
            float step = eta * g / scale;
            for (uint32_t j = 0; j < x->n; j++)
                m->w[x->idx[j]] -= step * x->val[j];
            bias -= eta * g;
            if (scale < 1e-4f) {
                for (size_t j = 0; j < n_touched; j++)
                    m->w[touched[j]] *= scale;
                scale = 1.0f;
            }
        }
    }
    free(set);
    k->indexed = ap_malloc((n_touched ? n_touched : 1) * sizeof *k->indexed);
    for (size_t j = 0; j < n_touched; j++) {
        uint32_t f = touched[j];
        float w = scale * m->w[f];
        m->w[f] = 0;
        if (fabsf(w) < PRUNE)
            continue;
        posting_add(&m->postings[f], (uint32_t)slot, w);
        k->indexed[k->n_indexed++] = f;
    }
    free(touched);
    k->bias = bias;
    k->trained = true;
}

void ap_matcher_train_all(struct ap_matcher *m)
{
    for (size_t i = 0; i < m->n_classes; i++)
        if (m->classes[i].id && !m->classes[i].trained)
            train_class(m, i);
}

static void retrain_neighbours(struct ap_matcher *m, size_t slot)
{
    size_t n_near;
    struct neighbour *near = neighbours(m, slot, &n_near);
    for (size_t i = 0; i < n_near && i < m->opts.neighbours; i++)
        if (m->classes[near[i].slot].trained)
            train_class(m, near[i].slot);
    free(near);
}

static void add_phrasing(struct ap_matcher *m, struct klass *k, struct ap_text *text,
                         const char *s, const char *stemmer, struct feats *f)
{
    if (extract(text, s, strlen(s), stemmer, f, NULL) != AP_OK || f->n == 0)
        return; /* a phrasing of stop words only teaches nothing */
    weigh(f);
    k->examples = ap_realloc(k->examples, (k->n_examples + 1) * sizeof *k->examples);
    k->stems = ap_realloc(k->stems, (k->n_examples + 1) * sizeof *k->stems);
    to_vec(m, f, true, &k->examples[k->n_examples]);
    vec_sort(&k->examples[k->n_examples]);
    stem_set_of(f, &k->stems[k->n_examples]);
    stem_set_union(&k->vocabulary, &k->stems[k->n_examples]);
    df_change(m, &k->stems[k->n_examples], true);
    k->n_examples++;
    m->n_phrasings++;
}

static void build_background(struct ap_matcher *m, struct ap_text *text)
{
    struct feats f = {0};
    m->background_ready = true;
    for (size_t l = 0; l < ap_answers_background_count; l++) {
        const struct ap_background *bg = &ap_answers_background[l];
        const char *stemmer = ap_text_stemmer_for(bg->language);
        m->background = ap_realloc(m->background, (m->n_background + bg->n) * sizeof *m->background);
        for (size_t i = 0; i < bg->n; i++) {
            if (extract(text, bg->items[i], strlen(bg->items[i]), stemmer, &f, NULL) != AP_OK ||
                f.n == 0)
                continue;
            weigh(&f);
            to_vec(m, &f, true, &m->background[m->n_background++]);
        }
    }
    free(f.items);
}

/* Takes a class's phrasings out of the document frequencies, before it is
 * cleared. */
static void forget_phrasings(struct ap_matcher *m, const struct klass *k)
{
    for (size_t i = 0; i < k->n_examples; i++)
        df_change(m, &k->stems[i], false);
    m->n_phrasings -= k->n_examples;
}

enum ap_status ap_matcher_put(struct ap_matcher *m, struct ap_text *text,
                              const struct ap_answer *a, bool train, struct ap_error *err)
{
    size_t slot;
    if (!m->background_ready)
        build_background(m, text);
    struct klass *k = find_class(m, a->id, &slot);
    if (k) {
        unindex(m, slot);
        forget_phrasings(m, k);
        char *id = k->id;
        k->id = NULL;
        class_clear(k); /* keeps no examples; the id is re-used below */
        k->id = id;
    } else {
        slot = new_slot(m);
        k = &m->classes[slot];
        k->id = ap_strdup(a->id);
        m->alive++;
    }
    (void)err;
    const char *stemmer = ap_text_stemmer_for(a->language);
    struct feats f = {0};
    add_phrasing(m, k, text, a->question, stemmer, &f);
    for (size_t i = 0; i < a->n_alternatives; i++)
        add_phrasing(m, k, text, a->alternatives[i], stemmer, &f);
    free(f.items);
    compute_centroid(m, k);
    if (train) {
        train_class(m, slot);
        retrain_neighbours(m, slot);
    }
    return AP_OK;
}

void ap_matcher_remove(struct ap_matcher *m, const char *id)
{
    size_t slot;
    struct klass *k = find_class(m, id, &slot);
    if (k == NULL)
        return;
    unindex(m, slot);
    forget_phrasings(m, k);
    class_clear(k);
    m->alive--;
}

/* --- matching -------------------------------------------------------------------- */

/* A class while matching: its slot and its classifier's logit. */
struct scored {
    size_t slot;
    float z;
};

/* Keeps the `max` highest logits, highest first. */
static void keep_best(struct scored *top, size_t *n, size_t max, size_t slot, float z)
{
    if (*n == max && z <= top[max - 1].z)
        return;
    size_t i = *n < max ? (*n)++ : max - 1;
    while (i > 0 && top[i - 1].z < z) {
        top[i] = top[i - 1];
        i--;
    }
    top[i] = (struct scored){slot, z};
}

/* The question as a vector over the dictionary, in index order. Features
 * the matcher never saw are left out but still count in the norm, so a
 * question of unknown words is far from everything. */
static void question_vec(const struct ap_matcher *m, const struct feats *f, struct vec *out)
{
    out->idx = ap_malloc((f->n ? f->n : 1) * sizeof *out->idx);
    out->val = ap_malloc((f->n ? f->n : 1) * sizeof *out->val);
    out->n = 0;
    for (size_t i = 0; i < f->n; i++) {
        uint32_t ix = imap_get(&m->dict, f->items[i].key);
        if (ix == UINT32_MAX)
            continue;
        out->idx[out->n] = ix;
        out->val[out->n++] = f->items[i].count;
    }
    vec_sort(out);
}

static float nearest_phrasing(const struct klass *k, const struct vec *q)
{
    float best = 0;
    for (size_t e = 0; e < k->n_examples; e++) {
        float c = dot_sorted(&k->examples[e], q);
        if (c > best)
            best = c;
    }
    return best;
}

/* The share of the question's stems, weighed by idf, that the answer's
 * phrasings hold: "when do I change my motor oil" against an answer written
 * as "when do I change my tires" leaves its rarest stems uncovered. */
static float question_covered(const struct ap_matcher *m, const struct klass *k,
                              const struct stem_set *q)
{
    float all = 0, held = 0;
    for (uint32_t i = 0; i < q->n; i++) {
        float w = idf(m, q->h[i]);
        all += w;
        if (stem_set_has(&k->vocabulary, q->h[i]))
            held += w;
    }
    return all > 0 ? held / all : 0;
}

/* The best share of one phrasing's stems, weighed by idf, that the question
 * holds: with one phrasing, "tires" missing from the question says no. */
static float phrasing_covered(const struct ap_matcher *m, const struct klass *k,
                              const struct stem_set *q)
{
    float best = 0;
    for (size_t e = 0; e < k->n_examples; e++) {
        const struct stem_set *p = &k->stems[e];
        float all = 0, held = 0;
        for (uint32_t i = 0; i < p->n; i++) {
            float w = idf(m, p->h[i]);
            all += w;
            if (stem_set_has(q, p->h[i]))
                held += w;
        }
        if (all > 0 && held / all > best)
            best = held / all;
    }
    return best;
}

/* The no-answer rule (docs/internals/answers.md). A logistic regression over
 * a candidate's evidence estimates the chance that it is the right answer;
 * bench/answers/tune.py fitted it on tuning data only (CLINC150 train + val,
 * Banking77 train) and printed these constants. Features, in order: logit,
 * margin (capped), nearest, centroid, ln phrasings, covered, phrasing_covered. */
static const double CONFIDENCE_WEIGHTS[] = {0.0425, 0.4030, 0.6851, 0.2807,
                                            -0.1923, 1.8742, 1.4544};
#define CONFIDENCE_BIAS (-2.6920)
#define MARGIN_CAP 10.0 /* a lead beyond this says nothing more */
_Static_assert(sizeof CONFIDENCE_WEIGHTS / sizeof CONFIDENCE_WEIGHTS[0] == 7,
               "one weight per feature of score_of");
#define SAME_QUESTION 0.95     /* cosine at which a question is one of the phrasings */
#define SAME_QUESTION_LEAD 2.2 /* its score then is at least 0.9 (logit 2.2) */

/* The confidence an answer with this many phrasings needs: the least at
 * which at most 5% of the given answers were wrong on the tuning sets
 * together, and at most 10% on each. An answer with one phrasing needs near
 * certainty; with a hundred, 0.76. */
struct bar {
    unsigned phrasings;
    double confidence;
};
static const struct bar EVIDENCE_BAR[] = {{1, 0.9900},  {2, 0.9475},  {3, 0.9425},
                                          {5, 0.8775},  {10, 0.8250}, {20, 0.8075},
                                          {50, 0.7725}, {100, 0.7575}};
#define N_BARS (sizeof EVIDENCE_BAR / sizeof EVIDENCE_BAR[0])

static double logit_of(double p)
{
    return log(p / (1.0 - p));
}

/* The bar on the logit scale, linear in ln(phrasings) between the table's
 * rows, flat beyond its ends. */
static double bar_logit(unsigned phrasings)
{
    if (phrasings <= EVIDENCE_BAR[0].phrasings)
        return logit_of(EVIDENCE_BAR[0].confidence);
    for (size_t i = 1; i < N_BARS; i++) {
        const struct bar *lo = &EVIDENCE_BAR[i - 1], *hi = &EVIDENCE_BAR[i];
        if (phrasings <= hi->phrasings) {
            double t = log((double)phrasings / lo->phrasings) / log((double)hi->phrasings /
                                                                     lo->phrasings);
            return (1 - t) * logit_of(lo->confidence) + t * logit_of(hi->confidence);
        }
    }
    return logit_of(EVIDENCE_BAR[N_BARS - 1].confidence);
}

/* The score: the estimated confidence, moved so that it is 0.5 where the
 * confidence meets the bar of the answer's number of phrasings. So the
 * default threshold is 0.5 whatever an answer's evidence, and an account's
 * own threshold moves every bar alike. */
static double score_of(const struct ap_match_evidence *e)
{
    double x[] = {e->logit, e->margin < MARGIN_CAP ? e->margin : MARGIN_CAP, e->nearest,
                  e->centroid, log(e->phrasings ? e->phrasings : 1), e->covered,
                  e->phrasing_covered};
    double z = CONFIDENCE_BIAS;
    for (size_t i = 0; i < sizeof x / sizeof x[0]; i++)
        z += CONFIDENCE_WEIGHTS[i] * x[i];
    double over_bar = z - bar_logit(e->phrasings);
    /* A question that is one of the answer's own phrasings (up to case and
     * punctuation) is answered: the admin wrote it for this answer. The
     * tuning sets never ask a phrasing back, so the fit cannot know this. */
    if (e->nearest >= SAME_QUESTION && over_bar < SAME_QUESTION_LEAD)
        over_bar = SAME_QUESTION_LEAD;
    return 1.0 / (1.0 + exp(-over_bar));
}

/* Each class's logit w.x + b, walking only the postings of the question's
 * features; the caller frees. */
static float *logits(const struct ap_matcher *m, const struct vec *q)
{
    float *z = ap_malloc((m->n_classes ? m->n_classes : 1) * sizeof *z);
    for (size_t i = 0; i < m->n_classes; i++)
        z[i] = m->classes[i].bias;
    for (uint32_t i = 0; i < q->n; i++) {
        const struct posting *p = &m->postings[q->idx[i]];
        for (uint32_t j = 0; j < p->n; j++)
            z[p->cls[j]] += q->val[i] * p->w[j];
    }
    return z;
}

size_t ap_matcher_match(const struct ap_matcher *m, struct ap_text *text, const char *question,
                        size_t len, const char *language, const char *fallback,
                        struct ap_match *out, size_t max, struct ap_error *err)
{
    if (max == 0 || m->alive == 0)
        return 0;
    if (max > AP_MATCH_LIMIT_MAX)
        max = AP_MATCH_LIMIT_MAX;
    const char *stemmer = ap_text_language(text, question, len, language, fallback);
    struct feats f = {0};
    if (extract(text, question, len, stemmer, &f, err) != AP_OK) {
        free(f.items);
        return 0;
    }
    weigh(&f);
    struct vec q;
    struct stem_set qs;
    question_vec(m, &f, &q);
    stem_set_of(&f, &qs);
    free(f.items);
    float *z = logits(m, &q);
    /* One more than asked for: the runner-up of the last one shown. */
    struct scored top[AP_MATCH_LIMIT_MAX + 1];
    size_t n = 0;
    for (size_t i = 0; i < m->n_classes; i++)
        if (m->classes[i].id && m->classes[i].trained)
            keep_best(top, &n, max + 1, i, z[i]);
    free(z);
    size_t shown = n < max ? n : max;
    for (size_t i = 0; i < shown; i++) {
        const struct klass *k = &m->classes[top[i].slot];
        /* The runner-up: the best other answer; with one answer, a lead of 20. */
        float other = n > 1 ? top[i == 0 ? 1 : 0].z : top[i].z - 20.0f;
        struct ap_match_evidence *e = &out[i].evidence;
        *e = (struct ap_match_evidence){
            .logit = top[i].z,
            .margin = top[i].z - other,
            .nearest = nearest_phrasing(k, &q),
            .centroid = dot_sorted(&k->centroid, &q),
            .covered = question_covered(m, k, &qs),
            .phrasing_covered = phrasing_covered(m, k, &qs),
            .phrasings = (unsigned)k->n_examples,
        };
        ap_copy_str(out[i].id, sizeof out[i].id, k->id);
        out[i].score = score_of(e);
    }
    vec_free(&q);
    stem_set_free(&qs);
    return shown;
}

bool ap_matcher_is_match(const struct ap_matcher *m, const struct ap_match *best)
{
    return best != NULL && best->score >= m->opts.threshold;
}
