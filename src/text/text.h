/* The text pipeline shared by knowledge gaps and answer matching: Unicode
 * normalisation with case folding (ICU NFKC_Casefold), word segmentation (ICU
 * word break rules), stop words, and Snowball stemming (libstemmer) for the
 * question's language. */
#ifndef AP_TEXT_H
#define AP_TEXT_H

#include "core/core.h"

/* A pipeline holds ICU and stemmer state: use one per thread. */
struct ap_text;

/* The caller owns *out; release with ap_text_destroy (accepts NULL). */
enum ap_status ap_text_new(struct ap_text **out, struct ap_error *err);
void ap_text_destroy(struct ap_text *t);

/* Tokens of one text, owned by the list; release with ap_tokens_free. */
struct ap_tokens {
    char **items;
    size_t n, cap;
};

void ap_tokens_free(struct ap_tokens *tokens);

/* The language a text is processed in: `language` (a BCP 47 tag) when it names
 * one the stemmer knows, else a detection from the text, else `fallback`.
 * Returns a stemmer name ("english", "norwegian", ...) or NULL when none
 * applies (then tokens are normalised and segmented, not stemmed). */
const char *ap_text_language(struct ap_text *t, const char *text, size_t len,
                             const char *language, const char *fallback);

/* Appends the text's tokens to out: normalised, case-folded words and
 * numbers, without stop words, stemmed for `stemmer` (from ap_text_language;
 * NULL for no stemming). */
enum ap_status ap_text_tokens(struct ap_text *t, const char *text, size_t len,
                              const char *stemmer, struct ap_tokens *out, struct ap_error *err);

/* The form under which two questions count as the same question: the text
 * normalised and case-folded like the tokens, runs of white space as one
 * space, no white space at either end and no punctuation at the end ("Where
 * is my order ?" and "where is  my ORDER" share one). Appends it, UTF-8, to
 * out (which the caller owns). */
enum ap_status ap_text_identity(struct ap_text *t, const char *text, size_t len,
                                struct ap_buf *out, struct ap_error *err);

/* Whether s is a BCP 47 tag by shape (2-35 bytes: a 2-3 or 5-8 letter
 * primary subtag, then subtags of 1-8 letters or digits after hyphens). */
bool ap_text_tag_valid(const char *s, size_t len);

/* The stemmer name for a BCP 47 tag or a stemmer name, or NULL. */
const char *ap_text_stemmer_for(const char *language);
/* A BCP 47 tag for a stemmer name (the first the table lists: "norwegian"
 * gives "nb"), or NULL; a static string. */
const char *ap_text_tag_for(const char *stemmer);

#endif
