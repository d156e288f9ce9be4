/* Test helper shared by the grouping tests: tokens from a space-separated
 * string, as the grouper sees a question after the text pipeline (already
 * stemmed). The caller frees with ap_tokens_free. */
#ifndef AP_TEST_GAPS_WORDS_H
#define AP_TEST_GAPS_WORDS_H

#include <stdlib.h>
#include <string.h>

#include "text/text.h"

static inline struct ap_tokens tokens_of(const char *words)
{
    struct ap_tokens t = {0};
    char *copy = strdup(words);
    for (char *w = strtok(copy, " "); w; w = strtok(NULL, " ")) {
        if (t.n == t.cap) {
            t.cap = t.cap ? 2 * t.cap : 8;
            t.items = realloc(t.items, t.cap * sizeof *t.items);
        }
        t.items[t.n++] = strdup(w);
    }
    free(copy);
    return t;
}

#endif
