/* backoff: exponential retry delays with full jitter, so many clients retrying
 * the same failure spread out instead of hammering it in step. */
#ifndef UP_CORE_BACKOFF_H
#define UP_CORE_BACKOFF_H

#include <stdint.h>

struct up_backoff {
    int64_t base_ms;
    int64_t max_ms;
    unsigned attempt;
    uint64_t rng; /* xorshift state; seeded from the clock when 0 */
};

void up_backoff_init(struct up_backoff *b, int64_t base_ms, int64_t max_ms);
/* The delay before the next attempt: uniform in [cap/2, cap], cap = min(max, base * 2^attempt). */
int64_t up_backoff_next_ms(struct up_backoff *b);
void up_backoff_reset(struct up_backoff *b);

#endif
