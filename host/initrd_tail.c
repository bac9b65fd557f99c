// SPDX-License-Identifier: GPL-2.0-only
#include "initrd_tail.h"
#include "util.h"
#include "../initramfs/cpio.h"
#include "../initramfs/lz4.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

unsigned initrd_pad_mib_from_env(void)
{
	const char *p = getenv("KTSTR_INITRD_PAD_MIB");

	return p && *p ? (unsigned)strtoul(p, NULL, 10) : 0;
}

int initrd_append_tail(const char *path, unsigned pad_mib, int lz4)
{
	static const char sentinel[] = "the whole initramfs was unpacked\n";
	struct cpio c = { 0 };
	uint64_t *pad = NULL;
	uint8_t *z = NULL;
	const void *out;
	size_t outlen;
	char err[256];
	int fd, ret = -1;

	if (pad_mib) {
		size_t len = (size_t)pad_mib << 20;
		uint64_t v = 0x9e3779b97f4a7c15ull;

		pad = malloc(len);
		if (!pad) {
			kt_err("out of memory for %u MiB of initramfs padding", pad_mib);
			return -1;
		}
		for (size_t i = 0; i < len / 8; i++) {	/* xorshift: does not compress */
			v ^= v << 13, v ^= v >> 7, v ^= v << 17;
			pad[i] = v;
		}
	}
	/* An archive's entries unpack in order: the sentinel is the last of all. */
	if (cpio_add_dir(&c, "ktstr", 0755) ||
	    (pad && cpio_add_file(&c, "ktstr/pad", 0644, pad, (size_t)pad_mib << 20)) ||
	    cpio_add_file(&c, INITRD_SENTINEL, 0644, sentinel, sizeof(sentinel) - 1) ||
	    cpio_finish(&c)) {
		kt_err("out of memory building the initramfs tail");
		goto out;
	}
	out = c.out.buf;
	outlen = c.out.len;
	/*
	 * After an LZ4 legacy stream the kernel's decompressor reads everything as more
	 * chunks, so behind a compressed archive the tail must be one too.
	 */
	if (lz4) {
		z = malloc(lz4_legacy_bound(c.out.len));
		if (!z) {
			kt_err("out of memory compressing the initramfs tail");
			goto out;
		}
		outlen = lz4_legacy_compress(c.out.buf, c.out.len, z, 1, err, sizeof(err));
		if (!outlen) {
			kt_err("compressing the initramfs tail: %s", err);
			goto out;
		}
		out = z;
	}
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd < 0) {
		kt_err("opening %s to append the sentinel: %s", path, strerror(errno));
		goto out;
	}
	ret = kt_write_all(fd, out, outlen);
	if (close(fd) < 0)
		ret = -1;
	if (ret < 0)
		kt_err("appending the sentinel to %s: %s", path, strerror(errno));
out:
	free(z);
	free(pad);
	cpio_free(&c);
	return ret;
}
