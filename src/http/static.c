/* The dashboard's files (SPEC §7), served by the same binary as the API: GET /
 * is web_root/index.html, GET /assets/NAME a file of web_root/assets. A name is
 * one path segment of [A-Za-z0-9._-] that does not start with a dot, with an
 * extension from the table below, so no request reaches outside web_root. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/http.h"

/* The largest file served; the dashboard's bundle is far smaller. */
#define STATIC_MAX_BYTES (8u << 20)
#define STATIC_NAME_MAX 128

/* The page may load its own scripts, styles and images and call its own
 * origin; nothing inline, nothing from elsewhere, never framed. */
static const char DASHBOARD_CSP[] =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'";

struct media_type {
    const char *extension;
    const char *type;
};

/* Files of other types are not served at all. */
static const struct media_type media_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".ico", "image/x-icon"},
    {".woff2", "font/woff2"},
    {".map", "application/json"},
    {".txt", "text/plain; charset=utf-8"},
};

static const char *media_type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof media_types / sizeof media_types[0]; i++)
        if (strcmp(dot, media_types[i].extension) == 0)
            return media_types[i].type;
    return NULL;
}

/* One segment of [A-Za-z0-9._-], not starting with a dot ("..", ".env"). */
static bool safe_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > STATIC_NAME_MAX || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok)
            return false;
    }
    return true;
}

/* The build names assets NAME-HASH.EXT (8 characters of esbuild's content
 * hash), so such a file never changes under its name and may be cached for good. */
static bool fingerprinted(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot == NULL || dot - name < 9 || dot[-9] != '-')
        return false;
    for (const char *p = dot - 8; p < dot; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
            return false;
    return true;
}

static void not_found(struct ap_http_response *res, const char *message)
{
    struct ap_error err;
    ap_error_set(&err, AP_NOT_FOUND, "path", "%s", message);
    ap_http_error(res, &err);
}

/* Reads web_root/dir/name (dir may be "") into res->body. Symbolic links are
 * not followed at the last component, and only regular files are read. */
static bool read_file(const char *web_root, const char *dir, const char *name,
                      struct ap_http_response *res)
{
    char path[4096];
    int n = snprintf(path, sizeof path, "%s/%s%s", web_root, dir, name);
    if (n < 0 || (size_t)n >= sizeof path)
        return false;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = false;
    struct stat sb;
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > STATIC_MAX_BYTES)
        goto out;
    ap_buf_reset(&res->body);
    char chunk[16384];
    for (;;) {
        ssize_t got = read(fd, chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            goto out;
        if (got == 0)
            break;
        if (res->body.len + (size_t)got > STATIC_MAX_BYTES ||
            ap_buf_append(&res->body, chunk, (size_t)got) != AP_OK)
            goto out;
    }
    ok = true;
out:
    close(fd);
    return ok;
}

static void serve_file(struct ap_http_request *req, struct ap_http_response *res, const char *dir,
                       const char *name, const char *cache_control)
{
    const char *type = media_type_of(name);
    if (!safe_name(name) || type == NULL) {
        not_found(res, "no such file");
        return;
    }
    const char *root = req->config->web_root;
    if (root == NULL || root[0] == '\0' || !read_file(root, dir, name, res)) {
        ap_buf_reset(&res->body);
        not_found(res, strcmp(name, "index.html") == 0
                           ? "the dashboard is not built (run `make`, or pass --web-root DIR)"
                           : "no such file");
        return;
    }
    res->status = 200;
    res->content_type = type;
    res->cache_control = cache_control;
    res->csp = DASHBOARD_CSP;
    ap_http_conditional(req, res);
}

/* The page itself is revalidated on every load (a cheap 304), so a new build
 * is picked up at once while its fingerprinted assets stay cached. */
void ap_http_handle_index(struct ap_http_request *req, struct ap_http_response *res)
{
    serve_file(req, res, "", "index.html", "no-cache");
}

void ap_http_handle_asset(struct ap_http_request *req, struct ap_http_response *res)
{
    const char *name = req->params[0];
    serve_file(req, res, "assets/", name,
               fingerprinted(name) ? "public, max-age=31536000, immutable" : "no-cache");
}
