/* Report names and the validation of report parameters, shared by the HTTP API
 * and the CLI so both reject the same input with the same message. */
#include <stdio.h>
#include <string.h>

#include "reports/reports.h"
#include "ingest/event.h"
#include "tz/tz.h"

static const char *const report_names[] = {
#define AP_REPORT_STR(name, str) str,
    AP_REPORT_MAP(AP_REPORT_STR)
#undef AP_REPORT_STR
};

const char *ap_report_name(enum ap_report report)
{
    return (unsigned)report < AP_REPORT__COUNT ? report_names[report] : "unknown";
}

bool ap_report_parse(const char *name, enum ap_report *out)
{
    int i = ap_name_index(report_names, AP_REPORT__COUNT, name);
    if (i >= 0)
        *out = (enum ap_report)i;
    return i >= 0;
}

/* A parameter's allowed values and the enum value each maps to. */
struct choice {
    const char *name;
    int value;
};

static const struct choice granularities[] = {
    {"day", AP_GRANULARITY_DAY}, {"week", AP_GRANULARITY_WEEK}, {"month", AP_GRANULARITY_MONTH}, {0}};
static const struct choice formats[] = {
    {"json", AP_FORMAT_JSON}, {"csv", AP_FORMAT_CSV}, {"table", AP_FORMAT_TABLE}, {0}};

static enum ap_status parse_choice(const char *field, const char *value, const struct choice *list,
                                   int *out, struct ap_error *err)
{
    for (const struct choice *c = list; c->name; c++) {
        if (strcmp(value, c->name) == 0) {
            *out = c->value;
            return AP_OK;
        }
    }
    char allowed[128] = "";
    for (const struct choice *c = list; c->name; c++) {
        size_t len = strlen(allowed);
        snprintf(allowed + len, sizeof allowed - len, "%s%s", len ? ", " : "", c->name);
    }
    return ap_error_set(err, AP_INVALID, field, "\"%s\": must be one of %s", field, allowed);
}

enum ap_status ap_report_query_parse(const struct ap_report_params *p, int64_t now_default_us,
                                     struct ap_report_query *q, struct ap_error *err)
{
    memset(q, 0, sizeof *q);
    q->now_us = now_default_us;
    q->granularity = AP_GRANULARITY_WEEK;
    q->format = AP_FORMAT_JSON;
    q->reports = AP_REPORTS_ALL;
    int v;
    if (p->now && !ap_time_parse_rfc3339(p->now, strlen(p->now), &q->now_us))
        return ap_error_set(err, AP_INVALID, "now", "\"now\": not an RFC 3339 timestamp");
    if (p->granularity) {
        if (parse_choice("granularity", p->granularity, granularities, &v, err) != AP_OK)
            return AP_INVALID;
        q->granularity = (enum ap_granularity)v;
    }
    if (p->format) {
        if (parse_choice("format", p->format, formats, &v, err) != AP_OK)
            return AP_INVALID;
        q->format = (enum ap_report_format)v;
    }
    if (p->channel) {
        if (!ap_channel_valid(p->channel, strlen(p->channel)))
            return ap_error_set(err, AP_INVALID, "channel",
                                "\"channel\": must be 1 to 32 characters of [a-z0-9_-]");
        ap_copy_str(q->channel, sizeof q->channel, p->channel);
    }
    if (p->language) {
        size_t len = strlen(p->language);
        bool ok = len >= 2 && len < sizeof q->language;
        for (size_t i = 0; ok && i < len; i++)
            ok = p->language[i] >= 'a' && p->language[i] <= 'z';
        if (!ok)
            return ap_error_set(err, AP_INVALID, "language",
                                "\"language\": a primary language subtag in lower case "
                                "(\"nb\", \"en\", \"und\")");
        memcpy(q->language, p->language, len + 1);
    }
    if ((p->from == NULL) != (p->to == NULL))
        return ap_error_set(err, AP_INVALID, p->from ? "to" : "from",
                            "\"%s\": give both from and to, or neither", p->from ? "to" : "from");
    if (p->from) {
        if (!ap_day_parse(p->from, &q->day_from))
            return ap_error_set(err, AP_INVALID, "from", "\"from\": not a date (YYYY-MM-DD)");
        if (!ap_day_parse(p->to, &q->day_to))
            return ap_error_set(err, AP_INVALID, "to", "\"to\": not a date (YYYY-MM-DD)");
        if (q->day_to <= q->day_from)
            return ap_error_set(err, AP_INVALID, "to", "\"to\": must be after from (to is exclusive)");
        if (q->day_to - q->day_from > AP_REPORT_MAX_DAYS)
            return ap_error_set(err, AP_INVALID, "to", "\"to\": the range is longer than %d days",
                                AP_REPORT_MAX_DAYS);
        q->has_range = true;
    }
    return AP_OK;
}
