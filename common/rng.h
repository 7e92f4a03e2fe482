/*
 * rng.h: a small seeded random source (splitmix64), so that every "random" thing the mock
 * does (request ids, probability rules, padding lengths) is reproducible with --seed.
 *
 * Not cryptographic. Thread-safe: the state is advanced atomically.
 */
#ifndef BEDROCK_RNG_H
#define BEDROCK_RNG_H

#include <stdint.h>

struct brk_rng {
    _Atomic uint64_t state;
};

/* Seed the generator. */
void brk_rng_seed(struct brk_rng *rng, uint64_t seed);

/* Seed from the operating system's entropy (getrandom, falling back to the time). */
void brk_rng_seed_os(struct brk_rng *rng);

/* Next 64 random bits. */
uint64_t brk_rng_next(struct brk_rng *rng);

/* Uniform double in [0, 1). */
double brk_rng_uniform(struct brk_rng *rng);

/* Write a lower-case RFC 4122 version-4 UUID (36 chars + NUL) into out[37]. */
void brk_rng_uuid(struct brk_rng *rng, char out[37]);

/* splitmix64 of one value: a stateless 64-bit mix, used to derive stable ids from hashes. */
uint64_t brk_mix64(uint64_t x);

#endif
