/* The HTTP client of the model server, on libcurl (docs/dependencies.md): one
 * POST {url}/v1/embeddings a job, the jobs of a round sent at once on one
 * multi handle, each bounded in time and in the size of its answer. Every call
 * makes and frees its own handles, so any thread may call it. The API key
 * goes into the Authorization header only; it never appears in a fault text
 * or a log line. */
#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embed/embed.h"

#define URL_MAX 2048
#define REQUEST_MAX ((size_t)AP_EMBED_BATCH_MAX * 6 * AP_EMBED_TEXT_MAX + 4096) /* escaped */

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void ap_embed_global_init(void)
{
    pthread_once(&global_once, global_init);
}

void ap_embed_config_init(struct ap_embed_config *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->batch = 32;
    cfg->concurrency = 2;
    cfg->timeout_ms = 10000;
    cfg->hold_ms = 3000;
    cfg->match_wait_ms = 200;
}

char *ap_embed_read_key_file(const char *path, struct ap_error *err)
{
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        ap_error_set(err, AP_IO, "embeddings-key-file", "cannot read the key file: %s",
                     strerror(errno));
        return NULL;
    }
    char line[AP_EMBED_KEY_MAX + 2];
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    size_t len = got ? strcspn(line, "\r\n") : 0;
    size_t start = 0;
    while (start < len && (line[start] == ' ' || line[start] == '\t'))
        start++;
    while (len > start && (line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    if (len == start) {
        ap_error_set(err, AP_INVALID, "embeddings-key-file", "the key file holds no key");
        return NULL;
    }
    return ap_strndup(line + start, len - start);
}

/* One job on the wire: its request, its answer, its headers. */
struct transfer {
    CURL *easy;
    struct ap_buf request;
    struct ap_buf response;
    struct curl_slist *headers;
    bool too_large;
};

/* libcurl's write callback: answers past the cap end the transfer. */
static size_t on_data(char *data, size_t size, size_t nmemb, void *ctx)
{
    struct transfer *t = ctx;
    size_t len = size * nmemb;
    if (ap_buf_append(&t->response, data, len) != AP_OK) {
        t->too_large = true;
        return 0;
    }
    return len;
}

static void endpoint(const char *base, char *out, size_t size)
{
    size_t len = strlen(base);
    while (len > 0 && base[len - 1] == '/')
        len--;
    snprintf(out, size, "%.*s/v1/embeddings", (int)len, base);
}

static struct curl_slist *headers_for(const char *key)
{
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    h = curl_slist_append(h, "Accept: application/json");
    if (key && key[0]) {
        size_t size = strlen(key) + 32;
        char *line = ap_malloc(size);
        snprintf(line, size, "Authorization: Bearer %s", key);
        h = curl_slist_append(h, line);
        memset(line, 0, size); /* libcurl keeps its own copy */
        free(line);
    }
    return h;
}

static void transfer_setup(struct transfer *t, const struct ap_embed_config *cfg,
                           const struct ap_embed_job *job, const char *url, unsigned timeout_ms)
{
    ap_buf_init(&t->request, REQUEST_MAX);
    ap_buf_init(&t->response, AP_EMBED_RESPONSE_MAX);
    ap_embed_request_json(cfg->model, job->texts, job->n, &t->request);
    t->headers = headers_for(cfg->key);
    t->easy = curl_easy_init();
    CURL *e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->request.data);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->request.len);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)AP_EMBED_RESPONSE_MAX);
    curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(e, CURLOPT_PRIVATE, t);
}

static void transfer_free(struct transfer *t)
{
    if (t->easy)
        curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->headers);
    ap_buf_free(&t->request);
    ap_buf_free(&t->response);
}

/* The fault of a finished transfer from libcurl's result and the status. */
static void judge(struct transfer *t, CURLcode result, struct ap_embed_job *job,
                  const struct ap_embed_config *cfg, size_t want_dims)
{
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    job->http_status = status;
    if (t->too_large || result == CURLE_FILESIZE_EXCEEDED) {
        job->fault = AP_EMBED_TOO_LARGE;
        snprintf(job->why, sizeof job->why, "answer larger than %zu bytes",
                 (size_t)AP_EMBED_RESPONSE_MAX);
    } else if (result == CURLE_OPERATION_TIMEDOUT) {
        job->fault = AP_EMBED_TIMEOUT;
        snprintf(job->why, sizeof job->why, "no answer within %u ms", cfg->timeout_ms);
    } else if (result != CURLE_OK) {
        job->fault = AP_EMBED_CONNECT;
        snprintf(job->why, sizeof job->why, "%s", curl_easy_strerror(result));
    } else if (status >= 400 && status < 500) {
        job->fault = AP_EMBED_HTTP_4XX;
        snprintf(job->why, sizeof job->why, "HTTP status %ld", status);
    } else if (status < 200 || status >= 300) {
        job->fault = AP_EMBED_HTTP_5XX;
        snprintf(job->why, sizeof job->why, "HTTP status %ld", status);
    } else {
        job->fault = ap_embed_parse_response(t->response.data, t->response.len, job->n,
                                             AP_EMBED_DIMS_MAX, want_dims, &job->vectors,
                                             job->why, sizeof job->why);
    }
}

void ap_embed_fetch(const struct ap_embed_config *cfg, struct ap_embed_job *jobs, size_t n,
                    unsigned timeout_ms, size_t want_dims)
{
    if (n > AP_EMBED_CONCURRENCY_MAX)
        n = AP_EMBED_CONCURRENCY_MAX;
    char url[URL_MAX];
    endpoint(cfg->url, url, sizeof url);
    struct transfer transfers[AP_EMBED_CONCURRENCY_MAX];
    memset(transfers, 0, sizeof transfers);
    CURLM *multi = curl_multi_init();
    for (size_t i = 0; i < n; i++) {
        memset(&jobs[i].vectors, 0, sizeof jobs[i].vectors);
        jobs[i].fault = AP_EMBED_NONE;
        jobs[i].why[0] = '\0';
        transfer_setup(&transfers[i], cfg, &jobs[i], url, timeout_ms);
        curl_multi_add_handle(multi, transfers[i].easy);
    }
    int running = 1;
    while (running > 0) {
        if (curl_multi_perform(multi, &running) != CURLM_OK)
            break;
        if (running > 0)
            curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    /* Every transfer ends with a message; one that has none (the multi
     * handle failed) counts as unreachable. */
    bool judged[AP_EMBED_CONCURRENCY_MAX] = {0};
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        for (size_t i = 0; i < n; i++)
            if (transfers[i].easy == msg->easy_handle && !judged[i]) {
                judge(&transfers[i], msg->data.result, &jobs[i], cfg, want_dims);
                judged[i] = true;
            }
    }
    for (size_t i = 0; i < n; i++) {
        if (!judged[i]) {
            jobs[i].fault = AP_EMBED_CONNECT;
            snprintf(jobs[i].why, sizeof jobs[i].why, "transfer did not finish");
        }
        curl_multi_remove_handle(multi, transfers[i].easy);
        transfer_free(&transfers[i]);
    }
    curl_multi_cleanup(multi);
}
