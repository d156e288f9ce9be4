/* agentperf core: status codes, error details, memory wrappers, bounded buffers,
 * RFC 3339 time and structured logging. Every other module links against this. */
#ifndef AP_CORE_H
#define AP_CORE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One status enum for the whole code base, generated with its name and default
 * message from this table (libuv's UV_ERRNO_MAP). BUSY is the soft error: the
 * caller may retry the whole transaction. */
#define AP_STATUS_MAP(X)                                             \
    X(OK, "ok", "ok")                                                \
    X(INVALID, "invalid", "invalid input")                           \
    X(NOT_FOUND, "not_found", "not found")                           \
    X(METHOD_NOT_ALLOWED, "method_not_allowed", "method not allowed") \
    X(EXISTS, "exists", "already exists")                            \
    X(CONFLICT, "conflict", "conflict")                              \
    X(TOO_LARGE, "too_large", "too large")                           \
    X(UNSUPPORTED, "unsupported_media_type", "unsupported media type") \
    X(UNAUTHORIZED, "unauthorized", "missing or invalid token")     \
    X(FORBIDDEN, "forbidden", "the token's role does not allow this") \
    X(RATE_LIMITED, "rate_limited", "too many requests")             \
    X(BUSY, "busy", "storage busy, retry")                           \
    X(UNAVAILABLE, "unavailable", "storage unavailable")             \
    X(STORAGE, "storage", "storage error")                           \
    X(IO, "io", "input/output error")                                \
    X(INTERNAL, "internal", "internal error")

enum ap_status {
#define AP_STATUS_ENUM(name, code, msg) AP_##name,
    AP_STATUS_MAP(AP_STATUS_ENUM)
#undef AP_STATUS_ENUM
    AP_STATUS__COUNT
};

/* The machine-readable code ("not_found") and the default message of a status. */
const char *ap_status_code(enum ap_status status);
const char *ap_status_message(enum ap_status status);

/* Error details filled by the callee into a buffer the caller owns (redis anet.h).
 * `field` names the offending input field, or is empty. */
struct ap_error {
    enum ap_status status;
    char field[64];
    char message[256];
};

void ap_error_clear(struct ap_error *err);
/* Sets *err (when err is not NULL) and returns `status`, so callers can write
 * `return ap_error_set(err, AP_INVALID, "at", "not an RFC 3339 timestamp");`. */
enum ap_status ap_error_set(struct ap_error *err, enum ap_status status, const char *field,
                            const char *fmt, ...) __attribute__((format(printf, 4, 5)));
enum ap_status ap_error_vset(struct ap_error *err, enum ap_status status, const char *field,
                             const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

/* Allocation wrappers: they abort with a message when memory runs out (redis
 * zmalloc.c), so callers never handle NULL from them. */
void *ap_malloc(size_t size);
void *ap_calloc(size_t count, size_t size);
void *ap_realloc(void *ptr, size_t size);
char *ap_strdup(const char *s);
char *ap_strndup(const char *s, size_t n);

/* Copies src (NULL counts as "") into dst of `size` bytes, truncating on a
 * UTF-8 character boundary, always NUL-terminated; returns the length copied.
 * A cheap snprintf("%s"). */
size_t ap_copy_str(char *dst, size_t size, const char *src);

/* A growable byte buffer with a hard maximum (curl DYNBUF.md). The buffer owns
 * `data`; it is always NUL-terminated when len > 0 or after any append.
 * Errors are sticky, as with SQLite's sqlite3_str: an append past `max` fails
 * with AP_TOO_LARGE, and so does every later append, writing nothing. A
 * document can therefore be written without checking each append, and its
 * owner checks ap_buf_status once at the end: what the buffer holds after a
 * failure is a truncated document, kept (until ap_buf_free) only so that no
 * reader finds NULL where it had data. ap_buf_reset and ap_buf_free clear the
 * error. */
struct ap_buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
    enum ap_status status; /* AP_OK, or the first failure */
};

void ap_buf_init(struct ap_buf *buf, size_t max);
void ap_buf_free(struct ap_buf *buf);
void ap_buf_reset(struct ap_buf *buf); /* keeps the allocation, len = 0 */
/* Makes room for `extra` more bytes in one allocation (a body whose length is
 * known), or fails like an append past `max`. */
enum ap_status ap_buf_reserve(struct ap_buf *buf, size_t extra);
enum ap_status ap_buf_append(struct ap_buf *buf, const void *data, size_t len);
enum ap_status ap_buf_append_str(struct ap_buf *buf, const char *s);
enum ap_status ap_buf_append_char(struct ap_buf *buf, char c);
enum ap_status ap_buf_printf(struct ap_buf *buf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends `s` as a JSON string literal, quotes included. A byte that does not
 * begin a well-formed UTF-8 sequence is written as U+FFFD, so the literal is
 * valid JSON whatever `s` holds. */
enum ap_status ap_buf_append_json_string(struct ap_buf *buf, const char *s, size_t len);
/* AP_OK, or the first failure of any append since init, reset or free. */
enum ap_status ap_buf_status(const struct ap_buf *buf);
/* AP_OK, or AP_INTERNAL with the buffer's failure set into err ("WHAT larger
 * than its limit of N bytes"): for documents the program writes, whose limit
 * is the program's, not the fault of whoever asked for them. */
enum ap_status ap_buf_check(const struct ap_buf *buf, const char *what, struct ap_error *err);
/* Appends src's bytes, or, when src failed, makes dst fail the same way: a
 * part written apart never enters a document truncated. */
enum ap_status ap_buf_append_buf(struct ap_buf *dst, const struct ap_buf *src);
/* Hands the data over to the caller (who frees it with free()); the buffer is reset. */
char *ap_buf_steal(struct ap_buf *buf, size_t *len);

/* Time: microseconds since the Unix epoch, UTC. */
#define AP_USEC_PER_SEC INT64_C(1000000)
int64_t ap_time_now_us(void);
/* Parses an RFC 3339 date-time with offset. Up to nine fractional digits are
 * accepted; digits below the microsecond are dropped (see docs/events.md). */
bool ap_time_parse_rfc3339(const char *s, size_t len, int64_t *out_us);
/* Writes the UTC form ("2026-11-02T09:15:00.25Z", fraction trimmed) into out. */
#define AP_TIME_RFC3339_MAX 40
void ap_time_format_rfc3339(int64_t us, char out[AP_TIME_RFC3339_MAX]);
/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t ap_days_from_civil(int64_t y, unsigned m, unsigned d);
void ap_civil_from_days(int64_t days, int64_t *y, unsigned *m, unsigned *d);

/* The index of `name` in a table of n names, or -1: the lookup behind every
 * name-to-enum parser generated from an X-macro table. */
int ap_name_index(const char *const *names, size_t n, const char *name);

/* UTF-8 helpers. */
/* Decodes one well-formed UTF-8 sequence at s (len bytes available); returns
 * its length and the code point, or 0 for overlongs, surrogates, values past
 * U+10FFFF and truncated or malformed bytes. */
size_t ap_utf8_decode(const unsigned char *s, size_t len, uint32_t *cp);
bool ap_utf8_valid(const char *s, size_t len);
/* Number of code points in valid UTF-8. */
size_t ap_utf8_length(const char *s, size_t len);
/* True when no code point is a control character (C0, DEL or C1). */
bool ap_utf8_printable(const char *s, size_t len);
/* Removes, in place, every byte of s (NUL-terminated) that does not begin a
 * well-formed sequence, so a string cut mid-character by a fixed buffer or a
 * printf precision becomes valid UTF-8; returns the new length. */
size_t ap_utf8_scrub(char *s);
/* The length of the longest prefix of s (len bytes) of at most max bytes that
 * does not split a multi-byte sequence: where to truncate. */
size_t ap_utf8_prefix(const char *s, size_t len, size_t max);

/* Structured log lines on stderr: "ts=... level=info msg=... key=value ...".
 * Callers pass already formatted key=value pairs; never pass a token. */
enum ap_log_level { AP_LOG_DEBUG, AP_LOG_INFO, AP_LOG_WARN, AP_LOG_ERROR };
void ap_log_set_level(enum ap_log_level level);
void ap_log(enum ap_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Copies untrusted text for a quoted log value: control characters, quotes and
 * backslashes become \xNN, so no input can end a value or a line. */
void ap_log_escape(const char *in, char *out, size_t size);

#endif
