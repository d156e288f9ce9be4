/* /v1/answers: short answers (list, read, create, edit, delete) and the match
 * API. Every call is scoped to the token's account: another account's answer
 * is simply not found. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "answers/answers.h"
#include "http/http.h"
#include "ingest/json.h"

#define LIST_LIMIT_DEFAULT 50
#define LIST_LIMIT_MAX 500
#define SEARCH_MAX 1024

static void fail(struct ap_http_response *res, const struct ap_error *err)
{
    ap_http_error(res, err);
}

static bool query_size(const struct ap_http_request *req, const char *name, size_t min, size_t max,
                       size_t fallback, size_t *out, struct ap_error *err)
{
    const char *v = ap_http_query(req, name);
    char *end;
    if (v == NULL) {
        *out = fallback;
        return true;
    }
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || end == v || *end || v[0] == '-' || n < min || n > max) {
        ap_error_set(err, AP_INVALID, name, "\"%s\": must be a whole number from %zu to %zu",
                     name, min, max);
        return false;
    }
    *out = (size_t)n;
    return true;
}

static bool parse_list_query(const struct ap_http_request *req, struct ap_answer_query *q,
                             struct ap_error *err)
{
    memset(q, 0, sizeof *q);
    q->enabled = -1;
    q->q = ap_http_query(req, "q");
    if (q->q && (strlen(q->q) > SEARCH_MAX || !ap_utf8_valid(q->q, strlen(q->q)))) {
        ap_error_set(err, AP_INVALID, "q", "\"q\": at most %d bytes of UTF-8", SEARCH_MAX);
        return false;
    }
    if (q->q && q->q[0] == '\0')
        q->q = NULL;
    const char *enabled = ap_http_query(req, "enabled");
    if (enabled) {
        if (strcmp(enabled, "true") != 0 && strcmp(enabled, "false") != 0) {
            ap_error_set(err, AP_INVALID, "enabled", "\"enabled\": must be true or false");
            return false;
        }
        q->enabled = strcmp(enabled, "true") == 0;
    }
    return query_size(req, "limit", 1, LIST_LIMIT_MAX, LIST_LIMIT_DEFAULT, &q->limit, err) &&
           query_size(req, "offset", 0, 1000000000, 0, &q->offset, err);
}

struct list_ctx {
    struct ap_buf *out;
    size_t n;
};

static enum ap_status list_one(void *ctx, const struct ap_answer *a)
{
    struct list_ctx *l = ctx;
    if (l->n++)
        ap_buf_append_char(l->out, ',');
    return ap_answer_write_json(a, l->out);
}

void ap_http_handle_answers_list(struct ap_http_request *req, struct ap_http_response *res)
{
    struct ap_answer_query q;
    struct ap_error err;
    struct ap_buf items;
    int64_t total = 0;
    ap_error_clear(&err);
    if (!parse_list_query(req, &q, &err))
        return fail(res, &err);
    ap_buf_init(&items, req->config->max_response);
    struct list_ctx l = {&items, 0};
    if (ap_store_select_answers(req->store, req->account.id, &q, list_one, &l, &total, &err) !=
        AP_OK) {
        ap_buf_free(&items);
        return fail(res, &err);
    }
    ap_buf_printf(&res->body, "{\"total\":%lld,\"offset\":%zu,\"limit\":%zu,\"answers\":[",
                  (long long)total, q.offset, q.limit);
    ap_buf_append_buf(&res->body, &items);
    ap_buf_append_str(&res->body, "]}");
    ap_buf_free(&items);
    res->status = 200;
    res->content_type = "application/json";
}

void ap_http_handle_answer_get(struct ap_http_request *req, struct ap_http_response *res)
{
    struct ap_answer a;
    struct ap_error err;
    ap_error_clear(&err);
    if (ap_store_get_answer(req->store, req->account.id, req->params[0], &a, &err) != AP_OK)
        return fail(res, &err);
    ap_answer_write_json(&a, &res->body);
    ap_answer_free(&a);
    res->status = 200;
    res->content_type = "application/json";
}

static const char *body_text(const struct ap_http_request *req)
{
    return req->body.data ? req->body.data : "";
}

void ap_http_handle_answer_create(struct ap_http_request *req, struct ap_http_response *res)
{
    struct ap_answer a;
    struct ap_error err;
    unsigned present;
    ap_error_clear(&err);
    ap_answer_init(&a);
    ap_copy_str(a.language, sizeof a.language, req->account.default_language);
    if (ap_answer_read_json(body_text(req), req->body.len, &a, &present, &err) == AP_OK &&
        ap_answers_create(req->answers, req->store, req->account.id, &a, &err) == AP_OK) {
        ap_answer_write_json(&a, &res->body);
        res->status = 201;
        res->content_type = "application/json";
    } else {
        fail(res, &err);
    }
    ap_answer_free(&a);
}

void ap_http_handle_answer_patch(struct ap_http_request *req, struct ap_http_response *res)
{
    struct ap_answer a;
    struct ap_error err;
    ap_error_clear(&err);
    ap_answer_init(&a);
    if (ap_answers_patch(req->answers, req->store, req->account.id, req->params[0],
                         body_text(req), req->body.len, &a, &err) == AP_OK) {
        ap_answer_write_json(&a, &res->body);
        res->status = 200;
        res->content_type = "application/json";
    } else {
        fail(res, &err);
    }
    ap_answer_free(&a);
}

void ap_http_handle_answer_delete(struct ap_http_request *req, struct ap_http_response *res)
{
    struct ap_error err;
    ap_error_clear(&err);
    if (ap_answers_delete(req->answers, req->store, req->account.id, req->params[0], &err) !=
        AP_OK)
        return fail(res, &err);
    res->status = 204;
    res->content_type = "application/json";
}

/* The match request: {"question": …, "language": …, "limit": …}. */
struct match_request {
    const char *question;
    size_t len;
    const char *language;
    size_t limit;
};

static enum ap_status read_match_request(const struct ap_json_object *obj,
                                         struct match_request *m, struct ap_error *err)
{
    const struct ap_json_member *q = ap_json_get(obj, "question");
    const struct ap_json_member *lang = ap_json_get(obj, "language");
    const struct ap_json_member *limit = ap_json_get(obj, "limit");
    if (q == NULL || q->kind != AP_JSON_STRING || q->str_len == 0 ||
        q->str_len > AP_MATCH_QUESTION_MAX)
        return ap_error_set(err, AP_INVALID, "question",
                            "\"question\": required, a string of 1-%d bytes",
                            AP_MATCH_QUESTION_MAX);
    m->question = q->str;
    m->len = q->str_len;
    m->language = NULL;
    if (lang && lang->kind != AP_JSON_NULL) {
        if (lang->kind != AP_JSON_STRING)
            return ap_error_set(err, AP_INVALID, "language", "\"language\": must be a string");
        if (ap_answer_check_language(lang->str, err) != AP_OK)
            return AP_INVALID;
        m->language = lang->str;
    }
    m->limit = 3;
    if (limit && limit->kind != AP_JSON_NULL) {
        if (limit->kind != AP_JSON_NUMBER || limit->number < 1 ||
            limit->number > AP_MATCH_LIMIT_MAX || limit->number != (double)(size_t)limit->number)
            return ap_error_set(err, AP_INVALID, "limit", "\"limit\": a whole number from 1 to %d",
                                AP_MATCH_LIMIT_MAX);
        m->limit = (size_t)limit->number;
    }
    return AP_OK;
}

/* Candidates carry the answer's question, read from the store: the matcher
 * holds no text. */
static void write_match(struct ap_http_request *req, const struct ap_match_result *r,
                        struct ap_buf *out)
{
    ap_buf_append_str(out, "{\"match\":");
    if (r->matched) {
        ap_buf_append_str(out, "{\"id\":");
        ap_buf_append_json_string(out, r->candidates[0].id, strlen(r->candidates[0].id));
        ap_buf_printf(out, ",\"score\":%.4f}", r->candidates[0].score);
    } else {
        ap_buf_append_str(out, "null");
    }
    ap_buf_printf(out, ",\"threshold\":%.4f,\"candidates\":[", r->threshold);
    for (size_t i = 0; i < r->n; i++) {
        struct ap_answer a;
        ap_buf_append_str(out, i ? ",{\"id\":" : "{\"id\":");
        ap_buf_append_json_string(out, r->candidates[i].id, strlen(r->candidates[i].id));
        ap_buf_printf(out, ",\"score\":%.4f,\"question\":", r->candidates[i].score);
        if (ap_store_get_answer(req->store, req->account.id, r->candidates[i].id, &a, NULL) ==
            AP_OK) {
            ap_buf_append_json_string(out, a.question, strlen(a.question));
            ap_answer_free(&a);
        } else {
            ap_buf_append_str(out, "null");
        }
        ap_buf_append_char(out, '}');
    }
    ap_buf_append_str(out, "]}");
}

void ap_http_handle_answers_match(struct ap_http_request *req, struct ap_http_response *res)
{
    struct ap_json_object obj;
    struct match_request m = {0};
    struct ap_match_result r;
    struct ap_error err;
    ap_error_clear(&err);
    if (ap_json_parse_object(body_text(req), req->body.len, &obj, &err) != AP_OK)
        return fail(res, &err);
    if (read_match_request(&obj, &m, &err) == AP_OK &&
        ap_answers_match(req->answers, req->store, &req->account, m.question, m.len,
                         m.language, m.limit, &r, &err) == AP_OK) {
        write_match(req, &r, &res->body);
        res->status = 200;
        res->content_type = "application/json";
    } else {
        fail(res, &err);
    }
    ap_json_object_free(&obj);
}
