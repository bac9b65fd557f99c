// SPDX-License-Identifier: GPL-2.0-only
/* What a run asks QEMU for (host/machine.c): default memory, and TCG's threading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../host/machine.h"
#include "../../shared/job.h"

static void test_default_memory(void **state)
{
	(void)state;
	assert_int_equal(machine_default_mem_mib(0, 1, 1), 512);	/* the floor */
	/* 256 + 4 per vCPU + 3x the initramfs (100 MiB) */
	assert_int_equal(machine_default_mem_mib(100u << 20, 64, 1), 256 + 256 + 300);
	/* rounded up to whole MiB per node */
	assert_int_equal(machine_default_mem_mib(100u << 20, 64, 3), 813);
}

/* One thread for every vCPU only where the code-patching race can strike. */
static void test_tcg_single(void **state)
{
	static struct kt_job ext = { .scheduler = "/ktstr/bin/scx_simple",
				     .scheduler_kind = KT_SCHED_EXT };
	static struct kt_job proc = { .scheduler = "/ktstr/bin/sched-alive",
				      .scheduler_kind = KT_SCHED_PROCESS };
	static struct kt_job none = { .scheduler_kind = KT_SCHED_EXT };	/* kind without one */

	(void)state;
	assert_int_equal(machine_tcg_single(VM_ACCEL_TCG, 2, &ext, 0), 1);
	assert_int_equal(machine_tcg_single(VM_ACCEL_TCG, 16, &ext, 0), 1);
	assert_int_equal(machine_tcg_single(VM_ACCEL_TCG, 1, &ext, 0), 0);	/* nothing to race */
	assert_int_equal(machine_tcg_single(VM_ACCEL_TCG, 8, &proc, 0), 0);	/* no sched_ext */
	assert_int_equal(machine_tcg_single(VM_ACCEL_TCG, 8, &none, 0), 0);
	assert_int_equal(machine_tcg_single(VM_ACCEL_KVM, 8, &ext, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_memory),
		cmocka_unit_test(test_tcg_single),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
