/* The knowledge-gaps endpoints (docs/api.md): the topic table, a topic's
 * detail, and the admin's curation calls. Every read first assigns the
 * account's questions stored since the last assignment, so a question shows
 * as soon as it is stored, whichever process stored it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "answers/answers.h"
#include "gaps/gaps.h"
#include "http/http.h"
#include "ingest/json.h"

void ap_http_assign_gaps(struct ap_http_request *req)
{
    struct ap_error err;
    ap_error_clear(&err);
    if (ap_gaps_assign_pending(req->gaps, req->store, req->account.id, NULL, &err) != AP_OK)
        ap_log(AP_LOG_WARN, "msg=\"assigning questions to topics failed\" account=%lld error=%s",
               (long long)req->account.id, ap_status_code(err.status));
}

static void answer_json(struct ap_http_response *res, struct ap_buf *doc)
{
    res->status = 200;
    res->content_type = "application/json";
    ap_buf_append_buf(&res->body, doc);
}

/* Answers a document the gaps module wrote into doc (rc its result), or the
 * error. A document cut short by its limit is an error even where the writer
 * returned the failed append's status without filling err. */
static void answer_document(struct ap_http_response *res, enum ap_status rc, struct ap_buf *doc,
                            struct ap_error *err)
{
    if (ap_buf_status(doc) != AP_OK)
        rc = ap_buf_check(doc, "the answer (max_response)", err);
    if (rc == AP_OK)
        answer_json(res, doc);
    else
        ap_http_error(res, err);
}

static bool parse_path_id(const char *text, const char *what, int64_t *out,
                          struct ap_error *err)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end || end == text || v < 1) {
        ap_error_set(err, AP_NOT_FOUND, "id", "no %s \"%.32s\"", what, text);
        return false;
    }
    *out = v;
    return true;
}

void ap_http_handle_gaps(struct ap_http_request *req, struct ap_http_response *res)
{
    struct ap_gaps_params params = {
        .from = ap_http_query(req, "from"), .to = ap_http_query(req, "to"),
        .channel = ap_http_query(req, "channel"), .status = ap_http_query(req, "status"),
        .sort = ap_http_query(req, "sort"), .limit = ap_http_query(req, "limit"),
        .offset = ap_http_query(req, "offset")};
    struct ap_gap_topic_query q;
    struct ap_error err;
    char channel[33];
    ap_error_clear(&err);
    if (ap_gaps_query_parse(&params, &req->account, &q, channel, &err) != AP_OK) {
        ap_http_error(res, &err);
        return;
    }
    ap_http_assign_gaps(req);
    struct ap_buf doc;
    ap_buf_init(&doc, req->config->max_response);
    answer_document(res, ap_gaps_list_json(req->store, &req->account, &q, &doc, &err), &doc,
                    &err);
    ap_buf_free(&doc);
}

/* A page parameter of the detail, or its default. */
static bool page_param(struct ap_http_request *req, const char *name, int64_t min, int64_t max,
                       int64_t fallback, int64_t *out, struct ap_error *err)
{
    const char *text = ap_http_query(req, name);
    *out = fallback;
    if (text == NULL)
        return true;
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end || end == text || v < min || v > max) {
        ap_error_set(err, AP_INVALID, name, "\"%s\": must be a whole number from %lld to %lld",
                     name, (long long)min, (long long)max);
        return false;
    }
    *out = v;
    return true;
}

/* Answers the topic's detail document: GET, and every curation's result. */
static void answer_topic(struct ap_http_request *req, struct ap_http_response *res,
                         int64_t topic_id, int64_t limit, int64_t offset)
{
    struct ap_error err;
    struct ap_buf doc;
    ap_error_clear(&err);
    ap_buf_init(&doc, req->config->max_response);
    answer_document(
        res, ap_gaps_topic_json(req->store, &req->account, topic_id, limit, offset, &doc, &err),
        &doc, &err);
    ap_buf_free(&doc);
}

/* The topic of the path and the page of its questions (limit 1-500, default
 * 100; offset); false after answering the error that names the parameter. */
static bool topic_page(struct ap_http_request *req, struct ap_http_response *res, int64_t *id,
                       int64_t *limit, int64_t *offset, struct ap_error *err)
{
    ap_error_clear(err);
    if (parse_path_id(req->params[0], "topic", id, err) &&
        page_param(req, "limit", 1, AP_GAPS_LIMIT_MAX, 100, limit, err) &&
        page_param(req, "offset", 0, INT32_MAX, 0, offset, err))
        return true;
    ap_http_error(res, err);
    return false;
}

void ap_http_handle_gap(struct ap_http_request *req, struct ap_http_response *res)
{
    struct ap_error err;
    int64_t id, limit, offset;
    if (!topic_page(req, res, &id, &limit, &offset, &err))
        return;
    ap_http_assign_gaps(req);
    answer_topic(req, res, id, limit, offset);
}

/* --- curation ---------------------------------------------------------------------- */

/* The body's member `key`, required to be of `kind`. */
static const struct ap_json_member *body_member(const struct ap_json_object *body,
                                                const char *key, enum ap_json_kind kind,
                                                struct ap_error *err)
{
    const struct ap_json_member *m = ap_json_get(body, key);
    if (m == NULL || m->kind != kind) {
        ap_error_set(err, AP_INVALID, key, "\"%s\": required, %s", key,
                     kind == AP_JSON_STRING ? "a string" : "a number");
        return NULL;
    }
    return m;
}

static bool body_topic_id(const struct ap_json_object *body, const char *key, int64_t *out,
                          struct ap_error *err)
{
    const struct ap_json_member *m = body_member(body, key, AP_JSON_NUMBER, err);
    if (m == NULL)
        return false;
    if (m->number < 1 || m->number > 9e15 || m->number != (double)(int64_t)m->number) {
        ap_error_set(err, AP_INVALID, key, "\"%s\": must be a topic id", key);
        return false;
    }
    *out = (int64_t)m->number;
    return true;
}

/* What a curation call does, given the path id and its parsed body. */
typedef enum ap_status (*curation_fn)(struct ap_http_request *req, int64_t id,
                                      const struct ap_json_object *body, int64_t *shown,
                                      struct ap_error *err);

static void curate(struct ap_http_request *req, struct ap_http_response *res, const char *what,
                   curation_fn fn)
{
    struct ap_json_object body = {0};
    struct ap_error err;
    int64_t id, shown = 0;
    ap_error_clear(&err);
    bool ok = parse_path_id(req->params[0], what, &id, &err);
    if (ok && req->body.len > 0)
        ok = ap_json_parse_object(req->body.data, req->body.len, &body, &err) == AP_OK;
    if (ok) {
        ap_http_assign_gaps(req);
        shown = id;
        ok = fn(req, id, &body, &shown, &err) == AP_OK;
    }
    ap_json_object_free(&body);
    if (ok)
        answer_topic(req, res, shown, 100, 0);
    else
        ap_http_error(res, &err);
}

static enum ap_status do_rename(struct ap_http_request *req, int64_t id,
                                const struct ap_json_object *body, int64_t *shown,
                                struct ap_error *err)
{
    (void)shown;
    const struct ap_json_member *label = body_member(body, "label", AP_JSON_STRING, err);
    if (label == NULL)
        return AP_INVALID;
    return ap_gaps_rename(req->store, req->account.id, id, label->str, err);
}

/* Questions moved or merged into a topic that has an answer join the
 * answer's phrasings. The curation itself is done: a failure here is logged,
 * not reported as the curation's. */
static void join_answer(struct ap_http_request *req, int64_t topic_id,
                        const struct ap_topic_questions *joining)
{
    struct ap_error err;
    ap_error_clear(&err);
    if (ap_answers_join_topic(req->answers, req->store, req->account.id, topic_id, joining,
                              &err) != AP_OK)
        ap_log(AP_LOG_WARN,
               "msg=\"moved questions did not join the topic's answer\" account=%lld topic=%lld "
               "error=%s",
               (long long)req->account.id, (long long)topic_id, ap_status_code(err.status));
}

static enum ap_status do_merge(struct ap_http_request *req, int64_t id,
                               const struct ap_json_object *body, int64_t *shown,
                               struct ap_error *err)
{
    if (!body_topic_id(body, "into", shown, err))
        return AP_INVALID;
    struct ap_topic_questions joining = {0};
    enum ap_status rc =
        ap_answers_read_topic_questions(req->store, req->account.id, id, 0, &joining, err);
    if (rc == AP_OK)
        rc = ap_gaps_merge(req->store, req->account.id, id, *shown, err);
    if (rc == AP_OK)
        join_answer(req, *shown, &joining);
    ap_topic_questions_free(&joining);
    return rc;
}

static enum ap_status do_dismiss(struct ap_http_request *req, int64_t id,
                                 const struct ap_json_object *body, int64_t *shown,
                                 struct ap_error *err)
{
    (void)body;
    (void)shown;
    return ap_gaps_dismiss_topic(req->store, req->account.id, id, true, err);
}

static enum ap_status do_undismiss(struct ap_http_request *req, int64_t id,
                                   const struct ap_json_object *body, int64_t *shown,
                                   struct ap_error *err)
{
    (void)body;
    (void)shown;
    return ap_gaps_dismiss_topic(req->store, req->account.id, id, false, err);
}

static enum ap_status do_move(struct ap_http_request *req, int64_t id,
                              const struct ap_json_object *body, int64_t *shown,
                              struct ap_error *err)
{
    if (!body_topic_id(body, "topic", shown, err))
        return AP_INVALID;
    struct ap_topic_questions joining = {0};
    enum ap_status rc =
        ap_answers_read_topic_questions(req->store, req->account.id, 0, id, &joining, err);
    if (rc == AP_OK)
        rc = ap_gaps_move(req->store, req->account.id, id, *shown, err);
    if (rc == AP_OK)
        join_answer(req, *shown, &joining);
    ap_topic_questions_free(&joining);
    return rc;
}

static enum ap_status do_question_dismiss(struct ap_http_request *req, int64_t id,
                                          const struct ap_json_object *body, int64_t *shown,
                                          struct ap_error *err)
{
    (void)body;
    return ap_gaps_dismiss_question(req->store, req->account.id, id, true, shown, err);
}

static enum ap_status do_question_undismiss(struct ap_http_request *req, int64_t id,
                                            const struct ap_json_object *body, int64_t *shown,
                                            struct ap_error *err)
{
    (void)body;
    return ap_gaps_dismiss_question(req->store, req->account.id, id, false, shown, err);
}

void ap_http_handle_gap_rename(struct ap_http_request *req, struct ap_http_response *res)
{
    curate(req, res, "topic", do_rename);
}

void ap_http_handle_gap_merge(struct ap_http_request *req, struct ap_http_response *res)
{
    curate(req, res, "topic", do_merge);
}

void ap_http_handle_gap_dismiss(struct ap_http_request *req, struct ap_http_response *res)
{
    curate(req, res, "topic", do_dismiss);
}

void ap_http_handle_gap_undismiss(struct ap_http_request *req, struct ap_http_response *res)
{
    curate(req, res, "topic", do_undismiss);
}

void ap_http_handle_question_move(struct ap_http_request *req, struct ap_http_response *res)
{
    curate(req, res, "question", do_move);
}

void ap_http_handle_question_dismiss(struct ap_http_request *req, struct ap_http_response *res)
{
    curate(req, res, "question", do_question_dismiss);
}

void ap_http_handle_question_undismiss(struct ap_http_request *req, struct ap_http_response *res)
{
    curate(req, res, "question", do_question_undismiss);
}

/* --- from a topic to a short answer ------------------------------------------------- */

/* The topic's label: where a new answer's question starts. */
static bool topic_question(struct ap_http_request *req, int64_t topic_id, char *out, size_t size,
                           struct ap_error *err)
{
    return ap_gaps_topic_label(req->store, req->account.id, topic_id, out, size, err) == AP_OK;
}

/* The draft of an answer from a topic: the body's fields over the topic's
 * (label as question, questions as phrasings, their language). */
static bool topic_draft(struct ap_http_request *req, int64_t topic_id, struct ap_answer *a,
                        struct ap_error *err)
{
    char label[AP_ANSWER_QUESTION_MAX + 1];
    unsigned present = 0;
    ap_copy_str(a->language, sizeof a->language, req->account.default_language);
    if (!topic_question(req, topic_id, label, sizeof label, err))
        return false;
    if (req->body.len > 0 &&
        ap_answer_read_json(req->body.data, req->body.len, a, &present, err) != AP_OK)
        return false;
    if (!(present & AP_ANSWER_F_QUESTION)) {
        free(a->question);
        a->question = ap_strdup(label);
    }
    return ap_answers_learn_from_topic(req->store, req->account.id, topic_id, present, a, err) ==
           AP_OK;
}

static void write_preview(const struct ap_answer *a, size_t limit, struct ap_buf *out)
{
    const char *answer = a->answer ? a->answer : "";
    struct ap_buf html;
    ap_buf_init(&html, limit);
    ap_answer_render_html(a->question, answer, &html);
    ap_buf_append_str(out, "{\"question\":");
    ap_buf_append_json_string(out, a->question, strlen(a->question));
    ap_buf_append_str(out, ",\"answer\":");
    ap_buf_append_json_string(out, answer, strlen(answer));
    ap_buf_append_str(out, ",\"alternatives\":[");
    for (size_t i = 0; i < a->n_alternatives; i++) {
        if (i)
            ap_buf_append_char(out, ',');
        ap_buf_append_json_string(out, a->alternatives[i], strlen(a->alternatives[i]));
    }
    ap_buf_append_str(out, "],\"language\":");
    ap_buf_append_json_string(out, a->language, strlen(a->language));
    ap_buf_append_str(out, ",\"html\":");
    if (ap_buf_status(&html) == AP_OK)
        ap_buf_append_json_string(out, html.data ? html.data : "", html.len);
    else
        ap_buf_append_buf(out, &html); /* fails the answer */
    ap_buf_append_char(out, '}');
    ap_buf_free(&html);
}

void ap_http_handle_gap_answer_preview(struct ap_http_request *req,
                                       struct ap_http_response *res)
{
    struct ap_answer a;
    struct ap_error err;
    int64_t id;
    ap_answer_init(&a);
    ap_error_clear(&err);
    if (parse_path_id(req->params[0], "topic", &id, &err) && topic_draft(req, id, &a, &err)) {
        res->status = 200;
        res->content_type = "application/json";
        write_preview(&a, req->config->max_response, &res->body);
    } else {
        ap_http_error(res, &err);
    }
    ap_answer_free(&a);
}

struct mark {
    int64_t account_id, topic_id;
    const char *answer_id;
    int64_t at_us;
};

static enum ap_status mark_txn(struct ap_store *store, void *ctx, struct ap_error *err)
{
    struct mark *m = ctx;
    return ap_gaps_mark_answered(store, m->account_id, m->topic_id, m->answer_id, m->at_us, err);
}

/* Creates the answer, then links the topic to it. The answer is created by
 * the answers service (which keeps the matcher current); should linking fail,
 * the answer is deleted again so that nothing is left half done. */
void ap_http_handle_gap_answer(struct ap_http_request *req, struct ap_http_response *res)
{
    struct ap_answer a;
    struct ap_error err;
    int64_t id;
    ap_answer_init(&a);
    ap_error_clear(&err);
    bool ok = parse_path_id(req->params[0], "topic", &id, &err) && topic_draft(req, id, &a, &err);
    ok = ok && ap_answers_create(req->answers, req->store, req->account.id, &a, &err) == AP_OK;
    if (ok) {
        struct mark m = {req->account.id, id, a.id, a.created_at_us};
        if (ap_store_transact(req->store, mark_txn, &m, &err) != AP_OK) {
            struct ap_error ignored;
            ap_answers_delete(req->answers, req->store, req->account.id, a.id, &ignored);
            ok = false;
        }
    }
    if (ok) {
        struct ap_buf doc;
        ap_buf_init(&doc, req->config->max_response);
        ap_buf_append_str(&doc, "{\"answer\":");
        ap_answer_write_json(&a, &doc);
        ap_buf_append_str(&doc, ",\"topic\":");
        if (ap_gaps_topic_summary_json(req->store, &req->account, id, &doc, &err) == AP_OK) {
            ap_buf_append_char(&doc, '}');
            answer_json(res, &doc);
            res->status = 201;
        } else {
            ap_http_error(res, &err);
        }
        ap_buf_free(&doc);
    } else {
        ap_http_error(res, &err);
    }
    ap_answer_free(&a);
}

/* --- a topic's questions, identical ones together; dismissing by conversation -------- */

void ap_http_handle_gap_questions(struct ap_http_request *req, struct ap_http_response *res)
{
    struct ap_error err;
    int64_t id, limit, offset;
    if (!topic_page(req, res, &id, &limit, &offset, &err))
        return;
    ap_http_assign_gaps(req);
    struct ap_buf doc;
    ap_buf_init(&doc, req->config->max_response);
    answer_document(res,
                    ap_gaps_topic_same_json(req->store, &req->account, id, limit, offset, &doc,
                                            &err),
                    &doc, &err);
    ap_buf_free(&doc);
}

/* The body's array `key`; its strings or numbers through the member. An
 * empty array passes (the gaps module says that one is needed). */
static const struct ap_json_member *body_array(const struct ap_json_object *body,
                                               const char *key, bool strings,
                                               struct ap_error *err)
{
    const struct ap_json_member *m = ap_json_get(body, key);
    bool empty = m && m->kind == AP_JSON_ARRAY && m->n_strings == 0 && m->n_numbers == 0;
    if (m == NULL || m->kind != AP_JSON_ARRAY ||
        (!empty && (strings ? !m->strings_only : !m->numbers_only))) {
        ap_error_set(err, AP_INVALID, key, "\"%s\": required, an array of %s", key,
                     strings ? "conversation ids (strings)" : "question ids (numbers)");
        return NULL;
    }
    return m;
}

/* Question ids from an array of numbers, into a new array the caller frees. */
static int64_t *question_ids(const struct ap_json_member *m, struct ap_error *err)
{
    int64_t *ids = ap_calloc(m->n_numbers ? m->n_numbers : 1, sizeof *ids);
    for (size_t i = 0; i < m->n_numbers; i++) {
        double v = m->numbers[i];
        if (v < 1 || v > 9e15 || v != (double)(int64_t)v) {
            free(ids);
            ap_error_set(err, AP_INVALID, "questions", "\"questions\": item %zu is not a question id",
                         i);
            return NULL;
        }
        ids[i] = (int64_t)v;
    }
    return ids;
}

/* {"<verb>": [question ids], "topic": {…}}: what a batch changed, and the
 * topic's figures after it. */
static void answer_batch(struct ap_http_request *req, struct ap_http_response *res,
                         const char *verb, int64_t topic_id, const int64_t *ids, size_t n)
{
    struct ap_error err;
    struct ap_buf doc;
    ap_error_clear(&err);
    ap_buf_init(&doc, req->config->max_response);
    ap_buf_printf(&doc, "{\"%s\":[", verb);
    for (size_t i = 0; i < n; i++)
        ap_buf_printf(&doc, "%s%lld", i ? "," : "", (long long)ids[i]);
    ap_buf_append_str(&doc, "],\"topic\":");
    enum ap_status rc = ap_gaps_topic_summary_json(req->store, &req->account, topic_id, &doc, &err);
    ap_buf_append_char(&doc, '}');
    answer_document(res, rc, &doc, &err);
    ap_buf_free(&doc);
}

/* Parses the path id and the JSON body; false with err set otherwise. */
static bool batch_request(struct ap_http_request *req, int64_t *id, struct ap_json_object *body,
                          struct ap_error *err)
{
    if (!parse_path_id(req->params[0], "topic", id, err))
        return false;
    if (req->body.len == 0) {
        ap_error_set(err, AP_INVALID, "", "a JSON body is required");
        return false;
    }
    return ap_json_parse_object(req->body.data, req->body.len, body, err) == AP_OK;
}

void ap_http_handle_gap_dismiss_conversations(struct ap_http_request *req,
                                              struct ap_http_response *res)
{
    struct ap_json_object body = {0};
    struct ap_error err;
    int64_t id, *ids = NULL;
    size_t n = 0;
    ap_error_clear(&err);
    bool ok = batch_request(req, &id, &body, &err);
    const struct ap_json_member *m = ok ? body_array(&body, "conversations", true, &err) : NULL;
    if (m) {
        ap_http_assign_gaps(req);
        ok = ap_gaps_dismiss_conversations(req->store, req->account.id, id,
                                           (const char *const *)m->strings, m->n_strings, &ids,
                                           &n, &err) == AP_OK;
    }
    if (m && ok)
        answer_batch(req, res, "dismissed", id, ids, n);
    else
        ap_http_error(res, &err);
    free(ids);
    ap_json_object_free(&body);
}

void ap_http_handle_gap_undismiss_questions(struct ap_http_request *req,
                                            struct ap_http_response *res)
{
    struct ap_json_object body = {0};
    struct ap_error err;
    int64_t id, *asked = NULL, *ids = NULL;
    size_t n = 0;
    ap_error_clear(&err);
    bool ok = batch_request(req, &id, &body, &err);
    const struct ap_json_member *m = ok ? body_array(&body, "questions", false, &err) : NULL;
    if (m)
        asked = question_ids(m, &err);
    if (asked) {
        ap_http_assign_gaps(req);
        ok = ap_gaps_restore_questions(req->store, req->account.id, id, asked, m->n_numbers, &ids,
                                       &n, &err) == AP_OK;
    }
    if (asked && ok)
        answer_batch(req, res, "undismissed", id, ids, n);
    else
        ap_http_error(res, &err);
    free(asked);
    free(ids);
    ap_json_object_free(&body);
}
