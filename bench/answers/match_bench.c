/* The matcher in process, without the store: reads answers as TSV lines
 * "ID<TAB>PHRASING" (the first phrasing of an id is its question), builds the
 * model, then matches each line of the query file ("LABEL<TAB>QUESTION") and
 * prints "LABEL<TAB>BEST_ID<TAB>SCORE". On stderr: build time and the median
 * and 99th percentile of one match. Environment AP_MATCH_* overrides the
 * training options, for tuning on a validation split; AP_MATCH_LANGUAGE sets
 * the answers' and questions' language (default en); AP_MATCH_EVIDENCE=N
 * prints, instead, each of the N best candidates' evidence after the label
 * (ID LOGIT MARGIN NEAREST CENTROID COVERED PHRASING_COVERED PHRASINGS SCORE,
 * tab-separated), which bench/answers/tune.py reads to choose the no-answer
 * rule. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answers/answers.h"

static double env_double(const char *name, double fallback)
{
    const char *v = getenv(name);
    return v && v[0] ? strtod(v, NULL) : fallback;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static struct ap_answer *load_answers(FILE *f, const char *language, size_t *n_out)
{
    struct ap_answer *answers = NULL;
    size_t n = 0;
    char line[4096];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (tab == NULL)
            continue;
        *tab = '\0';
        struct ap_answer *a = n ? &answers[n - 1] : NULL;
        if (a == NULL || strcmp(a->id, line) != 0) {
            answers = ap_realloc(answers, (n + 1) * sizeof *answers);
            a = &answers[n++];
            ap_answer_init(a);
            a->id = ap_strdup(line);
            a->question = ap_strdup(tab + 1);
            a->answer = ap_strdup("-");
            ap_copy_str(a->language, sizeof a->language, language);
        } else {
            ap_answer_add_alternative(a, tab + 1, strlen(tab + 1));
        }
    }
    *n_out = n;
    return answers;
}

static void print_evidence(const char *label, const struct ap_match *best, size_t n)
{
    printf("%s", label);
    for (size_t i = 0; i < n; i++) {
        const struct ap_match_evidence *e = &best[i].evidence;
        printf("\t%s\t%.5f\t%.5f\t%.5f\t%.5f\t%.5f\t%.5f\t%u\t%.5f", best[i].id, e->logit,
               e->margin, e->nearest, e->centroid, e->covered, e->phrasing_covered, e->phrasings,
               best[i].score);
    }
    printf("\n");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: match_bench ANSWERS.tsv QUERIES.tsv\n");
        return 2;
    }
    FILE *fa = fopen(argv[1], "r"), *fq = fopen(argv[2], "r");
    if (!fa || !fq) {
        fprintf(stderr, "match_bench: cannot open the input files\n");
        return 1;
    }
    struct ap_matcher_options opts;
    ap_matcher_options_init(&opts);
    opts.lambda = env_double("AP_MATCH_LAMBDA", opts.lambda);
    opts.learning_rate = env_double("AP_MATCH_ETA", opts.learning_rate);
    opts.epochs = (unsigned)env_double("AP_MATCH_EPOCHS", opts.epochs);
    opts.max_negatives = (size_t)env_double("AP_MATCH_NEGATIVES", (double)opts.max_negatives);
    opts.balance = env_double("AP_MATCH_BALANCE", opts.balance);
    struct ap_error err;
    struct ap_text *text;
    if (ap_text_new(&text, &err) != AP_OK)
        return 1;
    size_t n_answers;
    const char *language = getenv("AP_MATCH_LANGUAGE") ? getenv("AP_MATCH_LANGUAGE") : "en";
    size_t evidence = (size_t)env_double("AP_MATCH_EVIDENCE", 0);
    if (evidence > AP_MATCH_LIMIT_MAX)
        evidence = AP_MATCH_LIMIT_MAX;
    struct ap_answer *answers = load_answers(fa, language, &n_answers);
    int64_t t0 = ap_time_now_us();
    struct ap_matcher *m = ap_matcher_new(&opts);
    for (size_t i = 0; i < n_answers; i++)
        ap_matcher_put(m, text, &answers[i], false, &err);
    ap_matcher_train_all(m);
    int64_t t1 = ap_time_now_us();
    double *lat = NULL;
    size_t n_lat = 0, cap = 0;
    char line[4096];
    while (fgets(line, sizeof line, fq)) {
        line[strcspn(line, "\r\n")] = '\0';
        char *tab = strchr(line, '\t');
        if (tab == NULL)
            continue;
        *tab = '\0';
        struct ap_match best[AP_MATCH_LIMIT_MAX];
        int64_t s = ap_time_now_us();
        size_t n = ap_matcher_match(m, text, tab + 1, strlen(tab + 1), language, language, best,
                                    evidence ? evidence : 3, &err);
        int64_t e = ap_time_now_us();
        if (n_lat == cap)
            lat = ap_realloc(lat, (cap = cap ? 2 * cap : 1024) * sizeof *lat);
        lat[n_lat++] = (double)(e - s);
        if (evidence) {
            print_evidence(line, best, n);
            continue;
        }
        printf("%s\t%s\t%.6f\t%.6f\n", line, n ? best[0].id : "none", n ? best[0].score : 0.0,
               n > 1 ? best[1].score : 0.0);
    }
    qsort(lat, n_lat, sizeof *lat, cmp_double);
    /* One incremental change: an answer edited (its phrasings re-read, it and
     * its nearest answers retrained). */
    int64_t u0 = ap_time_now_us();
    if (n_answers)
        ap_matcher_put(m, text, &answers[0], true, &err);
    int64_t u1 = ap_time_now_us();
    fprintf(stderr,
            "answers %zu, build %.1f ms, one update %.1f ms, matches %zu: median %.1f us, "
            "p99 %.1f us\n",
            n_answers, (double)(t1 - t0) / 1000.0, (double)(u1 - u0) / 1000.0, n_lat,
            n_lat ? lat[n_lat / 2] : 0.0, n_lat ? lat[(size_t)((double)n_lat * 0.99)] : 0.0);
    free(lat);
    ap_matcher_destroy(m);
    for (size_t i = 0; i < n_answers; i++)
        ap_answer_free(&answers[i]);
    free(answers);
    ap_text_destroy(text);
    fclose(fa);
    fclose(fq);
    return 0;
}
