/* Hashed text features: see features.h. */
#include "text/features.h"

#include <string.h>

#define FNV_PRIME 1099511628211ULL

uint64_t ap_fnv1a(uint64_t h, const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * FNV_PRIME;
    return h;
}

uint32_t ap_feature_hash(char space, const char *a, size_t a_len, const char *b, size_t b_len)
{
    uint64_t h = (AP_FNV_OFFSET ^ (unsigned char)space) * FNV_PRIME;
    h = ap_fnv1a(h, a, a_len);
    if (b != NULL) {
        h = (h ^ 0x1f) * FNV_PRIME; /* a separator no token contains */
        h = ap_fnv1a(h, b, b_len);
    }
    uint32_t x = (uint32_t)(h ^ (h >> 32));
    return x ? x : 1;
}

void ap_char_grams(const char *token, size_t min_n, size_t max_n, ap_feature_fn fn, void *ctx)
{
    char padded[520];
    size_t starts[521], n_starts = 0; /* byte offsets of code points */
    size_t len = strlen(token);
    if (len + 2 >= sizeof padded)
        return;
    padded[0] = '<';
    memcpy(padded + 1, token, len);
    padded[len + 1] = '>';
    size_t total = len + 2;
    for (size_t i = 0; i < total; i++)
        if (((unsigned char)padded[i] & 0xC0) != 0x80)
            starts[n_starts++] = i;
    starts[n_starts] = total;
    for (size_t n = min_n; n <= max_n; n++)
        for (size_t i = 0; i + n <= n_starts; i++)
            fn(ctx, ap_feature_hash('c', padded + starts[i], starts[i + n] - starts[i], NULL, 0));
}
