/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The initramfs a run boots: a cached base (ktstr-init at /init and /ktstr/init, busybox at
 * /bin/busybox, include files, kernel modules, and every shared library those need) plus a
 * small per-run suffix archive (the job) appended after it. The kernel unpacks both.
 */
#ifndef KTSTR_INITRD_H
#define KTSTR_INITRD_H

#include <stddef.h>
#include <sys/types.h>
#include "../initramfs/cache.h"
#include "../initramfs/cpio.h"
#include "../initramfs/elf.h"

enum initrd_compress { INITRD_LZ4, INITRD_NONE };

struct initrd_opts {
	const char *init;		/* ktstr-init on the host (initrd_find_init) */
	const char *busybox;		/* static busybox on the host, or NULL for none */
	enum initrd_compress compress;
	int no_root_init;		/* only /ktstr/init, for archives appended to a
					 * user's initramfs that keeps its own /init */
	int verbose;			/* say "built" or "cache hit" on stderr */
	const char *cache_dir;		/* NULL: $KTSTR_CACHE_DIR/initramfs or ~/.cache/... */
};

/* One file for the archive: from the host (host set) or from memory (data, len). */
struct initrd_entry {
	const char *path;		/* where in the guest, e.g. "/ktstr/job" */
	const char *host;		/* host file to copy (its libraries go along), or NULL */
	const void *data;
	size_t len;
	int mode;			/* permissions; -1 keeps the host file's */
};

struct initrd {
	struct initrd_opts o;
	struct cpio_tree base;
	struct elf_resolver elf;
};

/* Finds ktstr-init: $KTSTR_INIT, next to the ktstr binary, or ../libexec/ktstr/. */
int initrd_find_init(char *path, size_t sz);
/* Finds a busybox: $KTSTR_BUSYBOX, /bin/busybox, /usr/bin/busybox. */
int initrd_find_busybox(char *path, size_t sz);
/* Parses "lz4" or "none" (for --compress). */
int initrd_parse_compress(const char *s, enum initrd_compress *out);

/* Starts a base with init, /dev/console and busybox. Each returns 0, or -1 after printing. */
int initrd_begin(struct initrd *r, const struct initrd_opts *o);
/* Adds a file to the base; a dynamic ELF from the host brings its interpreter and libraries. */
int initrd_add(struct initrd *r, const struct initrd_entry *e);
/*
 * Writes base (from the cache, built once if needed) + a suffix archive of the given
 * entries to out_path ("-" for stdout), replacing it atomically when it is a regular file.
 */
int initrd_write_out(struct initrd *r, const struct initrd_entry *suffix, size_t nsuffix,
		     const char *out_path);
void initrd_end(struct initrd *r);

/* All of it in one call: what 'ktstr run' uses. */
int initrd_write(const struct initrd_opts *o, const struct initrd_entry *base, size_t nbase,
		 const struct initrd_entry *suffix, size_t nsuffix, const char *out_path);

#endif
