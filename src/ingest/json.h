/* A strict RFC 8259 reader for one JSON object, made for event lines. It
 * validates the whole text (grammar, UTF-8, escapes, depth) in one pass, decodes
 * the top-level members' strings, keeps arrays of numbers or of strings, and skips other
 * nested values after validating them. It is the hot path of ingestion: see
 * docs/benchmarks.md for its speed against jansson and cJSON. */
#ifndef AP_JSON_H
#define AP_JSON_H

#include "core/core.h"

#define AP_JSON_MAX_MEMBERS 256
#define AP_JSON_MAX_DEPTH 64
#define AP_JSON_STR_(x) #x
#define AP_JSON_STR(x) AP_JSON_STR_(x)

enum ap_json_kind {
    AP_JSON_NULL,
    AP_JSON_FALSE,
    AP_JSON_TRUE,
    AP_JSON_NUMBER,
    AP_JSON_STRING,
    AP_JSON_ARRAY,  /* numbers (or strings) holds its items when all are numbers (strings) */
    AP_JSON_OBJECT, /* validated and skipped */
};

struct ap_json_member {
    const char *key; /* decoded, NUL-terminated */
    size_t key_len;
    enum ap_json_kind kind;
    const char *str; /* AP_JSON_STRING: decoded, NUL-terminated */
    size_t str_len;
    double number;   /* AP_JSON_NUMBER */
    double *numbers; /* AP_JSON_ARRAY of numbers only; else NULL */
    size_t n_numbers;
    bool numbers_only;
    const char **strings; /* AP_JSON_ARRAY of strings only: decoded, in the arena; else NULL */
    size_t *string_lens;
    size_t n_strings;
    bool strings_only;
};

/* The top-level members of a parsed object. It owns its storage: release with
 * ap_json_object_free. */
struct ap_json_object {
    struct ap_json_member *members;
    size_t n, cap;
    char *arena; /* decoded strings */
};

/* Parses text as exactly one JSON object (surrounding white space allowed).
 * Duplicate top-level keys and "\u0000" are rejected. On failure err says
 * "invalid JSON at column N: why" and *out needs no release. */
enum ap_status ap_json_parse_object(const char *text, size_t len, struct ap_json_object *out,
                                    struct ap_error *err);
void ap_json_object_free(struct ap_json_object *obj);
/* The member named key, or NULL. */
const struct ap_json_member *ap_json_get(const struct ap_json_object *obj, const char *key);

#endif
