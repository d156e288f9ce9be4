/* Reports (SPEC §3-4): keeping the aggregates current as events arrive, and
 * building the report document from them. */
#ifndef AP_REPORTS_H
#define AP_REPORTS_H

#include "account/account.h"
#include "core/core.h"
#include "reports/derive.h"
#include "store/store.h"

/* --- maintenance (maintain.c) ------------------------------------------------ */

/* Brings the aggregates up to date after `events` were inserted in the open
 * transaction (verdicts[i] tells which were stored): every conversation they
 * touch is derived again from its events, its old contribution retracted and
 * the new one added. Rebuilds everything instead when the account is stale. */
enum ap_status ap_reports_apply(struct ap_store *store, const struct ap_account *account,
                                const struct ap_event *events, const enum ap_verdict *verdicts,
                                size_t n, struct ap_error *err);

/* Recomputes all of an account's aggregates from its events, inside the open
 * transaction, and clears its stale mark. */
enum ap_status ap_reports_rebuild(struct ap_store *store, const struct ap_account *account,
                                  struct ap_error *err);

/* Rebuilds in its own transaction when the account is marked stale; *account
 * is refreshed. */
enum ap_status ap_reports_ensure_fresh(struct ap_store *store, struct ap_account *account,
                                       struct ap_error *err);

/* --- the report document (document.c) --------------------------------------- */

#define AP_REPORT_MAP(X)                                            \
    X(IMPACT, "impact")                                             \
    X(HANDLED_OVER_TIME, "handled_over_time")                       \
    X(HANDLED_BY_CHANNEL, "handled_by_channel")                     \
    X(FEEDBACK_TREND, "feedback_trend")                             \
    X(HANDLING_RATE_OVER_TIME, "handling_rate_over_time")           \
    X(RESOLUTION_RATE, "resolution_rate")                           \
    X(RESOLUTION_RATE_OVER_TIME, "resolution_rate_over_time")       \
    X(RESOLVED_OVER_TIME, "resolved_over_time")                     \
    X(DEFLECTION_RATE_OVER_TIME, "deflection_rate_over_time")       \
    X(DEFLECTIONS_OVER_TIME, "deflections_over_time")               \
    X(TEAM, "team")                                                 \
    X(HANDOFF_RATE_OVER_TIME, "handoff_rate_over_time")             \
    X(HANDOFFS_OVER_TIME, "handoffs_over_time")                     \
    X(HANDOFF_OUTCOMES, "handoff_outcomes")                         \
    X(QUESTIONS_OVER_TIME, "questions_over_time")                   \
    X(HANDOFFS_BY_REASON, "handoffs_by_reason")                     \
    X(HANDOFFS_BY_ASSIGNEE, "handoffs_by_assignee")                 \
    X(BY_LANGUAGE, "by_language")

enum ap_report {
#define AP_REPORT_ENUM(name, str) AP_REPORT_##name,
    AP_REPORT_MAP(AP_REPORT_ENUM)
#undef AP_REPORT_ENUM
    AP_REPORT__COUNT
};

#define AP_REPORTS_ALL ((1u << AP_REPORT__COUNT) - 1)

const char *ap_report_name(enum ap_report report);
bool ap_report_parse(const char *name, enum ap_report *out);

enum ap_granularity { AP_GRANULARITY_DAY, AP_GRANULARITY_WEEK, AP_GRANULARITY_MONTH };
enum ap_report_format { AP_FORMAT_JSON, AP_FORMAT_CSV, AP_FORMAT_TABLE };

/* What a report call asks for. Parameters are strings as they come from a
 * query string or flags; NULL means "not given". */
struct ap_report_params {
    const char *from, *to;  /* local dates YYYY-MM-DD */
    const char *granularity;
    const char *channel;
    const char *format;
    const char *now;        /* RFC 3339: --now, or the API's now parameter */
    const char *language;   /* only conversations in this language (docs/metrics.md) */
};

/* The validated query. The longest range accepted is AP_REPORT_MAX_DAYS. */
#define AP_REPORT_MAX_DAYS 3700
struct ap_report_query {
    int64_t now_us;
    bool has_range;
    int64_t day_from, day_to; /* when has_range */
    enum ap_granularity granularity;
    char channel[33];         /* "" for all channels */
    char language[AP_LANGUAGE_KEY_MAX]; /* "" for all languages */
    enum ap_report_format format;
    unsigned reports;         /* bit mask of enum ap_report */
};

/* Validates params into q (now_us defaults to now_default_us); each error names
 * the parameter. */
enum ap_status ap_report_query_parse(const struct ap_report_params *params, int64_t now_default_us,
                                     struct ap_report_query *q, struct ap_error *err);

/* What a document says beside its figures: a channel or language filter
 * that matches no conversation the account ever had (every figure is then 0).
 * JSON carries them as "warnings"; the CLI writes them to stderr. */
struct ap_report_notes {
    bool channel_unseen, language_unseen;
};

/* The sentence of a note ("no conversation of this account was ever on
 * channel \"fax\""), the same in JSON and on stderr. */
void ap_report_note_text(const char *field, const char *value, struct ap_buf *out);

/* Appends the report document (JSON, CSV or a text table) for the account to
 * out, and its notes to *notes (may be NULL). The account must not be stale
 * (ap_reports_ensure_fresh). */
enum ap_status ap_reports_render(struct ap_store *store, const struct ap_account *account,
                                 const struct ap_report_query *q, struct ap_buf *out,
                                 struct ap_report_notes *notes, struct ap_error *err);

/* --- the conversations behind a figure (conversations.c) -------------------- */

/* Which conversations a figure counts (SPEC §4.1 "Every figure can be opened
 * as the list of conversations behind it"); the name is the `metric`
 * parameter. */
#define AP_CONV_FILTER_MAP(X)          \
    X(ALL, "conversations")            \
    X(HANDLED, "handled")              \
    X(RESOLVED, "resolved")            \
    X(DEFLECTED, "deflected")          \
    X(HANDED_OFF, "handed_off")        \
    X(CONVERTED, "converted")          \
    X(HELPFUL, "helpful")              \
    X(NOT_HELPFUL, "not_helpful")      \
    X(ASKED, "asked")                  \
    X(UNANSWERED, "unanswered")

enum ap_conv_filter {
#define AP_CONV_FILTER_ENUM(name, str) AP_CONV_FILTER_##name,
    AP_CONV_FILTER_MAP(AP_CONV_FILTER_ENUM)
#undef AP_CONV_FILTER_ENUM
    AP_CONV_FILTER__COUNT
};

enum ap_conv_format { AP_CONV_JSON, AP_CONV_CSV, AP_CONV_NDJSON };

#define AP_CONV_LIMIT_DEFAULT 100
#define AP_CONV_LIMIT_MAX 1000          /* a page of JSON */
#define AP_CONV_EXPORT_LIMIT_MAX 100000 /* rows of one CSV or NDJSON call */

/* What a list call asks for, as strings from a query string or flags; NULL
 * means "not given". Range, channel and now as for reports. */
struct ap_conv_params {
    struct ap_report_params range; /* from, to, channel, now; granularity and format unused */
    const char *metric;
    const char *resolver; /* only conversations this member (or "agent") resolved */
    const char *reason;   /* only handoffs with this reason */
    const char *assignee; /* only handoffs to this member: a row of handoffs_by_assignee */
    const char *language; /* only conversations in this language: a row of by_language
                           * (checked as the reports' filter, kept in range.language) */
    const char *format;   /* json (default), csv, ndjson */
    const char *cursor;   /* next_cursor of the page before */
    const char *limit;
};

struct ap_conv_query {
    struct ap_report_query range;
    enum ap_conv_filter filter;
    char resolver[AP_DIM_MAX];
    char reason[AP_DIM_MAX];
    char assignee[AP_DIM_MAX];
    enum ap_conv_format format;
    bool has_cursor;
    int64_t cursor_started_us;
    char cursor_id[AP_DIM_MAX];
    size_t limit;
};

/* Validates params into q; each error names the parameter. */
enum ap_status ap_conv_query_parse(const struct ap_conv_params *params, int64_t now_default_us,
                                   struct ap_conv_query *q, struct ap_error *err);

/* Appends the page (JSON: an envelope with "conversations" and "next_cursor";
 * CSV and NDJSON: the rows) to out. *next_cursor (AP_CONV_CURSOR_MAX bytes)
 * is the cursor of the next page, or "" when this was the last. The account
 * must not be stale (ap_reports_ensure_fresh). */
#define AP_CONV_CURSOR_MAX (24 + 2 * AP_DIM_MAX)
enum ap_status ap_reports_list_conversations(struct ap_store *store,
                                             const struct ap_account *account,
                                             const struct ap_conv_query *q, struct ap_buf *out,
                                             char *next_cursor, struct ap_error *err);

/* One conversation (GET /v1/conversations/{id}): the fields of a list row as
 * of now_us, then "events_total" and "events", its first 1,000 events in
 * order of (at, id), each as stored. AP_NOT_FOUND names "id" when no started
 * conversation of the account has this id. */
enum ap_status ap_reports_conversation_json(struct ap_store *store,
                                            const struct ap_account *account, const char *id,
                                            int64_t now_us, struct ap_buf *out,
                                            struct ap_error *err);

#endif
