/* Embeddings from the team's model server (docs/internals/embed.md): the
 * OpenAI-compatible `POST {url}/v1/embeddings` that Ollama, llama.cpp's server,
 * vLLM, text-embeddings-inference and OpenAI serve, spoken through libcurl;
 * the parser of its answers; and the embedder, a background worker that
 * embeds knowledge-gap questions in batches, caches every vector in the store
 * by (model, text hash), and counts what happened for /metrics and /healthz.
 * Nothing here is on the ingest path: when the server is slow or down,
 * agentperf goes on with text alone. */
#ifndef AP_EMBED_H
#define AP_EMBED_H

#include "core/core.h"
#include "store/store.h"

#define AP_EMBED_DIMS_MIN 8
#define AP_EMBED_DIMS_MAX 4096     /* = AP_EMBEDDING_MAX of an event's own embedding */
#define AP_EMBED_BATCH_MAX 256     /* texts in one request */
#define AP_EMBED_CONCURRENCY_MAX 16
#define AP_EMBED_MODEL_MAX 200
/* Bytes of a text sent to the server: longer ones are cut (on a character
 * boundary). Most embedding models read 512 tokens or more, about this many
 * characters, and a text past a model's limit makes some servers refuse the
 * whole batch, which would stall every text behind it. */
#define AP_EMBED_TEXT_MAX 2048
#define AP_EMBED_KEY_MAX 4096
/* The largest answer read from the server: a full batch of the largest
 * vectors written with 24 characters a number, and some room. */
#define AP_EMBED_RESPONSE_MAX ((size_t)AP_EMBED_BATCH_MAX * AP_EMBED_DIMS_MAX * 24 + 65536)

/* What went wrong with one request, each counted apart in /metrics
 * (agentperf_embeddings_failures_total{kind}). */
#define AP_EMBED_FAULT_MAP(X)                                      \
    X(NONE, "none")                                                \
    X(TIMEOUT, "timeout")         /* no whole answer in time */    \
    X(CONNECT, "connect")         /* refused, unreachable, reset */ \
    X(HTTP_4XX, "http_4xx")       /* the server refused the request */ \
    X(HTTP_5XX, "http_5xx")       /* the server failed */          \
    X(TOO_LARGE, "too_large")     /* an answer past AP_EMBED_RESPONSE_MAX */ \
    X(GARBAGE, "garbage")         /* not the expected JSON */      \
    X(DIMENSIONS, "dimensions")   /* vectors of the wrong or differing sizes */

enum ap_embed_fault {
#define AP_EMBED_FAULT_ENUM(name, str) AP_EMBED_##name,
    AP_EMBED_FAULT_MAP(AP_EMBED_FAULT_ENUM)
#undef AP_EMBED_FAULT_ENUM
    AP_EMBED__FAULT_COUNT
};

const char *ap_embed_fault_name(enum ap_embed_fault fault);

/* --- the wire format (parse.c) ---------------------------------------------------- */

/* n vectors of dims doubles each, row after row. Owns values: release with
 * ap_embed_vectors_free (which accepts a zeroed struct). */
struct ap_embed_vectors {
    double *values;
    size_t n, dims;
};

void ap_embed_vectors_free(struct ap_embed_vectors *v);

/* Appends the request body {"model":…,"input":[…]} to out, each text cut to
 * AP_EMBED_TEXT_MAX bytes. */
void ap_embed_request_json(const char *model, const char *const *texts, size_t n,
                           struct ap_buf *out);

/* Reads an answer {"data":[{"index":i,"embedding":[…]},…],…} for n inputs:
 * exactly one finite vector for each index 0..n-1, in any order, all of one
 * length in [AP_EMBED_DIMS_MIN, max_dims] (and equal to want_dims unless it is
 * 0). Other members are ignored. On success *out owns the vectors in input
 * order; on failure it is left empty and `why` (why_size bytes) says what was
 * wrong. Returns AP_EMBED_NONE, GARBAGE or DIMENSIONS. */
enum ap_embed_fault ap_embed_parse_response(const char *body, size_t len, size_t n,
                                            size_t max_dims, size_t want_dims,
                                            struct ap_embed_vectors *out, char *why,
                                            size_t why_size);

/* --- configuration ------------------------------------------------------------------ */

struct ap_embed_config {
    const char *url;       /* base URL; requests go to {url}/v1/embeddings; NULL: off */
    const char *model;
    const char *key;       /* API key (Bearer), or NULL; never logged */
    size_t batch;          /* texts a request, 1..AP_EMBED_BATCH_MAX */
    size_t concurrency;    /* requests at once, 1..AP_EMBED_CONCURRENCY_MAX */
    unsigned timeout_ms;   /* one request, connection included */
    unsigned hold_ms;      /* a new question waits at most this for its embedding */
    unsigned match_wait_ms; /* the match API waits at most this for the question's */
    size_t dims;           /* expected vector length, 0: whatever the first answer says */
};

void ap_embed_config_init(struct ap_embed_config *cfg);

/* Reads the API key from the file `path` (first line, surrounding white space
 * trimmed) into a new string the caller frees; NULL and err set on failure. */
char *ap_embed_read_key_file(const char *path, struct ap_error *err);

/* --- the client (client.c) ----------------------------------------------------------- */

/* One request of a round: texts in, vectors (or a fault) out. The caller
 * owns texts; vectors belongs to the job until ap_embed_vectors_free. */
struct ap_embed_job {
    const char *const *texts;
    size_t n;
    struct ap_embed_vectors vectors;
    enum ap_embed_fault fault;
    long http_status;       /* 0 when no answer came */
    char why[160];          /* the fault, for the log; never holds the key */
};

/* Calls curl_global_init once for the process; call before any thread that
 * uses the client starts. */
void ap_embed_global_init(void);

/* Sends the n jobs at once (n at most AP_EMBED_CONCURRENCY_MAX) and waits for
 * all of them, each within timeout_ms. want_dims as for
 * ap_embed_parse_response. Thread-safe: every call uses its own handles. */
void ap_embed_fetch(const struct ap_embed_config *cfg, struct ap_embed_job *jobs, size_t n,
                    unsigned timeout_ms, size_t want_dims);

/* --- the embedder (embedder.c) ------------------------------------------------------- */

struct ap_embedder;

/* Starts the background worker with its own store connection. The embedder
 * copies cfg (and the key); the caller owns what it passed. Stop it with
 * ap_embedder_stop, which accepts NULL. */
struct ap_embedder *ap_embedder_start(const struct ap_embed_config *cfg, const char *db_url);
void ap_embedder_stop(struct ap_embedder *e);

/* Asks the worker to embed the account's questions that lack a vector;
 * returns at once. */
void ap_embedder_note(struct ap_embedder *e, int64_t account_id);

/* Notes the account and waits until no question of it that waits for a
 * topic lacks a vector (each stored before the call has been tried), at most
 * the configured hold; store is the caller's connection. Accounts with
 * embeddings off do not wait. Returns the id up to which the questions are
 * settled (pass it to ap_gaps_assign_pending_until), INT64_MAX when the
 * wait ended otherwise (time up, failing server, nothing to wait for). Returns at once while the server is failing
 * (backing off), so text alone takes over without a wait. Call
 * ap_embedder_note as questions are stored, so their pass starts at once. */
int64_t ap_embedder_settle(struct ap_embedder *e, struct ap_store *store, int64_t account_id);

/* The text's vector: from the store's cache, else asked of the server within
 * `wait_ms` (then cached). False, with nothing to free, when neither gave
 * one in time or the server is backing off; true and *out owns one vector
 * (n = 1). store is the caller's connection. */
bool ap_embedder_embed(struct ap_embedder *e, struct ap_store *store, const char *text,
                       unsigned wait_ms, struct ap_embed_vectors *out);
/* The cached vector only, never asking the server (for answers' phrasings). */
bool ap_embedder_cached(struct ap_embedder *e, struct ap_store *store, const char *text,
                        struct ap_embed_vectors *out);
/* Asks the worker to embed these texts (answers' phrasings) in the
 * background, into the cache; copies them; drops what does not fit its
 * bounded queue. */
void ap_embedder_want(struct ap_embedder *e, const char *const *texts, size_t n);

const struct ap_embed_config *ap_embedder_config(const struct ap_embedder *e);

/* Prometheus lines (agentperf_embeddings_*) and the /healthz member
 * "embeddings":{…} (without a leading comma). */
void ap_embedder_metrics(struct ap_embedder *e, struct ap_buf *out);
void ap_embedder_health_json(struct ap_embedder *e, struct ap_buf *out);

/* SHA-256 of a text, the cache's key. */
void ap_embed_text_hash(const char *text, uint8_t out[AP_TEXT_HASH_SIZE]);

#endif
