// SPDX-License-Identifier: GPL-2.0-only
/* Shared-library resolution on real binaries of this machine and ones built here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../initramfs/elf.h"

static char dir[256];
static int have_cc;

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "%s/ktstr-elf.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return -1;
	/* libfoo in lib/, app in bin/ finding it through $ORIGIN (RUNPATH and RPATH variants),
	 * plain links for LD_LIBRARY_PATH. Compiled with the host compiler, no sanitizers. */
	have_cc = sh("cd '%s' && mkdir lib bin && "
		     "echo 'int foo(void){return 42;}' > foo.c && "
		     "echo 'int foo(void); int main(void){return foo()!=42;}' > app.c && "
		     "cc -shared -fPIC -Wl,-soname,libfoo.so.1 -o lib/libfoo.so.1 foo.c && "
		     "cc -o bin/runpath app.c lib/libfoo.so.1 -Wl,--enable-new-dtags,-rpath,'$ORIGIN/../lib' && "
		     "cc -o bin/rpath app.c lib/libfoo.so.1 -Wl,--disable-new-dtags,-rpath,'${ORIGIN}/../lib' && "
		     "cc -o bin/plain app.c lib/libfoo.so.1 2>/dev/null", dir) == 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return sh("rm -rf '%s'", dir);
}

static int has_suffix(const struct elf_deps *d, const char *suffix)
{
	for (size_t i = 0; i < d->n; i++) {
		size_t l = strlen(d->paths[i]), s = strlen(suffix);

		if (l >= s && !strcmp(d->paths[i] + l - s, suffix))
			return 1;
	}
	return 0;
}

static void test_real_dynamic_binary(void **state)
{
	const char *bin = access("/usr/bin/cyclictest", R_OK) == 0 ? "/usr/bin/cyclictest" : "/bin/ls";
	struct elf_resolver r = { 0 };
	struct elf_deps d = { 0 };
	char err[1024];

	(void)state;
	assert_int_equal(elf_resolve(&r, bin, &d, err, sizeof(err)), 0);
	assert_true(d.n >= 2);
	assert_string_equal(d.paths[0], "/lib64/ld-linux-x86-64.so.2");	/* PT_INTERP first */
	assert_true(has_suffix(&d, "/libc.so.6"));
	for (size_t i = 0; i < d.n; i++)
		assert_int_equal(access(d.paths[i], R_OK), 0);
	if (!strcmp(bin, "/usr/bin/cyclictest"))
		assert_true(has_suffix(&d, "/libnuma.so.1"));
	elf_deps_free(&d);
	elf_resolver_free(&r);
}

static void test_static_and_not_elf(void **state)
{
	struct elf_resolver r = { 0 };
	struct elf_deps d = { 0 };
	char err[1024];

	(void)state;
	if (access("/bin/busybox", R_OK) == 0) {
		assert_int_equal(elf_resolve(&r, "/bin/busybox", &d, err, sizeof(err)), 0);
		assert_int_equal(d.n, 0);
	}
	assert_int_equal(elf_resolve(&r, "/etc/hostname", &d, err, sizeof(err)), 0);
	assert_int_equal(d.n, 0);
	assert_int_equal(elf_resolve(&r, "/no/such/binary", &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/no/such/binary"));
	/* A relocatable object (a kernel module, a .o) has no program headers and no libraries */
	if (have_cc) {
		char obj[300];

		snprintf(obj, sizeof(obj), "%s/foo.o", dir);
		assert_int_equal(sh("cc -c -o '%s' '%s/foo.c'", obj, dir), 0);
		assert_int_equal(elf_resolve(&r, obj, &d, err, sizeof(err)), 0);
		assert_int_equal(d.n, 0);
	}
	elf_resolver_free(&r);
}

static void test_origin_rpath_runpath(void **state)
{
	const char *const bins[] = { "runpath", "rpath" };
	char bin[512], want[512];

	(void)state;
	if (!have_cc) {
		skip();
		return;
	}
	snprintf(want, sizeof(want), "%s/bin/../lib/libfoo.so.1", dir);
	for (size_t i = 0; i < 2; i++) {
		struct elf_resolver r = { 0 };
		struct elf_deps d = { 0 };
		char err[1024];

		snprintf(bin, sizeof(bin), "%s/bin/%s", dir, bins[i]);
		assert_int_equal(elf_resolve(&r, bin, &d, err, sizeof(err)), 0);
		assert_true(has_suffix(&d, "/libc.so.6"));
		assert_true(has_suffix(&d, want));
		elf_deps_free(&d);
		elf_resolver_free(&r);
	}
}

static void test_ld_library_path_and_missing(void **state)
{
	struct elf_resolver r = { 0 };
	struct elf_deps d = { 0 };
	char bin[512], lib[512], err[1024];

	(void)state;
	if (!have_cc) {
		skip();
		return;
	}
	snprintf(bin, sizeof(bin), "%s/bin/plain", dir);
	snprintf(lib, sizeof(lib), "%s/lib", dir);
	/* Without a search path the library is not found: the error names both. */
	assert_int_equal(elf_resolve(&r, bin, &d, err, sizeof(err)), -1);
	assert_non_null(strstr(err, bin));
	assert_non_null(strstr(err, "libfoo.so.1"));
	elf_deps_free(&d);
	r.ld_library_path = lib;
	assert_int_equal(elf_resolve(&r, bin, &d, err, sizeof(err)), 0);
	assert_true(has_suffix(&d, "/lib/libfoo.so.1"));
	elf_deps_free(&d);
	/* Without ld.so.cache the default directories still find libc. */
	r.ld_cache = "/nonexistent/ld.so.cache";
	elf_resolver_free(&r);
	assert_int_equal(elf_resolve(&r, bin, &d, err, sizeof(err)), 0);
	assert_true(has_suffix(&d, "/libc.so.6"));
	elf_deps_free(&d);
	elf_resolver_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_dynamic_binary),
		cmocka_unit_test(test_static_and_not_elf),
		cmocka_unit_test(test_origin_rpath_runpath),
		cmocka_unit_test(test_ld_library_path_and_missing),
	};
	return cmocka_run_group_tests_name("elf", tests, setup, teardown);
}
