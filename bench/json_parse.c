/* The JSON library comparison of the ingest benchmark: parses every line of an
 * NDJSON file with jansson (as strictly as events were parsed before the event
 * reader: JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL), with cJSON, with
 * agentperf's own event-line reader (src/ingest/json.c) and with the whole
 * validating event parser, reads the id, frees, and prints MB/s and lines/s.
 * A small table of malformed lines then shows what each library rejects.
 * Usage: json_parse FILE [ROUNDS]  (best of ROUNDS, default 3) */
#include <cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "ingest/event.h"
#include "ingest/json.h"

struct line {
    const char *text;
    size_t len;
};

struct corpus {
    char *data;
    size_t size;
    struct line *lines;
    size_t n;
};

/* One parser under test: parses text, and on success returns the id's length
 * (so the work cannot be optimised away) through *id_len. Returns false when
 * the text is rejected; then, where the library says where, msg tells it. */
typedef bool (*parse_fn)(const char *text, size_t len, size_t *id_len, char *msg,
                         size_t msg_size);

static bool parse_jansson(const char *text, size_t len, size_t *id_len, char *msg,
                          size_t msg_size)
{
    json_error_t error;
    json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &error);
    if (root == NULL) {
        snprintf(msg, msg_size, "line %d column %d: %s", error.line, error.column, error.text);
        return false;
    }
    const char *id = json_string_value(json_object_get(root, "id"));
    *id_len = id ? strlen(id) : 0;
    json_decref(root);
    return true;
}

static bool parse_cjson(const char *text, size_t len, size_t *id_len, char *msg,
                        size_t msg_size)
{
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (root == NULL) {
        /* cJSON reports only a pointer into the input, from a global. */
        const char *at = cJSON_GetErrorPtr();
        snprintf(msg, msg_size, "at byte %td", at ? at - text : -1);
        return false;
    }
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(root, "id");
    *id_len = cJSON_IsString(id) ? strlen(id->valuestring) : 0;
    cJSON_Delete(root);
    return true;
}

static bool parse_ap_json(const char *text, size_t len, size_t *id_len, char *msg,
                          size_t msg_size)
{
    struct ap_json_object root;
    struct ap_error err;
    if (ap_json_parse_object(text, len, &root, &err) != AP_OK) {
        snprintf(msg, msg_size, "%s", err.message);
        return false;
    }
    const struct ap_json_member *id = ap_json_get(&root, "id");
    *id_len = id && id->kind == AP_JSON_STRING ? id->str_len : 0;
    ap_json_object_free(&root);
    return true;
}

/* Not a JSON library: the reader plus every rule of SPEC section 2 and the
 * canonical form, i.e. all the CPU work of one line before the store. */
static bool parse_ap_event(const char *text, size_t len, size_t *id_len, char *msg,
                           size_t msg_size)
{
    struct ap_event ev;
    struct ap_error err;
    if (ap_event_parse(text, len, &ev, &err) != AP_OK) {
        snprintf(msg, msg_size, "%s: %s", err.field, err.message);
        return false;
    }
    *id_len = strlen(ev.id);
    ap_event_free(&ev);
    return true;
}

static const struct parser {
    const char *name;
    parse_fn parse;
    bool json_reader; /* shown in the malformed-lines table */
    const char *what;
} PARSERS[] = {
    {"jansson", parse_jansson, true, "JSON library: full tree, strict UTF-8, no duplicate keys"},
    {"cJSON", parse_cjson, true, "JSON library: full tree, no UTF-8 check, duplicates kept"},
    {"ap_json", parse_ap_json, true, "agentperf's event-line reader (src/ingest/json.c)"},
    {"ap_event", parse_ap_event, false, "agentperf's whole event validation + canonical form"},
};
#define N_PARSERS (sizeof PARSERS / sizeof PARSERS[0])

static bool load(const char *path, struct corpus *c)
{
    int fd = open(path, O_RDONLY);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "json_parse: %s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return false;
    }
    c->size = (size_t)st.st_size;
    c->data = malloc(c->size + 1);
    size_t got = 0;
    while (c->data && got < c->size) {
        ssize_t r = read(fd, c->data + got, c->size - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (c->data == NULL || got != c->size) {
        fprintf(stderr, "json_parse: cannot read %s\n", path);
        return false;
    }
    c->n = 0;
    for (size_t i = 0; i < c->size; i++)
        c->n += c->data[i] == '\n';
    c->lines = malloc((c->n + 1) * sizeof *c->lines);
    if (c->lines == NULL)
        return false;
    size_t n = 0;
    for (const char *p = c->data, *end = c->data + c->size; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (len)
            c->lines[n++] = (struct line){p, len};
        p += len + 1;
    }
    c->n = n;
    return true;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Seconds for one pass over the corpus; counts rejected lines. */
static double run_once(const struct parser *p, const struct corpus *c, size_t *rejected,
                       size_t *checksum)
{
    char msg[256];
    size_t bad = 0, sum = 0;
    double start = now_seconds();
    for (size_t i = 0; i < c->n; i++) {
        size_t id_len = 0;
        if (p->parse(c->lines[i].text, c->lines[i].len, &id_len, msg, sizeof msg))
            sum += id_len;
        else
            bad++;
    }
    double elapsed = now_seconds() - start;
    *rejected = bad;
    *checksum = sum;
    return elapsed;
}

/* Lines that a strict event parser must refuse (SPEC section 2: invalid UTF-8;
 * the idempotency key must be unambiguous), and what each library says. */
static const struct {
    const char *what;
    const char *text;
} CASES[] = {
    {"invalid UTF-8 byte", "{\"id\":\"a\xff\"}"},
    {"overlong UTF-8", "{\"id\":\"\xc0\xaf\"}"},
    {"UTF-16 surrogate in UTF-8", "{\"id\":\"\xed\xa0\x80\"}"},
    {"lone surrogate escape", "{\"id\":\"\\ud800\"}"},
    {"duplicate key", "{\"id\":\"a\",\"id\":\"b\"}"},
    {"\\u0000 in a string", "{\"id\":\"a\\u0000b\"}"},
    {"trailing comma", "{\"id\":\"a\",}"},
    {"text after the object", "{\"id\":\"a\"} x"},
    {"unterminated string", "{\"id\":\"a,\n\"type\":1}"},
};

static void print_cases(void)
{
    printf("\nmalformed lines: rejected or ACCEPTED\n%-27s", "case");
    for (size_t p = 0; p < N_PARSERS; p++)
        if (PARSERS[p].json_reader)
            printf(" %-10s", PARSERS[p].name);
    printf("\n");
    for (size_t i = 0; i < sizeof CASES / sizeof CASES[0]; i++) {
        printf("%-27s", CASES[i].what);
        for (size_t p = 0; p < N_PARSERS; p++) {
            char msg[256];
            size_t id_len;
            if (PARSERS[p].json_reader)
                printf(" %-10s", PARSERS[p].parse(CASES[i].text, strlen(CASES[i].text), &id_len,
                                                  msg, sizeof msg)
                                     ? "ACCEPTED"
                                     : "rejected");
        }
        printf("\n");
    }
    /* What a client is told about a bad line (the last case). */
    size_t last = sizeof CASES / sizeof CASES[0] - 1;
    printf("\nerror message for \"%s\":\n", CASES[last].what);
    for (size_t p = 0; p < N_PARSERS; p++) {
        char msg[256] = "";
        size_t id_len;
        if (PARSERS[p].json_reader)
            PARSERS[p].parse(CASES[last].text, strlen(CASES[last].text), &id_len, msg, sizeof msg);
        if (PARSERS[p].json_reader)
            printf("  %-9s %s\n", PARSERS[p].name, msg);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: json_parse FILE [ROUNDS]\n");
        return 2;
    }
    int rounds = argc == 3 ? atoi(argv[2]) : 3;
    if (rounds < 1)
        rounds = 1;
    struct corpus c = {0};
    if (!load(argv[1], &c))
        return 1;
    printf("json_parse: %zu lines, %.1f MB, best of %d rounds\n", c.n, (double)c.size / 1e6,
           rounds);
    printf("%-9s %10s %12s %10s %9s  %s\n", "parser", "MB/s", "lines/s", "rejected", "vs jansson",
           "what it does");
    double best_jansson = 0;
    size_t first_checksum = 0;
    int status = 0;
    for (size_t p = 0; p < N_PARSERS; p++) {
        double best = 0;
        size_t rejected = 0, checksum = 0;
        for (int r = 0; r < rounds; r++) {
            double s = run_once(&PARSERS[p], &c, &rejected, &checksum);
            if (r == 0 || s < best)
                best = s;
        }
        if (p == 0) {
            best_jansson = best;
            first_checksum = checksum;
        }
        /* The generated file is all valid, and every parser must read the same ids. */
        if (rejected || checksum != first_checksum)
            status = 1;
        printf("%-9s %10.1f %12.0f %10zu %8.2fx  %s\n", PARSERS[p].name,
               (double)c.size / 1e6 / best, (double)c.n / best, rejected, best_jansson / best,
               PARSERS[p].what);
    }
    print_cases();
    free(c.lines);
    free(c.data);
    return status;
}
