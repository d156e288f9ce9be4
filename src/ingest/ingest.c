/* Batching of parsed events into store transactions. A batch either commits
 * whole or not at all, so a crash never leaves half of it. */
#include "ingest/ingest.h"

#include "gaps/gaps.h"
#include "reports/reports.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ap_ingest_options_init(struct ap_ingest_options *opts)
{
    opts->max_line = AP_INGEST_MAX_LINE_DEFAULT;
    opts->batch = AP_INGEST_BATCH_DEFAULT;
    opts->max_future_s = AP_INGEST_MAX_FUTURE_DEFAULT_S;
}

enum ap_status ap_ingest_check_at(const struct ap_ingest_options *opts, const struct ap_event *ev,
                                  int64_t now_us, struct ap_error *err)
{
    if (opts->max_future_s <= 0 || ev->at_us - now_us <= opts->max_future_s * AP_USEC_PER_SEC)
        return AP_OK;
    return ap_error_set(err, AP_INVALID, "at",
                        "\"at\": more than %lld s ahead of the server's clock (max_future)",
                        (long long)opts->max_future_s);
}

struct store_batch {
    int64_t account_id;
    struct ap_event *events;
    size_t n;
    enum ap_verdict *verdicts;
};

/* Inserts the batch, records its unanswered questions and brings the report
 * aggregates up to date, all in the same transaction: figures never disagree
 * with the stored events. */
static enum ap_status store_batch_txn(struct ap_store *store, void *ctx, struct ap_error *err)
{
    struct store_batch *b = ctx;
    struct ap_account account;
    enum ap_status rc = ap_store_lock_events(store, b->account_id, b->events, b->n, err);
    if (rc == AP_OK)
        rc = ap_store_get_account(store, b->account_id, &account, err);
    if (rc != AP_OK)
        return rc;
    rc = ap_store_insert_events(store, b->account_id, b->events, b->n, b->verdicts, err);
    if (rc != AP_OK)
        return rc;
    rc = ap_gaps_record(store, b->account_id, b->events, b->verdicts, b->n, err);
    if (rc != AP_OK)
        return rc;
    return ap_reports_apply(store, &account, b->events, b->verdicts, b->n, err);
}

enum ap_status ap_ingest_events(struct ap_store *store, int64_t account_id,
                                struct ap_event *events, size_t n, enum ap_verdict *verdicts,
                                struct ap_error *err)
{
    struct store_batch b = {account_id, events, n, verdicts};
    if (n == 0)
        return AP_OK;
    return ap_store_transact(store, store_batch_txn, &b, err);
}

/* Lines of one batch: parsed events and where each came from, and the lines
 * rejected meanwhile, so that problems are reported in line order. */
struct pending {
    struct ap_event *events;
    size_t *lines;
    enum ap_verdict *verdicts;
    size_t n, cap;
    struct ap_ingest_problem *rejects;
    size_t n_rejects, cap_rejects;
};

static void fill_problem(struct ap_ingest_problem *p, size_t line, enum ap_verdict verdict,
                         const char *id, const char *field, const char *message)
{
    p->line = line;
    p->verdict = verdict;
    ap_copy_str(p->id, sizeof p->id, id);
    ap_copy_str(p->field, sizeof p->field, field);
    ap_copy_str(p->message, sizeof p->message, message);
}

/* Reports the batch's rejections that come before `line`. */
static void report_rejects_before(struct pending *p, size_t *next, size_t line,
                                  ap_ingest_problem_fn fn, void *ctx)
{
    while (*next < p->n_rejects && p->rejects[*next].line < line) {
        if (fn)
            fn(ctx, &p->rejects[*next]);
        (*next)++;
    }
}

static enum ap_status flush(struct ap_store *store, int64_t account_id, struct pending *p,
                            ap_ingest_problem_fn fn, void *ctx, struct ap_ingest_counts *counts,
                            struct ap_error *err)
{
    enum ap_status rc = ap_ingest_events(store, account_id, p->events, p->n, p->verdicts, err);
    size_t next_reject = 0;
    for (size_t i = 0; i < p->n; i++) {
        if (rc == AP_OK) {
            report_rejects_before(p, &next_reject, p->lines[i], fn, ctx);
            switch (p->verdicts[i]) {
            case AP_VERDICT_STORED: counts->stored++; break;
            case AP_VERDICT_DUPLICATE: counts->duplicate++; break;
            default: {
                struct ap_ingest_problem prob;
                counts->conflict++;
                fill_problem(&prob, p->lines[i], AP_VERDICT_CONFLICT, p->events[i].id, "id",
                             "\"id\": already stored with different content; the stored event "
                             "is kept");
                if (fn)
                    fn(ctx, &prob);
            }
            }
        }
        ap_event_free(&p->events[i]);
    }
    if (rc == AP_OK)
        report_rejects_before(p, &next_reject, SIZE_MAX, fn, ctx);
    p->n = 0;
    p->n_rejects = 0;
    return rc;
}

static void reject(struct pending *p, size_t line, const char *text, size_t len,
                   const struct ap_error *e, struct ap_ingest_counts *counts)
{
    char id[4 * AP_EVENT_ID_MAX_CHARS + 1] = "";
    if (text != NULL)
        ap_event_peek_id(text, len, id, sizeof id);
    if (p->n_rejects == p->cap_rejects) {
        p->cap_rejects = p->cap_rejects ? 2 * p->cap_rejects : 16;
        p->rejects = ap_realloc(p->rejects, p->cap_rejects * sizeof *p->rejects);
    }
    fill_problem(&p->rejects[p->n_rejects++], line, AP_VERDICT_REJECTED, id, e->field, e->message);
    counts->rejected++;
}

enum ap_status ap_ingest_ndjson(struct ap_store *store, int64_t account_id,
                                struct ap_ndjson_reader *r, const struct ap_ingest_options *opts,
                                ap_ingest_problem_fn on_problem, void *ctx,
                                struct ap_ingest_counts *counts, struct ap_error *err)
{
    struct pending p = {0};
    enum ap_status rc = AP_OK;
    size_t batch = opts->batch ? opts->batch : AP_INGEST_BATCH_DEFAULT;
    p.cap = batch;
    p.events = ap_calloc(batch, sizeof *p.events);
    p.lines = ap_calloc(batch, sizeof *p.lines);
    p.verdicts = ap_calloc(batch, sizeof *p.verdicts);

    for (;;) {
        const char *line;
        size_t len;
        enum ap_ndjson_result res = ap_ndjson_next(r, &line, &len);
        if (res == AP_NDJSON_END)
            break;
        if (res == AP_NDJSON_IO_ERROR) {
            rc = ap_error_set(err, AP_IO, "", "read error after line %zu", r->line_no);
            break;
        }
        struct ap_error e;
        if (res == AP_NDJSON_TOO_LONG) {
            ap_error_set(&e, AP_TOO_LARGE, "", "line longer than %zu bytes", opts->max_line);
            reject(&p, r->line_no, NULL, 0, &e, counts);
            continue;
        }
        if (ap_event_parse(line, len, &p.events[p.n], &e) != AP_OK) {
            reject(&p, r->line_no, line, len, &e, counts);
            continue;
        }
        if (ap_ingest_check_at(opts, &p.events[p.n], ap_time_now_us(), &e) != AP_OK) {
            ap_event_free(&p.events[p.n]);
            reject(&p, r->line_no, line, len, &e, counts);
            continue;
        }
        p.lines[p.n++] = r->line_no;
        if (p.n == p.cap && (rc = flush(store, account_id, &p, on_problem, ctx, counts, err)) != AP_OK)
            break;
    }
    if (rc == AP_OK)
        rc = flush(store, account_id, &p, on_problem, ctx, counts, err);
    else
        for (size_t i = 0; i < p.n; i++)
            ap_event_free(&p.events[i]);
    free(p.events);
    free(p.rejects);
    free(p.lines);
    free(p.verdicts);
    return rc;
}
