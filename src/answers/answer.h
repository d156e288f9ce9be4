/* Short answers (SPEC §6): the value, its validation, its JSON form, and the
 * preview renderer that shows the reply as a visitor sees it. Storage is the
 * store's job; matching is answers.h. */
#ifndef AP_ANSWER_H
#define AP_ANSWER_H

#include "core/core.h"

#define AP_ANSWER_ID_MAX_CHARS 128
#define AP_ANSWER_ID_MAX_BYTES (4 * AP_ANSWER_ID_MAX_CHARS)
#define AP_ANSWER_QUESTION_MAX 1024    /* bytes of UTF-8 */
#define AP_ANSWER_ALTERNATIVES_MAX 200 /* items */
#define AP_ANSWER_ALTERNATIVE_MAX 1024 /* bytes of one item */
#define AP_ANSWER_TEXT_MAX 8192        /* bytes of the answer */
#define AP_ANSWER_LANGUAGE_MAX 35      /* a BCP 47 tag such as "en", "nb", "pt-BR" */
#define AP_ANSWER_LANGUAGE_DEFAULT "en"
/* The largest JSON document of one answer: every field at its limit, each
 * byte escaped as a six-character \u escape at worst. */
#define AP_ANSWER_JSON_MAX (6 * (AP_ANSWER_ID_MAX_BYTES + AP_ANSWER_QUESTION_MAX +        \
                                 AP_ANSWER_ALTERNATIVES_MAX * (AP_ANSWER_ALTERNATIVE_MAX + 3) + \
                                 AP_ANSWER_TEXT_MAX) + 4096)

/* One short answer. It owns its strings: ap_answer_free releases them. */
struct ap_answer {
    char *id;
    char *question;
    char **alternatives;
    size_t n_alternatives;
    char *answer;
    char language[AP_ANSWER_LANGUAGE_MAX + 1];
    bool enabled;
    int64_t created_at_us, updated_at_us;
};

/* Which fields a JSON body carried (for PATCH, and for create's checks). */
enum {
    AP_ANSWER_F_ID = 1u << 0,
    AP_ANSWER_F_QUESTION = 1u << 1,
    AP_ANSWER_F_ALTERNATIVES = 1u << 2,
    AP_ANSWER_F_ANSWER = 1u << 3,
    AP_ANSWER_F_LANGUAGE = 1u << 4,
    AP_ANSWER_F_ENABLED = 1u << 5,
};

/* An empty, enabled answer in the default language. */
void ap_answer_init(struct ap_answer *a);
/* Releases the strings (accepts NULL) and leaves *a as after ap_answer_init. */
void ap_answer_free(struct ap_answer *a);
/* Deep copy into *dst (initialised by the call); the caller frees it. */
void ap_answer_copy(struct ap_answer *dst, const struct ap_answer *src);
/* Appends an alternative (a copy of s). */
void ap_answer_add_alternative(struct ap_answer *a, const char *s, size_t len);

/* Field checks; each names the field in err. */
enum ap_status ap_answer_check_id(const char *id, size_t len, struct ap_error *err);
enum ap_status ap_answer_check_language(const char *tag, struct ap_error *err);
/* Checks every field of a complete answer. */
enum ap_status ap_answer_validate(const struct ap_answer *a, struct ap_error *err);

/* Reads the fields present in a JSON object into *a, which holds the current
 * values (ap_answer_init'ed for a create, the stored answer for a PATCH): fields
 * absent from the object are left alone. Unknown members are ignored; members of
 * the wrong type, and `created_at`/`updated_at`, are rejected. *present receives
 * the AP_ANSWER_F_ bits of the fields read. Does not validate lengths: call
 * ap_answer_validate afterwards. */
enum ap_status ap_answer_read_json(const char *text, size_t len, struct ap_answer *a,
                                   unsigned *present, struct ap_error *err);
/* Appends the answer's JSON document (docs/api.md) to out. */
enum ap_status ap_answer_write_json(const struct ap_answer *a, struct ap_buf *out);

/* A new answer id, "a-" and 16 random hex digits, into out. */
void ap_answer_new_id(char out[24]);

/* The preview of SPEC §5: the reply as the visitor sees it, as an HTML
 * fragment appended to out. Text is HTML-escaped, line breaks become <br>,
 * http:// and https:// links become <a href rel="noopener nofollow ugc"
 * target="_blank">, and the question is shown above the answer. Nothing in the
 * input can open a tag or an attribute, or make a link of another scheme. */
enum ap_status ap_answer_render_html(const char *question, const char *answer, struct ap_buf *out);

#endif
