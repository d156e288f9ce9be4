/* The agentperf command line: one binary, commands from a table (curl's
 * aliases[], redis' command table), options from per-command tables. */
#ifndef AP_CLI_H
#define AP_CLI_H

#include <stdio.h>

#include "core/core.h"
#include "store/store.h"

/* Exit statuses of every command. */
enum {
    AP_EXIT_OK = 0,
    AP_EXIT_FAILED = 1,  /* the command ran and something failed or was rejected */
    AP_EXIT_USAGE = 2,   /* bad flags or arguments */
};

/* One option of a command: `--name VALUE` (or `--name=VALUE`), or a flag when
 * takes_value is false. `env` names the environment variable that supplies a
 * default, `fallback` the built-in default. */
struct ap_cli_option {
    const char *name;
    bool takes_value;
    const char *value_name;
    const char *env;
    const char *fallback;
    const char *help;
    bool required; /* a usage error when missing */
};

#define AP_CLI_MAX_OPTIONS 40 /* serve has the most: 33 */
#define AP_CLI_MAX_POSITIONALS 16

/* The parsed command line of one command. Values borrow argv or the
 * environment; nothing here is freed. */
struct ap_cli_args {
    const struct ap_cli_command *command;
    const char *values[AP_CLI_MAX_OPTIONS]; /* by option index; NULL when unset */
    const char *positionals[AP_CLI_MAX_POSITIONALS];
    int n_positionals;
    FILE *out; /* results */
    FILE *err; /* diagnostics */
};

struct ap_cli_command {
    const char *group;  /* "accounts", or the command name for single commands */
    const char *name;   /* "create", or NULL */
    const char *arguments; /* positional arguments for the usage line */
    int min_positionals, max_positionals;
    const struct ap_cli_option *options; /* terminated by a zeroed entry */
    int (*run)(struct ap_cli_args *args);
    const char *summary;
    /* May start a new SQLite file at --db. For every other command a file that
     * is not there is a mistyped path, answered as an error, never a new empty
     * database ("no account named demo"). */
    bool creates_db;
};

/* The entry point of the binary. */
int ap_cli_main(int argc, char **argv);

/* Helpers for command implementations. */
const char *ap_cli_get(const struct ap_cli_args *args, const char *option);
bool ap_cli_flag(const struct ap_cli_args *args, const char *option);
/* Opens the store named by --db; prints the error and returns NULL on failure. */
struct ap_store *ap_cli_open_store(struct ap_cli_args *args);
/* Prints an error as "agentperf: message" and returns AP_EXIT_FAILED. */
int ap_cli_fail(struct ap_cli_args *args, const struct ap_error *err);
/* Prints a usage error with the command's usage and returns AP_EXIT_USAGE. */
int ap_cli_usage_error(struct ap_cli_args *args, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Parses a positive whole number option; prints a usage error on failure. */
bool ap_cli_get_size(struct ap_cli_args *args, const char *option, size_t min, size_t max,
                     size_t *out);
/* The largest --max-future: a year, past which the bound means nothing. */
#define AP_CLI_MAX_FUTURE_S (366u * 24 * 3600)
/* Human-readable output of text that came from input (output.c): every
 * control character (C0, DEL, C1, bidirectional controls) is written as
 * a \u escape of four hex digits and a byte that is not UTF-8 as a \x escape
 * of two, so no text can drive the
 * terminal. write_text keeps newlines and tabs when keep_layout is set (for
 * whole tables and documents); print_text escapes them too (one cell).
 * JSON stays JSON through either. */
void ap_cli_write_text(FILE *out, const char *s, size_t len, bool keep_layout);
void ap_cli_print_text(FILE *out, const char *s);
/* "line N: VERDICT (id ID): MESSAGE", the problem line of every bulk command;
 * id may be NULL or empty. */
void ap_cli_print_problem(FILE *out, size_t line, const char *verdict, const char *id,
                          const char *message);
/* Looks up the account named by --account. */
bool ap_cli_account(struct ap_cli_args *args, struct ap_store *store, struct ap_account *out);

/* Command implementations, referenced by the table in commands.c. */
extern const struct ap_cli_option ap_cli_account_options[];
extern const struct ap_cli_option ap_cli_account_update_options[];
extern const struct ap_cli_option ap_cli_db_options[];
extern const struct ap_cli_option ap_cli_restore_options[];
extern const struct ap_cli_option ap_cli_token_create_options[];
extern const struct ap_cli_option ap_cli_token_options[];
extern const struct ap_cli_option ap_cli_ingest_options[];
extern const struct ap_cli_option ap_cli_serve_options[];
extern const struct ap_cli_option ap_cli_report_options[];
extern const struct ap_cli_option ap_cli_conversations_options[];
extern const struct ap_cli_option ap_cli_gaps_assign_options[];
extern const struct ap_cli_option ap_cli_gaps_list_options[];
extern const struct ap_cli_option ap_cli_gaps_show_options[];
extern const struct ap_cli_option ap_cli_gaps_curate_options[];
extern const struct ap_cli_option ap_cli_gaps_dismiss_options[];
extern const struct ap_cli_option ap_cli_simulate_options[];
extern const struct ap_cli_option ap_cli_answers_options[];
extern const struct ap_cli_option ap_cli_answers_list_options[];
extern const struct ap_cli_option ap_cli_answers_create_options[];
extern const struct ap_cli_option ap_cli_answers_edit_options[];
extern const struct ap_cli_option ap_cli_answers_import_options[];
extern const struct ap_cli_option ap_cli_answers_match_options[];
extern const struct ap_cli_option ap_cli_answers_settings_options[];
int ap_cmd_accounts_create(struct ap_cli_args *args);
int ap_cmd_accounts_list(struct ap_cli_args *args);
int ap_cmd_accounts_update(struct ap_cli_args *args);
int ap_cmd_tokens_create(struct ap_cli_args *args);
int ap_cmd_tokens_list(struct ap_cli_args *args);
int ap_cmd_tokens_revoke(struct ap_cli_args *args);
int ap_cmd_ingest(struct ap_cli_args *args);
int ap_cmd_serve(struct ap_cli_args *args);
int ap_cmd_report(struct ap_cli_args *args);
int ap_cmd_conversations(struct ap_cli_args *args);
int ap_cmd_gaps_assign(struct ap_cli_args *args);
int ap_cmd_gaps_list(struct ap_cli_args *args);
int ap_cmd_gaps_show(struct ap_cli_args *args);
int ap_cmd_gaps_rename(struct ap_cli_args *args);
int ap_cmd_gaps_merge(struct ap_cli_args *args);
int ap_cmd_gaps_move(struct ap_cli_args *args);
int ap_cmd_gaps_dismiss(struct ap_cli_args *args);
int ap_cmd_gaps_undismiss(struct ap_cli_args *args);
int ap_cmd_gaps_regroup(struct ap_cli_args *args);
/* Assigns the account's recorded questions to topics after an ingest; prints
 * a warning when it fails (the events are stored either way). */
struct ap_gaps;
int ap_cli_assign_gaps(struct ap_cli_args *args, struct ap_gaps *gaps, struct ap_store *store,
                       int64_t account_id);
int ap_cmd_simulate(struct ap_cli_args *args);
int ap_cmd_migrate(struct ap_cli_args *args);
int ap_cmd_backup(struct ap_cli_args *args);
int ap_cmd_restore(struct ap_cli_args *args);
int ap_cmd_answers_list(struct ap_cli_args *args);
int ap_cmd_answers_show(struct ap_cli_args *args);
int ap_cmd_answers_create(struct ap_cli_args *args);
int ap_cmd_answers_edit(struct ap_cli_args *args);
int ap_cmd_answers_disable(struct ap_cli_args *args);
int ap_cmd_answers_enable(struct ap_cli_args *args);
int ap_cmd_answers_delete(struct ap_cli_args *args);
int ap_cmd_answers_import(struct ap_cli_args *args);
int ap_cmd_answers_match(struct ap_cli_args *args);
int ap_cmd_answers_settings(struct ap_cli_args *args);

#endif
