/* SPDX-License-Identifier: GPL-2.0-only */
/* xxhash for both sides: the static musl guest compiles it inline, the host links libxxhash. */
#ifndef KTSTR_XXH_H
#define KTSTR_XXH_H
#ifdef KTSTR_GUEST
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>
#endif
