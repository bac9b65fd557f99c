// SPDX-License-Identifier: GPL-2.0-only
/* Optional libraries loaded at the point of use (host/dl.c), and the text every verdict keeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libkmod.h>

#include "../../host/dl.h"
#include "../../host/verdict.h"

static struct {
	KT_DLFN(kmod_new);
	KT_DLFN(kmod_unref);
} lk;

static void test_loads_and_resolves(void **state)
{
	static const struct kt_dlsym syms[] = { KT_DLSYM(lk, kmod_new), KT_DLSYM(lk, kmod_unref) };

	(void)state;
	assert_int_equal(kt_dlopen("libkmod.so.2", "the test", syms, 2), 0);
	/* The same function the linker gives this binary (it links libkmod too). */
	assert_ptr_equal((void *)lk.kmod_new, (void *)kmod_new);
	assert_ptr_equal((void *)lk.kmod_unref, (void *)kmod_unref);
}

static void test_missing_library_or_symbol(void **state)
{
	void *a = NULL, *b = NULL;
	const struct kt_dlsym syms[] = { { "kmod_new", &a }, { "kmod_no_such_function", &b } };

	(void)state;
	assert_int_equal(kt_dlopen("libktstr-no-such.so.9", "the test", syms, 1), -1);
	assert_null(a);
	/* The library is there but lacks the second symbol: an error, not a NULL to call. */
	assert_int_equal(kt_dlopen("libkmod.so.2", "the test", syms, 2), -1);
	assert_null(b);
}

/* Loaded once and remembered, a failure too (said once, not on every use). */
static void test_load_remembered(void **state)
{
	void *a = NULL, *b = NULL;
	const struct kt_dlsym ok[] = { { "kmod_new", &a } };
	const struct kt_dlsym bad[] = { { "kmod_no_such_function", &b } };
	struct kt_dllib good = { "libkmod.so.2", "the test", ok, 1, 0 };
	struct kt_dllib missing = { "libkmod.so.2", "the test", bad, 1, 0 };

	(void)state;
	assert_int_equal(kt_dlload(&good), 0);
	assert_ptr_equal(a, (void *)kmod_new);
	a = NULL;
	assert_int_equal(kt_dlload(&good), 0);
	assert_null(a);		/* not looked up again */
	assert_int_equal(kt_dlload(&missing), -1);
	assert_int_equal(missing.state, -1);
	assert_int_equal(kt_dlload(&missing), -1);
}

static void check_kept(const char *in, const char *want)
{
	struct verdict vd = { 0 };

	assert_int_equal(verdict_add(&vd, "g", "c", OUTCOME_PASS, "%s", in), 0);
	if (strcmp(vd.v[0].detail, want))
		fail_msg("'%s' became '%s', expected '%s'", in, vd.v[0].detail, want);
	verdict_free(&vd);
}

/* Valid UTF-8 passes whatever the process's locale; anything else becomes '?'. */
static void test_detail_utf8(void **state)
{
	(void)state;
	check_kept("caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\xa7", "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x90\xa7");
	check_kept("tab\there\nnl", "tab\there\nnl");
	check_kept("bell\x07 esc\x1b", "bell? esc?");
	check_kept("overlong \xc0\xaf", "overlong ??");
	check_kept("surrogate \xed\xa0\x80!", "surrogate ??" "?!");
	check_kept("cut \xe2\x9c", "cut ??");
	check_kept("\xff\xfe" "ok", "??ok");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loads_and_resolves),
		cmocka_unit_test(test_missing_library_or_symbol),
		cmocka_unit_test(test_load_remembered),
		cmocka_unit_test(test_detail_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
