/* A topic's automatic label is one of its questions, as a visitor typed it:
 * "Hei! Kan dere sjekke status på ordre 10045? Takk på forhånd." reads better
 * in a list as "Kan dere sjekke status på ordre …?". Greetings before the
 * question and sign-offs after it are cut (tables below, English and the
 * Scandinavian languages the product is used in), and order, ticket and phone
 * numbers (a word with three digits or more) become "…". A label that would
 * come out empty is left as it was. */
#include "gaps/gaps.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* Lowercase ASCII phrases; matched case-insensitively, at word boundaries. */
static const char *const GREETINGS[] = {
    "good morning", "good afternoon", "good evening", "hi there", "hello there", "hey there",
    "hello", "hi", "hey", "dear support", "god morgen", "god dag", "heisann", "hallo", "hei",
    "hej", "guten tag", "moin", NULL,
};

static const char *const SIGN_OFFS[] = {
    "thanks in advance", "thank you in advance", "thank you very much", "thank you", "thanks",
    "many thanks", "best regards", "kind regards", "regards", "cheers", "br",
    "takk på forhånd", "takk for hjelpen", "tusen takk", "på forhånd takk", "takk", "mvh",
    "hilsen", "med vennlig hilsen", "tak", "danke", NULL,
};

static bool is_word_char(unsigned char c)
{
    return isalnum(c) || c >= 0x80; /* UTF-8 letters count as word characters */
}

static bool is_separator(unsigned char c)
{
    return c == ' ' || c == ',' || c == '!' || c == '.' || c == ':' || c == ';' || c == '-' ||
           c == '\t';
}

/* Length of the phrase of `table` that `s` (of n bytes) starts with, at a word
 * boundary, or 0. */
static size_t phrase_at(const char *s, size_t n, const char *const *table)
{
    for (size_t i = 0; table[i]; i++) {
        size_t len = strlen(table[i]);
        if (len <= n && strncasecmp(s, table[i], len) == 0 &&
            (len == n || !is_word_char((unsigned char)s[len])))
            return len;
    }
    return 0;
}

/* Cuts leading greetings (each followed by separators) from [*start, end). */
static void cut_greetings(const char *text, size_t *start, size_t end)
{
    for (;;) {
        size_t len = phrase_at(text + *start, end - *start, GREETINGS);
        if (len == 0)
            return;
        size_t next = *start + len;
        while (next < end && is_separator((unsigned char)text[next]))
            next++;
        if (next >= end)
            return; /* nothing would be left */
        *start = next;
    }
}

/* Cuts trailing sign-offs (each preceded by a sentence end or a comma) from
 * [start, *end): the last sentence is dropped when it is only a sign-off. */
static void cut_sign_offs(const char *text, size_t start, size_t *end)
{
    for (;;) {
        size_t e = *end;
        while (e > start && (is_separator((unsigned char)text[e - 1]) || text[e - 1] == ' '))
            e--;
        /* The last sentence or clause: after the last '.', '!', '?' or ','. */
        size_t b = e;
        while (b > start && !strchr(".!?,", text[b - 1]))
            b--;
        size_t s = b;
        while (s < e && text[s] == ' ')
            s++;
        if (s == start || s >= e || phrase_at(text + s, e - s, SIGN_OFFS) != e - s)
            return;
        *end = b;
        while (*end > start && text[*end - 1] == ',')
            (*end)--;
    }
}

/* Appends [s, s+n) to out (of cap bytes, used *len), replacing every word with
 * three digits or more by "…". */
static void copy_masking_numbers(const char *s, size_t n, char *out, size_t cap, size_t *len)
{
    static const char ELLIPSIS[] = "\xe2\x80\xa6";
    size_t i = 0;
    while (i < n) {
        size_t w = i;
        while (w < n && (is_word_char((unsigned char)s[w]) || s[w] == '#' || s[w] == '-'))
            w++;
        size_t digits = 0;
        for (size_t k = i; k < w; k++)
            digits += isdigit((unsigned char)s[k]) != 0;
        const char *piece = digits >= 3 ? ELLIPSIS : s + i;
        size_t piece_len = digits >= 3 ? sizeof ELLIPSIS - 1 : (w > i ? w - i : 1);
        if (*len + piece_len >= cap)
            return;
        memcpy(out + *len, piece, piece_len);
        *len += piece_len;
        i = w > i ? w : i + 1;
    }
}

size_t ap_gap_label_trim(const char *text, char *out, size_t cap)
{
    if (cap == 0)
        return 0;
    size_t n = strlen(text), start = 0, end = n, len = 0;
    while (start < end && text[start] == ' ')
        start++;
    cut_greetings(text, &start, end);
    cut_sign_offs(text, start, &end);
    if (end <= start) {
        start = 0;
        end = n;
    }
    /* A greeting cut leaves the first letter as typed; capitalise an ASCII one. */
    copy_masking_numbers(text + start, end - start, out, cap, &len);
    if (len > 0 && start > 0 && islower((unsigned char)out[0]))
        out[0] = (char)toupper((unsigned char)out[0]);
    out[len] = '\0';
    return len;
}
