/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef KTSTR_DL_H
#define KTSTR_DL_H

#include <stddef.h>

/*
 * Libraries only one option needs (libkmod for --modules, libxml2 for --junit) are
 * loaded when that option is used, so every other ktstr process starts without them and
 * the dozen libraries they pull in (libcrypto, ICU, libstdc++, zstd, lzma).
 */
struct kt_dlsym {
	const char *name;
	void **fn;	/* where the address goes */
};

/* A struct member holding the address of the library function of the same name. */
#define KT_DLFN(f) typeof(f) *f
/* A kt_dlsym entry filling that member of the struct s. */
#define KT_DLSYM(s, f) { #f, (void **)&(s).f }

/*
 * Opens soname and fills every entry of syms. 0, or -1 after an error naming the library,
 * what needs it, and the first symbol that is missing.
 */
int kt_dlopen(const char *soname, const char *what, const struct kt_dlsym *syms, size_t n);

/* A library to load once per process, and the functions wanted from it. */
struct kt_dllib {
	const char *soname, *what;	/* "libkmod.so.2", "--modules" */
	const struct kt_dlsym *syms;
	size_t n;
	int state;			/* 0: not tried; 1: loaded; -1: failed, said */
};

/* kt_dlopen on first use, remembered: 0, or -1 (the error is printed the first time). */
int kt_dlload(struct kt_dllib *l);

/* NULL when soname can be loaded, else why not (dlerror's text). For ktstr doctor. */
const char *kt_dl_probe(const char *soname);

#endif
