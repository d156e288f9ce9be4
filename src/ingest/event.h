/* The event model of SPEC §2 and its one validating parser, used by every input
 * path (HTTP, NDJSON files, the simulator). */
#ifndef AP_EVENT_H
#define AP_EVENT_H

#include "core/core.h"

struct ap_json_object;

#define AP_EVENT_TYPE_MAP(X)                         \
    X(STARTED, "conversation.started")               \
    X(QUESTION, "question.asked")                    \
    X(HANDED_OFF, "conversation.handed_off")         \
    X(HUMAN_REPLIED, "human.replied")                \
    X(RESOLVED, "conversation.resolved")             \
    X(CLOSED, "conversation.closed")                 \
    X(TICKET_CLOSED, "ticket.closed")                \
    X(FEEDBACK, "feedback.submitted")

enum ap_event_type {
#define AP_EVENT_TYPE_ENUM(name, str) AP_EV_##name,
    AP_EVENT_TYPE_MAP(AP_EVENT_TYPE_ENUM)
#undef AP_EVENT_TYPE_ENUM
    AP_EV__COUNT
};

const char *ap_event_type_name(enum ap_event_type type);
/* Returns false when `name` is not one of the types above. */
bool ap_event_type_parse(const char *name, enum ap_event_type *out);

/* Input limits; the defaults follow SPEC §2. */
#define AP_EVENT_ID_MAX_CHARS 128
#define AP_QUESTION_TEXT_MAX_BYTES 4096
#define AP_REPLY_TEXT_MAX_BYTES 16384
#define AP_COMMENT_MAX_BYTES 4096
#define AP_EMBEDDING_MIN 8
#define AP_EMBEDDING_MAX 4096

/* A parsed, validated event. String fields point into the parsed JSON document
 * (src/ingest/json.h) the event owns (NULL when absent); `canonical` is the event's content in a
 * fixed form, owned by the event, used to store it and to detect conflicts:
 * two events with the same id are the same event exactly when their canonical
 * forms are equal. Release with ap_event_free(). */
struct ap_event {
    const char *id;
    enum ap_event_type type;
    int64_t at_us;
    const char *conversation_id;

    const char *channel;      /* conversation.started */
    bool handler_human;       /* conversation.started: handler "human" */
    const char *text;         /* question.asked, human.replied */
    bool answered;            /* question.asked */
    const char *answer_id;    /* question.asked */
    const char *language;     /* question.asked */
    double *embedding;        /* question.asked, owned by the parsed document */
    size_t embedding_len;
    const char *member_id;
    const char *member_name;
    const char *ticket_id;
    const char *reason;       /* conversation.handed_off */
    bool by_human;            /* conversation.resolved: by "human" */
    bool helpful;             /* feedback.submitted: rating "helpful" */
    const char *comment;      /* feedback.submitted */

    char *canonical;
    size_t canonical_len;
    struct ap_json_object *json; /* the parsed document, owned */
};

/* A channel name (SPEC §1): 1-32 characters of [a-z0-9_-]. Reports and gaps
 * validate their channel filters with it too. */
bool ap_channel_valid(const char *s, size_t len);

/* Parses and validates one event from JSON text. On success fills *ev (release
 * with ap_event_free); on failure returns AP_INVALID with err naming the field
 * and the rule, and *ev needs no release. */
enum ap_status ap_event_parse(const char *text, size_t len, struct ap_event *ev,
                              struct ap_error *err);
void ap_event_free(struct ap_event *ev);

/* Reads the text, language and embedding of a question from obj with the
 * rules of a question.asked event (text required), for inputs that carry a
 * question without an event around it (`gaps assign --ndjson`). ev's strings
 * and numbers are borrowed from obj: nothing to free, no other field set. */
enum ap_status ap_event_read_question(const struct ap_json_object *obj, struct ap_event *ev,
                                      struct ap_error *err);

/* The facts of an event that deriving a conversation reads (SPEC §3): stored as
 * columns beside the canonical JSON so a conversation can be derived again
 * without parsing JSON. `attr` is the channel of a start or the reason of a
 * handoff; the flags hold the event's booleans. */
enum {
    AP_FACT_HANDLER_HUMAN = 1,
    AP_FACT_ANSWERED = 2,
    AP_FACT_BY_HUMAN = 4,
    AP_FACT_HELPFUL = 8,
};
int ap_event_fact_flags(const struct ap_event *ev);
const char *ap_event_fact_attr(const struct ap_event *ev);
/* Fills *ev from stored facts; the strings are borrowed, nothing to free, and
 * only the fields derivation reads are set (no canonical form, no text). */
void ap_event_from_facts(struct ap_event *ev, const char *id, enum ap_event_type type,
                         int64_t at_us, const char *conversation_id, int flags, const char *attr,
                         const char *member_id, const char *ticket_id);

/* The event id of a line that failed to parse, when it can still be read, so
 * that verdicts can name it. Copies at most out_size-1 bytes; empty when none. */
void ap_event_peek_id(const char *text, size_t len, char *out, size_t out_size);

#endif
