/* Speed and memory of the grouping engine with a large history. Synthetic
 * questions about THEMES themes (each theme four words of its own drawn from a
 * 4M-word vocabulary; a question takes three of them and one of 50 common
 * words), PER_THEME a theme on average, grouped online: about 100k topics for
 * the default 125k themes. Then: the rate of the next 100k questions (grouping
 * only, tokens made in advance), the rate with the text pipeline (ICU, stop
 * words, stemmer) in front, the rate of replaying the recorded decisions (how
 * the service rebuilds a model after a restart), and the memory (RSS) the
 * model takes per 100k questions. Times are the process's CPU time (the
 * machine is shared; wall time would count other work). A peer in the same
 * run: the same engine scoring four times as many candidates in full (64, the
 * engine's earlier setting). The engine runs with its defaults but
 * min_shared = 0.1, so that the history holds distinct topics. How well topics follow themes is printed too
 * (distinct topic-theme pairs against topics and themes). With DIM, every
 * question also carries an agent embedding of DIM numbers (its theme's random
 * direction plus as much noise, in a cone like a real encoder's); the time to
 * make them is measured apart and left out of the rates.
 * Usage: gaps_speed [THEMES] [PER_THEME] [DIM] (default 125000 3 0) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gaps/group.h"
#include "text/text.h"

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long rss_kib(void)
{
    long kib = -1;
    char line[256];
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0)
            kib = strtol(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

static size_t embedding_dim; /* 0: no embeddings */

static uint64_t rng_state = 88172645463325252ULL;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % n);
}

/* Word number i of the vocabulary: five to eight letters drawn from a hash of
 * i, so that words share character n-grams about as rarely as real ones. */
static void word(uint32_t i, char *out)
{
    uint64_t h = (i + 1) * 0x9E3779B97F4A7C15ULL;
    size_t n = 5 + (size_t)(h >> 61) % 4;
    for (size_t k = 0; k < n; k++) {
        h ^= h >> 29;
        h *= 0xBF58476D1CE4E5B9ULL;
        out[k] = (char)('a' + (h >> 40) % 26);
    }
    out[n++] = 'q'; /* no stem collapses two words */
    out[n] = '\0';
}

enum { TOPIC_WORDS = 4, VOCABULARY = 4000000, COMMON = 50 };

/* One question about `topic`: three of its four words and one common word, as
 * text. */
static void question(uint32_t topic, char *text)
{
    char w[32];
    text[0] = '\0';
    uint32_t skip = rnd(TOPIC_WORDS);
    for (uint32_t k = 0; k < TOPIC_WORDS; k++) {
        if (k == skip)
            continue;
        /* the topic's k-th word: a fixed draw from the vocabulary */
        word((uint32_t)(((uint64_t)topic * 2654435761u + k * 40503u) % VOCABULARY) + COMMON, w);
        strcat(text, w);
        strcat(text, " ");
    }
    word(rnd(COMMON), w);
    strcat(text, w);
}

/* A number in [-1, 1) drawn from a hash of (a, b). */
static double hashed(uint64_t a, uint64_t b)
{
    uint64_t h = (a * 0x9E3779B97F4A7C15ULL) ^ (b + 0x632BE59BD9B4E019ULL);
    h ^= h >> 31;
    h *= 0xBF58476D1CE4E5B9ULL;
    h ^= h >> 29;
    return (double)(h >> 11) / (double)(1ULL << 52) - 1;
}

/* Question i's embedding: a shared direction (the cone), its theme's
 * direction and noise of its own. */
static void fill_embedding(uint32_t theme, size_t i, double *v)
{
    for (size_t k = 0; k < embedding_dim; k++)
        v[k] = (k == 0 ? 2.0 : 0) + hashed(theme, k) + 0.8 * hashed(i + (1ULL << 40), k);
}

struct corpus {
    struct ap_tokens *tokens;
    uint32_t *themes;
    char **texts;
    size_t n;
};

static void make_corpus(struct corpus *c, struct ap_text *text, size_t n, uint32_t topics)
{
    struct ap_error err;
    c->n = n;
    c->tokens = calloc(n, sizeof *c->tokens);
    c->texts = calloc(n, sizeof *c->texts);
    c->themes = calloc(n, sizeof *c->themes);
    for (size_t i = 0; i < n; i++) {
        char buf[256];
        c->themes[i] = rnd(topics);
        question(c->themes[i], buf);
        c->texts[i] = strdup(buf);
        if (ap_text_tokens(text, buf, strlen(buf), "english", &c->tokens[i], &err) != AP_OK) {
            fprintf(stderr, "gaps_speed: %s\n", err.message);
            exit(1);
        }
    }
}

static void free_corpus(struct corpus *c)
{
    for (size_t i = 0; i < c->n; i++) {
        ap_tokens_free(&c->tokens[i]);
        free(c->texts[i]);
    }
    free(c->tokens);
    free(c->texts);
    free(c->themes);
}

/* Gives q question i's embedding (in v, embedding_dim numbers) when the run
 * has embeddings. */
static void attach_embedding(struct ap_gap_question *q, const struct corpus *c, size_t i,
                             double *v)
{
    if (embedding_dim == 0)
        return;
    fill_embedding(c->themes[i], i, v);
    q->embedding = v;
    q->embedding_len = embedding_dim;
}

/* Written by embedding_time, so that its loop is not optimised out. */
volatile double embedding_sink;

/* The CPU time of making the corpus' embeddings alone, to leave out. */
static double embedding_time(const struct corpus *c)
{
    double *v = calloc(embedding_dim ? embedding_dim : 1, sizeof *v);
    double t0 = seconds();
    for (size_t i = 0; embedding_dim && i < c->n; i++) {
        fill_embedding(c->themes[i], i, v);
        embedding_sink = v[i % embedding_dim];
    }
    double t = seconds() - t0;
    free(v);
    return t;
}

/* Groups the corpus (each decision into topics, may be NULL) or, with
 * placed, replays those decisions; returns the CPU time, embeddings' making
 * left out. */
static double run(struct ap_grouper *g, const struct corpus *c, size_t *topics,
                  const size_t *placed)
{
    double *v = calloc(embedding_dim ? embedding_dim : 1, sizeof *v);
    double t0 = seconds();
    for (size_t i = 0; i < c->n; i++) {
        struct ap_gap_question q = {.tokens = &c->tokens[i]};
        attach_embedding(&q, c, i, v);
        if (placed) {
            ap_grouper_place(g, &q, placed[i]);
            continue;
        }
        size_t t = ap_grouper_assign(g, &q, NULL);
        if (topics)
            topics[i] = t;
    }
    double t = seconds() - t0;
    free(v);
    return t - embedding_time(c);
}

static int compare_pair(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Distinct (topic, theme) pairs and distinct themes: how far the topics mix
 * themes (pairs = topics = themes when grouping is perfect). */
static void mix(const struct corpus *c, const size_t *topics, size_t *pairs, size_t *themes)
{
    uint64_t *p = calloc(c->n, sizeof *p);
    for (size_t i = 0; i < c->n; i++)
        p[i] = (uint64_t)topics[i] << 32 | c->themes[i];
    qsort(p, c->n, sizeof *p, compare_pair);
    *pairs = 0;
    for (size_t i = 0; i < c->n; i++)
        *pairs += i == 0 || p[i] != p[i - 1];
    for (size_t i = 0; i < c->n; i++)
        p[i] = c->themes[i];
    qsort(p, c->n, sizeof *p, compare_pair);
    *themes = 0;
    for (size_t i = 0; i < c->n; i++)
        *themes += i == 0 || p[i] != p[i - 1];
    free(p);
}

int main(int argc, char **argv)
{
    uint32_t n_topics = argc > 1 ? (uint32_t)atol(argv[1]) : 125000;
    size_t per_topic = argc > 2 ? (size_t)atol(argv[2]) : 3;
    embedding_dim = argc > 3 ? (size_t)atol(argv[3]) : 0;
    if (embedding_dim != 0 && (embedding_dim < AP_GAP_EMBEDDING_MIN ||
                               embedding_dim > AP_GAP_EMBEDDING_MAX)) {
        fprintf(stderr, "gaps_speed: DIM must be 0 or %d to %d\n", AP_GAP_EMBEDDING_MIN,
                AP_GAP_EMBEDDING_MAX);
        return 2;
    }
    size_t measured = 100000;
    struct ap_text *text;
    struct ap_error err;
    if (ap_text_new(&text, &err) != AP_OK) {
        fprintf(stderr, "gaps_speed: %s\n", err.message);
        return 1;
    }
    struct corpus history, next;
    make_corpus(&history, text, (size_t)n_topics * per_topic, n_topics);
    make_corpus(&next, text, measured, n_topics);

    struct ap_grouper_options opts;
    ap_grouper_options_init(&opts);
    /* without it, random-letter words (every character n-gram equally rare)
     * let large topics take unrelated themes on one common word */
    opts.min_shared = 0.1;
    long rss0 = rss_kib();
    struct ap_grouper *g = ap_grouper_new(&opts);
    size_t *decisions = calloc(history.n, sizeof *decisions);
    double t_history = run(g, &history, decisions, NULL);
    long rss1 = rss_kib();
    size_t topics = ap_grouper_topic_count(g);
    double t_next = run(g, &next, NULL, NULL);

    /* with the text pipeline in front (tokens made as the service does) */
    double *v = calloc(embedding_dim ? embedding_dim : 1, sizeof *v);
    double t0 = seconds();
    for (size_t i = 0; i < next.n; i++) {
        struct ap_tokens tokens = {0};
        const char *s = next.texts[i];
        if (ap_text_tokens(text, s, strlen(s), "english", &tokens, &err) != AP_OK)
            return 1;
        struct ap_gap_question q = {.tokens = &tokens};
        attach_embedding(&q, &next, i, v);
        ap_grouper_assign(g, &q, NULL);
        ap_tokens_free(&tokens);
    }
    double t_text = seconds() - t0 - embedding_time(&next);
    free(v);
    ap_grouper_destroy(g);

    /* replaying the recorded decisions: the rebuild after a restart */
    struct ap_grouper *r = ap_grouper_new(&opts);
    double t_replay = run(r, &history, NULL, decisions);
    ap_grouper_destroy(r);

    /* the peer: four times as many candidates scored in full */
    struct ap_grouper_options exhaustive = opts;
    exhaustive.candidates = 4 * opts.candidates;
    struct ap_grouper *e = ap_grouper_new(&exhaustive);
    run(e, &history, NULL, NULL);
    size_t e_topics = ap_grouper_topic_count(e);
    double t_exhaustive = run(e, &next, NULL, NULL);
    ap_grouper_destroy(e);

    double rate = (double)next.n / t_next;
    size_t pairs, themes;
    mix(&history, decisions, &pairs, &themes);
    printf("history: %zu questions about %zu themes -> %zu topics (%zu topic-theme pairs) "
           "in %.2f s (%.0f q/s)\n", history.n, themes, topics, pairs, t_history,
           (double)history.n / t_history);
    printf("grouping with that history: %.0f questions/s (%.1f us each)\n", rate,
           1e6 * t_next / (double)next.n);
    printf("with the text pipeline (ICU + stop words + stemmer): %.0f questions/s\n",
           (double)next.n / t_text);
    printf("replay of recorded decisions (rebuild): %.0f questions/s\n",
           (double)history.n / t_replay);
    printf("model memory: %.1f MiB RSS for %zu questions = %.1f MiB per 100k questions\n",
           (double)(rss1 - rss0) / 1024, history.n,
           (double)(rss1 - rss0) / 1024 * 100000.0 / (double)history.n);
    printf("peer, %zu candidates scored: %zu topics, %.0f questions/s; %zu is %.1fx faster\n",
           exhaustive.candidates, e_topics, (double)next.n / t_exhaustive, opts.candidates, rate * t_exhaustive / (double)next.n);
    free(decisions);
    free_corpus(&history);
    free_corpus(&next);
    ap_text_destroy(text);
    return 0;
}
