/* Command dispatch, option parsing and usage text. Commands and their options
 * are data; this file is the only place that walks argv. */
#include "cli/cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DB_OPTION                                                                      \
    {"db", true, "URL", "AGENTPERF_DB", "agentperf.db",                                \
     "database: a SQLite file path (or sqlite:PATH)"}

const struct ap_cli_option ap_cli_db_options[] = {DB_OPTION, {0}};

const struct ap_cli_option ap_cli_restore_options[] = {
    DB_OPTION,
    {"force", false, NULL, NULL, NULL, "replace an existing database"},
    {0},
};

const struct ap_cli_option ap_cli_account_options[] = {
    DB_OPTION,
    {"time-zone", true, "ZONE", NULL, NULL, "IANA time zone of the reports (default UTC)"},
    {"inactivity-hours", true, "N", NULL, NULL, "hours without events after which a conversation has ended (default 72)"},
    {"conversation-url", true, "TEMPLATE", NULL, NULL, "link to a conversation, with {conversation_id}"},
    {"ticket-url", true, "TEMPLATE", NULL, NULL, "link to a ticket, with {ticket_id}"},
    {"default-language", true, "TAG", NULL, NULL, "language of questions that name none and are not detected (default en)"},
    {"embeddings", true, "on|off", NULL, NULL, "send the account's texts to the model server of serve --embeddings-url (default on)"},
    {0},
};

const struct ap_cli_option ap_cli_token_create_options[] = {
    DB_OPTION,
    {"account", true, "NAME", NULL, NULL, "the account the token belongs to (required)", true},
    {"role", true, "ROLE", NULL, NULL, "ingest, viewer or admin (required)", true},
    {"label", true, "TEXT", NULL, NULL, "a note to recognise the token by"},
    {0},
};

const struct ap_cli_option ap_cli_token_options[] = {
    DB_OPTION,
    {"account", true, "NAME", NULL, NULL, "the account (required)", true},
    {0},
};

/* Shared by serve and ingest, which must agree on which events they accept. */
#define MAX_FUTURE_OPTION                                                                 \
    {"max-future", true, "SECONDS", "AGENTPERF_MAX_FUTURE", "3600",                      \
     "reject events dated more than this ahead of the clock (0: no bound)"}

const struct ap_cli_option ap_cli_ingest_options[] = {
    DB_OPTION,
    {"account", true, "NAME", NULL, NULL, "the account the events belong to (required)", true},
    {"batch", true, "N", NULL, "50000", "events per transaction"},
    {"max-line", true, "BYTES", NULL, "1048576", "longest accepted NDJSON line"},
    {"quiet", false, NULL, NULL, NULL, "print only the counts, not each problem line"},
    MAX_FUTURE_OPTION,
    {0},
};

const struct ap_cli_option ap_cli_serve_options[] = {
    DB_OPTION,
    {"listen", true, "ADDR:PORT", "AGENTPERF_LISTEN", "127.0.0.1:8080", "address to serve on"},
    {"threads", true, "N", "AGENTPERF_THREADS", "4", "worker threads"},
    {"max-body", true, "BYTES", "AGENTPERF_MAX_BODY", "16777216", "largest accepted request body"},
    {"max-line", true, "BYTES", "AGENTPERF_MAX_LINE", "1048576", "longest accepted NDJSON line"},
    {"max-events", true, "N", "AGENTPERF_MAX_EVENTS", "100000",
     "most events in one request (0: no limit)"},
    {"rate-limit", true, "N", "AGENTPERF_RATE_LIMIT", "200",
     "requests a second per token (0: no limit)"},
    {"rate-burst", true, "N", "AGENTPERF_RATE_BURST", "2000",
     "requests a token may send at once before the rate applies"},
    {"web-root", true, "DIR", "AGENTPERF_WEB_ROOT", "web/dist", "directory of the dashboard's files"},
    {"regroup", false, NULL, NULL, NULL, "re-group knowledge-gap topics in the background as questions grow (off by default)"},
    {"embeddings-url", true, "URL", "AGENTPERF_EMBEDDINGS_URL", NULL, "model server for embeddings (OpenAI-compatible POST URL/v1/embeddings); off when not given"},
    {"embeddings-model", true, "NAME", "AGENTPERF_EMBEDDINGS_MODEL", NULL, "the model the server embeds with (required with --embeddings-url)"},
    {"embeddings-key-file", true, "FILE", "AGENTPERF_EMBEDDINGS_KEY_FILE", NULL, "file holding the server's API key (or set AGENTPERF_EMBEDDINGS_KEY)"},
    {"embeddings-batch", true, "N", "AGENTPERF_EMBEDDINGS_BATCH", "32", "texts in one request (1-256)"},
    {"embeddings-concurrency", true, "N", "AGENTPERF_EMBEDDINGS_CONCURRENCY", "2", "requests at once (1-16)"},
    {"embeddings-timeout", true, "MS", "AGENTPERF_EMBEDDINGS_TIMEOUT", "10000", "longest wait for one request, in milliseconds"},
    {"embeddings-hold", true, "MS", "AGENTPERF_EMBEDDINGS_HOLD", "3000", "longest a new question waits for its embedding before it is grouped by text alone; 0: no wait"},
    {"embeddings-match-wait", true, "MS", "AGENTPERF_EMBEDDINGS_MATCH_WAIT", "200", "longest the match API waits for the question's embedding; 0: cached only"},
    {"embeddings-dims", true, "N", "AGENTPERF_EMBEDDINGS_DIMS", "0", "expected vector length (0: the first answer's)"},
    MAX_FUTURE_OPTION,
    {"body-budget", true, "BYTES", "AGENTPERF_BODY_BUDGET", "134217728",
     "request bodies buffered at once, all requests together (at least --max-body)"},
    {"max-response", true, "BYTES", "AGENTPERF_MAX_RESPONSE", "268435456",
     "largest answer document; a larger one is an error, never cut short"},
    {"max-connections", true, "N", "AGENTPERF_MAX_CONNECTIONS", "1000",
     "most connections open at once"},
    {"max-connections-per-ip", true, "N", "AGENTPERF_MAX_CONNECTIONS_PER_IP", "128",
     "most connections open at once from one address (0: no limit; behind a proxy, see docs)"},
    {"head-timeout", true, "SECONDS", "AGENTPERF_HEAD_TIMEOUT", "10",
     "a request's line and headers must arrive whole within this (0: no deadline)"},
    {"idle-timeout", true, "SECONDS", "AGENTPERF_IDLE_TIMEOUT", "60",
     "close a connection that sends nothing for this long"},
    {0},
};

const struct ap_cli_option ap_cli_report_options[] = {
    DB_OPTION,
    {"account", true, "NAME", NULL, NULL, "the account (required)", true},
    {"now", true, "RFC3339", NULL, NULL, "the clock to report at (default: now)"},
    {"from", true, "DATE", NULL, NULL, "first local day of the range (with --to)"},
    {"to", true, "DATE", NULL, NULL, "local day after the range (exclusive)"},
    {"granularity", true, "G", NULL, "week", "day, week or month"},
    {"channel", true, "CHANNEL", NULL, NULL, "only this channel"},
    {"language", true, "LANG", NULL, NULL, "only conversations in this language (nb, en, und)"},
    {"format", true, "F", NULL, "json", "json, csv or table"},
    {0},
};

const struct ap_cli_option ap_cli_conversations_options[] = {
    DB_OPTION,
    {"account", true, "NAME", NULL, NULL, "the account (required)", true},
    {"now", true, "RFC3339", NULL, NULL, "the clock the states are read at (default: now)"},
    {"from", true, "DATE", NULL, NULL, "first local day of the range (with --to)"},
    {"to", true, "DATE", NULL, NULL, "local day after the range (exclusive)"},
    {"channel", true, "CHANNEL", NULL, NULL, "only this channel"},
    {"metric", true, "M", NULL, "conversations",
     "the figure: conversations, handled, resolved, deflected, handed_off, converted, helpful, "
     "not_helpful, asked or unanswered"},
    {"resolver", true, "ID", NULL, NULL, "only conversations this member (or agent) resolved"},
    {"reason", true, "REASON", NULL, NULL, "only handoffs with this reason"},
    {"assignee", true, "ID", NULL, NULL, "only handoffs to this member"},
    {"language", true, "LANG", NULL, NULL, "only conversations in this language (nb, en, und)"},
    {"format", true, "F", NULL, "csv", "csv, ndjson or json (json: one page, see --limit)"},
    {"limit", true, "N", NULL, NULL, "rows of a json page (default 100, at most 1000)"},
    {"cursor", true, "C", NULL, NULL, "the page after this next_cursor (json)"},
    {"id", true, "ID", NULL, NULL, "one conversation: its state and its events in order (JSON)"},
    {0},
};

const struct ap_cli_option ap_cli_gaps_assign_options[] = {
    {"language", true, "LANG", NULL, NULL, "the questions' language (BCP 47); default: detected, else English"},
    {"threshold", true, "T", NULL, NULL, "least average similarity to join a large topic (default 0.01)"},
    {"threshold-new", true, "T", NULL, NULL, "least similarity to join a topic of one question (default 0.13)"},
    {"novelty-rise", true, "R", NULL, NULL, "how much more a young account's question of unseen words needs (default 0.4)"},
    {"novelty-horizon", true, "N", NULL, NULL, "questions over which the novelty rise fades to half (default 500)"},
    {"min-shared", true, "S", NULL, NULL, "least share of a question's word weight a topic must have to take it (default 0)"},
    {"embedding-weight", true, "W", NULL, NULL, "share of the agent's embedding in the similarity, where given (default 0.6)"},
    {"embedding-threshold", true, "T", NULL, NULL, "least average embedding cosine to join a large topic (default 0.15)"},
    {"embedding-threshold-new", true, "T", NULL, NULL, "least embedding cosine to join a topic of one question (default 0.35)"},
    {"ndjson", false, NULL, NULL, NULL, "each line is {\"text\": …, \"language\": …, \"embedding\": […]} instead of a text"},
    {"regroup", false, NULL, NULL, NULL, "group all questions at once, as the background re-grouping does (order-free)"},
    {"regroup-threshold", true, "T", NULL, NULL, "least average similarity of two groups to merge (default 0.08)"},
    {"regroup-threshold-small", true, "T", NULL, NULL, "the same for a group of one question (default 0.08)"},
    {"regroup-embedding-weight", true, "W", NULL, NULL, "share of the agent's embedding in the similarity, where given (default 0.6)"},
    {"regroup-embedding-threshold", true, "T", NULL, NULL, "least average embedding cosine for two groups to merge (default 0.3)"},
    {"regroup-neighbours", true, "K", NULL, NULL, "nearest neighbours per question (default 10)"},
    {"regroup-min-df", true, "N", NULL, NULL, "least questions a feature must be in to count (default 2)"},
    {"regroup-min-size", true, "N", NULL, NULL, "smaller topics join their closest larger one (default 3)"},
    {"regroup-attach", true, "S", NULL, NULL, "least similarity for that (default 0.03)"},
    {0},
};

#define ACCOUNT_OPTION {"account", true, "NAME", NULL, NULL, "the account (required)", true}

const struct ap_cli_option ap_cli_gaps_list_options[] = {
    DB_OPTION,
    ACCOUNT_OPTION,
    {"from", true, "DATE", NULL, NULL, "only questions from this local day on"},
    {"to", true, "DATE", NULL, NULL, "only questions before this local day"},
    {"channel", true, "CHANNEL", NULL, NULL, "only questions of this channel"},
    {"status", true, "S", NULL, "active", "open, answered, reopened, dismissed, active or all"},
    {"sort", true, "BY", NULL, "conversations", "conversations or last"},
    {"limit", true, "N", NULL, "50", "topics on the page (at most 500)"},
    {"offset", true, "N", NULL, "0", "topics to skip"},
    {"format", true, "F", NULL, "table", "table or json"},
    {0},
};

const struct ap_cli_option ap_cli_gaps_show_options[] = {
    DB_OPTION,
    ACCOUNT_OPTION,
    {"limit", true, "N", NULL, "100", "questions on the page (at most 500)"},
    {"offset", true, "N", NULL, "0", "questions to skip"},
    {"format", true, "F", NULL, "table", "table or json (with links and the team's replies)"},
    {0},
};

const struct ap_cli_option ap_cli_gaps_curate_options[] = {DB_OPTION, ACCOUNT_OPTION, {0}};

const struct ap_cli_option ap_cli_gaps_dismiss_options[] = {
    DB_OPTION,
    ACCOUNT_OPTION,
    {"question", false, NULL, NULL, NULL, "ID is a question, not a topic"},
    {0},
};

const struct ap_cli_option ap_cli_simulate_options[] = {
    DB_OPTION,
    {"account", true, "NAME", NULL, NULL, "the account the events belong to (required)", true},
    {"weeks", true, "N", NULL, "12", "weeks of history, ending now"},
    {"conversations-per-day", true, "N", NULL, "150", "average conversations a day over a week"},
    {"seed", true, "S", NULL, "1", "random seed; the same seed gives the same events"},
    {"now", true, "RFC3339", NULL, NULL, "end the history at this time (default: now)"},
    {"live", true, "RATE", NULL, NULL,
     "after the history, keep adding about RATE events a second until SIGINT/SIGTERM"},
    {0},
};

static const struct ap_cli_command commands[] = {
    {"serve", NULL, "", 0, 0, ap_cli_serve_options, ap_cmd_serve,
     "serve the HTTP API and the dashboard", true},
    {"ingest", NULL, "[FILE|-]", 0, 1, ap_cli_ingest_options, ap_cmd_ingest,
     "store NDJSON events from a file or standard input"},
    {"report", NULL, "[REPORT...]", 0, AP_CLI_MAX_POSITIONALS, ap_cli_report_options,
     ap_cmd_report, "print reports (all, or the ones named) as JSON, CSV or a table"},
    {"conversations", NULL, "", 0, 0, ap_cli_conversations_options, ap_cmd_conversations,
     "list the conversations behind a figure, with their derived state (CSV, NDJSON or JSON)"},
    {"simulate", NULL, "", 0, 0, ap_cli_simulate_options, ap_cmd_simulate,
     "store realistic demo events for an account (and, with --live, keep adding them)"},
    {"gaps", "assign", "[FILE|-]", 0, 1, ap_cli_gaps_assign_options, ap_cmd_gaps_assign,
     "group questions (one a line) into topics as the service does; print each topic number"},
    {"gaps", "list", "", 0, 0, ap_cli_gaps_list_options, ap_cmd_gaps_list,
     "list an account's knowledge-gap topics"},
    {"gaps", "show", "TOPIC", 1, 1, ap_cli_gaps_show_options, ap_cmd_gaps_show,
     "show a topic and its questions"},
    {"gaps", "rename", "TOPIC LABEL", 2, 2, ap_cli_gaps_curate_options, ap_cmd_gaps_rename,
     "give a topic a label of your own"},
    {"gaps", "merge", "TOPIC INTO", 2, 2, ap_cli_gaps_curate_options, ap_cmd_gaps_merge,
     "move every question of TOPIC into topic INTO"},
    {"gaps", "move", "QUESTION TOPIC", 2, 2, ap_cli_gaps_curate_options, ap_cmd_gaps_move,
     "move one question to another topic"},
    {"gaps", "dismiss", "ID", 1, 1, ap_cli_gaps_dismiss_options, ap_cmd_gaps_dismiss,
     "dismiss a topic (or with --question, one question)"},
    {"gaps", "undismiss", "ID", 1, 1, ap_cli_gaps_dismiss_options, ap_cmd_gaps_undismiss,
     "undo a dismissal"},
    {"gaps", "regroup", "", 0, 0, ap_cli_gaps_curate_options, ap_cmd_gaps_regroup,
     "re-group the topics nobody curated now (the server does it as questions grow)"},
    {"answers", "list", "", 0, 0, ap_cli_answers_list_options, ap_cmd_answers_list,
     "list an account's short answers (id, status, question), with search"},
    {"answers", "show", "ID", 1, 1, ap_cli_answers_options, ap_cmd_answers_show,
     "print one short answer as JSON"},
    {"answers", "create", "", 0, 0, ap_cli_answers_create_options, ap_cmd_answers_create,
     "create a short answer"},
    {"answers", "edit", "ID", 1, 1, ap_cli_answers_edit_options, ap_cmd_answers_edit,
     "change the fields given of a short answer"},
    {"answers", "disable", "ID", 1, 1, ap_cli_answers_options, ap_cmd_answers_disable,
     "disable a short answer (kept, never matched)"},
    {"answers", "enable", "ID", 1, 1, ap_cli_answers_options, ap_cmd_answers_enable,
     "enable a disabled short answer"},
    {"answers", "delete", "ID", 1, 1, ap_cli_answers_options, ap_cmd_answers_delete,
     "delete a short answer"},
    {"answers", "import", "[FILE|-]", 0, 1, ap_cli_answers_import_options, ap_cmd_answers_import,
     "create short answers from NDJSON, one a line, with a verdict per line"},
    {"answers", "match", "[FILE|-]", 0, 1, ap_cli_answers_match_options, ap_cmd_answers_match,
     "match questions (one a line): print the answer id or none, and the score"},
    {"answers", "settings", "", 0, 0, ap_cli_answers_settings_options, ap_cmd_answers_settings,
     "show or set the account's no-answer threshold"},
    {"accounts", "create", "NAME", 1, 1, ap_cli_account_options, ap_cmd_accounts_create,
     "create an account", true},
    {"accounts", "list", "", 0, 0, ap_cli_db_options, ap_cmd_accounts_list, "list accounts"},
    {"accounts", "update", "NAME", 1, 1, ap_cli_account_options, ap_cmd_accounts_update,
     "change an account's settings"},
    {"tokens", "create", "", 0, 0, ap_cli_token_create_options, ap_cmd_tokens_create,
     "create an API token and print it once"},
    {"tokens", "list", "", 0, 0, ap_cli_token_options, ap_cmd_tokens_list,
     "list an account's tokens (never their secrets)"},
    {"tokens", "revoke", "ID", 1, 1, ap_cli_token_options, ap_cmd_tokens_revoke,
     "revoke a token at once"},
    {"migrate", NULL, "", 0, 0, ap_cli_db_options, ap_cmd_migrate,
     "create or upgrade the database schema", true},
    {"backup", NULL, "OUT", 1, 1, ap_cli_db_options, ap_cmd_backup,
     "write an online, consistent copy of the SQLite database to a new file OUT"},
    {"restore", NULL, "BACKUP", 1, 1, ap_cli_restore_options, ap_cmd_restore,
     "replace the database's contents with a backup (stop the servers first)"},
};

#define N_COMMANDS (sizeof commands / sizeof commands[0])

static void print_command_usage(FILE *f, const struct ap_cli_command *c)
{
    fprintf(f, "usage: agentperf %s%s%s", c->group, c->name ? " " : "", c->name ? c->name : "");
    if (c->arguments[0])
        fprintf(f, " %s", c->arguments);
    fprintf(f, " [options]\n  %s\n\noptions:\n", c->summary);
    for (const struct ap_cli_option *o = c->options; o->name; o++) {
        char left[64];
        snprintf(left, sizeof left, "--%s%s%s", o->name, o->takes_value ? " " : "",
                 o->takes_value ? o->value_name : "");
        fprintf(f, "  %-28s %s", left, o->help);
        if (o->env)
            fprintf(f, " [env %s]", o->env);
        if (o->fallback)
            fprintf(f, " (default %s)", o->fallback);
        fputc('\n', f);
    }
    fprintf(f, "  %-28s %s\n", "--help", "show this help");
}

static void print_usage(FILE *f)
{
    fprintf(f, "usage: agentperf COMMAND [options]\n\n"
               "agentperf shows how well an AI customer agent performs and what it cannot answer.\n\n"
               "commands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++) {
        char left[64];
        snprintf(left, sizeof left, "%s%s%s", commands[i].group, commands[i].name ? " " : "",
                 commands[i].name ? commands[i].name : "");
        fprintf(f, "  %-20s %s\n", left, commands[i].summary);
    }
    fprintf(f, "\nRun 'agentperf COMMAND --help' for the options of a command.\n");
}

static int option_index(const struct ap_cli_command *c, const char *name, size_t len)
{
    for (int i = 0; c->options[i].name; i++)
        if (strlen(c->options[i].name) == len && strncmp(c->options[i].name, name, len) == 0)
            return i;
    return -1;
}

int ap_cli_usage_error(struct ap_cli_args *args, const char *fmt, ...)
{
    va_list ap;
    char message[1024];
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    fputs("agentperf: ", args->err);
    ap_cli_print_text(args->err, message); /* it quotes what was typed */
    fputs("\n\n", args->err);
    print_command_usage(args->err, args->command);
    return AP_EXIT_USAGE;
}

/* Returns -1 to go on, or the exit status when parsing ended the command. */
static int parse_options(struct ap_cli_args *args, int argc, char **argv)
{
    const struct ap_cli_command *c = args->command;
    bool options_done = false;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (options_done || a[0] != '-' || strcmp(a, "-") == 0) {
            if (args->n_positionals >= c->max_positionals)
                return ap_cli_usage_error(args, "unexpected argument \"%s\"", a);
            args->positionals[args->n_positionals++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            options_done = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            print_command_usage(args->out, c);
            return AP_EXIT_OK;
        }
        if (strncmp(a, "--", 2) != 0)
            return ap_cli_usage_error(args, "unknown option \"%s\"", a);
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        int idx = option_index(c, name, eq ? (size_t)(eq - name) : strlen(name));
        if (idx < 0)
            return ap_cli_usage_error(args, "unknown option \"%.*s\"",
                                      (int)(eq ? eq - a : (long)strlen(a)), a);
        const struct ap_cli_option *o = &c->options[idx];
        if (!o->takes_value) {
            if (eq)
                return ap_cli_usage_error(args, "option --%s takes no value", o->name);
            args->values[idx] = "1";
        } else if (eq) {
            args->values[idx] = eq + 1;
        } else if (i + 1 < argc) {
            args->values[idx] = argv[++i];
        } else {
            return ap_cli_usage_error(args, "option --%s needs a value (%s)", o->name,
                                      o->value_name);
        }
    }
    if (args->n_positionals < c->min_positionals)
        return ap_cli_usage_error(args, "missing argument: %s", c->arguments);
    for (int i = 0; c->options[i].name; i++)
        if (c->options[i].required && ap_cli_get(args, c->options[i].name) == NULL)
            return ap_cli_usage_error(args, "option --%s is required", c->options[i].name);
    return -1;
}

const char *ap_cli_get(const struct ap_cli_args *args, const char *option)
{
    int idx = option_index(args->command, option, strlen(option));
    if (idx < 0)
        return NULL;
    if (args->values[idx])
        return args->values[idx];
    const struct ap_cli_option *o = &args->command->options[idx];
    const char *env = o->env ? getenv(o->env) : NULL;
    if (env && env[0])
        return env;
    return o->fallback;
}

bool ap_cli_flag(const struct ap_cli_args *args, const char *option)
{
    int idx = option_index(args->command, option, strlen(option));
    return idx >= 0 && args->values[idx] != NULL;
}

bool ap_cli_get_size(struct ap_cli_args *args, const char *option, size_t min, size_t max,
                     size_t *out)
{
    const char *v = ap_cli_get(args, option);
    char *end;
    if (v == NULL) {
        ap_cli_usage_error(args, "option --%s is required", option);
        return false;
    }
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    if (errno || end == v || *end || v[0] == '-' || n < min || n > max) {
        ap_cli_usage_error(args, "option --%s: \"%s\" is not a whole number from %zu to %zu",
                           option, v, min, max);
        return false;
    }
    *out = (size_t)n;
    return true;
}

int ap_cli_fail(struct ap_cli_args *args, const struct ap_error *err)
{
    fputs("agentperf: ", args->err);
    ap_cli_print_text(args->err, err->message[0] ? err->message : ap_status_message(err->status));
    fputc('\n', args->err);
    return AP_EXIT_FAILED;
}

struct ap_store *ap_cli_open_store(struct ap_cli_args *args)
{
    struct ap_store *store;
    struct ap_error err;
    ap_error_clear(&err);
    const char *path = ap_store_file_path(ap_cli_get(args, "db"));
    if (path && !args->command->creates_db && access(path, F_OK) != 0 && errno == ENOENT) {
        ap_error_set(&err, AP_NOT_FOUND, "db",
                     "\"db\": no database at %s (check the path; `agentperf accounts create NAME "
                     "--db PATH` starts a new one)",
                     path);
        ap_cli_fail(args, &err);
        return NULL;
    }
    if (ap_store_open(ap_cli_get(args, "db"), &store, &err) != AP_OK) {
        ap_cli_fail(args, &err);
        return NULL;
    }
    return store;
}

bool ap_cli_account(struct ap_cli_args *args, struct ap_store *store, struct ap_account *out)
{
    const char *name = ap_cli_get(args, "account"); /* required: parse_options checked it */
    struct ap_error err;
    if (ap_store_get_account_by_name(store, name, out, &err) != AP_OK) {
        ap_cli_fail(args, &err);
        return false;
    }
    return true;
}

static const struct ap_cli_command *find_command(const char *group, const char *name,
                                                 bool *group_known)
{
    *group_known = false;
    for (size_t i = 0; i < N_COMMANDS; i++) {
        if (strcmp(commands[i].group, group) != 0)
            continue;
        *group_known = true;
        if (commands[i].name == NULL || (name && strcmp(commands[i].name, name) == 0))
            return &commands[i];
    }
    return NULL;
}

int ap_cli_main(int argc, char **argv)
{
    struct ap_cli_args args = {.out = stdout, .err = stderr};
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        print_usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? AP_EXIT_USAGE : AP_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("agentperf 0.1.0\n");
        return AP_EXIT_OK;
    }
    bool group_known;
    const char *sub = argc > 2 ? argv[2] : NULL;
    const struct ap_cli_command *c = find_command(argv[1], sub, &group_known);
    if (c == NULL) {
        if (group_known)
            fprintf(stderr, "agentperf: %s needs a subcommand%s%s\n\n", argv[1],
                    sub ? ", not " : "", sub ? sub : "");
        else
            fprintf(stderr, "agentperf: unknown command \"%s\"\n\n", argv[1]);
        print_usage(stderr);
        return AP_EXIT_USAGE;
    }
    args.command = c;
    int skip = c->name ? 3 : 2;
    int rc = parse_options(&args, argc - skip, argv + skip);
    if (rc >= 0)
        return rc;
    return c->run(&args);
}
