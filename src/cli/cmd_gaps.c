/* `agentperf gaps ...`: knowledge gaps from the command line. `gaps assign`
 * groups questions read one per line exactly as the service groups unanswered
 * questions, and prints each one's topic number: how grouping is measured.
 * The other commands read and curate an account's topics. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "answers/answers.h"
#include "cli/cli.h"
#include "gaps/gaps.h"
#include "gaps/regroup.h"
#include "ingest/event.h"
#include "ingest/json.h"
#include "ingest/ndjson.h"
#include "tz/tz.h"
#include "text/text.h"

/* Reads option `name` into *out when given: a number from lo to hi. False
 * (after the usage message) when it is not one. */
static bool parse_number(struct ap_cli_args *args, const char *name, double lo, double hi,
                         double *out)
{
    const char *text = ap_cli_get(args, name);
    if (text == NULL)
        return true;
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (errno || *end || end == text || !(value >= lo && value <= hi)) {
        ap_cli_usage_error(args, "--%s: \"%s\" is not a number from %.7g to %.7g", name, text, lo,
                           hi);
        return false;
    }
    *out = value;
    return true;
}

static bool parse_fraction(struct ap_cli_args *args, const char *name, double *out)
{
    return parse_number(args, name, 0, 1, out);
}

/* Plain lines are texts; --ndjson lines are objects of the agent's fields. */
#define ASSIGN_TEXT_LINE_MAX (1 << 16)
#define ASSIGN_NDJSON_LINE_MAX (1 << 20) /* room for an AP_EMBEDDING_MAX embedding */

/* One input question: borrowed from the line (text mode) or from obj. */
struct assign_input {
    const char *text;
    size_t len;
    const char *language; /* NULL: --language, else detected, else English */
    const double *embedding;
    size_t embedding_len;
    struct ap_json_object obj;
    bool parsed;
};

/* Reads an --ndjson line: {"text": …, "language": …, "embedding": […]}, each
 * field checked as in a question.asked event; errors name the field. */
static enum ap_status read_object(const char *line, size_t len, struct assign_input *q,
                                  struct ap_error *err)
{
    struct ap_event ev;
    enum ap_status rc = ap_json_parse_object(line, len, &q->obj, err);
    if (rc != AP_OK)
        return rc;
    q->parsed = true;
    rc = ap_event_read_question(&q->obj, &ev, err);
    if (rc != AP_OK)
        return rc;
    q->text = ev.text;
    q->len = strlen(ev.text);
    q->language = ev.language;
    q->embedding = ev.embedding;
    q->embedding_len = ev.embedding_len;
    return AP_OK;
}

/* Groups one question and prints its topic number; with a regrouper, only
 * adds the question to it (the topics come when every line is read). */
static enum ap_status assign_line(struct ap_grouper *g, struct ap_regrouper *batch,
                                  struct ap_text *text, const struct assign_input *q,
                                  const char *language, FILE *out, struct ap_error *err)
{
    struct ap_tokens tokens = {0};
    const char *stemmer = ap_text_language(text, q->text, q->len, q->language ? q->language
                                                                              : language,
                                           AP_DEFAULT_LANGUAGE);
    enum ap_status rc = ap_text_tokens(text, q->text, q->len, stemmer, &tokens, err);
    if (rc == AP_OK && batch) {
        ap_regrouper_add(batch, &tokens, q->embedding, q->embedding_len);
    } else if (rc == AP_OK) {
        struct ap_gap_question gq = {&tokens, q->embedding, q->embedding_len};
        fprintf(out, "%zu\n", ap_grouper_assign(g, &gq, NULL) + 1);
    }
    ap_tokens_free(&tokens);
    return rc;
}

/* Reads the --regroup-* options into *o; false (after the usage message) when
 * one is bad. */
static bool parse_regroup_options(struct ap_cli_args *args, struct ap_regroup_options *o)
{
    ap_regroup_options_init(o);
    double neighbours = (double)o->neighbours, min_df = (double)o->min_df,
           min_size = (double)o->min_size;
    if (!parse_fraction(args, "regroup-threshold", &o->threshold) ||
        !parse_fraction(args, "regroup-threshold-small", &o->threshold_small) ||
        !parse_fraction(args, "regroup-embedding-weight", &o->embedding_weight) ||
        !parse_fraction(args, "regroup-embedding-threshold", &o->embedding_threshold) ||
        !parse_number(args, "regroup-neighbours", 1, 100, &neighbours) ||
        !parse_number(args, "regroup-min-df", 1, 1e6, &min_df) ||
        !parse_number(args, "regroup-min-size", 1, 1e6, &min_size) ||
        !parse_fraction(args, "regroup-attach", &o->attach))
        return false;
    o->neighbours = (size_t)neighbours;
    o->min_df = (size_t)min_df;
    o->min_size = (size_t)min_size;
    return true;
}

/* Prints each question's topic number from the batch re-grouping. */
static void print_regrouped(struct ap_regrouper *batch, FILE *out)
{
    size_t n = ap_regrouper_count(batch);
    uint32_t *topic = ap_malloc((n ? n : 1) * sizeof *topic);
    ap_regrouper_run(batch, topic, NULL);
    for (size_t i = 0; i < n; i++)
        fprintf(out, "%u\n", topic[i] + 1);
    free(topic);
}

int ap_cmd_gaps_assign(struct ap_cli_args *args)
{
    struct ap_grouper_options opts;
    struct ap_error err;
    struct ap_text *text;
    ap_grouper_options_init(&opts);
    if (!parse_fraction(args, "threshold", &opts.threshold) ||
        !parse_fraction(args, "threshold-new", &opts.threshold_new) ||
        !parse_fraction(args, "novelty-rise", &opts.novelty_rise) ||
        !parse_fraction(args, "min-shared", &opts.min_shared) ||
        !parse_fraction(args, "embedding-weight", &opts.embedding_weight) ||
        !parse_fraction(args, "embedding-threshold", &opts.embedding_threshold) ||
        !parse_fraction(args, "embedding-threshold-new", &opts.embedding_threshold_new) ||
        !parse_number(args, "novelty-horizon", 1, 1e6, &opts.novelty_horizon))
        return AP_EXIT_USAGE;
    struct ap_regroup_options regroup;
    if (!parse_regroup_options(args, &regroup))
        return AP_EXIT_USAGE;
    const char *language = ap_cli_get(args, "language");
    if (language && ap_text_stemmer_for(language) == NULL)
        return ap_cli_usage_error(args, "--language: \"%s\" is not a language the stemmer knows",
                                  language);
    bool ndjson = ap_cli_get(args, "ndjson") != NULL;
    const char *path = args->n_positionals ? args->positionals[0] : "-";
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (in == NULL) {
        fprintf(args->err, "agentperf: cannot open \"%s\": %s\n", path, strerror(errno));
        return AP_EXIT_FAILED;
    }
    if (ap_text_new(&text, &err) != AP_OK) {
        if (in != stdin)
            fclose(in);
        return ap_cli_fail(args, &err);
    }
    struct ap_grouper *g = ap_grouper_new(&opts);
    struct ap_regrouper *batch = ap_cli_get(args, "regroup") ? ap_regrouper_new(&regroup) : NULL;
    struct ap_ndjson_reader reader; /* a line reader; JSON only with --ndjson */
    size_t max_line = ndjson ? ASSIGN_NDJSON_LINE_MAX : ASSIGN_TEXT_LINE_MAX;
    ap_ndjson_init_stream(&reader, in, max_line);
    int status = AP_EXIT_OK;
    for (;;) {
        const char *line;
        size_t len;
        enum ap_ndjson_result res = ap_ndjson_next(&reader, &line, &len);
        if (res == AP_NDJSON_END)
            break;
        if (res != AP_NDJSON_LINE) {
            fprintf(args->err, "agentperf: line %zu: %s\n", reader.line_no,
                    res == AP_NDJSON_TOO_LONG ? (ndjson ? "longer than 1 MiB" : "longer than 64 KiB")
                                              : "read error");
            status = AP_EXIT_FAILED;
            break;
        }
        struct assign_input q = {.text = line, .len = len};
        enum ap_status rc = ndjson ? read_object(line, len, &q, &err) : AP_OK;
        if (rc == AP_OK)
            rc = assign_line(g, batch, text, &q, language, args->out, &err);
        if (q.parsed)
            ap_json_object_free(&q.obj);
        if (rc != AP_OK) {
            fprintf(args->err, "agentperf: line %zu: %s\n", reader.line_no, err.message);
            status = AP_EXIT_FAILED;
            break;
        }
    }
    if (batch && status == AP_EXIT_OK)
        print_regrouped(batch, args->out);
    ap_ndjson_free(&reader);
    ap_regrouper_destroy(batch);
    ap_grouper_destroy(g);
    ap_text_destroy(text);
    if (in != stdin)
        fclose(in);
    return status;
}

/* --- the service's topics ------------------------------------------------------------ */

int ap_cli_assign_gaps(struct ap_cli_args *args, struct ap_gaps *gaps, struct ap_store *store,
                       int64_t account_id)
{
    struct ap_error err;
    ap_error_clear(&err);
    if (ap_gaps_assign_pending(gaps, store, account_id, NULL, &err) == AP_OK)
        return AP_EXIT_OK;
    fprintf(args->err, "agentperf: questions are stored, but assigning them to topics failed "
                       "(retried on the next read): %s\n", err.message);
    return AP_EXIT_FAILED;
}

/* Opens the store, finds --account and brings its topics up to date: what
 * every gaps command starts with. */
static struct ap_store *open_gaps(struct ap_cli_args *args, struct ap_account *account)
{
    struct ap_store *store = ap_cli_open_store(args);
    if (store == NULL || !ap_cli_account(args, store, account)) {
        ap_store_destroy(store);
        return NULL;
    }
    struct ap_gaps *gaps = ap_gaps_new(NULL);
    ap_cli_assign_gaps(args, gaps, store, account->id);
    ap_gaps_destroy(gaps);
    return store;
}

static bool parse_id(struct ap_cli_args *args, const char *what, const char *text, int64_t *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(text, &end, 10);
    if (errno || *end || end == text || v < 1) {
        ap_cli_usage_error(args, "%s: \"%s\" is not a positive whole number", what, text);
        return false;
    }
    *out = v;
    return true;
}

static bool table_format(struct ap_cli_args *args, bool *table)
{
    const char *format = ap_cli_get(args, "format");
    *table = strcmp(format, "table") == 0;
    if (!*table && strcmp(format, "json") != 0) {
        ap_cli_usage_error(args, "option --format: must be table or json");
        return false;
    }
    return true;
}

/* Times in tables are the account's local time with its offset (ISO 8601). */
#define TIME_COLUMN 25
static void print_time(FILE *out, struct ap_tz *tz, int64_t us, bool present)
{
    char text[AP_TZ_TIME_MAX];
    ap_tz_format_local(tz, us, text);
    fprintf(out, "%-*s", TIME_COLUMN, present ? text : "-");
}

struct table_ctx {
    FILE *out;
    struct ap_tz *tz;
    struct ap_store *store;
    int64_t account_id;
    const struct ap_gap_topic_query *q;
    struct ap_error *err;
};

/* The topic's most asked questions under its row, each with its count. */
static enum ap_status print_top_questions(struct table_ctx *c, int64_t topic_id)
{
    struct ap_gap_same same;
    enum ap_status rc = ap_gaps_top_questions(c->store, c->account_id, c->q, topic_id, &same,
                                              c->err);
    for (size_t i = 0; rc == AP_OK && i < same.n && i < AP_GAPS_TOP_QUESTIONS; i++) {
        fprintf(c->out, "%14lld \xc3\x97 ", (long long)same.items[i].count);
        ap_cli_print_text(c->out, same.items[i].text);
        fputc('\n', c->out);
    }
    ap_gap_same_free(&same);
    return rc;
}

static enum ap_status print_topic_row(void *ctx, const struct ap_gap_topic_rec *t)
{
    struct table_ctx *c = ctx;
    FILE *out = c->out;
    fprintf(out, "%6lld  %-9s  %13lld  %9lld  ", (long long)t->id, ap_gap_status_name(t->status),
            (long long)t->conversations, (long long)t->questions);
    print_time(out, c->tz, t->last_at_us, t->questions > 0);
    fputs("  ", out);
    char label[AP_GAP_LABEL_TEXT_MAX + 1];
    if (t->label == NULL && t->auto_label)
        ap_gap_label_trim(t->auto_label, label, sizeof label);
    ap_cli_print_text(out, t->label ? t->label : t->auto_label ? label : NULL);
    fputc('\n', out);
    return print_top_questions(c, t->id);
}

/* Which topics the page showed, and how to see the next ones. */
static void print_page_note(FILE *out, const struct ap_gap_topic_query *q, int64_t total)
{
    int64_t first = q->offset + 1, last = q->offset + q->limit < total ? q->offset + q->limit : total;
    if (total == 0)
        fputs("(no topics)\n", out);
    else if (first == 1 && last == total)
        fprintf(out, "(%lld topics)\n", (long long)total);
    else if (last < total)
        fprintf(out, "(topics %lld-%lld of %lld; --offset %lld for the next ones)\n",
                (long long)first, (long long)last, (long long)total, (long long)last);
    else
        fprintf(out, "(topics %lld-%lld of %lld)\n", (long long)(first <= total ? first : total),
                (long long)last, (long long)total);
}

int ap_cmd_gaps_list(struct ap_cli_args *args)
{
    struct ap_gaps_params params = {
        .from = ap_cli_get(args, "from"), .to = ap_cli_get(args, "to"),
        .channel = ap_cli_get(args, "channel"), .status = ap_cli_get(args, "status"),
        .sort = ap_cli_get(args, "sort"), .limit = ap_cli_get(args, "limit"),
        .offset = ap_cli_get(args, "offset")};
    struct ap_account account;
    struct ap_gap_topic_query q;
    struct ap_error err;
    char channel[33];
    bool table;
    if (!table_format(args, &table))
        return AP_EXIT_USAGE;
    struct ap_store *store = open_gaps(args, &account);
    if (store == NULL)
        return AP_EXIT_FAILED;
    ap_error_clear(&err);
    enum ap_status rc = ap_gaps_query_parse(&params, &account, &q, channel, &err);
    if (rc != AP_OK) {
        ap_store_destroy(store);
        return ap_cli_usage_error(args, "%s", err.message);
    }
    int64_t total = 0;
    struct ap_buf out;
    ap_buf_init(&out, (size_t)1 << 30);
    if (table) {
        struct table_ctx c = {args->out, NULL, store, account.id, &q, &err};
        rc = ap_tz_open(account.time_zone, &c.tz, &err);
        if (rc == AP_OK) {
            fprintf(args->out, "%6s  %-9s  %13s  %9s  %-*s  %s\n", "topic", "status",
                    "conversations", "questions", TIME_COLUMN, "last", "label");
            rc = ap_store_select_gap_topics(store, account.id, &q, print_topic_row, &c, &total,
                                            &err);
        }
        if (rc == AP_OK)
            print_page_note(args->out, &q, total);
        ap_tz_close(c.tz);
    } else if ((rc = ap_gaps_list_json(store, &account, &q, &out, &err)) == AP_OK &&
               (rc = ap_buf_check(&out, "the topic list", &err)) == AP_OK) {
        ap_cli_write_text(args->out, out.data, out.len, true);
        fputc('\n', args->out);
    }
    ap_buf_free(&out);
    ap_store_destroy(store);
    return rc == AP_OK ? AP_EXIT_OK : ap_cli_fail(args, &err);
}

struct question_ctx {
    FILE *out;
    struct ap_tz *tz;
};

static enum ap_status print_question_row(void *ctx, const struct ap_gap_question_rec *q)
{
    struct question_ctx *c = ctx;
    FILE *out = c->out;
    fprintf(out, "%8lld  ", (long long)q->id);
    print_time(out, c->tz, q->at_us, true);
    fprintf(out, "  %-10s  %-9s  ", q->channel ? q->channel : "-", q->dismissed ? "dismissed" : "");
    ap_cli_print_text(out, q->text);
    fputc('\n', out);
    return AP_OK;
}

/* The topic's head, for people: label, status, figures, answer. */
static enum ap_status print_topic_head(void *ctx, const struct ap_gap_topic_rec *t)
{
    struct question_ctx *c = ctx;
    char label[AP_GAP_LABEL_TEXT_MAX + 1];
    if (t->label == NULL && t->auto_label)
        ap_gap_label_trim(t->auto_label, label, sizeof label);
    fprintf(c->out, "topic %lld: ", (long long)t->id);
    ap_cli_print_text(c->out, t->label ? t->label : t->auto_label ? label : "(no label)");
    fprintf(c->out, "\n  %s%s · %lld conversations · %lld questions", ap_gap_status_name(t->status),
            t->label ? " · renamed" : "", (long long)t->conversations, (long long)t->questions);
    if (t->questions > 0) {
        fputs(" · last ", c->out);
        char text[AP_TZ_TIME_MAX];
        ap_tz_format_local(c->tz, t->last_at_us, text);
        fputs(text, c->out);
    }
    fputc('\n', c->out);
    if (t->answer_id) {
        char text[AP_TZ_TIME_MAX];
        ap_tz_format_local(c->tz, t->answered_at_us, text);
        fputs("  answered by short answer ", c->out);
        ap_cli_print_text(c->out, t->answer_id);
        fprintf(c->out, " at %s; %lld questions since\n", text, (long long)t->since_answer);
    }
    return AP_OK;
}

int ap_cmd_gaps_show(struct ap_cli_args *args)
{
    struct ap_account account;
    struct ap_error err;
    int64_t topic_id;
    size_t limit, offset;
    bool table;
    if (!parse_id(args, "topic", args->positionals[0], &topic_id) || !table_format(args, &table) ||
        !ap_cli_get_size(args, "limit", 1, AP_GAPS_LIMIT_MAX, &limit) ||
        !ap_cli_get_size(args, "offset", 0, INT32_MAX, &offset))
        return AP_EXIT_USAGE;
    struct ap_store *store = open_gaps(args, &account);
    if (store == NULL)
        return AP_EXIT_FAILED;
    struct ap_buf out;
    ap_buf_init(&out, (size_t)1 << 30);
    ap_error_clear(&err);
    enum ap_status rc;
    if (table) {
        struct question_ctx c = {args->out, NULL};
        rc = ap_tz_open(account.time_zone, &c.tz, &err);
        if (rc == AP_OK)
            rc = ap_gaps_with_topic(store, &account, topic_id, print_topic_head, &c, &err);
        if (rc == AP_OK) {
            fprintf(args->out, "\n%8s  %-*s  %-10s  %-9s  %s\n", "question", TIME_COLUMN, "at",
                    "channel", "", "text");
            rc = ap_store_select_gap_topic_questions(store, account.id, topic_id, (int64_t)limit,
                                                     (int64_t)offset, print_question_row, &c, &err);
        }
        ap_tz_close(c.tz);
    } else if ((rc = ap_gaps_topic_json(store, &account, topic_id, (int64_t)limit,
                                        (int64_t)offset, &out, &err)) == AP_OK &&
               (rc = ap_buf_check(&out, "the topic", &err)) == AP_OK) {
        ap_cli_write_text(args->out, out.data, out.len, true);
        fputc('\n', args->out);
    }
    ap_buf_free(&out);
    ap_store_destroy(store);
    return rc == AP_OK ? AP_EXIT_OK : ap_cli_fail(args, &err);
}

/* Questions moved or merged into a topic with an answer join the answer's
 * phrasings. The curation is done by then: a failure here is a warning. */
static void join_answer(struct ap_cli_args *args, struct ap_store *store, int64_t account_id,
                        int64_t topic_id, const struct ap_topic_questions *joining)
{
    struct ap_error err;
    ap_error_clear(&err);
    if (ap_answers_join_topic(NULL, store, account_id, topic_id, joining, &err) != AP_OK)
        fprintf(args->err, "agentperf: warning: the questions did not join the topic's answer: %s\n",
                err.message);
}

/* A curation command: parse its ids, run it, say what happened. */
enum curation { RENAME, MERGE, MOVE, DISMISS, UNDISMISS };

static int curate(struct ap_cli_args *args, enum curation what)
{
    struct ap_account account;
    struct ap_error err;
    int64_t id, other = 0;
    bool question = ap_cli_flag(args, "question");
    const char *first = what == MOVE || question ? "question" : "topic";
    if (!parse_id(args, first, args->positionals[0], &id))
        return AP_EXIT_USAGE;
    if ((what == MERGE || what == MOVE) &&
        !parse_id(args, "target topic", args->positionals[1], &other))
        return AP_EXIT_USAGE;
    struct ap_store *store = open_gaps(args, &account);
    if (store == NULL)
        return AP_EXIT_FAILED;
    ap_error_clear(&err);
    enum ap_status rc = AP_OK;
    /* Questions that join a topic with an answer join the answer's phrasings. */
    struct ap_topic_questions joining = {0};
    bool joins = what == MERGE || what == MOVE;
    if (joins)
        rc = ap_answers_read_topic_questions(store, account.id, what == MERGE ? id : 0,
                                             what == MOVE ? id : 0, &joining, &err);
    if (rc == AP_OK) {
        switch (what) {
        case RENAME: rc = ap_gaps_rename(store, account.id, id, args->positionals[1], &err); break;
        case MERGE: rc = ap_gaps_merge(store, account.id, id, other, &err); break;
        case MOVE: rc = ap_gaps_move(store, account.id, id, other, &err); break;
        case DISMISS:
        case UNDISMISS:
            rc = question
                     ? ap_gaps_dismiss_question(store, account.id, id, what == DISMISS, NULL, &err)
                     : ap_gaps_dismiss_topic(store, account.id, id, what == DISMISS, &err);
            break;
        }
    }
    if (rc == AP_OK && joins)
        join_answer(args, store, account.id, other, &joining);
    ap_topic_questions_free(&joining);
    ap_store_destroy(store);
    if (rc != AP_OK)
        return ap_cli_fail(args, &err);
    static const char *const done[] = {"renamed", "merged", "moved", "dismissed", "undismissed"};
    fprintf(args->out, "%s %s %lld\n", done[what], first, (long long)id);
    return AP_EXIT_OK;
}

int ap_cmd_gaps_rename(struct ap_cli_args *args) { return curate(args, RENAME); }
int ap_cmd_gaps_merge(struct ap_cli_args *args) { return curate(args, MERGE); }
int ap_cmd_gaps_move(struct ap_cli_args *args) { return curate(args, MOVE); }
int ap_cmd_gaps_dismiss(struct ap_cli_args *args) { return curate(args, DISMISS); }
int ap_cmd_gaps_undismiss(struct ap_cli_args *args) { return curate(args, UNDISMISS); }

/* `gaps regroup`: the background re-grouping, now. */
int ap_cmd_gaps_regroup(struct ap_cli_args *args)
{
    struct ap_account account;
    struct ap_store *store = ap_cli_open_store(args);
    if (store == NULL || !ap_cli_account(args, store, &account)) {
        ap_store_destroy(store);
        return AP_EXIT_FAILED;
    }
    struct ap_gaps *gaps = ap_gaps_new(NULL);
    struct ap_error err;
    size_t moved = 0;
    ap_error_clear(&err);
    enum ap_status rc = ap_gaps_regroup(gaps, store, account.id, &moved, &err);
    ap_gaps_destroy(gaps);
    ap_store_destroy(store);
    if (rc != AP_OK)
        return ap_cli_fail(args, &err);
    fprintf(args->out, "re-grouped: %zu questions moved\n", moved);
    return AP_EXIT_OK;
}
