/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Finding the kernel to boot: a bzImage file, a built tree, an unpacked package root, a
 * version string, or (nothing given) the running kernel's image or the newest cached one.
 */
#ifndef KTSTR_KERNEL_H
#define KTSTR_KERNEL_H

#include <stddef.h>

struct kernel_info {
	char image[4096];	/* the bzImage to boot */
	char version[256];	/* from the bzImage header, "" if it has none */
	char modules[4096];	/* its module directory (lib/modules/<ver> or a built tree), or "" */
	int modules_is_tree;	/* modules is a built kernel tree (no lib/modules layout) */
	const char *source;	/* how it was found: "file", "tree", "package", "installed", ... */
};

/*
 * Checks that path is an x86 bzImage and reads its version string from the setup header
 * (the string kernel_version points to). Returns 0, or -1 with a reason in why that says
 * what the file is instead (ELF vmlinux, another architecture's image, unreadable, ...).
 */
int kernel_probe(const char *path, char *version, size_t vsz, char *why, size_t wsz);

/*
 * Resolves spec (a path, a directory or a version string; NULL or "" for the default).
 * Returns 0; -1 with why set when spec names no usable kernel (a usage error); -2 with
 * why set when nothing was given and no kernel could be found.
 */
int kernel_resolve(const char *spec, struct kernel_info *k, char *why, size_t wsz);

/* The ktstr kernel cache: $KTSTR_CACHE_DIR/kernels (default ~/.cache/ktstr/kernels). */
int kernel_cache_dir(char *buf, size_t sz);

/*
 * The kernel to boot when none was named: the newest one fetched into the ktstr cache.
 * Returns 0 or -1.
 */
int kernel_find_cached(char *path, size_t sz);

/* Fills k for a bzImage at path, guessing its module directory. Returns 0 or -1 + why. */
int kernel_from_file(const char *path, struct kernel_info *k, char *why, size_t wsz);

#endif
