/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Kernel modules a run packs into the initramfs: --modules names resolved with libkmod
 * against the booted kernel's module directory, with their dependencies, in load order.
 * ktstr-init loads them in that order from /ktstr/modules.order (guest/modules.c).
 */
#ifndef KTSTR_KMOD_H
#define KTSTR_KMOD_H

#include <stddef.h>
#include "kernel.h"

#define MODULES_ORDER_PATH "ktstr/modules.order"	/* in the archive */
#define MODULES_ARCHIVE_DIR "ktstr/modules"

struct modfile {
	char name[64];		/* module name, e.g. virtio_blk */
	char *host;		/* the .ko[.xz|.zst|.gz] on the host */
	char archive[128];	/* where it goes in the initramfs, no leading '/' */
};

struct modset {
	struct modfile *f;	/* in load order: dependencies first */
	size_t n, cap;
	size_t builtin;		/* requested modules found built into the kernel */
};

/*
 * Resolves the comma-separated list (module names or aliases) for kernel k. dir overrides
 * k->modules (--modules-dir). A directory without modules.dep (Debian's packages, built
 * trees) gets one from 'depmod -b' in the ktstr cache. Returns 0, -1 for a usage error
 * (a module that does not exist, no module directory: printed), -2 for an infrastructure
 * failure (printed).
 */
int modules_resolve(const struct kernel_info *k, const char *dir, const char *list,
		    struct modset *ms);
/*
 * Adds the drivers ktstr itself needs (virtio_pci, virtio_console: the report channel)
 * when the kernel has them as modules rather than built in; notes it when they are
 * neither. Returns 0, or -2 on an infrastructure failure (printed).
 */
int modules_add_needed(const struct kernel_info *k, const char *dir, struct modset *ms,
		       int verbose);
/* The order file's text: one absolute archive path per line. malloc'd, NULL if no memory. */
char *modules_order_text(const struct modset *ms);
void modules_free(struct modset *ms);

#endif
