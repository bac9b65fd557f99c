// SPDX-License-Identifier: GPL-2.0-only
#include "cpio.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static void pad4(struct kt_wbuf *w)
{
	static const uint8_t zero[4];

	kt_put_bytes(w, zero, (4 - (w->len & 3)) & 3);
}

static int add_ino(struct cpio *c, uint32_t ino, const char *path, mode_t mode, unsigned rmaj,
		   unsigned rmin, const void *data, size_t len)
{
	char hdr[111];
	size_t namesz = strlen(path) + 1;

	if (len > 0xffffffffu || namesz > 4096)
		return -1;
	/* newc: magic, ino, mode, uid, gid, nlink, mtime, filesize, devmaj, devmin,
	 * rdevmaj, rdevmin, namesize, check; all 8-digit hex. */
	snprintf(hdr, sizeof(hdr),
		 "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X",
		 ino, (unsigned)mode, 0u, 0u, S_ISDIR(mode) ? 2u : 1u, 0u,
		 (unsigned)len, 0u, 0u, rmaj, rmin, (unsigned)namesz, 0u);
	kt_put_bytes(&c->out, hdr, 110);
	kt_put_bytes(&c->out, path, namesz);
	pad4(&c->out);
	kt_put_bytes(&c->out, data, len);
	pad4(&c->out);
	return c->out.oom ? -1 : 0;
}

static int add(struct cpio *c, const char *path, mode_t mode, unsigned rmaj, unsigned rmin,
	       const void *data, size_t len)
{
	return add_ino(c, ++c->ino, path, mode, rmaj, rmin, data, len);
}

int cpio_add_dir(struct cpio *c, const char *path, mode_t perm)
{
	return add(c, path, S_IFDIR | (perm & 07777), 0, 0, NULL, 0);
}

int cpio_add_file(struct cpio *c, const char *path, mode_t perm, const void *data, size_t len)
{
	return add(c, path, S_IFREG | (perm & 07777), 0, 0, data, len);
}

int cpio_add_symlink(struct cpio *c, const char *path, const char *target)
{
	return add(c, path, S_IFLNK | 0777, 0, 0, target, strlen(target));
}

int cpio_add_chardev(struct cpio *c, const char *path, mode_t perm, unsigned maj, unsigned min)
{
	return add(c, path, S_IFCHR | (perm & 07777), maj, min, NULL, 0);
}

int cpio_finish(struct cpio *c)
{
	return add_ino(c, 0, "TRAILER!!!", 0, 0, 0, NULL, 0);
}

void cpio_free(struct cpio *c)
{
	kt_wbuf_free(&c->out);
	c->ino = 0;
}
