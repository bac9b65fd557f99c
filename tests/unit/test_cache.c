// SPDX-License-Identifier: GPL-2.0-only
/* The initramfs cache: keys, the digest memo, and entries that must not be trusted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../initramfs/cache.h"

static char dir[256], cdir[300], fa[300], fb[300];

static void write_file(const char *p, const char *s)
{
	FILE *f = fopen(p, "wb");

	assert_non_null(f);
	fputs(s, f);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/ktstr-cache.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	snprintf(cdir, sizeof(cdir), "%s/cache", dir);
	snprintf(fa, sizeof(fa), "%s/a", dir);
	snprintf(fb, sizeof(fb), "%s/b", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	cache_forget();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void tree(struct cpio_tree *t)
{
	char err[512];

	memset(t, 0, sizeof(*t));
	assert_int_equal(cpio_tree_add_host(t, "a", -1, fa, err, sizeof(err)), 0);
	assert_int_equal(cpio_tree_add_host(t, "sub/b", -1, fb, err, sizeof(err)), 0);
	assert_int_equal(cpio_tree_add_bytes(t, "ktstr/job", 0644, "j", 1, err, sizeof(err)), 0);
}

/* Opens the cache, keys the tree, closes (persisting the memo). */
static void key_of(uint8_t key[CACHE_KEY_LEN], const char *opts, unsigned *hashed,
		   unsigned *memo_hits)
{
	struct cache c = { 0 };
	struct cpio_tree t;
	char err[512];

	assert_int_equal(cache_open(&c, cdir, err, sizeof(err)), 0);
	tree(&t);
	assert_int_equal(cache_key(&c, &t, opts, strlen(opts), key, err, sizeof(err)), 0);
	*hashed = c.hashed;
	*memo_hits = c.memo_hits;
	cache_close(&c);
	cpio_tree_free(&t);
}

static void test_key_and_memo(void **state)
{
	uint8_t k1[16], k2[16], k3[16], k4[16], k5[16];
	unsigned hashed, hits;
	struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };

	(void)state;
	write_file(fa, "contents of a");
	write_file(fb, "contents of b");
	key_of(k1, "lz4", &hashed, &hits);
	assert_int_equal(hashed, 2);
	/* Another process (the memo comes from the directory): nothing is hashed again. */
	key_of(k2, "lz4", &hashed, &hits);
	assert_int_equal(hashed, 0);
	assert_int_equal(hits, 2);
	assert_memory_equal(k1, k2, 16);
	/* Touching a file: re-hashed once, same key. */
	assert_int_equal(utimensat(AT_FDCWD, fa, ts, 0), 0);
	key_of(k3, "lz4", &hashed, &hits);
	assert_int_equal(hashed, 1);
	assert_memory_equal(k1, k3, 16);
	/* One byte changed (same size): a different key. */
	write_file(fb, "contents of c");
	key_of(k4, "lz4", &hashed, &hits);
	assert_int_equal(hashed, 1);
	assert_memory_not_equal(k1, k4, 16);
	/* The options are part of the key. */
	key_of(k5, "none", &hashed, &hits);
	assert_memory_not_equal(k4, k5, 16);
}

struct build_ctx {
	int builds;
	const char *payload;
};

static int build(void *arg, uint8_t **out, size_t *len, char *err, size_t errsz)
{
	struct build_ctx *b = arg;

	(void)err;
	(void)errsz;
	b->builds++;
	*len = strlen(b->payload);
	*out = malloc(*len);
	memcpy(*out, b->payload, *len);
	return 0;
}

static void get(const uint8_t *key, struct build_ctx *b)
{
	struct cache c = { 0 };
	struct cache_blob blob;
	char err[512];

	cache_forget();	/* as if another process: tier 1 is empty */
	assert_int_equal(cache_open(&c, cdir, err, sizeof(err)), 0);
	assert_int_equal(cache_get(&c, key, build, b, &blob, err, sizeof(err)), 0);
	assert_int_equal(blob.len, strlen(b->payload));
	assert_memory_equal(blob.data, b->payload, blob.len);
	cache_close(&c);
}

static void entry_file(const uint8_t *key, char *p, size_t sz)
{
	char hex[33];

	cache_key_hex(key, hex);
	snprintf(p, sz, "%s/%s.img", cdir, hex);
}

static void test_build_once_then_hit(void **state)
{
	uint8_t key[16] = { 1, 2, 3 };
	struct build_ctx b = { 0, "payload one" };
	struct cache c = { 0 };
	struct cache_blob blob;
	char p[600], err[512];
	struct stat st;

	(void)state;
	get(key, &b);
	assert_int_equal(b.builds, 1);
	get(key, &b);
	assert_int_equal(b.builds, 1);
	entry_file(key, p, sizeof(p));
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(st.st_size, CACHE_HDR_LEN + strlen(b.payload));
	/* Tier 1: within a process, no second look at the directory. */
	assert_int_equal(cache_open(&c, cdir, err, sizeof(err)), 0);
	assert_int_equal(cache_get(&c, key, build, &b, &blob, err, sizeof(err)), 0);
	assert_int_equal(unlink(p), 0);
	assert_int_equal(cache_get(&c, key, build, &b, &blob, err, sizeof(err)), 0);
	assert_int_equal(b.builds, 1);
	cache_close(&c);
}

static void flip_byte(const char *p, off_t off)
{
	int fd = open(p, O_RDWR);
	uint8_t v;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &v, 1, off), 1);
	v ^= 0x40;
	assert_int_equal(pwrite(fd, &v, 1, off), 1);
	close(fd);
}

static void test_bad_entries_rebuilt(void **state)
{
	uint8_t key[16] = { 9, 9, 9 };
	struct build_ctx b = { 0, "the real payload, long enough to corrupt" };
	char p[600];

	(void)state;
	get(key, &b);
	assert_int_equal(b.builds, 1);
	entry_file(key, p, sizeof(p));
	/* A flipped payload byte: rejected, rebuilt. */
	flip_byte(p, CACHE_HDR_LEN + 5);
	get(key, &b);
	assert_int_equal(b.builds, 2);
	/* Truncated: rejected, rebuilt. */
	assert_int_equal(truncate(p, CACHE_HDR_LEN + 3), 0);
	get(key, &b);
	assert_int_equal(b.builds, 3);
	/* A header byte: rejected, rebuilt. */
	flip_byte(p, 20);
	get(key, &b);
	assert_int_equal(b.builds, 4);
	/* An empty file nobody holds (a builder killed before writing): rebuilt. */
	assert_int_equal(truncate(p, 0), 0);
	get(key, &b);
	assert_int_equal(b.builds, 5);
	/* And the good one is used again. */
	get(key, &b);
	assert_int_equal(b.builds, 5);
	/* Group- or world-readable: not ours alone, not used. */
	assert_int_equal(chmod(p, 0644), 0);
	get(key, &b);
	assert_int_equal(b.builds, 6);
}

static void test_foreign_owner_not_used(void **state)
{
	uint8_t key[16] = { 7, 7, 7 };
	struct build_ctx b = { 0, "mine" }, evil = { 0, "evil" };
	char p[600];
	struct stat st;

	(void)state;
	if (geteuid() != 0) {
		skip();	/* only root can give a file away */
		return;
	}
	get(key, &evil);	/* a valid entry with other contents... */
	entry_file(key, p, sizeof(p));
	assert_int_equal(chown(p, 65534, 65534), 0);	/* ...owned by nobody */
	get(key, &b);	/* asserts the payload is "mine" */
	assert_int_equal(b.builds, 1);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_uid, 0);
}

static void test_prune_keeps_held(void **state)
{
	struct cache c = { 0 };
	struct build_ctx b = { 0, "x" };
	struct cache_blob blob;
	uint8_t key[16] = { 5 };
	unsigned removed, busy;
	uint64_t bytes;
	char err[512];

	(void)state;
	cache_forget();
	assert_int_equal(cache_open(&c, cdir, err, sizeof(err)), 0);
	assert_int_equal(cache_get(&c, key, build, &b, &blob, err, sizeof(err)), 0);
	/* This process holds key 5: clean leaves it, removes the rest. */
	assert_int_equal(cache_prune(&c, 0, &removed, &busy, &bytes, err, sizeof(err)), 0);
	assert_int_equal(busy, 1);
	assert_true(removed >= 1);
	cache_forget();
	assert_int_equal(cache_prune(&c, 0, &removed, &busy, &bytes, err, sizeof(err)), 0);
	assert_int_equal(removed, 1);
	assert_int_equal(busy, 0);
	cache_close(&c);
}

static void test_foreign_dir_refused(void **state)
{
	struct cache c = { 0 };
	char d[400], err[512];

	(void)state;
	snprintf(d, sizeof(d), "%s/open", dir);
	assert_int_equal(mkdir(d, 0777), 0);
	assert_int_equal(chmod(d, 0777), 0);
	assert_int_equal(cache_open(&c, d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "other users could read or change it"));
	cache_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_and_memo),
		cmocka_unit_test(test_build_once_then_hit),
		cmocka_unit_test(test_bad_entries_rebuilt),
		cmocka_unit_test(test_foreign_owner_not_used),
		cmocka_unit_test(test_prune_keeps_held),
		cmocka_unit_test(test_foreign_dir_refused),
	};
	return cmocka_run_group_tests_name("cache", tests, setup, teardown);
}
