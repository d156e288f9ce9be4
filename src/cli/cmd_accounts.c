/* `agentperf accounts create|list|update` and `agentperf migrate`. */
#include <string.h>

#include "cli/cli.h"
#include "reports/reports.h"

/* Account settings that can come from flags, each with its validating setter. */
static const struct {
    const char *option;
    enum ap_status (*set)(struct ap_account *a, const char *value, struct ap_error *err);
} account_settings[] = {
    {"time-zone", ap_account_set_time_zone},
    {"inactivity-hours", ap_account_set_inactivity_hours},
    {"conversation-url", ap_account_set_conversation_url},
    {"ticket-url", ap_account_set_ticket_url},
    {"default-language", ap_account_set_default_language},
    {"embeddings", ap_account_set_embeddings},
};

static bool apply_settings(struct ap_cli_args *args, struct ap_account *a)
{
    struct ap_error err;
    for (size_t i = 0; i < sizeof account_settings / sizeof account_settings[0]; i++) {
        const char *v = ap_cli_get(args, account_settings[i].option);
        if (v == NULL)
            continue;
        if (account_settings[i].set(a, v, &err) != AP_OK) {
            ap_cli_fail(args, &err);
            return false;
        }
    }
    return true;
}

static void print_account(FILE *f, const struct ap_account *a)
{
    ap_cli_print_text(f, a->name);
    fprintf(f, "\ttime_zone=%s\tinactivity_hours=%d\tconversation_url=", a->time_zone,
            a->inactivity_hours);
    ap_cli_print_text(f, a->conversation_url);
    fputs("\tticket_url=", f);
    ap_cli_print_text(f, a->ticket_url);
    fprintf(f, "\tdefault_language=%s\tembeddings=%s\n", a->default_language,
            a->embeddings ? "on" : "off");
}

int ap_cmd_accounts_create(struct ap_cli_args *args)
{
    struct ap_account a;
    struct ap_error err;
    ap_account_init(&a, "");
    if (ap_account_set_name(&a, args->positionals[0], &err) != AP_OK)
        return ap_cli_fail(args, &err);
    if (!apply_settings(args, &a))
        return AP_EXIT_FAILED;
    struct ap_store *store = ap_cli_open_store(args);
    if (store == NULL)
        return AP_EXIT_FAILED;
    a.created_at_us = ap_time_now_us();
    enum ap_status rc = ap_store_insert_account(store, &a, &err);
    ap_store_destroy(store);
    if (rc != AP_OK)
        return ap_cli_fail(args, &err);
    fprintf(args->out, "created account ");
    print_account(args->out, &a);
    return AP_EXIT_OK;
}

static enum ap_status print_account_cb(void *ctx, const struct ap_account *a)
{
    print_account(ctx, a);
    return AP_OK;
}

int ap_cmd_accounts_list(struct ap_cli_args *args)
{
    struct ap_error err;
    struct ap_store *store = ap_cli_open_store(args);
    if (store == NULL)
        return AP_EXIT_FAILED;
    enum ap_status rc = ap_store_select_accounts(store, print_account_cb, args->out, &err);
    ap_store_destroy(store);
    return rc == AP_OK ? AP_EXIT_OK : ap_cli_fail(args, &err);
}

int ap_cmd_accounts_update(struct ap_cli_args *args)
{
    struct ap_account a;
    struct ap_error err;
    struct ap_store *store = ap_cli_open_store(args);
    if (store == NULL)
        return AP_EXIT_FAILED;
    enum ap_status rc = ap_store_get_account_by_name(store, args->positionals[0], &a, &err);
    if (rc == AP_OK && !apply_settings(args, &a)) {
        ap_store_destroy(store);
        return AP_EXIT_FAILED;
    }
    if (rc == AP_OK)
        rc = ap_store_update_account(store, &a, &err);
    /* A new zone or inactivity rule changes every figure: rebuild now rather
     * than on the next request. */
    if (rc == AP_OK && (rc = ap_store_get_account(store, a.id, &a, &err)) == AP_OK)
        rc = ap_reports_ensure_fresh(store, &a, &err);
    ap_store_destroy(store);
    if (rc != AP_OK)
        return ap_cli_fail(args, &err);
    fprintf(args->out, "updated account ");
    print_account(args->out, &a);
    return AP_EXIT_OK;
}

int ap_cmd_migrate(struct ap_cli_args *args)
{
    struct ap_error err;
    int version = 0;
    struct ap_store *store = ap_cli_open_store(args);
    if (store == NULL)
        return AP_EXIT_FAILED;
    enum ap_status rc = ap_store_schema_version(store, &version, &err);
    ap_store_destroy(store);
    if (rc != AP_OK)
        return ap_cli_fail(args, &err);
    fprintf(args->out, "schema version %d\n", version);
    return AP_EXIT_OK;
}
