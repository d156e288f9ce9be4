/* `agentperf simulate`: realistic demo data for an account (src/simulate/),
 * stored through the normal ingest path; with --live it keeps producing events
 * in real time until SIGINT or SIGTERM. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "gaps/gaps.h"
#include "simulate/simulate.h"

#define SIM_BATCH 2000
#define LIVE_RATE_MIN 0.01
#define LIVE_RATE_MAX 100000.0
/* Live mode wakes this often to emit what is due and commit it. */
#define LIVE_TICK_NS 250000000L

static void print_problem(void *ctx, const struct ap_ingest_problem *p)
{
    struct ap_cli_args *args = ctx;
    ap_cli_print_problem(args->err, p->line, ap_verdict_name(p->verdict), p->id, p->message);
}

static bool parse_rate(struct ap_cli_args *args, const char *v, double *out)
{
    char *end;
    errno = 0;
    double rate = strtod(v, &end);
    if (errno || end == v || *end || !isfinite(rate) || rate < LIVE_RATE_MIN ||
        rate > LIVE_RATE_MAX) {
        ap_cli_usage_error(args, "option --live: \"%s\" is not a number of events per second "
                                 "from %g to %g", v, LIVE_RATE_MIN, LIVE_RATE_MAX);
        return false;
    }
    *out = rate;
    return true;
}

/* Waits up to `wait` for SIGINT or SIGTERM (blocked in live mode, so they
 * wait for us instead of killing the process between two commits): 1 when one
 * arrived, 0 when the time passed, -1 on error (errno set). */
static int wait_for_stop(const sigset_t *stop, const struct timespec *wait)
{
    if (sigtimedwait(stop, NULL, wait) >= 0)
        return 1;
    return errno == EAGAIN || errno == EINTR ? 0 : -1;
}

/* Emits queued and new events at about `rate` a second, one small batch a
 * tick, until a stop signal arrives. The signal is taken with sigtimedwait,
 * which doubles as the sleep between ticks: no handler, no global flag. */
static enum ap_status run_live(struct ap_cli_args *args, struct ap_sim *sim,
                               struct ap_sim_writer *w, struct ap_gaps *gaps, double rate,
                               const sigset_t *stop, struct ap_error *err)
{
    const struct timespec tick = {0, LIVE_TICK_NS};
    int64_t start = ap_time_now_us();
    uint64_t emitted = 0;
    int stop_now;
    while ((stop_now = wait_for_stop(stop, &tick)) == 0) {
        int64_t now = ap_time_now_us();
        double target = rate * (double)(now - start) / (double)AP_USEC_PER_SEC;
        uint64_t budget = target > (double)emitted ? (uint64_t)(target - (double)emitted) : 0;
        uint64_t n = 0;
        enum ap_status rc = ap_sim_live_step(sim, now, budget, ap_sim_writer_add, w, &n, err);
        emitted += n;
        if (rc == AP_OK)
            rc = ap_sim_writer_flush(w, err);
        if (rc != AP_OK)
            return rc;
        if (n > 0)
            ap_cli_assign_gaps(args, gaps, w->store, w->account_id);
    }
    if (stop_now < 0)
        return ap_error_set(err, AP_INTERNAL, "", "waiting for signals: %s", strerror(errno));
    return AP_OK;
}

int ap_cmd_simulate(struct ap_cli_args *args)
{
    size_t weeks, per_day, seed;
    double rate = 0;
    int64_t now = ap_time_now_us();
    const char *live = ap_cli_get(args, "live");
    const char *now_text = ap_cli_get(args, "now");
    if (!ap_cli_get_size(args, "weeks", 1, AP_SIM_MAX_WEEKS, &weeks) ||
        !ap_cli_get_size(args, "conversations-per-day", 1, AP_SIM_MAX_PER_DAY, &per_day) ||
        !ap_cli_get_size(args, "seed", 0, (size_t)INT64_MAX, &seed))
        return AP_EXIT_USAGE;
    if (live && !parse_rate(args, live, &rate))
        return AP_EXIT_USAGE;
    if (now_text) {
        if (live)
            return ap_cli_usage_error(args, "option --now cannot be combined with --live, which "
                                            "runs on the real clock");
        if (!ap_time_parse_rfc3339(now_text, strlen(now_text), &now))
            return ap_cli_usage_error(args, "option --now: \"%s\" is not an RFC 3339 timestamp",
                                      now_text);
    }

    struct ap_account account;
    struct ap_store *store = ap_cli_open_store(args);
    if (store == NULL || !ap_cli_account(args, store, &account)) {
        ap_store_destroy(store);
        return AP_EXIT_FAILED;
    }

    /* Blocked from the start, so a stop during the backfill also waits for
     * the current day's commit. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    if (live)
        pthread_sigmask(SIG_BLOCK, &stop, NULL);

    struct ap_sim_config config = {
        .seed = seed,
        .weeks = (unsigned)weeks,
        .conversations_per_day = (unsigned)per_day,
        .now_us = now,
        .time_zone = account.time_zone,
        .live_tag = (uint64_t)ap_time_now_us(),
        .keep_future = live != NULL,
    };
    struct ap_sim *sim = NULL;
    struct ap_sim_writer w;
    struct ap_error err;
    uint64_t conversations = 0;
    bool stopped = false;
    ap_error_clear(&err);
    ap_sim_writer_init(&w, store, account.id, SIM_BATCH, print_problem, args);
    enum ap_status rc = ap_sim_new(&config, &sim, &err);
    const struct timespec no_wait = {0, 0};
    for (size_t d = 0; rc == AP_OK && sim && d < ap_sim_days(sim) && !stopped; d++) {
        rc = ap_sim_backfill_day(sim, d, ap_sim_writer_add, &w, &conversations, &err);
        stopped = live && wait_for_stop(&stop, &no_wait) == 1;
    }
    if (rc == AP_OK)
        rc = ap_sim_writer_flush(&w, &err);
    struct ap_gaps *gaps = ap_gaps_new(NULL);
    if (rc == AP_OK)
        ap_cli_assign_gaps(args, gaps, store, account.id);
    if (rc == AP_OK)
        fprintf(args->out, "simulated %llu conversations over %zu days (seed %zu)\n",
                (unsigned long long)conversations, ap_sim_days(sim), seed);
    if (rc == AP_OK && live && !stopped) {
        fprintf(args->err, "agentperf: backfill done; simulating about %g events per second "
                           "until SIGINT or SIGTERM\n", rate);
        fflush(args->out);
        rc = run_live(args, sim, &w, gaps, rate, &stop, &err);
        if (rc == AP_OK)
            rc = ap_sim_writer_flush(&w, &err);
    }
    ap_gaps_destroy(gaps);
    ap_sim_writer_free(&w);
    ap_sim_destroy(sim);
    ap_store_destroy(store);
    fprintf(args->out, "stored %llu, duplicate %llu, conflict %llu, rejected %llu\n",
            (unsigned long long)w.counts.stored, (unsigned long long)w.counts.duplicate,
            (unsigned long long)w.counts.conflict, (unsigned long long)w.counts.rejected);
    if (rc != AP_OK)
        return ap_cli_fail(args, &err);
    return w.counts.rejected || w.counts.conflict ? AP_EXIT_FAILED : AP_EXIT_OK;
}
