/* libFuzzer target: a model server's answer through ap_embed_parse_response.
 * The first byte picks how many inputs the answer is for (1-8), the rest is
 * the answer. Any input must either give exactly that many finite vectors of
 * one length in range, or a fault with a reason, without a sanitizer report. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "embed/embed.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t n = (size_t)(data[0] % 8) + 1;
    size_t len = size - 1;
    /* An exact-size copy, so that ASan sees any read past the length. */
    char *text = malloc(len ? len : 1);
    if (len)
        memcpy(text, data + 1, len);
    struct ap_embed_vectors v;
    char why[128];
    enum ap_embed_fault f = ap_embed_parse_response(text, len, n, 64, 0, &v, why, sizeof why);
    if (f == AP_EMBED_NONE) {
        if (v.n != n || v.dims < AP_EMBED_DIMS_MIN || v.dims > 64)
            abort();
        for (size_t i = 0; i < n * v.dims; i++)
            if (!isfinite(v.values[i]))
                abort();
    } else if (why[0] == '\0' || v.values != NULL) {
        abort();
    }
    ap_embed_vectors_free(&v);
    free(text);
    return 0;
}
