/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * newc cpio writer (the format the kernel unpacks as an initramfs). Entries are built in
 * memory; all metadata is fixed (uid/gid 0, mtime 0) so equal inputs give equal bytes.
 */
#ifndef KTSTR_CPIO_H
#define KTSTR_CPIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "../shared/wire.h"

struct cpio {
	struct kt_wbuf out;
	uint32_t ino;
};

int cpio_add_dir(struct cpio *c, const char *path, mode_t perm);
int cpio_add_file(struct cpio *c, const char *path, mode_t perm, const void *data, size_t len);
int cpio_add_symlink(struct cpio *c, const char *path, const char *target);
int cpio_add_chardev(struct cpio *c, const char *path, mode_t perm, unsigned maj, unsigned min);
/* Appends the TRAILER!!! entry. The archive is then c->out.buf, c->out.len bytes. */
int cpio_finish(struct cpio *c);
void cpio_free(struct cpio *c);

#endif
