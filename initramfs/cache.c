// SPDX-License-Identifier: GPL-2.0-only
#include "cache.h"
#include "errbuf.h"
#include "xxh_fast.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>

#define ENTRY_MAGIC "KTSTRIMG"
#define ENTRY_VERSION 1
#define KEY_DOMAIN "ktstr initramfs key v1"
#define MEMO_FILE "digests"
#define MEMO_REC_LEN 64
#define MEMO_MAX_RECS 65536	/* beyond this the memo starts afresh */
#define TIER1_MAX 16
#define POLL_MS 5

struct memo_rec {
	uint64_t dev, ino, size;
	int64_t mtime_ns, ctime_ns;
	uint8_t digest[16];
};


static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	fputs("ktstr: initramfs: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void put64(uint8_t *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void cache_key_hex(const uint8_t key[CACHE_KEY_LEN], char hex[2 * CACHE_KEY_LEN + 1])
{
	for (int i = 0; i < CACHE_KEY_LEN; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
}

/* Ours alone: owned by this user, a plain file or directory, writable by nobody else. */
static int check_private(const struct stat *st, const char *path, int want_dir, char *err,
			 size_t errsz)
{
	if (st->st_uid != geteuid()) {
		seterr(err, errsz, "%s is owned by uid %u, not by this user (uid %u)", path,
		       (unsigned)st->st_uid, (unsigned)geteuid());
		return -1;
	}
	if (want_dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode)) {
		seterr(err, errsz, "%s is not a %s", path, want_dir ? "directory" : "regular file");
		return -1;
	}
	if (st->st_mode & (want_dir ? 022 : 077)) {
		seterr(err, errsz, "%s has mode %04o; other users could read or change it", path,
		       (unsigned)(st->st_mode & 07777));
		return -1;
	}
	return 0;
}

static int mkdir_p(const char *path, char *err, size_t errsz)
{
	char tmp[4096];

	if (strlen(path) >= sizeof(tmp)) {
		seterr(err, errsz, "%s: path too long", path);
		return -1;
	}
	strcpy(tmp, path);
	for (char *p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(tmp, 0700) < 0 && errno != EEXIST) {
			seterr(err, errsz, "creating %s: %s", tmp, strerror(errno));
			return -1;
		}
		*p = '/';
	}
	if (mkdir(tmp, 0700) < 0 && errno != EEXIST) {
		seterr(err, errsz, "creating %s: %s", tmp, strerror(errno));
		return -1;
	}
	return 0;
}

/* ---- the digest memo ---- */

static int cmp_memo(const void *a, const void *b)
{
	const struct memo_rec *x = a, *y = b;

	/* Compares the identifying fields only (not the digest). */
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	if (x->mtime_ns != y->mtime_ns)
		return x->mtime_ns < y->mtime_ns ? -1 : 1;
	if (x->ctime_ns != y->ctime_ns)
		return x->ctime_ns < y->ctime_ns ? -1 : 1;
	return 0;
}

static void memo_encode(const struct memo_rec *r, uint8_t *p)
{
	put64(p, r->dev);
	put64(p + 8, r->ino);
	put64(p + 16, r->size);
	put64(p + 24, (uint64_t)r->mtime_ns);
	put64(p + 32, (uint64_t)r->ctime_ns);
	memcpy(p + 40, r->digest, 16);
	put64(p + 56, XXH3_64bits(p, 56));
}

static void memo_load(struct cache *c)
{
	char path[4200], why[256];
	int fd;
	struct stat st;
	uint8_t *buf;
	size_t n;

	snprintf(path, sizeof(path), "%s/" MEMO_FILE, c->dir);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return;
	if (fstat(fd, &st) < 0 || check_private(&st, path, 0, why, sizeof(why)) < 0 ||
	    st.st_size / MEMO_REC_LEN > MEMO_MAX_RECS) {
		/* Foreign or overgrown: not trusted; it is only a memo, so start afresh. */
		close(fd);
		unlink(path);
		return;
	}
	n = (size_t)st.st_size / MEMO_REC_LEN;
	buf = n ? malloc(n * MEMO_REC_LEN) : NULL;
	c->memo = n ? calloc(n, sizeof(*c->memo)) : NULL;
	if (n && (!buf || !c->memo || pread(fd, buf, n * MEMO_REC_LEN, 0) != (ssize_t)(n * MEMO_REC_LEN))) {
		free(buf);
		free(c->memo);
		c->memo = NULL;
		close(fd);
		return;
	}
	close(fd);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *p = buf + i * MEMO_REC_LEN;
		struct memo_rec *r = &c->memo[c->nmemo];

		/* A torn append (two writers, a crash) fails its check and is ignored. */
		if (get64(p + 56) != XXH3_64bits(p, 56))
			continue;
		r->dev = get64(p);
		r->ino = get64(p + 8);
		r->size = get64(p + 16);
		r->mtime_ns = (int64_t)get64(p + 24);
		r->ctime_ns = (int64_t)get64(p + 32);
		memcpy(r->digest, p + 40, 16);
		c->nmemo++;
	}
	free(buf);
	qsort(c->memo, c->nmemo, sizeof(*c->memo), cmp_memo);
	c->capmemo = c->nmemo;
}

static void memo_flush(struct cache *c)
{
	char path[4200];
	uint8_t *buf;
	int fd;

	if (!c->nfresh || !c->dir[0])
		return;
	buf = malloc(c->nfresh * MEMO_REC_LEN);
	if (!buf)
		return;
	for (size_t i = 0; i < c->nfresh; i++)
		memo_encode(&c->fresh[i], buf + i * MEMO_REC_LEN);
	snprintf(path, sizeof(path), "%s/" MEMO_FILE, c->dir);
	/* One O_APPEND write: concurrent writers interleave whole batches. */
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd >= 0) {
		if (write(fd, buf, c->nfresh * MEMO_REC_LEN) < 0 && c->verbose)
			note("appending to %s: %s", path, strerror(errno));
		close(fd);
	}
	free(buf);
	c->nfresh = 0;
}

static int file_digest(struct cache *c, struct cpio_entry *e, char *err, size_t errsz)
{
	struct memo_rec key = { .dev = e->dev, .ino = e->ino, .size = e->len,
				.mtime_ns = e->mtime_ns, .ctime_ns = e->ctime_ns };
	const struct memo_rec *hit = c->nmemo ? bsearch(&key, c->memo, c->nmemo,
							 sizeof(key), cmp_memo) : NULL;
	if (hit) {
		memcpy(e->digest, hit->digest, 16);
		c->memo_hits++;
		return 0;
	}
	for (size_t i = 0; i < c->nfresh; i++)
		if (!cmp_memo(&key, &c->fresh[i])) {
			memcpy(e->digest, c->fresh[i].digest, 16);
			c->memo_hits++;
			return 0;
		}
	/* Mapped, not read: the packing step copies from the same mapping. */
	if (cpio_entry_map(e, err, errsz) < 0)
		return -1;
	{
		XXH128_canonical_t cn;

		XXH128_canonicalFromHash(&cn, xxh_fast_128(e->map, e->len));
		memcpy(e->digest, cn.digest, 16);
	}
	c->hashed++;
	if (c->nfresh == c->capfresh) {
		size_t cap = c->capfresh ? c->capfresh * 2 : 32;
		struct memo_rec *nf = realloc(c->fresh, cap * sizeof(*nf));

		if (!nf)
			return 0;	/* only the memo is lost */
		c->fresh = nf;
		c->capfresh = cap;
	}
	key.size = e->len;
	memcpy(key.digest, e->digest, 16);
	c->fresh[c->nfresh++] = key;
	return 0;
}

int cache_key(struct cache *c, struct cpio_tree *t, const void *opts, size_t optslen,
	      uint8_t key[CACHE_KEY_LEN], char *err, size_t errsz)
{
	XXH3_state_t *st;
	XXH128_canonical_t cn;
	uint8_t num[8];

	if (cpio_tree_finalize(t, err, errsz) < 0)
		return -1;
	st = XXH3_createState();
	if (!st) {
		seterr(err, errsz, "out of memory");
		return -1;
	}
	XXH3_128bits_reset(st);
	XXH3_128bits_update(st, KEY_DOMAIN, sizeof(KEY_DOMAIN));
	put64(num, optslen);
	XXH3_128bits_update(st, num, 8);
	XXH3_128bits_update(st, opts, optslen);
	for (size_t i = 0; i < t->n; i++) {
		struct cpio_entry *e = &t->e[i];
		uint32_t meta[6] = { (uint32_t)e->mode, e->out_ino, e->nlink,
				     (uint32_t)e->carries_data, e->rmaj, e->rmin };

		if (e->host && !e->have_digest) {
			if (file_digest(c, e, err, errsz) < 0) {
				XXH3_freeState(st);
				return -1;
			}
			e->have_digest = 1;
		} else if (!e->host && !e->have_digest) {
			XXH128_canonicalFromHash(&cn, xxh_fast_128(e->data, e->len));
			memcpy(e->digest, cn.digest, 16);
			e->have_digest = 1;
		}
		XXH3_128bits_update(st, e->path, strlen(e->path) + 1);
		for (int k = 0; k < 6; k++) {
			put64(num, meta[k]);
			XXH3_128bits_update(st, num, 8);
		}
		put64(num, e->len);
		XXH3_128bits_update(st, num, 8);
		XXH3_128bits_update(st, e->digest, 16);
	}
	XXH128_canonicalFromHash(&cn, XXH3_128bits_digest(st));
	XXH3_freeState(st);
	memcpy(key, cn.digest, CACHE_KEY_LEN);
	return 0;
}

/* ---- tier 1 ---- */

struct tier1 {
	uint8_t key[CACHE_KEY_LEN];
	const uint8_t *data;
	size_t len;
	void *map;		/* munmap(map, maplen) on forget, or free(data) if map is NULL */
	size_t maplen;
	int fd;			/* holds LOCK_SH on the entry, or -1 */
};

static struct tier1 t1[TIER1_MAX];
static size_t nt1;

static void t1_drop(struct tier1 *e)
{
	if (e->map)
		munmap(e->map, e->maplen);
	else
		free((void *)e->data);
	if (e->fd >= 0)
		close(e->fd);
	memset(e, 0, sizeof(*e));
}

void cache_forget(void)
{
	for (size_t i = 0; i < nt1; i++)
		t1_drop(&t1[i]);
	nt1 = 0;
}

static int t1_add(const uint8_t *key, const uint8_t *data, size_t len, void *map, size_t maplen,
		  int fd, struct cache_blob *out)
{
	if (nt1 == TIER1_MAX) {	/* full: forget the oldest */
		t1_drop(&t1[0]);
		memmove(&t1[0], &t1[1], (TIER1_MAX - 1) * sizeof(t1[0]));
		nt1--;
	}
	memcpy(t1[nt1].key, key, CACHE_KEY_LEN);
	t1[nt1].data = data;
	t1[nt1].len = len;
	t1[nt1].map = map;
	t1[nt1].maplen = maplen;
	t1[nt1].fd = fd;
	nt1++;
	out->data = data;
	out->len = len;
	return 0;
}

/* ---- tier 2 ---- */

int cache_open(struct cache *c, const char *dir, char *err, size_t errsz)
{
	const char *env = getenv("KTSTR_CACHE_DIR"), *home = getenv("HOME");
	const char *wait = getenv("KTSTR_CACHE_WAIT_MS");
	struct stat st;
	int verbose = c->verbose;

	memset(c, 0, sizeof(*c));
	c->verbose = verbose;
	c->wait_ms = wait && *wait ? strtoull(wait, NULL, 10) : 300000;
	if (dir)
		snprintf(c->dir, sizeof(c->dir), "%s", dir);
	else if (env && *env)
		snprintf(c->dir, sizeof(c->dir), "%s/initramfs", env);
	else if (home && *home)
		snprintf(c->dir, sizeof(c->dir), "%s/.cache/ktstr/initramfs", home);
	else {
		seterr(err, errsz, "neither KTSTR_CACHE_DIR nor HOME is set");
		return -1;
	}
	if (mkdir_p(c->dir, err, errsz) < 0)
		goto fail;
	if (lstat(c->dir, &st) < 0) {
		seterr(err, errsz, "stat %s: %s", c->dir, strerror(errno));
		goto fail;
	}
	if (check_private(&st, c->dir, 1, err, errsz) < 0)
		goto fail;
	memo_load(c);
	return 0;
fail:
	c->dir[0] = '\0';
	return -1;
}

void cache_close(struct cache *c)
{
	memo_flush(c);
	free(c->memo);
	free(c->fresh);
	c->memo = c->fresh = NULL;
	c->nmemo = c->nfresh = c->capmemo = c->capfresh = 0;
}

/* The short critical section that makes "look, else create and lock" atomic. */
static int dir_lock(const struct cache *c, char *err, size_t errsz)
{
	char path[4200];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/lock", c->dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		seterr(err, errsz, "opening %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || check_private(&st, path, 0, err, errsz) < 0) {
		close(fd);
		return -1;
	}
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			seterr(err, errsz, "locking %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

static void entry_path(const struct cache *c, const uint8_t *key, char *path, size_t sz)
{
	char hex[2 * CACHE_KEY_LEN + 1];

	cache_key_hex(key, hex);
	snprintf(path, sz, "%s/%s.img", c->dir, hex);
}

/* Checks a header against the file size (and key, unless NULL). */
static int check_header(const uint8_t *m, uint64_t size, const uint8_t *key, char *why,
			size_t whysz)
{
	uint64_t len = get64(m + 32);

	if (memcmp(m, ENTRY_MAGIC, 8) || get64(m + 56) != XXH3_64bits(m, 56) ||
	    get64(m + 8) != ((uint64_t)CACHE_HDR_LEN << 32 | ENTRY_VERSION)) {
		seterr(why, whysz, "bad or incomplete header");
		return -1;
	}
	if (key && memcmp(m + 16, key, CACHE_KEY_LEN)) {
		seterr(why, whysz, "header names another key");
		return -1;
	}
	if (len != size - CACHE_HDR_LEN) {
		seterr(why, whysz, "length %llu in the header, %llu in the file",
		       (unsigned long long)len, (unsigned long long)(size - CACHE_HDR_LEN));
		return -1;
	}
	return 0;
}

/*
 * Checks an entry: owner and mode, header, and (deep) every payload byte against the
 * digest, returning the read-only mapping in *map. Returns 0, or -1 with why.
 */
static int verify(int fd, const char *path, const uint8_t *key, int deep, void **map,
		  size_t *maplen, char *why, size_t whysz)
{
	struct stat st;
	const uint8_t *m;
	uint8_t hdr[CACHE_HDR_LEN];
	XXH128_canonical_t cn;

	*map = NULL;
	if (fstat(fd, &st) < 0) {
		seterr(why, whysz, "stat: %s", strerror(errno));
		return -1;
	}
	if (check_private(&st, path, 0, why, whysz) < 0)
		return -1;
	if (st.st_size < CACHE_HDR_LEN) {
		seterr(why, whysz, "incomplete (%lld bytes, no header)", (long long)st.st_size);
		return -1;
	}
	if (!deep) {
		if (pread(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr)) {
			seterr(why, whysz, "reading the header: %s", strerror(errno));
			return -1;
		}
		return check_header(hdr, (uint64_t)st.st_size, key, why, whysz);
	}
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
	if (m == MAP_FAILED) {
		seterr(why, whysz, "mmap: %s", strerror(errno));
		return -1;
	}
	if (check_header(m, (uint64_t)st.st_size, key, why, whysz) < 0)
		goto bad;
	XXH128_canonicalFromHash(&cn, xxh_fast_128(m + CACHE_HDR_LEN,
						   (size_t)st.st_size - CACHE_HDR_LEN));
	if (memcmp(cn.digest, m + 40, 16)) {
		seterr(why, whysz, "payload digest mismatch (corrupted)");
		goto bad;
	}
	*map = (void *)m;
	*maplen = (size_t)st.st_size;
	return 0;
bad:
	munmap((void *)m, (size_t)st.st_size);
	return -1;
}

static int write_all_at(int fd, const uint8_t *p, size_t len, off_t off)
{
	while (len) {
		ssize_t n = pwrite(fd, p, len, off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

/* Removes path if it still names the inode open as fd (under the directory lock). */
static void remove_if_same(const struct cache *c, const char *path, int fd)
{
	struct stat a, b;
	char err[256];
	int lk = dir_lock(c, err, sizeof(err));

	if (lk < 0)
		return;
	if (fstat(fd, &a) == 0 && stat(path, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		unlink(path);
	close(lk);
}

static int build_private(struct cache *c, const uint8_t *key, cache_build_fn build, void *ctx,
			 struct cache_blob *out, char *err, size_t errsz)
{
	uint8_t *buf;
	size_t len;

	if (build(ctx, &buf, &len, err, errsz) < 0)
		return -1;
	c->builds++;
	return t1_add(key, buf, len, NULL, 0, -1, out);
}

/*
 * We hold LOCK_EX on the new, empty entry fd: build, write the payload, then the header.
 * Returns -1 only if the build itself failed; a cache that cannot be written costs the
 * cache, not the run.
 */
static int build_entry_locked(struct cache *c, const uint8_t *key, const char *path, int fd,
			      cache_build_fn build, void *ctx, struct cache_blob *out, char *err,
			      size_t errsz)
{
	const char *slow = getenv("KTSTR_TEST_BUILD_SLEEP_MS");
	uint8_t hdr[CACHE_HDR_LEN] = { 0 }, *buf;
	XXH128_canonical_t cn;
	size_t len;

	if (build(ctx, &buf, &len, err, errsz) < 0) {
		remove_if_same(c, path, fd);
		close(fd);
		return -1;
	}
	c->builds++;
	memcpy(hdr, ENTRY_MAGIC, 8);
	put64(hdr + 8, (uint64_t)CACHE_HDR_LEN << 32 | ENTRY_VERSION);
	memcpy(hdr + 16, key, CACHE_KEY_LEN);
	put64(hdr + 32, len);
	XXH128_canonicalFromHash(&cn, xxh_fast_128(buf, len));
	memcpy(hdr + 40, cn.digest, 16);
	put64(hdr + 56, XXH3_64bits(hdr, 56));
	/* The header goes last: until it is there, the entry is visibly incomplete. */
	if (write_all_at(fd, buf, len / 2, CACHE_HDR_LEN) < 0)
		goto fail;
	if (slow && *slow) {	/* test knob: a window in which to kill a builder */
		note("test: builder %d sleeping %s ms mid-build", (int)getpid(), slow);
		usleep((useconds_t)strtoul(slow, NULL, 10) * 1000);
	}
	if (write_all_at(fd, buf + len / 2, len - len / 2, CACHE_HDR_LEN + (off_t)(len / 2)) < 0 ||
	    write_all_at(fd, hdr, CACHE_HDR_LEN, 0) < 0)
		goto fail;
	/* Readers may come in now; we keep a shared lock while we use it, and our copy. */
	if (flock(fd, LOCK_SH) < 0)
		note("downgrading the lock on %s: %s", path, strerror(errno));
	return t1_add(key, buf, len, NULL, 0, fd, out);
fail:
	note("writing %s: %s; not cached", path, strerror(errno));
	remove_if_same(c, path, fd);
	close(fd);
	return t1_add(key, buf, len, NULL, 0, -1, out);
}

/* Ctrl-C during a build waits for the entry to be whole or removed (milliseconds). */
static int build_entry(struct cache *c, const uint8_t *key, const char *path, int fd,
		       cache_build_fn build, void *ctx, struct cache_blob *out, char *err,
		       size_t errsz)
{
	sigset_t stop, old;
	int ret;

	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGHUP);
	sigprocmask(SIG_BLOCK, &stop, &old);
	ret = build_entry_locked(c, key, path, fd, build, ctx, out, err, errsz);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

/*
 * Waits (bounded) for the builder's exclusive lock to go. Returns 0 when LOCK_SH is held
 * at once, 1 when held after waiting for a builder, -1 on timeout or error.
 */
static int wait_shared(struct cache *c, int fd, const char *path)
{
	uint64_t start = now_ms();
	int told = 0, waited = 0;

	for (;;) {
		if (flock(fd, LOCK_SH | LOCK_NB) == 0)
			return waited;
		if (errno != EWOULDBLOCK && errno != EINTR) {
			note("locking %s: %s", path, strerror(errno));
			return -1;
		}
		waited = 1;
		if (now_ms() - start >= c->wait_ms) {
			note("gave up after %llu ms waiting for another ktstr to build %s",
			     (unsigned long long)c->wait_ms, path);
			return -1;
		}
		if (!told && now_ms() - start >= 2000) {
			note("waiting for another ktstr process to finish building %s", path);
			told = 1;
		}
		usleep(POLL_MS * 1000);
	}
}

int cache_get(struct cache *c, const uint8_t key[CACHE_KEY_LEN], cache_build_fn build,
	      void *ctx, struct cache_blob *out, char *err, size_t errsz)
{
	char path[4200], why[256], hex[2 * CACHE_KEY_LEN + 1];
	int tries;

	for (size_t i = 0; i < nt1; i++)
		if (!memcmp(t1[i].key, key, CACHE_KEY_LEN)) {
			out->data = t1[i].data;
			out->len = t1[i].len;
			c->hits++;
			return 0;
		}
	if (!c->dir[0])
		return build_private(c, key, build, ctx, out, err, errsz);
	cache_key_hex(key, hex);
	entry_path(c, key, path, sizeof(path));
	err[0] = '\0';
	/* Each pass either ends, or removed a bad entry; a few passes absorb races. */
	for (tries = 0; tries < 8; tries++) {
		void *map;
		size_t maplen;
		int lk = dir_lock(c, err, errsz), fd, waited;

		if (lk < 0)
			break;
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 && errno == ENOENT) {
			fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
			if (fd < 0) {
				seterr(err, errsz, "creating %s: %s", path, strerror(errno));
				close(lk);
				break;
			}
			/* Cannot block: the file is new and the directory lock is ours. */
			if (flock(fd, LOCK_EX) < 0) {
				seterr(err, errsz, "locking %s: %s", path, strerror(errno));
				unlink(path);
				close(fd);
				close(lk);
				break;
			}
			close(lk);
			if (build_entry(c, key, path, fd, build, ctx, out, err, errsz) < 0)
				return -1;
			if (c->verbose)
				note("built %s (%zu bytes)", hex, out->len);
			cache_prune(c, CACHE_KEEP, NULL, NULL, NULL, why, sizeof(why));
			return 0;
		}
		close(lk);
		if (fd < 0) {
			seterr(err, errsz, "opening %s: %s", path, strerror(errno));
			break;
		}
		waited = wait_shared(c, fd, path);
		if (waited < 0) {
			close(fd);
			break;
		}
		if (verify(fd, path, key, 1, &map, &maplen, why, sizeof(why)) == 0) {
			struct timespec now[2] = { { 0, UTIME_NOW }, { 0, UTIME_NOW } };

			futimens(fd, now);	/* recently used: pruning keeps it */
			c->hits++;
			if (c->verbose)
				note("cache hit %s", hex);
			return t1_add(key, (uint8_t *)map + CACHE_HDR_LEN, maplen - CACHE_HDR_LEN,
				      map, maplen, fd, out);
		}
		if (waited)
			note("the ktstr process building %s stopped before finishing it", path);
		note("discarding cache entry %s: %s", path, why);
		/* Ours or not, it is never read; a foreign file we cannot remove means no cache. */
		remove_if_same(c, path, fd);
		close(fd);
		if (access(path, F_OK) == 0 && strstr(why, "owned by"))
			break;
	}
	note("building without the cache%s%s%s", err[0] ? " (" : "", err, err[0] ? ")" : "");
	return build_private(c, key, build, ctx, out, err, errsz);
}

/* ---- listing and pruning ---- */

static int is_entry_name(const char *n)
{
	size_t l = strlen(n);

	return l == 2 * CACHE_KEY_LEN + 4 && !strcmp(n + 2 * CACHE_KEY_LEN, ".img") &&
	       strspn(n, "0123456789abcdef") == 2 * CACHE_KEY_LEN;
}

static int scan(struct cache *c, int deep, struct cache_info **out, size_t *n, char *err,
		size_t errsz)
{
	DIR *d = opendir(c->dir);
	struct dirent *de;
	size_t cap = 0;

	*out = NULL;
	*n = 0;
	if (!d) {
		seterr(err, errsz, "opening %s: %s", c->dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		struct cache_info *i;
		char path[4400];
		struct stat st;
		void *map;
		size_t maplen;
		int fd;

		if (!is_entry_name(de->d_name))
			continue;
		if (*n == cap) {
			struct cache_info *ni = realloc(*out, (cap = cap ? cap * 2 : 16) * sizeof(*ni));

			if (!ni) {
				closedir(d);
				seterr(err, errsz, "out of memory");
				return -1;
			}
			*out = ni;
		}
		i = &(*out)[*n];
		memset(i, 0, sizeof(*i));
		memcpy(i->name, de->d_name, 2 * CACHE_KEY_LEN + 5);	/* checked by is_entry_name */
		snprintf(path, sizeof(path), "%s/%s", c->dir, de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0 || fstat(fd, &st) < 0) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		(*n)++;
		i->size = (uint64_t)st.st_size;
		i->mtime = st.st_mtim.tv_sec;
		i->foreign = st.st_uid != geteuid();
		if (flock(fd, LOCK_SH | LOCK_NB) < 0) {
			i->in_use = 1;	/* being built */
			snprintf(i->why, sizeof(i->why), "being built");
		} else {
			if (flock(fd, LOCK_EX | LOCK_NB) < 0)
				i->in_use = 1;	/* somebody is using it */
			i->valid = verify(fd, path, NULL, deep, &map, &maplen, i->why,
					  sizeof(i->why)) == 0;
			if (map)
				munmap(map, maplen);
		}
		close(fd);
	}
	closedir(d);
	return 0;
}

int cache_list(struct cache *c, void (*fn)(void *ctx, const struct cache_info *i), void *ctx,
	       char *err, size_t errsz)
{
	struct cache_info *v;
	size_t n;

	if (scan(c, 1, &v, &n, err, errsz) < 0)
		return -1;
	for (size_t i = 0; i < n; i++)
		fn(ctx, &v[i]);
	free(v);
	return 0;
}

static int cmp_newest(const void *a, const void *b)
{
	const struct cache_info *x = a, *y = b;

	if (x->valid != y->valid)
		return y->valid - x->valid;
	if (x->mtime != y->mtime)
		return x->mtime > y->mtime ? -1 : 1;
	return strcmp(x->name, y->name);
}

int cache_prune(struct cache *c, size_t keep, unsigned *removed, unsigned *busy,
		uint64_t *bytes, char *err, size_t errsz)
{
	struct cache_info *v;
	size_t n, kept = 0;
	unsigned nrem = 0, nbusy = 0;
	uint64_t freed = 0;
	int lk;

	if (scan(c, 0, &v, &n, err, errsz) < 0)
		return -1;
	qsort(v, n, sizeof(*v), cmp_newest);
	lk = dir_lock(c, err, errsz);
	if (lk < 0) {
		free(v);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		char path[4400];
		int fd;

		if (v[i].valid && kept < keep) {
			kept++;
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", c->dir, v[i].name);
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			continue;
		/* Held by a builder or a user: stale only once nobody holds it. */
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			nbusy++;
			close(fd);
			continue;
		}
		if (unlink(path) == 0) {
			nrem++;
			freed += v[i].size;
		}
		close(fd);
	}
	close(lk);
	free(v);
	if (removed)
		*removed = nrem;
	if (busy)
		*busy = nbusy;
	if (bytes)
		*bytes = freed;
	return 0;
}
