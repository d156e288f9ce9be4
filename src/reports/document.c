/* The report document of SPEC §4.1. Figures are read from report cells (a few
 * hundred rows for a default page, whatever the number of conversations),
 * adjusted for conversations that have not gone quiet by `now`, summed into
 * buckets, and written as JSON, CSV or a text table from one tabular model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reports/cells.h"
#include "reports/reports.h"
#include "tz/tz.h"

#define HOUR_US (INT64_C(3600) * AP_USEC_PER_SEC)

/* Impact shows this week, the previous one and the week before that: the
 * like-for-like comparison is between the last two complete weeks. */
#define IMPACT_WEEKS_BACK 2

/* --- gathering the figures ------------------------------------------------- */

struct member_name {
    char *id, *name;
};

struct figures {
    int64_t from, to;     /* the range, local days, to exclusive */
    int64_t today;        /* the local day of `now` */
    int64_t this_monday;  /* the current week */
    int64_t lo, hi;       /* days loaded for main cells: range and the impact weeks */
    int64_t (*days)[AP_M__COUNT];
    bool channel_unseen; /* the channel filter matches no conversation, ever */
    bool language_unseen; /* the language filter matches none either */
    /* Per day of [lo, hi): a conversation started that day can still change
     * its figures with no new event (handled, not handed off, not ended at
     * `now`: SPEC §3). What makes a bucket "provisional". */
    bool *open_days;
    struct ap_cell_map dims; /* over the range: per channel (MAIN), reason, resolver; day 0 */
    struct member_name *names;
    size_t n_names, cap_names;
    struct ap_tz *tz;
    const struct ap_report_query *q;
};

static void add_values(int64_t *dst, const int64_t *src, int sign)
{
    for (int m = 0; m < AP_M__COUNT; m++)
        dst[m] += sign * src[m];
}

static void absorb(struct figures *f, const struct ap_cell *c, int sign)
{
    bool in_range = c->key.day >= f->from && c->key.day < f->to;
    struct ap_cell_key k;
    if (c->key.kind == AP_CELL_MAIN && c->key.day >= f->lo && c->key.day < f->hi)
        add_values(f->days[c->key.day - f->lo], c->v, sign);
    if (!in_range)
        return;
    memset(&k, 0, sizeof k);
    k.kind = ap_cell_daily_kind(c->key.kind);
    ap_copy_str(k.dim, sizeof k.dim, c->key.kind == AP_CELL_MAIN ? c->key.channel : c->key.dim);
    add_values(ap_cell_map_get(&f->dims, &k)->v, c->v, sign);
}

static enum ap_status absorb_cell(void *ctx, const struct ap_cell *c)
{
    absorb(ctx, c, +1);
    return AP_OK;
}

static void mark_open(struct figures *f, int64_t day)
{
    if (day >= f->lo && day < f->hi)
        f->open_days[day - f->lo] = true;
}

/* A pending cell still in force at `now`: its conversations have not gone
 * quiet. Every such conversation is on the agent's side and not explicitly
 * ended (derive.c: time_dependent), so it turns into a deflection when it
 * does; a cell whose deflections sum to zero holds none any more. */
static enum ap_status absorb_pending_cell(void *ctx, const struct ap_cell *c)
{
    struct figures *f = ctx;
    absorb(f, c, +1);
    if (c->key.kind == AP_CELL_MAIN && c->v[AP_M_DEFLECTED] != 0)
        mark_open(f, c->key.day);
    return AP_OK;
}

/* A conversation that goes quiet later within the current hour: its pending
 * part still applies at `now` (pending cells of this hour are not summed). */
static enum ap_status absorb_not_yet_quiet(void *ctx, const char *id, const void *blob, size_t len)
{
    struct figures *f = ctx;
    struct ap_conv_state s;
    struct ap_cell_map part;
    (void)id;
    if (!ap_conv_state_decode(blob, len, &s))
        return AP_STORAGE;
    if (f->q->channel[0] && strcmp(s.channel, f->q->channel) != 0)
        return AP_OK;
    int64_t day = ap_tz_local_day(f->tz, s.started_at_us);
    if (s.started && s.time_dependent)
        mark_open(f, day);
    ap_cell_map_init(&part);
    ap_cells_add_pending_part(&part, &s, day, +1);
    for (size_t i = 0; i < part.n; i++)
        absorb(f, &part.cells[i], +1);
    ap_cell_map_free(&part);
    return AP_OK;
}

static enum ap_status collect_name(void *ctx, const char *id, const char *name)
{
    struct figures *f = ctx;
    if (f->n_names == f->cap_names) {
        f->cap_names = f->cap_names ? 2 * f->cap_names : 32;
        f->names = ap_realloc(f->names, f->cap_names * sizeof *f->names);
    }
    f->names[f->n_names].id = ap_strdup(id);
    f->names[f->n_names].name = ap_strdup(name);
    f->n_names++;
    return AP_OK;
}

static const char *member_name(const struct figures *f, const char *id)
{
    for (size_t i = 0; i < f->n_names; i++)
        if (strcmp(f->names[i].id, id) == 0)
            return f->names[i].name;
    return NULL;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* --- the language filter: figures from the conversations themselves ---------------------- */

#define DAY_US (INT64_C(86400) * AP_USEC_PER_SEC)

/* The cells hold no language but per-language totals (AP_CELL_LANGUAGE), so a
 * document filtered by language is summed from the stored states of the
 * conversations that started in the loaded days: each one's contribution at
 * `now`, made by the same code that keeps the cells (ap_cells_add_conversation),
 * so the figures are those the reference model gives. It reads every state of
 * the range: slower than the cells, exact all the same. */
struct by_language {
    struct figures *f;
    struct ap_cell_map cells;
    size_t read;              /* states the last store call gave */
    int64_t last_start;       /* the last one's start and id: where the next call goes on */
    char last_id[AP_DIM_MAX];
};

static enum ap_status add_language_state(void *ctx, const char *id, const void *blob, size_t len)
{
    struct by_language *b = ctx;
    struct figures *f = b->f;
    struct ap_conv_state s;
    if (!ap_conv_state_decode(blob, len, &s))
        return AP_STORAGE;
    b->read++;
    b->last_start = s.started_at_us;
    ap_copy_str(b->last_id, sizeof b->last_id, id);
    int64_t day = ap_tz_local_day(f->tz, s.started_at_us);
    if (!s.started || day < f->lo || day >= f->hi || strcmp(s.language, f->q->language) != 0 ||
        (f->q->channel[0] && strcmp(s.channel, f->q->channel) != 0))
        return AP_OK;
    if (s.time_dependent && f->q->now_us < s.quiet_at_us)
        mark_open(f, day);
    s.after_quiet = *ap_conv_outcome_at(&s, f->q->now_us); /* its state at now, as if settled */
    s.time_dependent = false;
    ap_cells_add_conversation(&b->cells, &s, day, +1);
    return AP_OK;
}

#define LANGUAGE_CHUNK 1024 /* states read per store call */

static enum ap_status gather_language(struct ap_store *store, const struct ap_account *account,
                                      struct figures *f, struct ap_error *err)
{
    struct by_language b;
    memset(&b, 0, sizeof b);
    b.f = f;
    ap_cell_map_init(&b.cells);
    enum ap_status rc;
    for (bool first = true;; first = false) {
        char after_id[AP_DIM_MAX];
        ap_copy_str(after_id, sizeof after_id, b.last_id);
        b.read = 0;
        /* a day more on each side: no zone is a day away from UTC */
        rc = ap_store_select_conversations_by_start(store, account->id, (f->lo - 1) * DAY_US,
                                                    (f->hi + 1) * DAY_US, b.last_start,
                                                    first ? NULL : after_id, LANGUAGE_CHUNK,
                                                    add_language_state, &b, err);
        if (rc != AP_OK || b.read < LANGUAGE_CHUNK)
            break;
    }
    for (size_t i = 0; rc == AP_OK && i < b.cells.n; i++) {
        int kind = b.cells.cells[i].key.kind;
        if (kind != AP_CELL_REASON_WEEK && kind != AP_CELL_RESOLVER_WEEK) /* days are enough */
            absorb(f, &b.cells.cells[i], +1);
    }
    ap_cell_map_free(&b.cells);
    return rc;
}

static enum ap_status gather(struct ap_store *store, const struct ap_account *account,
                             struct figures *f, struct ap_error *err)
{
    const struct ap_report_query *q = f->q;
    const char *channel = q->channel[0] ? q->channel : NULL;
    f->today = ap_tz_local_day(f->tz, q->now_us);
    f->this_monday = f->today - ap_day_weekday(f->today);
    f->from = q->has_range ? q->day_from : f->this_monday - 12 * 7;
    f->to = q->has_range ? q->day_to : f->this_monday + 7;
    int64_t first_impact_day = f->this_monday - 7 * IMPACT_WEEKS_BACK;
    f->lo = f->from < first_impact_day ? f->from : first_impact_day;
    f->hi = f->to > f->this_monday + 7 ? f->to : f->this_monday + 7;
    f->days = ap_calloc((size_t)(f->hi - f->lo), sizeof *f->days);
    f->open_days = ap_calloc((size_t)(f->hi - f->lo), sizeof *f->open_days);

    /* Reasons and resolvers: whole weeks from the weekly roll-ups, the days
     * before the first Monday and from the last Monday on from daily cells. */
    int64_t first_monday = f->from + (7 - ap_day_weekday(f->from)) % 7;
    int64_t last_monday = f->to - ap_day_weekday(f->to);
    if (last_monday < first_monday)
        first_monday = last_monday = f->to;
    if (q->language[0]) {
        enum ap_status rc = gather_language(store, account, f, err);
        return rc == AP_OK ? ap_store_select_members(store, account->id, collect_name, f, err) : rc;
    }
    struct ap_cell_query main_q = {AP_CELL_MAIN, f->lo, f->hi, channel, false, 0};
    struct ap_cell_query split_q[6];
    const int kinds[2][2] = {{AP_CELL_REASON, AP_CELL_REASON_WEEK},
                             {AP_CELL_RESOLVER, AP_CELL_RESOLVER_WEEK}};
    for (int k = 0; k < 2; k++) {
        split_q[3 * k] = (struct ap_cell_query){kinds[k][0], f->from, first_monday, channel, false, 0};
        split_q[3 * k + 1] = (struct ap_cell_query){kinds[k][1], first_monday, last_monday, channel, false, 0};
        split_q[3 * k + 2] = (struct ap_cell_query){kinds[k][0], last_monday, f->to, channel, false, 0};
    }
    int64_t hour = floor_div(q->now_us, HOUR_US);
    struct ap_cell_query pending_q = {-1, f->lo, f->hi, channel, true, hour};
    struct ap_cell_query assignee_q = {AP_CELL_ASSIGNEE, f->from, f->to, channel, false, 0};
    struct ap_cell_query language_q = {AP_CELL_LANGUAGE, f->from, f->to, channel, false, 0};
    const struct ap_cell_query *queries[] = {&main_q,     &split_q[0], &split_q[1],
                                             &split_q[2], &split_q[3], &split_q[4],
                                             &split_q[5], &assignee_q, &language_q};
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        enum ap_status rc = ap_store_select_cells(store, account->id, queries[i], absorb_cell, f, err);
        if (rc != AP_OK)
            return rc;
    }
    enum ap_status rc =
        ap_store_select_cells(store, account->id, &pending_q, absorb_pending_cell, f, err);
    if (rc == AP_OK)
        rc = ap_store_select_quiet_conversations(store, account->id, q->now_us, (hour + 1) * HOUR_US,
                                                 absorb_not_yet_quiet, f, err);
    if (rc == AP_OK)
        rc = ap_store_select_members(store, account->id, collect_name, f, err);
    return rc;
}

static void figures_free(struct figures *f)
{
    free(f->days);
    free(f->open_days);
    ap_cell_map_free(&f->dims);
    for (size_t i = 0; i < f->n_names; i++) {
        free(f->names[i].id);
        free(f->names[i].name);
    }
    free(f->names);
    ap_tz_close(f->tz);
}

/* Sums main cells over local days [a, b). */
static void sum_days(const struct figures *f, int64_t a, int64_t b, int64_t out[AP_M__COUNT])
{
    memset(out, 0, AP_M__COUNT * sizeof *out);
    for (int64_t d = a; d < b; d++)
        add_values(out, f->days[d - f->lo], +1);
}

/* --- buckets ----------------------------------------------------------------- */

/* The local day the bucket after `day` starts on, within the range. */
static int64_t next_bucket_start(int64_t day, enum ap_granularity g)
{
    switch (g) {
    case AP_GRANULARITY_DAY:
        return day + 1;
    case AP_GRANULARITY_WEEK:
        return day - ap_day_weekday(day) + 7;
    default: {
        int64_t y;
        unsigned m, d;
        ap_civil_from_days(day, &y, &m, &d);
        return m == 12 ? ap_days_from_civil(y + 1, 1, 1) : ap_days_from_civil(y, m + 1, 1);
    }
    }
}

/* The local day the bucket holding `day` starts on, were the range not to cut it. */
static int64_t bucket_start_of(int64_t day, enum ap_granularity g)
{
    switch (g) {
    case AP_GRANULARITY_DAY:
        return day;
    case AP_GRANULARITY_WEEK:
        return day - ap_day_weekday(day);
    default: {
        int64_t y;
        unsigned m, d;
        ap_civil_from_days(day, &y, &m, &d);
        return ap_days_from_civil(y, m, 1);
    }
    }
}

/* Whether a conversation started in local days [a, b) can still change its
 * figures with no new event. */
static bool any_open(const struct figures *f, int64_t a, int64_t b)
{
    for (int64_t d = a; d < b; d++)
        if (f->open_days[d - f->lo])
            return true;
    return false;
}

struct bucket {
    int64_t start;
    int64_t v[AP_M__COUNT];
    bool provisional; /* its figures can still change with no new event */
    bool partial;     /* the range or `now` cuts it short */
};

static struct bucket *make_buckets(const struct figures *f, enum ap_granularity g, size_t *n)
{
    size_t cap = 16, count = 0;
    struct bucket *b = ap_malloc(cap * sizeof *b);
    for (int64_t start = f->from; start < f->to;) {
        int64_t end = next_bucket_start(start, g);
        if (end > f->to)
            end = f->to;
        if (count == cap)
            b = ap_realloc(b, (cap *= 2) * sizeof *b);
        int64_t natural_end = next_bucket_start(start, g);
        b[count].start = start;
        sum_days(f, start, end, b[count].v);
        b[count].provisional = any_open(f, start, end);
        b[count].partial = bucket_start_of(start, g) != start || natural_end > f->to ||
                           f->today < natural_end;
        count++;
        start = end;
    }
    *n = count;
    return b;
}

/* --- the tabular model -------------------------------------------------------- */

enum value_type { V_NULL, V_INT, V_NUM, V_STR, V_DAY, V_BOOL };

struct value {
    enum value_type type;
    int64_t i;
    double d;
    const char *s;
};

enum shape {
    SHAPE_ROWS,   /* a JSON array of objects */
    SHAPE_OBJECT, /* one object */
    SHAPE_IMPACT, /* {"this_week": {...}, "previous_week": {...}} */
};

#define MAX_COLUMNS 12

struct table {
    enum shape shape;
    const char *columns[MAX_COLUMNS];
    int n_columns;
    struct value *values; /* n_rows * n_columns */
    size_t n_rows, cap_rows;
};

static struct value *new_row(struct table *t)
{
    if (t->n_rows == t->cap_rows) {
        t->cap_rows = t->cap_rows ? 2 * t->cap_rows : 16;
        t->values = ap_realloc(t->values, t->cap_rows * (size_t)t->n_columns * sizeof *t->values);
    }
    struct value *row = &t->values[t->n_rows++ * (size_t)t->n_columns];
    memset(row, 0, (size_t)t->n_columns * sizeof *row);
    return row;
}

static struct value v_int(int64_t i) { return (struct value){.type = V_INT, .i = i}; }
static struct value v_day(int64_t day) { return (struct value){.type = V_DAY, .i = day}; }
static struct value v_bool(bool b) { return (struct value){.type = V_BOOL, .i = b}; }
static struct value v_str(const char *s)
{
    return (struct value){.type = s ? V_STR : V_NULL, .s = s};
}

/* A fraction, null when the denominator is zero. */
static struct value v_ratio(int64_t num, int64_t den)
{
    if (den == 0)
        return (struct value){.type = V_NULL};
    return (struct value){.type = V_NUM, .d = (double)num / (double)den};
}

/* An average of microsecond sums, in seconds. */
static struct value v_avg_seconds(int64_t sum_us, int64_t count)
{
    if (count == 0)
        return (struct value){.type = V_NULL};
    return (struct value){.type = V_NUM, .d = (double)sum_us / (double)count / 1e6};
}

static void set_columns(struct table *t, enum shape shape, const char *const *cols)
{
    memset(t, 0, sizeof *t);
    t->shape = shape;
    while (cols[t->n_columns])
        t->columns[t->n_columns] = cols[t->n_columns], t->n_columns++;
}

/* --- the sixteen reports --------------------------------------------------------- */

struct context {
    const struct figures *f;
    const struct bucket *buckets;
    size_t n_buckets;
    int64_t range[AP_M__COUNT]; /* main metrics summed over the range */
};

/* A time-series row: the bucket first, its two flags last (SPEC §4.1); the
 * caller fills the figures between. */
static struct value *series_row(struct table *t, const struct bucket *b)
{
    struct value *row = new_row(t);
    row[0] = v_day(b->start);
    row[t->n_columns - 2] = v_bool(b->provisional);
    row[t->n_columns - 1] = v_bool(b->partial);
    return row;
}

static void count_series(const struct context *c, struct table *t, enum ap_metric metric)
{
    static const char *const cols[] = {"bucket", "count", "provisional", "partial", NULL};
    set_columns(t, SHAPE_ROWS, cols);
    for (size_t i = 0; i < c->n_buckets; i++)
        series_row(t, &c->buckets[i])[1] = v_int(c->buckets[i].v[metric]);
}

static void rate_series(const struct context *c, struct table *t, enum ap_metric num,
                        enum ap_metric den)
{
    static const char *const cols[] = {"bucket",      "rate",    "numerator", "denominator",
                                       "provisional", "partial", NULL};
    set_columns(t, SHAPE_ROWS, cols);
    for (size_t i = 0; i < c->n_buckets; i++) {
        const int64_t *v = c->buckets[i].v;
        struct value *row = series_row(t, &c->buckets[i]);
        row[1] = v_ratio(v[num], v[den]);
        row[2] = v_int(v[num]);
        row[3] = v_int(v[den]);
    }
}

static void impact_row(const struct context *c, struct table *t, const char *period, int64_t monday)
{
    int64_t v[AP_M__COUNT];
    sum_days(c->f, monday, monday + 7, v);
    struct value *row = new_row(t);
    int64_t ratings = v[AP_M_HELPFUL] + v[AP_M_NOT_HELPFUL];
    row[0] = v_str(period);
    row[1] = v_day(monday);
    row[2] = v_int(v[AP_M_HANDLED]);
    row[3] = v_int(v[AP_M_RESOLVED]);
    row[4] = v_avg_seconds(v[AP_M_RESOLUTION_US], v[AP_M_RESOLVED]);
    row[5] = v_int(v[AP_M_DEFLECTED]);
    row[6] = v_ratio(v[AP_M_DEFLECTED], v[AP_M_HANDLED]);
    row[7] = v_int(v[AP_M_HELPFUL]);
    row[8] = v_int(ratings);
    row[9] = v_ratio(v[AP_M_HELPFUL], ratings);
    row[10] = v_bool(any_open(c->f, monday, monday + 7));
    row[11] = v_bool(c->f->today < monday + 7);
}

static void report_impact(const struct context *c, struct table *t)
{
    static const char *const cols[] = {"period", "week", "handled", "resolved",
                                       "avg_resolution_seconds", "deflected", "deflection_rate",
                                       "helpful", "ratings", "helpful_share", "provisional",
                                       "partial", NULL};
    set_columns(t, SHAPE_IMPACT, cols);
    impact_row(c, t, "this_week", c->f->this_monday);
    impact_row(c, t, "previous_week", c->f->this_monday - 7);
    impact_row(c, t, "week_before", c->f->this_monday - 7 * IMPACT_WEEKS_BACK);
}

static void report_handled_over_time(const struct context *c, struct table *t)
{
    count_series(c, t, AP_M_HANDLED);
}

/* Rows of the per-dimension map for one kind, for sorting. */
struct dim_row {
    const char *name;
    const int64_t *v;
    int64_t key; /* the figure ranked by */
};

static int compare_dim_rows(const void *a, const void *b)
{
    const struct dim_row *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return strcmp(x->name, y->name);
}

/* The dimension values of one kind whose ranking figure is positive, ranked by
 * it descending, then by name. The caller frees the array. */
static struct dim_row *ranked_dims(const struct figures *f, int kind, enum ap_metric metric,
                                   size_t *n)
{
    struct dim_row *rows = ap_calloc(f->dims.n + 1, sizeof *rows);
    size_t count = 0;
    for (size_t i = 0; i < f->dims.n; i++) {
        const struct ap_cell *cell = &f->dims.cells[i];
        if (cell->key.kind != kind || cell->v[metric] <= 0)
            continue;
        rows[count++] = (struct dim_row){cell->key.dim, cell->v, cell->v[metric]};
    }
    qsort(rows, count, sizeof *rows, compare_dim_rows);
    *n = count;
    return rows;
}

static void report_handled_by_channel(const struct context *c, struct table *t)
{
    static const char *const cols[] = {"channel", "count", NULL};
    size_t n;
    struct dim_row *rows = ranked_dims(c->f, AP_CELL_MAIN, AP_M_HANDLED, &n);
    set_columns(t, SHAPE_ROWS, cols);
    for (size_t i = 0; i < n; i++) {
        struct value *row = new_row(t);
        row[0] = v_str(rows[i].name);
        row[1] = v_int(rows[i].key);
    }
    free(rows);
}

static void report_feedback_trend(const struct context *c, struct table *t)
{
    static const char *const cols[] = {"bucket", "helpful", "not_helpful", "provisional",
                                       "partial", NULL};
    set_columns(t, SHAPE_ROWS, cols);
    for (size_t i = 0; i < c->n_buckets; i++) {
        struct value *row = series_row(t, &c->buckets[i]);
        row[1] = v_int(c->buckets[i].v[AP_M_HELPFUL]);
        row[2] = v_int(c->buckets[i].v[AP_M_NOT_HELPFUL]);
    }
}

static void report_handling_rate_over_time(const struct context *c, struct table *t)
{
    rate_series(c, t, AP_M_HANDLED, AP_M_CONVERSATIONS);
}

static void report_resolution_rate(const struct context *c, struct table *t)
{
    static const char *const cols[] = {"rate", "numerator", "denominator", NULL};
    set_columns(t, SHAPE_OBJECT, cols);
    struct value *row = new_row(t);
    row[0] = v_ratio(c->range[AP_M_RESOLVED], c->range[AP_M_HANDLED]);
    row[1] = v_int(c->range[AP_M_RESOLVED]);
    row[2] = v_int(c->range[AP_M_HANDLED]);
}

static void report_resolution_rate_over_time(const struct context *c, struct table *t)
{
    rate_series(c, t, AP_M_RESOLVED, AP_M_HANDLED);
}

static void report_resolved_over_time(const struct context *c, struct table *t)
{
    count_series(c, t, AP_M_RESOLVED);
}

static void report_deflection_rate_over_time(const struct context *c, struct table *t)
{
    rate_series(c, t, AP_M_DEFLECTED, AP_M_HANDLED);
}

static void report_deflections_over_time(const struct context *c, struct table *t)
{
    count_series(c, t, AP_M_DEFLECTED);
}

/* The agent ranks among the team: its count is the range's agent resolutions. */
static void report_team(const struct context *c, struct table *t)
{
    static const char *const cols[] = {"resolver", "name", "resolved", NULL};
    size_t n;
    struct dim_row *members = ranked_dims(c->f, AP_CELL_RESOLVER, AP_M_CONVERSATIONS, &n);
    struct dim_row *rows = ap_calloc(n + 1, sizeof *rows);
    memcpy(rows, members, n * sizeof *rows);
    rows[n] = (struct dim_row){"agent", NULL, c->range[AP_M_RESOLVED]};
    qsort(rows, n + 1, sizeof *rows, compare_dim_rows);
    set_columns(t, SHAPE_ROWS, cols);
    for (size_t i = 0; i <= n; i++) {
        struct value *row = new_row(t);
        row[0] = v_str(rows[i].name);
        row[1] = v_str(rows[i].v ? member_name(c->f, rows[i].name) : NULL);
        row[2] = v_int(rows[i].key);
    }
    free(rows);
    free(members);
}

static void report_handoff_rate_over_time(const struct context *c, struct table *t)
{
    rate_series(c, t, AP_M_HANDED_OFF, AP_M_HANDLED);
}

static void report_handoffs_over_time(const struct context *c, struct table *t)
{
    count_series(c, t, AP_M_HANDED_OFF);
}

/* The six figures of a set of handoffs, from row[0] on: handoffs, converted,
 * conversion rate, average close, replied, average first reply. */
static void set_handoff_figures(struct value *row, const int64_t *v)
{
    row[0] = v_int(v[AP_M_HANDED_OFF]);
    row[1] = v_int(v[AP_M_CONVERTED]);
    row[2] = v_ratio(v[AP_M_CONVERTED], v[AP_M_HANDED_OFF]);
    row[3] = v_avg_seconds(v[AP_M_CLOSE_US], v[AP_M_CONVERTED]);
    row[4] = v_int(v[AP_M_REPLIED]);
    row[5] = v_avg_seconds(v[AP_M_REPLY_US], v[AP_M_REPLIED]);
}

static void report_handoff_outcomes(const struct context *c, struct table *t)
{
    static const char *const cols[] = {"handoffs", "converted", "conversion_rate",
                                       "avg_close_seconds", "replied", "avg_first_reply_seconds",
                                       NULL};
    set_columns(t, SHAPE_OBJECT, cols);
    set_handoff_figures(new_row(t), c->range);
}

static void report_questions_over_time(const struct context *c, struct table *t)
{
    static const char *const cols[] = {"bucket", "asked", "unanswered", "provisional", "partial",
                                       NULL};
    set_columns(t, SHAPE_ROWS, cols);
    for (size_t i = 0; i < c->n_buckets; i++) {
        struct value *row = series_row(t, &c->buckets[i]);
        row[1] = v_int(c->buckets[i].v[AP_M_ASKED]);
        row[2] = v_int(c->buckets[i].v[AP_M_UNANSWERED]);
    }
}

static void report_handoffs_by_reason(const struct context *c, struct table *t)
{
    static const char *const cols[] = {"reason",          "handoffs",          "converted",
                                       "conversion_rate", "avg_close_seconds", "replied",
                                       "avg_first_reply_seconds", NULL};
    size_t n;
    struct dim_row *rows = ranked_dims(c->f, AP_CELL_REASON, AP_M_HANDED_OFF, &n);
    set_columns(t, SHAPE_ROWS, cols);
    for (size_t i = 0; i < n; i++) {
        const int64_t *v = rows[i].v;
        struct value *row = new_row(t);
        row[0] = v_str(rows[i].name);
        set_handoff_figures(row + 1, v);
    }
    free(rows);
}

/* Handoffs per assignee (the member the earliest handoff named): how many the
 * team converted, and how fast. Handoffs that named nobody are one row with a
 * null assignee. */
static void report_handoffs_by_assignee(const struct context *c, struct table *t)
{
    static const char *const cols[] = {"assignee",          "name",    "handoffs",
                                       "converted",         "conversion_rate",
                                       "avg_close_seconds", "replied", "avg_first_reply_seconds",
                                       NULL};
    size_t n;
    struct dim_row *rows = ranked_dims(c->f, AP_CELL_ASSIGNEE, AP_M_HANDED_OFF, &n);
    set_columns(t, SHAPE_ROWS, cols);
    for (size_t i = 0; i < n; i++) {
        const int64_t *v = rows[i].v;
        struct value *row = new_row(t);
        bool named = rows[i].name[0] != '\0';
        row[0] = v_str(named ? rows[i].name : NULL);
        row[1] = v_str(named ? member_name(c->f, rows[i].name) : NULL);
        set_handoff_figures(row + 2, v);
    }
    free(rows);
}

/* Conversations per language (of their first question that named one). */
static void report_by_language(const struct context *c, struct table *t)
{
    static const char *const cols[] = {"language",        "conversations", "handled",
                                       "resolved",        "resolution_rate", "deflected",
                                       "deflection_rate", "handed_off",    "handoff_rate",
                                       NULL};
    size_t n;
    struct dim_row *rows = ranked_dims(c->f, AP_CELL_LANGUAGE, AP_M_CONVERSATIONS, &n);
    set_columns(t, SHAPE_ROWS, cols);
    for (size_t i = 0; i < n; i++) {
        const int64_t *v = rows[i].v;
        struct value *row = new_row(t);
        row[0] = v_str(rows[i].name);
        row[1] = v_int(v[AP_M_CONVERSATIONS]);
        row[2] = v_int(v[AP_M_HANDLED]);
        row[3] = v_int(v[AP_M_RESOLVED]);
        row[4] = v_ratio(v[AP_M_RESOLVED], v[AP_M_HANDLED]);
        row[5] = v_int(v[AP_M_DEFLECTED]);
        row[6] = v_ratio(v[AP_M_DEFLECTED], v[AP_M_HANDLED]);
        row[7] = v_int(v[AP_M_HANDED_OFF]);
        row[8] = v_ratio(v[AP_M_HANDED_OFF], v[AP_M_HANDLED]);
    }
    free(rows);
}

/* Each report's builder, in the order of enum ap_report. */
static void (*const builders[AP_REPORT__COUNT])(const struct context *, struct table *) = {
    report_impact,
    report_handled_over_time,
    report_handled_by_channel,
    report_feedback_trend,
    report_handling_rate_over_time,
    report_resolution_rate,
    report_resolution_rate_over_time,
    report_resolved_over_time,
    report_deflection_rate_over_time,
    report_deflections_over_time,
    report_team,
    report_handoff_rate_over_time,
    report_handoffs_over_time,
    report_handoff_outcomes,
    report_questions_over_time,
    report_handoffs_by_reason,
    report_handoffs_by_assignee,
    report_by_language,
};

/* --- writing --------------------------------------------------------------------- */

/* Shortest decimal that reads back as the same double. */
static void format_double(double d, char out[32])
{
    for (int precision = 15; precision <= 17; precision++) {
        snprintf(out, 32, "%.*g", precision, d);
        if (strtod(out, NULL) == d)
            return;
    }
}

static void write_value(struct ap_buf *b, const struct value *v, bool json)
{
    char tmp[32];
    switch (v->type) {
    case V_NULL:
        if (json)
            ap_buf_append_str(b, "null");
        break;
    case V_INT:
        ap_buf_printf(b, "%lld", (long long)v->i);
        break;
    case V_NUM:
        format_double(v->d, tmp);
        ap_buf_append_str(b, tmp);
        break;
    case V_BOOL:
        ap_buf_append_str(b, v->i ? "true" : "false");
        break;
    case V_DAY:
        ap_day_format(v->i, tmp);
        ap_buf_printf(b, json ? "\"%s\"" : "%s", tmp);
        break;
    case V_STR:
        if (json)
            ap_buf_append_json_string(b, v->s, strlen(v->s));
        else if (strpbrk(v->s, ",\"\r\n")) {
            ap_buf_append_char(b, '"');
            for (const char *p = v->s; *p; p++) {
                if (*p == '"')
                    ap_buf_append_char(b, '"');
                ap_buf_append_char(b, *p);
            }
            ap_buf_append_char(b, '"');
        } else
            ap_buf_append_str(b, v->s);
        break;
    }
}

static void write_json_object(struct ap_buf *b, const struct table *t, const struct value *row,
                              int first_column)
{
    ap_buf_append_char(b, '{');
    for (int c = first_column; c < t->n_columns; c++) {
        ap_buf_printf(b, "%s\"%s\":", c > first_column ? "," : "", t->columns[c]);
        write_value(b, &row[c], true);
    }
    ap_buf_append_char(b, '}');
}

static void write_json(struct ap_buf *b, const struct table *t)
{
    switch (t->shape) {
    case SHAPE_OBJECT:
        write_json_object(b, t, t->values, 0);
        break;
    case SHAPE_IMPACT:
        ap_buf_append_char(b, '{');
        for (size_t r = 0; r < t->n_rows; r++) {
            const struct value *row = &t->values[r * (size_t)t->n_columns];
            ap_buf_printf(b, "%s\"%s\":", r ? "," : "", row[0].s);
            write_json_object(b, t, row, 1);
        }
        ap_buf_append_char(b, '}');
        break;
    case SHAPE_ROWS:
        ap_buf_append_char(b, '[');
        for (size_t r = 0; r < t->n_rows; r++) {
            if (r)
                ap_buf_append_char(b, ',');
            write_json_object(b, t, &t->values[r * (size_t)t->n_columns], 0);
        }
        ap_buf_append_char(b, ']');
        break;
    }
}

static void write_csv(struct ap_buf *b, const struct table *t)
{
    for (int c = 0; c < t->n_columns; c++)
        ap_buf_printf(b, "%s%s", c ? "," : "", t->columns[c]);
    ap_buf_append_str(b, "\r\n");
    for (size_t r = 0; r < t->n_rows; r++) {
        for (int c = 0; c < t->n_columns; c++) {
            if (c)
                ap_buf_append_char(b, ',');
            write_value(b, &t->values[r * (size_t)t->n_columns + c], false);
        }
        ap_buf_append_str(b, "\r\n");
    }
}

/* A count with thousands separators: 6381 -> "6,381". */
static void append_grouped(struct ap_buf *b, int64_t n)
{
    char digits[24];
    int len = snprintf(digits, sizeof digits, "%lld", (long long)(n < 0 ? -n : n));
    if (n < 0)
        ap_buf_append_char(b, '-');
    for (int i = 0; i < len; i++) {
        if (i > 0 && (len - i) % 3 == 0)
            ap_buf_append_char(b, ',');
        ap_buf_append_char(b, digits[i]);
    }
}

/* Seconds as the two largest units, as the dashboard writes them: "45 s",
 * "13 min 48 s", "3 h 20 min", "2 d 4 h". */
static void append_duration(struct ap_buf *b, double seconds)
{
    static const struct {
        const char *name;
        int64_t size;
    } units[] = {{"d", 86400}, {"h", 3600}, {"min", 60}, {"s", 1}};
    int64_t s = llround(seconds);
    bool negative = s < 0;
    if (negative)
        s = -s, ap_buf_append_char(b, '-');
    int parts = 0;
    for (size_t i = 0; i < sizeof units / sizeof units[0] && parts < 2; i++) {
        if (s < units[i].size && parts == 0 && units[i].size > 1)
            continue;
        ap_buf_printf(b, "%s%lld %s", parts ? " " : "", (long long)(s / units[i].size), units[i].name);
        s %= units[i].size;
        parts++;
    }
}

/* A value as people read it at a terminal: rates and shares as percentages,
 * seconds as durations, counts with separators, flags as yes / no. JSON and
 * CSV keep the exact figures. */
static void write_readable_value(struct ap_buf *b, const char *column, const struct value *v)
{
    if (v->type == V_NUM && (strstr(column, "rate") || strstr(column, "share")))
        ap_buf_printf(b, "%.1f%%", v->d * 100);
    else if (v->type == V_NUM && strstr(column, "seconds"))
        append_duration(b, v->d);
    else if (v->type == V_INT)
        append_grouped(b, v->i);
    else if (v->type == V_BOOL)
        ap_buf_append_str(b, v->i ? "yes" : "no");
    else
        write_value(b, v, false);
}

/* A text table with aligned columns, for people at a terminal. */
static void write_text_table(struct ap_buf *b, const char *title, const struct table *t)
{
    size_t widths[MAX_COLUMNS];
    struct ap_buf cell;
    ap_buf_init(&cell, 1 << 16);
    for (int c = 0; c < t->n_columns; c++) {
        widths[c] = strlen(t->columns[c]);
        for (size_t r = 0; r < t->n_rows; r++) {
            ap_buf_reset(&cell);
            write_readable_value(&cell, t->columns[c], &t->values[r * (size_t)t->n_columns + c]);
            if (cell.len > widths[c])
                widths[c] = cell.len;
        }
    }
    ap_buf_printf(b, "%s\n", title);
    for (int c = 0; c < t->n_columns; c++)
        ap_buf_printf(b, "%s%-*s", c ? "  " : "  ", (int)widths[c], t->columns[c]);
    ap_buf_append_char(b, '\n');
    for (size_t r = 0; r < t->n_rows; r++) {
        for (int c = 0; c < t->n_columns; c++) {
            ap_buf_reset(&cell);
            write_readable_value(&cell, t->columns[c], &t->values[r * (size_t)t->n_columns + c]);
            ap_buf_printf(b, "  %-*s", (int)widths[c], cell.len ? cell.data : "-");
        }
        ap_buf_append_char(b, '\n');
    }
    ap_buf_append_char(b, '\n');
    ap_buf_free(&cell);
}

static enum ap_status note_conversations(void *ctx, const struct ap_cell *c)
{
    if (c->v[AP_M_CONVERSATIONS] > 0)
        *(bool *)ctx = true;
    return AP_OK;
}

/* Whether any conversation of the account ever started on `channel`. */
static enum ap_status channel_seen(struct ap_store *store, const struct ap_account *account,
                                   const char *channel, bool *seen, struct ap_error *err)
{
    /* Every started conversation counts in the main cell of its start day and
     * channel (a cell can stay behind at zero when a conversation's start moves). */
    struct ap_cell_query all_time = {AP_CELL_MAIN, INT32_MIN, INT32_MAX, channel, false, 0};
    *seen = false;
    return ap_store_select_cells(store, account->id, &all_time, note_conversations, seen, err);
}

struct language_probe {
    const char *language;
    bool seen;
};

static enum ap_status note_language(void *ctx, const struct ap_cell *c)
{
    struct language_probe *p = ctx;
    if (c->v[AP_M_CONVERSATIONS] > 0 && strcmp(c->key.dim, p->language) == 0)
        p->seen = true;
    return AP_OK;
}

/* The same for a language (the by-language report's key). */
static enum ap_status language_seen(struct ap_store *store, const struct ap_account *account,
                                    const char *language, bool *seen, struct ap_error *err)
{
    struct ap_cell_query all_time = {AP_CELL_LANGUAGE, INT32_MIN, INT32_MAX, NULL, false, 0};
    struct language_probe p = {language, false};
    enum ap_status rc = ap_store_select_cells(store, account->id, &all_time, note_language, &p, err);
    *seen = p.seen;
    return rc;
}

static const char *const granularity_names[] = {"day", "week", "month"};

/* `"warnings"`, only when there is one: a channel filter that matches no
 * conversation the account ever had (a typo, or a channel not sent yet). */
void ap_report_note_text(const char *field, const char *value, struct ap_buf *out)
{
    ap_buf_printf(out, "no conversation of this account was ever %s \"%s\"",
                  strcmp(field, "channel") == 0 ? "on channel" : "in language", value);
}

static void write_warning(struct ap_buf *b, bool first, const char *field, const char *value)
{
    struct ap_buf message;
    ap_buf_init(&message, 256);
    ap_report_note_text(field, value, &message);
    ap_buf_printf(b, "%s{\"field\":\"%s\",\"message\":", first ? "" : ",", field);
    ap_buf_append_json_string(b, message.data, message.len);
    ap_buf_append_char(b, '}');
    ap_buf_free(&message);
}

static void write_warnings(struct ap_buf *b, const struct figures *f)
{
    if (!f->channel_unseen && !f->language_unseen)
        return;
    ap_buf_append_str(b, ",\"warnings\":[");
    if (f->channel_unseen)
        write_warning(b, true, "channel", f->q->channel);
    if (f->language_unseen)
        write_warning(b, !f->channel_unseen, "language", f->q->language);
    ap_buf_append_char(b, ']');
}

static void write_envelope_start(struct ap_buf *b, const struct ap_account *account,
                                 const struct figures *f)
{
    char now[AP_TIME_RFC3339_MAX], from[16], to[16];
    ap_time_format_rfc3339(f->q->now_us, now);
    ap_day_format(f->from, from);
    ap_day_format(f->to, to);
    ap_buf_append_str(b, "{\"account\":");
    ap_buf_append_json_string(b, account->name, strlen(account->name));
    ap_buf_append_str(b, ",\"time_zone\":");
    ap_buf_append_json_string(b, account->time_zone, strlen(account->time_zone));
    ap_buf_printf(b, ",\"now\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"granularity\":\"%s\",\"channel\":",
                  now, from, to, granularity_names[f->q->granularity]);
    if (f->q->channel[0])
        ap_buf_append_json_string(b, f->q->channel, strlen(f->q->channel));
    else
        ap_buf_append_str(b, "null");
    ap_buf_append_str(b, ",\"language\":");
    if (f->q->language[0])
        ap_buf_append_json_string(b, f->q->language, strlen(f->q->language));
    else
        ap_buf_append_str(b, "null");
    write_warnings(b, f);
    ap_buf_append_str(b, ",\"reports\":{");
}

enum ap_status ap_reports_render(struct ap_store *store, const struct ap_account *account,
                                 const struct ap_report_query *q, struct ap_buf *out,
                                 struct ap_report_notes *notes, struct ap_error *err)
{
    struct figures f;
    memset(&f, 0, sizeof f);
    f.q = q;
    ap_cell_map_init(&f.dims);
    enum ap_status rc = ap_tz_open(account->time_zone, &f.tz, err);
    if (rc == AP_OK)
        rc = gather(store, account, &f, err);
    bool seen_channel = true, seen_language = true;
    if (rc == AP_OK && q->channel[0])
        rc = channel_seen(store, account, q->channel, &seen_channel, err);
    if (rc == AP_OK && q->language[0])
        rc = language_seen(store, account, q->language, &seen_language, err);
    f.channel_unseen = !seen_channel;
    f.language_unseen = !seen_language;
    if (notes)
        *notes = (struct ap_report_notes){f.channel_unseen, f.language_unseen};
    if (rc != AP_OK) {
        figures_free(&f);
        return rc;
    }
    struct context c = {&f, NULL, 0, {0}};
    struct bucket *buckets = make_buckets(&f, q->granularity, &c.n_buckets);
    c.buckets = buckets;
    sum_days(&f, f.from, f.to, c.range);

    if (q->format == AP_FORMAT_JSON)
        write_envelope_start(out, account, &f);
    bool first = true;
    for (int r = 0; r < AP_REPORT__COUNT; r++) {
        if (!(q->reports & (1u << r)))
            continue;
        struct table t;
        builders[r](&c, &t);
        if (q->format == AP_FORMAT_JSON) {
            ap_buf_printf(out, "%s\"%s\":", first ? "" : ",", ap_report_name((enum ap_report)r));
            write_json(out, &t);
        } else if (q->format == AP_FORMAT_CSV) {
            /* One CSV document a report; several are separated by a "# name" line. */
            bool several = (q->reports & (q->reports - 1)) != 0;
            if (several)
                ap_buf_printf(out, "%s# %s\r\n", first ? "" : "\r\n", ap_report_name((enum ap_report)r));
            write_csv(out, &t);
        } else {
            write_text_table(out, ap_report_name((enum ap_report)r), &t);
        }
        free(t.values);
        first = false;
    }
    if (q->format == AP_FORMAT_JSON)
        ap_buf_append_str(out, "}}\n");
    free(buckets);
    figures_free(&f);
    return ap_buf_check(out, "the report", err);
}
