/* Status codes and caller-owned error details. */
#include "core.h"

#include <stdio.h>
#include <string.h>

static const char *const status_codes[] = {
#define AP_STATUS_CODE(name, code, msg) code,
    AP_STATUS_MAP(AP_STATUS_CODE)
#undef AP_STATUS_CODE
};

static const char *const status_messages[] = {
#define AP_STATUS_MSG(name, code, msg) msg,
    AP_STATUS_MAP(AP_STATUS_MSG)
#undef AP_STATUS_MSG
};

const char *ap_status_code(enum ap_status status)
{
    return (unsigned)status < AP_STATUS__COUNT ? status_codes[status] : "internal";
}

const char *ap_status_message(enum ap_status status)
{
    return (unsigned)status < AP_STATUS__COUNT ? status_messages[status] : "internal error";
}

void ap_error_clear(struct ap_error *err)
{
    if (err == NULL)
        return;
    err->status = AP_OK;
    err->field[0] = '\0';
    err->message[0] = '\0';
}

enum ap_status ap_error_vset(struct ap_error *err, enum ap_status status, const char *field,
                             const char *fmt, va_list ap)
{
    if (err == NULL)
        return status;
    err->status = status;
    snprintf(err->field, sizeof err->field, "%s", field ? field : "");
    if (fmt != NULL)
        vsnprintf(err->message, sizeof err->message, fmt, ap);
    else
        snprintf(err->message, sizeof err->message, "%s", ap_status_message(status));
    /* A message quotes input; the buffer's size or a "%.64s" may cut one of
     * its characters in half, and the message goes into JSON documents. */
    ap_utf8_scrub(err->field);
    ap_utf8_scrub(err->message);
    return status;
}

enum ap_status ap_error_set(struct ap_error *err, enum ap_status status, const char *field,
                            const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    ap_error_vset(err, status, field, fmt, ap);
    va_end(ap);
    return status;
}

int ap_name_index(const char *const *names, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}
