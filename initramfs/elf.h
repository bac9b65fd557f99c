/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a dynamic ELF needs to run, found the way ld.so finds it: the PT_INTERP interpreter
 * and the transitive closure of DT_NEEDED libraries, searched in DT_RPATH (of the object
 * and then of the executable, when the object has no DT_RUNPATH), LD_LIBRARY_PATH,
 * DT_RUNPATH, /etc/ld.so.cache and the default directories, with $ORIGIN, $LIB and
 * $PLATFORM expanded. A candidate of the wrong class or machine is skipped, as ld.so does.
 */
#ifndef KTSTR_ELF_H
#define KTSTR_ELF_H

#include <stddef.h>

struct elf_resolver {
	const char *ld_library_path;	/* NULL: none; callers pass getenv("LD_LIBRARY_PATH") */
	const char *ld_cache;		/* NULL: /etc/ld.so.cache */
	/* the loaded ld.so.cache (private) */
	void *cache_map;
	size_t cache_len;
	int cache_loaded;
};

struct elf_deps {
	char **paths;	/* host paths as found (symlinks not resolved), interpreter first */
	size_t n;
};

/*
 * Adds to deps what binary needs (nothing for a static binary or a file that is not ELF).
 * Paths already in deps are not added again. Returns 0, or -1 with err naming the binary
 * and the library that could not be found (or why the ELF could not be read).
 */
int elf_resolve(struct elf_resolver *r, const char *binary, struct elf_deps *deps,
		char *err, size_t errsz);
void elf_deps_free(struct elf_deps *d);
void elf_resolver_free(struct elf_resolver *r);

#endif
