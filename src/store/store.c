/* Backend selection by URL scheme, and the helpers shared by every backend. */
#include "store/store.h"

#include <string.h>
#include <time.h>

#include "store/backends.h"

const char *ap_verdict_name(enum ap_verdict verdict)
{
    static const char *const names[] = {"stored", "duplicate", "conflict", "rejected"};
    return (unsigned)verdict < 4 ? names[verdict] : "unknown";
}

/* Schemes and the backend that opens each; a URL without a known scheme is a
 * path of a SQLite file. PostgreSQL gets the whole URL (libpq parses it). */
static const struct {
    const char *prefix;
    bool keep_prefix;
    enum ap_status (*open)(const char *location, struct ap_store **out, struct ap_error *err);
} backends[] = {
    {"sqlite:", false, ap_sqlite_open},
    {"file:", false, ap_sqlite_open},
    {"postgres://", true, ap_pg_open},
    {"postgresql://", true, ap_pg_open},
};

enum ap_status ap_store_open(const char *url, struct ap_store **out, struct ap_error *err)
{
    *out = NULL;
    if (url == NULL || url[0] == '\0')
        return ap_error_set(err, AP_INVALID, "db", "\"db\": empty database location");
    for (size_t i = 0; i < sizeof backends / sizeof backends[0]; i++) {
        size_t n = strlen(backends[i].prefix);
        if (strncmp(url, backends[i].prefix, n) == 0)
            return backends[i].open(backends[i].keep_prefix ? url : url + n, out, err);
    }
    return ap_sqlite_open(url, out, err);
}

const char *ap_store_file_path(const char *url)
{
    if (url == NULL || ap_store_url_is_server(url) || strncmp(url, "file:", 5) == 0)
        return NULL; /* a server, or a URI whose query can hold anything */
    if (strncmp(url, "sqlite:", 7) == 0)
        url += 7;
    return url[0] == '\0' || strcmp(url, ":memory:") == 0 ? NULL : url;
}

bool ap_store_url_is_server(const char *url)
{
    for (size_t i = 0; url && i < sizeof backends / sizeof backends[0]; i++)
        if (backends[i].keep_prefix && strncmp(url, backends[i].prefix, strlen(backends[i].prefix)) == 0)
            return true;
    return false;
}

enum ap_status ap_store_transact(struct ap_store *s,
                                 enum ap_status (*fn)(struct ap_store *s, void *ctx,
                                                      struct ap_error *err),
                                 void *ctx, struct ap_error *err)
{
    enum { MAX_ATTEMPTS = 20 };
    enum ap_status rc = AP_BUSY;
    for (int attempt = 0; attempt < MAX_ATTEMPTS && rc == AP_BUSY; attempt++) {
        if (attempt > 0) {
            struct timespec pause = {0, (long)(1000000L << (attempt < 6 ? attempt : 6))};
            nanosleep(&pause, NULL);
        }
        rc = ap_store_begin(s, err);
        if (rc != AP_OK)
            continue;
        rc = fn(s, ctx, err);
        if (rc == AP_OK)
            rc = ap_store_commit(s, err);
        if (rc != AP_OK)
            ap_store_rollback(s);
    }
    return rc;
}
