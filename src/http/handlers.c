/* Handlers of the foundation endpoints: health, who the token is, and event
 * ingestion. */
#include <string.h>

#include "http/http.h"
#include "ingest/ingest.h"

/* New questions may be stored: the model server's worker starts on their
 * vectors at once, and the topic worker waits for them a bounded time. */
static void note_stored(struct ap_http_request *req)
{
    if (req->embedder)
        ap_embedder_note(req->embedder, req->account.id);
    ap_gap_worker_note(req->gap_worker, req->account.id);
}

void ap_http_handle_health(struct ap_http_request *req, struct ap_http_response *res)
{
    struct ap_error err;
    ap_error_clear(&err);
    if (ap_store_ping(req->store, &err) == AP_OK) {
        /* The model server's state is a detail: agentperf works without it. */
        res->status = 200;
        res->content_type = "application/json";
        ap_buf_append_str(&res->body, "{\"status\":\"ok\",\"db\":\"ok\"");
        if (req->embedder) {
            ap_buf_append_char(&res->body, ',');
            ap_embedder_health_json(req->embedder, &res->body);
        }
        ap_buf_append_char(&res->body, '}');
        return;
    }
    ap_http_health_unavailable(res, &err);
}

void ap_http_health_unavailable(struct ap_http_response *res, const struct ap_error *err)
{
    res->status = 503;
    res->content_type = "application/json";
    ap_buf_reset(&res->body);
    ap_buf_append_str(&res->body, "{\"status\":\"unavailable\",\"db\":");
    ap_buf_append_json_string(&res->body, err->message, strlen(err->message));
    ap_buf_append_char(&res->body, '}');
}

/* GET /v1/me: the token's account and role, so a client (the dashboard) knows
 * what it may offer before it tries. */
void ap_http_handle_me(struct ap_http_request *req, struct ap_http_response *res)
{
    const struct ap_account *a = &req->account;
    const char *role = ap_role_name(req->token.role);
    res->status = 200;
    res->content_type = "application/json";
    ap_buf_append_str(&res->body, "{\"account\":");
    ap_buf_append_json_string(&res->body, a->name, strlen(a->name));
    ap_buf_append_str(&res->body, ",\"role\":");
    ap_buf_append_json_string(&res->body, role, strlen(role));
    ap_buf_append_str(&res->body, ",\"time_zone\":");
    ap_buf_append_json_string(&res->body, a->time_zone, strlen(a->time_zone));
    ap_buf_append_str(&res->body, ",\"default_language\":");
    ap_buf_append_json_string(&res->body, a->default_language, strlen(a->default_language));
    ap_buf_append_char(&res->body, '}');
}

struct problem_list {
    struct ap_buf *out;
    size_t count;
};

static void append_problem(void *ctx, const struct ap_ingest_problem *p)
{
    struct problem_list *list = ctx;
    struct ap_buf *b = list->out;
    ap_buf_printf(b, "%s{\"line\":%zu,\"id\":", list->count++ ? "," : "", p->line);
    if (p->id[0])
        ap_buf_append_json_string(b, p->id, strlen(p->id));
    else
        ap_buf_append_str(b, "null");
    ap_buf_printf(b, ",\"status\":\"%s\",\"field\":", ap_verdict_name(p->verdict));
    if (p->field[0])
        ap_buf_append_json_string(b, p->field, strlen(p->field));
    else
        ap_buf_append_str(b, "null");
    ap_buf_append_str(b, ",\"message\":");
    ap_buf_append_json_string(b, p->message, strlen(p->message));
    ap_buf_append_char(b, '}');
}

/* A single JSON object: the answer is the event's own verdict, as a status. */
static void ingest_single(struct ap_http_request *req, struct ap_http_response *res)
{
    struct ap_event ev;
    struct ap_error err;
    enum ap_verdict verdict;
    struct ap_ingest_options opts;
    ap_ingest_options_init(&opts);
    opts.max_future_s = req->config->max_future_s;
    if (ap_event_parse(req->body.data ? req->body.data : "", req->body.len, &ev, &err) != AP_OK) {
        ap_http_metrics_events(req->metrics, 0, 0, 0, 1);
        ap_http_error(res, &err);
        return;
    }
    if (ap_ingest_check_at(&opts, &ev, ap_time_now_us(), &err) != AP_OK) {
        ap_event_free(&ev);
        ap_http_metrics_events(req->metrics, 0, 0, 0, 1);
        ap_http_error(res, &err);
        return;
    }
    enum ap_status rc = ap_ingest_events(req->store, req->account.id, &ev, 1, &verdict, &err);
    ap_event_free(&ev);
    if (rc != AP_OK) {
        ap_http_error(res, &err);
        return;
    }
    ap_http_metrics_events(req->metrics, verdict == AP_VERDICT_STORED,
                           verdict == AP_VERDICT_DUPLICATE, verdict == AP_VERDICT_CONFLICT, 0);
    if (verdict == AP_VERDICT_STORED)
        note_stored(req);
    if (verdict == AP_VERDICT_CONFLICT) {
        ap_error_set(&err, AP_CONFLICT, "id",
                     "\"id\": already stored with different content; the stored event is kept");
        ap_http_error(res, &err);
        return;
    }
    res->status = 200;
    res->content_type = "application/json";
    ap_buf_printf(&res->body, "{\"stored\":%d,\"duplicate\":%d,\"conflict\":0,\"rejected\":0,"
                              "\"problems\":[]}",
                  verdict == AP_VERDICT_STORED, verdict == AP_VERDICT_DUPLICATE);
}

/* Lines that hold more than white space: the events a body carries. */
static size_t count_lines(const char *data, size_t len)
{
    size_t n = 0;
    bool blank = true;
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (c == '\n') {
            n += !blank;
            blank = true;
        } else if (c != ' ' && c != '\t' && c != '\r') {
            blank = false;
        }
    }
    return n + !blank;
}

static void ingest_ndjson(struct ap_http_request *req, struct ap_http_response *res)
{
    struct ap_ingest_options opts;
    struct ap_ingest_counts counts = {0};
    struct ap_ndjson_reader reader;
    struct ap_buf problems;
    struct ap_error err;
    struct problem_list list = {&problems, 0};
    size_t max_events = req->config->max_events;
    if (max_events && count_lines(req->body.data, req->body.len) > max_events) {
        /* Refused whole, before anything is stored: the client splits and resends. */
        ap_error_set(&err, AP_TOO_LARGE, "body",
                     "\"body\": more than %zu events in one request (max_events)", max_events);
        ap_http_error(res, &err);
        return;
    }
    ap_ingest_options_init(&opts);
    opts.max_line = req->config->max_line;
    opts.max_future_s = req->config->max_future_s;
    ap_buf_init(&problems, req->config->max_response);
    ap_ndjson_init_memory(&reader, req->body.data ? req->body.data : "", req->body.len,
                          opts.max_line);
    ap_error_clear(&err);
    enum ap_status rc = ap_ingest_ndjson(req->store, req->account.id, &reader, &opts,
                                         append_problem, &list, &counts, &err);
    ap_ndjson_free(&reader);
    ap_http_metrics_events(req->metrics, counts.stored, counts.duplicate, counts.conflict,
                           counts.rejected);
    if (counts.stored > 0)
        note_stored(req);
    if (rc != AP_OK) {
        ap_buf_free(&problems);
        ap_http_error(res, &err);
        return;
    }
    res->status = 200;
    res->content_type = "application/json";
    ap_buf_printf(&res->body,
                  "{\"stored\":%llu,\"duplicate\":%llu,\"conflict\":%llu,\"rejected\":%llu,"
                  "\"problems\":[",
                  (unsigned long long)counts.stored, (unsigned long long)counts.duplicate,
                  (unsigned long long)counts.conflict, (unsigned long long)counts.rejected);
    ap_buf_append_buf(&res->body, &problems);
    ap_buf_append_str(&res->body, "]}");
    ap_buf_free(&problems);
}

/* The route table admits only the two media types of this endpoint. */
void ap_http_handle_events(struct ap_http_request *req, struct ap_http_response *res)
{
    struct ap_error err;
    if (req->body.len == 0) {
        ap_error_set(&err, AP_INVALID, "body", "\"body\": empty; send at least one event");
        ap_http_error(res, &err);
    } else if (ap_http_media_type_is(req->content_type, "application/x-ndjson")) {
        ingest_ndjson(req, res);
    } else {
        ingest_single(req, res);
    }
}

/* The OpenAPI document (src/http/openapi.json), embedded at build time. */
extern const char ap_openapi_json[];
extern const size_t ap_openapi_json_len;

void ap_http_handle_openapi(struct ap_http_request *req, struct ap_http_response *res)
{
    (void)req;
    ap_http_json(res, 200, ap_openapi_json, ap_openapi_json_len);
}
