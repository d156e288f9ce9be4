/* Hashed text features shared by the grouping engine (src/gaps/group.c) and
 * the answer matcher (src/answers/match.c): 32-bit FNV-1a hashes of a token
 * (or a pair of tokens) in a namespace, and the character n-grams of a token.
 * Both engines must hash alike, so this is the one place that does it. */
#ifndef AP_TEXT_FEATURES_H
#define AP_TEXT_FEATURES_H

#include <stddef.h>
#include <stdint.h>

/* The hash of `a` (and, when b is not NULL, of the pair a, b) in the one-letter
 * namespace `space`; never 0, so 0 can mark an empty slot. */
uint32_t ap_feature_hash(char space, const char *a, size_t a_len, const char *b, size_t b_len);

/* 64-bit FNV-1a over bytes, continuing from h (start with AP_FNV_OFFSET). */
#define AP_FNV_OFFSET 1469598103934665603ULL
uint64_t ap_fnv1a(uint64_t h, const char *s, size_t len);

/* Calls fn with the hash (namespace 'c') of every n-gram of min_n..max_n code
 * points of "<token>". Tokens of 518 bytes or more give none. */
typedef void (*ap_feature_fn)(void *ctx, uint32_t key);
void ap_char_grams(const char *token, size_t min_n, size_t max_n, ap_feature_fn fn, void *ctx);

#endif
