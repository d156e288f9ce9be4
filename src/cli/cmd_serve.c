/* `agentperf serve`: runs the HTTP server until SIGTERM or SIGINT, then stops
 * gracefully (requests in flight finish, new connections are refused). */
#include <signal.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "http/http.h"

/* The model server's settings; the API key from AGENTPERF_EMBEDDINGS_KEY or
 * the key file, never from the command line (it would show in `ps`). The
 * caller frees *key. */
static bool embeddings_config(struct ap_cli_args *args, struct ap_embed_config *cfg, char **key)
{
    struct ap_error err;
    size_t batch, concurrency, timeout, hold, wait, dims;
    *key = NULL;
    cfg->url = ap_cli_get(args, "embeddings-url");
    cfg->model = ap_cli_get(args, "embeddings-model");
    if (!ap_cli_get_size(args, "embeddings-batch", 1, AP_EMBED_BATCH_MAX, &batch) ||
        !ap_cli_get_size(args, "embeddings-concurrency", 1, AP_EMBED_CONCURRENCY_MAX,
                         &concurrency) ||
        !ap_cli_get_size(args, "embeddings-timeout", 50, 600000, &timeout) ||
        !ap_cli_get_size(args, "embeddings-hold", 0, 60000, &hold) ||
        !ap_cli_get_size(args, "embeddings-match-wait", 0, 10000, &wait) ||
        !ap_cli_get_size(args, "embeddings-dims", 0, AP_EMBED_DIMS_MAX, &dims))
        return false;
    cfg->batch = batch;
    cfg->concurrency = concurrency;
    cfg->timeout_ms = (unsigned)timeout;
    cfg->hold_ms = (unsigned)hold;
    cfg->match_wait_ms = (unsigned)wait;
    cfg->dims = dims;
    if (cfg->url == NULL || cfg->url[0] == '\0') {
        cfg->url = NULL;
        return true;
    }
    if (strncmp(cfg->url, "http://", 7) != 0 && strncmp(cfg->url, "https://", 8) != 0) {
        ap_error_set(&err, AP_INVALID, "embeddings-url", "--embeddings-url must be an http:// "
                                                         "or https:// URL");
        ap_cli_fail(args, &err);
        return false;
    }
    if (cfg->model == NULL || cfg->model[0] == '\0' ||
        strlen(cfg->model) > AP_EMBED_MODEL_MAX) {
        ap_error_set(&err, AP_INVALID, "embeddings-model", "--embeddings-url needs "
                                                           "--embeddings-model NAME");
        ap_cli_fail(args, &err);
        return false;
    }
    const char *file = ap_cli_get(args, "embeddings-key-file");
    const char *env = getenv("AGENTPERF_EMBEDDINGS_KEY");
    if (file) {
        ap_error_clear(&err);
        *key = ap_embed_read_key_file(file, &err);
        if (*key == NULL) {
            ap_cli_fail(args, &err);
            return false;
        }
    } else if (env && env[0]) {
        *key = ap_strdup(env);
    }
    cfg->key = *key;
    return true;
}

int ap_cmd_serve(struct ap_cli_args *args)
{
    struct ap_http_config cfg;
    struct ap_error err;
    size_t threads, rate, burst, max_future, connections, per_ip, head_timeout, idle_timeout;
    ap_http_config_init(&cfg);
    cfg.db_url = ap_cli_get(args, "db");
    cfg.listen = ap_cli_get(args, "listen");
    cfg.web_root = ap_cli_get(args, "web-root");
    cfg.regroup = ap_cli_get(args, "regroup") != NULL;
    if (!ap_cli_get_size(args, "threads", 1, 256, &threads) ||
        !ap_cli_get_size(args, "max-body", 1024, (size_t)1 << 32, &cfg.max_body) ||
        !ap_cli_get_size(args, "max-line", 64, (size_t)1 << 30, &cfg.max_line) ||
        !ap_cli_get_size(args, "max-events", 0, (size_t)1 << 30, &cfg.max_events) ||
        !ap_cli_get_size(args, "rate-limit", 0, 1000000, &rate) ||
        !ap_cli_get_size(args, "rate-burst", 1, 100000000, &burst) ||
        !ap_cli_get_size(args, "max-future", 0, AP_CLI_MAX_FUTURE_S, &max_future) ||
        !ap_cli_get_size(args, "body-budget", cfg.max_body, (size_t)1 << 40, &cfg.body_budget) ||
        !ap_cli_get_size(args, "max-response", 4096, (size_t)1 << 40, &cfg.max_response) ||
        !ap_cli_get_size(args, "max-connections", 1, 100000, &connections) ||
        !ap_cli_get_size(args, "max-connections-per-ip", 0, 100000, &per_ip) ||
        !ap_cli_get_size(args, "head-timeout", 0, 3600, &head_timeout) ||
        !ap_cli_get_size(args, "idle-timeout", 1, 86400, &idle_timeout))
        return AP_EXIT_USAGE;
    char *key;
    if (!embeddings_config(args, &cfg.embeddings, &key))
        return AP_EXIT_USAGE;
    cfg.max_connections = (unsigned)connections;
    cfg.max_connections_per_ip = (unsigned)per_ip;
    cfg.head_timeout_s = (unsigned)head_timeout;
    cfg.idle_timeout_s = (unsigned)idle_timeout;
    cfg.max_future_s = (int64_t)max_future;
    cfg.rate_limit = (double)rate;
    cfg.rate_burst = (double)burst;
    cfg.threads = (unsigned)threads;

    /* Open once up front so a bad database fails here, with migrations done
     * before the first request. A database server that is down is not a
     * reason to stay down with it: the server starts, /healthz answers 503,
     * and each worker connects when the database is back. */
    struct ap_store *store;
    ap_error_clear(&err);
    if (ap_store_open(cfg.db_url, &store, &err) == AP_OK)
        ap_store_destroy(store);
    else if (err.status == AP_UNAVAILABLE && ap_store_url_is_server(cfg.db_url))
        ap_log(AP_LOG_WARN, "msg=database_unavailable error=\"%s\"", err.message);
    else {
        free(key);
        return ap_cli_fail(args, &err);
    }

    /* Block the stop signals before any thread starts, so every worker inherits
     * the mask and only sigwait below sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct ap_http_server *server;
    ap_error_clear(&err);
    enum ap_status started = ap_http_start(&cfg, &server, &err);
    if (key) { /* the embedder holds its own copy */
        sodium_memzero(key, strlen(key));
        free(key);
    }
    if (started != AP_OK)
        return ap_cli_fail(args, &err);
    if (cfg.embeddings.url)
        ap_log(AP_LOG_INFO, "msg=\"embeddings on\" model=\"%s\" batch=%zu concurrency=%zu",
               cfg.embeddings.model, cfg.embeddings.batch, cfg.embeddings.concurrency);
    ap_log(AP_LOG_INFO, "msg=listening url=http://%.*s:%u db=\"%s\"",
           (int)(strrchr(cfg.listen, ':') - cfg.listen), cfg.listen, ap_http_port(server),
           cfg.db_url);
    int sig = 0;
    sigwait(&stop, &sig);
    ap_log(AP_LOG_INFO, "msg=stopping signal=%d", sig);
    ap_http_stop(server);
    ap_log(AP_LOG_INFO, "msg=stopped");
    return AP_EXIT_OK;
}
