/*
 * bench_rng.h -- the generators' PRNG (gen_catalog.c, gen_peer.c):
 * xorshift64*, small, fast and the same everywhere, seeded by the caller
 * through rng_state and never by a clock, so a seed is a data set.
 */
#ifndef CX_BENCH_RNG_H
#define CX_BENCH_RNG_H

#include <stdint.h>

static uint64_t rng_state;

static inline uint64_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * UINT64_C(2685821657736338717);
}

#endif
