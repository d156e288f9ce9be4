/* `agentperf report`: the report document of SPEC §4.1 on stdout, the same
 * code path as GET /v1/reports. --now fixes the clock. */
#include <string.h>

#include "cli/cli.h"
#include "reports/reports.h"

int ap_cmd_report(struct ap_cli_args *args)
{
    struct ap_report_params params = {
        .from = ap_cli_get(args, "from"),
        .to = ap_cli_get(args, "to"),
        .granularity = ap_cli_get(args, "granularity"),
        .channel = ap_cli_get(args, "channel"),
        .format = ap_cli_get(args, "format"),
        .now = ap_cli_get(args, "now"),
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
    if (rc == AP_OK)
        rc = ap_reports_render(store, &account, &q, &out, &err);
    bool seen = true;
    if (rc == AP_OK && q.channel[0])
        rc = ap_reports_channel_seen(store, &account, q.channel, &seen, &err);
    if (!seen) {
        fputs("agentperf: note: no conversation of this account was ever on channel \"", args->err);
        ap_cli_print_text(args->err, q.channel);
        fputs("\": every figure is 0\n", args->err);
    }
    ap_store_destroy(store);
    if (rc == AP_OK)
        ap_cli_write_text(args->out, out.data, out.len, true);
    ap_buf_free(&out);
    return rc == AP_OK ? AP_EXIT_OK : ap_cli_fail(args, &err);
}
