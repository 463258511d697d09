/* gen/prng: xoshiro256** (Blackman and Vigna) with splitmix64 seeding. */
#include "gen/prng.h"

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t up_prng_hash_seed(const char *seed, size_t len)
{
    /* FNV-1a over the bytes, then one splitmix round so that short seeds differing
     * in one letter land far apart. */
    uint64_t h = 0xCBF29CE484222325ULL;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)seed[i];
        h *= 0x100000001B3ULL;
    }
    h ^= len;
    return splitmix64(&h);
}

void up_prng_init(struct up_prng *r, uint64_t seed_hash, uint64_t index)
{
    uint64_t x = seed_hash ^ (index * 0xD1B54A32D192ED03ULL);
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

uint64_t up_prng_next(struct up_prng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

uint32_t up_prng_below(struct up_prng *r, uint32_t n)
{
    /* Lemire's multiply-shift on the top 32 bits: the bias is below 2^-32 for
     * the small ranges we draw from, and there is no division. */
    return (uint32_t)(((up_prng_next(r) >> 32) * (uint64_t)n) >> 32);
}

int64_t up_prng_range(struct up_prng *r, int64_t lo, int64_t hi)
{
    uint64_t span = (uint64_t)(hi - lo) + 1;
    if (span == 0)
        return (int64_t)up_prng_next(r);
    return lo + (int64_t)(up_prng_next(r) % span);
}

int up_prng_chance(struct up_prng *r, uint32_t num, uint32_t den)
{
    return up_prng_below(r, den) < num;
}
