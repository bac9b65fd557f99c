// SPDX-License-Identifier: GPL-2.0-only
/* -i PATH[:GUEST_PATH] for ktstr shell, on real files in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../host/include.h"

static char dir[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0755);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int setup(void **state)
{
	char path[256];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/ktstr-test-include.XXXXXX");
	assert_non_null(mkdtemp(dir));
	put("tool", "#!/bin/sh\n");
	snprintf(path, sizeof(path), "%s/data", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/data/sub", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	put("data/a.txt", "a");
	put("data/sub/b.txt", "b");
	snprintf(path, sizeof(path), "%s/data/fifo", dir);
	assert_int_equal(mkfifo(path, 0644), 0);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_file_default_and_explicit(void **state)
{
	struct include inc;
	char arg[256];

	(void)state;
	snprintf(arg, sizeof(arg), "%s/tool", dir);
	assert_int_equal(include_parse(arg, "/include", &inc), 0);
	assert_string_equal(inc.host, arg);
	assert_string_equal(inc.guest, "/include/tool");
	assert_false(inc.dir);
	snprintf(arg, sizeof(arg), "%s/tool:/opt/x/tool2", dir);
	assert_int_equal(include_parse(arg, "/include", &inc), 0);
	assert_string_equal(inc.guest, "/opt/x/tool2");
}

static void test_bare_name_from_path(void **state)
{
	struct include inc;
	char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;

	(void)state;
	setenv("PATH", dir, 1);
	assert_int_equal(include_parse("tool", "/include", &inc), 0);
	assert_true(strncmp(inc.host, dir, strlen(dir)) == 0);
	assert_string_equal(inc.guest, "/include/tool");
	if (old) {
		setenv("PATH", old, 1);
		free(old);
	}
}

static void test_errors(void **state)
{
	struct include inc;
	char arg[256];

	(void)state;
	snprintf(arg, sizeof(arg), "%s/missing", dir);
	assert_int_equal(include_parse(arg, "/include", &inc), -1);
	assert_int_equal(include_parse("no-such-tool-anywhere-ktstr", "/include", &inc), -1);
	snprintf(arg, sizeof(arg), "%s/tool:relative", dir);
	assert_int_equal(include_parse(arg, "/include", &inc), -1);
	snprintf(arg, sizeof(arg), "%s/tool:/", dir);
	assert_int_equal(include_parse(arg, "/include", &inc), -1);
	assert_int_equal(include_parse(":/x", "/include", &inc), -1);
	snprintf(arg, sizeof(arg), "%s/data/fifo", dir);
	assert_int_equal(include_parse(arg, "/include", &inc), -1);
}

static void test_directory_expands(void **state)
{
	struct initrd_list l = { 0 };
	struct include inc;
	char arg[256], host[256];
	int seen_a = 0, seen_b = 0;

	(void)state;
	snprintf(arg, sizeof(arg), "%s/data/:/srv/d/", dir);
	assert_int_equal(include_parse(arg, "/include", &inc), 0);
	assert_true(inc.dir);
	assert_string_equal(inc.guest, "/srv/d");
	assert_int_equal(include_add(&l, &inc), 0);
	/* The fifo is skipped: two regular files, at their relative places. */
	assert_int_equal(inc.nfiles, 2);
	assert_int_equal(l.n, 2);
	for (size_t i = 0; i < l.n; i++) {
		if (!strcmp(l.e[i].path, "/srv/d/a.txt")) {
			snprintf(host, sizeof(host), "%s/data/a.txt", dir);
			assert_string_equal(l.e[i].host, host);
			seen_a = 1;
		} else if (!strcmp(l.e[i].path, "/srv/d/sub/b.txt")) {
			seen_b = 1;
		}
		assert_int_equal(l.e[i].mode, -1);
	}
	assert_true(seen_a && seen_b);
	initrd_list_free(&l);
	assert_int_equal(l.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_default_and_explicit),
		cmocka_unit_test(test_bare_name_from_path),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_directory_expands),
	};
	return cmocka_run_group_tests_name("include", tests, setup, teardown);
}
