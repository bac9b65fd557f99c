/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef KTSTR_KERNEL_H
#define KTSTR_KERNEL_H

#include <stddef.h>

/*
 * Checks that path is an x86 bzImage and reads its version string from the setup header
 * (the string kernel_version points to). Returns 0, or -1 with a reason in why.
 */
int kernel_probe(const char *path, char *version, size_t vsz, char *why, size_t wsz);

/*
 * The kernel to boot when none was named: the newest one fetched into the ktstr cache
 * ($KTSTR_CACHE_DIR/kernels, default ~/.cache/ktstr/kernels). Returns 0 or -1.
 */
int kernel_find_cached(char *path, size_t sz);

#endif
