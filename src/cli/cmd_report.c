/* `agentperf report`: the report document of SPEC §4.1 on stdout, the same
 * code path as GET /v1/reports. --now fixes the clock. `agentperf
 * conversations`: the conversations behind a figure, as GET /v1/conversations;
 * CSV and NDJSON export every page. */
#include <string.h>

#include "cli/cli.h"
#include "reports/reports.h"

/* A note of the document on stderr: the figures are 0, and why. */
static void print_note(struct ap_cli_args *args, const char *field, const char *value)
{
    struct ap_buf text;
    ap_buf_init(&text, 1024);
    ap_report_note_text(field, value, &text);
    fputs("agentperf: note: ", args->err);
    ap_cli_print_text(args->err, text.data);
    fputs(": every figure is 0\n", args->err);
    ap_buf_free(&text);
}

int ap_cmd_report(struct ap_cli_args *args)
{
    struct ap_report_params params = {
        .from = ap_cli_get(args, "from"),
        .to = ap_cli_get(args, "to"),
        .granularity = ap_cli_get(args, "granularity"),
        .channel = ap_cli_get(args, "channel"),
        .format = ap_cli_get(args, "format"),
        .now = ap_cli_get(args, "now"),
        .language = ap_cli_get(args, "language"),
    };
    struct ap_report_query q;
    struct ap_error err;
    struct ap_account account;
    if (ap_report_query_parse(&params, ap_time_now_us(), &q, &err) != AP_OK)
        return ap_cli_usage_error(args, "%s", err.message);
    if (args->n_positionals > 0) {
        q.reports = 0;
        for (int i = 0; i < args->n_positionals; i++) {
            enum ap_report r;
            if (!ap_report_parse(args->positionals[i], &r))
                return ap_cli_usage_error(args, "unknown report \"%s\"", args->positionals[i]);
            q.reports |= 1u << r;
        }
    }
    struct ap_store *store = ap_cli_open_store(args);
    if (store == NULL || !ap_cli_account(args, store, &account)) {
        ap_store_destroy(store);
        return AP_EXIT_FAILED;
    }
    struct ap_buf out;
    ap_buf_init(&out, (size_t)1 << 30);
    ap_error_clear(&err);
    enum ap_status rc = ap_reports_ensure_fresh(store, &account, &err);
    struct ap_report_notes notes = {false, false};
    if (rc == AP_OK)
        rc = ap_reports_render(store, &account, &q, &out, &notes, &err);
    if (notes.channel_unseen)
        print_note(args, "channel", q.channel);
    if (notes.language_unseen)
        print_note(args, "language", q.language);
    ap_store_destroy(store);
    if (rc == AP_OK)
        ap_cli_write_text(args->out, out.data, out.len, true);
    ap_buf_free(&out);
    return rc == AP_OK ? AP_EXIT_OK : ap_cli_fail(args, &err);
}

/* Writes every page of an export (CSV, NDJSON) to out, the CSV header once. */
static enum ap_status export_pages(struct ap_cli_args *args, struct ap_store *store,
                                   const struct ap_account *account, struct ap_conv_query *q,
                                   struct ap_error *err)
{
    struct ap_buf page;
    char next[AP_CONV_CURSOR_MAX];
    enum ap_status rc;
    ap_buf_init(&page, (size_t)1 << 30);
    for (bool first = true;; first = false) {
        ap_buf_reset(&page);
        rc = ap_reports_list_conversations(store, account, q, &page, next, err);
        if (rc != AP_OK)
            break;
        size_t skip = 0;
        if (!first && q->format == AP_CONV_CSV) /* the header line of a later page */
            while (skip < page.len && page.data[skip++] != '\n')
                ;
        if (page.len > skip)
            fwrite(page.data + skip, 1, page.len - skip, args->out);
        if (next[0] == '\0')
            break;
        struct ap_conv_params again = {.cursor = next};
        struct ap_conv_query step;
        if (ap_conv_query_parse(&again, q->range.now_us, &step, err) != AP_OK)
            break;
        q->has_cursor = true;
        q->cursor_started_us = step.cursor_started_us;
        memcpy(q->cursor_id, step.cursor_id, sizeof q->cursor_id);
    }
    ap_buf_free(&page);
    return rc;
}

int ap_cmd_conversations(struct ap_cli_args *args)
{
    struct ap_conv_params params = {
        .range = {.from = ap_cli_get(args, "from"),
                  .to = ap_cli_get(args, "to"),
                  .channel = ap_cli_get(args, "channel"),
                  .now = ap_cli_get(args, "now")},
        .metric = ap_cli_get(args, "metric"),
        .resolver = ap_cli_get(args, "resolver"),
        .reason = ap_cli_get(args, "reason"),
        .assignee = ap_cli_get(args, "assignee"),
        .language = ap_cli_get(args, "language"),
        .format = ap_cli_get(args, "format"),
        .cursor = ap_cli_get(args, "cursor"),
        .limit = ap_cli_get(args, "limit"),
    };
    struct ap_conv_query q;
    struct ap_error err;
    ap_error_clear(&err);
    if (ap_conv_query_parse(&params, ap_time_now_us(), &q, &err) != AP_OK)
        return ap_cli_usage_error(args, "%s", err.message);
    struct ap_account account;
    struct ap_store *store = ap_cli_open_store(args);
    if (store == NULL || !ap_cli_account(args, store, &account)) {
        ap_store_destroy(store);
        return AP_EXIT_FAILED;
    }
    enum ap_status rc = ap_reports_ensure_fresh(store, &account, &err);
    if (rc == AP_OK && ap_cli_get(args, "id")) {
        struct ap_buf out;
        ap_buf_init(&out, (size_t)1 << 30);
        rc = ap_reports_conversation_json(store, &account, ap_cli_get(args, "id"), q.range.now_us,
                                          &out, &err);
        if (rc == AP_OK)
            ap_cli_write_text(args->out, out.data, out.len, true);
        ap_buf_free(&out);
    } else if (rc == AP_OK && q.format != AP_CONV_JSON) {
        rc = export_pages(args, store, &account, &q, &err);
    } else if (rc == AP_OK) {
        struct ap_buf out;
        char next[AP_CONV_CURSOR_MAX];
        ap_buf_init(&out, (size_t)1 << 30);
        rc = ap_reports_list_conversations(store, &account, &q, &out, next, &err);
        if (rc == AP_OK)
            ap_cli_write_text(args->out, out.data, out.len, true);
        ap_buf_free(&out);
    }
    ap_store_destroy(store);
    return rc == AP_OK ? AP_EXIT_OK : ap_cli_fail(args, &err);
}
