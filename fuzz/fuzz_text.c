/* libFuzzer target: the text pipeline (language choice, ICU normalisation and
 * word breaking, stop words, stemming) on any valid UTF-8 text, as questions
 * reach it after event validation. The first byte picks the language tag. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text/text.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const languages[] = {NULL, "en", "nb", "nn", "de", "fr", "xx", "english"};

/* One pipeline for the whole run, made before the first input so that the
 * leak checker does not count it against an input. */
static struct ap_text *pipeline;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    struct ap_error err;
    if (ap_text_new(&pipeline, &err) != AP_OK)
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ap_error err;
    if (size == 0)
        return 0;
    const char *language = languages[data[0] % (sizeof languages / sizeof languages[0])];
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    if (!ap_utf8_valid(text, len))
        return 0;
    char *copy = malloc(len ? len : 1);
    memcpy(copy, text, len);
    const char *stemmer = ap_text_language(pipeline, copy, len, language, "english");
    struct ap_tokens tokens = {0};
    ap_error_clear(&err);
    if (ap_text_tokens(pipeline, copy, len, stemmer, &tokens, &err) == AP_OK)
        for (size_t i = 0; i < tokens.n; i++)
            if (tokens.items[i] == NULL || tokens.items[i][0] == '\0' ||
                !ap_utf8_valid(tokens.items[i], strlen(tokens.items[i])))
                abort();
    ap_tokens_free(&tokens);
    free(copy);
    return 0;
}
