/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * XXH3-128 of large buffers (cache entries, packed files) at the speed of the CPU at hand.
 * Debian's libxxhash is built for the x86-64 baseline (SSE2); with AVX2 the same digest
 * takes about half the time, which is most of a warm cache hit.
 */
#ifndef KTSTR_XXH_FAST_H
#define KTSTR_XXH_FAST_H

#include <stddef.h>
#include <xxhash.h>

XXH128_hash_t xxh_fast_128(const void *p, size_t n);
/* The AVX2 build of the same function (xxh_avx2.c); call only when the CPU has AVX2. */
XXH128_hash_t xxh_avx2_128(const void *p, size_t n);

#endif
