// SPDX-License-Identifier: GPL-2.0-only
#include "kernel.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

/* Offsets in the x86 boot protocol's setup header (Documentation/arch/x86/boot.rst). */
#define BOOT_FLAG	0x1fe	/* 0xAA55 */
#define HDRS		0x202	/* "HdrS" */
#define KERNEL_VERSION	0x20e	/* offset of the version string, minus 0x200 */

/* Says what a file that is not an x86 bzImage is, so the user sees what was found. */
static void describe_other(const uint8_t *h, ssize_t n, const char *path, char *why, size_t wsz)
{
	const char *what = "not an x86 bzImage (no boot sector / 'HdrS' setup header)";
	char buf[128];

	if (n < 4) {
		snprintf(why, wsz, "%s is not a kernel: only %zd bytes long", path, n < 0 ? 0 : n);
		return;
	}
	if (!memcmp(h, "\177ELF", 4)) {
		unsigned mach = n > 19 ? (unsigned)(h[18] | h[19] << 8) : 0;

		if (mach == 62)
			what = "an x86-64 ELF file (an uncompressed vmlinux?), not a bzImage: boot "
			       "arch/x86/boot/bzImage instead";
		else {
			snprintf(buf, sizeof(buf), "an ELF file for another architecture (e_machine "
				 "%u), not an x86 bzImage", mach);
			what = buf;
		}
	} else if (n >= 0x3c && !memcmp(h + 0x38, "ARM\x64", 4)) {
		what = "an arm64 kernel Image; ktstr boots x86_64 kernels";
	} else if (n >= 0x3c && !memcmp(h + 0x38, "RSC\x05", 4)) {
		what = "a RISC-V kernel Image; ktstr boots x86_64 kernels";
	} else if (h[0] == 0x1f && h[1] == 0x8b) {
		what = "gzip data (a compressed Image of another architecture?), not an x86 bzImage";
	} else if (h[0] == 'M' && h[1] == 'Z') {
		what = "a PE/EFI file without an x86 boot setup header, not a bzImage";
	}
	snprintf(why, wsz, "%s is %s", path, what);
}

int kernel_probe(const char *path, char *version, size_t vsz, char *why, size_t wsz)
{
	uint8_t hdr[1024], vbuf[256];
	uint16_t off;
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	version[0] = '\0';
	if (fd < 0) {
		snprintf(why, wsz, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		snprintf(why, wsz, "%s is a directory, not a bzImage", path);
		close(fd);
		return -1;
	}
	n = pread(fd, hdr, sizeof(hdr), 0);
	if (n < 0) {
		snprintf(why, wsz, "reading %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (n < (ssize_t)sizeof(hdr) || hdr[BOOT_FLAG] != 0x55 || hdr[BOOT_FLAG + 1] != 0xaa ||
	    memcmp(hdr + HDRS, "HdrS", 4)) {
		describe_other(hdr, n, path, why, wsz);
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

int kernel_cache_dir(char *buf, size_t sz)
{
	const char *c = getenv("KTSTR_CACHE_DIR"), *x = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");

	if (c && *c)
		return kt_pathf(buf, sz, "%s/kernels", c);
	if (x && *x)
		return kt_pathf(buf, sz, "%s/ktstr/kernels", x);
	if (home && *home)
		return kt_pathf(buf, sz, "%s/.cache/ktstr/kernels", home);
	return -1;
}

static int is_dir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Reads a cache entry's marker (.ktstr-vmlinuz holds the vmlinuz path). */
static int read_marker(const char *entry, char *path, size_t sz)
{
	char marker[4200];
	size_t len;
	char *txt;

	kt_pathf(marker, sizeof(marker), "%s/.ktstr-vmlinuz", entry);
	txt = kt_read_file(marker, 4096, &len);
	if (!txt)
		return -1;
	txt[strcspn(txt, "\n")] = '\0';
	kt_pathf(path, sz, "%s", txt);
	free(txt);
	return path[0] ? 0 : -1;
}

int kernel_find_cached(char *path, size_t sz)
{
	char dir[4096], entry[4400], best[256] = "";
	struct dirent *de;
	DIR *d;

	if (kernel_cache_dir(dir, sizeof(dir)) < 0 || !(d = opendir(dir)))
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		kt_pathf(entry, sizeof(entry), "%s/%s/.ktstr-vmlinuz", dir, de->d_name);
		if (access(entry, R_OK))
			continue;
		if (!best[0] || strverscmp(de->d_name, best) > 0)
			kt_pathf(best, sizeof(best), "%s", de->d_name);
	}
	closedir(d);
	if (!best[0])
		return -1;
	kt_pathf(entry, sizeof(entry), "%s/%s", dir, best);
	return read_marker(entry, path, sz);
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* The module directory that belongs to a bzImage, when one can be told from where it is. */
static void guess_modules(struct kernel_info *k)
{
	char p[4400], root[4096];
	const char *slash;

	k->modules[0] = '\0';
	k->modules_is_tree = 0;
	/* <tree>/arch/x86/boot/bzImage: a built tree keeps its modules in place. */
	if (ends_with(k->image, "/arch/x86/boot/bzImage")) {
		kt_pathf(root, sizeof(root), "%.*s", (int)(strlen(k->image) - 22), k->image);
		kt_pathf(p, sizeof(p), "%s/modules.order", root);
		if (access(p, R_OK) == 0) {
			kt_pathf(k->modules, sizeof(k->modules), "%s", root);
			k->modules_is_tree = 1;
		}
		return;
	}
	if (!k->version[0])
		return;
	/* <root>/boot/vmlinuz-*: an unpacked package (or /) with <root>/lib/modules/<ver>. */
	slash = strrchr(k->image, '/');
	if (slash && slash - k->image >= 5 && !strncmp(slash - 5, "/boot", 5)) {
		kt_pathf(root, sizeof(root), "%.*s", (int)(slash - 5 - k->image), k->image);
		kt_pathf(p, sizeof(p), "%s/lib/modules/%s", root, k->version);
		if (is_dir(p)) {
			kt_pathf(k->modules, sizeof(k->modules), "%s", p);
			return;
		}
	}
	/* /lib/modules/<ver>/vmlinuz, or an installed kernel of that version. */
	if (slash && ends_with(k->image, "/vmlinuz")) {
		kt_pathf(p, sizeof(p), "%.*s/modules.order", (int)(slash - k->image), k->image);
		if (access(p, R_OK) == 0) {
			kt_pathf(k->modules, sizeof(k->modules), "%.*s", (int)(slash - k->image),
				 k->image);
			return;
		}
	}
	kt_pathf(p, sizeof(p), "/lib/modules/%s", k->version);
	if (is_dir(p))
		kt_pathf(k->modules, sizeof(k->modules), "%s", p);
}

int kernel_from_file(const char *path, struct kernel_info *k, char *why, size_t wsz)
{
	if (strlen(path) >= sizeof(k->image)) {
		snprintf(why, wsz, "path too long: %.64s...", path);
		return -1;
	}
	kt_pathf(k->image, sizeof(k->image), "%s", path);
	if (kernel_probe(path, k->version, sizeof(k->version), why, wsz) < 0)
		return -1;
	guess_modules(k);
	return 0;
}

/* A directory: a built tree or an unpacked package root (boot/vmlinuz-*). */
static int from_dir(const char *dir, struct kernel_info *k, char *why, size_t wsz)
{
	char p[4400];
	glob_t g;
	int ret;

	kt_pathf(p, sizeof(p), "%s/arch/x86/boot/bzImage", dir);
	if (access(p, F_OK) == 0) {
		k->source = "tree";
		return kernel_from_file(p, k, why, wsz);
	}
	kt_pathf(p, sizeof(p), "%s/boot/vmlinuz-*", dir);
	if (glob(p, 0, NULL, &g) == 0 && g.gl_pathc > 0) {
		/* Several images: the newest version, as a package would install it. */
		const char *best = g.gl_pathv[0];

		for (size_t i = 1; i < g.gl_pathc; i++)
			if (strverscmp(g.gl_pathv[i], best) > 0)
				best = g.gl_pathv[i];
		k->source = "package";
		ret = kernel_from_file(best, k, why, wsz);
		globfree(&g);
		return ret;
	}
	globfree(&g);
	kt_pathf(p, sizeof(p), "%s/vmlinuz", dir);
	if (access(p, F_OK) == 0) {
		k->source = "directory";
		return kernel_from_file(p, k, why, wsz);
	}
	snprintf(why, wsz, "%s holds no kernel: neither arch/x86/boot/bzImage (a built tree) nor "
		 "boot/vmlinuz-* (an unpacked package) nor vmlinuz", dir);
	return -1;
}

/* A version string: /boot, /lib/modules/<ver>, then the ktstr cache. */
static int from_version(const char *ver, struct kernel_info *k, char *why, size_t wsz)
{
	char p[4400], cache[4096];
	const char *where[] = { "/boot/vmlinuz-%s", "/lib/modules/%s/vmlinuz" };
	glob_t g;

	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof(p), where[i], ver);
		if (access(p, F_OK) == 0) {
			k->source = i ? "modules dir" : "installed";
			return kernel_from_file(p, k, why, wsz);
		}
	}
	if (kernel_cache_dir(cache, sizeof(cache)) == 0) {
		kt_pathf(p, sizeof(p), "%s/*/boot/vmlinuz-%s", cache, ver);
		if (glob(p, 0, NULL, &g) == 0 && g.gl_pathc > 0) {
			int ret;

			k->source = "cache";
			ret = kernel_from_file(g.gl_pathv[0], k, why, wsz);
			globfree(&g);
			return ret;
		}
		globfree(&g);
	}
	snprintf(why, wsz, "'%s' is neither a file nor a directory, and no kernel of that version "
		 "is in /boot/vmlinuz-%s, /lib/modules/%s/vmlinuz or the ktstr cache (%s)", ver, ver,
		 ver, cache);
	return -1;
}

/* Nothing given: the running kernel's image if readable, else the newest cached kernel. */
static int from_default(struct kernel_info *k, char *why, size_t wsz)
{
	char p[4400], dummy[512];
	struct utsname u;

	if (uname(&u) == 0) {
		const char *where[] = { "/boot/vmlinuz-%s", "/lib/modules/%s/vmlinuz" };

		for (size_t i = 0; i < 2; i++) {
			snprintf(p, sizeof(p), where[i], u.release);
			if (access(p, R_OK) == 0 && kernel_from_file(p, k, dummy, sizeof(dummy)) == 0) {
				k->source = "running kernel";
				return 0;
			}
		}
	}
	if (kernel_find_cached(p, sizeof(p)) == 0) {
		k->source = "cache";
		return kernel_from_file(p, k, why, wsz) ? -1 : 0;
	}
	snprintf(why, wsz, "no kernel given (--kernel or KTSTR_KERNEL), the running kernel's image "
		 "(/boot/vmlinuz-%s) is not readable and none is cached: run 'ktstr kernel fetch' "
		 "to get Debian's cloud kernel", uname(&u) == 0 ? u.release : "?");
	return -2;
}

int kernel_resolve(const char *spec, struct kernel_info *k, char *why, size_t wsz)
{
	struct stat st;

	memset(k, 0, sizeof(*k));
	if (!spec || !*spec)
		return from_default(k, why, wsz);
	if (stat(spec, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return from_dir(spec, k, why, wsz);
		k->source = "file";
		return kernel_from_file(spec, k, why, wsz);
	}
	/* A path that does not exist is reported as such, not looked up as a version. */
	if (strchr(spec, '/') || errno != ENOENT) {
		snprintf(why, wsz, "cannot open %s: %s", spec, strerror(errno));
		return -1;
	}
	return from_version(spec, k, why, wsz);
}
