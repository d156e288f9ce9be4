/* Report cells: the aggregates reports read instead of conversations. Each
 * conversation contributes to cells keyed by (kind, local start day, channel,
 * dimension). Contributions that change when a quiet conversation ends are kept
 * apart as "pending" cells keyed by the hour the conversation goes quiet, so a
 * report for any `now` is exact:
 *
 *   figure(now) = sum(settled cells)                       -- as if ended
 *               + sum(pending cells with quiet hour > hour(now))
 *               + pending parts of conversations going quiet later within hour(now)
 */
#ifndef AP_CELLS_H
#define AP_CELLS_H

#include "reports/derive.h"

enum ap_cell_kind {
    AP_CELL_MAIN = 0,     /* dim "" */
    AP_CELL_REASON = 1,   /* dim = handoff reason */
    AP_CELL_RESOLVER = 2, /* dim = member id; the agent's count is the main `resolved` */
    /* Weekly roll-ups of the two kinds above, keyed by the week's Monday, so a
     * range of whole weeks reads a seventh of the rows. Settled cells only:
     * pending parts are always read per day. */
    AP_CELL_REASON_WEEK = 3,
    AP_CELL_RESOLVER_WEEK = 4,
    /* Handed-off conversations per assignee (the earliest handoff's member;
     * dim "" when it named none): handed_off, converted, close_us. */
    AP_CELL_ASSIGNEE = 5,
    /* Conversations per language (the primary subtag of the first question
     * that named one, "und" otherwise): every main metric but ratings and
     * questions, settled and pending like the main cells. */
    AP_CELL_LANGUAGE = 6,
};

/* The daily kind a weekly roll-up kind sums (the kind itself otherwise). */
int ap_cell_daily_kind(int kind);

#define AP_METRIC_MAP(X)                  \
    X(CONVERSATIONS, "conversations")     \
    X(HANDLED, "handled")                 \
    X(RESOLVED, "resolved")               \
    X(DEFLECTED, "deflected")             \
    X(HANDED_OFF, "handed_off")           \
    X(CONVERTED, "converted")             \
    X(RESOLUTION_US, "resolution_us")     \
    X(CLOSE_US, "close_us")               \
    X(HELPFUL, "helpful")                 \
    X(NOT_HELPFUL, "not_helpful")         \
    X(ASKED, "asked")                     \
    X(UNANSWERED, "unanswered")           \
    X(REPLIED, "replied")                 \
    X(REPLY_US, "reply_us")

enum ap_metric {
#define AP_METRIC_ENUM(name, col) AP_M_##name,
    AP_METRIC_MAP(AP_METRIC_ENUM)
#undef AP_METRIC_ENUM
    AP_M__COUNT
};

extern const char *const ap_metric_columns[AP_M__COUNT];

#define AP_CHANNEL_MAX 33

struct ap_cell_key {
    bool pending;
    int64_t quiet_hour; /* pending cells: hours since the epoch, UTC */
    int kind;
    int64_t day;        /* local day number of the conversation's start */
    char channel[AP_CHANNEL_MAX];
    char dim[AP_DIM_MAX];
};

struct ap_cell {
    struct ap_cell_key key;
    int64_t v[AP_M__COUNT];
};

/* A hash map of cells, to sum the contributions of a batch before writing them.
 * The map owns its cells; ap_cell_map_free releases them. */
struct ap_cell_map {
    struct ap_cell *cells;
    size_t *slots; /* open addressing; index+1 into cells, 0 = empty */
    size_t n, cap, n_slots;
};

void ap_cell_map_init(struct ap_cell_map *m);
void ap_cell_map_free(struct ap_cell_map *m);
/* The cell for key, created with zero values when absent. */
struct ap_cell *ap_cell_map_get(struct ap_cell_map *m, const struct ap_cell_key *key);

/* Adds sign (+1 or -1) times a conversation's contribution: settled cells as if
 * it has ended, and pending cells for the difference while it has not. `day` is
 * the local day of its start. Conversations without a start add nothing. */
void ap_cells_add_conversation(struct ap_cell_map *m, const struct ap_conv_state *s, int64_t day,
                               int sign);

/* Adds sign times only the pending part, as settled cells: what a conversation
 * that goes quiet after `now` adds to figures at `now`. */
void ap_cells_add_pending_part(struct ap_cell_map *m, const struct ap_conv_state *s, int64_t day,
                               int sign);

int64_t ap_quiet_hour(int64_t quiet_at_us);

#endif
