/* What a short answer made from a knowledge-gap topic learns from the topic
 * (SPEC §6): the topic's questions are the best evidence of how visitors ask
 * for it, so its undismissed questions become the answer's phrasings, and the
 * language they were asked in becomes the answer's language; questions moved
 * or merged into the topic later join the phrasings too. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "answers/answers.h"
#include "text/text.h"

/* Newest questions read: enough for the most phrasings an answer keeps,
 * with room for the repeats and dismissed ones skipped. */
#define TOPIC_QUESTIONS_READ (4 * AP_ANSWER_ALTERNATIVES_MAX)
#define LANGUAGES_COUNTED 8

struct vote {
    char tag[AP_ANSWER_LANGUAGE_MAX + 1];
    size_t n;
};

struct learn {
    struct ap_answer *a;
    bool phrasings; /* the caller gave none: take the topic's */
    struct vote votes[LANGUAGES_COUNTED];
    size_t n_votes;
};

/* A question is a phrasing when it passes the answer's own checks for one and
 * is not one already (ASCII case aside: "Refund?" and "refund?" teach the same). */
static bool new_phrasing(const struct ap_answer *a, const char *text)
{
    size_t len = strlen(text);
    if (len == 0 || len > AP_ANSWER_ALTERNATIVE_MAX || !ap_utf8_valid(text, len) ||
        !ap_utf8_printable(text, len))
        return false;
    if (a->question && strcasecmp(a->question, text) == 0)
        return false;
    for (size_t i = 0; i < a->n_alternatives; i++)
        if (strcasecmp(a->alternatives[i], text) == 0)
            return false;
    return true;
}

/* The question's language: its event's tag, else the language it was
 * grouped in. */
static const char *question_language(const struct ap_gap_question_rec *q)
{
    if (q->language && ap_answer_check_language(q->language, NULL) == AP_OK)
        return q->language;
    return ap_text_tag_for(q->stemmer);
}

static void vote(struct learn *l, const char *tag)
{
    if (tag == NULL || strlen(tag) > AP_ANSWER_LANGUAGE_MAX)
        return;
    for (size_t i = 0; i < l->n_votes; i++) {
        if (strcasecmp(l->votes[i].tag, tag) == 0) {
            l->votes[i].n++;
            return;
        }
    }
    if (l->n_votes == LANGUAGES_COUNTED)
        return;
    ap_copy_str(l->votes[l->n_votes].tag, sizeof l->votes[0].tag, tag);
    l->votes[l->n_votes++].n = 1;
}

static enum ap_status learn_question(void *ctx, const struct ap_gap_question_rec *q)
{
    struct learn *l = ctx;
    if (q->dismissed || q->text == NULL)
        return AP_OK;
    vote(l, question_language(q));
    if (l->phrasings && l->a->n_alternatives < AP_ANSWER_ALTERNATIVES_MAX &&
        new_phrasing(l->a, q->text))
        ap_answer_add_alternative(l->a, q->text, strlen(q->text));
    return AP_OK;
}

/* The language most questions were asked in; the first counted on a tie. */
static const char *most_asked(const struct learn *l)
{
    const struct vote *best = NULL;
    for (size_t i = 0; i < l->n_votes; i++)
        if (best == NULL || l->votes[i].n > best->n)
            best = &l->votes[i];
    return best ? best->tag : NULL;
}

enum ap_status ap_answers_learn_from_topic(struct ap_store *store, int64_t account_id,
                                           int64_t topic_id, unsigned present,
                                           struct ap_answer *a, struct ap_error *err)
{
    struct learn l = {.a = a, .phrasings = !(present & AP_ANSWER_F_ALTERNATIVES)};
    enum ap_status rc = ap_store_select_gap_topic_questions(
        store, account_id, topic_id, TOPIC_QUESTIONS_READ, 0, learn_question, &l, err);
    if (rc != AP_OK)
        return rc;
    const char *language = most_asked(&l);
    if (!(present & AP_ANSWER_F_LANGUAGE) && language)
        ap_copy_str(a->language, sizeof a->language, language);
    return AP_OK;
}

/* --- questions that join a topic after its answer was made ------------------------- */

void ap_topic_questions_free(struct ap_topic_questions *q)
{
    for (size_t i = 0; i < q->n; i++)
        free(q->texts[i]);
    free(q->texts);
    q->texts = NULL;
    q->n = 0;
}

static enum ap_status keep_question(void *ctx, const struct ap_gap_question_rec *q)
{
    struct ap_topic_questions *out = ctx;
    if (q->dismissed || q->text == NULL || out->n == TOPIC_QUESTIONS_READ)
        return AP_OK;
    out->texts = ap_realloc(out->texts, (out->n + 1) * sizeof *out->texts);
    out->texts[out->n++] = ap_strdup(q->text);
    return AP_OK;
}

enum ap_status ap_answers_read_topic_questions(struct ap_store *store, int64_t account_id,
                                               int64_t topic_id, int64_t question_id,
                                               struct ap_topic_questions *out,
                                               struct ap_error *err)
{
    if (question_id)
        return ap_store_get_gap_question(store, account_id, question_id, keep_question, out,
                                         err);
    return ap_store_select_gap_topic_questions(store, account_id, topic_id, TOPIC_QUESTIONS_READ,
                                               0, keep_question, out, err);
}

static enum ap_status copy_answer_id(void *ctx, const struct ap_gap_topic_rec *t)
{
    ap_copy_str(ctx, AP_ANSWER_ID_MAX_BYTES + 1, t->answer_id ? t->answer_id : "");
    return AP_OK;
}

enum ap_status ap_answers_join_topic(struct ap_answers_cache *c, struct ap_store *store,
                                     int64_t account_id, int64_t topic_id,
                                     const struct ap_topic_questions *q, struct ap_error *err)
{
    char answer_id[AP_ANSWER_ID_MAX_BYTES + 1] = "";
    if (q->n == 0)
        return AP_OK;
    enum ap_status rc =
        ap_store_get_gap_topic(store, account_id, topic_id, copy_answer_id, answer_id, err);
    if (rc != AP_OK || answer_id[0] == '\0')
        return rc;
    struct ap_answer a;
    ap_answer_init(&a);
    rc = ap_store_get_answer(store, account_id, answer_id, &a, err);
    if (rc != AP_OK) {
        ap_answer_free(&a);
        return rc == AP_NOT_FOUND ? AP_OK : rc; /* a deleted answer has nothing to learn */
    }
    size_t before = a.n_alternatives;
    for (size_t i = 0; i < q->n && a.n_alternatives < AP_ANSWER_ALTERNATIVES_MAX; i++)
        if (new_phrasing(&a, q->texts[i]))
            ap_answer_add_alternative(&a, q->texts[i], strlen(q->texts[i]));
    if (a.n_alternatives > before)
        rc = ap_answers_update(c, store, account_id, &a, err);
    ap_answer_free(&a);
    return rc;
}
