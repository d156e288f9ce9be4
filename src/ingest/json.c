/* The strict event-line JSON reader. One pass over the bytes with a cursor;
 * strings are decoded into an arena no larger than the input, so parsing an
 * event costs two allocations however many fields it has. */
#include "ingest/json.h"

#include <stdlib.h>
#include <string.h>

struct parser {
    const unsigned char *p, *start, *end;
    char *arena; /* next free byte */
    const char *error;
    struct ap_json_object *obj;
};

static bool fail(struct parser *ps, const char *why)
{
    if (ps->error == NULL)
        ps->error = why;
    return false;
}

static void skip_space(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static bool read_hex4(struct parser *ps, uint32_t *out)
{
    if (ps->end - ps->p < 4)
        return fail(ps, "truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_value(ps->p[i]);
        if (h < 0)
            return fail(ps, "invalid \\u escape");
        v = (v << 4) | (uint32_t)h;
    }
    ps->p += 4;
    *out = v;
    return true;
}

static char *put_utf8(char *o, uint32_t cp)
{
    if (cp < 0x80) {
        *o++ = (char)cp;
    } else if (cp < 0x800) {
        *o++ = (char)(0xC0 | (cp >> 6));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (char)(0xE0 | (cp >> 12));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (char)(0xF0 | (cp >> 18));
        *o++ = (char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (char)(0x80 | (cp & 0x3F));
    }
    return o;
}

static bool read_escape(struct parser *ps, char **o)
{
    unsigned char c = *ps->p++;
    static const char simple_in[] = "\"\\/bfnrt";
    static const char simple_out[] = "\"\\/\b\f\n\r\t";
    const char *hit = c ? strchr(simple_in, c) : NULL;
    if (hit) {
        if (*o)
            *(*o)++ = simple_out[hit - simple_in];
        return true;
    }
    if (c != 'u')
        return fail(ps, "invalid escape");
    uint32_t cp;
    if (!read_hex4(ps, &cp))
        return false;
    if (cp >= 0xDC00 && cp <= 0xDFFF)
        return fail(ps, "lone low surrogate in \\u escape");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        uint32_t low;
        if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
            return fail(ps, "lone high surrogate in \\u escape");
        ps->p += 2;
        if (!read_hex4(ps, &low))
            return false;
        if (low < 0xDC00 || low > 0xDFFF)
            return fail(ps, "invalid surrogate pair in \\u escape");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    if (cp == 0)
        return fail(ps, "\\u0000 is not allowed in strings");
    if (*o)
        *o = put_utf8(*o, cp);
    return true;
}

/* Reads a string after its opening quote; decodes into the arena when `keep`. */
static bool read_string(struct parser *ps, bool keep, const char **out, size_t *out_len)
{
    char *o = keep ? ps->arena : NULL;
    char *begin = o;
    for (;;) {
        const unsigned char *run = ps->p;
        while (ps->p < ps->end && *ps->p >= 0x20 && *ps->p < 0x80 && *ps->p != '"' && *ps->p != '\\')
            ps->p++;
        if (o && ps->p > run) {
            memcpy(o, run, (size_t)(ps->p - run));
            o += ps->p - run;
        }
        if (ps->p >= ps->end)
            return fail(ps, "unterminated string");
        unsigned char c = *ps->p;
        if (c == '"') {
            ps->p++;
            break;
        }
        if (c == '\\') {
            ps->p++;
            if (ps->p >= ps->end)
                return fail(ps, "unterminated string");
            if (!read_escape(ps, &o))
                return false;
            continue;
        }
        if (c < 0x20)
            return fail(ps, "control character in string");
        uint32_t cp;
        size_t n = ap_utf8_decode(ps->p, (size_t)(ps->end - ps->p), &cp);
        if (n == 0)
            return fail(ps, "invalid UTF-8");
        if (o) {
            memcpy(o, ps->p, n);
            o += n;
        }
        ps->p += n;
    }
    if (keep) {
        *o++ = '\0';
        *out = begin;
        *out_len = (size_t)(o - begin - 1);
        ps->arena = o;
    }
    return true;
}

/* Validates a number's grammar (RFC 8259 §6), then converts it. */
static bool read_number(struct parser *ps, double *out)
{
    const unsigned char *s = ps->p;
    if (ps->p < ps->end && *ps->p == '-')
        ps->p++;
    if (ps->p >= ps->end)
        return fail(ps, "invalid number");
    if (*ps->p == '0') {
        ps->p++;
    } else if (*ps->p >= '1' && *ps->p <= '9') {
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            ps->p++;
    } else {
        return fail(ps, "invalid number");
    }
    if (ps->p < ps->end && *ps->p == '.') {
        ps->p++;
        if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
            return fail(ps, "invalid number");
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            ps->p++;
    }
    if (ps->p < ps->end && (*ps->p == 'e' || *ps->p == 'E')) {
        ps->p++;
        if (ps->p < ps->end && (*ps->p == '+' || *ps->p == '-'))
            ps->p++;
        if (ps->p >= ps->end || *ps->p < '0' || *ps->p > '9')
            return fail(ps, "invalid number");
        while (ps->p < ps->end && *ps->p >= '0' && *ps->p <= '9')
            ps->p++;
    }
    char tmp[64];
    size_t n = (size_t)(ps->p - s);
    if (out == NULL)
        return true;
    if (n >= sizeof tmp) { /* long mantissas: strtod needs a terminated copy */
        char *big = ap_strndup((const char *)s, n);
        *out = strtod(big, NULL);
        free(big);
    } else {
        memcpy(tmp, s, n);
        tmp[n] = '\0';
        *out = strtod(tmp, NULL);
    }
    return true;
}

static bool literal(struct parser *ps, const char *word)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return fail(ps, "invalid literal");
    ps->p += n;
    return true;
}

static bool skip_value(struct parser *ps, int depth);

static bool skip_container(struct parser *ps, int depth, unsigned char close)
{
    if (depth > AP_JSON_MAX_DEPTH)
        return fail(ps, "nested deeper than " AP_JSON_STR(AP_JSON_MAX_DEPTH) " levels (max_depth)");
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == close) {
        ps->p++;
        return true;
    }
    for (;;) {
        skip_space(ps);
        if (close == '}') {
            if (ps->p >= ps->end || *ps->p != '"')
                return fail(ps, "expected a string key");
            ps->p++;
            if (!read_string(ps, false, NULL, NULL))
                return false;
            skip_space(ps);
            if (ps->p >= ps->end || *ps->p != ':')
                return fail(ps, "expected ':'");
            ps->p++;
        }
        if (!skip_value(ps, depth + 1))
            return false;
        skip_space(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == close) {
            ps->p++;
            return true;
        }
        return fail(ps, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static bool skip_value(struct parser *ps, int depth)
{
    skip_space(ps);
    if (ps->p >= ps->end)
        return fail(ps, "expected a value");
    switch (*ps->p) {
    case '{': ps->p++; return skip_container(ps, depth, '}');
    case '[': ps->p++; return skip_container(ps, depth, ']');
    case '"': ps->p++; return read_string(ps, false, NULL, NULL);
    case 't': return literal(ps, "true");
    case 'f': return literal(ps, "false");
    case 'n': return literal(ps, "null");
    default: return read_number(ps, NULL);
    }
}

/* A top-level array: numbers are kept when every item is a number, strings
 * when every item is a string. */
static bool read_array_item(struct parser *ps, struct ap_json_member *m, size_t *num_cap,
                            size_t *str_cap)
{
    if (m->numbers_only && ps->p < ps->end && (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9'))) {
        m->strings_only = false;
        if (m->n_numbers == *num_cap) {
            *num_cap = *num_cap ? 2 * *num_cap : 16;
            m->numbers = ap_realloc(m->numbers, *num_cap * sizeof *m->numbers);
        }
        if (!read_number(ps, &m->numbers[m->n_numbers]))
            return false;
        m->n_numbers++;
        return true;
    }
    m->numbers_only = false;
    if (m->strings_only && ps->p < ps->end && *ps->p == '"') {
        if (m->n_strings == *str_cap) {
            *str_cap = *str_cap ? 2 * *str_cap : 8;
            m->strings = ap_realloc(m->strings, *str_cap * sizeof *m->strings);
            m->string_lens = ap_realloc(m->string_lens, *str_cap * sizeof *m->string_lens);
        }
        ps->p++;
        if (!read_string(ps, true, &m->strings[m->n_strings], &m->string_lens[m->n_strings]))
            return false;
        m->n_strings++;
        return true;
    }
    m->strings_only = false;
    return skip_value(ps, 2);
}

static bool read_array(struct parser *ps, struct ap_json_member *m)
{
    size_t num_cap = 0, str_cap = 0;
    m->numbers_only = true;
    m->strings_only = true;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return true;
    }
    for (;;) {
        skip_space(ps);
        if (!read_array_item(ps, m, &num_cap, &str_cap))
            return false;
        skip_space(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            break;
        }
        return fail(ps, "expected ',' or ']'");
    }
    if (!m->numbers_only) {
        free(m->numbers);
        m->numbers = NULL;
        m->n_numbers = 0;
    }
    if (!m->strings_only) {
        free(m->strings);
        free(m->string_lens);
        m->strings = NULL;
        m->string_lens = NULL;
        m->n_strings = 0;
    }
    return true;
}

static bool read_member_value(struct parser *ps, struct ap_json_member *m)
{
    skip_space(ps);
    if (ps->p >= ps->end)
        return fail(ps, "expected a value");
    switch (*ps->p) {
    case '{':
        m->kind = AP_JSON_OBJECT;
        ps->p++;
        return skip_container(ps, 2, '}');
    case '[':
        m->kind = AP_JSON_ARRAY;
        ps->p++;
        return read_array(ps, m);
    case '"':
        m->kind = AP_JSON_STRING;
        ps->p++;
        return read_string(ps, true, &m->str, &m->str_len);
    case 't':
        m->kind = AP_JSON_TRUE;
        return literal(ps, "true");
    case 'f':
        m->kind = AP_JSON_FALSE;
        return literal(ps, "false");
    case 'n':
        m->kind = AP_JSON_NULL;
        return literal(ps, "null");
    default:
        m->kind = AP_JSON_NUMBER;
        return read_number(ps, &m->number);
    }
}

static bool duplicate_key(const struct ap_json_object *obj)
{
    for (size_t i = 1; i < obj->n; i++)
        for (size_t j = 0; j < i; j++)
            if (obj->members[i].key_len == obj->members[j].key_len &&
                memcmp(obj->members[i].key, obj->members[j].key, obj->members[i].key_len) == 0)
                return true;
    return false;
}

static bool read_object(struct parser *ps)
{
    struct ap_json_object *obj = ps->obj;
    skip_space(ps);
    if (ps->p >= ps->end || *ps->p != '{')
        return fail(ps, "an event must be a JSON object");
    ps->p++;
    skip_space(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return true;
    }
    for (;;) {
        skip_space(ps);
        if (ps->p >= ps->end || *ps->p != '"')
            return fail(ps, "expected a string key");
        ps->p++;
        if (obj->n == obj->cap) {
            if (obj->cap == AP_JSON_MAX_MEMBERS)
                return fail(ps, "more than 256 members");
            obj->cap *= 2;
            obj->members = ap_realloc(obj->members, obj->cap * sizeof *obj->members);
        }
        struct ap_json_member *m = &obj->members[obj->n++];
        memset(m, 0, sizeof *m);
        if (!read_string(ps, true, &m->key, &m->key_len))
            return false;
        skip_space(ps);
        if (ps->p >= ps->end || *ps->p != ':')
            return fail(ps, "expected ':'");
        ps->p++;
        if (!read_member_value(ps, m))
            return false;
        skip_space(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            break;
        }
        return fail(ps, "expected ',' or '}'");
    }
    if (duplicate_key(obj))
        return fail(ps, "duplicate key");
    return true;
}

enum ap_status ap_json_parse_object(const char *text, size_t len, struct ap_json_object *out,
                                    struct ap_error *err)
{
    struct parser ps = {(const unsigned char *)text, (const unsigned char *)text,
                        (const unsigned char *)text + len, NULL, NULL, out};
    memset(out, 0, sizeof *out);
    /* Decoded strings plus their terminators never outgrow the text. */
    out->arena = ap_malloc(len + 1);
    out->cap = 16; /* most events have fewer members; grows up to the cap */
    out->members = ap_malloc(out->cap * sizeof *out->members);
    ps.arena = out->arena;
    bool ok = read_object(&ps);
    if (ok) {
        skip_space(&ps);
        if (ps.p != ps.end)
            ok = fail(&ps, "text after the object");
    }
    if (!ok) {
        ap_error_set(err, AP_INVALID, "", "invalid JSON at column %zu: %s",
                     (size_t)(ps.p - ps.start) + 1, ps.error);
        ap_json_object_free(out);
        return AP_INVALID;
    }
    return AP_OK;
}

void ap_json_object_free(struct ap_json_object *obj)
{
    if (obj == NULL)
        return;
    for (size_t i = 0; i < obj->n; i++) {
        free(obj->members[i].numbers);
        free(obj->members[i].strings);
        free(obj->members[i].string_lens);
    }
    free(obj->members);
    free(obj->arena);
    memset(obj, 0, sizeof *obj);
}

const struct ap_json_member *ap_json_get(const struct ap_json_object *obj, const char *key)
{
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->members[i].key, key) == 0)
            return &obj->members[i];
    return NULL;
}
