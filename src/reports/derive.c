/* SPEC §3, rule by rule. "Earliest" compares (at, id), so ties go to the
 * smaller event id and the result does not depend on the order events come in. */
#include "reports/derive.h"

#include <stdio.h>
#include <string.h>

/* True when a comes before b in (at, id) order. */
static bool earlier(const struct ap_event *a, const struct ap_event *b)
{
    if (b == NULL)
        return true;
    if (a->at_us != b->at_us)
        return a->at_us < b->at_us;
    return strcmp(a->id, b->id) < 0;
}

static bool later(const struct ap_event *a, const struct ap_event *b)
{
    if (b == NULL)
        return true;
    if (a->at_us != b->at_us)
        return a->at_us > b->at_us;
    return strcmp(a->id, b->id) > 0;
}

static void set_dim(char dst[AP_DIM_MAX], const char *s)
{
    ap_copy_str(dst, AP_DIM_MAX, s);
}

/* The events of one conversation that the rules look at, picked in one pass. */
struct picks {
    const struct ap_event *start;
    const struct ap_event *handoff;
    const struct ap_event *agent_resolution;
    const struct ap_event *human_resolution;
    const struct ap_event *last_answered;
    bool closed;
    const struct ap_event *first_tagged; /* the earliest question with a language */
    bool not_helpful;
    bool unticketed_handoff;
    int64_t last_event_us;
};

static void pick_events(const struct ap_event *const *own, size_t n, struct picks *p,
                        struct ap_conv_state *s)
{
    memset(p, 0, sizeof *p);
    p->last_event_us = INT64_MIN;
    for (size_t i = 0; i < n; i++) {
        const struct ap_event *e = own[i];
        if (e->at_us > p->last_event_us)
            p->last_event_us = e->at_us;
        switch (e->type) {
        case AP_EV_STARTED:
            if (earlier(e, p->start))
                p->start = e;
            break;
        case AP_EV_QUESTION:
            if (e->language && earlier(e, p->first_tagged))
                p->first_tagged = e;
            s->asked++;
            if (!e->answered)
                s->unanswered++;
            else if (later(e, p->last_answered))
                p->last_answered = e;
            break;
        case AP_EV_HANDED_OFF:
            if (earlier(e, p->handoff))
                p->handoff = e;
            if (e->ticket_id == NULL)
                p->unticketed_handoff = true;
            break;
        case AP_EV_RESOLVED:
            if (!e->by_human && earlier(e, p->agent_resolution))
                p->agent_resolution = e;
            if (e->by_human && earlier(e, p->human_resolution))
                p->human_resolution = e;
            break;
        case AP_EV_CLOSED:
            p->closed = true;
            break;
        case AP_EV_FEEDBACK:
            if (e->helpful)
                s->helpful++;
            else {
                s->not_helpful++;
                p->not_helpful = true;
            }
            break;
        default:
            break;
        }
    }
}

static bool handoff_named(const struct ap_event *const *own, size_t n, const char *ticket_id)
{
    for (size_t i = 0; i < n; i++)
        if (own[i]->type == AP_EV_HANDED_OFF && own[i]->ticket_id &&
            strcmp(own[i]->ticket_id, ticket_id) == 0)
            return true;
    return false;
}

/* The earliest ticket.closed that belongs to the conversation: its ticket was
 * named by a handoff, or it carries the conversation's id and a handoff named
 * no ticket. */
static const struct ap_event *earliest_ticket_close(const char *conversation_id,
                                                    const struct ap_event *const *own, size_t n_own,
                                                    const struct ap_event *const *closes,
                                                    size_t n_closes, bool unticketed_handoff)
{
    const struct ap_event *best = NULL;
    for (int pass = 0; pass < 2; pass++) {
        const struct ap_event *const *list = pass ? closes : own;
        size_t n = pass ? n_closes : n_own;
        for (size_t i = 0; i < n; i++) {
            const struct ap_event *e = list[i];
            if (e->type != AP_EV_TICKET_CLOSED)
                continue;
            bool belongs = handoff_named(own, n_own, e->ticket_id) ||
                           (unticketed_handoff && strcmp(e->conversation_id, conversation_id) == 0);
            if (belongs && earlier(e, best))
                best = e;
        }
    }
    return best;
}

static void derive_outcome(const struct ap_conv_state *s, const struct picks *p, bool ended,
                           const struct ap_event *close, struct ap_conv_outcome *o)
{
    memset(o, 0, sizeof *o);
    bool agent_side = s->handled && !s->handed_off;
    o->deflected = agent_side && ended;
    o->resolved = agent_side && !p->not_helpful &&
                  (p->agent_resolution != NULL || (ended && p->last_answered != NULL));
    if (o->resolved) {
        const struct ap_event *end = p->agent_resolution ? p->agent_resolution : p->last_answered;
        o->resolution_us = end->at_us - s->started_at_us;
        set_dim(o->resolver, "agent");
    } else if (p->human_resolution) {
        set_dim(o->resolver, p->human_resolution->member_id);
    } else if (close) {
        const char *member = close->member_id;
        if (member == NULL && p->handoff)
            member = p->handoff->member_id;
        set_dim(o->resolver, member);
    }
}

/* The report's key of a BCP 47 tag: its primary subtag in lower case
 * ("nb-NO" -> "nb"), "und" (undetermined) without one. */
static void set_language(char out[AP_LANGUAGE_KEY_MAX], const char *tag)
{
    size_t n = 0;
    for (; tag && tag[n] && tag[n] != '-' && tag[n] != '_' && n + 1 < AP_LANGUAGE_KEY_MAX; n++)
        out[n] = (char)(tag[n] >= 'A' && tag[n] <= 'Z' ? tag[n] - 'A' + 'a' : tag[n]);
    out[n] = '\0';
    if (n == 0)
        memcpy(out, "und", 4);
}

/* The team's first reply at or after the (earliest) handoff, by (at, id). */
static void first_reply(const struct ap_event *const *own, size_t n, const struct ap_event *handoff,
                        struct ap_conv_state *out)
{
    const struct ap_event *first = NULL;
    for (size_t i = 0; i < n; i++)
        if (own[i]->type == AP_EV_HUMAN_REPLIED && own[i]->at_us >= handoff->at_us &&
            earlier(own[i], first))
            first = own[i];
    out->replied = first != NULL;
    out->reply_us = first ? first->at_us - handoff->at_us : 0;
}

void ap_derive_conversation(const char *conversation_id, const struct ap_event *const *own,
                            size_t n_own, const struct ap_event *const *ticket_closes,
                            size_t n_closes, int inactivity_hours, struct ap_conv_state *out)
{
    struct picks p;
    memset(out, 0, sizeof *out);
    pick_events(own, n_own, &p, out);
    out->last_event_us = p.last_event_us;
    if (p.start) {
        out->started = true;
        out->started_at_us = p.start->at_us;
        set_dim(out->channel, p.start->channel);
        out->handled = !p.start->handler_human;
    }
    out->handed_off = out->handled && p.handoff != NULL;
    set_dim(out->reason, p.handoff && p.handoff->reason ? p.handoff->reason : "unspecified");
    set_dim(out->assignee, p.handoff && p.handoff->member_id ? p.handoff->member_id : "");
    set_language(out->language, p.first_tagged ? p.first_tagged->language : NULL);

    const struct ap_event *close = earliest_ticket_close(conversation_id, own, n_own, ticket_closes,
                                                         n_closes, p.unticketed_handoff);
    if (out->handed_off)
        set_dim(out->ticket, p.handoff->ticket_id ? p.handoff->ticket_id
                             : close && close->ticket_id ? close->ticket_id : "");
    if (out->handed_off && (close || p.human_resolution)) {
        int64_t end = INT64_MAX;
        if (close)
            end = close->at_us;
        if (p.human_resolution && p.human_resolution->at_us < end)
            end = p.human_resolution->at_us;
        out->converted = true;
        out->close_us = end - p.handoff->at_us;
    }

    if (out->handed_off)
        first_reply(own, n_own, p.handoff, out);

    bool explicitly_ended = p.closed || p.agent_resolution != NULL;
    out->quiet_at_us = p.last_event_us + (int64_t)inactivity_hours * 3600 * AP_USEC_PER_SEC;
    derive_outcome(out, &p, true, close, &out->after_quiet);
    if (explicitly_ended)
        out->before_quiet = out->after_quiet;
    else
        derive_outcome(out, &p, false, close, &out->before_quiet);
    out->time_dependent = memcmp(&out->before_quiet, &out->after_quiet, sizeof out->after_quiet) != 0;
}

const struct ap_conv_outcome *ap_conv_outcome_at(const struct ap_conv_state *s, int64_t now_us)
{
    /* ended once its last event is inactivity_hours old: quiet_at <= now (SPEC §3) */
    return now_us < s->quiet_at_us ? &s->before_quiet : &s->after_quiet;
}

/* --- storage form ------------------------------------------------------------ */

#define STATE_FORMAT 4 /* 2: assignee and language; 3: the first reply; 4: the ticket */

static void put_i64(struct ap_buf *b, int64_t v)
{
    uint8_t bytes[8];
    for (int i = 0; i < 8; i++)
        bytes[i] = (uint8_t)((uint64_t)v >> (8 * i));
    ap_buf_append(b, bytes, 8);
}

static void put_str(struct ap_buf *b, const char *s)
{
    size_t len = strlen(s);
    put_i64(b, (int64_t)len);
    ap_buf_append(b, s, len);
}

static void put_outcome(struct ap_buf *b, const struct ap_conv_outcome *o)
{
    put_i64(b, o->deflected | (o->resolved << 1));
    put_i64(b, o->resolution_us);
    put_str(b, o->resolver);
}

enum ap_status ap_conv_state_encode(const struct ap_conv_state *s, struct ap_buf *b)
{
    put_i64(b, STATE_FORMAT);
    put_i64(b, s->started | (s->handled << 1) | (s->handed_off << 2) | (s->converted << 3) |
                   (s->time_dependent << 4) | (s->replied << 5));
    put_i64(b, s->started_at_us);
    put_str(b, s->channel);
    put_str(b, s->reason);
    put_str(b, s->assignee);
    put_str(b, s->ticket);
    put_str(b, s->language);
    put_i64(b, s->close_us);
    put_i64(b, s->reply_us);
    put_i64(b, s->helpful);
    put_i64(b, s->not_helpful);
    put_i64(b, s->asked);
    put_i64(b, s->unanswered);
    put_i64(b, s->last_event_us);
    put_i64(b, s->quiet_at_us);
    put_outcome(b, &s->before_quiet);
    put_outcome(b, &s->after_quiet);
    return ap_buf_status(b);
}

struct reader {
    const uint8_t *p;
    size_t left;
    bool ok;
};

static int64_t get_i64(struct reader *r)
{
    if (r->left < 8) {
        r->ok = false;
        return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)r->p[i] << (8 * i);
    r->p += 8;
    r->left -= 8;
    return (int64_t)v;
}

static void get_str_max(struct reader *r, char *dst, size_t max)
{
    int64_t len = get_i64(r);
    if (!r->ok || len < 0 || (size_t)len >= max || (size_t)len > r->left) {
        r->ok = false;
        dst[0] = '\0';
        return;
    }
    memcpy(dst, r->p, (size_t)len);
    dst[len] = '\0';
    r->p += len;
    r->left -= (size_t)len;
}

static void get_str(struct reader *r, char dst[AP_DIM_MAX])
{
    get_str_max(r, dst, AP_DIM_MAX);
}

static void get_outcome(struct reader *r, struct ap_conv_outcome *o)
{
    int64_t flags = get_i64(r);
    o->deflected = flags & 1;
    o->resolved = (flags >> 1) & 1;
    o->resolution_us = get_i64(r);
    get_str(r, o->resolver);
}

bool ap_conv_state_decode(const void *blob, size_t len, struct ap_conv_state *s)
{
    struct reader r = {blob, len, true};
    memset(s, 0, sizeof *s);
    if (get_i64(&r) != STATE_FORMAT)
        return false;
    int64_t flags = get_i64(&r);
    s->started = flags & 1;
    s->handled = (flags >> 1) & 1;
    s->handed_off = (flags >> 2) & 1;
    s->converted = (flags >> 3) & 1;
    s->time_dependent = (flags >> 4) & 1;
    s->replied = (flags >> 5) & 1;
    s->started_at_us = get_i64(&r);
    get_str(&r, s->channel);
    get_str(&r, s->reason);
    get_str(&r, s->assignee);
    get_str(&r, s->ticket);
    get_str_max(&r, s->language, sizeof s->language);
    s->close_us = get_i64(&r);
    s->reply_us = get_i64(&r);
    s->helpful = (int32_t)get_i64(&r);
    s->not_helpful = (int32_t)get_i64(&r);
    s->asked = (int32_t)get_i64(&r);
    s->unanswered = (int32_t)get_i64(&r);
    s->last_event_us = get_i64(&r);
    s->quiet_at_us = get_i64(&r);
    get_outcome(&r, &s->before_quiet);
    get_outcome(&r, &s->after_quiet);
    return r.ok && r.left == 0;
}
