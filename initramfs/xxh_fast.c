// SPDX-License-Identifier: GPL-2.0-only
#include "xxh_fast.h"

XXH128_hash_t xxh_fast_128(const void *p, size_t n)
{
#if defined(__x86_64__)
	if (__builtin_cpu_supports("avx2"))
		return xxh_avx2_128(p, n);
#endif
	return XXH3_128bits(p, n);
}
