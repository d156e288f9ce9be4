/* Stop-word lists per stemmer language (internal to src/text). */
#ifndef AP_STOPWORDS_H
#define AP_STOPWORDS_H

#include <stdbool.h>
#include <stddef.h>

/* True when `word` (folded) is a stop word of the stemmer's language. */
bool ap_stopword(const char *stemmer, const char *word);
/* The stemmer names that have a stop-word list, for language detection. */
size_t ap_stopword_languages(const char **out, size_t max);

#endif
