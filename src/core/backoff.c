/* backoff: exponential delays with jitter. */
#include "core/backoff.h"

#include "core/clock.h"

void up_backoff_init(struct up_backoff *b, int64_t base_ms, int64_t max_ms)
{
    b->base_ms = base_ms > 0 ? base_ms : 1;
    b->max_ms = max_ms >= b->base_ms ? max_ms : b->base_ms;
    b->attempt = 0;
    b->rng = (uint64_t)up_mono_us() * 0x9E3779B97F4A7C15ULL | 1;
}

static uint64_t next_random(struct up_backoff *b)
{
    uint64_t x = b->rng;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b->rng = x;
    return x;
}

int64_t up_backoff_next_ms(struct up_backoff *b)
{
    int64_t cap = b->base_ms;
    for (unsigned i = 0; i < b->attempt && cap < b->max_ms; i++)
        cap *= 2;
    if (cap > b->max_ms)
        cap = b->max_ms;
    if (b->attempt < 64)
        b->attempt++;
    int64_t half = cap / 2;
    return half + (int64_t)(next_random(b) % (uint64_t)(cap - half + 1));
}

void up_backoff_reset(struct up_backoff *b)
{
    b->attempt = 0;
}
