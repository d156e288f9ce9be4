/* The conversations behind a figure (SPEC §4.1): the stored states of the
 * conversations that started in a range, filtered by the figure that counts
 * them (handled, resolved, a resolver, a handoff reason …), each with its
 * derived state as of `now`, paged by (start, id), as JSON, CSV or NDJSON.
 * States are read by start from the conversations table (migration 012), a
 * day wider than the range on each side, and the local day is checked here in
 * the account's zone, so a DST change or a half-hour offset never moves a
 * conversation into the wrong list. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/json.h"
#include "reports/derive.h"
#include "reports/reports.h"
#include "tz/tz.h"

#define DAY_US (INT64_C(86400) * AP_USEC_PER_SEC)
#define CHUNK 512 /* states read per store call */

static const char *const filter_names[] = {
#define AP_CONV_FILTER_STR(name, str) str,
    AP_CONV_FILTER_MAP(AP_CONV_FILTER_STR)
#undef AP_CONV_FILTER_STR
};

/* --- parameters ------------------------------------------------------------------ */

/* A cursor is "<start in µs>.<id in hex>": opaque to clients, any id safe in a URL. */
static void cursor_format(int64_t started_us, const char *id, char *out)
{
    int n = snprintf(out, AP_CONV_CURSOR_MAX, "%" PRId64 ".", started_us);
    for (const unsigned char *p = (const unsigned char *)id; *p && n + 3 < AP_CONV_CURSOR_MAX; p++)
        n += snprintf(out + n, (size_t)(AP_CONV_CURSOR_MAX - n), "%02x", *p);
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static bool cursor_parse(const char *text, int64_t *started_us, char *id, size_t id_size)
{
    char *dot;
    long long v = strtoll(text, &dot, 10);
    if (dot == text || *dot != '.')
        return false;
    const char *hex = dot + 1;
    size_t len = strlen(hex);
    if (len == 0 || len % 2 != 0 || len / 2 >= id_size)
        return false;
    for (size_t i = 0; i < len; i += 2) {
        int hi = hex_digit(hex[i]), lo = hex_digit(hex[i + 1]);
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
            return false;
        id[i / 2] = (char)(hi * 16 + lo);
    }
    id[len / 2] = '\0';
    *started_us = (int64_t)v;
    return true;
}

static enum ap_status parse_limit(const char *text, size_t max, size_t *out, struct ap_error *err)
{
    char *end;
    long long v = text ? strtoll(text, &end, 10) : 0;
    if (text == NULL || end == text || *end != '\0' || v < 1 || (unsigned long long)v > max)
        return ap_error_set(err, AP_INVALID, "limit", "\"limit\": a whole number from 1 to %zu", max);
    *out = (size_t)v;
    return AP_OK;
}

/* A filter value: an id-like string (a member id, a reason), at most AP_DIM_MAX - 1 bytes. */
static enum ap_status copy_dim(const char *field, const char *value, char *out,
                               struct ap_error *err)
{
    size_t len = strlen(value);
    if (len == 0 || len >= AP_DIM_MAX)
        return ap_error_set(err, AP_INVALID, field, "\"%s\": 1 to %d bytes", field,
                            AP_DIM_MAX - 1);
    memcpy(out, value, len + 1);
    return AP_OK;
}

enum ap_status ap_conv_query_parse(const struct ap_conv_params *p, int64_t now_default_us,
                                   struct ap_conv_query *q, struct ap_error *err)
{
    memset(q, 0, sizeof *q);
    struct ap_report_params range = p->range;
    range.format = NULL;
    range.granularity = NULL;
    range.language = p->language; /* validated as for the reports */
    enum ap_status rc = ap_report_query_parse(&range, now_default_us, &q->range, err);
    if (rc != AP_OK)
        return rc;
    if (p->metric) {
        int i = ap_name_index(filter_names, AP_CONV_FILTER__COUNT, p->metric);
        if (i < 0)
            return ap_error_set(err, AP_INVALID, "metric",
                                "\"metric\": one of conversations, handled, resolved, deflected, "
                                "handed_off, converted, helpful, not_helpful, asked, unanswered");
        q->filter = (enum ap_conv_filter)i;
    }
    if (p->resolver && copy_dim("resolver", p->resolver, q->resolver, err) != AP_OK)
        return AP_INVALID;
    if (p->reason && copy_dim("reason", p->reason, q->reason, err) != AP_OK)
        return AP_INVALID;
    if (p->assignee && copy_dim("assignee", p->assignee, q->assignee, err) != AP_OK)
        return AP_INVALID;
    static const char *const formats[] = {"json", "csv", "ndjson"};
    if (p->format) {
        int i = ap_name_index(formats, 3, p->format);
        if (i < 0)
            return ap_error_set(err, AP_INVALID, "format", "\"format\": one of json, csv, ndjson");
        q->format = (enum ap_conv_format)i;
    }
    size_t max = q->format == AP_CONV_JSON ? AP_CONV_LIMIT_MAX : AP_CONV_EXPORT_LIMIT_MAX;
    q->limit = q->format == AP_CONV_JSON ? AP_CONV_LIMIT_DEFAULT : AP_CONV_EXPORT_LIMIT_MAX;
    if (p->limit && parse_limit(p->limit, max, &q->limit, err) != AP_OK)
        return AP_INVALID;
    if (p->cursor) {
        if (!cursor_parse(p->cursor, &q->cursor_started_us, q->cursor_id, sizeof q->cursor_id))
            return ap_error_set(err, AP_INVALID, "cursor",
                                "\"cursor\": not a next_cursor this API gave");
        q->has_cursor = true;
    }
    return AP_OK;
}

/* --- which conversations ------------------------------------------------------------ */

static bool counted(const struct ap_conv_state *s, const struct ap_conv_outcome *o,
                    enum ap_conv_filter f)
{
    switch (f) {
    case AP_CONV_FILTER_ALL: return true;
    case AP_CONV_FILTER_HANDLED: return s->handled;
    case AP_CONV_FILTER_RESOLVED: return o->resolved;
    case AP_CONV_FILTER_DEFLECTED: return o->deflected;
    case AP_CONV_FILTER_HANDED_OFF: return s->handed_off;
    case AP_CONV_FILTER_CONVERTED: return s->converted;
    case AP_CONV_FILTER_HELPFUL: return s->helpful > 0;
    case AP_CONV_FILTER_NOT_HELPFUL: return s->not_helpful > 0;
    case AP_CONV_FILTER_ASKED: return s->asked > 0;
    case AP_CONV_FILTER_UNANSWERED: return s->unanswered > 0;
    default: return false;
    }
}

struct listing {
    struct ap_store *store;
    struct ap_error *err;
    const struct ap_conv_query *q;
    const struct ap_account *account;
    struct ap_tz *tz;
    int64_t day_from, day_to;
    struct ap_buf *out;
    size_t written;
    bool more;          /* a row past the page was found */
    int64_t last_start; /* of the last row read, matching or not */
    char last_id[AP_DIM_MAX];
    size_t read;        /* rows the last store call gave */
    char cursor[AP_CONV_CURSOR_MAX];
};

/* --- writing a row ------------------------------------------------------------------- */

enum kind { K_STR, K_BOOL, K_INT, K_SECONDS, K_TIME, K_JSON };

struct field {
    const char *name;
    enum kind kind;
    bool null;
    const char *s;   /* K_STR; K_JSON: the JSON text */
    int64_t i;
    const char *csv; /* K_JSON: what a CSV cell shows */
};

static void write_csv_text(struct ap_buf *b, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        ap_buf_append_str(b, s);
        return;
    }
    ap_buf_append_char(b, '"');
    for (; *s; s++) {
        if (*s == '"')
            ap_buf_append_char(b, '"');
        ap_buf_append_char(b, *s);
    }
    ap_buf_append_char(b, '"');
}

static void write_field(struct ap_buf *b, const struct field *f, bool json)
{
    char tmp[AP_TIME_RFC3339_MAX];
    if (f->null) {
        if (json)
            ap_buf_append_str(b, "null");
        return;
    }
    switch (f->kind) {
    case K_STR:
        if (json)
            ap_buf_append_json_string(b, f->s, strlen(f->s));
        else
            write_csv_text(b, f->s);
        break;
    case K_BOOL:
        ap_buf_append_str(b, f->i ? "true" : "false");
        break;
    case K_INT:
        ap_buf_printf(b, "%" PRId64, f->i);
        break;
    case K_SECONDS: /* microseconds as seconds, exactly */
        ap_buf_printf(b, "%s%" PRId64, f->i < 0 ? "-" : "", (f->i < 0 ? -f->i : f->i) / 1000000);
        if (f->i % 1000000 != 0) {
            char frac[8];
            snprintf(frac, sizeof frac, "%06" PRId64, (f->i < 0 ? -f->i : f->i) % 1000000);
            for (int n = 5; n > 0 && frac[n] == '0'; n--)
                frac[n] = '\0';
            ap_buf_printf(b, ".%s", frac);
        }
        break;
    case K_TIME:
        ap_time_format_rfc3339(f->i, tmp);
        ap_buf_printf(b, json ? "\"%s\"" : "%s", tmp);
        break;
    case K_JSON:
        if (json)
            ap_buf_append_str(b, f->s);
        else
            write_csv_text(b, f->csv);
        break;
    }
}

#define N_FIELDS 22

/* The columns of a row, in order; JSON field names and the CSV header. */
/* A row's ratings with their comments, read for the lists of helpful and
 * not_helpful: the feedback events as stored, not helpful ones first. */
struct feedback {
    struct ap_buf json, csv;
    bool read;
};

static void row_fields(const struct listing *l, const char *id, const struct ap_conv_state *s,
                       const struct ap_conv_outcome *o, const char *url, const char *ticket_url,
                       const struct feedback *fb, struct field *f)
{
    bool provisional = s->time_dependent && l->q->range.now_us < s->quiet_at_us;
    struct field fields[N_FIELDS] = {
        {"id", K_STR, false, id, 0},
        {"started_at", K_TIME, false, NULL, s->started_at_us},
        {"channel", K_STR, false, s->channel, 0},
        {"handled", K_BOOL, false, NULL, s->handled},
        {"handed_off", K_BOOL, false, NULL, s->handed_off},
        {"handoff_reason", K_STR, !s->handed_off, s->reason, 0},
        {"deflected", K_BOOL, false, NULL, o->deflected},
        {"resolved_by_agent", K_BOOL, false, NULL, o->resolved},
        {"resolution_seconds", K_SECONDS, !o->resolved, NULL, o->resolution_us},
        {"resolver", K_STR, o->resolver[0] == '\0', o->resolver, 0},
        {"converted", K_BOOL, false, NULL, s->converted},
        {"close_seconds", K_SECONDS, !s->converted, NULL, s->close_us},
        {"ticket", K_STR, s->ticket[0] == '\0', s->ticket, 0},
        {"ticket_url", K_STR, ticket_url == NULL, ticket_url, 0},
        {"helpful", K_INT, false, NULL, s->helpful},
        {"not_helpful", K_INT, false, NULL, s->not_helpful},
        {"questions", K_INT, false, NULL, s->asked},
        {"unanswered", K_INT, false, NULL, s->unanswered},
        {"last_event_at", K_TIME, false, NULL, s->last_event_us},
        {"provisional", K_BOOL, false, NULL, provisional},
        {"url", K_STR, url == NULL, url, 0},
        {"feedback", K_JSON, fb == NULL || !fb->read, fb ? fb->json.data : NULL, 0,
         fb ? fb->csv.data : NULL},
    };
    memcpy(f, fields, sizeof fields);
}

/* The fields of a row: JSON members ("name":value,…) or CSV cells. */
static void write_fields(struct ap_buf *out, const struct field *f, bool json)
{
    for (int i = 0; i < N_FIELDS; i++) {
        if (json)
            ap_buf_printf(out, "%s\"%s\":", i ? "," : "", f[i].name);
        else if (i)
            ap_buf_append_char(out, ',');
        write_field(out, &f[i], json);
    }
}

static void write_row(struct listing *l, const struct field *f)
{
    bool json = l->q->format != AP_CONV_CSV;
    if (l->q->format == AP_CONV_JSON && l->written > 0)
        ap_buf_append_char(l->out, ',');
    if (json)
        ap_buf_append_char(l->out, '{');
    write_fields(l->out, f, json);
    if (json)
        ap_buf_append_char(l->out, '}');
    if (l->q->format == AP_CONV_NDJSON)
        ap_buf_append_char(l->out, '\n');
    else if (l->q->format == AP_CONV_CSV)
        ap_buf_append_str(l->out, "\r\n");
}

static void write_csv_header(struct ap_buf *out)
{
    struct field f[N_FIELDS];
    struct ap_conv_state s;
    struct ap_conv_outcome o;
    struct listing l;
    memset(&s, 0, sizeof s);
    memset(&o, 0, sizeof o);
    memset(&l, 0, sizeof l);
    struct ap_conv_query q;
    memset(&q, 0, sizeof q);
    l.q = &q;
    row_fields(&l, "", &s, &o, NULL, NULL, NULL, f);
    for (int i = 0; i < N_FIELDS; i++)
        ap_buf_printf(out, "%s%s", i ? "," : "", f[i].name);
    ap_buf_append_str(out, "\r\n");
}

/* --- reading ----------------------------------------------------------------------------- */

/* A conversation's links by the account's URL templates: NULL where the
 * template or the id is missing. The caller frees with links_free. */
struct links {
    struct ap_buf conversation_buf, ticket_buf;
    const char *conversation, *ticket;
};

static const char *link_text(struct ap_buf *b, bool made)
{
    return made && ap_buf_append_char(b, '\0') == AP_OK ? b->data : NULL;
}

static void links_of(const struct ap_account *account, const char *id,
                     const struct ap_conv_state *s, struct links *out)
{
    ap_buf_init(&out->conversation_buf, 4096);
    ap_buf_init(&out->ticket_buf, 4096);
    out->conversation =
        link_text(&out->conversation_buf, ap_account_conversation_link(account, id, &out->conversation_buf));
    out->ticket = link_text(&out->ticket_buf, s->ticket[0] != '\0' &&
                                                  ap_account_ticket_link(account, s->ticket, &out->ticket_buf));
}

static void links_free(struct links *l)
{
    ap_buf_free(&l->conversation_buf);
    ap_buf_free(&l->ticket_buf);
}

struct feedback_pass {
    struct feedback *fb;
    bool not_helpful; /* this pass writes the not helpful ones, the next the others */
};

static enum ap_status take_feedback(void *ctx, const char *id, const void *body, size_t len)
{
    struct feedback_pass *p = ctx;
    struct ap_json_object obj;
    (void)id;
    if (ap_json_parse_object(body, len, &obj, NULL) != AP_OK)
        return AP_OK; /* a stored body is canonical JSON; nothing to show otherwise */
    const struct ap_json_member *rating = ap_json_get(&obj, "rating");
    const struct ap_json_member *comment = ap_json_get(&obj, "comment");
    bool down = rating && rating->str && strcmp(rating->str, "not_helpful") == 0;
    if (down == p->not_helpful) {
        struct feedback *fb = p->fb;
        if (fb->json.len > 1)
            ap_buf_append_char(&fb->json, ',');
        ap_buf_append(&fb->json, body, len);
        ap_buf_printf(&fb->csv, "%s%s", fb->csv.len ? " | " : "", down ? "not_helpful" : "helpful");
        if (comment && comment->str)
            ap_buf_printf(&fb->csv, ": %s", comment->str);
    }
    ap_json_object_free(&obj);
    return AP_OK;
}

/* The feedback of a conversation, for the lists of a rating. */
static enum ap_status read_feedback(struct listing *l, const char *id, struct feedback *fb)
{
    ap_buf_init(&fb->json, (size_t)1 << 20);
    ap_buf_init(&fb->csv, (size_t)1 << 20);
    ap_buf_append_char(&fb->json, '[');
    enum ap_status rc = AP_OK;
    for (int pass = 0; pass < 2 && rc == AP_OK; pass++) {
        struct feedback_pass p = {fb, pass == 0};
        rc = ap_store_select_conversation_bodies(l->store, l->account->id, id, AP_EV_FEEDBACK,
                                                 take_feedback, &p, l->err);
    }
    ap_buf_append_char(&fb->json, ']');
    ap_buf_append_char(&fb->json, '\0');
    ap_buf_append_char(&fb->csv, '\0');
    fb->read = rc == AP_OK && ap_buf_status(&fb->json) == AP_OK && ap_buf_status(&fb->csv) == AP_OK;
    return rc;
}

static void feedback_free(struct feedback *fb)
{
    ap_buf_free(&fb->json);
    ap_buf_free(&fb->csv);
}

static bool wanted(const struct listing *l, const struct ap_conv_state *s,
                   const struct ap_conv_outcome *o)
{
    const struct ap_conv_query *q = l->q;
    if (!s->started)
        return false;
    int64_t day = ap_tz_local_day(l->tz, s->started_at_us);
    if (day < l->day_from || day >= l->day_to)
        return false;
    if (q->range.channel[0] && strcmp(s->channel, q->range.channel) != 0)
        return false;
    if (q->resolver[0] && strcmp(o->resolver, q->resolver) != 0)
        return false;
    if (q->reason[0] && (!s->handed_off || strcmp(s->reason, q->reason) != 0))
        return false;
    if (q->assignee[0] && (!s->handed_off || strcmp(s->assignee, q->assignee) != 0))
        return false;
    if (q->range.language[0] && strcmp(s->language, q->range.language) != 0)
        return false;
    return counted(s, o, q->filter);
}

static enum ap_status take_state(void *ctx, const char *id, const void *blob, size_t len)
{
    struct listing *l = ctx;
    struct ap_conv_state s;
    l->read++;
    if (!ap_conv_state_decode(blob, len, &s))
        return AP_STORAGE;
    l->last_start = s.started_at_us;
    ap_copy_str(l->last_id, sizeof l->last_id, id);
    if (l->more)
        return AP_OK;
    const struct ap_conv_outcome *o = ap_conv_outcome_at(&s, l->q->range.now_us);
    if (!wanted(l, &s, o))
        return AP_OK;
    if (l->written == l->q->limit) {
        l->more = true; /* the page is full and there is one more: the cursor stays */
        return AP_OK;
    }
    struct links links;
    struct feedback fb = {0};
    bool ratings = l->q->filter == AP_CONV_FILTER_HELPFUL || l->q->filter == AP_CONV_FILTER_NOT_HELPFUL;
    enum ap_status rc = ratings ? read_feedback(l, id, &fb) : AP_OK;
    links_of(l->account, id, &s, &links);
    struct field f[N_FIELDS];
    row_fields(l, id, &s, o, links.conversation, links.ticket, ratings ? &fb : NULL, f);
    if (rc == AP_OK)
        write_row(l, f);
    links_free(&links);
    if (ratings)
        feedback_free(&fb);
    if (rc != AP_OK)
        return rc;
    l->written++;
    cursor_format(s.started_at_us, id, l->cursor);
    return AP_OK;
}

static enum ap_status read_pages(struct ap_store *store, struct listing *l, struct ap_error *err)
{
    const struct ap_conv_query *q = l->q;
    /* A day more on each side: no zone is a day away from UTC. */
    int64_t from_us = (l->day_from - 1) * DAY_US, to_us = (l->day_to + 1) * DAY_US;
    bool after = q->has_cursor;
    l->last_start = q->cursor_started_us;
    ap_copy_str(l->last_id, sizeof l->last_id, q->cursor_id);
    for (;;) {
        l->read = 0;
        char after_id[AP_DIM_MAX];
        ap_copy_str(after_id, sizeof after_id, l->last_id);
        enum ap_status rc = ap_store_select_conversations_by_start(
            store, l->account->id, from_us, to_us, l->last_start, after ? after_id : NULL, CHUNK,
            take_state, l, err);
        if (rc != AP_OK)
            return rc;
        if (l->more || l->read < CHUNK)
            return AP_OK;
        after = true;
    }
}


static void write_envelope_start(struct ap_buf *b, const struct listing *l)
{
    const struct ap_conv_query *q = l->q;
    char now[AP_TIME_RFC3339_MAX], from[16], to[16];
    ap_time_format_rfc3339(q->range.now_us, now);
    ap_day_format(l->day_from, from);
    ap_day_format(l->day_to, to);
    ap_buf_append_str(b, "{\"account\":");
    ap_buf_append_json_string(b, l->account->name, strlen(l->account->name));
    ap_buf_append_str(b, ",\"time_zone\":");
    ap_buf_append_json_string(b, l->account->time_zone, strlen(l->account->time_zone));
    ap_buf_printf(b, ",\"now\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"metric\":\"%s\"", now, from,
                  to, filter_names[q->filter]);
    const char *filters[][2] = {{"channel", q->range.channel}, {"resolver", q->resolver},
                                {"reason", q->reason},           {"assignee", q->assignee},
                                {"language", q->range.language}};
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
        ap_buf_printf(b, ",\"%s\":", filters[i][0]);
        if (filters[i][1][0])
            ap_buf_append_json_string(b, filters[i][1], strlen(filters[i][1]));
        else
            ap_buf_append_str(b, "null");
    }
    ap_buf_append_str(b, ",\"conversations\":[");
}

enum ap_status ap_reports_list_conversations(struct ap_store *store,
                                             const struct ap_account *account,
                                             const struct ap_conv_query *q, struct ap_buf *out,
                                             char *next_cursor, struct ap_error *err)
{
    struct listing l;
    memset(&l, 0, sizeof l);
    l.store = store;
    l.err = err;
    l.q = q;
    l.account = account;
    l.out = out;
    enum ap_status rc = ap_tz_open(account->time_zone, &l.tz, err);
    if (rc != AP_OK)
        return rc;
    int64_t today = ap_tz_local_day(l.tz, q->range.now_us);
    int64_t monday = today - ap_day_weekday(today);
    l.day_from = q->range.has_range ? q->range.day_from : monday - 12 * 7;
    l.day_to = q->range.has_range ? q->range.day_to : monday + 7;
    if (q->format == AP_CONV_JSON)
        write_envelope_start(out, &l);
    else if (q->format == AP_CONV_CSV)
        write_csv_header(out);
    rc = read_pages(store, &l, err);
    ap_tz_close(l.tz);
    if (rc != AP_OK)
        return rc;
    ap_copy_str(next_cursor, AP_CONV_CURSOR_MAX, l.more ? l.cursor : "");
    if (q->format == AP_CONV_JSON) {
        ap_buf_append_str(out, "],\"next_cursor\":");
        if (l.more)
            ap_buf_append_json_string(out, l.cursor, strlen(l.cursor));
        else
            ap_buf_append_str(out, "null");
        ap_buf_append_str(out, "}\n");
    }
    return ap_buf_check(out, "the list of conversations", err);
}

/* --- one conversation ---------------------------------------------------------------- */

#define VIEW_EVENTS_MAX 1000 /* events shown of one conversation, the earliest */

struct view_event {
    char *id;
    int64_t at_us;
    int type;
    char *body; /* canonical JSON, or NULL until read */
};

struct view {
    struct view_event *items;
    size_t n, cap;
    size_t total;
};

static enum ap_status take_fact(void *ctx, const struct ap_event *e)
{
    struct view *v = ctx;
    v->total++;
    if (v->n == v->cap) {
        v->cap = v->cap ? 2 * v->cap : 32;
        v->items = ap_realloc(v->items, v->cap * sizeof *v->items);
    }
    v->items[v->n++] = (struct view_event){ap_strdup(e->id), e->at_us, (int)e->type, NULL};
    return AP_OK;
}

static enum ap_status take_body(void *ctx, const char *id, const void *body, size_t len)
{
    struct view *v = ctx;
    for (size_t i = 0; i < v->n; i++) {
        if (v->items[i].body == NULL && strcmp(v->items[i].id, id) == 0) {
            v->items[i].body = ap_malloc(len + 1);
            memcpy(v->items[i].body, body, len);
            v->items[i].body[len] = '\0';
            break;
        }
    }
    return AP_OK;
}

static int by_at_then_id(const void *a, const void *b)
{
    const struct view_event *x = a, *y = b;
    if (x->at_us != y->at_us)
        return x->at_us < y->at_us ? -1 : 1;
    return strcmp(x->id, y->id);
}

static void view_free(struct view *v)
{
    for (size_t i = 0; i < v->n; i++) {
        free(v->items[i].id);
        free(v->items[i].body);
    }
    free(v->items);
}

/* The conversation's events in order, each as stored (canonical JSON). */
static enum ap_status read_events(struct ap_store *store, const struct ap_account *account,
                                  const char *id, struct view *v, struct ap_error *err)
{
    enum ap_status rc =
        ap_store_select_conversation_events(store, account->id, id, take_fact, v, err);
    if (rc != AP_OK)
        return rc;
    qsort(v->items, v->n, sizeof *v->items, by_at_then_id);
    bool seen[AP_EV__COUNT] = {false};
    for (size_t i = 0; i < v->n; i++)
        seen[v->items[i].type] = true;
    for (int type = 0; type < AP_EV__COUNT && rc == AP_OK; type++)
        if (seen[type])
            rc = ap_store_select_conversation_bodies(store, account->id, id, type, take_body, v,
                                                     err);
    return rc;
}

enum ap_status ap_reports_conversation_json(struct ap_store *store,
                                            const struct ap_account *account, const char *id,
                                            int64_t now_us, struct ap_buf *out,
                                            struct ap_error *err)
{
    struct ap_buf blob;
    struct ap_conv_state s;
    ap_buf_init(&blob, 1 << 20);
    enum ap_status rc = ap_store_get_conversation(store, account->id, id, &blob, err);
    if (rc == AP_OK && !ap_conv_state_decode(blob.data, blob.len, &s))
        rc = ap_error_set(err, AP_STORAGE, NULL, "a conversation's stored state is unreadable");
    ap_buf_free(&blob);
    if (rc == AP_NOT_FOUND || (rc == AP_OK && !s.started))
        return ap_error_set(err, AP_NOT_FOUND, "id",
                            "\"id\": no conversation with this id has started in this account");
    if (rc != AP_OK)
        return rc;
    struct view v = {0};
    rc = read_events(store, account, id, &v, err);
    if (rc == AP_OK) {
        struct ap_conv_query q;
        memset(&q, 0, sizeof q);
        q.range.now_us = now_us;
        q.format = AP_CONV_JSON;
        struct listing l;
        memset(&l, 0, sizeof l);
        l.q = &q;
        l.account = account;
        l.out = out;
        struct links links;
        links_of(account, id, &s, &links);
        struct field f[N_FIELDS];
        row_fields(&l, id, &s, ap_conv_outcome_at(&s, now_us), links.conversation, links.ticket,
                   NULL, f);
        ap_buf_append_char(out, '{');
        write_fields(out, f, true);
        links_free(&links);
        size_t shown = v.n < VIEW_EVENTS_MAX ? v.n : VIEW_EVENTS_MAX;
        ap_buf_printf(out, ",\"events_total\":%zu,\"events\":[", v.total);
        for (size_t i = 0; i < shown; i++) {
            if (i)
                ap_buf_append_char(out, ',');
            ap_buf_append_str(out, v.items[i].body ? v.items[i].body : "null");
        }
        ap_buf_append_str(out, "]}\n");
        rc = ap_buf_check(out, "the conversation", err);
    }
    view_free(&v);
    return rc;
}
