/* rng.c: splitmix64 (Steele, Lea, Flood 2014), public-domain constants. */
#include "common/rng.h"

#include <stdatomic.h>
#include <stdio.h>
#include <sys/random.h>
#include <time.h>

uint64_t brk_mix64(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

void brk_rng_seed(struct brk_rng *rng, uint64_t seed)
{
    atomic_store(&rng->state, seed);
}

void brk_rng_seed_os(struct brk_rng *rng)
{
    uint64_t seed = 0;
    if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed)) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        seed = (uint64_t)ts.tv_sec * 1000000007ULL ^ (uint64_t)ts.tv_nsec;
    }
    brk_rng_seed(rng, seed);
}

uint64_t brk_rng_next(struct brk_rng *rng)
{
    /* Each caller takes its own step of the sequence, so concurrent callers never share one. */
    uint64_t step = atomic_fetch_add(&rng->state, 0x9E3779B97F4A7C15ULL);
    return brk_mix64(step);
}

double brk_rng_uniform(struct brk_rng *rng)
{
    return (double)(brk_rng_next(rng) >> 11) * (1.0 / 9007199254740992.0);
}

void brk_rng_uuid(struct brk_rng *rng, char out[37])
{
    uint64_t hi = brk_rng_next(rng);
    uint64_t lo = brk_rng_next(rng);
    hi = (hi & ~0xF000ULL) | 0x4000ULL;                         /* version 4 */
    lo = (lo & ~0xC000000000000000ULL) | 0x8000000000000000ULL; /* variant 10 */
    snprintf(out, 37, "%08x-%04x-%04x-%04x-%012llx", (unsigned)(hi >> 32), (unsigned)((hi >> 16) & 0xFFFF),
             (unsigned)(hi & 0xFFFF), (unsigned)(lo >> 48), (unsigned long long)(lo & 0xFFFFFFFFFFFFULL));
}
