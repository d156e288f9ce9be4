/* The derived state of a conversation (SPEC §3), computed from the set of its
 * events alone: never from their arrival order. Pure functions, no storage. */
#ifndef AP_DERIVE_H
#define AP_DERIVE_H

#include "core/core.h"
#include "ingest/event.h"

#define AP_DIM_MAX (4 * AP_EVENT_ID_MAX_CHARS + 1) /* bytes of an id, a channel or a reason */
#define AP_LANGUAGE_KEY_MAX 16 /* "nb", "en", "und": a BCP 47 primary language subtag */

/* What depends on whether the conversation has ended. */
struct ap_conv_outcome {
    bool deflected;
    bool resolved;          /* resolved_by_agent */
    int64_t resolution_us;  /* when resolved */
    char resolver[AP_DIM_MAX]; /* "agent", a member id, or "" for none */
};

/* A conversation's state. `before_quiet` holds while now < quiet_at_us;
 * `after_quiet` from then on. When the conversation ended explicitly (closed,
 * or resolved by the agent) both are the same and time_dependent is false. */
struct ap_conv_state {
    bool started;
    int64_t started_at_us;
    char channel[AP_DIM_MAX];
    bool handled;
    bool handed_off;
    char reason[AP_DIM_MAX];     /* of the earliest handoff, "unspecified" when none given */
    char assignee[AP_DIM_MAX];   /* member_id of the earliest handoff, "" when none given */
    char ticket[AP_DIM_MAX];     /* the earliest handoff's ticket, else the closed one's, else "" */
    char language[AP_LANGUAGE_KEY_MAX]; /* primary subtag of its first tagged question, or "und" */
    bool converted;
    int64_t close_us;            /* when converted */
    bool replied;                /* handed off, and a human.replied came at or after the handoff */
    int64_t reply_us;            /* when replied: from the handoff to the first such reply */
    int32_t helpful, not_helpful;
    int32_t asked, unanswered;
    int64_t last_event_us;
    bool time_dependent;
    int64_t quiet_at_us;         /* last_event_us + inactivity */
    struct ap_conv_outcome before_quiet;
    struct ap_conv_outcome after_quiet;
};

/* Derives the state of conversation `conversation_id` from `own` (all its stored
 * events) and `ticket_closes` (ticket.closed events of any conversation whose
 * ticket_id one of its handoffs named; duplicates of `own` allowed). */
void ap_derive_conversation(const char *conversation_id, const struct ap_event *const *own,
                            size_t n_own, const struct ap_event *const *ticket_closes,
                            size_t n_closes, int inactivity_hours, struct ap_conv_state *out);

/* The outcome in force at `now_us`. */
const struct ap_conv_outcome *ap_conv_outcome_at(const struct ap_conv_state *s, int64_t now_us);

/* A compact, versioned binary form of a state, for storage. ap_conv_state_encode
 * appends to out; ap_conv_state_decode returns false on a malformed blob. */
enum ap_status ap_conv_state_encode(const struct ap_conv_state *s, struct ap_buf *out);
bool ap_conv_state_decode(const void *blob, size_t len, struct ap_conv_state *out);

#endif
