/* Route matching against the table of routes.c: kept apart from the server
 * so that the fuzz target (fuzz/fuzz_http.c) can drive it without a socket. */
#include <string.h>

#include "http/http.h"

/* Matches a path against a pattern; {name} segments capture into params. */
bool ap_http_route_match(const char *pattern, const char *path, const char **params,
                          char *storage, size_t storage_size)
{
    size_t used = 0;
    int n = 0;
    while (*pattern && *path) {
        if (*pattern == '{') {
            const char *end = strchr(pattern, '}');
            const char *seg_end = strchr(path, '/');
            size_t len = seg_end ? (size_t)(seg_end - path) : strlen(path);
            if (end == NULL || len == 0 || n >= AP_HTTP_MAX_PARAMS || used + len + 1 > storage_size)
                return false;
            memcpy(storage + used, path, len);
            storage[used + len] = '\0';
            params[n++] = storage + used;
            used += len + 1;
            pattern = end + 1;
            path += len;
            continue;
        }
        if (*pattern++ != *path++)
            return false;
    }
    return *pattern == '\0' && *path == '\0';
}

/* Finds the route for method and path. When the path exists under other
 * methods only, *path_known is set so the caller answers 405. */
const struct ap_http_route *ap_http_route_find(const char *method, const char *path,
                                              const char **params, char *storage, size_t size,
                                              bool *path_known)
{
    *path_known = false;
    for (size_t i = 0; i < ap_http_route_count; i++) {
        const struct ap_http_route *r = &ap_http_routes[i];
        if (!ap_http_route_match(r->pattern, path, params, storage, size))
            continue;
        *path_known = true;
        if (strcmp(r->method, method) == 0)
            return r;
    }
    return NULL;
}
