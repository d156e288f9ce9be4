/* `agentperf gaps ...`: knowledge gaps from the command line. `gaps assign`
 * groups questions read one per line exactly as the service groups unanswered
 * questions, and prints each one's topic number: how grouping is measured. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "gaps/group.h"
#include "ingest/ndjson.h"
#include "text/text.h"

/* Reads option `name` into *out when given: a number from 0 to 1. False (after
 * the usage message) when it is not one. */
static bool parse_fraction(struct ap_cli_args *args, const char *name, double *out)
{
    const char *text = ap_cli_get(args, name);
    if (text == NULL)
        return true;
    char *end;
    errno = 0;
    double value = strtod(text, &end);
    if (errno || *end || end == text || !(value >= 0 && value <= 1)) {
        ap_cli_usage_error(args, "--%s: \"%s\" is not a number from 0 to 1", name, text);
        return false;
    }
    *out = value;
    return true;
}

int ap_cmd_gaps_assign(struct ap_cli_args *args)
{
    struct ap_grouper_options opts;
    struct ap_error err;
    struct ap_text *text;
    ap_grouper_options_init(&opts);
    if (!parse_fraction(args, "threshold", &opts.threshold) ||
        !parse_fraction(args, "threshold-new", &opts.threshold_new) ||
        !parse_fraction(args, "min-shared", &opts.min_shared))
        return AP_EXIT_USAGE;
    const char *language = ap_cli_get(args, "language");
    if (language && ap_text_stemmer_for(language) == NULL)
        return ap_cli_usage_error(args, "--language: \"%s\" is not a language the stemmer knows",
                                  language);
    const char *path = args->n_positionals ? args->positionals[0] : "-";
    FILE *in = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (in == NULL) {
        fprintf(args->err, "agentperf: cannot open \"%s\": %s\n", path, strerror(errno));
        return AP_EXIT_FAILED;
    }
    if (ap_text_new(&text, &err) != AP_OK) {
        if (in != stdin)
            fclose(in);
        return ap_cli_fail(args, &err);
    }
    struct ap_grouper *g = ap_grouper_new(&opts);
    struct ap_ndjson_reader reader; /* a line reader: each line is a question, not JSON */
    ap_ndjson_init_stream(&reader, in, 1 << 16);
    int status = AP_EXIT_OK;
    for (;;) {
        const char *line;
        size_t len;
        enum ap_ndjson_result res = ap_ndjson_next(&reader, &line, &len);
        if (res == AP_NDJSON_END)
            break;
        if (res != AP_NDJSON_LINE) {
            fprintf(args->err, "agentperf: line %zu: %s\n", reader.line_no,
                    res == AP_NDJSON_TOO_LONG ? "longer than 64 KiB" : "read error");
            status = AP_EXIT_FAILED;
            break;
        }
        struct ap_tokens tokens = {0};
        const char *stemmer = ap_text_language(text, line, len, language, "en");
        if (ap_text_tokens(text, line, len, stemmer, &tokens, &err) != AP_OK) {
            fprintf(args->err, "agentperf: line %zu: %s\n", reader.line_no, err.message);
            status = AP_EXIT_FAILED;
            break;
        }
        struct ap_gap_question q = {.tokens = &tokens};
        fprintf(args->out, "%zu\n", ap_grouper_assign(g, &q, NULL) + 1);
        ap_tokens_free(&tokens);
    }
    ap_ndjson_free(&reader);
    ap_grouper_destroy(g);
    ap_text_destroy(text);
    if (in != stdin)
        fclose(in);
    return status;
}
