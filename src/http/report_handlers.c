/* GET /v1/reports and GET /v1/reports/{name}: the report document, as JSON or
 * CSV, for the token's account at the server's clock. */
#include <stdio.h>
#include <string.h>

#include "http/http.h"
#include "reports/reports.h"

/* The value of the envelope's "now" member in a JSON report document, found
 * as the first `,"now":"` (the account name before it is an escaped string, so
 * it cannot hold that sequence unescaped). Leaves *len 0 when there is none
 * (CSV). */
static void find_now_member(const struct ap_buf *body, size_t *offset, size_t *len)
{
    static const char key[] = ",\"now\":\"";
    *offset = *len = 0;
    if (body->data == NULL)
        return;
    const char *start = strstr(body->data, key);
    if (start == NULL)
        return;
    start += sizeof key - 1;
    const char *end = strchr(start, '"');
    if (end == NULL)
        return;
    *offset = (size_t)(start - body->data);
    *len = (size_t)(end - start);
}

static void serve_reports(struct ap_http_request *req, struct ap_http_response *res,
                          unsigned reports, const char *name)
{
    struct ap_report_params params = {
        .from = ap_http_query(req, "from"),
        .to = ap_http_query(req, "to"),
        .granularity = ap_http_query(req, "granularity"),
        .channel = ap_http_query(req, "channel"),
        .format = ap_http_query(req, "format"),
        .now = ap_http_query(req, "now"),
        .language = ap_http_query(req, "language"),
    };
    struct ap_report_query q;
    struct ap_error err;
    ap_error_clear(&err);
    if (ap_report_query_parse(&params, ap_time_now_us(), &q, &err) != AP_OK ||
        ap_reports_ensure_fresh(req->store, &req->account, &err) != AP_OK) {
        ap_http_error(res, &err);
        return;
    }
    if (q.format == AP_FORMAT_TABLE) {
        ap_error_set(&err, AP_INVALID, "format", "\"format\": must be json or csv");
        ap_http_error(res, &err);
        return;
    }
    q.reports = reports;
    if (ap_reports_render(req->store, &req->account, &q, &res->body, NULL, &err) != AP_OK) {
        ap_http_error(res, &err);
        return;
    }
    res->status = 200;
    if (q.format == AP_FORMAT_CSV) {
        res->content_type = "text/csv; charset=utf-8";
        snprintf(res->content_disposition, sizeof res->content_disposition,
                 "attachment; filename=\"%s.csv\"", name);
    } else {
        res->content_type = "application/json";
    }
    /* The dashboard polls the page call; an unchanged document costs a 304.
     * Without a now parameter the document's "now" is the server's clock, new
     * on every call: it is left out of the tag, so the tag changes when a
     * figure does. */
    size_t offset = 0, len = 0;
    if (params.now == NULL)
        find_now_member(&res->body, &offset, &len);
    ap_http_conditional_except(req, res, offset, len);
}

void ap_http_handle_reports(struct ap_http_request *req, struct ap_http_response *res)
{
    serve_reports(req, res, AP_REPORTS_ALL, "reports");
}

void ap_http_handle_report(struct ap_http_request *req, struct ap_http_response *res)
{
    enum ap_report r;
    if (!ap_report_parse(req->params[0], &r)) {
        struct ap_error err;
        ap_error_set(&err, AP_NOT_FOUND, "name", "no report named \"%.64s\"", req->params[0]);
        ap_http_error(res, &err);
        return;
    }
    serve_reports(req, res, 1u << r, ap_report_name(r));
}

/* GET /v1/conversations: the conversations behind a figure (SPEC §4.1), a
 * page of JSON, or CSV / NDJSON for export. The next page's cursor is in the
 * JSON, and for the exports in an X-Next-Cursor header. */
void ap_http_handle_conversations(struct ap_http_request *req, struct ap_http_response *res)
{
    struct ap_conv_params params = {
        .range = {.from = ap_http_query(req, "from"),
                  .to = ap_http_query(req, "to"),
                  .channel = ap_http_query(req, "channel"),
                  .now = ap_http_query(req, "now")},
        .metric = ap_http_query(req, "metric"),
        .resolver = ap_http_query(req, "resolver"),
        .reason = ap_http_query(req, "reason"),
        .assignee = ap_http_query(req, "assignee"),
        .language = ap_http_query(req, "language"),
        .format = ap_http_query(req, "format"),
        .cursor = ap_http_query(req, "cursor"),
        .limit = ap_http_query(req, "limit"),
    };
    struct ap_conv_query q;
    struct ap_error err;
    char next[AP_CONV_CURSOR_MAX];
    ap_error_clear(&err);
    if (ap_conv_query_parse(&params, ap_time_now_us(), &q, &err) != AP_OK ||
        ap_reports_ensure_fresh(req->store, &req->account, &err) != AP_OK ||
        ap_reports_list_conversations(req->store, &req->account, &q, &res->body, next, &err) !=
            AP_OK) {
        ap_http_error(res, &err);
        return;
    }
    res->status = 200;
    static const char *const types[] = {"application/json", "text/csv; charset=utf-8",
                                        "application/x-ndjson"};
    res->content_type = types[q.format];
    if (q.format != AP_CONV_JSON)
        snprintf(res->content_disposition, sizeof res->content_disposition,
                 "attachment; filename=\"conversations.%s\"", q.format == AP_CONV_CSV ? "csv" : "ndjson");
    if (q.format != AP_CONV_JSON)
        ap_copy_str(res->next_cursor, sizeof res->next_cursor, next);
}

/* GET /v1/conversations/{id}: one conversation's derived state and its events
 * in order, as of the server's clock or `now`. */
void ap_http_handle_conversation(struct ap_http_request *req, struct ap_http_response *res)
{
    struct ap_error err;
    int64_t now_us = ap_time_now_us();
    const char *now = ap_http_query(req, "now");
    ap_error_clear(&err);
    if (now && !ap_time_parse_rfc3339(now, strlen(now), &now_us)) {
        ap_error_set(&err, AP_INVALID, "now", "\"now\": not an RFC 3339 timestamp");
        ap_http_error(res, &err);
        return;
    }
    if (ap_reports_ensure_fresh(req->store, &req->account, &err) != AP_OK ||
        ap_reports_conversation_json(req->store, &req->account, req->params[0], now_us,
                                     &res->body, &err) != AP_OK) {
        ap_buf_reset(&res->body);
        ap_http_error(res, &err);
        return;
    }
    res->status = 200;
    res->content_type = "application/json";
}

_Static_assert(sizeof((struct ap_http_response *)0)->next_cursor >= AP_CONV_CURSOR_MAX,
               "a cursor fits the header");
