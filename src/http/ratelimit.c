/* Per-token rate limiting: one token bucket per token, refilled at `rate`
 * requests a second up to `burst`. A token is known by its account and its id,
 * because token ids are numbered per account: keyed by the id alone, one
 * account's token 1 spent another account's token 1's budget. The table has a fixed size, so a flood of
 * distinct tokens cannot grow memory; a slot whose bucket has refilled is idle
 * and may be taken over by another token. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include "http/http.h"

#define SLOTS 4096 /* a power of two */
#define PROBES 32

struct slot {
    int64_t account_id; /* 0: free */
    int64_t token_id;
    double tokens;
    int64_t at_us;    /* when tokens was last brought up to date */
};

struct ap_http_ratelimit {
    double rate, burst;
    pthread_mutex_t lock;
    struct slot slots[SLOTS];
};

struct ap_http_ratelimit *ap_http_ratelimit_new(double rate, double burst)
{
    if (rate <= 0)
        return NULL;
    struct ap_http_ratelimit *rl = ap_calloc(1, sizeof *rl);
    rl->rate = rate;
    rl->burst = burst < 1 ? 1 : burst;
    pthread_mutex_init(&rl->lock, NULL);
    return rl;
}

void ap_http_ratelimit_free(struct ap_http_ratelimit *rl)
{
    if (rl == NULL)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl);
}

static void refill(const struct ap_http_ratelimit *rl, struct slot *s, int64_t now_us)
{
    double elapsed = (double)(now_us - s->at_us) / 1e6;
    if (elapsed > 0)
        s->tokens = fmin(rl->burst, s->tokens + elapsed * rl->rate);
    s->at_us = now_us;
}

/* The token's slot: its own, else a free one, else an idle one (full bucket,
 * so forgetting it changes nothing); NULL when every probed slot is busy. */
static struct slot *find_slot(struct ap_http_ratelimit *rl, int64_t account_id, int64_t token_id,
                              int64_t now_us)
{
    uint64_t h = ((uint64_t)account_id * 0x9E3779B97F4A7C15ull) ^
                 ((uint64_t)token_id * 0xC2B2AE3D27D4EB4Full);
    struct slot *spare = NULL;
    for (unsigned i = 0; i < PROBES; i++) {
        struct slot *s = &rl->slots[(h + i) & (SLOTS - 1)];
        if (s->account_id == account_id && s->token_id == token_id)
            return s;
        if (spare == NULL && s->account_id == 0)
            spare = s;
        if (spare == NULL) {
            refill(rl, s, now_us);
            if (s->tokens >= rl->burst)
                spare = s;
        }
    }
    if (spare) {
        spare->account_id = account_id;
        spare->token_id = token_id;
        spare->tokens = rl->burst;
        spare->at_us = now_us;
    }
    return spare;
}

bool ap_http_ratelimit_take(struct ap_http_ratelimit *rl, int64_t account_id, int64_t token_id,
                            int64_t now_us, unsigned *retry_after_s)
{
    *retry_after_s = 0;
    if (rl == NULL)
        return true;
    bool ok = true;
    pthread_mutex_lock(&rl->lock);
    struct slot *s = find_slot(rl, account_id, token_id, now_us);
    if (s != NULL) {
        refill(rl, s, now_us);
        if (s->tokens >= 1) {
            s->tokens -= 1;
        } else {
            ok = false;
            double wait = (1 - s->tokens) / rl->rate;
            *retry_after_s = wait < 1 ? 1 : (unsigned)ceil(wait);
        }
    }
    pthread_mutex_unlock(&rl->lock);
    return ok;
}
