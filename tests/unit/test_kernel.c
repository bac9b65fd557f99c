// SPDX-License-Identifier: GPL-2.0-only
/* Kernel discovery: bzImage header probing and resolving files, trees, packages, versions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../host/kernel.h"

static char root[64];

static void mkpath(const char *rel)
{
	char p[512], *s;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	for (s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

static void write_file(const char *rel, const void *data, size_t len)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", root, rel);
	f = fopen(p, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* A minimal bzImage: boot flag, "HdrS", and kernel_version pointing at the string. */
static void fake_bzimage(const char *rel, const char *version)
{
	uint8_t img[4096] = { 0 };
	uint16_t off = 0x800;	/* the string lives at off + 0x200 */

	img[0x1fe] = 0x55;
	img[0x1ff] = 0xaa;
	memcpy(img + 0x202, "HdrS", 4);
	img[0x20e] = off & 0xff;
	img[0x20f] = off >> 8;
	snprintf((char *)img + off + 0x200, 256, "%s (builder@host) #1 SMP", version);
	write_file(rel, img, sizeof(img));
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/ktstr-kernel-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	setenv("KTSTR_CACHE_DIR", root, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_probe_version(void **state)
{
	char p[512], ver[256], why[512];

	(void)state;
	fake_bzimage("bz", "6.99.1-test");
	snprintf(p, sizeof(p), "%s/bz", root);
	assert_int_equal(kernel_probe(p, ver, sizeof(ver), why, sizeof(why)), 0);
	assert_string_equal(ver, "6.99.1-test");
}

static void expect_not_kernel(const char *rel, const void *data, size_t len, const char *needle)
{
	char p[512], ver[256], why[512];

	write_file(rel, data, len);
	snprintf(p, sizeof(p), "%s/%s", root, rel);
	assert_int_equal(kernel_probe(p, ver, sizeof(ver), why, sizeof(why)), -1);
	if (!strstr(why, needle))
		fail_msg("%s: '%s' lacks '%s'", rel, why, needle);
}

static void test_probe_rejects(void **state)
{
	uint8_t elf[2048] = { 0x7f, 'E', 'L', 'F' }, arm[2048] = { 0 }, text[2048];

	(void)state;
	elf[18] = 62;
	expect_not_kernel("vmlinux", elf, sizeof(elf), "x86-64 ELF file");
	elf[18] = 183;	/* aarch64 */
	expect_not_kernel("vmlinux-arm", elf, sizeof(elf), "another architecture");
	memcpy(arm + 0x38, "ARM\x64", 4);
	expect_not_kernel("Image", arm, sizeof(arm), "arm64");
	memset(text, 'a', sizeof(text));
	expect_not_kernel("text", text, sizeof(text), "not an x86 bzImage");
	expect_not_kernel("short", "ab", 2, "only 2 bytes");
}

static void test_resolve_tree_and_package(void **state)
{
	struct kernel_info k;
	char why[1024], p[512];

	(void)state;
	/* A built tree with modules */
	mkpath("tree/arch/x86/boot");
	fake_bzimage("tree/arch/x86/boot/bzImage", "6.99.2");
	write_file("tree/modules.order", "drivers/x.o\n", 12);
	snprintf(p, sizeof(p), "%s/tree", root);
	assert_int_equal(kernel_resolve(p, &k, why, sizeof(why)), 0);
	assert_string_equal(k.version, "6.99.2");
	assert_string_equal(k.source, "tree");
	assert_int_equal(k.modules_is_tree, 1);
	assert_string_equal(k.modules, p);

	/* An unpacked package root */
	mkpath("pkg/boot");
	mkpath("pkg/lib/modules/6.99.3-cloud");
	fake_bzimage("pkg/boot/vmlinuz-6.99.3-cloud", "6.99.3-cloud");
	snprintf(p, sizeof(p), "%s/pkg", root);
	assert_int_equal(kernel_resolve(p, &k, why, sizeof(why)), 0);
	assert_string_equal(k.source, "package");
	snprintf(p, sizeof(p), "%s/pkg/lib/modules/6.99.3-cloud", root);
	assert_string_equal(k.modules, p);
	assert_int_equal(k.modules_is_tree, 0);

	/* A directory with no kernel */
	mkpath("empty");
	snprintf(p, sizeof(p), "%s/empty", root);
	assert_int_equal(kernel_resolve(p, &k, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "holds no kernel"));
}

static void test_resolve_version_and_default(void **state)
{
	struct kernel_info k;
	char why[1024], p[512];
	struct utsname u;

	(void)state;
	/* Nothing cached yet: the default names the way to get a kernel. */
	snprintf(p, sizeof(p), "/boot/vmlinuz-%s", uname(&u) == 0 ? u.release : "");
	if (access(p, R_OK)) {
		assert_int_equal(kernel_resolve(NULL, &k, why, sizeof(why)), -2);
		assert_non_null(strstr(why, "ktstr kernel fetch"));
	}
	/* A version found in the cache ($KTSTR_CACHE_DIR/kernels/<pkg>/boot/vmlinuz-<ver>) */
	mkpath("kernels/linux-image-6.99.4/boot");
	mkpath("kernels/linux-image-6.99.4/lib/modules/6.99.4-k");
	fake_bzimage("kernels/linux-image-6.99.4/boot/vmlinuz-6.99.4-k", "6.99.4-k");
	snprintf(p, sizeof(p), "%s/kernels/linux-image-6.99.4/boot/vmlinuz-6.99.4-k\n", root);
	write_file("kernels/linux-image-6.99.4/.ktstr-vmlinuz", p, strlen(p));
	assert_int_equal(kernel_resolve("6.99.4-k", &k, why, sizeof(why)), 0);
	assert_string_equal(k.source, "cache");
	assert_string_equal(k.version, "6.99.4-k");
	assert_non_null(strstr(k.modules, "lib/modules/6.99.4-k"));
	/* ... and it is now the default, when the running kernel's image is unreadable */
	snprintf(p, sizeof(p), "/boot/vmlinuz-%s", u.release);
	if (access(p, R_OK)) {
		assert_int_equal(kernel_resolve("", &k, why, sizeof(why)), 0);
		assert_string_equal(k.version, "6.99.4-k");
	}
	assert_int_equal(kernel_resolve("6.99.5-missing", &k, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "/boot/vmlinuz-6.99.5-missing"));
	assert_int_equal(kernel_resolve("/no/such/file", &k, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "No such file"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_version),
		cmocka_unit_test(test_probe_rejects),
		cmocka_unit_test(test_resolve_tree_and_package),
		cmocka_unit_test(test_resolve_version_and_default),
	};
	return cmocka_run_group_tests_name("kernel", tests, setup, teardown);
}
