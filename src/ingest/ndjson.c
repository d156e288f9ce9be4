/* NDJSON line splitting. Stream mode reads in large blocks and scans with memchr,
 * which is what lets `agentperf ingest` read a million lines a second. */
#include "ingest/ndjson.h"

#include <stdlib.h>
#include <string.h>

#define READ_BLOCK (1u << 20)

void ap_ndjson_init_stream(struct ap_ndjson_reader *r, FILE *fp, size_t max_line)
{
    memset(r, 0, sizeof *r);
    r->fp = fp;
    r->max_line = max_line;
    r->cap = max_line + READ_BLOCK + 1;
    r->buf = ap_malloc(r->cap);
}

void ap_ndjson_init_memory(struct ap_ndjson_reader *r, const char *data, size_t len,
                           size_t max_line)
{
    memset(r, 0, sizeof *r);
    r->mem = data;
    r->mem_len = len;
    r->max_line = max_line;
}

void ap_ndjson_free(struct ap_ndjson_reader *r)
{
    free(r->buf);
    r->buf = NULL;
}

static bool is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
            return false;
    return true;
}

/* Finds the next raw line (without its \n) in memory mode. */
static bool next_memory_line(struct ap_ndjson_reader *r, const char **line, size_t *len)
{
    if (r->pos >= r->mem_len)
        return false;
    const char *start = r->mem + r->pos;
    const char *nl = memchr(start, '\n', r->mem_len - r->pos);
    size_t n = nl ? (size_t)(nl - start) : r->mem_len - r->pos;
    r->pos += n + (nl != NULL);
    *line = start;
    *len = n;
    return true;
}

/* Reads more of the stream; returns false at end of input or on error. */
static bool refill(struct ap_ndjson_reader *r)
{
    if (r->eof)
        return false;
    if (r->start > 0) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    size_t room = r->cap - 1 - r->end;
    size_t n = fread(r->buf + r->end, 1, room < READ_BLOCK ? room : READ_BLOCK, r->fp);
    r->end += n;
    if (n == 0)
        r->eof = ferror(r->fp) ? -1 : 1;
    return n > 0;
}

/* Stream mode. A line longer than the cap is consumed up to its newline and
 * reported as too long, so one bad line never stops the rest. */
static enum ap_ndjson_result next_stream_line(struct ap_ndjson_reader *r, const char **line,
                                              size_t *len)
{
    bool skipping = false;
    for (;;) {
        char *start = r->buf + r->start;
        size_t avail = r->end - r->start;
        char *nl = memchr(start, '\n', avail);
        if (nl != NULL) {
            size_t n = (size_t)(nl - start);
            r->start += n + 1;
            if (skipping || n > r->max_line)
                return AP_NDJSON_TOO_LONG;
            *line = start;
            *len = n;
            return AP_NDJSON_LINE;
        }
        if (avail > r->max_line) {
            skipping = true;
            r->start = r->end; /* drop what we have of the long line */
        }
        if (!refill(r)) {
            if (r->eof < 0)
                return AP_NDJSON_IO_ERROR;
            avail = r->end - r->start;
            if (skipping)
                return AP_NDJSON_TOO_LONG;
            if (avail == 0)
                return AP_NDJSON_END;
            *line = r->buf + r->start;
            *len = avail;
            r->start = r->end;
            return AP_NDJSON_LINE;
        }
    }
}

enum ap_ndjson_result ap_ndjson_next(struct ap_ndjson_reader *r, const char **line, size_t *len)
{
    for (;;) {
        enum ap_ndjson_result res;
        if (r->fp != NULL) {
            res = next_stream_line(r, line, len);
        } else {
            res = next_memory_line(r, line, len) ? AP_NDJSON_LINE : AP_NDJSON_END;
            if (res == AP_NDJSON_LINE && *len > r->max_line)
                res = AP_NDJSON_TOO_LONG;
        }
        if (res == AP_NDJSON_END || res == AP_NDJSON_IO_ERROR)
            return res;
        r->line_no++;
        if (res == AP_NDJSON_TOO_LONG)
            return res;
        if (*len > 0 && (*line)[*len - 1] == '\r')
            (*len)--;
        if (!is_blank(*line, *len))
            return AP_NDJSON_LINE;
    }
}
