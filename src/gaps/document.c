/* The topic table and topic detail documents (docs/api.md, "Knowledge gaps"),
 * and the validation of their parameters, shared by the HTTP API and the CLI. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gaps/gaps.h"
#include "ingest/json.h"
#include "ingest/event.h"
#include "tz/tz.h"

#define DETAIL_LIMIT_DEFAULT 100

/* --- parameters ------------------------------------------------------------------ */

static enum ap_status parse_count(const char *field, const char *value, int64_t min, int64_t max,
                                  int64_t *out, struct ap_error *err)
{
    char *end;
    errno = 0;
    long long v = strtoll(value, &end, 10);
    if (errno || *end || end == value || v < min || v > max)
        return ap_error_set(err, AP_INVALID, field, "\"%s\": must be a whole number from %lld to %lld",
                            field, (long long)min, (long long)max);
    *out = v;
    return AP_OK;
}

/* The UTC instant a local day starts in the zone. */
static int64_t local_day_start_us(struct ap_tz *tz, int64_t day)
{
    int64_t guess = day * 86400LL * 1000000LL;
    int64_t start = guess - (int64_t)ap_tz_offset_seconds(tz, guess) * 1000000LL;
    return guess - (int64_t)ap_tz_offset_seconds(tz, start) * 1000000LL;
}

static enum ap_status parse_day_bound(struct ap_tz *tz, const char *field, const char *value,
                                      int64_t *out_us, struct ap_error *err)
{
    int64_t day;
    if (!ap_day_parse(value, &day))
        return ap_error_set(err, AP_INVALID, field, "\"%s\": not a date (YYYY-MM-DD)", field);
    *out_us = local_day_start_us(tz, day);
    return AP_OK;
}

static const char *const status_filters[] = {"open", "answered", "reopened", "dismissed",
                                             "active", "all"};

static enum ap_status parse_status(const char *value, int *out, struct ap_error *err)
{
    int i = ap_name_index(status_filters, sizeof status_filters / sizeof *status_filters, value);
    if (i < 0)
        return ap_error_set(err, AP_INVALID, "status",
                            "\"status\": must be one of open, answered, reopened, dismissed, "
                            "active, all");
    *out = i < AP_GAP__STATUS_COUNT ? i
           : strcmp(value, "active") == 0 ? AP_GAP_STATUS_ACTIVE
                                          : AP_GAP_STATUS_ANY;
    return AP_OK;
}

static enum ap_status parse_bounds(const struct ap_gaps_params *p,
                                   const struct ap_account *account, struct ap_gap_topic_query *q,
                                   struct ap_error *err)
{
    if (p->from == NULL && p->to == NULL)
        return AP_OK;
    struct ap_tz *tz;
    enum ap_status rc = ap_tz_open(account->time_zone, &tz, err);
    if (rc != AP_OK)
        return rc;
    if (p->from)
        rc = parse_day_bound(tz, "from", p->from, &q->from_us, err);
    if (rc == AP_OK && p->to)
        rc = parse_day_bound(tz, "to", p->to, &q->to_us, err);
    ap_tz_close(tz);
    if (rc == AP_OK && q->from_us >= q->to_us)
        rc = ap_error_set(err, AP_INVALID, "to", "\"to\": must be after \"from\"");
    return rc;
}

enum ap_status ap_gaps_query_parse(const struct ap_gaps_params *p,
                                   const struct ap_account *account,
                                   struct ap_gap_topic_query *q, char channel[33],
                                   struct ap_error *err)
{
    memset(q, 0, sizeof *q);
    q->from_us = INT64_MIN;
    q->to_us = INT64_MAX;
    q->status = AP_GAP_STATUS_ACTIVE;
    q->limit = AP_GAPS_LIMIT_DEFAULT;
    enum ap_status rc = parse_bounds(p, account, q, err);
    if (rc == AP_OK && p->channel) {
        if (!ap_channel_valid(p->channel, strlen(p->channel)))
            return ap_error_set(err, AP_INVALID, "channel",
                                "\"channel\": must be 1 to 32 characters of [a-z0-9_-]");
        ap_copy_str(channel, 33, p->channel);
        q->channel = channel;
    }
    if (rc == AP_OK && p->status)
        rc = parse_status(p->status, &q->status, err);
    if (rc == AP_OK && p->sort) {
        if (strcmp(p->sort, "last") == 0)
            q->by_last = true;
        else if (strcmp(p->sort, "conversations") != 0)
            rc = ap_error_set(err, AP_INVALID, "sort", "\"sort\": must be conversations or last");
    }
    if (rc == AP_OK && p->limit)
        rc = parse_count("limit", p->limit, 1, AP_GAPS_LIMIT_MAX, &q->limit, err);
    if (rc == AP_OK && p->offset)
        rc = parse_count("offset", p->offset, 0, INT32_MAX, &q->offset, err);
    return rc;
}

/* --- JSON pieces ------------------------------------------------------------------ */

static void append_string_or_null(struct ap_buf *out, const char *s)
{
    if (s)
        ap_buf_append_json_string(out, s, strlen(s));
    else
        ap_buf_append_str(out, "null");
}

static void append_time_or_null(struct ap_buf *out, int64_t us, bool present)
{
    if (!present) {
        ap_buf_append_str(out, "null");
        return;
    }
    char text[AP_TIME_RFC3339_MAX];
    ap_time_format_rfc3339(us, text);
    ap_buf_printf(out, "\"%s\"", text);
}

/* A person's label as written; else the representative question, trimmed
 * (ap_gap_label_trim) into buf. */
static const char *shown_label(const struct ap_gap_topic_rec *t, char *buf, size_t cap)
{
    if (t->label)
        return t->label;
    if (t->auto_label == NULL)
        return "";
    ap_gap_label_trim(t->auto_label, buf, cap);
    return buf;
}

/* The topic's fields, without the closing brace. */
static void append_topic_fields(struct ap_buf *out, const struct ap_gap_topic_rec *t)
{
    char label[AP_GAP_LABEL_TEXT_MAX + 1];
    ap_buf_printf(out, "{\"id\":%lld,\"label\":", (long long)t->id);
    append_string_or_null(out, shown_label(t, label, sizeof label));
    ap_buf_printf(out, ",\"label_source\":\"%s\",\"conversations\":%lld,\"questions\":%lld,"
                       "\"last_at\":",
                  t->label ? "manual" : "auto", (long long)t->conversations,
                  (long long)t->questions);
    append_time_or_null(out, t->last_at_us, t->questions > 0);
    ap_buf_printf(out, ",\"status\":\"%s\",\"answer_id\":", ap_gap_status_name(t->status));
    append_string_or_null(out, t->answer_id);
    ap_buf_append_str(out, ",\"answered_at\":");
    append_time_or_null(out, t->answered_at_us, t->answer_id != NULL);
    ap_buf_printf(out, ",\"since_answer\":%lld", (long long)t->since_answer);
}

static void append_topic(struct ap_buf *out, const struct ap_gap_topic_rec *t)
{
    append_topic_fields(out, t);
    ap_buf_append_char(out, '}');
}

/* --- the topic table ----------------------------------------------------------------- */

struct list_ctx {
    struct ap_store *store;
    int64_t account_id;
    const struct ap_gap_topic_query *q;
    struct ap_buf *out;
    size_t n;
    struct ap_error *err;
};

enum ap_status ap_gaps_top_questions(struct ap_store *store, int64_t account_id,
                                     const struct ap_gap_topic_query *q, int64_t topic_id,
                                     struct ap_gap_same *out, struct ap_error *err)
{
    return ap_gaps_same_latest(store, account_id, topic_id, q, AP_GAPS_TOP_SAMPLE, out, err);
}

/* "top_questions": the topic's AP_GAPS_TOP_QUESTIONS most asked, within the
 * table's filters. */
static enum ap_status append_top_questions(struct list_ctx *l, int64_t topic_id)
{
    struct ap_gap_same same;
    enum ap_status rc = ap_gaps_top_questions(l->store, l->account_id, l->q, topic_id, &same,
                                              l->err);
    if (rc == AP_OK) {
        ap_buf_append_str(l->out, ",\"top_questions\":[");
        for (size_t i = 0; i < same.n && i < AP_GAPS_TOP_QUESTIONS; i++) {
            if (i)
                ap_buf_append_char(l->out, ',');
            ap_buf_append_str(l->out, "{\"text\":");
            append_string_or_null(l->out, same.items[i].text);
            ap_buf_printf(l->out, ",\"count\":%lld}", (long long)same.items[i].count);
        }
        rc = ap_buf_append_char(l->out, ']');
    }
    ap_gap_same_free(&same);
    return rc;
}

static enum ap_status append_listed_topic(void *ctx, const struct ap_gap_topic_rec *t)
{
    struct list_ctx *l = ctx;
    if (l->n++)
        ap_buf_append_char(l->out, ',');
    append_topic_fields(l->out, t);
    enum ap_status rc = append_top_questions(l, t->id);
    ap_buf_append_char(l->out, '}');
    return rc;
}

enum ap_status ap_gaps_list_json(struct ap_store *store, const struct ap_account *account,
                                 const struct ap_gap_topic_query *q, struct ap_buf *out,
                                 struct ap_error *err)
{
    struct ap_buf topics;
    struct list_ctx l = {store, account->id, q, &topics, 0, err};
    int64_t total = 0;
    ap_buf_init(&topics, (size_t)1 << 30);
    enum ap_status rc =
        ap_store_select_gap_topics(store, account->id, q, append_listed_topic, &l, &total, err);
    if (rc == AP_OK) {
        ap_buf_printf(out, "{\"total\":%lld,\"offset\":%lld,\"limit\":%lld,\"topics\":[",
                      (long long)total, (long long)q->offset, (long long)q->limit);
        ap_buf_append_buf(out, &topics); /* a topic list cut short fails the document */
        rc = ap_buf_append_str(out, "]}");
    }
    ap_buf_free(&topics);
    return rc;
}

/* --- one topic ------------------------------------------------------------------------- */

/* A topic's own row, then its figures over all its (undismissed) questions. */
struct topic_view {
    struct ap_gap_topic_rec rec;
    char *label, *auto_label, *answer_id; /* owned copies */
    bool found;
};

static char *dup_or_null(const char *s)
{
    return s ? ap_strdup(s) : NULL;
}

static enum ap_status keep_topic(void *ctx, const struct ap_gap_topic_rec *t)
{
    struct topic_view *v = ctx;
    free(v->label);
    free(v->auto_label);
    free(v->answer_id);
    v->rec = *t;
    v->label = dup_or_null(t->label);
    v->auto_label = dup_or_null(t->auto_label);
    v->answer_id = dup_or_null(t->answer_id);
    v->rec.label = v->label;
    v->rec.auto_label = v->auto_label;
    v->rec.answer_id = v->answer_id;
    v->found = true;
    return AP_OK;
}

static void topic_view_free(struct topic_view *v)
{
    free(v->label);
    free(v->auto_label);
    free(v->answer_id);
}

static enum ap_status load_topic(struct ap_store *store, int64_t account_id, int64_t topic_id,
                                 struct topic_view *v, struct ap_error *err)
{
    memset(v, 0, sizeof *v);
    enum ap_status rc = ap_store_get_gap_topic(store, account_id, topic_id, keep_topic, v, err);
    if (rc == AP_NOT_FOUND || (rc == AP_OK && v->rec.merged_into != 0)) {
        if (rc == AP_OK)
            rc = ap_error_set(err, AP_NOT_FOUND, "id", "topic %lld was merged into topic %lld",
                              (long long)topic_id, (long long)v->rec.merged_into);
        else
            rc = ap_error_set(err, AP_NOT_FOUND, "id", "no topic %lld", (long long)topic_id);
        return rc;
    }
    if (rc != AP_OK)
        return rc;
    struct ap_gap_topic_query q = {
        .from_us = INT64_MIN, .to_us = INT64_MAX, .status = AP_GAP_STATUS_ANY,
        .limit = 1, .topic_id = topic_id};
    int64_t total;
    return ap_store_select_gap_topics(store, account_id, &q, keep_topic, v, &total, err);
}

enum ap_status ap_gaps_topic_label(struct ap_store *store, int64_t account_id,
                                   int64_t topic_id, char *out, size_t size,
                                   struct ap_error *err)
{
    struct topic_view v;
    char label[AP_GAP_LABEL_TEXT_MAX + 1];
    enum ap_status rc = load_topic(store, account_id, topic_id, &v, err);
    if (rc == AP_OK)
        ap_copy_str(out, size, shown_label(&v.rec, label, sizeof label));
    topic_view_free(&v);
    return rc;
}

enum ap_status ap_gaps_with_topic(struct ap_store *store, const struct ap_account *account,
                                  int64_t topic_id, ap_gap_topic_fn fn, void *ctx,
                                  struct ap_error *err)
{
    struct topic_view v;
    enum ap_status rc = load_topic(store, account->id, topic_id, &v, err);
    if (rc == AP_OK)
        rc = fn(ctx, &v.rec);
    topic_view_free(&v);
    return rc;
}

enum ap_status ap_gaps_topic_summary_json(struct ap_store *store,
                                          const struct ap_account *account, int64_t topic_id,
                                          struct ap_buf *out, struct ap_error *err)
{
    struct topic_view v;
    enum ap_status rc = load_topic(store, account->id, topic_id, &v, err);
    if (rc == AP_OK)
        append_topic(out, &v.rec);
    topic_view_free(&v);
    return rc;
}

/* What the detail needs of a question's conversation: whether it was handed
 * off, its ticket, and when. Looked up once per conversation on the page. */
struct conversation_info {
    char *id;
    bool handed_off;
    int64_t handoff_at_us;
    const char *handoff_event; /* for ties, by id */
    char *ticket_id;
    int64_t ticket_at_us;
    int64_t first_question;    /* the page's first question from it */
};

static enum ap_status note_handoff(void *ctx, const struct ap_event *e)
{
    struct conversation_info *c = ctx;
    if (e->type != AP_EV_HANDED_OFF)
        return AP_OK;
    if (!c->handed_off || e->at_us < c->handoff_at_us)
        c->handoff_at_us = e->at_us;
    c->handed_off = true;
    /* The ticket of the earliest handoff that names one. */
    if (e->ticket_id && (c->ticket_id == NULL || e->at_us < c->ticket_at_us)) {
        free(c->ticket_id);
        c->ticket_id = ap_strdup(e->ticket_id);
        c->ticket_at_us = e->at_us;
    }
    return AP_OK;
}

struct detail {
    struct ap_store *store;
    const struct ap_account *account;
    struct ap_buf *out;
    struct conversation_info *convs;
    size_t n_convs, cap_convs;
    size_t n_questions;
    struct ap_error *err;
};

static enum ap_status conversation_of(struct detail *d, const struct ap_gap_question_rec *q,
                                      struct conversation_info **out)
{
    for (size_t i = 0; i < d->n_convs; i++) {
        if (strcmp(d->convs[i].id, q->conversation_id) == 0) {
            *out = &d->convs[i];
            return AP_OK;
        }
    }
    if (d->n_convs == d->cap_convs) {
        d->cap_convs = d->cap_convs ? 2 * d->cap_convs : 16;
        d->convs = ap_realloc(d->convs, d->cap_convs * sizeof *d->convs);
    }
    struct conversation_info *c = &d->convs[d->n_convs++];
    memset(c, 0, sizeof *c);
    c->id = ap_strdup(q->conversation_id);
    c->first_question = q->id;
    *out = c;
    return ap_store_select_conversation_events(d->store, d->account->id, q->conversation_id,
                                               note_handoff, c, d->err);
}

static void append_link_or_null(struct ap_buf *out, bool (*link)(const struct ap_account *,
                                                                 const char *, struct ap_buf *),
                                const struct ap_account *account, const char *value)
{
    struct ap_buf url;
    ap_buf_init(&url, 4096);
    if (value && link(account, value, &url) && url.len > 0) {
        ap_buf_append_char(&url, '\0');
        ap_buf_append_json_string(out, url.data, url.len - 1);
    } else {
        ap_buf_append_str(out, "null");
    }
    ap_buf_free(&url);
}

static enum ap_status append_question(void *ctx, const struct ap_gap_question_rec *q)
{
    struct detail *d = ctx;
    struct conversation_info *c;
    enum ap_status rc = conversation_of(d, q, &c);
    if (rc != AP_OK)
        return rc;
    struct ap_buf *out = d->out;
    if (d->n_questions++)
        ap_buf_append_char(out, ',');
    ap_buf_printf(out, "{\"id\":%lld,\"event_id\":", (long long)q->id);
    append_string_or_null(out, q->event_id);
    ap_buf_append_str(out, ",\"text\":");
    append_string_or_null(out, q->text);
    ap_buf_append_str(out, ",\"at\":");
    append_time_or_null(out, q->at_us, true);
    ap_buf_append_str(out, ",\"language\":");
    append_string_or_null(out, q->language);
    ap_buf_append_str(out, ",\"stemmed_as\":");
    append_string_or_null(out, q->stemmer);
    ap_buf_append_str(out, ",\"channel\":");
    append_string_or_null(out, q->channel);
    ap_buf_append_str(out, ",\"conversation_id\":");
    append_string_or_null(out, q->conversation_id);
    ap_buf_append_str(out, ",\"conversation_url\":");
    append_link_or_null(out, ap_account_conversation_link, d->account, q->conversation_id);
    ap_buf_append_str(out, ",\"ticket_id\":");
    append_string_or_null(out, c->ticket_id);
    ap_buf_append_str(out, ",\"ticket_url\":");
    append_link_or_null(out, ap_account_ticket_link, d->account, c->ticket_id);
    return ap_buf_printf(out, ",\"dismissed\":%s}", q->dismissed ? "true" : "false");
}

/* Team members' display names, for the replies. */
struct members {
    char **ids, **names;
    size_t n, cap;
};

static enum ap_status keep_member(void *ctx, const char *id, const char *name)
{
    struct members *m = ctx;
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 16;
        m->ids = ap_realloc(m->ids, m->cap * sizeof *m->ids);
        m->names = ap_realloc(m->names, m->cap * sizeof *m->names);
    }
    m->ids[m->n] = ap_strdup(id);
    m->names[m->n++] = ap_strdup(name);
    return AP_OK;
}

static const char *member_name(const struct members *m, const char *id)
{
    for (size_t i = 0; id && i < m->n; i++)
        if (strcmp(m->ids[i], id) == 0)
            return m->names[i];
    return NULL;
}

static void members_free(struct members *m)
{
    for (size_t i = 0; i < m->n; i++) {
        free(m->ids[i]);
        free(m->names[i]);
    }
    free(m->ids);
    free(m->names);
}

struct replies {
    struct ap_buf *out;
    const struct conversation_info *conv;
    const struct members *members;
    size_t n;
};

static const char *member_str(const struct ap_json_object *o, const char *key)
{
    const struct ap_json_member *m = ap_json_get(o, key);
    return m && m->kind == AP_JSON_STRING ? m->str : NULL;
}

static enum ap_status append_reply(void *ctx, const char *event_id, const void *body, size_t len)
{
    (void)event_id;
    struct replies *r = ctx;
    struct ap_json_object o;
    struct ap_error err;
    if (ap_json_parse_object(body, len, &o, &err) != AP_OK)
        return AP_OK; /* stored bodies are canonical JSON; skip rather than fail the page */
    const char *member = member_str(&o, "member_id");
    const char *at = member_str(&o, "at");
    int64_t at_us = 0;
    bool has_at = at && ap_time_parse_rfc3339(at, strlen(at), &at_us);
    if (r->n++)
        ap_buf_append_char(r->out, ',');
    ap_buf_printf(r->out, "{\"question_id\":%lld,\"conversation_id\":",
                  (long long)r->conv->first_question);
    append_string_or_null(r->out, r->conv->id);
    ap_buf_append_str(r->out, ",\"member_id\":");
    append_string_or_null(r->out, member);
    ap_buf_append_str(r->out, ",\"member_name\":");
    append_string_or_null(r->out, member_name(r->members, member));
    ap_buf_append_str(r->out, ",\"at\":");
    append_time_or_null(r->out, at_us, has_at);
    ap_buf_append_str(r->out, ",\"text\":");
    append_string_or_null(r->out, member_str(&o, "text"));
    ap_json_object_free(&o);
    return ap_buf_append_char(r->out, '}');
}

static enum ap_status append_replies(struct detail *d, struct ap_error *err)
{
    struct members members = {0};
    struct replies r = {d->out, NULL, &members, 0};
    enum ap_status rc = AP_OK;
    bool any_handoff = false;
    for (size_t i = 0; i < d->n_convs; i++)
        any_handoff |= d->convs[i].handed_off;
    if (any_handoff)
        rc = ap_store_select_members(d->store, d->account->id, keep_member, &members, err);
    for (size_t i = 0; i < d->n_convs && rc == AP_OK; i++) {
        if (!d->convs[i].handed_off)
            continue;
        r.conv = &d->convs[i];
        rc = ap_store_select_conversation_bodies(d->store, d->account->id, d->convs[i].id,
                                                 AP_EV_HUMAN_REPLIED, append_reply, &r, err);
    }
    members_free(&members);
    return rc;
}

static void detail_free(struct detail *d)
{
    for (size_t i = 0; i < d->n_convs; i++) {
        free(d->convs[i].id);
        free(d->convs[i].ticket_id);
    }
    free(d->convs);
}

enum ap_status ap_gaps_topic_json(struct ap_store *store, const struct ap_account *account,
                                  int64_t topic_id, int64_t limit, int64_t offset,
                                  struct ap_buf *out, struct ap_error *err)
{
    struct topic_view v;
    enum ap_status rc = load_topic(store, account->id, topic_id, &v, err);
    if (rc != AP_OK) {
        topic_view_free(&v);
        return rc;
    }
    if (limit <= 0)
        limit = DETAIL_LIMIT_DEFAULT;
    ap_buf_append_str(out, "{\"topic\":");
    append_topic(out, &v.rec);
    topic_view_free(&v);
    ap_buf_printf(out, ",\"offset\":%lld,\"limit\":%lld,\"questions\":[", (long long)offset,
                  (long long)limit);
    struct detail d = {.store = store, .account = account, .out = out, .err = err};
    rc = ap_store_select_gap_topic_questions(store, account->id, topic_id, limit, offset,
                                             append_question, &d, err);
    if (rc == AP_OK) {
        ap_buf_append_str(out, "],\"team_replies\":[");
        rc = append_replies(&d, err);
    }
    if (rc == AP_OK)
        rc = ap_buf_append_str(out, "]}");
    detail_free(&d);
    return rc;
}

/* --- a topic's questions, identical ones together ------------------------------------ */

static void append_member(struct ap_buf *out, const struct ap_account *account,
                          const struct ap_gap_member *m)
{
    ap_buf_printf(out, "{\"id\":%lld,\"event_id\":", (long long)m->id);
    append_string_or_null(out, m->event_id);
    ap_buf_append_str(out, ",\"conversation_id\":");
    append_string_or_null(out, m->conversation_id);
    ap_buf_append_str(out, ",\"conversation_url\":");
    append_link_or_null(out, ap_account_conversation_link, account, m->conversation_id);
    ap_buf_append_str(out, ",\"at\":");
    append_time_or_null(out, m->at_us, true);
    ap_buf_append_str(out, ",\"channel\":");
    append_string_or_null(out, m->channel);
    ap_buf_printf(out, ",\"dismissed\":%s}", m->dismissed ? "true" : "false");
}

static void append_same_question(struct ap_buf *out, const struct ap_account *account,
                                 const struct ap_gap_same_question *g)
{
    ap_buf_append_str(out, "{\"text\":");
    append_string_or_null(out, g->text);
    ap_buf_printf(out, ",\"count\":%lld,\"dismissed\":%lld,\"questions\":[",
                  (long long)g->count, (long long)g->dismissed);
    for (size_t i = 0; i < g->n_members; i++) {
        if (i)
            ap_buf_append_char(out, ',');
        append_member(out, account, g->members[i]);
    }
    ap_buf_append_str(out, "]}");
}

enum ap_status ap_gaps_topic_same_json(struct ap_store *store, const struct ap_account *account,
                                       int64_t topic_id, int64_t limit, int64_t offset,
                                       struct ap_buf *out, struct ap_error *err)
{
    struct topic_view v;
    struct ap_gap_same same;
    ap_gap_same_init(&same);
    enum ap_status rc = load_topic(store, account->id, topic_id, &v, err);
    if (rc == AP_OK)
        rc = ap_gaps_same_questions(store, account->id, topic_id, &same, err);
    if (rc == AP_OK) {
        size_t questions = 0;
        for (size_t i = 0; i < same.n; i++)
            questions += same.items[i].n_members;
        ap_buf_append_str(out, "{\"topic\":");
        append_topic(out, &v.rec);
        ap_buf_printf(out, ",\"total\":%zu,\"questions\":%zu,\"offset\":%lld,\"limit\":%lld,"
                           "\"groups\":[",
                      same.n, questions, (long long)offset, (long long)limit);
        for (size_t i = (size_t)offset, k = 0; i < same.n && k < (size_t)limit; i++, k++) {
            if (k)
                ap_buf_append_char(out, ',');
            append_same_question(out, account, &same.items[i]);
        }
        rc = ap_buf_append_str(out, "]}");
    }
    topic_view_free(&v);
    ap_gap_same_free(&same);
    return rc;
}
