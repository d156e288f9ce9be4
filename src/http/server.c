/* The libmicrohttpd glue: request lifecycle, routing from the table, token
 * authentication, body limits, security headers, one log line per request and
 * the graceful stop. Handlers never see libmicrohttpd types. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "answers/answers.h"
#include "http/deadline.h"
#include "http/http.h"
#include "ingest/ingest.h"
#include "gaps/gaps.h"

#define GRACE_SECONDS 30

struct ap_http_server {
    struct ap_http_config config;
    char *db_url;
    char *web_root;
    struct MHD_Daemon *daemon;
    struct ap_answers_cache *answers;
    uint16_t port;
    pthread_key_t store_key; /* each worker thread's store connection */
    atomic_int in_flight;
    atomic_size_t body_bytes; /* of the body budget, held by requests in flight */
    struct ap_gaps *gaps;
    struct ap_http_metrics *metrics;
    struct ap_gap_worker *gap_worker;
    struct ap_embedder *embedder;        /* NULL without --embeddings-url */
    struct ap_http_ratelimit *ratelimit; /* NULL when off */
    struct ap_http_deadlines *deadlines; /* of request heads; NULL when off */
    /* The log checkpointer: worker connections never checkpoint in their
     * commits; this thread does, off the request path (see checkpointer()). */
    pthread_t checkpoint_thread;
    pthread_mutex_t checkpoint_lock;
    pthread_cond_t checkpoint_wake;
    bool stopping;
};

/* Checkpoint cadence, and the log size past which the checkpointer waits for
 * readers and writers so that a busy server's log cannot grow without bound. */
#define CHECKPOINT_INTERVAL_MS 500
#define CHECKPOINT_TRUNCATE_BYTES (64LL << 20)

/* Per-request state, created on the first callback and freed on completion. */
struct request_state {
    struct ap_http_request req;
    struct ap_http_response res;
    const struct ap_http_route *route;
    int64_t started_us;
    bool answered;     /* a response was decided before the body was read */
    bool body_too_large;
    bool close_connection; /* the framing is doubtful: nothing after it can be trusted */
    bool body_prepaid;     /* its Content-Length was taken from the budget up front */
    bool over_budget;      /* a chunk did not fit in the budget: the body is dropped */
    size_t budget_held;    /* bytes of the server's body budget this request holds */
};

/* Our limits on the request head, below libmicrohttpd's own (its connection
 * memory, HEAD_MEMORY), so that a long URL or a big head gets the API's JSON
 * error and not the library's HTML page. */
#define MAX_URL_BYTES (8u << 10)
#define MAX_HEAD_BYTES (16u << 10)
#define HEAD_MEMORY ((size_t)64 << 10)

void ap_http_config_init(struct ap_http_config *cfg)
{
    cfg->db_url = "agentperf.db";
    cfg->listen = "127.0.0.1:8080";
    cfg->threads = 4;
    cfg->max_body = 16u << 20;
    cfg->max_line = 1u << 20;
    cfg->max_events = 100000;
    cfg->rate_limit = 200;
    cfg->rate_burst = 2000;
    cfg->max_future_s = AP_INGEST_MAX_FUTURE_DEFAULT_S;
    cfg->body_budget = (size_t)128 << 20;
    cfg->max_response = (size_t)256 << 20;
    cfg->max_connections = 1000;
    cfg->max_connections_per_ip = 128;
    cfg->head_timeout_s = 10;
    cfg->idle_timeout_s = 60;
    cfg->web_root = "web/dist";
    ap_embed_config_init(&cfg->embeddings);
}

unsigned ap_http_status_for(enum ap_status status)
{
    switch (status) {
    case AP_OK: return 200;
    case AP_INVALID: return 400;
    case AP_UNAUTHORIZED: return 401;
    case AP_FORBIDDEN: return 403;
    case AP_NOT_FOUND: return 404;
    case AP_METHOD_NOT_ALLOWED: return 405;
    case AP_EXISTS:
    case AP_CONFLICT: return 409;
    case AP_TOO_LARGE: return 413;
    case AP_UNSUPPORTED: return 415;
    case AP_RATE_LIMITED: return 429;
    case AP_BUSY:
    case AP_UNAVAILABLE: return 503;
    default: return 500;
    }
}

void ap_http_json(struct ap_http_response *res, unsigned status, const char *json, size_t len)
{
    res->status = status;
    res->content_type = "application/json";
    ap_buf_reset(&res->body);
    ap_buf_append(&res->body, json, len);
}

void ap_http_error(struct ap_http_response *res, const struct ap_error *err)
{
    res->status = ap_http_status_for(err->status);
    res->content_type = "application/json";
    ap_buf_reset(&res->body);
    ap_buf_printf(&res->body, "{\"error\":{\"code\":\"%s\",\"message\":", ap_status_code(err->status));
    const char *msg = err->message[0] ? err->message : ap_status_message(err->status);
    ap_buf_append_json_string(&res->body, msg, strlen(msg));
    ap_buf_append_str(&res->body, ",\"field\":");
    if (err->field[0])
        ap_buf_append_json_string(&res->body, err->field, strlen(err->field));
    else
        ap_buf_append_str(&res->body, "null");
    ap_buf_append_str(&res->body, "}}");
}

static void answer_error(struct ap_http_response *res, enum ap_status status, const char *field,
                         const char *message)
{
    struct ap_error err;
    ap_error_set(&err, status, field, "%s", message);
    ap_http_error(res, &err);
}

const char *ap_http_query(const struct ap_http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_GET_ARGUMENT_KIND, name);
}

const char *ap_http_header(const struct ap_http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->connection, MHD_HEADER_KIND, name);
}

/* True when an If-None-Match value names etag (a list of quoted tags, weak
 * ones included, or "*"). */
static bool etag_listed(const char *if_none_match, const char *etag)
{
    if (strcmp(if_none_match, "*") == 0)
        return true;
    size_t n = strlen(etag);
    for (const char *p = strstr(if_none_match, etag); p; p = strstr(p + 1, etag)) {
        char next = p[n];
        if (next == '\0' || next == ',' || next == ' ')
            return true;
    }
    return false;
}

void ap_http_conditional_except(const struct ap_http_request *req, struct ap_http_response *res,
                                size_t skip_offset, size_t skip_len)
{
    const unsigned char *body = (const unsigned char *)(res->body.data ? res->body.data : "");
    size_t len = res->body.len;
    if (skip_offset > len || skip_len > len - skip_offset)
        skip_offset = skip_len = 0;
    uint8_t hash[16];
    char hex[2 * sizeof hash + 1];
    crypto_generichash_state state;
    crypto_generichash_init(&state, NULL, 0, sizeof hash);
    crypto_generichash_update(&state, body, skip_offset);
    crypto_generichash_update(&state, body + skip_offset + skip_len, len - skip_offset - skip_len);
    crypto_generichash_final(&state, hash, sizeof hash);
    sodium_bin2hex(hex, sizeof hex, hash, sizeof hash);
    /* A tag over part of the body is weak: equal tags mean equal meaning. */
    snprintf(res->etag, sizeof res->etag, "%s\"%s\"", skip_len ? "W/" : "", hex);
    const char *inm = ap_http_header(req, "If-None-Match");
    if (inm != NULL && etag_listed(inm, res->etag)) {
        res->status = 304;
        ap_buf_reset(&res->body);
    }
}

void ap_http_conditional(const struct ap_http_request *req, struct ap_http_response *res)
{
    ap_http_conditional_except(req, res, 0, 0);
}

static void allowed_methods(const char *path, char *out, size_t size)
{
    const char *params[AP_HTTP_MAX_PARAMS];
    char storage[512];
    out[0] = '\0';
    for (size_t i = 0; i < ap_http_route_count; i++) {
        const struct ap_http_route *r = &ap_http_routes[i];
        if (ap_http_route_match(r->pattern, path, params, storage, sizeof storage)) {
            size_t len = strlen(out);
            snprintf(out + len, size - len, "%s%s", len ? ", " : "", r->method);
        }
    }
}

static struct ap_store *thread_store(struct ap_http_server *s, struct ap_error *err)
{
    struct ap_store *store = pthread_getspecific(s->store_key);
    if (store != NULL)
        return store;
    if (ap_store_open(s->db_url, &store, err) != AP_OK)
        return NULL;
    ap_store_set_auto_checkpoint(store, 0);
    pthread_setspecific(s->store_key, store);
    return store;
}

/* Moves the log into the database every CHECKPOINT_INTERVAL_MS without
 * blocking anyone, and empties it (waiting for transactions in flight) once it
 * passes CHECKPOINT_TRUNCATE_BYTES: passive checkpoints alone never reset a log
 * that always has a reader, which let it grow to gigabytes under load. */
static void *checkpointer(void *arg)
{
    struct ap_http_server *s = arg;
    struct ap_store *store = NULL;
    struct ap_error err;
    pthread_mutex_lock(&s->checkpoint_lock);
    while (!s->stopping) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += CHECKPOINT_INTERVAL_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&s->checkpoint_wake, &s->checkpoint_lock, &until);
        if (s->stopping)
            break;
        pthread_mutex_unlock(&s->checkpoint_lock);
        int64_t log_bytes = 0;
        ap_error_clear(&err);
        if (store == NULL && ap_store_open(s->db_url, &store, &err) != AP_OK)
            store = NULL;
        if (store && ap_store_checkpoint_log(store, AP_CHECKPOINT_PASSIVE, &log_bytes, &err) ==
                         AP_OK &&
            log_bytes > CHECKPOINT_TRUNCATE_BYTES)
            ap_store_checkpoint_log(store, AP_CHECKPOINT_TRUNCATE, &log_bytes, &err);
        pthread_mutex_lock(&s->checkpoint_lock);
    }
    pthread_mutex_unlock(&s->checkpoint_lock);
    ap_store_destroy(store);
    return NULL;
}

/* Only an embedded store keeps a log to checkpoint; a database server keeps
 * its own. */
static void start_checkpointer(struct ap_http_server *s)
{
    if (ap_store_url_is_server(s->db_url))
        return;
    pthread_mutex_init(&s->checkpoint_lock, NULL);
    pthread_cond_init(&s->checkpoint_wake, NULL);
    pthread_create(&s->checkpoint_thread, NULL, checkpointer, s);
}

/* After the workers closed their connections: a last checkpoint empties the
 * log, and closing the last connection removes it. */
static void stop_checkpointer(struct ap_http_server *s)
{
    if (ap_store_url_is_server(s->db_url))
        return;
    pthread_mutex_lock(&s->checkpoint_lock);
    s->stopping = true;
    pthread_cond_signal(&s->checkpoint_wake);
    pthread_mutex_unlock(&s->checkpoint_lock);
    pthread_join(s->checkpoint_thread, NULL);
    pthread_cond_destroy(&s->checkpoint_wake);
    pthread_mutex_destroy(&s->checkpoint_lock);
    struct ap_store *store;
    struct ap_error err;
    int64_t log_bytes;
    if (ap_store_open(s->db_url, &store, &err) == AP_OK) {
        ap_store_checkpoint_log(store, AP_CHECKPOINT_TRUNCATE, &log_bytes, &err);
        ap_store_destroy(store);
    }
}

static void destroy_thread_store(void *store)
{
    ap_store_destroy(store);
}

/* Authenticates "Authorization: Bearer TOKEN" and checks the route's roles. */
static bool authenticate(struct ap_http_server *s, struct MHD_Connection *conn,
                         struct request_state *st)
{
    const char *auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
    struct ap_error err;
    ap_error_clear(&err);
    if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0 || auth[7] == '\0') {
        answer_error(&st->res, AP_UNAUTHORIZED, "Authorization",
                     "send the account's token as \"Authorization: Bearer TOKEN\"");
        return false;
    }
    const char *token = auth + 7;
    size_t len = strlen(token);
    if (len > AP_TOKEN_TEXT_MAX) {
        answer_error(&st->res, AP_UNAUTHORIZED, "Authorization", "invalid or revoked token");
        return false;
    }
    uint8_t hash[AP_TOKEN_HASH_SIZE];
    ap_token_hash(token, len, hash);
    struct ap_store *store = thread_store(s, &err);
    enum ap_status rc = store ? ap_store_get_token_by_hash(store, hash, &st->req.token, &err)
                              : err.status;
    if (rc == AP_NOT_FOUND || (rc == AP_OK && (st->req.token.revoked_at_us != 0 ||
                                               !ap_token_hash_equal(hash, st->req.token.hash)))) {
        answer_error(&st->res, AP_UNAUTHORIZED, "Authorization", "invalid or revoked token");
        return false;
    }
    if (rc == AP_OK)
        rc = ap_store_get_account(store, st->req.token.account_id, &st->req.account, &err);
    if (rc != AP_OK) {
        ap_http_error(&st->res, &err);
        return false;
    }
    if (!(st->route->roles & AP_ROLE_BIT(st->req.token.role))) {
        answer_error(&st->res, AP_FORBIDDEN, "Authorization",
                     "this token's role may not call this endpoint");
        return false;
    }
    if (!ap_http_ratelimit_take(s->ratelimit, st->req.token.account_id, st->req.token.id,
                                ap_time_now_us(), &st->res.retry_after)) {
        char msg[128];
        snprintf(msg, sizeof msg, "more than %g requests a second with this token (rate_limit)",
                 s->config.rate_limit);
        answer_error(&st->res, AP_RATE_LIMITED, "Authorization", msg);
        return false;
    }
    return true;
}

bool ap_http_media_type_is(const char *content_type, const char *type)
{
    size_t n = strlen(type);
    if (content_type == NULL || strncasecmp(content_type, type, n) != 0)
        return false;
    char next = content_type[n];
    return next == '\0' || next == ';' || next == ' ';
}

static bool media_type_accepted(const char *const *types, const char *content_type)
{
    for (; *types; types++)
        if (ap_http_media_type_is(content_type, *types))
            return true;
    return false;
}

/* What the head's framing headers say, gathered in one pass over the headers. */
struct framing {
    const char *content_length; /* the first value */
    bool repeated;       /* two different lengths, or two codings lists */
    bool has_transfer_encoding;
    const char *transfer_encoding;
    bool nul_in_value;
    size_t head_bytes;
};

static enum MHD_Result note_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                   size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    struct framing *f = cls;
    f->head_bytes += key_size + value_size + 4; /* ": " and CRLF */
    /* 0.9.75 reports a value's length up to its first NUL, so this holds only
     * with a library that hands the whole value over (docs/security.md). */
    if (value != NULL && memchr(value, '\0', value_size) != NULL)
        f->nul_in_value = true;
    if (strcasecmp(key, "Content-Length") == 0) {
        if (f->content_length == NULL)
            f->content_length = value;
        else if (strcmp(f->content_length, value ? value : "") != 0)
            f->repeated = true;
    } else if (strcasecmp(key, "Transfer-Encoding") == 0) {
        f->repeated |= f->has_transfer_encoding;
        f->has_transfer_encoding = true;
        f->transfer_encoding = value;
    }
    return MHD_YES;
}

static enum MHD_Result add_argument_bytes(void *cls, enum MHD_ValueKind kind, const char *key,
                                          size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    (void)key;
    (void)value;
    *(size_t *)cls += key_size + value_size + 2; /* "=" and "&" or "?" */
    return MHD_YES;
}

static bool all_digits(const char *s)
{
    if (s == NULL || *s == '\0')
        return false;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return false;
    return true;
}

static bool nul_in_value(const struct framing *f)
{
    return f->nul_in_value;
}

static bool repeated(const struct framing *f)
{
    return f->repeated;
}

static bool length_not_a_number(const struct framing *f)
{
    return f->content_length && !all_digits(f->content_length);
}

static bool length_and_coding(const struct framing *f)
{
    return f->content_length && f->has_transfer_encoding;
}

static bool coding_not_chunked(const struct framing *f)
{
    return f->has_transfer_encoding &&
           (f->transfer_encoding == NULL || strcasecmp(f->transfer_encoding, "chunked") != 0);
}

/* Heads whose body boundary two parsers could read differently (RFC 9112
 * §6.3): the library 0.9.75 lets these through, and a proxy in front may
 * frame them otherwise, so the request is refused and the connection closed. */
static const struct {
    bool (*broken)(const struct framing *f);
    const char *reason;
} framing_rules[] = {
    {nul_in_value, "a header value contains a NUL byte"},
    {repeated, "Content-Length or Transfer-Encoding given twice"},
    {length_not_a_number, "Content-Length is not a number"},
    {length_and_coding, "both Content-Length and Transfer-Encoding"},
    {coding_not_chunked, "Transfer-Encoding other than chunked"},
};

/* The reason the first broken rule gives, or NULL when the framing is sound. */
static const char *framing_problem(const struct framing *f)
{
    for (size_t i = 0; i < sizeof framing_rules / sizeof framing_rules[0]; i++)
        if (framing_rules[i].broken(f))
            return framing_rules[i].reason;
    return NULL;
}

/* Answers what the head alone condemns: bad framing (400, and the connection
 * closes), a URL or head over our limits (414, 431). True when answered. */
static bool refuse_head(struct MHD_Connection *conn, struct request_state *st, size_t url_len)
{
    struct framing f = {0};
    MHD_get_connection_values_n(conn, MHD_GET_ARGUMENT_KIND, add_argument_bytes, &url_len);
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, note_header, &f);
    const char *problem = framing_problem(&f);
    if (problem != NULL) {
        answer_error(&st->res, AP_INVALID, "framing", problem);
        st->close_connection = true;
        return true;
    }
    if (url_len > MAX_URL_BYTES) {
        answer_error(&st->res, AP_TOO_LARGE, "path", "URL longer than 8192 bytes");
        st->res.status = 414;
        return true;
    }
    if (f.head_bytes > MAX_HEAD_BYTES) {
        answer_error(&st->res, AP_TOO_LARGE, "headers", "request headers larger than 16384 bytes");
        st->res.status = 431;
        return true;
    }
    return false;
}

/* Takes n bytes of the server's body budget for the request, or returns false
 * when they would take the bodies buffered at once past it. */
static bool take_budget(struct ap_http_server *s, struct request_state *st, size_t n)
{
    size_t before = atomic_fetch_add(&s->body_bytes, n);
    if (before + n > s->config.body_budget || before + n < before) {
        atomic_fetch_sub(&s->body_bytes, n);
        return false;
    }
    st->budget_held += n;
    return true;
}

static void return_budget(struct ap_http_server *s, struct request_state *st)
{
    atomic_fetch_sub(&s->body_bytes, st->budget_held);
    st->budget_held = 0;
}

static void answer_over_budget(struct request_state *st)
{
    answer_error(&st->res, AP_UNAVAILABLE, "body",
                 "the server holds as many request bodies as it may (body_budget); retry");
    st->res.retry_after = 1;
}

/* Decides what can be decided from the request line and headers alone. */
static void begin_request(struct ap_http_server *s, struct MHD_Connection *conn,
                          struct request_state *st, char *param_storage, size_t storage_size)
{
    bool path_known;
    if (refuse_head(conn, st, strlen(st->req.path))) {
        st->answered = true;
        return;
    }
    st->route = ap_http_route_find(st->req.method, st->req.path, st->req.params, param_storage,
                           storage_size, &path_known);
    if (st->route == NULL) {
        st->answered = true;
        if (path_known)
            answer_error(&st->res, AP_METHOD_NOT_ALLOWED, "method", "method not allowed on this path");
        else
            answer_error(&st->res, AP_NOT_FOUND, "path", "no such endpoint");
        return;
    }
    const char *length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (length && strtoull(length, NULL, 10) > s->config.max_body) {
        st->answered = true;
        answer_error(&st->res, AP_TOO_LARGE, "body", "request body larger than the server's limit");
        return;
    }
    if (st->route->roles && !authenticate(s, conn, st)) {
        st->answered = true;
        return;
    }
    if (st->route->media_types && !media_type_accepted(st->route->media_types, st->req.content_type)) {
        st->answered = true;
        answer_error(&st->res, AP_UNSUPPORTED, "Content-Type", "unsupported Content-Type");
        ap_buf_reset(&st->res.body);
        struct ap_buf *b = &st->res.body;
        ap_buf_append_str(b, "{\"error\":{\"code\":\"unsupported_media_type\",\"message\":\"send one of:");
        for (const char *const *t = st->route->media_types; *t; t++)
            ap_buf_printf(b, " %s", *t);
        ap_buf_append_str(b, "\",\"field\":\"Content-Type\"}}");
        return;
    }
    /* A body's length known up front is taken whole now, so a request that
     * would not fit is refused before a byte of it is buffered; a chunked
     * body takes its share chunk by chunk (on_request). */
    if (st->route->takes_body && length != NULL) {
        size_t n = (size_t)strtoull(length, NULL, 10);
        st->body_prepaid = true;
        if (!take_budget(s, st, n)) {
            st->answered = true;
            st->close_connection = true;
            answer_over_budget(st);
        } else if (n > 0) {
            ap_buf_reserve(&st->req.body, n); /* one allocation, not a doubling series */
        }
    }
}

static void add_security_headers(struct MHD_Response *r, const char *csp)
{
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Content-Security-Policy",
                            csp ? csp : "default-src 'none'; frame-ancestors 'none'");
}

/* Counts the request in the metrics before its answer leaves, so a client
 * that reads /metrics after an answer always sees that request counted. */
static enum MHD_Result send_response(struct ap_http_server *s, struct MHD_Connection *conn,
                                     struct request_state *st)
{
    size_t len;
    if (st->res.status == 0)
        answer_error(&st->res, AP_INTERNAL, "", "no response");
    /* The one check of the answer's buffer: a handler writes its document
     * without checking each append, and a document cut short by the limit
     * must never leave as a 200. */
    if (ap_buf_status(&st->res.body) != AP_OK) {
        struct ap_error err;
        ap_buf_check(&st->res.body, "the answer (max_response)", &err);
        ap_log(AP_LOG_ERROR, "msg=response_too_large path_len=%zu max_response=%zu",
               strlen(st->req.path), s->config.max_response);
        ap_http_error(&st->res, &err);
        st->res.etag[0] = '\0';
        st->res.content_disposition[0] = '\0';
        st->res.next_cursor[0] = '\0';
    }
    ap_http_metrics_request(s->metrics, st->route, st->res.status,
                            ap_time_now_us() - st->started_us);
    char *body = ap_buf_steal(&st->res.body, &len);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(r, "Content-Type",
                            st->res.content_type ? st->res.content_type : "application/json");
    MHD_add_response_header(r, "Cache-Control",
                            st->res.cache_control ? st->res.cache_control : "no-store");
    add_security_headers(r, st->res.csp);
    if (st->res.etag[0])
        MHD_add_response_header(r, "ETag", st->res.etag);
    if (st->res.content_disposition[0])
        MHD_add_response_header(r, "Content-Disposition", st->res.content_disposition);
    if (st->res.next_cursor[0])
        MHD_add_response_header(r, "X-Next-Cursor", st->res.next_cursor);
    if (st->res.retry_after) {
        char seconds[16];
        snprintf(seconds, sizeof seconds, "%u", st->res.retry_after);
        MHD_add_response_header(r, "Retry-After", seconds);
    }
    if (st->close_connection)
        MHD_add_response_header(r, "Connection", "close");
    if (st->res.status == 405) {
        char allow[128];
        allowed_methods(st->req.path, allow, sizeof allow);
        MHD_add_response_header(r, "Allow", allow);
    }
    enum MHD_Result ok = MHD_queue_response(conn, st->res.status, r);
    MHD_destroy_response(r);
    return ok;
}

/* Everything a request needs beyond its state, kept together so one
 * allocation holds it. */
struct request_block {
    struct request_state st;
    char param_storage[512];
    char path[1];
};

/* The watch of a connection's head deadline, kept as its socket context. */
static struct ap_http_watch *connection_watch(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return info ? info->socket_context : NULL;
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    struct ap_http_server *s = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *info =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = info ? ap_http_deadlines_watch(s->deadlines, info->connect_fd) : NULL;
    } else {
        ap_http_deadlines_forget(s->deadlines, *socket_context);
        *socket_context = NULL;
    }
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    struct ap_http_server *s = cls;
    struct request_block *blk = *con_cls;
    if (blk == NULL) {
        ap_http_deadlines_head_arrived(connection_watch(conn));
        size_t path_len = strlen(url);
        blk = ap_calloc(1, sizeof *blk + path_len);
        memcpy(blk->path, url, path_len + 1);
        struct request_state *st = &blk->st;
        st->started_us = ap_time_now_us();
        st->req.method = method;
        st->req.path = blk->path;
        st->req.connection = conn;
        st->req.config = &s->config;
        st->req.gaps = s->gaps;
        st->req.gap_worker = s->gap_worker;
        st->req.metrics = s->metrics;
        st->req.answers = s->answers;
        st->req.embedder = s->embedder;
        st->req.content_type = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
        ap_buf_init(&st->req.body, s->config.max_body);
        ap_buf_init(&st->res.body, s->config.max_response);
        atomic_fetch_add(&s->in_flight, 1);
        *con_cls = blk;
        begin_request(s, conn, st, blk->param_storage, sizeof blk->param_storage);
        if (st->answered)
            return send_response(s, conn, st);
        return MHD_YES;
    }
    struct request_state *st = &blk->st;
    if (*upload_data_size > 0) {
        /* An answered request has no route when it was answered for its path
         * (404, 405) or its head; its body, if the library still hands one
         * over, is dropped. */
        bool wanted = !st->answered && !st->body_too_large && !st->over_budget &&
                      st->route->takes_body;
        if (wanted && !st->body_prepaid && !take_budget(s, st, *upload_data_size)) {
            st->over_budget = true;
            ap_buf_free(&st->req.body);
        } else if (wanted && ap_buf_append(&st->req.body, upload_data, *upload_data_size) != AP_OK) {
            st->body_too_large = true;
            ap_buf_free(&st->req.body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (st->answered)
        return MHD_YES;
    st->answered = true;
    if (st->body_too_large) {
        answer_error(&st->res, AP_TOO_LARGE, "body", "request body larger than the server's limit");
        return send_response(s, conn, st);
    }
    if (st->over_budget) {
        answer_over_budget(st);
        return send_response(s, conn, st);
    }
    struct ap_error err;
    ap_error_clear(&err);
    st->req.store = thread_store(s, &err);
    if (st->req.store == NULL) {
        if (st->route->handler == ap_http_handle_health)
            ap_http_health_unavailable(&st->res, &err);
        else
            ap_http_error(&st->res, &err);
        return send_response(s, conn, st);
    }
    st->route->handler(&st->req, &st->res);
    return send_response(s, conn, st);
}

/* Logs the request (never its Authorization header) and frees its state. */
static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct ap_http_server *s = cls;
    struct request_block *blk = *con_cls;
    ap_http_deadlines_await_head(connection_watch(conn));
    if (blk == NULL)
        return;
    struct request_state *st = &blk->st;
    int64_t duration_us = ap_time_now_us() - st->started_us;
    double ms = (double)duration_us / 1000.0;
    char path[256];
    ap_log_escape(st->req.path, path, sizeof path);
    ap_log(AP_LOG_INFO, "msg=request method=%s path=\"%s\" status=%u duration_ms=%.3f%s%s%s",
           st->req.method, path, st->res.status, ms,
           st->req.account.name[0] ? " account=" : "", st->req.account.name,
           toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " aborted=1");
    return_budget(s, st);
    ap_buf_free(&st->req.body);
    ap_buf_free(&st->res.body);
    free(blk);
    *con_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}

static bool parse_listen(const char *listen, struct sockaddr_in *addr, struct ap_error *err)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    if (colon == NULL || (size_t)(colon - listen) >= sizeof host)
        goto bad;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end;
    long port = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || port < 0 || port > 65535)
        goto bad;
    if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &addr->sin_addr) != 1)
        goto bad;
    addr->sin_port = htons((uint16_t)port);
    return true;
bad:
    ap_error_set(err, AP_INVALID, "listen", "\"listen\": \"%s\" is not IPv4-ADDRESS:PORT", listen);
    return false;
}

enum ap_status ap_http_start(const struct ap_http_config *cfg, struct ap_http_server **out,
                             struct ap_error *err)
{
    struct sockaddr_in addr;
    *out = NULL;
    if (!parse_listen(cfg->listen, &addr, err))
        return AP_INVALID;
    if (ap_token_library_init(err) != AP_OK)
        return err->status;
    struct ap_http_server *s = ap_calloc(1, sizeof *s);
    s->config = *cfg;
    s->db_url = ap_strdup(cfg->db_url);
    s->web_root = ap_strdup(cfg->web_root ? cfg->web_root : "");
    s->config.db_url = s->db_url;
    s->config.web_root = s->web_root;
    pthread_key_create(&s->store_key, destroy_thread_store);
    s->gaps = ap_gaps_new(NULL);
    ap_gaps_regroup_in_background(s->gaps, cfg->regroup);
    s->metrics = ap_http_metrics_new(ap_http_route_count);
    s->ratelimit = ap_http_ratelimit_new(cfg->rate_limit, cfg->rate_burst);
    s->deadlines = ap_http_deadlines_start(cfg->head_timeout_s);
    s->answers = ap_answers_cache_new();
    if (cfg->embeddings.url) {
        s->embedder = ap_embedder_start(&cfg->embeddings, s->db_url);
        ap_answers_cache_set_embedder(s->answers, s->embedder);
    }
    s->config.embeddings.key = NULL; /* the embedder keeps its own copy */
    s->gap_worker = ap_gap_worker_start(s->db_url, s->gaps, s->embedder);
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_USE_ERROR_LOG,
        0, NULL, NULL, on_request, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads ? cfg->threads : 1),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_CONNECTION_TIMEOUT, cfg->idle_timeout_s,
        MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_connections_per_ip,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, HEAD_MEMORY,
        MHD_OPTION_END);
    if (s->daemon == NULL) {
        ap_error_set(err, AP_UNAVAILABLE, "listen", "cannot listen on %s (in use?)", cfg->listen);
        pthread_key_delete(s->store_key);
        ap_gap_worker_stop(s->gap_worker);
        ap_embedder_stop(s->embedder);
        ap_gaps_destroy(s->gaps);
        ap_http_metrics_free(s->metrics);
        ap_http_ratelimit_free(s->ratelimit);
        ap_http_deadlines_stop(s->deadlines);
        ap_answers_cache_destroy(s->answers);
        free(s->db_url);
        free(s->web_root);
        free(s);
        return AP_UNAVAILABLE;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : ntohs(addr.sin_port);
    start_checkpointer(s);
    *out = s;
    return AP_OK;
}

uint16_t ap_http_port(const struct ap_http_server *server)
{
    return server->port;
}

void ap_http_stop(struct ap_http_server *s)
{
    if (s == NULL)
        return;
    MHD_socket listener = MHD_quiesce_daemon(s->daemon);
    if (listener != MHD_INVALID_SOCKET)
        close(listener);
    for (int i = 0; i < GRACE_SECONDS * 100 && atomic_load(&s->in_flight) > 0; i++) {
        struct timespec pause = {0, 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
    MHD_stop_daemon(s->daemon);
    ap_http_deadlines_stop(s->deadlines);
    pthread_key_delete(s->store_key);
    ap_gap_worker_stop(s->gap_worker);
    ap_embedder_stop(s->embedder);
    stop_checkpointer(s);
    ap_gaps_destroy(s->gaps);
    ap_http_metrics_free(s->metrics);
    ap_http_ratelimit_free(s->ratelimit);
    ap_answers_cache_destroy(s->answers);
    free(s->db_url);
    free(s->web_root);
    free(s);
}
