/* Prometheus metrics of one server process (docs/operations.md): requests by
 * route and status, latency histograms by route, events by verdict, store
 * errors and the database's size. Lock-free counters, so recording costs a few
 * atomic adds on the request path. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "http/http.h"

static const unsigned status_codes[] = {200, 201, 204, 304, 400, 401, 403, 404, 405,
                                        409, 413, 415, 429, 500, 503};
#define N_STATUS (sizeof status_codes / sizeof status_codes[0])
#define STATUS_OTHER N_STATUS /* any other code */

static const double bucket_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                       0.1,    0.25,  0.5,    1,     2.5,   5,     10};
#define N_BUCKETS (sizeof bucket_bounds / sizeof bucket_bounds[0])

/* One route's figures; the last entry counts requests that matched no route. */
struct route_metrics {
    atomic_uint_least64_t by_status[N_STATUS + 1];
    atomic_uint_least64_t buckets[N_BUCKETS]; /* non-cumulative; summed when rendered */
    atomic_uint_least64_t count;
    atomic_uint_least64_t sum_us;
};

struct ap_http_metrics {
    size_t n_routes;
    struct route_metrics *routes; /* n_routes + 1 */
    atomic_uint_least64_t events[4]; /* stored, duplicate, conflict, rejected */
    atomic_uint_least64_t store_errors;
    int64_t started_us;
};

struct ap_http_metrics *ap_http_metrics_new(size_t n_routes)
{
    struct ap_http_metrics *m = ap_calloc(1, sizeof *m);
    m->n_routes = n_routes;
    m->routes = ap_calloc(n_routes + 1, sizeof *m->routes);
    m->started_us = ap_time_now_us();
    return m;
}

void ap_http_metrics_free(struct ap_http_metrics *m)
{
    if (m == NULL)
        return;
    free(m->routes);
    free(m);
}

static size_t status_slot(unsigned status)
{
    for (size_t i = 0; i < N_STATUS; i++)
        if (status_codes[i] == status)
            return i;
    return STATUS_OTHER;
}

void ap_http_metrics_request(struct ap_http_metrics *m, const struct ap_http_route *route,
                             unsigned status, int64_t duration_us)
{
    size_t r = route ? (size_t)(route - ap_http_routes) : m->n_routes;
    struct route_metrics *rm = &m->routes[r < m->n_routes ? r : m->n_routes];
    atomic_fetch_add_explicit(&rm->by_status[status_slot(status)], 1, memory_order_relaxed);
    double seconds = (double)duration_us / 1e6;
    for (size_t b = 0; b < N_BUCKETS; b++) {
        if (seconds <= bucket_bounds[b]) {
            atomic_fetch_add_explicit(&rm->buckets[b], 1, memory_order_relaxed);
            break;
        }
    }
    atomic_fetch_add_explicit(&rm->count, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&rm->sum_us, duration_us > 0 ? (uint64_t)duration_us : 0,
                              memory_order_relaxed);
    if (status == 500 || status == 503)
        atomic_fetch_add_explicit(&m->store_errors, 1, memory_order_relaxed);
}

void ap_http_metrics_events(struct ap_http_metrics *m, uint64_t stored, uint64_t duplicate,
                            uint64_t conflict, uint64_t rejected)
{
    atomic_fetch_add_explicit(&m->events[0], stored, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->events[1], duplicate, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->events[2], conflict, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->events[3], rejected, memory_order_relaxed);
}

static void route_labels(struct ap_buf *out, size_t r, size_t n_routes)
{
    if (r < n_routes)
        ap_buf_printf(out, "method=\"%s\",route=\"%s\"", ap_http_routes[r].method,
                      ap_http_routes[r].pattern);
    else
        ap_buf_append_str(out, "method=\"\",route=\"unmatched\"");
}

static void render_requests(const struct ap_http_metrics *m, struct ap_buf *out)
{
    ap_buf_append_str(out, "# HELP agentperf_http_requests_total HTTP requests answered, by "
                           "route and status.\n# TYPE agentperf_http_requests_total counter\n");
    for (size_t r = 0; r <= m->n_routes; r++) {
        for (size_t s = 0; s <= N_STATUS; s++) {
            uint64_t v = atomic_load_explicit(&m->routes[r].by_status[s], memory_order_relaxed);
            if (v == 0)
                continue;
            ap_buf_append_str(out, "agentperf_http_requests_total{");
            route_labels(out, r, m->n_routes);
            if (s < N_STATUS)
                ap_buf_printf(out, ",status=\"%u\"} %llu\n", status_codes[s],
                              (unsigned long long)v);
            else
                ap_buf_printf(out, ",status=\"other\"} %llu\n", (unsigned long long)v);
        }
    }
}

static void render_latency(const struct ap_http_metrics *m, struct ap_buf *out)
{
    ap_buf_append_str(out, "# HELP agentperf_http_request_duration_seconds Time from the "
                           "request's first byte to its answer.\n"
                           "# TYPE agentperf_http_request_duration_seconds histogram\n");
    for (size_t r = 0; r <= m->n_routes; r++) {
        const struct route_metrics *rm = &m->routes[r];
        uint64_t count = atomic_load_explicit(&rm->count, memory_order_relaxed);
        if (count == 0)
            continue;
        uint64_t cumulative = 0;
        for (size_t b = 0; b < N_BUCKETS; b++) {
            cumulative += atomic_load_explicit(&rm->buckets[b], memory_order_relaxed);
            ap_buf_append_str(out, "agentperf_http_request_duration_seconds_bucket{");
            route_labels(out, r, m->n_routes);
            ap_buf_printf(out, ",le=\"%g\"} %llu\n", bucket_bounds[b],
                          (unsigned long long)cumulative);
        }
        /* Read count last: +Inf must not be below a bucket counted after it. */
        if (cumulative > count)
            count = cumulative;
        ap_buf_append_str(out, "agentperf_http_request_duration_seconds_bucket{");
        route_labels(out, r, m->n_routes);
        ap_buf_printf(out, ",le=\"+Inf\"} %llu\n", (unsigned long long)count);
        ap_buf_append_str(out, "agentperf_http_request_duration_seconds_sum{");
        route_labels(out, r, m->n_routes);
        ap_buf_printf(out, "} %.6f\n",
                      (double)atomic_load_explicit(&rm->sum_us, memory_order_relaxed) / 1e6);
        ap_buf_append_str(out, "agentperf_http_request_duration_seconds_count{");
        route_labels(out, r, m->n_routes);
        ap_buf_printf(out, "} %llu\n", (unsigned long long)count);
    }
}

/* The SQLite file behind a store URL, or NULL for a server database. */
static const char *sqlite_path(const char *url)
{
    if (strncmp(url, "postgres", 8) == 0)
        return NULL;
    if (strncmp(url, "sqlite:", 7) == 0)
        return url + 7;
    if (strncmp(url, "file:", 5) == 0)
        return url + 5;
    return url;
}

static int64_t file_size(const char *path, const char *suffix)
{
    char full[4096];
    struct stat st;
    snprintf(full, sizeof full, "%s%s", path, suffix);
    return stat(full, &st) == 0 ? (int64_t)st.st_size : 0;
}

void ap_http_metrics_render(const struct ap_http_metrics *m, const char *db_url,
                            struct ap_buf *out)
{
    static const char *const verdicts[] = {"stored", "duplicate", "conflict", "rejected"};
    render_requests(m, out);
    render_latency(m, out);
    ap_buf_append_str(out, "# HELP agentperf_events_total Events received over HTTP, by "
                           "verdict.\n# TYPE agentperf_events_total counter\n");
    for (size_t i = 0; i < 4; i++)
        ap_buf_printf(out, "agentperf_events_total{verdict=\"%s\"} %llu\n", verdicts[i],
                      (unsigned long long)atomic_load(&m->events[i]));
    ap_buf_printf(out, "# HELP agentperf_store_errors_total Requests answered 500 or 503 "
                       "because the database failed or was unavailable.\n"
                       "# TYPE agentperf_store_errors_total counter\n"
                       "agentperf_store_errors_total %llu\n",
                  (unsigned long long)atomic_load(&m->store_errors));
    const char *path = sqlite_path(db_url);
    if (path)
        ap_buf_printf(out, "# HELP agentperf_db_bytes Size of the SQLite database and its log.\n"
                           "# TYPE agentperf_db_bytes gauge\nagentperf_db_bytes{file=\"db\"} %lld\n"
                           "agentperf_db_bytes{file=\"wal\"} %lld\n",
                      (long long)file_size(path, ""), (long long)file_size(path, "-wal"));
    ap_buf_printf(out, "# HELP agentperf_start_time_seconds When this process started.\n"
                       "# TYPE agentperf_start_time_seconds gauge\n"
                       "agentperf_start_time_seconds %.3f\n",
                  (double)m->started_us / 1e6);
}

void ap_http_handle_metrics(struct ap_http_request *req, struct ap_http_response *res)
{
    res->status = 200;
    res->content_type = "text/plain; version=0.0.4; charset=utf-8";
    ap_http_metrics_render(req->metrics, req->config->db_url, &res->body);
    if (req->embedder)
        ap_embedder_metrics(req->embedder, &res->body);
}
