/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * -i PATH[:GUEST_PATH]: host files and directories copied into the guest (ktstr shell).
 * Checked when the flag is parsed, so a typo costs no boot; expanded into initramfs
 * entries (host/initrd.h), where ELF programs bring their shared libraries.
 */
#ifndef KTSTR_INCLUDE_H
#define KTSTR_INCLUDE_H

#include <stddef.h>
#include "initrd.h"

struct include {
	char host[4096];
	char guest[4096];	/* absolute, no trailing '/' */
	int dir;		/* a directory: its files go under guest */
	unsigned nfiles;	/* files found in the directory by include_add */
};

/*
 * Parses PATH[:GUEST_PATH]. A bare PATH (no '/') is looked up in $PATH, then in the
 * current directory; without GUEST_PATH the file goes to default_dir/NAME. The file must
 * exist and be a regular file or a directory. Returns 0, or -1 after printing why.
 */
int include_parse(const char *arg, const char *default_dir, struct include *inc);

/* initramfs entries whose strings (path, host) the list owns. */
struct initrd_list {
	struct initrd_entry *e;
	size_t n, cap;
};

/* Copies path and host; data is referenced. Returns 0, or -1 when out of memory. */
int initrd_list_add(struct initrd_list *l, const char *path, const char *host, const void *data,
		    size_t len, int mode);
void initrd_list_free(struct initrd_list *l);

/*
 * Adds the file, or every regular file under the directory (symlinks followed; devices,
 * sockets and fifos skipped) at the same relative place under inc->guest. Counts them in
 * inc->nfiles. Returns 0, or -1 after printing why.
 */
int include_add(struct initrd_list *l, struct include *inc);

#endif
