/* The HTTP server: libmicrohttpd with a pool of worker threads, each with its
 * own store connection; routes come from a table (routes.c). */
#ifndef AP_HTTP_H
#define AP_HTTP_H

#include <stdint.h>

#include "account/account.h"
#include "core/core.h"
#include "embed/embed.h"
#include "store/store.h"

struct ap_gaps;
struct ap_gap_worker;
struct ap_http_metrics;

struct ap_http_config {
    const char *db_url;
    const char *listen;   /* "ADDR:PORT"; port 0 picks a free port */
    unsigned threads;
    size_t max_body;
    size_t body_budget;   /* bytes of request bodies buffered at once, all requests together */
    size_t max_response;  /* largest answer document (and each part written for it) */
    size_t max_line;
    size_t max_events;    /* events in one request; 0 for no limit */
    double rate_limit;    /* requests a second per token; 0 for no limit */
    double rate_burst;    /* requests a token may send at once */
    int64_t max_future_s; /* how far ahead of the clock an event may be dated; 0: no bound */
    unsigned max_connections;
    unsigned max_connections_per_ip; /* 0: no limit */
    unsigned head_timeout_s; /* a request head must arrive whole within this; 0: no deadline */
    unsigned idle_timeout_s; /* a connection with no traffic for this long is closed */
    const char *web_root; /* directory of the dashboard's files */
    bool regroup;         /* re-group topics in the background (ap_gaps_regroup_if_due) */
    struct ap_embed_config embeddings; /* the model server; url NULL: none */
};

void ap_http_config_init(struct ap_http_config *cfg);

struct ap_http_server;

/* Starts serving; the caller owns *out and ends it with ap_http_stop. */
enum ap_status ap_http_start(const struct ap_http_config *cfg, struct ap_http_server **out,
                             struct ap_error *err);
/* The port the server listens on (useful with port 0). */
uint16_t ap_http_port(const struct ap_http_server *server);
/* Stops accepting connections, lets requests in flight finish (up to a grace
 * period), then frees the server. Accepts NULL. */
void ap_http_stop(struct ap_http_server *server);

/* --- what route handlers see ------------------------------------------------ */

#define AP_HTTP_MAX_PARAMS 4

struct ap_answers_cache;

/* One request. The server owns it and everything it points to; handlers read
 * it and write their answer into the response. */
struct ap_http_request {
    const char *method;
    const char *path;
    const char *content_type;
    const char *params[AP_HTTP_MAX_PARAMS]; /* values of {name} path segments */
    struct ap_buf body;
    struct ap_store *store;                 /* this worker thread's connection */
    struct ap_gaps *gaps;                   /* the process's grouping models */
    struct ap_gap_worker *gap_worker;       /* assigns after ingests (gap_worker.c) */
    struct ap_http_metrics *metrics;        /* the process's counters */
    struct ap_answers_cache *answers;       /* the server's matchers, shared by all threads */
    struct ap_embedder *embedder;           /* the model server's worker, or NULL */
    struct ap_account account;              /* the token's account, once authenticated */
    struct ap_token token;
    const struct ap_http_config *config;
    void *connection;                       /* struct MHD_Connection *, for ap_http_query */
};

struct ap_http_response {
    unsigned status;
    const char *content_type;
    struct ap_buf body;
    const char *cache_control;
    char content_disposition[128]; /* empty for none */
    char etag[48];                 /* quoted entity tag; empty for none */
    const char *csp;               /* Content-Security-Policy; NULL for the API's */
    unsigned retry_after;          /* seconds, sent as Retry-After when not 0 */
    char next_cursor[1100];        /* sent as X-Next-Cursor when not empty (paged exports) */
};

/* A query-string parameter, or NULL. */
const char *ap_http_query(const struct ap_http_request *req, const char *name);
/* A request header, or NULL. The server owns the string. */
const char *ap_http_header(const struct ap_http_request *req, const char *name);
/* Makes a complete answer conditional: sets the ETag from a hash of the body
 * and, when the request's If-None-Match names that tag, turns the answer into
 * 304 Not Modified with an empty body. Clients polling an unchanged document
 * then get a few hundred bytes back instead of the document. */
void ap_http_conditional(const struct ap_http_request *req, struct ap_http_response *res);
/* The same with the body's bytes [skip_offset, skip_offset + skip_len) left
 * out of the hash, and then a weak tag (W/"…"): for a part that changes on
 * every call without changing the meaning, such as the time of the answer. */
void ap_http_conditional_except(const struct ap_http_request *req, struct ap_http_response *res,
                                size_t skip_offset, size_t skip_len);
/* True when a Content-Type names `type` (parameters such as charset ignored). */
bool ap_http_media_type_is(const char *content_type, const char *type);
/* Sets a JSON response. */
void ap_http_json(struct ap_http_response *res, unsigned status, const char *json, size_t len);
/* Sets the error document of SPEC §7 with the status that fits err. */
void ap_http_error(struct ap_http_response *res, const struct ap_error *err);
/* The HTTP status for a status code (AP_NOT_FOUND → 404, ...). */
unsigned ap_http_status_for(enum ap_status status);

typedef void (*ap_http_handler)(struct ap_http_request *req, struct ap_http_response *res);

struct ap_http_route {
    const char *method;
    const char *pattern;   /* "/v1/gaps/{id}" */
    ap_http_handler handler;
    unsigned roles;        /* AP_ROLE_BIT mask; 0 for a public route */
    bool takes_body;
    const char *const *media_types; /* accepted Content-Types of the body, NULL-terminated */
};

extern const struct ap_http_route ap_http_routes[];
extern const size_t ap_http_route_count;

/* Matches path against a pattern such as "/v1/gaps/{id}"; each {name} segment
 * (non-empty, at most AP_HTTP_MAX_PARAMS) is copied NUL-terminated into storage
 * and params points into it. False when the path does not match or the
 * segments do not fit in storage. */
bool ap_http_route_match(const char *pattern, const char *path, const char **params,
                         char *storage, size_t storage_size);
/* The table's route for method and path, or NULL; *path_known tells whether
 * the path exists under another method (405 rather than 404). */
const struct ap_http_route *ap_http_route_find(const char *method, const char *path,
                                               const char **params, char *storage, size_t size,
                                               bool *path_known);

/* Handlers, referenced by the route table. */
void ap_http_handle_health(struct ap_http_request *req, struct ap_http_response *res);
/* The 503 answer of /healthz when the database cannot be reached. */
void ap_http_health_unavailable(struct ap_http_response *res, const struct ap_error *err);
void ap_http_handle_me(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_events(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_reports(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_conversations(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_conversation(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_report(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_gaps(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_gap(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_gap_rename(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_gap_merge(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_gap_dismiss(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_gap_undismiss(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_gap_questions(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_gap_dismiss_conversations(struct ap_http_request *req,
                                              struct ap_http_response *res);
void ap_http_handle_gap_undismiss_questions(struct ap_http_request *req,
                                            struct ap_http_response *res);
void ap_http_handle_question_move(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_question_dismiss(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_question_undismiss(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_gap_answer_preview(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_gap_answer(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_metrics(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_openapi(struct ap_http_request *req, struct ap_http_response *res);

/* Metrics (metrics.c). The server owns them; handlers add event verdicts. */
struct ap_http_metrics *ap_http_metrics_new(size_t n_routes);
void ap_http_metrics_free(struct ap_http_metrics *m);
void ap_http_metrics_request(struct ap_http_metrics *m, const struct ap_http_route *route,
                             unsigned status, int64_t duration_us);
void ap_http_metrics_events(struct ap_http_metrics *m, uint64_t stored, uint64_t duplicate,
                            uint64_t conflict, uint64_t rejected);
void ap_http_metrics_render(const struct ap_http_metrics *m, const char *db_url,
                            struct ap_buf *out);

/* The topic-assignment worker (gap_worker.c). The server starts one and stops
 * it after its workers stopped; note() asks it to assign an account's
 * questions that wait, and returns at once. */
struct ap_gap_worker *ap_gap_worker_start(const char *db_url, struct ap_gaps *gaps,
                                          struct ap_embedder *embedder);
void ap_gap_worker_note(struct ap_gap_worker *w, int64_t account_id);
void ap_gap_worker_stop(struct ap_gap_worker *w);
/* Per-token rate limiting (ratelimit.c): a token bucket per (account id,
 * token id), account ids being at least 1.
 * ap_http_ratelimit_new returns NULL (no limit) when rate is 0; the caller
 * frees with ap_http_ratelimit_free, which accepts NULL. take() spends one
 * request of the token's bucket, or returns false and the seconds to wait. */
struct ap_http_ratelimit;
struct ap_http_ratelimit *ap_http_ratelimit_new(double rate, double burst);
void ap_http_ratelimit_free(struct ap_http_ratelimit *rl);
bool ap_http_ratelimit_take(struct ap_http_ratelimit *rl, int64_t account_id, int64_t token_id,
                            int64_t now_us, unsigned *retry_after_s);

/* Assigns the account's newly stored questions to topics; logs a failure
 * (assignment is retried on the next read). */
void ap_http_assign_gaps(struct ap_http_request *req);
void ap_http_handle_answers_list(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_answer_get(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_answer_create(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_answer_patch(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_answer_delete(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_answers_match(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_index(struct ap_http_request *req, struct ap_http_response *res);
void ap_http_handle_asset(struct ap_http_request *req, struct ap_http_response *res);

#endif
