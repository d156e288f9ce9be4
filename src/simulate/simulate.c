/* The simulator's generator: conversations drawn from the phrase bank
 * (phrases.c) with weekday and hour seasonality in the account's zone, written
 * as event lines for the normal ingest path, and the writer that parses and
 * stores them. All randomness comes from a small counter-based generator keyed
 * by (seed, day, conversation), so output never depends on run order. */
#include "simulate/simulate.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simulate/phrases.h"
#include "tz/tz.h"

#define US AP_USEC_PER_SEC
#define SECONDS(s) ((int64_t)(s) * US)
#define MINUTES(m) SECONDS((m) * 60)
#define HOURS(h) SECONDS((h) * 3600)

/* --- randomness ---------------------------------------------------------------
 * splitmix64: one 64-bit state, good statistical quality for simulation, and
 * cheap to seed from a hash of the conversation's coordinates. */

struct rng {
    uint64_t state;
};

static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static uint64_t rng_next(struct rng *r)
{
    return mix64(r->state += UINT64_C(0x9e3779b97f4a7c15));
}

/* Separate streams so that, say, the day's volume and its first conversation
 * never share numbers. */
enum { STREAM_DAY = 1, STREAM_CONVERSATION = 2, STREAM_LIVE = 3 };

static struct rng rng_for(uint64_t seed, uint64_t stream, uint64_t a, uint64_t b)
{
    uint64_t h = mix64(seed + UINT64_C(0x9e3779b97f4a7c15));
    h = mix64(h ^ (stream * UINT64_C(0xd1b54a32d192ed03)));
    h = mix64(h ^ a);
    h = mix64(h ^ (b + UINT64_C(0x632be59bd9b4e019)));
    return (struct rng){h};
}

/* A double in [0, 1). */
static double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static bool rng_chance(struct rng *r, double p)
{
    return rng_unit(r) < p;
}

static bool rng_pct(struct rng *r, unsigned pct)
{
    return rng_next(r) % 100 < pct;
}

static uint64_t rng_below(struct rng *r, uint64_t n)
{
    return n ? rng_next(r) % n : 0;
}

/* Waiting times are skewed: most replies come fast, a few take very long.
 * Log-uniform between lo and hi seconds gives that shape cheaply. */
static int64_t rng_wait(struct rng *r, double lo, double hi)
{
    double s = exp(log(lo) + rng_unit(r) * (log(hi) - log(lo)));
    return SECONDS(s < 1 ? 1 : s);
}

static size_t list_count(const char *const *list)
{
    size_t n = 0;
    while (list[n])
        n++;
    return n;
}

static const char *rng_pick_string(struct rng *r, const char *const *list)
{
    return list[rng_below(r, list_count(list))];
}

/* --- seasonality ------------------------------------------------------------ */

/* Relative volume by local weekday, Monday first: busy at the start of the
 * week, quiet on Saturday, some Sunday-evening shopping. Normalised in
 * day_volume so that the week averages --conversations-per-day. */
static const double weekday_volume[7] = {1.18, 1.12, 1.08, 1.05, 0.95, 0.55, 0.62};

/* Relative volume by local hour: near nothing at night, a morning peak, a dip
 * at lunch, an afternoon peak and a long evening tail. */
static const unsigned hour_volume[24] = {
    2, 1, 1, 1, 1, 2, 4, 8, 14, 18, 19, 18, 15, 17, 17, 15, 13, 11, 10, 11, 11, 9, 6, 4,
};

/* When the human team works, by local weekday (hours, [open, close)): a
 * handoff outside these hours waits for the next shift. */
static const struct {
    int open, close;
} team_shifts[7] = {{8, 18}, {8, 18}, {8, 18}, {8, 18}, {8, 17}, {10, 15}, {12, 16}};

/* --- the simulator ---------------------------------------------------------- */

/* The most events one conversation produces (start, three questions, handoff,
 * reply, resolution, close, ticket close, feedback) with room to spare. */
#define MAX_CONVERSATION_EVENTS 24
#define LINE_BUF_MAX ((size_t)1 << 20)

struct line {
    int64_t at_us;
    size_t off, len;
};

/* A future event waiting for live mode; `seq` keeps equal times in order. */
struct queued {
    int64_t at_us;
    uint64_t seq;
    char *line;
    size_t len;
};

struct ap_sim {
    struct ap_sim_config config;
    struct ap_tz *tz;
    int64_t first_day, last_day; /* local day numbers, inclusive */
    unsigned topic_weights, member_weights, channel_weights, hour_weights;
    double weekday_norm;

    /* The current conversation's event lines and a scratch buffer for texts. */
    struct ap_buf lines_buf;
    struct line lines[MAX_CONVERSATION_EVENTS];
    size_t n_lines;
    struct ap_buf text;

    struct queued *queue; /* a binary min-heap by (at_us, seq) */
    size_t queue_n, queue_cap;
    uint64_t queue_seq;
    uint64_t live_n;
};

static void local_parts(struct ap_sim *s, int64_t utc_us, int64_t *day, int64_t *sec)
{
    int64_t t = utc_us / US + ap_tz_offset_seconds(s->tz, utc_us);
    int64_t d = t / 86400 - (t % 86400 < 0);
    *day = d;
    *sec = t - d * 86400;
}

/* The instant a local wall-clock time names. Checking the offset at the guess
 * a second time settles the hours next to a DST change. */
static int64_t local_to_utc(struct ap_sim *s, int64_t day, int64_t sec)
{
    int64_t local = day * 86400 + sec;
    int32_t off = ap_tz_offset_seconds(s->tz, local * US);
    int64_t utc = local - off;
    int32_t off2 = ap_tz_offset_seconds(s->tz, utc * US);
    if (off2 != off)
        utc = local - off2;
    return utc * US;
}

enum ap_status ap_sim_new(const struct ap_sim_config *config, struct ap_sim **out,
                          struct ap_error *err)
{
    *out = NULL;
    if (config->weeks < 1 || config->weeks > AP_SIM_MAX_WEEKS)
        return ap_error_set(err, AP_INVALID, "weeks", "weeks must be from 1 to %d",
                            AP_SIM_MAX_WEEKS);
    if (config->conversations_per_day < 1 || config->conversations_per_day > AP_SIM_MAX_PER_DAY)
        return ap_error_set(err, AP_INVALID, "conversations_per_day",
                            "conversations per day must be from 1 to %d", AP_SIM_MAX_PER_DAY);
    struct ap_sim *s = ap_calloc(1, sizeof *s);
    enum ap_status rc = ap_tz_open(config->time_zone, &s->tz, err);
    if (rc != AP_OK) {
        free(s);
        return rc;
    }
    s->config = *config;
    s->config.time_zone = NULL; /* borrowed for ap_tz_open only */
    s->last_day = ap_tz_local_day(s->tz, config->now_us);
    s->first_day = s->last_day - 7 * (int64_t)config->weeks + 1;
    for (size_t i = 0; i < ap_sim_topic_count; i++)
        s->topic_weights += ap_sim_topics[i].weight;
    for (size_t i = 0; i < ap_sim_member_count; i++)
        s->member_weights += ap_sim_members[i].weight;
    for (size_t i = 0; i < ap_sim_channel_count; i++)
        s->channel_weights += ap_sim_channels[i].weight;
    for (size_t i = 0; i < 24; i++)
        s->hour_weights += hour_volume[i];
    double week = 0;
    for (size_t i = 0; i < 7; i++)
        week += weekday_volume[i];
    s->weekday_norm = 7.0 / week;
    ap_buf_init(&s->lines_buf, LINE_BUF_MAX);
    ap_buf_init(&s->text, LINE_BUF_MAX);
    *out = s;
    return AP_OK;
}

void ap_sim_destroy(struct ap_sim *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->queue_n; i++)
        free(s->queue[i].line);
    free(s->queue);
    ap_buf_free(&s->lines_buf);
    ap_buf_free(&s->text);
    ap_tz_close(s->tz);
    free(s);
}

size_t ap_sim_days(const struct ap_sim *s)
{
    return (size_t)(s->last_day - s->first_day + 1);
}

/* --- the future-event queue ------------------------------------------------- */

static bool queued_before(const struct queued *a, const struct queued *b)
{
    return a->at_us < b->at_us || (a->at_us == b->at_us && a->seq < b->seq);
}

static void queue_push(struct ap_sim *s, int64_t at_us, const char *line, size_t len)
{
    if (s->queue_n >= AP_SIM_QUEUE_MAX)
        return; /* see AP_SIM_QUEUE_MAX: the event just never happens */
    if (s->queue_n == s->queue_cap) {
        s->queue_cap = s->queue_cap ? 2 * s->queue_cap : 256;
        s->queue = ap_realloc(s->queue, s->queue_cap * sizeof *s->queue);
    }
    struct queued q = {at_us, s->queue_seq++, ap_strndup(line, len), len};
    size_t i = s->queue_n++;
    while (i > 0 && queued_before(&q, &s->queue[(i - 1) / 2])) {
        s->queue[i] = s->queue[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    s->queue[i] = q;
}

/* Removes the earliest entry; the caller owns its line. */
static struct queued queue_pop(struct ap_sim *s)
{
    struct queued top = s->queue[0];
    struct queued last = s->queue[--s->queue_n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= s->queue_n)
            break;
        if (c + 1 < s->queue_n && queued_before(&s->queue[c + 1], &s->queue[c]))
            c++;
        if (!queued_before(&s->queue[c], &last))
            break;
        s->queue[i] = s->queue[c];
        i = c;
    }
    if (s->queue_n > 0)
        s->queue[i] = last;
    return top;
}

/* --- writing one conversation's events -------------------------------------- */

struct conv {
    struct ap_sim *sim;
    struct rng r;
    char id[96];
    char ticket_id[100];
    unsigned next_event;
    enum ap_sim_lang lang;
    const struct ap_sim_channel *channel;
    unsigned order_no;
    int64_t last_at; /* the latest event so far */
    enum ap_status rc;
};

static void conv_check(struct conv *c, enum ap_status rc)
{
    if (rc != AP_OK && c->rc == AP_OK)
        c->rc = rc;
}

static void ev_begin(struct conv *c, const char *type, int64_t at_us)
{
    struct ap_sim *s = c->sim;
    char at[AP_TIME_RFC3339_MAX];
    if (s->n_lines == MAX_CONVERSATION_EVENTS) {
        conv_check(c, AP_INTERNAL);
        return;
    }
    ap_time_format_rfc3339(at_us, at);
    s->lines[s->n_lines] = (struct line){at_us, s->lines_buf.len, 0};
    conv_check(c, ap_buf_printf(&s->lines_buf,
                                "{\"id\":\"%s-%u\",\"type\":\"%s\",\"at\":\"%s\","
                                "\"conversation_id\":\"%s\"",
                                c->id, c->next_event++, type, at, c->id));
    if (at_us > c->last_at)
        c->last_at = at_us;
}

static void ev_string(struct conv *c, const char *key, const char *value, size_t len)
{
    struct ap_buf *b = &c->sim->lines_buf;
    conv_check(c, ap_buf_printf(b, ",\"%s\":", key));
    conv_check(c, ap_buf_append_json_string(b, value, len));
}

static void ev_str(struct conv *c, const char *key, const char *value)
{
    ev_string(c, key, value, strlen(value));
}

/* A JSON literal (true, false) as the value. */
static void ev_literal(struct conv *c, const char *key, const char *literal)
{
    conv_check(c, ap_buf_printf(&c->sim->lines_buf, ",\"%s\":%s", key, literal));
}

static void ev_member(struct conv *c, const struct ap_sim_member *m)
{
    ev_str(c, "member_id", m->id);
    ev_str(c, "member_name", m->name);
}

static void ev_end(struct conv *c)
{
    struct ap_sim *s = c->sim;
    conv_check(c, ap_buf_append_char(&s->lines_buf, '}'));
    if (c->rc == AP_OK) {
        struct line *l = &s->lines[s->n_lines++];
        l->len = s->lines_buf.len - l->off;
    }
}

/* Sends the conversation's events that happened by `cutoff_us`; the rest wait
 * in the queue when `keep_future`, else they are dropped. */
static enum ap_status conv_dispatch(struct ap_sim *s, int64_t cutoff_us, bool keep_future,
                                    ap_sim_emit_fn emit, void *ctx, uint64_t *emitted,
                                    struct ap_error *err)
{
    for (size_t i = 0; i < s->n_lines; i++) {
        const struct line *l = &s->lines[i];
        const char *text = s->lines_buf.data + l->off;
        if (l->at_us <= cutoff_us) {
            enum ap_status rc = emit(ctx, text, l->len, err);
            if (rc != AP_OK)
                return rc;
            (*emitted)++;
        } else if (keep_future) {
            queue_push(s, l->at_us, text, l->len);
        }
    }
    return AP_OK;
}

/* --- picking things ---------------------------------------------------------- */

static const struct ap_sim_topic *pick_topic(struct conv *c)
{
    uint64_t x = rng_below(&c->r, c->sim->topic_weights);
    for (size_t i = 0; i < ap_sim_topic_count; i++) {
        if (x < ap_sim_topics[i].weight)
            return &ap_sim_topics[i];
        x -= ap_sim_topics[i].weight;
    }
    return &ap_sim_topics[0];
}

static const struct ap_sim_member *pick_member(struct conv *c)
{
    uint64_t x = rng_below(&c->r, c->sim->member_weights);
    for (size_t i = 0; i < ap_sim_member_count; i++) {
        if (x < ap_sim_members[i].weight)
            return &ap_sim_members[i];
        x -= ap_sim_members[i].weight;
    }
    return &ap_sim_members[0];
}

static const struct ap_sim_channel *pick_channel(struct conv *c)
{
    uint64_t x = rng_below(&c->r, c->sim->channel_weights);
    for (size_t i = 0; i < ap_sim_channel_count; i++) {
        if (x < ap_sim_channels[i].weight)
            return &ap_sim_channels[i];
        x -= ap_sim_channels[i].weight;
    }
    return &ap_sim_channels[0];
}

/* The first moment at or after t when the team is at work (team_shifts), with
 * a little spread so that the morning queue is not all answered at 08:00:00. */
static int64_t staffed(struct conv *c, int64_t t)
{
    struct ap_sim *s = c->sim;
    for (int i = 0; i < 3; i++) {
        int64_t day, sec;
        local_parts(s, t, &day, &sec);
        int wd = ap_day_weekday(day);
        if (sec >= team_shifts[wd].open * 3600 && sec < team_shifts[wd].close * 3600)
            return t;
        if (sec < team_shifts[wd].open * 3600)
            return local_to_utc(s, day, team_shifts[wd].open * 3600) +
                   SECONDS(60 + rng_below(&c->r, 2700));
        t = local_to_utc(s, day + 1, 0);
    }
    return t;
}

/* Handoff reasons and their shares. TOPIC_REASON stands for the topic's own
 * reason; NULL sends no reason (the report shows "unspecified"). */
static const char TOPIC_REASON[] = "";
struct reason_share {
    const char *reason;
    unsigned weight;
};

/* After a question the agent could not answer, mostly missing knowledge. */
static const struct reason_share gap_reasons[] = {
    {"missing_knowledge", 70}, {TOPIC_REASON, 12}, {NULL, 10}, {"customer_request", 8},
};

/* After answers the visitor did not settle for. */
static const struct reason_share answered_reasons[] = {
    {TOPIC_REASON, 50}, {"customer_request", 28}, {NULL, 22},
};

#define N_SHARES(a) (sizeof(a) / sizeof(a)[0])

static const char *pick_reason(struct conv *c, const struct ap_sim_topic *topic,
                               const struct reason_share *shares, size_t n)
{
    unsigned total = 0;
    for (size_t i = 0; i < n; i++)
        total += shares[i].weight;
    uint64_t x = rng_below(&c->r, total);
    for (size_t i = 0; i < n; i++) {
        if (x < shares[i].weight)
            return shares[i].reason == TOPIC_REASON ? topic->reason : shares[i].reason;
        x -= shares[i].weight;
    }
    return NULL;
}

/* Appends a phrase with "{order}" replaced by the conversation's order number,
 * its first letter lower-cased when it follows an opener like "Hi, ". */
static void append_phrase(struct conv *c, struct ap_buf *b, const char *phrase, bool lower_first)
{
    static const char placeholder[] = "{order}";
    const char *p = phrase;
    bool pronoun_i = p[0] == 'I' && (p[1] == ' ' || p[1] == '\''); /* "I ordered", "I'd like" */
    if (lower_first && p[0] >= 'A' && p[0] <= 'Z' && !pronoun_i) {
        conv_check(c, ap_buf_append_char(b, (char)(p[0] - 'A' + 'a')));
        p++;
    }
    for (;;) {
        const char *hole = strstr(p, placeholder);
        if (hole == NULL) {
            conv_check(c, ap_buf_append_str(b, p));
            return;
        }
        conv_check(c, ap_buf_append(b, p, (size_t)(hole - p)));
        conv_check(c, ap_buf_printf(b, "%u", c->order_no));
        p = hole + sizeof placeholder - 1;
    }
}

/* `previous` is the conversation's last question phrase: a visitor who asks
 * again rewords, so a follow-up never repeats it word for word. */
static const char *question(struct conv *c, const struct ap_sim_topic *topic, int64_t at,
                            bool answered, const char *previous)
{
    struct ap_buf *t = &c->sim->text;
    struct rng *r = &c->r;
    const char *opener = rng_chance(r, 0.2) ? rng_pick_string(r, ap_sim_openers[c->lang]) : NULL;
    const char *closer = rng_chance(r, 0.12) ? rng_pick_string(r, ap_sim_closers[c->lang]) : NULL;
    const char *phrase = rng_pick_string(r, topic->questions[c->lang]);
    for (int tries = 0; phrase == previous && tries < 4; tries++)
        phrase = rng_pick_string(r, topic->questions[c->lang]);
    size_t ol = opener ? strlen(opener) : 0;
    ap_buf_reset(t);
    if (opener)
        conv_check(c, ap_buf_append_str(t, opener));
    append_phrase(c, t, phrase, ol >= 2 && strcmp(opener + ol - 2, ", ") == 0);
    if (closer)
        conv_check(c, ap_buf_append_str(t, closer));

    ev_begin(c, "question.asked", at);
    if (c->rc != AP_OK)
        return phrase;
    ev_string(c, "text", t->data, t->len);
    ev_literal(c, "answered", answered ? "true" : "false");
    /* Not every agent knows the language of what it was asked. */
    if (rng_chance(r, 0.85))
        ev_str(c, "language", ap_sim_lang_tags[c->lang]);
    ev_end(c);
    return phrase;
}

static void human_reply(struct conv *c, const struct ap_sim_topic *topic,
                        const struct ap_sim_member *m, int64_t at)
{
    struct ap_buf *t = &c->sim->text;
    ap_buf_reset(t);
    append_phrase(c, t, rng_pick_string(&c->r, topic->replies[c->lang]), false);
    ev_begin(c, "human.replied", at);
    if (c->rc != AP_OK)
        return;
    ev_member(c, m);
    ev_string(c, "text", t->data, t->len);
    ev_end(c);
}

static void resolved_by(struct conv *c, const struct ap_sim_member *m, int64_t at)
{
    ev_begin(c, "conversation.resolved", at);
    ev_str(c, "by", m ? "human" : "agent");
    if (m)
        ev_member(c, m);
    ev_end(c);
}

static void closed(struct conv *c, int64_t at)
{
    ev_begin(c, "conversation.closed", at);
    ev_end(c);
}

/* Visitors rate now and then, better when they got what they came for; a
 * quarter of them say a few words. */
static void maybe_feedback(struct conv *c, double p_rate, double p_helpful)
{
    if (!rng_chance(&c->r, p_rate))
        return;
    bool helpful = rng_chance(&c->r, p_helpful);
    const char *comment = NULL;
    if (rng_chance(&c->r, 0.25))
        comment = rng_pick_string(&c->r, helpful ? ap_sim_comments_helpful[c->lang]
                                                 : ap_sim_comments_not_helpful[c->lang]);
    ev_begin(c, "feedback.submitted", c->last_at + rng_wait(&c->r, 10, 600));
    ev_str(c, "rating", helpful ? "helpful" : "not_helpful");
    if (comment)
        ev_str(c, "comment", comment);
    ev_end(c);
}

/* A conversation the team took directly: the agent never saw it, so it asks
 * no questions through the agent; it still counts in "all conversations"
 * and in the team ranking. */
static void human_conversation(struct conv *c, const struct ap_sim_topic *topic, int64_t start)
{
    const struct ap_sim_member *m = pick_member(c);
    double pace = c->channel->pace > 1 ? c->channel->pace / 4 : 1;
    int64_t t = staffed(c, start + (int64_t)(pace * (double)rng_wait(&c->r, 30, 1200)));
    human_reply(c, topic, m, t);
    if (rng_chance(&c->r, 0.8))
        resolved_by(c, m, t + rng_wait(&c->r, 60, 3600));
    if (rng_chance(&c->r, 0.8))
        closed(c, c->last_at + rng_wait(&c->r, 10, 900));
    maybe_feedback(c, 0.2, 0.8);
}

/* The agent gave up or the visitor asked for a person: a handoff, maybe to a
 * named member with a ticket, a reply from the team hours later, and the
 * ticket's close hours to days after that (or never). */
static void handoff(struct conv *c, const struct ap_sim_topic *topic,
                    const struct ap_sim_topic *gap, int64_t at)
{
    const struct ap_sim_member *m = rng_chance(&c->r, 0.92) ? pick_member(c) : NULL;
    bool has_ticket = rng_chance(&c->r, 0.85);
    const char *reason = gap ? pick_reason(c, gap, gap_reasons, N_SHARES(gap_reasons))
                             : pick_reason(c, topic, answered_reasons, N_SHARES(answered_reasons));
    ev_begin(c, "conversation.handed_off", at);
    if (m)
        ev_member(c, m);
    if (has_ticket)
        ev_str(c, "ticket_id", c->ticket_id);
    if (reason)
        ev_str(c, "reason", reason);
    ev_end(c);

    bool human_resolved = false;
    if (m && rng_chance(&c->r, 0.85)) {
        int64_t t = staffed(c, at + rng_wait(&c->r, 120, 4 * 3600));
        human_reply(c, gap ? gap : topic, m, t);
        if (rng_chance(&c->r, 0.6)) {
            human_resolved = true;
            resolved_by(c, m, t + rng_wait(&c->r, 300, 3 * 3600));
            if (rng_chance(&c->r, 0.7))
                closed(c, c->last_at + rng_wait(&c->r, 30, 1800));
        }
    } else if (rng_chance(&c->r, 0.3)) {
        closed(c, at + rng_wait(&c->r, 60, 1800)); /* the visitor gave up waiting */
    }
    maybe_feedback(c, 0.25, human_resolved ? 0.7 : 0.35);

    if (has_ticket && rng_chance(&c->r, 0.82)) {
        int64_t t = staffed(c, c->last_at + rng_wait(&c->r, 1800, 5 * 86400));
        const struct ap_sim_member *closer = m;
        if (closer == NULL || rng_chance(&c->r, 0.15))
            closer = pick_member(c);
        ev_begin(c, "ticket.closed", t);
        ev_str(c, "ticket_id", c->ticket_id);
        /* Some help desks do not say who closed; the report then credits the assignee. */
        if (rng_chance(&c->r, 0.92))
            ev_member(c, closer);
        ev_end(c);
    }
}

/* One whole conversation starting at `start`, into the simulator's line list. */
static void conversation(struct conv *c, int64_t start)
{
    struct rng *r = &c->r;
    c->channel = pick_channel(c);
    c->lang = rng_chance(r, 0.6) ? AP_SIM_NB : AP_SIM_EN;
    c->order_no = 100000 + (unsigned)rng_below(r, 900000);
    c->last_at = start;
    const struct ap_sim_topic *topic = pick_topic(c);
    bool human = rng_pct(r, c->channel->human_pct);

    ev_begin(c, "conversation.started", start);
    ev_str(c, "channel", c->channel->name);
    if (human)
        ev_str(c, "handler", "human");
    else if (rng_chance(r, 0.5))
        ev_str(c, "handler", "agent"); /* the default, which some clients spell out */
    ev_end(c);
    if (human) {
        human_conversation(c, topic, start);
        return;
    }

    /* One to three questions; a follow-up is usually about the same need. */
    double pace = c->channel->pace;
    double u = rng_unit(r);
    int n_questions = u < 0.55 ? 1 : u < 0.85 ? 2 : 3;
    const struct ap_sim_topic *gap = NULL;
    const char *phrase = NULL;
    int64_t t = start + rng_wait(r, 3, 40);
    for (int i = 0; i < n_questions; i++) {
        const struct ap_sim_topic *q = i == 0 || rng_chance(r, 0.6) ? topic : pick_topic(c);
        bool answered = rng_pct(r, q->answered_pct);
        phrase = question(c, q, t, answered, phrase);
        if (!answered && gap == NULL)
            gap = q;
        if (i + 1 < n_questions)
            t += (int64_t)(pace * (double)rng_wait(r, 20, 240));
    }

    /* About half of the visitors the agent could not help ask for a person;
     * with the topics' own shares that gives a handoff rate of about 25%. */
    bool handed_off = gap ? rng_chance(r, 0.45) : rng_pct(r, topic->handoff_pct);
    if (handed_off) {
        handoff(c, topic, gap, t + rng_wait(r, 15, 120));
        return;
    }
    /* Left to the agent: confirmed resolutions, closed windows, and visitors
     * who simply stop writing (assumed resolutions once the inactivity period
     * has passed, when the agent answered). */
    u = rng_unit(r);
    if (gap == NULL && u < 0.35) {
        resolved_by(c, NULL, t + (int64_t)(pace * (double)rng_wait(r, 20, 300)));
        if (rng_chance(r, 0.6))
            closed(c, c->last_at + rng_wait(r, 5, 120));
    } else if (u < (gap ? 0.3 : 0.55)) {
        closed(c, t + (int64_t)(pace * (double)rng_wait(r, 30, 600)));
    }
    maybe_feedback(c, 0.3, gap ? 0.2 : 0.82);
}

/* Sets up a conversation's generator and ids; `key` is what follows
 * "sim-<seed>-" in its id. */
static void conv_init(struct conv *c, struct ap_sim *s, struct rng r, const char *key)
{
    memset(c, 0, sizeof *c);
    c->sim = s;
    c->r = r;
    snprintf(c->id, sizeof c->id, "sim-%" PRIu64 "-%s", s->config.seed, key);
    snprintf(c->ticket_id, sizeof c->ticket_id, "T-%" PRIu64 "-%s", s->config.seed, key);
    ap_buf_reset(&s->lines_buf);
    s->n_lines = 0;
}

static enum ap_status conv_failed(struct conv *c, struct ap_error *err)
{
    return ap_error_set(err, c->rc == AP_TOO_LARGE ? AP_TOO_LARGE : AP_INTERNAL, "",
                        "simulator: could not build the events of conversation %s", c->id);
}

/* --- backfill ----------------------------------------------------------------- */

/* The day's number of conversations: the weekly average shaped by weekday, a
 * slow 17-week swell and a day-to-day wobble, rounded at random so that the
 * average stays exact. A function of the day alone (see ap_sim_config). */
static unsigned day_volume(struct ap_sim *s, int64_t day)
{
    struct rng r = rng_for(s->config.seed, STREAM_DAY, (uint64_t)day, 0);
    double n = s->config.conversations_per_day * weekday_volume[ap_day_weekday(day)] *
               s->weekday_norm * (1 + 0.08 * sin(2 * M_PI * (double)day / 119.0)) *
               (0.85 + 0.3 * rng_unit(&r));
    double whole = floor(n);
    return (unsigned)whole + (rng_chance(&r, n - whole) ? 1 : 0);
}

static int64_t start_time(struct conv *c, int64_t day)
{
    uint64_t x = rng_below(&c->r, c->sim->hour_weights);
    unsigned hour = 0;
    while (hour < 23 && x >= hour_volume[hour])
        x -= hour_volume[hour++];
    return local_to_utc(c->sim, day, hour * 3600 + (int64_t)rng_below(&c->r, 3600));
}

enum ap_status ap_sim_backfill_day(struct ap_sim *s, size_t day_index, ap_sim_emit_fn emit,
                                   void *ctx, uint64_t *conversations, struct ap_error *err)
{
    int64_t day = s->first_day + (int64_t)day_index;
    int64_t y;
    unsigned mo, d;
    ap_civil_from_days(day, &y, &mo, &d);
    unsigned n = day_volume(s, day);
    for (unsigned k = 0; k < n; k++) {
        char key[48];
        struct conv c;
        snprintf(key, sizeof key, "%04" PRId64 "%02u%02u-%03u", y, mo, d, k);
        conv_init(&c, s, rng_for(s->config.seed, STREAM_CONVERSATION, (uint64_t)day, k), key);
        int64_t start = start_time(&c, day);
        if (start > s->config.now_us && !s->config.keep_future)
            continue;
        conversation(&c, start);
        if (c.rc != AP_OK)
            return conv_failed(&c, err);
        uint64_t emitted = 0;
        enum ap_status rc =
            conv_dispatch(s, s->config.now_us, s->config.keep_future, emit, ctx, &emitted, err);
        if (rc != AP_OK)
            return rc;
        if (conversations && start <= s->config.now_us)
            (*conversations)++;
    }
    return AP_OK;
}

/* --- live mode ----------------------------------------------------------------- */

enum ap_status ap_sim_live_step(struct ap_sim *s, int64_t now_us, uint64_t budget,
                                ap_sim_emit_fn emit, void *ctx, uint64_t *emitted,
                                struct ap_error *err)
{
    *emitted = 0;
    while (s->queue_n > 0 && s->queue[0].at_us <= now_us) {
        struct queued q = queue_pop(s);
        enum ap_status rc = emit(ctx, q.line, q.len, err);
        free(q.line);
        if (rc != AP_OK)
            return rc;
        (*emitted)++;
    }
    while (*emitted < budget) {
        char key[64];
        struct conv c;
        uint64_t n = s->live_n++;
        snprintf(key, sizeof key, "live%" PRIu64 "-%" PRIu64, s->config.live_tag, n);
        conv_init(&c, s, rng_for(s->config.seed, STREAM_LIVE, s->config.live_tag, n), key);
        /* Spread the starts over the last second rather than stamping them all alike. */
        conversation(&c, now_us - (int64_t)rng_below(&c.r, (uint64_t)US));
        if (c.rc != AP_OK)
            return conv_failed(&c, err);
        uint64_t before = *emitted;
        enum ap_status rc = conv_dispatch(s, now_us, true, emit, ctx, emitted, err);
        if (rc != AP_OK)
            return rc;
        if (*emitted == before)
            break; /* cannot happen (a start is never in the future), but never spin */
    }
    return AP_OK;
}

/* --- the writer ---------------------------------------------------------------- */

void ap_sim_writer_init(struct ap_sim_writer *w, struct ap_store *store, int64_t account_id,
                        size_t batch, ap_ingest_problem_fn on_problem, void *problem_ctx)
{
    memset(w, 0, sizeof *w);
    w->store = store;
    w->account_id = account_id;
    w->cap = batch ? batch : 1;
    w->events = ap_calloc(w->cap, sizeof *w->events);
    w->verdicts = ap_calloc(w->cap, sizeof *w->verdicts);
    w->line_nos = ap_calloc(w->cap, sizeof *w->line_nos);
    w->on_problem = on_problem;
    w->problem_ctx = problem_ctx;
}

void ap_sim_writer_free(struct ap_sim_writer *w)
{
    for (size_t i = 0; i < w->n; i++)
        ap_event_free(&w->events[i]);
    free(w->events);
    free(w->verdicts);
    free(w->line_nos);
    w->events = NULL;
    w->verdicts = NULL;
    w->line_nos = NULL;
    w->n = 0;
}

static void report_problem(struct ap_sim_writer *w, size_t line, enum ap_verdict verdict,
                           const char *id, const char *field, const char *message)
{
    struct ap_ingest_problem p = {.line = line, .verdict = verdict};
    if (w->on_problem == NULL)
        return;
    ap_copy_str(p.id, sizeof p.id, id);
    ap_copy_str(p.field, sizeof p.field, field);
    ap_copy_str(p.message, sizeof p.message, message);
    w->on_problem(w->problem_ctx, &p);
}

enum ap_status ap_sim_writer_add(void *ctx, const char *line, size_t len, struct ap_error *err)
{
    struct ap_sim_writer *w = ctx;
    struct ap_error e;
    w->lines++;
    ap_error_clear(&e);
    if (ap_event_parse(line, len, &w->events[w->n], &e) != AP_OK) {
        char id[4 * AP_EVENT_ID_MAX_CHARS + 1];
        ap_event_peek_id(line, len, id, sizeof id);
        w->counts.rejected++;
        report_problem(w, w->lines, AP_VERDICT_REJECTED, id, e.field, e.message);
        return AP_OK;
    }
    w->line_nos[w->n++] = w->lines;
    return w->n == w->cap ? ap_sim_writer_flush(w, err) : AP_OK;
}

enum ap_status ap_sim_writer_flush(struct ap_sim_writer *w, struct ap_error *err)
{
    enum ap_status rc =
        ap_ingest_events(w->store, w->account_id, w->events, w->n, w->verdicts, err);
    for (size_t i = 0; i < w->n; i++) {
        if (rc == AP_OK) {
            switch (w->verdicts[i]) {
            case AP_VERDICT_STORED: w->counts.stored++; break;
            case AP_VERDICT_DUPLICATE: w->counts.duplicate++; break;
            default:
                w->counts.conflict++;
                report_problem(w, w->line_nos[i], AP_VERDICT_CONFLICT, w->events[i].id,
                               "id", "already stored with different content; the stored event "
                                     "is kept");
            }
        }
        ap_event_free(&w->events[i]);
    }
    w->n = 0;
    return rc;
}
