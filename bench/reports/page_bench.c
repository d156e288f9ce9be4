/* Times one full report page (all 16 reports, default range) in process, the
 * path `agentperf report` and GET /v1/reports share, and prints the median and
 * 99th percentile over repeated runs. Usage: page_bench DB ACCOUNT NOW [RUNS] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "reports/reports.h"
#include "store/store.h"

static double seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: page_bench DB ACCOUNT NOW [RUNS]\n");
        return 2;
    }
    int runs = argc > 4 ? atoi(argv[4]) : 50;
    struct ap_store *store;
    struct ap_error err;
    struct ap_account account;
    struct ap_report_params params = {.now = argv[3]};
    struct ap_report_query q;
    if (ap_store_open(argv[1], &store, &err) != AP_OK ||
        ap_store_get_account_by_name(store, argv[2], &account, &err) != AP_OK ||
        ap_reports_ensure_fresh(store, &account, &err) != AP_OK ||
        ap_report_query_parse(&params, 0, &q, &err) != AP_OK) {
        fprintf(stderr, "page_bench: %s\n", err.message);
        return 1;
    }
    double *times = calloc((size_t)runs, sizeof *times);
    size_t bytes = 0;
    for (int i = 0; i < runs; i++) {
        struct ap_buf out;
        ap_buf_init(&out, (size_t)1 << 30);
        double t0 = seconds();
        if (ap_reports_render(store, &account, &q, &out, NULL, &err) != AP_OK) {
            fprintf(stderr, "page_bench: %s\n", err.message);
            return 1;
        }
        times[i] = seconds() - t0;
        bytes = out.len;
        ap_buf_free(&out);
    }
    qsort(times, (size_t)runs, sizeof *times, compare);
    printf("page_ms_median=%.3f page_ms_p99=%.3f runs=%d bytes=%zu\n", times[runs / 2] * 1e3,
           times[(runs * 99) / 100 < runs ? (runs * 99) / 100 : runs - 1] * 1e3, runs, bytes);
    free(times);
    ap_store_destroy(store);
    return 0;
}
