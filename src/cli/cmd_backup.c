/* `agentperf backup` and `agentperf restore`: an online, consistent copy of an
 * embedded database, and putting one back (docs/operations.md). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

/* A backup never overwrites: a typo must not destroy an older backup. */
int ap_cmd_backup(struct ap_cli_args *args)
{
    const char *out = args->positionals[0];
    struct ap_error err;
    if (access(out, F_OK) == 0)
        return ap_cli_usage_error(args, "\"%s\" exists; backup writes a new file", out);
    struct ap_store *store = ap_cli_open_store(args);
    if (store == NULL)
        return AP_EXIT_FAILED;
    ap_error_clear(&err);
    enum ap_status rc = ap_store_copy_to(store, out, &err);
    ap_store_destroy(store);
    if (rc != AP_OK) {
        unlink(out);
        return ap_cli_fail(args, &err);
    }
    fprintf(args->out, "backed up to %s\n", out);
    return AP_EXIT_OK;
}

/* Restores by copying the backup into the database with the same online
 * copy, so a half-done restore never leaves a torn file behind: the target
 * changes in one transaction. Stop the servers first (docs/operations.md). */
int ap_cmd_restore(struct ap_cli_args *args)
{
    const char *in = args->positionals[0];
    struct ap_error err;
    struct ap_store *backup;
    if (access(in, R_OK) != 0) {
        fprintf(args->err, "agentperf: cannot read \"%s\": %s\n", in, strerror(errno));
        return AP_EXIT_FAILED;
    }
    if (!ap_cli_flag(args, "force") && access(ap_cli_get(args, "db"), F_OK) == 0)
        return ap_cli_usage_error(args, "\"%s\" exists; add --force to replace its contents",
                                  ap_cli_get(args, "db"));
    ap_error_clear(&err);
    if (ap_store_open(in, &backup, &err) != AP_OK)
        return ap_cli_fail(args, &err);
    enum ap_status rc = ap_store_copy_to(backup, ap_cli_get(args, "db"), &err);
    ap_store_destroy(backup);
    if (rc != AP_OK)
        return ap_cli_fail(args, &err);
    fprintf(args->out, "restored %s from %s\n", ap_cli_get(args, "db"), in);
    return AP_EXIT_OK;
}
