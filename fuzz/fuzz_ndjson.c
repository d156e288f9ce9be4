/* libFuzzer target: a request body through the NDJSON reader with a small
 * line cap (taken from the first byte), each line through ap_event_parse. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/event.h"
#include "ingest/ndjson.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t max_line = 16 + (size_t)data[0] * 8;
    char *body = malloc(size - 1 ? size - 1 : 1);
    memcpy(body, data + 1, size - 1);
    struct ap_ndjson_reader r;
    ap_ndjson_init_memory(&r, body, size - 1, max_line);
    const char *line;
    size_t len, last_no = 0;
    enum ap_ndjson_result res;
    while ((res = ap_ndjson_next(&r, &line, &len)) != AP_NDJSON_END) {
        if (res == AP_NDJSON_IO_ERROR || r.line_no <= last_no)
            abort(); /* memory never fails; line numbers only grow */
        last_no = r.line_no;
        if (res != AP_NDJSON_LINE)
            continue;
        if (len > max_line)
            abort();
        struct ap_event ev;
        struct ap_error err;
        ap_error_clear(&err);
        if (ap_event_parse(line, len, &ev, &err) == AP_OK)
            ap_event_free(&ev);
    }
    ap_ndjson_free(&r);
    free(body);
    return 0;
}
