/* `agentperf answers ...`: short answers from the command line — list, show,
 * create, edit, enable/disable, delete, import (NDJSON with per-line
 * verdicts), match (the same code path as POST /v1/answers/match) and the
 * account's no-answer threshold. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "answers/answers.h"
#include "cli/cli.h"
#include "ingest/ndjson.h"

#define ACCOUNT_OPTION {"account", true, "NAME", NULL, NULL, "the account (required)", true}
#define DB_OPTION                                                                      \
    {"db", true, "URL", "AGENTPERF_DB", "agentperf.db",                                \
     "database: a SQLite file path (or sqlite:PATH)"}
#define FIELD_OPTIONS                                                                    \
    {"question", true, "TEXT", NULL, NULL, "the question"},                              \
    {"answer", true, "TEXT", NULL, NULL, "the answer: plain text, links allowed"},       \
    {"alternatives", true, "JSON", NULL, NULL,                                           \
     "other phrasings, as a JSON array of strings: '[\"a\", \"b\"]'"},                  \
    {"language", true, "TAG", NULL, NULL, "BCP 47 language tag (default: the account's default language)"}

const struct ap_cli_option ap_cli_answers_options[] = {DB_OPTION, ACCOUNT_OPTION, {0}};

const struct ap_cli_option ap_cli_answers_list_options[] = {
    DB_OPTION,
    ACCOUNT_OPTION,
    {"q", true, "TEXT", NULL, NULL, "only answers containing TEXT"},
    {"enabled", true, "BOOL", NULL, NULL, "only enabled (true) or disabled (false) answers"},
    {"limit", true, "N", NULL, "0", "at most N answers (0: all)"},
    {"offset", true, "N", NULL, "0", "skip the first N"},
    {0},
};

const struct ap_cli_option ap_cli_answers_create_options[] = {
    DB_OPTION, ACCOUNT_OPTION, {"id", true, "ID", NULL, NULL, "the answer's id (default: generated)"},
    FIELD_OPTIONS, {0},
};

const struct ap_cli_option ap_cli_answers_edit_options[] = {
    DB_OPTION, ACCOUNT_OPTION, FIELD_OPTIONS, {0},
};

const struct ap_cli_option ap_cli_answers_import_options[] = {
    DB_OPTION,
    ACCOUNT_OPTION,
    {"quiet", false, NULL, NULL, NULL, "print only the counts, not each problem line"},
    {0},
};

const struct ap_cli_option ap_cli_answers_match_options[] = {
    DB_OPTION,
    ACCOUNT_OPTION,
    {"language", true, "TAG", NULL, NULL, "the questions' language (default: detected, else the account's default language)"},
    {0},
};

const struct ap_cli_option ap_cli_answers_settings_options[] = {
    DB_OPTION,
    ACCOUNT_OPTION,
    {"match-threshold", true, "T", NULL, NULL,
     "least score of a match, 0-1, or \"default\" (the built-in rule)"},
    {0},
};

/* Opens the store and finds --account; on failure prints why. */
static struct ap_store *open_account(struct ap_cli_args *args, struct ap_account *a)
{
    struct ap_store *store = ap_cli_open_store(args);
    if (store && !ap_cli_account(args, store, a)) {
        ap_store_destroy(store);
        return NULL;
    }
    return store;
}

/* Applies the field options given to *a. */
static enum ap_status apply_options(struct ap_cli_args *args, struct ap_answer *a,
                                    struct ap_error *err)
{
    const char *v;
    if ((v = ap_cli_get(args, "question"))) {
        free(a->question);
        a->question = ap_strdup(v);
    }
    if ((v = ap_cli_get(args, "answer"))) {
        free(a->answer);
        a->answer = ap_strdup(v);
    }
    if ((v = ap_cli_get(args, "language"))) {
        if (ap_answer_check_language(v, err) != AP_OK)
            return AP_INVALID;
        ap_copy_str(a->language, sizeof a->language, v);
    }
    if ((v = ap_cli_get(args, "alternatives"))) {
        /* Read through the JSON reader as the member of an object. */
        struct ap_buf json;
        unsigned present;
        ap_buf_init(&json, (size_t)AP_ANSWER_JSON_MAX);
        ap_buf_append_str(&json, "{\"alternatives\":");
        ap_buf_append_str(&json, v);
        enum ap_status rc = ap_buf_append_str(&json, "}");
        if (rc == AP_OK)
            rc = ap_answer_read_json(json.data, json.len, a, &present, err);
        ap_buf_free(&json);
        if (rc != AP_OK || present != AP_ANSWER_F_ALTERNATIVES)
            return ap_error_set(err, AP_INVALID, "alternatives",
                                "--alternatives: must be a JSON array of strings");
    }
    return AP_OK;
}

static int print_answer(struct ap_cli_args *args, const struct ap_answer *a)
{
    struct ap_buf out;
    ap_buf_init(&out, (size_t)AP_ANSWER_JSON_MAX);
    ap_answer_write_json(a, &out);
    ap_cli_write_text(args->out, out.data, out.len, true);
    fputc('\n', args->out);
    ap_buf_free(&out);
    return AP_EXIT_OK;
}

static enum ap_status list_line(void *ctx, const struct ap_answer *a)
{
    struct ap_cli_args *args = ctx;
    ap_cli_print_text(args->out, a->id);
    fprintf(args->out, "\t%s\t", a->enabled ? "enabled" : "disabled");
    ap_cli_print_text(args->out, a->question);
    fputc('\n', args->out);
    return AP_OK;
}

int ap_cmd_answers_list(struct ap_cli_args *args)
{
    struct ap_answer_query q = {.q = ap_cli_get(args, "q"), .enabled = -1};
    struct ap_account account;
    struct ap_error err;
    int64_t total;
    const char *enabled = ap_cli_get(args, "enabled");
    if (enabled) {
        if (strcmp(enabled, "true") != 0 && strcmp(enabled, "false") != 0)
            return ap_cli_usage_error(args, "--enabled: must be true or false");
        q.enabled = strcmp(enabled, "true") == 0;
    }
    if (!ap_cli_get_size(args, "limit", 0, 1000000000, &q.limit) ||
        !ap_cli_get_size(args, "offset", 0, 1000000000, &q.offset))
        return AP_EXIT_USAGE;
    struct ap_store *store = open_account(args, &account);
    if (store == NULL)
        return AP_EXIT_FAILED;
    ap_error_clear(&err);
    enum ap_status rc = ap_store_select_answers(store, account.id, &q, list_line, args, &total, &err);
    ap_store_destroy(store);
    return rc == AP_OK ? AP_EXIT_OK : ap_cli_fail(args, &err);
}

int ap_cmd_answers_show(struct ap_cli_args *args)
{
    struct ap_account account;
    struct ap_answer a;
    struct ap_error err;
    struct ap_store *store = open_account(args, &account);
    if (store == NULL)
        return AP_EXIT_FAILED;
    ap_error_clear(&err);
    enum ap_status rc = ap_store_get_answer(store, account.id, args->positionals[0], &a, &err);
    ap_store_destroy(store);
    if (rc != AP_OK)
        return ap_cli_fail(args, &err);
    print_answer(args, &a);
    ap_answer_free(&a);
    return AP_EXIT_OK;
}

int ap_cmd_answers_create(struct ap_cli_args *args)
{
    struct ap_account account;
    struct ap_answer a;
    struct ap_error err;
    ap_error_clear(&err);
    ap_answer_init(&a);
    const char *id = ap_cli_get(args, "id");
    if (id)
        a.id = ap_strdup(id);
    if (apply_options(args, &a, &err) != AP_OK) {
        ap_answer_free(&a);
        return ap_cli_fail(args, &err);
    }
    struct ap_store *store = open_account(args, &account);
    if (store == NULL) {
        ap_answer_free(&a);
        return AP_EXIT_FAILED;
    }
    if (ap_cli_get(args, "language") == NULL)
        ap_copy_str(a.language, sizeof a.language, account.default_language);
    enum ap_status rc = ap_answers_create(NULL, store, account.id, &a, &err);
    ap_store_destroy(store);
    int status = rc == AP_OK ? print_answer(args, &a) : ap_cli_fail(args, &err);
    ap_answer_free(&a);
    return status;
}

/* Reads answer ID, lets `change` alter it, and stores it. */
static int modify(struct ap_cli_args *args,
                  enum ap_status (*change)(struct ap_cli_args *args, struct ap_answer *a,
                                           struct ap_error *err))
{
    struct ap_account account;
    struct ap_answer a;
    struct ap_error err;
    ap_error_clear(&err);
    ap_answer_init(&a);
    struct ap_store *store = open_account(args, &account);
    if (store == NULL)
        return AP_EXIT_FAILED;
    enum ap_status rc = ap_store_get_answer(store, account.id, args->positionals[0], &a, &err);
    if (rc == AP_OK) {
        rc = change(args, &a, &err);
        if (rc == AP_OK)
            rc = ap_answers_update(NULL, store, account.id, &a, &err);
    }
    ap_store_destroy(store);
    int status = rc == AP_OK ? print_answer(args, &a) : ap_cli_fail(args, &err);
    ap_answer_free(&a);
    return status;
}

static enum ap_status disable(struct ap_cli_args *args, struct ap_answer *a, struct ap_error *err)
{
    (void)args;
    (void)err;
    a->enabled = false;
    return AP_OK;
}

static enum ap_status enable(struct ap_cli_args *args, struct ap_answer *a, struct ap_error *err)
{
    (void)args;
    (void)err;
    a->enabled = true;
    return AP_OK;
}

int ap_cmd_answers_edit(struct ap_cli_args *args)
{
    return modify(args, apply_options);
}

int ap_cmd_answers_disable(struct ap_cli_args *args)
{
    return modify(args, disable);
}

int ap_cmd_answers_enable(struct ap_cli_args *args)
{
    return modify(args, enable);
}

int ap_cmd_answers_delete(struct ap_cli_args *args)
{
    struct ap_account account;
    struct ap_error err;
    ap_error_clear(&err);
    struct ap_store *store = open_account(args, &account);
    if (store == NULL)
        return AP_EXIT_FAILED;
    enum ap_status rc = ap_answers_delete(NULL, store, account.id, args->positionals[0], &err);
    ap_store_destroy(store);
    if (rc != AP_OK)
        return ap_cli_fail(args, &err);
    fprintf(args->out, "deleted %s\n", args->positionals[0]);
    return AP_EXIT_OK;
}

static FILE *open_input(struct ap_cli_args *args)
{
    const char *path = args->n_positionals ? args->positionals[0] : "-";
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (in == NULL)
        fprintf(args->err, "agentperf: cannot open \"%s\": %s\n", path, strerror(errno));
    return in;
}

static void close_input(FILE *in)
{
    if (in && in != stdin)
        fclose(in);
}

static bool same_strings(const char *a, const char *b)
{
    return strcmp(a ? a : "", b ? b : "") == 0;
}

/* Same content as stored: an import line sent again is a duplicate. */
static bool same_answer(const struct ap_answer *a, const struct ap_answer *b)
{
    if (!same_strings(a->question, b->question) || !same_strings(a->answer, b->answer) ||
        strcmp(a->language, b->language) != 0 || a->enabled != b->enabled ||
        a->n_alternatives != b->n_alternatives)
        return false;
    for (size_t i = 0; i < a->n_alternatives; i++)
        if (strcmp(a->alternatives[i], b->alternatives[i]) != 0)
            return false;
    return true;
}

struct import_counts {
    unsigned long long stored, duplicate, conflict, rejected;
};

/* One import line's verdict; prints the problem unless --quiet. */
static void import_line(struct ap_cli_args *args, struct ap_store *store, int64_t account_id,
                        const char *line, size_t len, size_t line_no, struct import_counts *c)
{
    struct ap_answer a, stored;
    struct ap_error err;
    unsigned present = 0;
    const char *verdict = NULL;
    ap_error_clear(&err);
    ap_answer_init(&a);
    enum ap_status rc = ap_answer_read_json(line, len, &a, &present, &err);
    if (rc == AP_OK)
        rc = ap_answers_create(NULL, store, account_id, &a, &err);
    if (rc == AP_OK) {
        c->stored++;
    } else if (rc == AP_EXISTS && ap_store_get_answer(store, account_id, a.id, &stored, NULL) == AP_OK) {
        bool same = same_answer(&a, &stored);
        ap_answer_free(&stored);
        if (same) {
            c->duplicate++;
        } else {
            c->conflict++;
            verdict = "conflict";
            ap_error_set(&err, AP_CONFLICT, "id",
                         "\"id\": already stored with different content; the stored answer is kept");
        }
    } else {
        c->rejected++;
        verdict = "rejected";
    }
    bool named = (present & AP_ANSWER_F_ID) && a.id; /* not a generated id */
    if (verdict && !ap_cli_flag(args, "quiet"))
        ap_cli_print_problem(args->err, line_no, verdict, named ? a.id : NULL, err.message);
    ap_answer_free(&a);
}

int ap_cmd_answers_import(struct ap_cli_args *args)
{
    struct ap_account account;
    struct import_counts c = {0};
    FILE *in = open_input(args);
    if (in == NULL)
        return AP_EXIT_FAILED;
    struct ap_store *store = open_account(args, &account);
    if (store == NULL) {
        close_input(in);
        return AP_EXIT_FAILED;
    }
    struct ap_ndjson_reader reader;
    ap_ndjson_init_stream(&reader, in, (size_t)AP_ANSWER_JSON_MAX);
    int status = AP_EXIT_OK;
    for (;;) {
        const char *line;
        size_t len;
        enum ap_ndjson_result r = ap_ndjson_next(&reader, &line, &len);
        if (r == AP_NDJSON_END)
            break;
        if (r == AP_NDJSON_IO_ERROR) {
            fprintf(args->err, "agentperf: read error after line %zu\n", reader.line_no);
            status = AP_EXIT_FAILED;
            break;
        }
        if (r == AP_NDJSON_TOO_LONG) {
            c.rejected++;
            fprintf(args->err, "line %zu: rejected: longer than %zu bytes\n", reader.line_no,
                    (size_t)AP_ANSWER_JSON_MAX);
            continue;
        }
        import_line(args, store, account.id, line, len, reader.line_no, &c);
    }
    ap_ndjson_free(&reader);
    ap_store_destroy(store);
    close_input(in);
    fprintf(args->out, "stored %llu, duplicate %llu, conflict %llu, rejected %llu\n", c.stored,
            c.duplicate, c.conflict, c.rejected);
    return status == AP_EXIT_OK && (c.rejected || c.conflict) ? AP_EXIT_FAILED : status;
}

int ap_cmd_answers_match(struct ap_cli_args *args)
{
    struct ap_account account;
    struct ap_error err;
    const char *language = ap_cli_get(args, "language");
    ap_error_clear(&err);
    if (language && ap_answer_check_language(language, &err) != AP_OK)
        return ap_cli_usage_error(args, "--language: \"%s\" is not a BCP 47 tag", language);
    FILE *in = open_input(args);
    if (in == NULL)
        return AP_EXIT_FAILED;
    struct ap_store *store = open_account(args, &account);
    if (store == NULL) {
        close_input(in);
        return AP_EXIT_FAILED;
    }
    struct ap_answers_cache *cache = ap_answers_cache_new();
    struct ap_ndjson_reader reader; /* a line reader: each line is a question, not JSON */
    ap_ndjson_init_stream(&reader, in, AP_MATCH_QUESTION_MAX);
    int status = AP_EXIT_OK;
    for (;;) {
        const char *line;
        size_t len;
        struct ap_match_result r;
        enum ap_ndjson_result res = ap_ndjson_next(&reader, &line, &len);
        if (res == AP_NDJSON_END)
            break;
        if (res != AP_NDJSON_LINE) {
            fprintf(args->err, "agentperf: line %zu: %s\n", reader.line_no,
                    res == AP_NDJSON_TOO_LONG ? "longer than 4096 bytes" : "read error");
            status = AP_EXIT_FAILED;
            break;
        }
        if (ap_answers_match(cache, store, &account, line, len, language, 1, &r, &err) != AP_OK) {
            status = ap_cli_fail(args, &err);
            break;
        }
        ap_cli_print_text(args->out, r.matched ? r.candidates[0].id : "none");
        fprintf(args->out, " %.4f\n", r.n ? r.candidates[0].score : 0.0);
    }
    ap_ndjson_free(&reader);
    ap_answers_cache_destroy(cache);
    ap_store_destroy(store);
    close_input(in);
    return status;
}

int ap_cmd_answers_settings(struct ap_cli_args *args)
{
    struct ap_account account;
    struct ap_error err;
    double threshold = -1;
    const char *v = ap_cli_get(args, "match-threshold");
    ap_error_clear(&err);
    if (v && strcmp(v, "default") != 0) {
        char *end;
        errno = 0;
        threshold = strtod(v, &end);
        if (errno || end == v || *end || threshold < 0 || threshold > 1)
            return ap_cli_usage_error(args,
                                      "--match-threshold: \"%s\" is not a number from 0 to 1 "
                                      "or \"default\"",
                                      v);
    }
    struct ap_store *store = open_account(args, &account);
    if (store == NULL)
        return AP_EXIT_FAILED;
    enum ap_status rc = v ? ap_answers_set_threshold(NULL, store, account.id, threshold, &err)
                          : AP_OK;
    if (rc == AP_OK)
        rc = ap_answers_threshold(store, account.id, &threshold, &err);
    ap_store_destroy(store);
    if (rc != AP_OK)
        return ap_cli_fail(args, &err);
    fprintf(args->out, "match_threshold %.4f\n", threshold);
    return AP_EXIT_OK;
}
