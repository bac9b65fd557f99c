// SPDX-License-Identifier: GPL-2.0-only
/* Naming why a run ended without EXIT, from what the console and QEMU showed. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../host/diagnose.h"
#include "../../host/session.h"

static struct session s;

static void reset(const char *console, int status)
{
	memset(&s, 0, sizeof(s));
	console_init(&s.con, -1, NULL);
	console_feed(&s.con, console, strlen(console));
	console_flush(&s.con);
	s.vm.status = status;
	s.mem_mib = 256;
	s.timeout_ms = 15000;
	snprintf(s.last_stage, sizeof(s.last_stage), "job");
}

static void expect(const char *needle)
{
	char msg[2048];

	diagnose_failure(&s, msg, sizeof(msg));
	if (!strstr(msg, needle))
		fail_msg("'%s' lacks '%s'", msg, needle);
}

static void test_panics(void **state)
{
	(void)state;
	reset("[ 1.0] Kernel panic - not syncing: VFS: Unable to mount root fs\n", 0);
	expect("kernel panic: [ 1.0] Kernel panic - not syncing: VFS");
	reset("Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b\n", 0);
	expect("init crash: ktstr-init was killed by signal 11");
	reset("Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000300\n", 0);
	expect("init crash: ktstr-init exited with status 3");
	/* Out of memory before the init ran: the initramfs did not fit */
	reset("Kernel panic - not syncing: System is deadlocked on memory\n", 0);
	expect("did not fit in the guest's 256 MiB");
	reset("Initramfs unpacking failed: write error\n", 0);
	expect("did not fit");
	/* A stale int3 under TCG is named as QEMU's, not the kernel's; under KVM it is not. */
	reset("[ 6.0] Oops: int3: 0000 [#1] PREEMPT SMP PTI\n[ 6.0] RIP: 0010:put_prev_task_idle\n"
	      "[ 6.1] Kernel panic - not syncing: Fatal exception in interrupt\n", 0);
	expect("kernel panic: [ 6.1] Kernel panic - not syncing: Fatal exception in interrupt "
	       "(after an int3 Oops: under TCG most likely QEMU");
	s.vm.kvm = 1;
	expect("Fatal exception in interrupt");
	{
		char msg[2048];

		diagnose_failure(&s, msg, sizeof(msg));
		assert_null(strstr(msg, "TCG"));
	}
}

static void test_vm_endings(void **state)
{
	(void)state;
	reset("booting\n", SIGSEGV);	/* a wait status: killed by signal 11 */
	expect("QEMU crashed: killed by signal 11");
	reset("", 1 << 8);
	expect("QEMU exited before the kernel printed anything (status 1)");
	reset("booting\n", 2 << 8);
	expect("QEMU exited with status 2");
	reset("[ 2.0] reboot: Power down\n", 0);
	expect("powered off without reporting EXIT; last stage: job");
	reset("[ 2.0] reboot: Restarting system\n", 0);
	expect("rebooted");
	reset("[ 2.0] sysrq: Resetting\n", 0);
	expect("triple fault");
	reset("booting\n", 0);
	s.timed_out = 1;
	expect("timed out after 15.0 s");
	expect("QEMU was killed");
	s.have_exit = 1;
	expect("it stopped when asked");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_panics),
		cmocka_unit_test(test_vm_endings),
	};
	return cmocka_run_group_tests_name("diagnose", tests, NULL, NULL);
}
