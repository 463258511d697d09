/* gen/prng: the seeded random numbers behind every generated user. xoshiro256**
 * seeded through splitmix64; each user gets its own stream derived from
 * (seed text, index), so user i never depends on how many users came before it:
 * that is what makes results=N a prefix of results=M. Not for cryptography. */
#ifndef UP_GEN_PRNG_H
#define UP_GEN_PRNG_H

#include <stddef.h>
#include <stdint.h>

struct up_prng {
    uint64_t s[4];
};

/* A 64-bit digest of a seed text (any bytes). */
uint64_t up_prng_hash_seed(const char *seed, size_t len);
/* The stream of user `index` under a hashed seed. */
void up_prng_init(struct up_prng *r, uint64_t seed_hash, uint64_t index);
uint64_t up_prng_next(struct up_prng *r);
/* Uniform in [0, n) for 0 < n <= 2^32 (n == 0 returns 0). */
uint32_t up_prng_below(struct up_prng *r, uint32_t n);
/* Uniform in [lo, hi], inclusive. */
int64_t up_prng_range(struct up_prng *r, int64_t lo, int64_t hi);
/* true with probability num/den. */
int up_prng_chance(struct up_prng *r, uint32_t num, uint32_t den);

#endif
