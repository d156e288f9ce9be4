/* Contributions of a conversation to report cells, and the map that sums them. */
#include "reports/cells.h"

#include "tz/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const ap_metric_columns[AP_M__COUNT] = {
#define AP_METRIC_COL(name, col) col,
    AP_METRIC_MAP(AP_METRIC_COL)
#undef AP_METRIC_COL
};

#define HOUR_US (INT64_C(3600) * AP_USEC_PER_SEC)

int64_t ap_quiet_hour(int64_t quiet_at_us)
{
    int64_t h = quiet_at_us / HOUR_US;
    return (quiet_at_us % HOUR_US != 0 && quiet_at_us < 0) ? h - 1 : h;
}

void ap_cell_map_init(struct ap_cell_map *m)
{
    memset(m, 0, sizeof *m);
}

void ap_cell_map_free(struct ap_cell_map *m)
{
    free(m->cells);
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static uint64_t hash_key(const struct ap_cell_key *k)
{
    uint64_t h = 1469598103934665603ULL;
    const int64_t nums[4] = {k->pending, k->quiet_hour, k->kind, k->day};
    const unsigned char *p = (const unsigned char *)nums;
    for (size_t i = 0; i < sizeof nums; i++)
        h = (h ^ p[i]) * 1099511628211ULL;
    for (const char *s = k->channel; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    h = (h ^ 0xff) * 1099511628211ULL;
    for (const char *s = k->dim; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static bool key_equal(const struct ap_cell_key *a, const struct ap_cell_key *b)
{
    return a->pending == b->pending && a->quiet_hour == b->quiet_hour && a->kind == b->kind &&
           a->day == b->day && strcmp(a->channel, b->channel) == 0 && strcmp(a->dim, b->dim) == 0;
}

static void rehash(struct ap_cell_map *m)
{
    size_t n_slots = m->n_slots ? m->n_slots * 2 : 64;
    free(m->slots);
    m->slots = ap_calloc(n_slots, sizeof *m->slots);
    m->n_slots = n_slots;
    for (size_t i = 0; i < m->n; i++) {
        size_t s = hash_key(&m->cells[i].key) & (n_slots - 1);
        while (m->slots[s])
            s = (s + 1) & (n_slots - 1);
        m->slots[s] = i + 1;
    }
}

struct ap_cell *ap_cell_map_get(struct ap_cell_map *m, const struct ap_cell_key *key)
{
    if (2 * (m->n + 1) > m->n_slots)
        rehash(m);
    size_t s = hash_key(key) & (m->n_slots - 1);
    while (m->slots[s]) {
        struct ap_cell *c = &m->cells[m->slots[s] - 1];
        if (key_equal(&c->key, key))
            return c;
        s = (s + 1) & (m->n_slots - 1);
    }
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 64;
        m->cells = ap_realloc(m->cells, m->cap * sizeof *m->cells);
    }
    struct ap_cell *c = &m->cells[m->n++];
    memset(c, 0, sizeof *c);
    c->key = *key;
    m->slots[s] = m->n;
    return c;
}

int ap_cell_daily_kind(int kind)
{
    switch (kind) {
    case AP_CELL_REASON_WEEK: return AP_CELL_REASON;
    case AP_CELL_RESOLVER_WEEK: return AP_CELL_RESOLVER;
    default: return kind;
    }
}

static int weekly_kind(int kind)
{
    return kind == AP_CELL_REASON ? AP_CELL_REASON_WEEK : AP_CELL_RESOLVER_WEEK;
}

static struct ap_cell *cell(struct ap_cell_map *m, bool pending, int64_t quiet_hour, int kind,
                            int64_t day, const char *channel, const char *dim)
{
    struct ap_cell_key k;
    memset(&k, 0, sizeof k);
    k.pending = pending;
    k.quiet_hour = pending ? quiet_hour : 0;
    k.kind = kind;
    k.day = day;
    ap_copy_str(k.channel, sizeof k.channel, channel);
    ap_copy_str(k.dim, sizeof k.dim, dim);
    return ap_cell_map_get(m, &k);
}

/* The parts that do not depend on whether the conversation has ended. */
static void add_fixed(struct ap_cell_map *m, const struct ap_conv_state *s, int64_t day, int sign)
{
    struct ap_cell *c = cell(m, false, 0, AP_CELL_MAIN, day, s->channel, "");
    c->v[AP_M_CONVERSATIONS] += sign;
    c->v[AP_M_HANDLED] += sign * s->handled;
    c->v[AP_M_HANDED_OFF] += sign * s->handed_off;
    c->v[AP_M_CONVERTED] += sign * s->converted;
    c->v[AP_M_CLOSE_US] += sign * (s->converted ? s->close_us : 0);
    c->v[AP_M_HELPFUL] += sign * s->helpful;
    c->v[AP_M_NOT_HELPFUL] += sign * s->not_helpful;
    c->v[AP_M_ASKED] += sign * s->asked;
    c->v[AP_M_UNANSWERED] += sign * s->unanswered;
    c->v[AP_M_REPLIED] += sign * s->replied;
    c->v[AP_M_REPLY_US] += sign * (s->replied ? s->reply_us : 0);
    struct ap_cell *l = cell(m, false, 0, AP_CELL_LANGUAGE, day, s->channel, s->language);
    l->v[AP_M_CONVERSATIONS] += sign;
    l->v[AP_M_HANDLED] += sign * s->handled;
    l->v[AP_M_HANDED_OFF] += sign * s->handed_off;
    if (!s->handed_off)
        return;
    struct ap_cell *a = cell(m, false, 0, AP_CELL_ASSIGNEE, day, s->channel, s->assignee);
    a->v[AP_M_HANDED_OFF] += sign;
    a->v[AP_M_CONVERTED] += sign * s->converted;
    a->v[AP_M_CLOSE_US] += sign * (s->converted ? s->close_us : 0);
    a->v[AP_M_REPLIED] += sign * s->replied;
    a->v[AP_M_REPLY_US] += sign * (s->replied ? s->reply_us : 0);
    for (int rollup = 0; rollup < 2; rollup++) {
        struct ap_cell *r = rollup ? cell(m, false, 0, weekly_kind(AP_CELL_REASON),
                                          day - ap_day_weekday(day), s->channel, s->reason)
                                   : cell(m, false, 0, AP_CELL_REASON, day, s->channel, s->reason);
        r->v[AP_M_HANDED_OFF] += sign;
        r->v[AP_M_CONVERTED] += sign * s->converted;
        r->v[AP_M_CLOSE_US] += sign * (s->converted ? s->close_us : 0);
        r->v[AP_M_REPLIED] += sign * s->replied;
        r->v[AP_M_REPLY_US] += sign * (s->replied ? s->reply_us : 0);
    }
}

/* Where an outcome's part goes: settled cells (with weekly roll-ups), pending
 * cells, or plain daily cells (a conversation's pending part read at `now`). */
enum outcome_target { TO_SETTLED, TO_PENDING, TO_DAILY };

/* The parts an outcome decides: deflection, resolution, resolver. */
static void add_outcome(struct ap_cell_map *m, const struct ap_conv_state *s,
                        const struct ap_conv_outcome *o, int64_t day, int sign,
                        enum outcome_target target)
{
    bool pending = target == TO_PENDING;
    int64_t hour = ap_quiet_hour(s->quiet_at_us);
    struct ap_cell *c = cell(m, pending, hour, AP_CELL_MAIN, day, s->channel, "");
    c->v[AP_M_DEFLECTED] += sign * o->deflected;
    c->v[AP_M_RESOLVED] += sign * o->resolved;
    c->v[AP_M_RESOLUTION_US] += sign * (o->resolved ? o->resolution_us : 0);
    struct ap_cell *l = cell(m, pending, hour, AP_CELL_LANGUAGE, day, s->channel, s->language);
    l->v[AP_M_DEFLECTED] += sign * o->deflected;
    l->v[AP_M_RESOLVED] += sign * o->resolved;
    l->v[AP_M_RESOLUTION_US] += sign * (o->resolved ? o->resolution_us : 0);
    if (o->resolver[0] && !o->resolved) {
        cell(m, pending, hour, AP_CELL_RESOLVER, day, s->channel, o->resolver)
            ->v[AP_M_CONVERSATIONS] += sign;
        if (target == TO_SETTLED)
            cell(m, false, 0, weekly_kind(AP_CELL_RESOLVER), day - ap_day_weekday(day), s->channel,
                 o->resolver)->v[AP_M_CONVERSATIONS] += sign;
    }
}

void ap_cells_add_conversation(struct ap_cell_map *m, const struct ap_conv_state *s, int64_t day,
                               int sign)
{
    if (!s->started)
        return;
    add_fixed(m, s, day, sign);
    add_outcome(m, s, &s->after_quiet, day, sign, TO_SETTLED);
    if (s->time_dependent) {
        add_outcome(m, s, &s->before_quiet, day, sign, TO_PENDING);
        add_outcome(m, s, &s->after_quiet, day, -sign, TO_PENDING);
    }
}

void ap_cells_add_pending_part(struct ap_cell_map *m, const struct ap_conv_state *s, int64_t day,
                               int sign)
{
    if (!s->started || !s->time_dependent)
        return;
    add_outcome(m, s, &s->before_quiet, day, sign, TO_DAILY);
    add_outcome(m, s, &s->after_quiet, day, -sign, TO_DAILY);
}
