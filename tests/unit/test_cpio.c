// SPDX-License-Identifier: GPL-2.0-only
/* The deterministic cpio tree, checked against GNU cpio reading what it wrote. */
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

#include "../../initramfs/cpio.h"

static char dir[256];
static uint8_t rnd[5000];

static void path_of(char *buf, size_t sz, const char *name)
{
	snprintf(buf, sz, "%s/%s", dir, name);
}

static void write_file(const char *name, const void *data, size_t len, mode_t mode)
{
	char p[512];
	int fd;

	path_of(p, sizeof(p), name);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
	assert_int_equal(chmod(p, mode), 0);
}

static int setup(void **state)
{
	char p[512], q[512];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/ktstr-cpio.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	{	/* paths are compared literally: no symlink in the temp dir's own path */
		char *r = realpath(dir, NULL);

		if (!r)
			return -1;
		snprintf(dir, sizeof(dir), "%s", r);
		free(r);
	}
	srand(7);
	for (size_t i = 0; i < sizeof(rnd); i++)
		rnd[i] = (uint8_t)rand();
	write_file("a", rnd, sizeof(rnd), 0644);
	write_file("exe", "#!/bin/sh\necho hi\n", 18, 0755);
	path_of(p, sizeof(p), "a");
	path_of(q, sizeof(q), "b");
	if (link(p, q) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* Builds the sample tree; order 0 or 1 adds the same entries in different orders. */
static void sample(struct cpio_tree *t, int order)
{
	char err[512], a[512], b[512], exe[512];

	path_of(a, sizeof(a), "a");
	path_of(b, sizeof(b), "b");
	path_of(exe, sizeof(exe), "exe");
	if (order == 0) {
		assert_int_equal(cpio_tree_add_host(t, "/x/a", -1, a, err, sizeof(err)), 0);
		assert_int_equal(cpio_tree_add_host(t, "x/b", -1, b, err, sizeof(err)), 0);
		assert_int_equal(cpio_tree_add_host(t, "bin/exe", -1, exe, err, sizeof(err)), 0);
		assert_int_equal(cpio_tree_add_symlink(t, "x/s", "a", err, sizeof(err)), 0);
		assert_int_equal(cpio_tree_add_bytes(t, "etc/conf", 0600, "hello", 5, err, sizeof(err)), 0);
		assert_int_equal(cpio_tree_add_dir(t, "empty", 0700, err, sizeof(err)), 0);
		assert_int_equal(cpio_tree_add_chardev(t, "dev/console", 0600, 5, 1, err, sizeof(err)), 0);
	} else {
		assert_int_equal(cpio_tree_add_chardev(t, "dev//console", 0600, 5, 1, err, sizeof(err)), 0);
		assert_int_equal(cpio_tree_add_dir(t, "./empty", 0700, err, sizeof(err)), 0);
		assert_int_equal(cpio_tree_add_bytes(t, "etc/conf", 0600, "hello", 5, err, sizeof(err)), 0);
		assert_int_equal(cpio_tree_add_symlink(t, "x/s", "a", err, sizeof(err)), 0);
		assert_int_equal(cpio_tree_add_host(t, "bin/exe", -1, exe, err, sizeof(err)), 0);
		assert_int_equal(cpio_tree_add_host(t, "x/b", -1, b, err, sizeof(err)), 0);
		assert_int_equal(cpio_tree_add_host(t, "x/a", -1, a, err, sizeof(err)), 0);
		/* an identical duplicate merges */
		assert_int_equal(cpio_tree_add_bytes(t, "etc/conf", 0600, "hello", 5, err, sizeof(err)), 0);
	}
	assert_int_equal(cpio_tree_finalize(t, err, sizeof(err)), 0);
}

static uint8_t *pack(struct cpio_tree *t, size_t *len)
{
	char err[512];
	uint8_t *buf;

	*len = cpio_tree_size(t);
	buf = malloc(*len);
	assert_non_null(buf);
	assert_int_equal(cpio_tree_write(t, buf, err, sizeof(err)), 0);
	return buf;
}

static void test_deterministic(void **state)
{
	struct cpio_tree t1 = { 0 }, t2 = { 0 }, t3 = { 0 };
	size_t l1, l2, l3;
	uint8_t *b1, *b2, *b3;

	(void)state;
	sample(&t1, 0);
	sample(&t2, 1);
	sample(&t3, 0);
	b1 = pack(&t1, &l1);
	b2 = pack(&t2, &l2);
	b3 = pack(&t3, &l3);
	assert_int_equal(l1, l2);
	assert_memory_equal(b1, b2, l1);	/* insertion order does not matter */
	assert_int_equal(l1, l3);
	assert_memory_equal(b1, b3, l1);
	assert_int_equal(l1 % 4, 0);
	free(b1);
	free(b2);
	free(b3);
	cpio_tree_free(&t1);
	cpio_tree_free(&t2);
	cpio_tree_free(&t3);
}

static void test_hard_links_once(void **state)
{
	struct cpio_tree t = { 0 };
	size_t len, count = 0;
	uint8_t *buf;

	(void)state;
	sample(&t, 0);
	buf = pack(&t, &len);
	for (size_t i = 0; i + sizeof(rnd) <= len; i += 4)
		count += !memcmp(buf + i, rnd, sizeof(rnd));
	assert_int_equal(count, 1);	/* a and b share one copy of the bytes */
	free(buf);
	cpio_tree_free(&t);
}

static void check_file(const char *root, const char *name, const void *data, size_t len,
		       mode_t perm)
{
	char p[600];
	struct stat st;
	size_t got;
	uint8_t *buf = malloc(len + 1);
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, name);
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, perm);
	f = fopen(p, "rb");
	assert_non_null(f);
	got = fread(buf, 1, len + 1, f);
	fclose(f);
	assert_int_equal(got, len);
	assert_memory_equal(buf, data, len);
	free(buf);
}

static void test_gnu_cpio_extracts(void **state)
{
	struct cpio_tree t = { 0 };
	char arc[512], out[512], cmd[2048], p[600], q[600], lnk[64];
	struct stat sa, sb, st;
	size_t len;
	uint8_t *buf;
	FILE *f;
	ssize_t n;

	(void)state;
	sample(&t, 0);
	buf = pack(&t, &len);
	path_of(arc, sizeof(arc), "arc.cpio");
	path_of(out, sizeof(out), "out");
	f = fopen(arc, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(buf, 1, len, f), len);
	fclose(f);
	assert_int_equal(mkdir(out, 0755), 0);
	snprintf(cmd, sizeof(cmd), "cd '%s' && cpio -id --quiet < '%s'", out, arc);
	assert_int_equal(system(cmd), 0);

	check_file(out, "x/a", rnd, sizeof(rnd), 0644);
	check_file(out, "x/b", rnd, sizeof(rnd), 0644);
	check_file(out, "bin/exe", "#!/bin/sh\necho hi\n", 18, 0755);
	check_file(out, "etc/conf", "hello", 5, 0600);
	snprintf(p, sizeof(p), "%s/x/a", out);
	snprintf(q, sizeof(q), "%s/x/b", out);
	assert_int_equal(stat(p, &sa), 0);
	assert_int_equal(stat(q, &sb), 0);
	assert_int_equal(sa.st_ino, sb.st_ino);	/* still one inode */
	assert_int_equal(sa.st_nlink, 2);
	snprintf(p, sizeof(p), "%s/x/s", out);
	n = readlink(p, lnk, sizeof(lnk) - 1);
	assert_int_equal(n, 1);
	lnk[n] = '\0';
	assert_string_equal(lnk, "a");
	snprintf(p, sizeof(p), "%s/empty", out);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);

	/* Parents come before their children, and the listing is sorted. */
	snprintf(cmd, sizeof(cmd), "cpio -it --quiet < '%s' > '%s.list' && LC_ALL=C sort -c '%s.list'", arc,
		 arc, arc);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "head -1 '%s.list' | grep -qx bin", arc);
	assert_int_equal(system(cmd), 0);
	free(buf);
	cpio_tree_free(&t);
}

static void test_parents_through_symlinks(void **state)
{
	struct cpio_tree t = { 0 };
	char err[512];
	int found = 0;

	(void)state;
	assert_int_equal(cpio_tree_add_symlink(&t, "lib", "usr/lib", err, sizeof(err)), 0);
	assert_int_equal(cpio_tree_add_bytes(&t, "lib/modules/m.ko", 0644, "ko", 2, err, sizeof(err)), 0);
	assert_int_equal(cpio_tree_finalize(&t, err, sizeof(err)), 0);
	for (size_t i = 0; i < t.n; i++) {
		found += !strcmp(t.e[i].path, "usr/lib/modules/m.ko");
		assert_string_not_equal(t.e[i].path, "lib/modules/m.ko");
	}
	assert_int_equal(found, 1);
	cpio_tree_free(&t);
}

/* A library path packed with the host's symlinks on the way, as ld.so will walk them. */
static void test_host_path_symlinks(void **state)
{
	struct cpio_tree t = { 0 };
	char err[512], cmd[1200], p[600], want[600];
	int links = 0, files = 0;

	(void)state;
	snprintf(cmd, sizeof(cmd), "cd '%s' && mkdir -p hp/usr/lib && ln -s usr/lib hp/lib && "
		 "echo lib > hp/usr/lib/libx.so.1.0 && ln -s libx.so.1.0 hp/usr/lib/libx.so.1 && "
		 "ln -s ../usr/./lib/libx.so.1 hp/usr/up", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(p, sizeof(p), "%s/hp/lib/libx.so.1", dir);
	assert_int_equal(cpio_tree_add_host_path(&t, p, err, sizeof(err)), 0);
	snprintf(p, sizeof(p), "%s/hp/usr/up", dir);
	assert_int_equal(cpio_tree_add_host_path(&t, p, err, sizeof(err)), 0);
	assert_int_equal(cpio_tree_finalize(&t, err, sizeof(err)), 0);
	for (size_t i = 0; i < t.n; i++) {
		const struct cpio_entry *e = &t.e[i];

		snprintf(want, sizeof(want), "%s/hp/lib", dir + 1);
		if (!strcmp(e->path, want)) {
			assert_true(S_ISLNK(e->mode));
			assert_string_equal(e->data, "usr/lib");
			links++;
		}
		snprintf(want, sizeof(want), "%s/hp/usr/lib/libx.so.1", dir + 1);
		if (!strcmp(e->path, want)) {
			assert_true(S_ISLNK(e->mode));
			assert_string_equal(e->data, "libx.so.1.0");
			links++;
		}
		snprintf(want, sizeof(want), "%s/hp/usr/up", dir + 1);
		if (!strcmp(e->path, want)) {
			assert_true(S_ISLNK(e->mode));
			links++;
		}
		snprintf(want, sizeof(want), "%s/hp/usr/lib/libx.so.1.0", dir + 1);
		if (!strcmp(e->path, want)) {
			assert_true(S_ISREG(e->mode));
			assert_non_null(e->host);
			files++;
		}
	}
	assert_int_equal(links, 3);
	assert_int_equal(files, 1);
	cpio_tree_free(&t);
}

static void test_conflicts(void **state)
{
	struct cpio_tree t = { 0 };
	char err[512];

	(void)state;
	assert_int_equal(cpio_tree_add_bytes(&t, "f", 0644, "1", 1, err, sizeof(err)), 0);
	assert_int_equal(cpio_tree_add_bytes(&t, "f", 0644, "2", 1, err, sizeof(err)), 0);
	assert_int_equal(cpio_tree_finalize(&t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "f is added twice"));
	cpio_tree_free(&t);

	assert_int_equal(cpio_tree_add_bytes(&t, "f", 0644, "1", 1, err, sizeof(err)), 0);
	assert_int_equal(cpio_tree_add_bytes(&t, "f/g", 0644, "2", 1, err, sizeof(err)), 0);
	assert_int_equal(cpio_tree_finalize(&t, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "needs f to be a directory"));
	cpio_tree_free(&t);

	assert_int_equal(cpio_tree_add_bytes(&t, "../etc/x", 0644, "1", 1, err, sizeof(err)), -1);
	assert_int_equal(cpio_tree_add_bytes(&t, "/", 0644, "1", 1, err, sizeof(err)), -1);
	assert_int_equal(cpio_tree_add_host(&t, "x", -1, "/no/such/file", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/no/such/file"));
	cpio_tree_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_hard_links_once),
		cmocka_unit_test(test_gnu_cpio_extracts),
		cmocka_unit_test(test_parents_through_symlinks),
		cmocka_unit_test(test_host_path_symlinks),
		cmocka_unit_test(test_conflicts),
	};
	return cmocka_run_group_tests_name("cpio", tests, setup, teardown);
}
