/* The feature map of fmap.h. */
#include "gaps/fmap.h"
#include "core/core.h"

#include <stdlib.h>
#include <string.h>

void ap_fmap_free(struct ap_fmap *m)
{
    free(m->slots);
    memset(m, 0, sizeof *m);
}

static void fmap_grow(struct ap_fmap *m)
{
    struct ap_fmap old = *m;
    m->cap = old.cap ? old.cap * 2 : 8;
    m->slots = ap_calloc(m->cap, sizeof *m->slots);
    m->n = 0;
    for (uint32_t i = 0; i < old.cap; i++) {
        if (!old.slots[i].key)
            continue;
        uint32_t s = ap_fmap_home(old.slots[i].key, m->cap);
        while (m->slots[s].key)
            s = (s + 1) & (m->cap - 1);
        m->slots[s] = old.slots[i];
        m->n++;
    }
    ap_fmap_free(&old);
}

float *ap_fmap_slot(struct ap_fmap *m, uint32_t key, bool *created)
{
    if (4 * (m->n + 1) > 3 * m->cap)
        fmap_grow(m);
    uint32_t s = ap_fmap_home(key, m->cap);
    while (m->slots[s].key && m->slots[s].key != key)
        s = (s + 1) & (m->cap - 1);
    *created = m->slots[s].key == 0;
    if (*created) {
        m->slots[s].key = key;
        m->slots[s].value = 0;
        m->n++;
    }
    return &m->slots[s].value;
}

float ap_fmap_get(const struct ap_fmap *m, uint32_t key)
{
    if (m->cap == 0)
        return 0;
    uint32_t s = ap_fmap_home(key, m->cap);
    while (m->slots[s].key) {
        if (m->slots[s].key == key)
            return m->slots[s].value;
        s = (s + 1) & (m->cap - 1);
    }
    return 0;
}
