/* The demo-data simulator (`agentperf simulate`): realistic conversations of an
 * AI customer agent and its human team, written as NDJSON event lines that go
 * through the one validating parser and the normal ingest path, so nothing the
 * simulator produces could not have come from a real client. */
#ifndef AP_SIMULATE_H
#define AP_SIMULATE_H

#include "core/core.h"
#include "ingest/ingest.h"

/* What to simulate. The backfill covers the local days (in `time_zone`) from
 * weeks*7-1 days before the day of `now_us` through that day, and stops at
 * `now_us`: nothing in the future is stored.
 *
 * Every conversation of the backfill is a function of (seed, local day, its
 * number that day) alone, so runs with the same seed agree on every event they
 * both produce: a second run stores only what happened since the first (by the
 * same `now_us`: nothing), whatever --weeks or --conversations-per-day say.
 * Changing the zone moves the start times and so gives conflicts. */
struct ap_sim_config {
    uint64_t seed;
    unsigned weeks;                 /* 1 .. AP_SIM_MAX_WEEKS */
    unsigned conversations_per_day; /* average over a week, 1 .. AP_SIM_MAX_PER_DAY */
    int64_t now_us;
    const char *time_zone;          /* IANA zone; borrowed for ap_sim_new only */
    /* Distinguishes the live conversations of this run from those of other
     * runs with the same seed (their ids carry it); the command passes its
     * start time. */
    uint64_t live_tag;
    /* Keep the events that fall after now_us (ticket closes, replies) so that
     * live mode can emit them when their time comes. */
    bool keep_future;
};

#define AP_SIM_MAX_WEEKS 520
#define AP_SIM_MAX_PER_DAY 100000
/* Live mode holds at most this many future events; beyond it a conversation's
 * later events are dropped (a ticket that never closes, a visitor who never
 * comes back), which keeps memory bounded however long it runs. */
#define AP_SIM_QUEUE_MAX 100000

/* Receives one event as a line of JSON (no newline). The text is valid during
 * the call only. A status other than AP_OK stops the generator and is passed
 * back to its caller. */
typedef enum ap_status (*ap_sim_emit_fn)(void *ctx, const char *line, size_t len,
                                         struct ap_error *err);

struct ap_sim;

/* Creates a simulator; the caller owns *out and releases it with
 * ap_sim_destroy (which accepts NULL). AP_INVALID for an unknown zone or a
 * size out of range. */
enum ap_status ap_sim_new(const struct ap_sim_config *config, struct ap_sim **out,
                          struct ap_error *err);
void ap_sim_destroy(struct ap_sim *sim);

/* The backfill, one local day at a time so that a caller can stop between
 * days: day_index runs from 0 to ap_sim_days()-1, oldest first. Emits every
 * event of the day's conversations that happened by now_us; later ones are
 * queued for live mode when keep_future is set, else dropped. *conversations
 * (when not NULL) is increased by the number of conversations started. */
size_t ap_sim_days(const struct ap_sim *sim);
enum ap_status ap_sim_backfill_day(struct ap_sim *sim, size_t day_index, ap_sim_emit_fn emit,
                                   void *ctx, uint64_t *conversations, struct ap_error *err);

/* One step of live mode at wall time now_us: emits every queued event that is
 * due, then starts new conversations (each emits its conversation.started at
 * once and queues the rest) until `budget` events were emitted in this call.
 * *emitted receives the number of events emitted. */
enum ap_status ap_sim_live_step(struct ap_sim *sim, int64_t now_us, uint64_t budget,
                                ap_sim_emit_fn emit, void *ctx, uint64_t *emitted,
                                struct ap_error *err);

/* Feeds emitted lines through ap_event_parse into batches stored with
 * ap_ingest_events, and keeps the counts of `agentperf ingest`. A line the
 * parser rejects is counted and reported, never stored. */
struct ap_sim_writer {
    struct ap_store *store;
    int64_t account_id;
    struct ap_event *events;
    enum ap_verdict *verdicts;
    size_t *line_nos;              /* each pending event's line number */
    size_t n, cap;
    size_t lines;                  /* lines seen, for problem reports */
    struct ap_ingest_counts counts;
    ap_ingest_problem_fn on_problem; /* may be NULL */
    void *problem_ctx;
};

/* `batch` is the most events per transaction. The store stays the caller's. */
void ap_sim_writer_init(struct ap_sim_writer *w, struct ap_store *store, int64_t account_id,
                        size_t batch, ap_ingest_problem_fn on_problem, void *problem_ctx);
/* Frees the writer's memory; events not yet flushed are discarded. */
void ap_sim_writer_free(struct ap_sim_writer *w);
/* An ap_sim_emit_fn: ctx is the writer. Flushes when the batch is full. */
enum ap_status ap_sim_writer_add(void *ctx, const char *line, size_t len, struct ap_error *err);
/* Stores the events added since the last flush, in one transaction. */
enum ap_status ap_sim_writer_flush(struct ap_sim_writer *w, struct ap_error *err);

#endif
