/* `agentperf ingest`: NDJSON events from a file or standard input. */
#include <errno.h>
#include <string.h>

#include "cli/cli.h"
#include "gaps/gaps.h"
#include "ingest/ingest.h"

#define CLI_CHECKPOINT_PAGES 16384

static void print_problem(void *ctx, const struct ap_ingest_problem *p)
{
    struct ap_cli_args *args = ctx;
    if (ap_cli_flag(args, "quiet"))
        return;
    ap_cli_print_problem(args->err, p->line, ap_verdict_name(p->verdict), p->id, p->message);
}

int ap_cmd_ingest(struct ap_cli_args *args)
{
    struct ap_ingest_options opts;
    struct ap_ingest_counts counts = {0};
    struct ap_error err;
    struct ap_account a;
    size_t max_future;
    ap_ingest_options_init(&opts);
    if (!ap_cli_get_size(args, "batch", 1, 1000000, &opts.batch) ||
        !ap_cli_get_size(args, "max-line", 64, 64u << 20, &opts.max_line) ||
        !ap_cli_get_size(args, "max-future", 0, AP_CLI_MAX_FUTURE_S, &max_future))
        return AP_EXIT_USAGE;
    opts.max_future_s = (int64_t)max_future;
    const char *path = args->n_positionals ? args->positionals[0] : "-";
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (in == NULL) {
        fprintf(args->err, "agentperf: cannot open \"%s\": %s\n", path, strerror(errno));
        return AP_EXIT_FAILED;
    }
    struct ap_store *store = ap_cli_open_store(args);
    if (store == NULL || !ap_cli_account(args, store, &a)) {
        ap_store_destroy(store);
        if (in != stdin)
            fclose(in);
        return AP_EXIT_FAILED;
    }
    /* One bulk writer: checkpoint in bigger steps (each copies a page once
     * however often the batches touched it), and empty the log at the end. */
    ap_store_set_auto_checkpoint(store, CLI_CHECKPOINT_PAGES);
    struct ap_ndjson_reader reader;
    ap_ndjson_init_stream(&reader, in, opts.max_line);
    ap_error_clear(&err);
    enum ap_status rc =
        ap_ingest_ndjson(store, a.id, &reader, &opts, print_problem, args, &counts, &err);
    ap_ndjson_free(&reader);
    /* Questions of the committed batches get their topics now, even when a
     * later batch failed. */
    struct ap_gaps *gaps = ap_gaps_new(NULL);
    int gaps_status = ap_cli_assign_gaps(args, gaps, store, a.id);
    ap_gaps_destroy(gaps);
    int64_t log_bytes;
    struct ap_error ignored;
    ap_store_checkpoint_log(store, AP_CHECKPOINT_TRUNCATE, &log_bytes, &ignored);
    ap_store_destroy(store);
    if (in != stdin)
        fclose(in);
    fprintf(args->out, "stored %llu, duplicate %llu, conflict %llu, rejected %llu\n",
            (unsigned long long)counts.stored, (unsigned long long)counts.duplicate,
            (unsigned long long)counts.conflict, (unsigned long long)counts.rejected);
    if (rc != AP_OK)
        return ap_cli_fail(args, &err);
    return counts.rejected || counts.conflict ? AP_EXIT_FAILED : gaps_status;
}
