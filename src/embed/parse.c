/* The wire format of POST /v1/embeddings: the request body we write and a
 * strict reader of the answer. The answer comes from another program over the
 * network, so the reader trusts nothing: grammar, nesting depth, the number
 * of vectors, their indexes, lengths and values are all checked, and a
 * failure says which. Only the members we need are kept; the rest ("model",
 * "usage", "object", …) is validated and skipped. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embed/embed.h"

#define MAX_DEPTH 32
#define NUMBER_MAX 64 /* characters of one number */

static const char *const fault_names[] = {
#define AP_EMBED_FAULT_NAME(name, str) str,
    AP_EMBED_FAULT_MAP(AP_EMBED_FAULT_NAME)
#undef AP_EMBED_FAULT_NAME
};

const char *ap_embed_fault_name(enum ap_embed_fault fault)
{
    return (unsigned)fault < AP_EMBED__FAULT_COUNT ? fault_names[fault] : "unknown";
}

void ap_embed_vectors_free(struct ap_embed_vectors *v)
{
    free(v->values);
    v->values = NULL;
    v->n = v->dims = 0;
}

void ap_embed_request_json(const char *model, const char *const *texts, size_t n,
                           struct ap_buf *out)
{
    ap_buf_append_str(out, "{\"model\":");
    ap_buf_append_json_string(out, model, strlen(model));
    ap_buf_append_str(out, ",\"input\":[");
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            ap_buf_append_char(out, ',');
        size_t len = strlen(texts[i]);
        ap_buf_append_json_string(out, texts[i], ap_utf8_prefix(texts[i], len, AP_EMBED_TEXT_MAX));
    }
    ap_buf_append_str(out, "]}");
}

/* --- the reader ---------------------------------------------------------------------- */

struct reader {
    const char *p, *end;
    int depth;
    char *why;
    size_t why_size;
    enum ap_embed_fault fault; /* the first failure */
};

static bool fail(struct reader *r, enum ap_embed_fault fault, const char *what)
{
    if (r->fault == AP_EMBED_NONE) {
        r->fault = fault;
        snprintf(r->why, r->why_size, "%s", what);
    }
    return false;
}

static void skip_ws(struct reader *r)
{
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
        r->p++;
}

static bool expect(struct reader *r, char c)
{
    skip_ws(r);
    if (r->p >= r->end || *r->p != c) {
        char what[40];
        snprintf(what, sizeof what, "expected '%c'", c);
        return fail(r, AP_EMBED_GARBAGE, what);
    }
    r->p++;
    return true;
}

static bool peek(struct reader *r, char c)
{
    skip_ws(r);
    return r->p < r->end && *r->p == c;
}

/* A string; its raw bytes between the quotes (escapes left as they are) go
 * to *s, *len. Escapes are checked for shape only: keys we look for have none. */
static bool read_string(struct reader *r, const char **s, size_t *len)
{
    if (!expect(r, '"'))
        return false;
    const char *start = r->p;
    while (r->p < r->end && *r->p != '"') {
        unsigned char c = (unsigned char)*r->p;
        if (c < 0x20)
            return fail(r, AP_EMBED_GARBAGE, "control character in a string");
        if (c == '\\') {
            if (r->end - r->p < 2)
                break;
            r->p++;
        }
        r->p++;
    }
    if (r->p >= r->end)
        return fail(r, AP_EMBED_GARBAGE, "unterminated string");
    *s = start;
    *len = (size_t)(r->p - start);
    r->p++;
    return true;
}

/* A JSON number (RFC 8259 grammar, so no NaN, Infinity or hex), finite. */
static bool read_number(struct reader *r, double *out)
{
    skip_ws(r);
    const char *s = r->p;
    const char *q = s;
    if (q < r->end && *q == '-')
        q++;
    const char *digits = q;
    while (q < r->end && *q >= '0' && *q <= '9')
        q++;
    if (q == digits || (*digits == '0' && q - digits > 1))
        return fail(r, AP_EMBED_GARBAGE, "not a number");
    if (q < r->end && *q == '.') {
        const char *frac = ++q;
        while (q < r->end && *q >= '0' && *q <= '9')
            q++;
        if (q == frac)
            return fail(r, AP_EMBED_GARBAGE, "not a number");
    }
    if (q < r->end && (*q == 'e' || *q == 'E')) {
        q++;
        if (q < r->end && (*q == '+' || *q == '-'))
            q++;
        const char *exp = q;
        while (q < r->end && *q >= '0' && *q <= '9')
            q++;
        if (q == exp)
            return fail(r, AP_EMBED_GARBAGE, "not a number");
    }
    size_t len = (size_t)(q - s);
    if (len >= NUMBER_MAX)
        return fail(r, AP_EMBED_GARBAGE, "number too long");
    char buf[NUMBER_MAX];
    memcpy(buf, s, len);
    buf[len] = '\0';
    *out = strtod(buf, NULL);
    if (!isfinite(*out))
        return fail(r, AP_EMBED_GARBAGE, "number out of range");
    r->p = q;
    return true;
}

static bool skip_value(struct reader *r);

static bool skip_literal(struct reader *r, const char *word)
{
    size_t len = strlen(word);
    if ((size_t)(r->end - r->p) < len || memcmp(r->p, word, len) != 0)
        return fail(r, AP_EMBED_GARBAGE, "unexpected character");
    r->p += len;
    return true;
}

/* An array or object: `open` read, items until `close`. */
static bool skip_container(struct reader *r, char close, bool members)
{
    if (++r->depth > MAX_DEPTH)
        return fail(r, AP_EMBED_GARBAGE, "nested too deep");
    if (peek(r, close)) {
        r->p++;
        r->depth--;
        return true;
    }
    for (;;) {
        const char *key;
        size_t key_len;
        if (members && (!read_string(r, &key, &key_len) || !expect(r, ':')))
            return false;
        if (!skip_value(r))
            return false;
        if (peek(r, ',')) {
            r->p++;
            continue;
        }
        if (!expect(r, close))
            return false;
        r->depth--;
        return true;
    }
}

static bool skip_value(struct reader *r)
{
    skip_ws(r);
    if (r->p >= r->end)
        return fail(r, AP_EMBED_GARBAGE, "unexpected end");
    const char *s;
    size_t len;
    double d;
    switch (*r->p) {
    case '"':
        return read_string(r, &s, &len);
    case '{':
        r->p++;
        return skip_container(r, '}', true);
    case '[':
        r->p++;
        return skip_container(r, ']', false);
    case 't':
        return skip_literal(r, "true");
    case 'f':
        return skip_literal(r, "false");
    case 'n':
        return skip_literal(r, "null");
    default:
        return read_number(r, &d);
    }
}

static bool key_is(const char *key, size_t len, const char *name)
{
    return len == strlen(name) && memcmp(key, name, len) == 0;
}

/* What the reader builds: the vectors by index and which were seen. */
struct answer {
    size_t n, max_dims, dims;
    double *values;   /* n * dims once dims is known */
    bool *seen;
    double *scratch;  /* one item's vector, max_dims */
};

/* A JSON object whose members each go to `member` (which reads the value), or a
 * JSON array whose elements each go to `element`: the separators and the
 * closing bracket are checked here, once for every container of the answer. */
typedef bool (*member_fn)(struct reader *r, const char *key, size_t key_len, void *ctx);
typedef bool (*element_fn)(struct reader *r, void *ctx);

static bool read_members(struct reader *r, member_fn member, void *ctx)
{
    if (!expect(r, '{'))
        return false;
    if (!peek(r, '}')) {
        for (;;) {
            const char *key;
            size_t key_len;
            if (!read_string(r, &key, &key_len) || !expect(r, ':') ||
                !member(r, key, key_len, ctx))
                return false;
            if (!peek(r, ','))
                break;
            r->p++;
        }
    }
    return expect(r, '}');
}

static bool read_elements(struct reader *r, element_fn element, void *ctx)
{
    if (!expect(r, '['))
        return false;
    if (!peek(r, ']')) {
        for (;;) {
            if (!element(r, ctx))
                return false;
            if (!peek(r, ','))
                break;
            r->p++;
        }
    }
    return expect(r, ']');
}

/* "embedding": [numbers], into a->scratch. */
struct vector {
    struct answer *a;
    size_t len;
};

static bool vector_number(struct reader *r, void *ctx)
{
    struct vector *v = ctx;
    double x;
    if (v->len == v->a->max_dims)
        return fail(r, AP_EMBED_DIMENSIONS, "a vector longer than the largest allowed");
    if (!read_number(r, &x))
        return false;
    v->a->scratch[v->len++] = x;
    return true;
}

/* Puts one item's vector in its place, checking index and length. */
static bool place(struct reader *r, struct answer *a, double index, size_t len)
{
    if (index < 0 || index >= (double)a->n || index != floor(index))
        return fail(r, AP_EMBED_GARBAGE, "an index out of range");
    size_t i = (size_t)index;
    if (a->seen[i])
        return fail(r, AP_EMBED_GARBAGE, "an index given twice");
    if (len < AP_EMBED_DIMS_MIN)
        return fail(r, AP_EMBED_DIMENSIONS, "a vector shorter than the smallest allowed");
    if (a->dims == 0) {
        a->dims = len;
        a->values = ap_malloc(a->n * len * sizeof *a->values);
    } else if (len != a->dims) {
        return fail(r, AP_EMBED_DIMENSIONS, "vectors of different lengths");
    }
    memcpy(a->values + i * a->dims, a->scratch, len * sizeof *a->values);
    a->seen[i] = true;
    return true;
}

/* One item of "data": {"index": i, "embedding": [...], ...}. An item without
 * an index takes its position in the array. */
struct item {
    double index;
    bool has_vector;
    struct vector vector;
};

static bool item_member(struct reader *r, const char *key, size_t key_len, void *ctx)
{
    struct item *it = ctx;
    if (key_is(key, key_len, "index"))
        return read_number(r, &it->index);
    if (key_is(key, key_len, "embedding")) {
        it->has_vector = true;
        it->vector.len = 0;
        return read_elements(r, vector_number, &it->vector);
    }
    return skip_value(r);
}

/* The items of "data", one vector per input, in any order of index. */
struct data {
    struct answer *a;
    size_t position;
};

static bool data_item(struct reader *r, void *ctx)
{
    struct data *d = ctx;
    if (d->position == d->a->n)
        return fail(r, AP_EMBED_GARBAGE, "more vectors than inputs");
    struct item it = {(double)d->position++, false, {d->a, 0}};
    if (!read_members(r, item_member, &it))
        return false;
    if (!it.has_vector)
        return fail(r, AP_EMBED_GARBAGE, "an item without \"embedding\"");
    return place(r, d->a, it.index, it.vector.len);
}

/* The answer: {"data": [...], ...}, "data" exactly once. */
struct top {
    struct answer *a;
    bool has_data;
};

static bool top_member(struct reader *r, const char *key, size_t key_len, void *ctx)
{
    struct top *t = ctx;
    if (!key_is(key, key_len, "data"))
        return skip_value(r);
    if (t->has_data)
        return fail(r, AP_EMBED_GARBAGE, "\"data\" given twice");
    t->has_data = true;
    struct data d = {t->a, 0};
    if (!read_elements(r, data_item, &d))
        return false;
    if (d.position < t->a->n)
        return fail(r, AP_EMBED_GARBAGE, "fewer vectors than inputs");
    return true;
}

static bool read_answer(struct reader *r, struct answer *a)
{
    struct top t = {a, false};
    if (!read_members(r, top_member, &t))
        return false;
    skip_ws(r);
    if (r->p != r->end)
        return fail(r, AP_EMBED_GARBAGE, "text after the answer");
    if (!t.has_data)
        return fail(r, AP_EMBED_GARBAGE, "no \"data\"");
    return true;
}

enum ap_embed_fault ap_embed_parse_response(const char *body, size_t len, size_t n,
                                            size_t max_dims, size_t want_dims,
                                            struct ap_embed_vectors *out, char *why,
                                            size_t why_size)
{
    char ignored[8];
    struct reader r = {body, body + len, 0, why ? why : ignored,
                       why ? why_size : sizeof ignored, AP_EMBED_NONE};
    r.why[0] = '\0';
    memset(out, 0, sizeof *out);
    if (n == 0 || body == NULL) {
        fail(&r, AP_EMBED_GARBAGE, "nothing to read");
        return r.fault;
    }
    if (max_dims > AP_EMBED_DIMS_MAX)
        max_dims = AP_EMBED_DIMS_MAX;
    struct answer a = {n, max_dims, 0, NULL, ap_calloc(n, sizeof(bool)),
                       ap_malloc(max_dims * sizeof(double))};
    if (read_answer(&r, &a) && want_dims != 0 && a.dims != want_dims)
        fail(&r, AP_EMBED_DIMENSIONS, "vectors of another length than the model's");
    free(a.seen);
    free(a.scratch);
    if (r.fault != AP_EMBED_NONE) {
        free(a.values);
        return r.fault;
    }
    out->values = a.values;
    out->n = n;
    out->dims = a.dims;
    return AP_EMBED_NONE;
}
