/* Event ingestion: NDJSON in, per-line verdicts out, valid events stored once.
 * The CLI (`agentperf ingest`), the HTTP API (POST /v1/events) and the
 * simulator all come through here. */
#ifndef AP_INGEST_H
#define AP_INGEST_H

#include "ingest/event.h"
#include "ingest/ndjson.h"
#include "store/store.h"

#define AP_INGEST_MAX_LINE_DEFAULT (1u << 20)
#define AP_INGEST_BATCH_DEFAULT 5000
/* How far ahead of the clock an event's `at` may be (docs/events.md): agents'
 * clocks drift and batches queue, but an event dated in the future would count
 * in a week that has not begun and sort first until that date. */
#define AP_INGEST_MAX_FUTURE_DEFAULT_S 3600

struct ap_ingest_options {
    size_t max_line;   /* bytes in one NDJSON line */
    size_t batch;      /* events per transaction */
    int64_t max_future_s; /* latest accepted `at`: now plus this; 0: no bound */
};

void ap_ingest_options_init(struct ap_ingest_options *opts);
/* AP_INVALID naming `at` when the event is dated more than opts->max_future_s
 * after now_us. */
enum ap_status ap_ingest_check_at(const struct ap_ingest_options *opts, const struct ap_event *ev,
                                  int64_t now_us, struct ap_error *err);

struct ap_ingest_counts {
    uint64_t stored, duplicate, conflict, rejected;
};

/* A line that was not stored: rejected (with the field and rule) or in
 * conflict with a stored event of the same id. */
struct ap_ingest_problem {
    size_t line;
    enum ap_verdict verdict;
    char id[4 * AP_EVENT_ID_MAX_CHARS + 1];
    char field[64];
    char message[256];
};

/* Called once per problem line, in line order. */
typedef void (*ap_ingest_problem_fn)(void *ctx, const struct ap_ingest_problem *problem);

/* Reads every line of r, validates it and stores the valid events of each batch
 * in one transaction. Returns AP_OK when every line got a verdict; otherwise the
 * error that stopped it (counts then cover the batches already committed, and
 * nothing of the failed batch is stored). */
enum ap_status ap_ingest_ndjson(struct ap_store *store, int64_t account_id,
                                struct ap_ndjson_reader *r, const struct ap_ingest_options *opts,
                                ap_ingest_problem_fn on_problem, void *ctx,
                                struct ap_ingest_counts *counts, struct ap_error *err);

/* Stores already parsed events in one transaction (retried when busy); fills
 * verdicts[i] for events[i]. The events stay owned by the caller. */
enum ap_status ap_ingest_events(struct ap_store *store, int64_t account_id,
                                struct ap_event *events, size_t n, enum ap_verdict *verdicts,
                                struct ap_error *err);

#endif
