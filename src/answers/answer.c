/* The short-answer value: validation with messages that name the field, and
 * its JSON form, read with the strict reader of src/ingest/json.h and written
 * into bounded buffers. */
#include "answers/answer.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/json.h"

void ap_answer_init(struct ap_answer *a)
{
    memset(a, 0, sizeof *a);
    ap_copy_str(a->language, sizeof a->language, AP_ANSWER_LANGUAGE_DEFAULT);
    a->enabled = true;
}

static void free_alternatives(struct ap_answer *a)
{
    for (size_t i = 0; i < a->n_alternatives; i++)
        free(a->alternatives[i]);
    free(a->alternatives);
    a->alternatives = NULL;
    a->n_alternatives = 0;
}

void ap_answer_free(struct ap_answer *a)
{
    if (a == NULL)
        return;
    free(a->id);
    free(a->question);
    free(a->answer);
    free_alternatives(a);
    ap_answer_init(a);
}

void ap_answer_add_alternative(struct ap_answer *a, const char *s, size_t len)
{
    a->alternatives = ap_realloc(a->alternatives, (a->n_alternatives + 1) * sizeof *a->alternatives);
    a->alternatives[a->n_alternatives++] = ap_strndup(s, len);
}

void ap_answer_copy(struct ap_answer *dst, const struct ap_answer *src)
{
    *dst = *src;
    dst->id = src->id ? ap_strdup(src->id) : NULL;
    dst->question = src->question ? ap_strdup(src->question) : NULL;
    dst->answer = src->answer ? ap_strdup(src->answer) : NULL;
    dst->alternatives = NULL;
    dst->n_alternatives = 0;
    for (size_t i = 0; i < src->n_alternatives; i++)
        ap_answer_add_alternative(dst, src->alternatives[i], strlen(src->alternatives[i]));
}

enum ap_status ap_answer_check_id(const char *id, size_t len, struct ap_error *err)
{
    if (len == 0 || !ap_utf8_valid(id, len) || ap_utf8_length(id, len) > AP_ANSWER_ID_MAX_CHARS ||
        !ap_utf8_printable(id, len) || memchr(id, '/', len) != NULL)
        return ap_error_set(err, AP_INVALID, "id",
                            "\"id\": must be 1-%d printable characters without '/'",
                            AP_ANSWER_ID_MAX_CHARS);
    return AP_OK;
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
    return is_alpha(c) || (c >= '0' && c <= '9');
}

/* A short BCP 47 tag: a 2-3 letter primary subtag, then subtags of 1-8 letters
 * or digits ("en", "nb", "pt-BR", "zh-Hant-TW"). */
enum ap_status ap_answer_check_language(const char *tag, struct ap_error *err)
{
    size_t len = strlen(tag), i = 0;
    while (i < len && is_alpha(tag[i]))
        i++;
    bool ok = (i == 2 || i == 3) && len <= AP_ANSWER_LANGUAGE_MAX;
    while (ok && i < len) {
        size_t start = ++i; /* past the '-' */
        ok = tag[start - 1] == '-';
        while (i < len && is_alnum(tag[i]))
            i++;
        ok = ok && i - start >= 1 && i - start <= 8;
    }
    if (!ok)
        return ap_error_set(err, AP_INVALID, "language",
                            "\"language\": must be a BCP 47 tag such as \"en\" or \"nb\"");
    return AP_OK;
}

/* One line of text: valid UTF-8, 1..max bytes, no control characters. */
static enum ap_status check_line(const char *field, const char *s, size_t max,
                                 struct ap_error *err)
{
    size_t len = s ? strlen(s) : 0;
    if (len == 0)
        return ap_error_set(err, AP_INVALID, field, "\"%s\": required, 1-%zu bytes", field, max);
    if (len > max)
        return ap_error_set(err, AP_INVALID, field, "\"%s\": longer than %zu bytes", field, max);
    if (!ap_utf8_valid(s, len))
        return ap_error_set(err, AP_INVALID, field, "\"%s\": not valid UTF-8", field);
    if (!ap_utf8_printable(s, len))
        return ap_error_set(err, AP_INVALID, field, "\"%s\": control characters are not allowed",
                            field);
    return AP_OK;
}

/* The answer itself may hold line breaks and tabs, but no other control characters. */
static enum ap_status check_answer_text(const char *s, struct ap_error *err)
{
    size_t len = s ? strlen(s) : 0;
    if (len == 0 || len > AP_ANSWER_TEXT_MAX)
        return ap_error_set(err, AP_INVALID, "answer", "\"answer\": required, 1-%d bytes",
                            AP_ANSWER_TEXT_MAX);
    if (!ap_utf8_valid(s, len))
        return ap_error_set(err, AP_INVALID, "answer", "\"answer\": not valid UTF-8");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c == 0x7f)
            return ap_error_set(err, AP_INVALID, "answer",
                                "\"answer\": control characters other than line breaks and tabs "
                                "are not allowed");
    }
    return AP_OK;
}

enum ap_status ap_answer_validate(const struct ap_answer *a, struct ap_error *err)
{
    enum ap_status rc;
    if (a->id == NULL)
        return ap_error_set(err, AP_INVALID, "id", "\"id\": required");
    if ((rc = ap_answer_check_id(a->id, strlen(a->id), err)) != AP_OK ||
        (rc = check_line("question", a->question, AP_ANSWER_QUESTION_MAX, err)) != AP_OK ||
        (rc = check_answer_text(a->answer, err)) != AP_OK ||
        (rc = ap_answer_check_language(a->language, err)) != AP_OK)
        return rc;
    if (a->n_alternatives > AP_ANSWER_ALTERNATIVES_MAX)
        return ap_error_set(err, AP_INVALID, "alternatives", "\"alternatives\": more than %d items",
                            AP_ANSWER_ALTERNATIVES_MAX);
    for (size_t i = 0; i < a->n_alternatives; i++)
        if (check_line("alternatives", a->alternatives[i], AP_ANSWER_ALTERNATIVE_MAX, err) != AP_OK)
            return ap_error_set(err, AP_INVALID, "alternatives",
                                "\"alternatives\": item %zu must be 1-%d bytes of text without "
                                "control characters",
                                i + 1, AP_ANSWER_ALTERNATIVE_MAX);
    return AP_OK;
}

static enum ap_status type_error(const char *field, const char *what, struct ap_error *err)
{
    return ap_error_set(err, AP_INVALID, field, "\"%s\": must be %s", field, what);
}

static enum ap_status read_string_field(const struct ap_json_member *m, const char *field,
                                        char **dst, struct ap_error *err)
{
    if (m->kind != AP_JSON_STRING)
        return type_error(field, "a string", err);
    free(*dst);
    *dst = ap_strndup(m->str, m->str_len);
    return AP_OK;
}

static enum ap_status read_alternatives(const struct ap_json_member *m, struct ap_answer *a,
                                        struct ap_error *err)
{
    if (m->kind == AP_JSON_NULL) {
        free_alternatives(a);
        return AP_OK;
    }
    if (m->kind != AP_JSON_ARRAY || !m->strings_only)
        return type_error("alternatives", "an array of strings", err);
    if (m->n_strings > AP_ANSWER_ALTERNATIVES_MAX)
        return ap_error_set(err, AP_INVALID, "alternatives", "\"alternatives\": more than %d items",
                            AP_ANSWER_ALTERNATIVES_MAX);
    free_alternatives(a);
    for (size_t i = 0; i < m->n_strings; i++)
        ap_answer_add_alternative(a, m->strings[i], m->string_lens[i]);
    return AP_OK;
}

static enum ap_status read_member(const struct ap_json_member *m, struct ap_answer *a,
                                  unsigned *present, struct ap_error *err)
{
    if (strcmp(m->key, "id") == 0) {
        *present |= AP_ANSWER_F_ID;
        if (m->kind != AP_JSON_STRING)
            return type_error("id", "a string", err);
        if (ap_answer_check_id(m->str, m->str_len, err) != AP_OK)
            return AP_INVALID;
        return read_string_field(m, "id", &a->id, err);
    }
    if (strcmp(m->key, "question") == 0) {
        *present |= AP_ANSWER_F_QUESTION;
        return read_string_field(m, "question", &a->question, err);
    }
    if (strcmp(m->key, "answer") == 0) {
        *present |= AP_ANSWER_F_ANSWER;
        return read_string_field(m, "answer", &a->answer, err);
    }
    if (strcmp(m->key, "alternatives") == 0) {
        *present |= AP_ANSWER_F_ALTERNATIVES;
        return read_alternatives(m, a, err);
    }
    if (strcmp(m->key, "language") == 0) {
        *present |= AP_ANSWER_F_LANGUAGE;
        if (m->kind != AP_JSON_STRING)
            return type_error("language", "a string", err);
        if (ap_answer_check_language(m->str, err) != AP_OK)
            return AP_INVALID;
        ap_copy_str(a->language, sizeof a->language, m->str);
        return AP_OK;
    }
    if (strcmp(m->key, "enabled") == 0) {
        *present |= AP_ANSWER_F_ENABLED;
        if (m->kind != AP_JSON_TRUE && m->kind != AP_JSON_FALSE)
            return type_error("enabled", "true or false", err);
        a->enabled = m->kind == AP_JSON_TRUE;
        return AP_OK;
    }
    if (strcmp(m->key, "created_at") == 0 || strcmp(m->key, "updated_at") == 0)
        return ap_error_set(err, AP_INVALID, m->key, "\"%s\": set by the service", m->key);
    return AP_OK; /* unknown members are ignored, as for events */
}

enum ap_status ap_answer_read_json(const char *text, size_t len, struct ap_answer *a,
                                   unsigned *present, struct ap_error *err)
{
    struct ap_json_object obj;
    *present = 0;
    if (ap_json_parse_object(text, len, &obj, err) != AP_OK)
        return AP_INVALID;
    enum ap_status rc = AP_OK;
    for (size_t i = 0; i < obj.n && rc == AP_OK; i++)
        rc = read_member(&obj.members[i], a, present, err);
    ap_json_object_free(&obj);
    return rc;
}

static enum ap_status append_string(struct ap_buf *out, const char *s)
{
    return ap_buf_append_json_string(out, s ? s : "", s ? strlen(s) : 0);
}

enum ap_status ap_answer_write_json(const struct ap_answer *a, struct ap_buf *out)
{
    char created[AP_TIME_RFC3339_MAX], updated[AP_TIME_RFC3339_MAX];
    ap_time_format_rfc3339(a->created_at_us, created);
    ap_time_format_rfc3339(a->updated_at_us, updated);
    ap_buf_append_str(out, "{\"id\":");
    append_string(out, a->id);
    ap_buf_append_str(out, ",\"question\":");
    append_string(out, a->question);
    ap_buf_append_str(out, ",\"alternatives\":[");
    for (size_t i = 0; i < a->n_alternatives; i++) {
        if (i)
            ap_buf_append_char(out, ',');
        append_string(out, a->alternatives[i]);
    }
    ap_buf_append_str(out, "],\"answer\":");
    append_string(out, a->answer);
    ap_buf_append_str(out, ",\"language\":");
    append_string(out, a->language);
    return ap_buf_printf(out, ",\"enabled\":%s,\"created_at\":\"%s\",\"updated_at\":\"%s\"}",
                         a->enabled ? "true" : "false", created, updated);
}

void ap_answer_new_id(char out[24])
{
    unsigned char bytes[8];
    if (sodium_init() < 0) /* idempotent; < 0 only when the system has no entropy source */
        abort();
    randombytes_buf(bytes, sizeof bytes);
    snprintf(out, 24, "a-%02x%02x%02x%02x%02x%02x%02x%02x", bytes[0], bytes[1], bytes[2],
             bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]);
}
