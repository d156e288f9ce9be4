/* `agentperf tokens create|list|revoke`. A token's secret is printed once, at
 * creation; the store keeps only its hash. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"

int ap_cmd_tokens_create(struct ap_cli_args *args)
{
    struct ap_token t;
    struct ap_error err;
    char secret[AP_TOKEN_TEXT_MAX];
    const char *role = ap_cli_get(args, "role");
    const char *label = ap_cli_get(args, "label");
    memset(&t, 0, sizeof t);
    if (!ap_role_parse(role, &t.role))
        return ap_cli_usage_error(args, "--role: \"%s\" is not ingest, viewer or admin", role);
    if (label && (strlen(label) > AP_TOKEN_LABEL_MAX || !ap_utf8_printable(label, strlen(label))))
        return ap_cli_usage_error(args, "--label: at most %d printable bytes", AP_TOKEN_LABEL_MAX);
    if (ap_token_library_init(&err) != AP_OK)
        return ap_cli_fail(args, &err);
    struct ap_store *store = ap_cli_open_store(args);
    if (store == NULL)
        return AP_EXIT_FAILED;
    struct ap_account a;
    if (!ap_cli_account(args, store, &a)) {
        ap_store_destroy(store);
        return AP_EXIT_FAILED;
    }
    t.account_id = a.id;
    ap_copy_str(t.label, sizeof t.label, label ? label : "");
    t.created_at_us = ap_time_now_us();
    ap_token_generate(secret, t.hash);
    enum ap_status rc = ap_store_insert_token(store, &t, &err);
    ap_store_destroy(store);
    if (rc != AP_OK)
        return ap_cli_fail(args, &err);
    fprintf(args->err, "created %s token %lld for account %s; it is shown only once:\n",
            ap_role_name(t.role), (long long)t.id, a.name);
    fprintf(args->out, "%s\n", secret);
    return AP_EXIT_OK;
}

static enum ap_status print_token(void *ctx, const struct ap_token *t)
{
    char created[AP_TIME_RFC3339_MAX], revoked[AP_TIME_RFC3339_MAX] = "-";
    ap_time_format_rfc3339(t->created_at_us, created);
    if (t->revoked_at_us)
        ap_time_format_rfc3339(t->revoked_at_us, revoked);
    fprintf(ctx, "%lld\t%s\tcreated=%s\trevoked=%s\tlabel=", (long long)t->id,
            ap_role_name(t->role), created, revoked);
    ap_cli_print_text(ctx, t->label);
    fputc('\n', ctx);
    return AP_OK;
}

int ap_cmd_tokens_list(struct ap_cli_args *args)
{
    struct ap_error err;
    struct ap_account a;
    struct ap_store *store = ap_cli_open_store(args);
    if (store == NULL)
        return AP_EXIT_FAILED;
    if (!ap_cli_account(args, store, &a)) {
        ap_store_destroy(store);
        return AP_EXIT_FAILED;
    }
    enum ap_status rc = ap_store_select_tokens(store, a.id, print_token, args->out, &err);
    ap_store_destroy(store);
    return rc == AP_OK ? AP_EXIT_OK : ap_cli_fail(args, &err);
}

int ap_cmd_tokens_revoke(struct ap_cli_args *args)
{
    struct ap_error err;
    struct ap_account a;
    char *end;
    errno = 0;
    long long id = strtoll(args->positionals[0], &end, 10);
    if (errno || *end || id < 1)
        return ap_cli_usage_error(args, "ID: \"%s\" is not a token id (see tokens list)",
                                  args->positionals[0]);
    struct ap_store *store = ap_cli_open_store(args);
    if (store == NULL)
        return AP_EXIT_FAILED;
    if (!ap_cli_account(args, store, &a)) {
        ap_store_destroy(store);
        return AP_EXIT_FAILED;
    }
    enum ap_status rc = ap_store_revoke_token(store, a.id, id, ap_time_now_us(), &err);
    ap_store_destroy(store);
    if (rc != AP_OK)
        return ap_cli_fail(args, &err);
    fprintf(args->out, "revoked token %lld of account %s\n", id, a.name);
    return AP_EXIT_OK;
}
