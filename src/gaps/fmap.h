/* A map from a 32-bit feature hash to a float, open addressing with linear
 * probing: the topic sums of the online engine (group.c) and the group sums of
 * the batch re-grouping (regroup.c). Keys are feature hashes, never 0, so 0
 * marks an empty slot. The map owns its slots; ap_fmap_free releases them and
 * leaves an empty map. */
#ifndef AP_GAPS_FMAP_H
#define AP_GAPS_FMAP_H

#include <stdbool.h>
#include <stdint.h>

struct ap_fslot {
    uint32_t key; /* 0 = empty */
    float value;  /* next to its key: one cache line per probe */
};

struct ap_fmap {
    struct ap_fslot *slots;
    uint32_t n, cap;
};

void ap_fmap_free(struct ap_fmap *m);

/* The value slot for key, created as 0 when absent; *created tells which. The
 * pointer is valid until the next insertion. */
float *ap_fmap_slot(struct ap_fmap *m, uint32_t key, bool *created);

/* The value for key, 0 when absent. */
float ap_fmap_get(const struct ap_fmap *m, uint32_t key);

/* The slot index where key's probe starts (for prefetching). */
static inline uint32_t ap_fmap_home(uint32_t key, uint32_t cap)
{
    return (key * 2654435761u) & (cap - 1);
}

#endif
