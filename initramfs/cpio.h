/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * newc cpio writer (the format the kernel unpacks as an initramfs).
 *
 * Two layers. struct cpio appends entries in the order given. struct cpio_tree collects
 * entries in any order and packs them deterministically: paths normalised and resolved
 * through the archive's own symlinks, missing parent directories added (mode 0755), entries
 * sorted by path (so parents come first), uid/gid/mtime 0, inode numbers assigned in that
 * order, and host files that are one inode (hard links) packed once with nlink > 1.
 * The same inputs give byte-identical archives.
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

struct cpio_entry {
	char *path;		/* archive path, no leading '/' */
	mode_t mode;		/* S_IF* type | permissions */
	char *host;		/* regular file read from this host path at pack time, or NULL */
	void *data;		/* regular file bytes (owned), or symlink target (NUL-terminated) */
	size_t len;		/* content length (for host files: st_size when added) */
	unsigned rmaj, rmin;	/* char devices */
	dev_t dev;		/* host identity of a host file, for hard links */
	ino_t ino;
	int64_t mtime_ns, ctime_ns;	/* host file stamps, for the digest memo */
	uint8_t digest[16];	/* XXH3-128 of the content, filled in by whoever keys the tree */
	int have_digest;
	const void *map;	/* the host file mapped read-only (len bytes), kept from hashing
				 * to packing so it is read once; unmapped by cpio_tree_free */
	/* set by cpio_tree_finalize */
	uint32_t out_ino, nlink;
	int carries_data;	/* the one member of a hard-link group that holds the bytes */
	size_t order;		/* insertion order, for stable sorting */
};

struct cpio_tree {
	struct cpio_entry *e;
	size_t n, cap;
	int final;
};

/* Each returns 0, or -1 with a message in err (errsz bytes). Paths may start with '/'. */
int cpio_tree_add_dir(struct cpio_tree *t, const char *path, mode_t perm, char *err, size_t errsz);
int cpio_tree_add_bytes(struct cpio_tree *t, const char *path, mode_t perm, const void *data,
			size_t len, char *err, size_t errsz);
/* A regular host file (symlinks followed) packed at path; perm -1 keeps the host's mode. */
int cpio_tree_add_host(struct cpio_tree *t, const char *path, int perm, const char *host,
		       char *err, size_t errsz);
int cpio_tree_add_symlink(struct cpio_tree *t, const char *path, const char *target,
			  char *err, size_t errsz);
int cpio_tree_add_chardev(struct cpio_tree *t, const char *path, mode_t perm, unsigned maj,
			  unsigned min, char *err, size_t errsz);
/*
 * Packs the absolute host path at the same place in the archive, reproducing every symlink
 * met on the way (a /lib -> usr/lib link becomes the same link in the archive), the way
 * shared libraries must appear for the dynamic loader.
 */
int cpio_tree_add_host_path(struct cpio_tree *t, const char *abs_host, char *err, size_t errsz);
/* Normalises, resolves, adds parents, sorts, groups hard links. Idempotent. */
int cpio_tree_finalize(struct cpio_tree *t, char *err, size_t errsz);
/* Maps a host entry's file (once); returns 0 or -1 with err. */
int cpio_entry_map(struct cpio_entry *e, char *err, size_t errsz);
/* Bytes cpio_tree_write will produce (after finalize). */
size_t cpio_tree_size(const struct cpio_tree *t);
/*
 * Writes the finalized archive (with its trailer) into buf (cpio_tree_size bytes). Host
 * files are read now; one whose content no longer matches the digest in its entry (when
 * have_digest) or its recorded size is an error: it changed while being packed.
 */
int cpio_tree_write(struct cpio_tree *t, uint8_t *buf, char *err, size_t errsz);
void cpio_tree_free(struct cpio_tree *t);

#endif
