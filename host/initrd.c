// SPDX-License-Identifier: GPL-2.0-only
#include "initrd.h"
#include "util.h"
#include "../initramfs/lz4.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bumped whenever the packing changes in a way the inputs do not show. */
#define BASE_FORMAT "ktstr base v1"

int initrd_find_init(char *path, size_t sz)
{
	const char *env = getenv("KTSTR_INIT");
	char dir[4096];

	if (env && *env) {
		snprintf(path, sz, "%s", env);
		return access(path, R_OK) == 0 ? 0 : -1;
	}
	if (kt_exe_dir(dir, sizeof(dir)) < 0)
		return -1;
	snprintf(path, sz, "%s/ktstr-init", dir);
	if (access(path, R_OK) == 0)
		return 0;
	snprintf(path, sz, "%s/../libexec/ktstr/ktstr-init", dir);
	return access(path, R_OK) == 0 ? 0 : -1;
}

int initrd_find_busybox(char *path, size_t sz)
{
	static const char *const where[] = { "/bin/busybox", "/usr/bin/busybox" };
	const char *env = getenv("KTSTR_BUSYBOX");

	if (env && *env) {
		snprintf(path, sz, "%s", env);
		return access(path, R_OK) == 0 ? 0 : -1;
	}
	for (size_t i = 0; i < sizeof(where) / sizeof(where[0]); i++)
		if (access(where[i], R_OK) == 0) {
			snprintf(path, sz, "%s", where[i]);
			return 0;
		}
	return -1;
}

int initrd_parse_compress(const char *s, enum initrd_compress *out)
{
	if (!strcmp(s, "lz4"))
		*out = INITRD_LZ4;
	else if (!strcmp(s, "none"))
		*out = INITRD_NONE;
	else
		return -1;
	return 0;
}

static int add_host_with_libs(struct initrd *r, const char *path, int mode, const char *host)
{
	struct elf_deps deps = { 0 };
	char err[PATH_MAX + 256];
	int ret = -1;

	if (cpio_tree_add_host(&r->base, path, mode, host, err, sizeof(err)) < 0 ||
	    elf_resolve(&r->elf, host, &deps, err, sizeof(err)) < 0)
		goto out;
	/* Libraries go where ld.so looks for them, with the host's symlinks. */
	for (size_t i = 0; i < deps.n; i++)
		if (cpio_tree_add_host_path(&r->base, deps.paths[i], err, sizeof(err)) < 0)
			goto out;
	ret = 0;
out:
	if (ret < 0)
		kt_err("initramfs: %s", err);
	elf_deps_free(&deps);
	return ret;
}

int initrd_begin(struct initrd *r, const struct initrd_opts *o)
{
	char err[PATH_MAX + 256];

	memset(r, 0, sizeof(*r));
	r->o = *o;
	r->elf.ld_library_path = getenv("LD_LIBRARY_PATH");
	/* /dev/console lets the kernel give /init its stdio before devtmpfs is mounted. */
	if (cpio_tree_add_dir(&r->base, "dev", 0755, err, sizeof(err)) < 0 ||
	    cpio_tree_add_chardev(&r->base, "dev/console", 0600, 5, 1, err, sizeof(err)) < 0 ||
	    cpio_tree_add_host(&r->base, "ktstr/init", 0755, o->init, err, sizeof(err)) < 0 ||
	    (!o->no_root_init &&
	     cpio_tree_add_host(&r->base, "init", 0755, o->init, err, sizeof(err)) < 0)) {
		kt_err("initramfs: %s", err);
		return -1;
	}
	if (o->busybox && add_host_with_libs(r, "bin/busybox", 0755, o->busybox) < 0)
		return -1;
	return 0;
}

int initrd_add(struct initrd *r, const struct initrd_entry *e)
{
	char err[PATH_MAX + 256];

	if (e->host)
		return add_host_with_libs(r, e->path, e->mode, e->host);
	if (cpio_tree_add_bytes(&r->base, e->path, e->mode < 0 ? 0644 : (mode_t)e->mode, e->data,
				e->len, err, sizeof(err)) < 0) {
		kt_err("initramfs: %s", err);
		return -1;
	}
	return 0;
}

/* Packs a finalized tree and compresses it: the cache's build step. */
struct pack_ctx {
	struct cpio_tree *t;
	enum initrd_compress compress;
};

static int pack(void *arg, uint8_t **out, size_t *len, char *err, size_t errsz)
{
	struct pack_ctx *p = arg;
	size_t raw_len = cpio_tree_size(p->t), n;
	uint8_t *raw = malloc(raw_len), *z;

	if (!raw) {
		snprintf(err, errsz, "out of memory for a %zu-byte archive", raw_len);
		return -1;
	}
	if (cpio_tree_write(p->t, raw, err, errsz) < 0) {
		free(raw);
		return -1;
	}
	if (p->compress == INITRD_NONE) {
		*out = raw;
		*len = raw_len;
		return 0;
	}
	z = malloc(lz4_legacy_bound(raw_len));
	if (!z) {
		free(raw);
		snprintf(err, errsz, "out of memory compressing %zu bytes", raw_len);
		return -1;
	}
	n = lz4_legacy_compress(raw, raw_len, z, 0, err, errsz);
	free(raw);
	if (!n) {
		free(z);
		return -1;
	}
	*out = z;
	*len = n;
	return 0;
}

static int open_output(const char *out_path, char *tmp, size_t tmpsz, int *atomic)
{
	struct stat st;
	int fd;

	*atomic = 0;
	if (!strcmp(out_path, "-"))
		return STDOUT_FILENO;
	/* Devices and pipes (/dev/null, a FIFO) are written in place. */
	if (stat(out_path, &st) == 0 && !S_ISREG(st.st_mode)) {
		fd = open(out_path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			kt_err("opening %s: %s", out_path, strerror(errno));
		return fd;
	}
	snprintf(tmp, tmpsz, "%s.XXXXXX", out_path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		kt_err("creating %s: %s", tmp, strerror(errno));
		return -1;
	}
	*atomic = 1;
	return fd;
}

int initrd_write_out(struct initrd *r, const struct initrd_entry *suffix, size_t nsuffix,
		     const char *out_path)
{
	struct cache c = { .verbose = r->o.verbose };
	struct cpio_tree st = { 0 };
	struct pack_ctx bctx = { &r->base, r->o.compress }, sctx = { &st, r->o.compress };
	struct cache_blob base;
	uint8_t key[CACHE_KEY_LEN], *sbuf = NULL;
	size_t slen = 0;
	char err[PATH_MAX + 256], opts[64], tmp[PATH_MAX + 16];
	int fd = -1, atomic = 0, ret = -1, blocked = 0;
	sigset_t stop, old;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);

	snprintf(opts, sizeof(opts), BASE_FORMAT " compress=%s lz4chunk=%u",
		 r->o.compress == INITRD_LZ4 ? "lz4" : "none", LZ4_LEGACY_CHUNK);
	if (cache_open(&c, r->o.cache_dir, err, sizeof(err)) < 0)
		kt_note("initramfs cache unusable (%s); building in memory", err);
	if (cache_key(&c, &r->base, opts, strlen(opts), key, err, sizeof(err)) < 0 ||
	    cache_get(&c, key, pack, &bctx, &base, err, sizeof(err)) < 0) {
		kt_err("initramfs: %s", err);
		goto out;
	}
	/* The suffix is tiny and per run: packed every time, never cached. */
	for (size_t i = 0; i < nsuffix; i++) {
		const struct initrd_entry *e = &suffix[i];
		int rc = e->host ? cpio_tree_add_host(&st, e->path, e->mode, e->host, err,
						      sizeof(err))
				 : cpio_tree_add_bytes(&st, e->path,
						       e->mode < 0 ? 0644 : (mode_t)e->mode,
						       e->data, e->len, err, sizeof(err));
		if (rc < 0) {
			kt_err("initramfs: %s", err);
			goto out;
		}
	}
	if (nsuffix && (cpio_tree_finalize(&st, err, sizeof(err)) < 0 ||
			pack(&sctx, &sbuf, &slen, err, sizeof(err)) < 0)) {
		kt_err("initramfs: %s", err);
		goto out;
	}
	/* Ctrl-C waits until the output is whole or gone (milliseconds). */
	sigprocmask(SIG_BLOCK, &stop, &old);
	blocked = 1;
	fd = open_output(out_path, tmp, sizeof(tmp), &atomic);
	if (fd < 0)
		goto out;
	if (kt_write_all(fd, base.data, base.len) < 0 ||
	    (slen && kt_write_all(fd, sbuf, slen) < 0)) {
		kt_err("writing %s: %s", atomic ? tmp : out_path, strerror(errno));
		goto out;
	}
	if (atomic) {
		if (fchmod(fd, 0644) < 0 || close(fd) < 0) {
			fd = -1;
			kt_err("writing %s: %s", tmp, strerror(errno));
			goto out;
		}
		fd = -1;
		if (rename(tmp, out_path) < 0) {
			kt_err("renaming %s to %s: %s", tmp, out_path, strerror(errno));
			goto out;
		}
		atomic = 0;
	}
	ret = 0;
out:
	if (fd > STDOUT_FILENO)
		close(fd);
	if (atomic)
		unlink(tmp);
	free(sbuf);
	cpio_tree_free(&st);
	cache_close(&c);
	if (blocked)
		sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

void initrd_end(struct initrd *r)
{
	cpio_tree_free(&r->base);
	elf_resolver_free(&r->elf);
}

int initrd_write(const struct initrd_opts *o, const struct initrd_entry *base, size_t nbase,
		 const struct initrd_entry *suffix, size_t nsuffix, const char *out_path)
{
	struct initrd r;
	int ret = -1;

	if (initrd_begin(&r, o) < 0)
		goto out;
	for (size_t i = 0; i < nbase; i++)
		if (initrd_add(&r, &base[i]) < 0)
			goto out;
	ret = initrd_write_out(&r, suffix, nsuffix, out_path);
out:
	initrd_end(&r);
	return ret;
}
