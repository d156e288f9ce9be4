/* libFuzzer target: the HTTP layer's own parsing. The first line is
 * "METHOD PATH" for the route table's matcher (404/405/params); the next lines
 * are "name=value" query parameters, handed to the report and knowledge-gaps
 * query validators exactly as the handlers do (libmicrohttpd has already
 * split and decoded the query string by then). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gaps/gaps.h"
#include "http/http.h"
#include "reports/reports.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_FIELDS 16

static const char *value_of(char **names, char **values, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return values[i];
    return NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    memcpy(text, data, size);
    text[size] = '\0'; /* libmicrohttpd hands over NUL-terminated strings */

    char *names[MAX_FIELDS], *values[MAX_FIELDS];
    size_t n = 0;
    char *save = NULL;
    char *request = strtok_r(text, "\n", &save);
    for (char *line; n < MAX_FIELDS && (line = strtok_r(NULL, "\n", &save));) {
        char *eq = strchr(line, '=');
        if (eq == NULL)
            continue;
        *eq = '\0';
        names[n] = line;
        values[n++] = eq + 1;
    }

    if (request) {
        char *space = strchr(request, ' ');
        const char *method = "GET", *path = request;
        if (space) {
            *space = '\0';
            method = request;
            path = space + 1;
        }
        const char *params[AP_HTTP_MAX_PARAMS];
        char storage[512];
        bool known;
        const struct ap_http_route *r =
            ap_http_route_find(method, path, params, storage, sizeof storage, &known);
        if (r && (!known || strcmp(r->method, method) != 0))
            abort();
        size_t captures = 0;
        for (const char *p = r ? r->pattern : ""; (p = strchr(p, '{')); p++)
            if (params[captures++][0] == '\0' || strchr(params[captures - 1], '/'))
                abort(); /* a {name} segment is never empty and never spans a '/' */
    }

    struct ap_report_params rp = {
        .from = value_of(names, values, n, "from"),
        .to = value_of(names, values, n, "to"),
        .granularity = value_of(names, values, n, "granularity"),
        .channel = value_of(names, values, n, "channel"),
        .format = value_of(names, values, n, "format"),
        .now = value_of(names, values, n, "now"),
    };
    struct ap_report_query rq;
    struct ap_error err;
    ap_error_clear(&err);
    if (ap_report_query_parse(&rp, 1795000000000000LL, &rq, &err) != AP_OK && !err.message[0])
        abort(); /* every rejection says why */

    struct ap_account account;
    ap_account_init(&account, "fuzz");
    const char *zone = value_of(names, values, n, "zone");
    if (zone)
        ap_account_set_time_zone(&account, zone, &err);
    struct ap_gaps_params gp = {
        .from = value_of(names, values, n, "from"), .to = value_of(names, values, n, "to"),
        .channel = value_of(names, values, n, "channel"),
        .status = value_of(names, values, n, "status"),
        .sort = value_of(names, values, n, "sort"), .limit = value_of(names, values, n, "limit"),
        .offset = value_of(names, values, n, "offset")};
    struct ap_gap_topic_query gq;
    char channel[33];
    ap_gaps_query_parse(&gp, &account, &gq, channel, &err);
    free(text);
    return 0;
}
