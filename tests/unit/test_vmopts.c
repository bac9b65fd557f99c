// SPDX-License-Identifier: GPL-2.0-only
/* The VM options run and shell share (host/vmopts.c), parsed through getopt_long as they are. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../host/util.h"
#include "../../host/vmopts.h"

static const struct option own[] = {
	{ "exec", required_argument, NULL, 256 },
	{ NULL, 0, NULL, 0 },
};

/* Parses argv (NULL-terminated) the way the commands do; the first result that is not 1. */
static int parse(struct vmopts *v, char **argv, int *saw_own)
{
	struct option *opts = kt_opts_concat(own, vmopts);
	int argc = 0, c, r = 0;

	while (argv[argc])
		argc++;
	assert_non_null(opts);
	vmopts_init(v);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, VMOPTS_SHORT "h", opts, NULL)) != -1) {
		r = vmopts_handle(v, c, optarg);
		if (r < 0)
			break;
		if (!r && c == 256)
			(*saw_own)++;
		else if (!r)
			break;
	}
	free(opts);
	return r < 0 ? -1 : c == -1 ? 0 : c;
}

static void test_all_options(void **state)
{
	char *argv[] = { "run", "-k", "/boot/vmlinuz", "-T", "2n2l2c2t", "--memory-mib", "768",
			 "--timeout", "2m", "--accel", "tcg", "--append", "quiet", "--dmesg",
			 "--exec", "true", NULL };
	struct vmopts v;
	int own_seen = 0;

	(void)state;
	assert_int_equal(parse(&v, argv, &own_seen), 0);
	assert_string_equal(v.kernel, "/boot/vmlinuz");
	assert_int_equal(v.vm.topo.nodes, 2);
	assert_int_equal(v.vm.topo.threads, 2);
	assert_int_equal(v.vm.mem_mib, 768);
	assert_int_equal(v.timeout_ms, 120000);
	assert_int_equal(v.vm.accel, VM_ACCEL_TCG);
	assert_string_equal(v.vm.append, "quiet");
	assert_int_equal(v.dmesg, 1);
	assert_int_equal(own_seen, 1);	/* the command's own option is left to it */
}

static void test_defaults(void **state)
{
	char *argv[] = { "shell", NULL };
	struct vmopts v;
	int own_seen = 0;

	(void)state;
	setenv("KTSTR_KERNEL", "/tmp/bzImage", 1);
	assert_int_equal(parse(&v, argv, &own_seen), 0);
	unsetenv("KTSTR_KERNEL");
	assert_string_equal(v.kernel, "/tmp/bzImage");
	assert_int_equal(v.vm.topo.nodes, 1);
	assert_int_equal(v.vm.topo.llcs, 1);
	assert_int_equal(v.vm.mem_mib, 0);	/* 0: from the initramfs size */
	assert_int_equal(v.timeout_ms, 0);	/* 0: the command's default */
	assert_int_equal(v.vm.accel, VM_ACCEL_AUTO);
}

static void test_bad_values(void **state)
{
	char *topo[] = { "run", "-T", "1n0l", NULL };
	char *mem[] = { "run", "--memory-mib", "32", NULL };
	char *dur[] = { "run", "-t", "soon", NULL };
	char *accel[] = { "run", "--accel", "xen", NULL };
	char *help[] = { "run", "-h", NULL };
	struct vmopts v;
	int own_seen = 0;

	(void)state;
	assert_int_equal(parse(&v, topo, &own_seen), -1);
	assert_int_equal(parse(&v, mem, &own_seen), -1);
	assert_int_equal(parse(&v, dur, &own_seen), -1);
	assert_int_equal(parse(&v, accel, &own_seen), -1);
	assert_int_equal(parse(&v, help, &own_seen), 'h');	/* not a VM option: the command's */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_options),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
