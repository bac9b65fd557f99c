// SPDX-License-Identifier: GPL-2.0-only
/*
 * sched_ext on the host: finding a cached scheduler by name (newest published kernel that
 * has it), the kernel it belongs to, a job's bare `scheduler = scx_x` turning into that
 * binary with scheduler_kind sched_ext, and the per-group SCHED_EXT verdict.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../host/jobfile.h"
#include "../../host/scx.h"
#include "../../host/util.h"

static char dir[64];

static void put(const char *rel, const char *text, int mode)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(p, mode), 0);
}

static void mk(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	assert_int_equal(mkdir(p, 0755), 0);
}

/* A published entry: marker written last; mtime sets which one is newest. */
static void entry(const char *key, time_t mtime, const char *const *scheds)
{
	char rel[256], p[512];
	struct timeval tv[2] = { { mtime, 0 }, { mtime, 0 } };

	snprintf(rel, sizeof(rel), "kernels-built/%s", key);
	mk(rel);
	snprintf(rel, sizeof(rel), "kernels-built/%s/bzImage", key);
	put(rel, "bz", 0644);
	snprintf(rel, sizeof(rel), "kernels-built/%s/scx", key);
	mk(rel);
	for (; scheds && *scheds; scheds++) {
		snprintf(rel, sizeof(rel), "kernels-built/%s/scx/%s", key, *scheds);
		put(rel, "#!/bin/sh\n", 0755);
	}
	snprintf(rel, sizeof(rel), "kernels-built/%s/.ktstr-vmlinuz", key);
	put(rel, "x", 0644);
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	assert_int_equal(utimes(p, tv), 0);
}

static int setup(void **state)
{
	static const char *const old[] = { "scx_simple", "scx_qmap", NULL };
	static const char *const newer[] = { "scx_simple", NULL };

	(void)state;
	snprintf(dir, sizeof(dir), "%s/ktstr-scx.XXXXXX",
		 getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	setenv("KTSTR_CACHE_DIR", dir, 1);
	mk("kernels-built");
	entry("aaaa000000000001", 1000000, old);
	entry("bbbb000000000002", 2000000, newer);
	/* Unpublished (no marker, as during a build) and a non-executable file. */
	mk("kernels-built/.stage.x");
	mk("kernels-built/cccc000000000003");
	mk("kernels-built/cccc000000000003/scx");
	put("kernels-built/cccc000000000003/scx/scx_central", "#!/bin/sh\n", 0755);
	put("kernels-built/bbbb000000000002/scx/scx_flatcg", "not executable", 0644);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_find(void **state)
{
	char path[4096], kernel[4096], want[512];

	(void)state;
	/* Both entries have scx_simple: the newer kernel's. */
	assert_int_equal(scx_find("scx_simple", path, sizeof(path), kernel, sizeof(kernel)), 0);
	snprintf(want, sizeof(want), "%s/kernels-built/bbbb000000000002/scx/scx_simple", dir);
	assert_string_equal(path, want);
	snprintf(want, sizeof(want), "%s/kernels-built/bbbb000000000002/bzImage", dir);
	assert_string_equal(kernel, want);
	/* Only the older one has scx_qmap. */
	assert_int_equal(scx_find("scx_qmap", path, sizeof(path), kernel, sizeof(kernel)), 0);
	snprintf(want, sizeof(want), "%s/kernels-built/aaaa000000000001/scx/scx_qmap", dir);
	assert_string_equal(path, want);
	/* Unpublished, not executable, unknown, not a name. */
	assert_int_equal(scx_find("scx_central", path, sizeof(path), kernel, sizeof(kernel)), -1);
	assert_int_equal(scx_find("scx_flatcg", path, sizeof(path), kernel, sizeof(kernel)), -1);
	assert_int_equal(scx_find("scx_nope", path, sizeof(path), kernel, sizeof(kernel)), -1);
	assert_int_equal(scx_find("../scx_simple", path, sizeof(path), kernel, sizeof(kernel)), -1);
	assert_int_equal(scx_find("", path, sizeof(path), kernel, sizeof(kernel)), -1);
	/* No cache at all. */
	setenv("KTSTR_CACHE_DIR", "/nonexistent-ktstr", 1);
	assert_int_equal(scx_find("scx_simple", path, sizeof(path), kernel, sizeof(kernel)), -1);
	setenv("KTSTR_CACHE_DIR", dir, 1);
}

static void test_kernel_for(void **state)
{
	char p[512], kernel[4096], want[512];

	(void)state;
	snprintf(p, sizeof(p), "%s/kernels-built/aaaa000000000001/scx/scx_qmap", dir);
	assert_int_equal(scx_kernel_for(p, kernel, sizeof(kernel)), 0);
	snprintf(want, sizeof(want), "%s/kernels-built/aaaa000000000001/bzImage", dir);
	assert_string_equal(kernel, want);
	/* Not from the cache, or not shaped <key>/scx/<name>. */
	assert_int_equal(scx_kernel_for("/usr/bin/true", kernel, sizeof(kernel)), -1);
	snprintf(p, sizeof(p), "%s/kernels-built/aaaa000000000001/bzImage", dir);
	assert_int_equal(scx_kernel_for(p, kernel, sizeof(kernel)), -1);
	snprintf(p, sizeof(p), "%s/kernels-built/cccc000000000003/scx/scx_central", dir);
	assert_int_equal(scx_kernel_for(p, kernel, sizeof(kernel)), -1);	/* no bzImage */
	assert_int_equal(scx_kernel_for("", kernel, sizeof(kernel)), -1);
}

static int parse(const char *text, struct jobspec *js, char *err, size_t esz)
{
	char p[512];

	put("t.ini", text, 0644);
	snprintf(p, sizeof(p), "%s/t.ini", dir);
	err[0] = '\0';
	return jobfile_parse(p, js, err, esz);
}

static void test_job_by_name(void **state)
{
	struct jobspec js;
	char err[4096], want[512];

	(void)state;
	assert_int_equal(parse("[global]\nscheduler = scx_simple\n", &js, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/kernels-built/bbbb000000000002/scx/scx_simple", dir);
	assert_string_equal(js.scheduler_host, want);
	assert_string_equal(js.job.scheduler, "/ktstr/bin/scx_simple");
	assert_int_equal(js.job.scheduler_kind, KT_SCHED_EXT);
	jobspec_free(&js);
	/* An explicit scheduler_kind wins, before or after. */
	assert_int_equal(parse("[global]\nscheduler_kind = process\nscheduler = scx_simple\n", &js,
			       err, sizeof(err)), 0);
	assert_int_equal(js.job.scheduler_kind, KT_SCHED_PROCESS);
	jobspec_free(&js);
	/* A file next to the job wins over the cache, and stays a process scheduler. */
	put("scx_simple", "#!/bin/sh\n", 0755);
	assert_int_equal(parse("[global]\nscheduler = scx_simple\n", &js, err, sizeof(err)), 0);
	snprintf(want, sizeof(want), "%s/scx_simple", dir);
	assert_string_equal(js.scheduler_host, want);
	assert_int_equal(js.job.scheduler_kind, KT_SCHED_PROCESS);
	jobspec_free(&js);
	/* An unknown name says where it looked. */
	assert_int_not_equal(parse("[global]\nscheduler = scx_nope\n", &js, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "scheduler"));
	assert_non_null(strstr(err, "ktstr scx build"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_kernel_for),
		cmocka_unit_test(test_job_by_name),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
