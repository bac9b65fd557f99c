// SPDX-License-Identifier: GPL-2.0-only
#include "kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <dirent.h>
#include <stdlib.h>
#include "util.h"

/* Offsets in the x86 boot protocol's setup header (Documentation/arch/x86/boot.rst). */
#define SETUP_SECTS	0x1f1
#define BOOT_FLAG	0x1fe	/* 0xAA55 */
#define HDRS		0x202	/* "HdrS" */
#define BOOT_VERSION	0x206
#define KERNEL_VERSION	0x20e	/* offset of the version string, minus 0x200 */

int kernel_probe(const char *path, char *version, size_t vsz, char *why, size_t wsz)
{
	uint8_t hdr[1024], vbuf[256];
	uint16_t off;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	version[0] = '\0';
	if (fd < 0) {
		snprintf(why, wsz, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	n = pread(fd, hdr, sizeof(hdr), 0);
	if (n < (ssize_t)sizeof(hdr) || hdr[BOOT_FLAG] != 0x55 || hdr[BOOT_FLAG + 1] != 0xaa ||
	    memcmp(hdr + HDRS, "HdrS", 4)) {
		snprintf(why, wsz, "%s is not an x86 bzImage (no boot sector / 'HdrS' setup header)",
			 path);
		close(fd);
		return -1;
	}
	off = (uint16_t)(hdr[KERNEL_VERSION] | hdr[KERNEL_VERSION + 1] << 8);
	n = off ? pread(fd, vbuf, sizeof(vbuf) - 1, (off_t)off + 0x200) : 0;
	close(fd);
	if (n > 0) {
		vbuf[n] = '\0';
		/* "6.12.117+deb12-cloud-amd64 (debian-kernel@...) #1 SMP ..." : keep the release */
		vbuf[strcspn((char *)vbuf, " ")] = '\0';
		snprintf(version, vsz, "%s", (char *)vbuf);
	}
	return 0;
}

/* Cache dir for kernels, as host/fetch-kernel.sh lays it out. */
static int kernels_dir(char *buf, size_t sz)
{
	const char *c = getenv("KTSTR_CACHE_DIR"), *x = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (c && *c)
		return snprintf(buf, sz, "%s/kernels", c) < (int)sz ? 0 : -1;
	if (x && *x)
		return snprintf(buf, sz, "%s/ktstr/kernels", x) < (int)sz ? 0 : -1;
	if (home && *home)
		return snprintf(buf, sz, "%s/.cache/ktstr/kernels", home) < (int)sz ? 0 : -1;
	return -1;
}

int kernel_find_cached(char *path, size_t sz)
{
	char dir[4096], marker[8192], best[256] = "";
	struct dirent *de;
	DIR *d;

	if (kernels_dir(dir, sizeof(dir)) < 0 || !(d = opendir(dir)))
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(marker, sizeof(marker), "%s/%s/.ktstr-vmlinuz", dir, de->d_name);
		if (access(marker, R_OK))
			continue;
		if (!best[0] || strverscmp(de->d_name, best) > 0)
			snprintf(best, sizeof(best), "%s", de->d_name);
	}
	closedir(d);
	if (!best[0])
		return -1;
	snprintf(marker, sizeof(marker), "%s/%s/.ktstr-vmlinuz", dir, best);
	{
		size_t len;
		char *txt = kt_read_file(marker, 4096, &len);

		if (!txt)
			return -1;
		txt[strcspn(txt, "\n")] = '\0';
		snprintf(path, sz, "%s", txt);
		free(txt);
	}
	return 0;
}
