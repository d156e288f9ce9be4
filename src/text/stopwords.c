/* Stop words: words that carry no topic, per stemmer language. Written for
 * agentperf from common function words and the greetings and sign-offs of
 * support questions; sorted by bytes, so lookup is a binary search. Languages
 * without a list keep all their words. */
#include <stdlib.h>
#include <string.h>

#include "text/stopwords.h"

static const char *const english[] = {
    "a", "about", "above", "after", "afternoon", "again", "all", "am", "an", "and", "any", "are",
    "as", "at", "be", "been", "before", "being", "both", "but", "by", "can", "could", "dear",
    "did", "do", "does", "doing", "down", "during", "each", "evening", "few", "for", "from",
    "further", "good", "had", "has", "have", "having", "he", "hello", "her", "here", "hers", "hey",
    "hi", "him", "his", "how", "i", "i'm", "if", "in", "into", "is", "it", "it's", "its", "just",
    "me", "might", "more", "morning", "most", "must", "my", "myself", "no", "nor", "of", "off",
    "ok", "okay", "on", "once", "only", "or", "other", "our", "ours", "out", "over", "own",
    "please", "regards", "same", "shall", "she", "should", "so", "some", "such", "than", "thank",
    "thanks", "that", "the", "their", "them", "then", "there", "these", "they", "this", "those",
    "through", "to", "too", "under", "until", "up", "us", "very", "was", "we", "were", "what",
    "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you",
    "your", "yours",
};

static const char *const norwegian[] = {
    "alle", "at", "av", "bare", "begge", "ble", "blei", "bli", "blir", "blitt", "både", "da",
    "dag", "de", "deg", "dei", "deim", "deira", "deires", "dem", "den", "denne", "der", "dere",
    "deres", "det", "dette", "di", "din", "disse", "ditt", "du", "dykk", "dykkar", "eg", "ein",
    "eit", "eitt", "eller", "elles", "en", "enn", "er", "et", "ett", "etter", "for", "fordi",
    "fra", "før", "god", "ha", "hadde", "hallo", "han", "hans", "har", "hei", "heisann", "hennar",
    "henne", "hennes", "her", "hilsen", "hjå", "ho", "hoe", "honom", "hoss", "hossen", "hun",
    "hva", "hvem", "hver", "hvilke", "hvilken", "hvis", "hvor", "hvordan", "hvorfor", "i", "ikke",
    "ikkje", "ingen", "ingi", "inkje", "inn", "inni", "ja", "jeg", "kan", "kom", "korleis",
    "korso", "kun", "kunne", "kva", "kvar", "kvarhelst", "kven", "kvi", "kvifor", "man", "mange",
    "me", "med", "medan", "meg", "meget", "mellom", "men", "mi", "min", "mine", "mitt", "morgen",
    "mot", "mvh", "mykje", "ned", "no", "noe", "noen", "noka", "noko", "nokon", "nokor", "nokre",
    "nå", "når", "og", "også", "ok", "okei", "om", "opp", "oss", "over", "på", "samme", "seg",
    "selv", "si", "sia", "sidan", "siden", "sin", "sine", "sitt", "sjøl", "skal", "skulle", "slik",
    "so", "som", "somme", "somt", "så", "sånn", "takk", "til", "um", "upp", "ut", "uten", "var",
    "vart", "varte", "ved", "vennlig", "vere", "verte", "vi", "vil", "ville", "vore", "vors",
    "vort", "vår", "være", "vært", "å",
};

static const struct {
    const char *stemmer;
    const char *const *words;
    size_t n;
} lists[] = {
    {"english", english, sizeof english / sizeof english[0]},
    {"norwegian", norwegian, sizeof norwegian / sizeof norwegian[0]},
};

static int compare_word(const void *key, const void *item)
{
    return strcmp(key, *(const char *const *)item);
}

bool ap_stopword(const char *stemmer, const char *word)
{
    if (stemmer == NULL)
        return false;
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        if (strcmp(lists[i].stemmer, stemmer) == 0)
            return bsearch(word, lists[i].words, lists[i].n, sizeof *lists[i].words,
                           compare_word) != NULL;
    return false;
}

size_t ap_stopword_languages(const char **out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < sizeof lists / sizeof lists[0] && n < max; i++)
        out[n++] = lists[i].stemmer;
    return n;
}
