/* Allocation wrappers that abort on exhaustion, and the bounded growable buffer. */
#include "core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void out_of_memory(size_t size)
{
    fprintf(stderr, "agentperf: out of memory allocating %zu bytes\n", size);
    abort();
}

void *ap_malloc(size_t size)
{
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        out_of_memory(size);
    return p;
}

void *ap_calloc(size_t count, size_t size)
{
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL)
        out_of_memory(count * size);
    return p;
}

void *ap_realloc(void *ptr, size_t size)
{
    void *p = realloc(ptr, size ? size : 1);
    if (p == NULL)
        out_of_memory(size);
    return p;
}

char *ap_strndup(const char *s, size_t n)
{
    char *p = ap_malloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *ap_strdup(const char *s)
{
    return ap_strndup(s, strlen(s));
}

size_t ap_copy_str(char *dst, size_t size, const char *src)
{
    size_t len = src ? strnlen(src, size) : 0;
    if (len == size)
        len = ap_utf8_prefix(src, len, size - 1);
    memcpy(dst, src ? src : "", len);
    dst[len] = '\0';
    return len;
}

void ap_buf_init(struct ap_buf *buf, size_t max)
{
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->max = max;
    buf->status = AP_OK;
}

void ap_buf_free(struct ap_buf *buf)
{
    free(buf->data);
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->status = AP_OK;
}

void ap_buf_reset(struct ap_buf *buf)
{
    buf->len = 0;
    buf->status = AP_OK;
    if (buf->data)
        buf->data[0] = '\0';
}

enum ap_status ap_buf_status(const struct ap_buf *buf)
{
    return buf->status;
}

enum ap_status ap_buf_check(const struct ap_buf *buf, const char *what, struct ap_error *err)
{
    if (buf->status == AP_OK)
        return AP_OK;
    if (buf->status == AP_TOO_LARGE)
        return ap_error_set(err, AP_INTERNAL, "", "%s larger than its limit of %zu bytes", what,
                            buf->max);
    return ap_error_set(err, AP_INTERNAL, "", "%s could not be written", what);
}

/* Makes room for `extra` more bytes plus the terminating NUL. The first
 * failure sticks: every later append fails with it and writes nothing. */
enum ap_status ap_buf_reserve(struct ap_buf *buf, size_t extra)
{
    if (buf->status != AP_OK)
        return buf->status;
    if (extra > buf->max || buf->len > buf->max - extra) {
        buf->status = AP_TOO_LARGE;
        return AP_TOO_LARGE;
    }
    size_t need = buf->len + extra + 1;
    if (need <= buf->cap)
        return AP_OK;
    size_t cap = buf->cap ? buf->cap : 64;
    while (cap < need)
        cap *= 2;
    if (cap > buf->max + 1)
        cap = buf->max + 1;
    buf->data = ap_realloc(buf->data, cap);
    buf->cap = cap;
    return AP_OK;
}

enum ap_status ap_buf_append(struct ap_buf *buf, const void *data, size_t len)
{
    enum ap_status rc = ap_buf_reserve(buf, len);
    if (rc != AP_OK)
        return rc;
    if (len)
        memcpy(buf->data + buf->len, data, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
    return AP_OK;
}

enum ap_status ap_buf_append_str(struct ap_buf *buf, const char *s)
{
    return ap_buf_append(buf, s, strlen(s));
}

enum ap_status ap_buf_append_char(struct ap_buf *buf, char c)
{
    return ap_buf_append(buf, &c, 1);
}

enum ap_status ap_buf_printf(struct ap_buf *buf, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (buf->status != AP_OK)
        return buf->status;
    if (n < 0) {
        buf->status = AP_INTERNAL;
        return AP_INTERNAL;
    }
    if ((size_t)n < sizeof small)
        return ap_buf_append(buf, small, (size_t)n);
    enum ap_status rc = ap_buf_reserve(buf, (size_t)n);
    if (rc != AP_OK)
        return rc;
    va_start(ap, fmt);
    vsnprintf(buf->data + buf->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    buf->len += (size_t)n;
    return AP_OK;
}

/* The JSON escape of an ASCII control character, quote or backslash. */
static size_t json_escape(unsigned char c, char esc[7])
{
    static const char hex[] = "0123456789abcdef";
    static const char short_forms[][2] = {{'"', '"'}, {'\\', '\\'}, {'\n', 'n'}, {'\r', 'r'},
                                          {'\t', 't'}, {'\b', 'b'}, {'\f', 'f'}};
    esc[0] = '\\';
    for (size_t i = 0; i < sizeof short_forms / sizeof short_forms[0]; i++) {
        if (short_forms[i][0] == (char)c) {
            esc[1] = short_forms[i][1];
            return 2;
        }
    }
    memcpy(esc + 1, "u00", 3);
    esc[4] = hex[c >> 4];
    esc[5] = hex[c & 15];
    return 6;
}

enum ap_status ap_buf_append_json_string(struct ap_buf *buf, const char *s, size_t len)
{
    static const char replacement[] = "\xef\xbf\xbd"; /* U+FFFD */
    const unsigned char *p = (const unsigned char *)s;
    enum ap_status rc = ap_buf_reserve(buf, len + 2);
    if (rc != AP_OK)
        return rc;
    buf->data[buf->len++] = '"';
    size_t start = 0, i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = c >= 0x80 ? ap_utf8_decode(p + i, len - i, &cp) : 0;
        if (n > 0) {
            i += n;
            continue;
        }
        if ((rc = ap_buf_append(buf, s + start, i - start)) != AP_OK)
            return rc;
        char esc[7];
        if (c >= 0x80)
            rc = ap_buf_append(buf, replacement, sizeof replacement - 1);
        else
            rc = ap_buf_append(buf, esc, json_escape(c, esc));
        if (rc != AP_OK)
            return rc;
        start = ++i;
    }
    if ((rc = ap_buf_append(buf, s + start, len - start)) != AP_OK)
        return rc;
    return ap_buf_append_char(buf, '"');
}

enum ap_status ap_buf_append_buf(struct ap_buf *dst, const struct ap_buf *src)
{
    if (src->status != AP_OK) {
        if (dst->status == AP_OK)
            dst->status = src->status;
        return dst->status;
    }
    return ap_buf_append(dst, src->data, src->len);
}

char *ap_buf_steal(struct ap_buf *buf, size_t *len)
{
    char *data = buf->data;
    if (data == NULL)
        data = ap_strdup("");
    if (len)
        *len = buf->len;
    buf->data = NULL;
    buf->len = 0;
    buf->cap = 0;
    buf->status = AP_OK;
    return data;
}
