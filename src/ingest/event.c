/* The validating event parser. Fields are described by one table (Taler's JSON
 * spec[]): which types allow or require them, their kind and limits. The same
 * table drives validation and the canonical form used for conflict detection. */
#include "ingest/event.h"

#include "ingest/json.h"
#include "text/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const event_type_names[] = {
#define AP_EVENT_TYPE_STR(name, str) str,
    AP_EVENT_TYPE_MAP(AP_EVENT_TYPE_STR)
#undef AP_EVENT_TYPE_STR
};

const char *ap_event_type_name(enum ap_event_type type)
{
    return (unsigned)type < AP_EV__COUNT ? event_type_names[type] : "unknown";
}

bool ap_event_type_parse(const char *name, enum ap_event_type *out)
{
    int i = ap_name_index(event_type_names, AP_EV__COUNT, name);
    if (i >= 0)
        *out = (enum ap_event_type)i;
    return i >= 0;
}

enum field_kind {
    FIELD_ID,        /* 1..max code points, no control characters */
    FIELD_LABEL,     /* min..max code points, no control characters */
    FIELD_BYTES,     /* min..max bytes of UTF-8 */
    FIELD_CHANNEL,   /* 1..32 of [a-z0-9_-] */
    FIELD_LANGUAGE,  /* a BCP 47 language tag */
    FIELD_BOOL,
    FIELD_CHOICE,    /* one of two strings; the second sets the bool */
    FIELD_EMBEDDING, /* min..max finite numbers */
};

#define T(name) (1u << AP_EV_##name)
#define ALL_TYPES ((1u << AP_EV__COUNT) - 1)
#define MEMBER_TYPES (T(HANDED_OFF) | T(HUMAN_REPLIED) | T(RESOLVED) | T(TICKET_CLOSED))

struct field_spec {
    const char *name;
    enum field_kind kind;
    unsigned allowed;  /* types on which the field is read */
    unsigned required; /* types on which it must be present */
    size_t min, max;
    size_t offset;     /* of the const char * or bool in struct ap_event */
    const char *choices[2]; /* FIELD_CHOICE: [0] is the default */
};

#define STR_AT(member) offsetof(struct ap_event, member)

/* Order matters: it is the order of the canonical form. id, type, at and
 * conversation_id are handled before this table. */
static const struct field_spec event_fields[] = {
    {"channel", FIELD_CHANNEL, T(STARTED), T(STARTED), 1, 32, STR_AT(channel), {0}},
    {"handler", FIELD_CHOICE, T(STARTED), 0, 0, 0, STR_AT(handler_human), {"agent", "human"}},
    {"text", FIELD_BYTES, T(QUESTION), T(QUESTION), 1, AP_QUESTION_TEXT_MAX_BYTES, STR_AT(text), {0}},
    {"text", FIELD_BYTES, T(HUMAN_REPLIED), T(HUMAN_REPLIED), 1, AP_REPLY_TEXT_MAX_BYTES, STR_AT(text), {0}},
    {"answered", FIELD_BOOL, T(QUESTION), T(QUESTION), 0, 0, STR_AT(answered), {0}},
    {"answer_id", FIELD_ID, T(QUESTION), 0, 1, AP_EVENT_ID_MAX_CHARS, STR_AT(answer_id), {0}},
    {"language", FIELD_LANGUAGE, T(QUESTION), 0, 2, 35, STR_AT(language), {0}},
    {"embedding", FIELD_EMBEDDING, T(QUESTION), 0, AP_EMBEDDING_MIN, AP_EMBEDDING_MAX, 0, {0}},
    {"by", FIELD_CHOICE, T(RESOLVED), T(RESOLVED), 0, 0, STR_AT(by_human), {"agent", "human"}},
    {"member_id", FIELD_ID, MEMBER_TYPES, T(HUMAN_REPLIED), 1, AP_EVENT_ID_MAX_CHARS, STR_AT(member_id), {0}},
    {"member_name", FIELD_LABEL, MEMBER_TYPES, 0, 1, 128, STR_AT(member_name), {0}},
    {"ticket_id", FIELD_ID, T(HANDED_OFF) | T(TICKET_CLOSED), T(TICKET_CLOSED), 1, AP_EVENT_ID_MAX_CHARS, STR_AT(ticket_id), {0}},
    {"reason", FIELD_LABEL, T(HANDED_OFF), 0, 1, 64, STR_AT(reason), {0}},
    {"rating", FIELD_CHOICE, T(FEEDBACK), T(FEEDBACK), 0, 0, STR_AT(helpful), {"not_helpful", "helpful"}},
    {"comment", FIELD_BYTES, T(FEEDBACK), 0, 0, AP_COMMENT_MAX_BYTES, STR_AT(comment), {0}},
};

#define N_FIELDS (sizeof event_fields / sizeof event_fields[0])

static enum ap_status field_error(struct ap_error *err, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static enum ap_status field_error(struct ap_error *err, const char *field, const char *fmt, ...)
{
    char rule[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rule, sizeof rule, fmt, ap);
    va_end(ap);
    return ap_error_set(err, AP_INVALID, field, "\"%s\": %s", field, rule);
}

static const char **str_slot(struct ap_event *ev, size_t offset)
{
    return (const char **)(void *)((char *)ev + offset);
}

static bool *bool_slot(struct ap_event *ev, size_t offset)
{
    return (bool *)(void *)((char *)ev + offset);
}

static bool present(const struct ap_json_member *v)
{
    return v != NULL && v->kind != AP_JSON_NULL;
}

/* Reads a string member; *out stays NULL when absent or null. */
static enum ap_status get_string(const struct ap_json_object *obj, const char *name,
                                 const char **out, size_t *len, struct ap_error *err)
{
    const struct ap_json_member *v = ap_json_get(obj, name);
    *out = NULL;
    if (!present(v))
        return AP_OK;
    if (v->kind != AP_JSON_STRING)
        return field_error(err, name, "must be a string");
    *out = v->str;
    *len = v->str_len;
    return AP_OK;
}

bool ap_channel_valid(const char *s, size_t len)
{
    if (len < 1 || len > 32)
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return false;
    }
    return true;
}

static enum ap_status parse_embedding(const struct ap_json_member *v, struct ap_event *ev,
                                      const struct field_spec *f, struct ap_error *err)
{
    if (v->kind != AP_JSON_ARRAY || !v->numbers_only)
        return field_error(err, f->name, "must be an array of numbers");
    size_t n = v->n_numbers;
    if (n < f->min || n > f->max)
        return field_error(err, f->name, "must have %zu to %zu numbers, got %zu", f->min, f->max, n);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v->numbers[i]))
            return field_error(err, f->name, "item %zu is not a finite number", i);
    ev->embedding = v->numbers;
    ev->embedding_len = n;
    return AP_OK;
}

static enum ap_status parse_field(const struct ap_json_object *obj, const struct field_spec *f,
                                  struct ap_event *ev, struct ap_error *err)
{
    const struct ap_json_member *v = ap_json_get(obj, f->name);
    if (!present(v)) {
        if (f->required & (1u << ev->type))
            return field_error(err, f->name, "required for %s", ap_event_type_name(ev->type));
        return AP_OK;
    }
    const char *s;
    size_t len = 0;
    switch (f->kind) {
    case FIELD_BOOL:
        if (v->kind != AP_JSON_TRUE && v->kind != AP_JSON_FALSE)
            return field_error(err, f->name, "must be true or false");
        *bool_slot(ev, f->offset) = v->kind == AP_JSON_TRUE;
        return AP_OK;
    case FIELD_EMBEDDING:
        return parse_embedding(v, ev, f, err);
    default:
        break;
    }
    enum ap_status rc = get_string(obj, f->name, &s, &len, err);
    if (rc != AP_OK)
        return rc;
    switch (f->kind) {
    case FIELD_ID:
    case FIELD_LABEL: {
        size_t chars = ap_utf8_length(s, len);
        if (chars < f->min || chars > f->max)
            return field_error(err, f->name, "must be %zu to %zu characters", f->min, f->max);
        if (!ap_utf8_printable(s, len))
            return field_error(err, f->name, "must not contain control characters");
        break;
    }
    case FIELD_BYTES:
        if (len < f->min || len > f->max)
            return field_error(err, f->name, "must be %zu to %zu bytes of UTF-8, got %zu", f->min,
                               f->max, len);
        break;
    case FIELD_CHANNEL:
        if (!ap_channel_valid(s, len))
            return field_error(err, f->name, "must be 1 to 32 characters of [a-z0-9_-]");
        break;
    case FIELD_LANGUAGE:
        if (!ap_text_tag_valid(s, len))
            return field_error(err, f->name, "not a BCP 47 language tag");
        break;
    case FIELD_CHOICE:
        if (strcmp(s, f->choices[0]) == 0)
            *bool_slot(ev, f->offset) = false;
        else if (strcmp(s, f->choices[1]) == 0)
            *bool_slot(ev, f->offset) = true;
        else
            return field_error(err, f->name, "must be \"%s\" or \"%s\"", f->choices[0],
                               f->choices[1]);
        return AP_OK;
    default:
        return AP_INTERNAL;
    }
    *str_slot(ev, f->offset) = s;
    return AP_OK;
}

static enum ap_status parse_envelope(const struct ap_json_object *obj, struct ap_event *ev,
                                     struct ap_error *err)
{
    /* Not marked required: the type is not known yet, so the check below says
     * "required" without naming one. */
    static const struct field_spec id_spec = {"id", FIELD_ID, ALL_TYPES, 0, 1,
                                              AP_EVENT_ID_MAX_CHARS, STR_AT(id), {0}};
    static const struct field_spec conv_spec = {"conversation_id", FIELD_ID, ALL_TYPES, ALL_TYPES,
                                                1, AP_EVENT_ID_MAX_CHARS,
                                                STR_AT(conversation_id), {0}};
    const char *s;
    size_t len = 0;
    enum ap_status rc;

    ev->type = AP_EV_STARTED; /* id and conversation_id are required on every type */
    if ((rc = parse_field(obj, &id_spec, ev, err)) != AP_OK)
        return rc;
    if (ev->id == NULL)
        return field_error(err, "id", "required");
    if ((rc = get_string(obj, "type", &s, &len, err)) != AP_OK)
        return rc;
    if (s == NULL)
        return field_error(err, "type", "required");
    if (!ap_event_type_parse(s, &ev->type))
        return field_error(err, "type", "unknown event type \"%.64s\"", s);
    if ((rc = get_string(obj, "at", &s, &len, err)) != AP_OK)
        return rc;
    if (s == NULL)
        return field_error(err, "at", "required");
    if (!ap_time_parse_rfc3339(s, len, &ev->at_us))
        return field_error(err, "at", "not an RFC 3339 timestamp");
    if ((rc = parse_field(obj, &conv_spec, ev, err)) != AP_OK)
        return rc;
    return AP_OK;
}

/* The canonical form: a compact JSON object of the known fields in table order,
 * the timestamp in UTC, defaults written out, numbers as %.17g (17 significant digits, so every double reads back exactly; -0 as 0). */
/* Past any canonical form: the largest event (16 KiB of reply text escaped six
 * times over, 4,096 numbers of 25 characters, ids, comment) is under 300 KiB. */
#define CANONICAL_MAX ((size_t)1 << 20)

static enum ap_status build_canonical(struct ap_event *ev, struct ap_error *err)
{
    struct ap_buf b;
    char ts[AP_TIME_RFC3339_MAX];
    ap_buf_init(&b, CANONICAL_MAX);
    ap_time_format_rfc3339(ev->at_us, ts);
    ap_buf_append_str(&b, "{\"id\":");
    ap_buf_append_json_string(&b, ev->id, strlen(ev->id));
    ap_buf_printf(&b, ",\"type\":\"%s\",\"at\":\"%s\",\"conversation_id\":",
                  ap_event_type_name(ev->type), ts);
    ap_buf_append_json_string(&b, ev->conversation_id, strlen(ev->conversation_id));
    for (size_t i = 0; i < N_FIELDS; i++) {
        const struct field_spec *f = &event_fields[i];
        if (!(f->allowed & (1u << ev->type)))
            continue;
        if (f->kind == FIELD_EMBEDDING) {
            if (ev->embedding == NULL)
                continue;
            ap_buf_printf(&b, ",\"%s\":[", f->name);
            for (size_t k = 0; k < ev->embedding_len; k++) {
                double x = ev->embedding[k];
                /* -0 and 0 are one number in two notations: write both as 0. */
                ap_buf_printf(&b, "%s%.17g", k ? "," : "", x == 0 ? 0.0 : x);
            }
            ap_buf_append_char(&b, ']');
        } else if (f->kind == FIELD_BOOL) {
            ap_buf_printf(&b, ",\"%s\":%s", f->name,
                          *bool_slot(ev, f->offset) ? "true" : "false");
        } else if (f->kind == FIELD_CHOICE) {
            ap_buf_printf(&b, ",\"%s\":\"%s\"", f->name,
                          f->choices[*bool_slot(ev, f->offset) ? 1 : 0]);
        } else {
            const char *s = *str_slot(ev, f->offset);
            if (s == NULL)
                continue;
            ap_buf_printf(&b, ",\"%s\":", f->name);
            ap_buf_append_json_string(&b, s, strlen(s));
        }
    }
    ap_buf_append_char(&b, '}');
    enum ap_status rc = ap_buf_check(&b, "the event's canonical form", err);
    if (rc != AP_OK) {
        ap_buf_free(&b);
        return rc;
    }
    ev->canonical = ap_buf_steal(&b, &ev->canonical_len);
    return AP_OK;
}

enum ap_status ap_event_parse(const char *text, size_t len, struct ap_event *ev,
                              struct ap_error *err)
{
    memset(ev, 0, sizeof *ev);
    struct ap_json_object *root = ap_malloc(sizeof *root);
    if (ap_json_parse_object(text, len, root, err) != AP_OK) {
        free(root);
        return AP_INVALID;
    }
    ev->json = root;
    enum ap_status rc = parse_envelope(root, ev, err);
    for (size_t i = 0; rc == AP_OK && i < N_FIELDS; i++)
        if (event_fields[i].allowed & (1u << ev->type))
            rc = parse_field(root, &event_fields[i], ev, err);
    if (rc == AP_OK && ev->type == AP_EV_RESOLVED && ev->by_human && ev->member_id == NULL)
        rc = field_error(err, "member_id", "required when \"by\" is \"human\"");
    if (rc == AP_OK)
        rc = build_canonical(ev, err);
    if (rc != AP_OK)
        ap_event_free(ev);
    return rc;
}

enum ap_status ap_event_read_question(const struct ap_json_object *obj, struct ap_event *ev,
                                      struct ap_error *err)
{
    static const char *const wanted[] = {"text", "language", "embedding"};
    memset(ev, 0, sizeof *ev);
    ev->type = AP_EV_QUESTION;
    enum ap_status rc = AP_OK;
    for (size_t i = 0; rc == AP_OK && i < N_FIELDS; i++) {
        const struct field_spec *f = &event_fields[i];
        for (size_t k = 0; k < sizeof wanted / sizeof wanted[0]; k++)
            if ((f->allowed & T(QUESTION)) && strcmp(f->name, wanted[k]) == 0)
                rc = parse_field(obj, f, ev, err);
    }
    return rc;
}

void ap_event_free(struct ap_event *ev)
{
    if (ev == NULL)
        return;
    free(ev->canonical);
    ap_json_object_free(ev->json); /* owns the embedding's numbers too */
    free(ev->json);
    memset(ev, 0, sizeof *ev);
}

int ap_event_fact_flags(const struct ap_event *ev)
{
    return (ev->handler_human ? AP_FACT_HANDLER_HUMAN : 0) | (ev->answered ? AP_FACT_ANSWERED : 0) |
           (ev->by_human ? AP_FACT_BY_HUMAN : 0) | (ev->helpful ? AP_FACT_HELPFUL : 0);
}

const char *ap_event_fact_attr(const struct ap_event *ev)
{
    /* the one text column a fact keeps: a start's channel, a question's
     * language (the by-language report), a handoff's reason */
    return ev->type == AP_EV_STARTED ? ev->channel : ev->type == AP_EV_QUESTION ? ev->language : ev->reason;
}

void ap_event_from_facts(struct ap_event *ev, const char *id, enum ap_event_type type,
                         int64_t at_us, const char *conversation_id, int flags, const char *attr,
                         const char *member_id, const char *ticket_id)
{
    memset(ev, 0, sizeof *ev);
    ev->id = id;
    ev->type = type;
    ev->at_us = at_us;
    ev->conversation_id = conversation_id;
    ev->handler_human = flags & AP_FACT_HANDLER_HUMAN;
    ev->answered = flags & AP_FACT_ANSWERED;
    ev->by_human = flags & AP_FACT_BY_HUMAN;
    ev->helpful = flags & AP_FACT_HELPFUL;
    if (type == AP_EV_STARTED)
        ev->channel = attr;
    else if (type == AP_EV_QUESTION)
        ev->language = attr;
    else
        ev->reason = attr;
    ev->member_id = member_id;
    ev->ticket_id = ticket_id;
}

void ap_event_peek_id(const char *text, size_t len, char *out, size_t out_size)
{
    struct ap_json_object root;
    out[0] = '\0';
    if (ap_json_parse_object(text, len, &root, NULL) != AP_OK)
        return;
    const struct ap_json_member *id = ap_json_get(&root, "id");
    if (id && id->kind == AP_JSON_STRING && ap_utf8_printable(id->str, id->str_len)) {
        size_t n = ap_copy_str(out, out_size, id->str);
        /* A cut inside a UTF-8 sequence would put invalid UTF-8 into verdicts. */
        while (n > 0 && n < id->str_len && ((unsigned char)id->str[n] & 0xC0) == 0x80)
            out[--n] = '\0';
    }
    ap_json_object_free(&root);
}
