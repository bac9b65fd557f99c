// SPDX-License-Identifier: GPL-2.0-only
/*
 * --modules resolution with libkmod against a real kernel's module directory: the test
 * kernel's (Debian's cloud kernel, which ships no modules.dep). Skipped when it is absent.
 */
#include <glob.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../host/kmod.h"

static char cache[64];
static struct kernel_info k;

static int setup(void **state)
{
	const char *home = getenv("HOME");
	char pat[512];
	glob_t g;

	(void)state;
	snprintf(pat, sizeof(pat), "%s/.cache/ktstr/kernels/*/lib/modules/*/modules.order",
		 home ? home : "/root");
	if (getenv("KTSTR_CACHE_DIR"))
		snprintf(pat, sizeof(pat), "%s/kernels/*/lib/modules/*/modules.order",
			 getenv("KTSTR_CACHE_DIR"));
	if (glob(pat, 0, NULL, &g) == 0 && g.gl_pathc) {
		snprintf(k.modules, sizeof(k.modules), "%.*s",
			 (int)(strlen(g.gl_pathv[0]) - strlen("/modules.order")), g.gl_pathv[0]);
		snprintf(k.version, sizeof(k.version), "%s", strrchr(k.modules, '/') + 1);
		snprintf(k.image, sizeof(k.image), "test");
	}
	globfree(&g);
	/* depmod's output goes to a private cache */
	snprintf(cache, sizeof(cache), "/tmp/ktstr-kmod-XXXXXX");
	if (!mkdtemp(cache))
		return -1;
	setenv("KTSTR_CACHE_DIR", cache, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", cache);
	return system(cmd) == 0 ? 0 : -1;
}

static int index_of(const struct modset *ms, const char *name)
{
	for (size_t i = 0; i < ms->n; i++)
		if (!strcmp(ms->f[i].name, name))
			return (int)i;
	return -1;
}

static void test_dependencies_in_order(void **state)
{
	struct modset ms;
	char *order;

	(void)state;
	if (!k.modules[0])
		skip();
	assert_int_equal(modules_resolve(&k, NULL, "virtio_net,virtio-blk", &ms), 0);
	assert_int_equal(ms.n, 4);
	/* virtio_net needs net_failover, which needs failover: each before its user */
	assert_true(index_of(&ms, "failover") >= 0);
	assert_true(index_of(&ms, "failover") < index_of(&ms, "net_failover"));
	assert_true(index_of(&ms, "net_failover") < index_of(&ms, "virtio_net"));
	assert_true(index_of(&ms, "virtio_blk") >= 0);	/* '-' and '_' are the same name */
	for (size_t i = 0; i < ms.n; i++) {
		assert_int_equal(access(ms.f[i].host, R_OK), 0);
		assert_non_null(strstr(ms.f[i].archive, MODULES_ARCHIVE_DIR "/"));
	}
	order = modules_order_text(&ms);
	assert_non_null(order);
	assert_non_null(strstr(order, "/" MODULES_ARCHIVE_DIR "/virtio_blk.ko"));
	free(order);
	modules_free(&ms);
}

static void test_builtin_and_missing(void **state)
{
	struct modset ms;

	(void)state;
	if (!k.modules[0])
		skip();
	/* virtio_console is built into Debian's kernels: nothing to pack */
	assert_int_equal(modules_resolve(&k, NULL, "virtio_console", &ms), 0);
	assert_int_equal(ms.n, 0);
	assert_int_equal(ms.builtin, 1);
	modules_free(&ms);
	assert_int_equal(modules_resolve(&k, NULL, "virtio_blk,no_such_module_xyz", &ms), -1);
	assert_int_equal(ms.n, 0);
	assert_int_equal(modules_resolve(&k, "/no/such/dir", "virtio_blk", &ms), -1);
}

static void test_needed_drivers(void **state)
{
	struct kernel_info fake = { .version = "6.99.0-fake" };
	struct modset ms = { 0 };
	char dir[128], p[192];
	FILE *f;

	(void)state;
	/* Debian's kernels have virtio_pci and virtio_console built in: nothing added */
	if (k.modules[0]) {
		assert_int_equal(modules_add_needed(&k, NULL, &ms, 0), 0);
		assert_int_equal(ms.n, 0);
	}
	/* A module directory that has neither: nothing to pack, and no failure */
	snprintf(dir, sizeof(dir), "%s/fake/lib/modules/6.99.0-fake", cache);
	snprintf(p, sizeof(p), "mkdir -p '%s/kernel'", dir);
	assert_int_equal(system(p), 0);
	snprintf(p, sizeof(p), "%s/modules.builtin", dir);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("kernel/drivers/virtio/virtio.ko\n", f);
	fclose(f);
	snprintf(fake.modules, sizeof(fake.modules), "%s", dir);
	assert_int_equal(modules_add_needed(&fake, NULL, &ms, 0), 0);
	assert_int_equal(ms.n, 0);
	assert_int_equal(ms.builtin, 0);
	modules_free(&ms);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dependencies_in_order),
		cmocka_unit_test(test_builtin_and_missing),
		cmocka_unit_test(test_needed_drivers),
	};
	return cmocka_run_group_tests_name("kmod", tests, setup, teardown);
}
