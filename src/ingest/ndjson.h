/* A reader of newline-delimited JSON from memory or a stream, with a cap on the
 * length of one line. It only splits lines; parsing is ap_event_parse's job. */
#ifndef AP_NDJSON_H
#define AP_NDJSON_H

#include <stdio.h>

#include "core/core.h"

enum ap_ndjson_result {
    AP_NDJSON_LINE,     /* a non-blank line is ready */
    AP_NDJSON_TOO_LONG, /* this line exceeded the cap; it was skipped */
    AP_NDJSON_END,
    AP_NDJSON_IO_ERROR,
};

/* The reader borrows the stream or memory it reads; it owns its buffer, which
 * ap_ndjson_free releases. A returned line stays valid until the next call. */
struct ap_ndjson_reader {
    FILE *fp;
    const char *mem;
    size_t mem_len;
    char *buf;      /* stream mode: bytes read but not yet returned */
    size_t start, end, cap;
    size_t pos;     /* memory mode: next byte */
    size_t max_line;
    size_t line_no; /* 1-based number of the line last returned */
    int eof;
};

void ap_ndjson_init_stream(struct ap_ndjson_reader *r, FILE *fp, size_t max_line);
void ap_ndjson_init_memory(struct ap_ndjson_reader *r, const char *data, size_t len,
                           size_t max_line);
void ap_ndjson_free(struct ap_ndjson_reader *r);
/* Blank lines are skipped (their numbers still count); a trailing \r is removed. */
enum ap_ndjson_result ap_ndjson_next(struct ap_ndjson_reader *r, const char **line, size_t *len);

#endif
