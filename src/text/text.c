/* The text pipeline: UTF-8 in, tokens out. ICU normalises (NFKC with case
 * folding) and finds word boundaries by the Unicode rules, which handle
 * Norwegian, accents and apostrophes; libstemmer reduces words to stems. */
#include "text/text.h"

#include <libstemmer.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utf16.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "text/stopwords.h"

#define MAX_STEMMERS 32

struct ap_text {
    const UNormalizer2 *normalizer; /* owned by ICU */
    UBreakIterator *words;
    UChar *raw, *folded;            /* UTF-16 work buffers */
    int32_t raw_cap, folded_cap;
    struct {
        const char *name;
        struct sb_stemmer *stemmer;
    } stemmers[MAX_STEMMERS];
    size_t n_stemmers;
};

/* BCP 47 primary subtags (and stemmer names) to Snowball stemmers. */
static const struct {
    const char *code;
    const char *stemmer;
} languages[] = {
    {"ar", "arabic"},     {"hy", "armenian"},   {"eu", "basque"},     {"ca", "catalan"},
    {"da", "danish"},     {"nl", "dutch"},      {"en", "english"},    {"fi", "finnish"},
    {"fr", "french"},     {"de", "german"},     {"el", "greek"},      {"hi", "hindi"},
    {"hu", "hungarian"},  {"id", "indonesian"}, {"ga", "irish"},      {"it", "italian"},
    {"lt", "lithuanian"}, {"ne", "nepali"},     {"nb", "norwegian"},  {"nn", "norwegian"},
    {"no", "norwegian"},  {"pt", "portuguese"}, {"ro", "romanian"},   {"ru", "russian"},
    {"sr", "serbian"},    {"es", "spanish"},    {"sv", "swedish"},    {"ta", "tamil"},
    {"tr", "turkish"},    {"yi", "yiddish"},
};

bool ap_text_tag_valid(const char *s, size_t len)
{
    if (len < 2 || len > 35)
        return false;
    size_t i = 0, sub = 0, n = 0;
    for (; i <= len; i++) {
        if (i == len || s[i] == '-') {
            if (n == 0 || n > 8)
                return false;
            if (sub == 0 && (n == 4 || n < 2))
                return false;
            sub++;
            n = 0;
            continue;
        }
        char c = s[i];
        bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
        bool digit = c >= '0' && c <= '9';
        if (!(alpha || (digit && sub > 0)))
            return false;
        n++;
    }
    return true;
}

const char *ap_text_stemmer_for(const char *language)
{
    char primary[16];
    size_t n = 0;
    if (language == NULL)
        return NULL;
    while (language[n] && language[n] != '-' && language[n] != '_' && n + 1 < sizeof primary) {
        char c = language[n];
        primary[n++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    }
    primary[n] = '\0';
    for (size_t i = 0; i < sizeof languages / sizeof languages[0]; i++)
        if (strcmp(primary, languages[i].code) == 0 || strcmp(primary, languages[i].stemmer) == 0)
            return languages[i].stemmer;
    return NULL;
}

const char *ap_text_tag_for(const char *stemmer)
{
    if (stemmer == NULL)
        return NULL;
    for (size_t i = 0; i < sizeof languages / sizeof languages[0]; i++)
        if (strcmp(stemmer, languages[i].stemmer) == 0)
            return languages[i].code;
    return NULL;
}

enum ap_status ap_text_new(struct ap_text **out, struct ap_error *err)
{
    UErrorCode status = U_ZERO_ERROR;
    struct ap_text *t = ap_calloc(1, sizeof *t);
    *out = NULL;
    t->normalizer = unorm2_getNFKCCasefoldInstance(&status);
    if (U_SUCCESS(status))
        t->words = ubrk_open(UBRK_WORD, "", NULL, 0, &status);
    if (U_FAILURE(status)) {
        ap_text_destroy(t);
        return ap_error_set(err, AP_INTERNAL, "", "ICU text services unavailable: %s",
                            u_errorName(status));
    }
    *out = t;
    return AP_OK;
}

void ap_text_destroy(struct ap_text *t)
{
    if (t == NULL)
        return;
    if (t->words)
        ubrk_close(t->words);
    for (size_t i = 0; i < t->n_stemmers; i++)
        sb_stemmer_delete(t->stemmers[i].stemmer);
    free(t->raw);
    free(t->folded);
    free(t);
}

void ap_tokens_free(struct ap_tokens *tokens)
{
    for (size_t i = 0; i < tokens->n; i++)
        free(tokens->items[i]);
    free(tokens->items);
    memset(tokens, 0, sizeof *tokens);
}

static void tokens_add(struct ap_tokens *tokens, const char *s, size_t len)
{
    if (tokens->n == tokens->cap) {
        tokens->cap = tokens->cap ? 2 * tokens->cap : 16;
        tokens->items = ap_realloc(tokens->items, tokens->cap * sizeof *tokens->items);
    }
    tokens->items[tokens->n++] = ap_strndup(s, len);
}

static struct sb_stemmer *stemmer(struct ap_text *t, const char *name)
{
    for (size_t i = 0; i < t->n_stemmers; i++)
        if (strcmp(t->stemmers[i].name, name) == 0)
            return t->stemmers[i].stemmer;
    if (t->n_stemmers == MAX_STEMMERS)
        return NULL;
    struct sb_stemmer *s = sb_stemmer_new(name, "UTF_8");
    if (s == NULL)
        return NULL;
    t->stemmers[t->n_stemmers].name = name; /* a static string from languages[] */
    t->stemmers[t->n_stemmers++].stemmer = s;
    return s;
}

static void reserve(UChar **buf, int32_t *cap, int32_t need)
{
    if (need <= *cap)
        return;
    *cap = need;
    *buf = ap_realloc(*buf, (size_t)need * sizeof **buf);
}

/* Normalises and folds text into t->folded; returns its length or -1. */
static int32_t fold(struct ap_text *t, const char *text, size_t len, struct ap_error *err)
{
    UErrorCode status = U_ZERO_ERROR;
    int32_t n16 = 0;
    if (len > INT32_MAX / 4)
        return ap_error_set(err, AP_TOO_LARGE, "text", "text too long"), -1;
    reserve(&t->raw, &t->raw_cap, (int32_t)len + 1);
    u_strFromUTF8Lenient(t->raw, t->raw_cap, &n16, text, (int32_t)len, &status);
    if (U_FAILURE(status))
        return ap_error_set(err, AP_INVALID, "text", "not UTF-8 text"), -1;
    /* Folding can lengthen text (ß -> ss, ligatures); retry with the size ICU asks for. */
    reserve(&t->folded, &t->folded_cap, n16 + 16);
    int32_t out = unorm2_normalize(t->normalizer, t->raw, n16, t->folded, t->folded_cap, &status);
    if (status == U_BUFFER_OVERFLOW_ERROR) {
        status = U_ZERO_ERROR;
        reserve(&t->folded, &t->folded_cap, out + 1);
        out = unorm2_normalize(t->normalizer, t->raw, n16, t->folded, t->folded_cap, &status);
    }
    if (U_FAILURE(status))
        return ap_error_set(err, AP_INTERNAL, "text", "normalisation failed: %s",
                            u_errorName(status)), -1;
    return out;
}

/* Calls fn for each word or number of the folded text, as UTF-8. */
static enum ap_status each_word(struct ap_text *t, int32_t n,
                                void (*fn)(void *ctx, const char *word, size_t len), void *ctx,
                                struct ap_error *err)
{
    UErrorCode status = U_ZERO_ERROR;
    char word[512];
    ubrk_setText(t->words, t->folded, n, &status);
    if (U_FAILURE(status))
        return ap_error_set(err, AP_INTERNAL, "text", "segmentation failed");
    int32_t start = ubrk_first(t->words);
    for (int32_t end = ubrk_next(t->words); end != UBRK_DONE; start = end, end = ubrk_next(t->words)) {
        int32_t rule = ubrk_getRuleStatus(t->words);
        if (rule < UBRK_WORD_NUMBER) /* spaces and punctuation */
            continue;
        int32_t len8 = 0;
        status = U_ZERO_ERROR;
        u_strToUTF8(word, sizeof word, &len8, t->folded + start, end - start, &status);
        if (U_FAILURE(status) || len8 >= (int32_t)sizeof word)
            continue; /* a "word" longer than 500 bytes is noise, not a topic */
        fn(ctx, word, (size_t)len8);
    }
    return AP_OK;
}

struct collect {
    struct ap_text *t;
    const char *stemmer_name;
    struct sb_stemmer *stemmer;
    struct ap_tokens *out;
};

static void keep_token(void *ctx, const char *word, size_t len)
{
    struct collect *c = ctx;
    if (ap_stopword(c->stemmer_name, word))
        return;
    if (c->stemmer) {
        const sb_symbol *stem = sb_stemmer_stem(c->stemmer, (const sb_symbol *)word, (int)len);
        if (stem) {
            tokens_add(c->out, (const char *)stem, (size_t)sb_stemmer_length(c->stemmer));
            return;
        }
    }
    tokens_add(c->out, word, len);
}

enum ap_status ap_text_tokens(struct ap_text *t, const char *text, size_t len,
                              const char *stemmer_name, struct ap_tokens *out,
                              struct ap_error *err)
{
    int32_t n = fold(t, text, len, err);
    if (n < 0)
        return err ? err->status : AP_INVALID;
    struct collect c = {t, stemmer_name, stemmer_name ? stemmer(t, stemmer_name) : NULL, out};
    return each_word(t, n, keep_token, &c, err);
}

/* Collapses white space in t->folded[0, n) in place; returns the new length,
 * without white space or punctuation at the end. */
static int32_t squeeze(UChar *s, int32_t n)
{
    int32_t out = 0, keep = 0;
    bool space = false;
    for (int32_t i = 0; i < n;) {
        UChar32 c;
        int32_t at = i;
        U16_NEXT(s, i, n, c);
        if (u_isUWhiteSpace(c)) {
            space = out > 0;
            continue;
        }
        if (space)
            s[out++] = ' ';
        space = false;
        for (int32_t j = at; j < i; j++)
            s[out++] = s[j];
        if (!u_ispunct(c))
            keep = out;
    }
    return keep;
}

enum ap_status ap_text_identity(struct ap_text *t, const char *text, size_t len,
                                struct ap_buf *out, struct ap_error *err)
{
    int32_t n = fold(t, text, len, err);
    if (n < 0)
        return err ? err->status : AP_INVALID;
    n = squeeze(t->folded, n);
    UErrorCode status = U_ZERO_ERROR;
    int32_t len8 = 0;
    u_strToUTF8(NULL, 0, &len8, t->folded, n, &status);
    size_t at = out->len;
    if (ap_buf_reserve(out, (size_t)len8 + 1) != AP_OK)
        return ap_buf_check(out, "text", err);
    status = U_ZERO_ERROR;
    u_strToUTF8(out->data + at, len8 + 1, &len8, t->folded, n, &status);
    if (U_FAILURE(status))
        return ap_error_set(err, AP_INTERNAL, "text", "conversion failed: %s", u_errorName(status));
    out->len = at + (size_t)len8;
    return AP_OK;
}

/* Language detection by stop words: the language whose list covers most of the
 * words wins, with at least two hits and a margin; otherwise unknown. */
struct detect {
    const char *names[8];
    int hits[8];
    size_t n;
};

static void count_hits(void *ctx, const char *word, size_t len)
{
    struct detect *d = ctx;
    (void)len;
    for (size_t i = 0; i < d->n; i++)
        d->hits[i] += ap_stopword(d->names[i], word);
}

const char *ap_text_language(struct ap_text *t, const char *text, size_t len,
                             const char *language, const char *fallback)
{
    const char *given = ap_text_stemmer_for(language);
    if (given)
        return given;
    struct detect d = {{0}, {0}, 0};
    d.n = ap_stopword_languages(d.names, 8);
    int32_t n = fold(t, text, len, NULL);
    if (n >= 0 && each_word(t, n, count_hits, &d, NULL) == AP_OK) {
        size_t best = 0;
        for (size_t i = 1; i < d.n; i++)
            if (d.hits[i] > d.hits[best])
                best = i;
        int second = 0;
        for (size_t i = 0; i < d.n; i++)
            if (i != best && d.hits[i] > second)
                second = d.hits[i];
        if (d.hits[best] >= 2 && d.hits[best] > second)
            return d.names[best];
    }
    return ap_text_stemmer_for(fallback);
}
