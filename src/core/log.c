/* Structured logging: one logfmt line per call on stderr. The level is the only
 * process-wide setting; it is written once at start-up. */
#include "core.h"

#include <stdatomic.h>
#include <stdio.h>

static _Atomic int log_level = AP_LOG_INFO;

void ap_log_set_level(enum ap_log_level level)
{
    atomic_store(&log_level, (int)level);
}

void ap_log(enum ap_log_level level, const char *fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    if ((int)level < atomic_load(&log_level))
        return;
    char ts[AP_TIME_RFC3339_MAX];
    ap_time_format_rfc3339(ap_time_now_us(), ts);
    char line[2048];
    int n = snprintf(line, sizeof line, "ts=%s level=%s ", ts, names[level]);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
    va_end(ap);
    fprintf(stderr, "%s\n", line);
}

void ap_log_escape(const char *in, char *out, size_t size)
{
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (const unsigned char *p = (const unsigned char *)in; *p && o + 5 < size; p++) {
        if (*p < 0x20 || *p == 0x7f || *p == '"' || *p == '\\') {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o] = '\0';
}
