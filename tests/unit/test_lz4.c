// SPDX-License-Identifier: GPL-2.0-only
/* Legacy LZ4 output, decoded by the lz4 tool and unpacked by GNU cpio. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../initramfs/cpio.h"
#include "../../initramfs/lz4.h"

static char dir[256];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/ktstr-lz4.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void save(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	assert_int_equal(fclose(f), 0);
}

static uint8_t *load(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long sz;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	sz = ftell(f);
	rewind(f);
	buf = malloc((size_t)sz + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)sz, f), (size_t)sz);
	fclose(f);
	*n = (size_t)sz;
	return buf;
}

static uint8_t *compress(const void *src, size_t len, size_t *zlen, unsigned threads)
{
	char err[256];
	uint8_t *z = malloc(lz4_legacy_bound(len));

	assert_non_null(z);
	*zlen = lz4_legacy_compress(src, len, z, threads, err, sizeof(err));
	assert_true(*zlen > 4);
	return z;
}

static void test_lz4_tool_decodes(void **state)
{
	size_t len = 3 * LZ4_LEGACY_CHUNK + 12345, zlen, back_len;	/* 4 chunks, last partial */
	uint8_t *src = malloc(len), *z, *back;
	char zp[512], cmd[1200];

	(void)state;
	assert_non_null(src);
	srand(3);
	for (size_t i = 0; i < len; i++)	/* half text-like, half noise */
		src[i] = (i / 4096) % 2 ? (uint8_t)rand() : (uint8_t)("ktstr initramfs "[i % 16]);
	z = compress(src, len, &zlen, 2);
	assert_true(zlen < len);
	assert_memory_equal(z, "\x02\x21\x4c\x18", 4);	/* magic 0x184C2102, LE */
	snprintf(zp, sizeof(zp), "%s/data.lz4", dir);
	save(zp, z, zlen);
	snprintf(cmd, sizeof(cmd), "lz4 -dqf '%s' '%s.out'", zp, zp);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s.out", zp);
	back = load(cmd, &back_len);
	assert_int_equal(back_len, len);
	assert_memory_equal(back, src, len);
	/* One thread gives the same bytes as two. */
	{
		size_t z1len;
		uint8_t *z1 = compress(src, len, &z1len, 1);

		assert_int_equal(z1len, zlen);
		assert_memory_equal(z1, z, zlen);
		free(z1);
	}
	free(src);
	free(z);
	free(back);
}

/* Every packed file's bytes and mode after lz4 -d | cpio -i. */
static void test_archive_roundtrip(void **state)
{
	static const char *const hosts[] = { "/bin/busybox", "/usr/bin/cyclictest", "/etc/hostname" };
	struct cpio_tree t = { 0 };
	char err[512], zp[512], out[512], cmd[1600];
	size_t len, zlen, checked = 0;
	uint8_t *raw, *z;

	(void)state;
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (access(hosts[i], R_OK) == 0)
			assert_int_equal(cpio_tree_add_host(&t, hosts[i], -1, hosts[i], err, sizeof(err)), 0);
	assert_int_equal(cpio_tree_add_bytes(&t, "ktstr/job", 0640, "job bytes", 9, err, sizeof(err)), 0);
	assert_int_equal(cpio_tree_add_bytes(&t, "empty", 0600, "", 0, err, sizeof(err)), 0);
	assert_int_equal(cpio_tree_add_symlink(&t, "bin/sh", "busybox", err, sizeof(err)), 0);
	assert_int_equal(cpio_tree_finalize(&t, err, sizeof(err)), 0);
	len = cpio_tree_size(&t);
	raw = malloc(len);
	assert_non_null(raw);
	assert_int_equal(cpio_tree_write(&t, raw, err, sizeof(err)), 0);
	z = compress(raw, len, &zlen, 0);
	snprintf(zp, sizeof(zp), "%s/arc.cpio.lz4", dir);
	snprintf(out, sizeof(out), "%s/root", dir);
	save(zp, z, zlen);
	assert_int_equal(mkdir(out, 0755), 0);
	snprintf(cmd, sizeof(cmd), "lz4 -dc '%s' | (cd '%s' && cpio -id --quiet)", zp, out);
	assert_int_equal(system(cmd), 0);

	for (size_t i = 0; i < t.n; i++) {
		const struct cpio_entry *e = &t.e[i];
		char p[1200];
		struct stat st;

		snprintf(p, sizeof(p), "%s/%s", out, e->path);
		assert_int_equal(lstat(p, &st), 0);
		assert_int_equal(st.st_mode & S_IFMT, e->mode & S_IFMT);
		if (!S_ISLNK(e->mode))
			assert_int_equal(st.st_mode & 07777, e->mode & 07777);
		if (S_ISREG(e->mode)) {
			size_t got_len, want_len;
			uint8_t *got = load(p, &got_len), *want;

			want = e->host ? load(e->host, &want_len) : NULL;
			if (!want)
				want_len = e->len;
			assert_int_equal(got_len, want_len);
			assert_memory_equal(got, want ? want : e->data, want_len);
			free(got);
			free(want);
			checked++;
		}
	}
	assert_true(checked >= 3);
	free(raw);
	free(z);
	cpio_tree_free(&t);
}

/* A second legacy stream after the first (base + per-run suffix) decodes as one. */
static void test_concatenated_streams(void **state)
{
	const char a[] = "first stream ", b[] = "second stream";
	size_t za, zb, back_len;
	uint8_t *x = compress(a, strlen(a), &za, 1), *y = compress(b, strlen(b), &zb, 1), *back;
	char zp[512], cmd[1200];
	FILE *f;

	(void)state;
	snprintf(zp, sizeof(zp), "%s/two.lz4", dir);
	f = fopen(zp, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(x, 1, za, f), za);
	assert_int_equal(fwrite(y, 1, zb, f), zb);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "lz4 -dcq '%s' > '%s.out'", zp, zp);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "%s.out", zp);
	back = load(cmd, &back_len);
	assert_int_equal(back_len, strlen(a) + strlen(b));
	assert_memory_equal(back, "first stream second stream", back_len);
	free(x);
	free(y);
	free(back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lz4_tool_decodes),
		cmocka_unit_test(test_archive_roundtrip),
		cmocka_unit_test(test_concatenated_streams),
	};
	return cmocka_run_group_tests_name("lz4", tests, setup, teardown);
}
