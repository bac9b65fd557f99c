// SPDX-License-Identifier: GPL-2.0-only
#include "diagnose.h"
#include "session.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/*
 * "Attempted to kill init! exitcode=0x0000000b": the exit code is PID 1's wait status,
 * so the low 7 bits are the signal that killed it, else the high byte its exit status.
 */
static int init_died(const char *panic, char *msg, size_t sz)
{
	const char *p = strstr(panic, "exitcode=");
	unsigned long code;

	if (!strstr(panic, "Attempted to kill init") || !p)
		return 0;
	code = strtoul(p + 9, NULL, 16);
	if (code & 0x7f)
		snprintf(msg, sz, "init crash: ktstr-init was killed by signal %lu (%s); %s",
			 code & 0x7f, strsignal((int)(code & 0x7f)), panic);
	else
		snprintf(msg, sz, "init crash: ktstr-init exited with status %lu; %s",
			 (code >> 8) & 0xff, panic);
	return 1;
}

void diagnose_failure(const struct session *s, char *msg, size_t sz)
{
	const struct console *c = &s->con;
	const char *stage = s->last_stage[0] ? s->last_stage : "(none reported)";
	int st = s->vm.status;

	/* Out of memory before the init ran: unpacking the initramfs used it up. */
	int oom = !s->have_hello && (strstr(c->panic, "deadlocked on memory") ||
				     strstr(c->panic, "Out of memory"));

	if (c->unpack_err[0] || oom || strstr(s->qemu_out, "initrd is too large")) {
		snprintf(msg, sz, "the initramfs did not fit in the guest's %u MiB of memory "
			 "(raise --memory-mib): %s%s%s", s->mem_mib,
			 c->unpack_err[0] ? c->unpack_err : oom ? "out of memory while unpacking" :
			 "QEMU: initrd is too large", c->panic[0] ? "; then " : "", c->panic);
	} else if (s->timed_out) {
		snprintf(msg, sz, "timed out after %.1f s with no EXIT from the guest (%s); last "
			 "stage: %s", s->timeout_ms / 1000.0, s->have_exit ?
			 "it stopped when asked" : "asked to stop, then QEMU was killed", stage);
	} else if (c->panic[0]) {
		if (!init_died(c->panic, msg, sz))
			snprintf(msg, sz, "kernel panic: %s%s", c->panic,
				 !s->vm.kvm && strstr(c->oops, "int3: 0000") ?
				 " (after an int3 Oops: under TCG most likely QEMU running code the "
				 "kernel had patched away, not a kernel bug; run it again)" : "");
	} else if (WIFSIGNALED(st)) {
		snprintf(msg, sz, "QEMU crashed: killed by signal %d (%s); last stage: %s",
			 WTERMSIG(st), strsignal(WTERMSIG(st)), stage);
	} else if (!s->have_hello && c->ntail == 0) {
		snprintf(msg, sz, "QEMU exited before the kernel printed anything (status %d)",
			 WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	} else if (WIFEXITED(st) && WEXITSTATUS(st)) {
		snprintf(msg, sz, "QEMU exited with status %d before the guest reported EXIT; last "
			 "stage: %s", WEXITSTATUS(st), stage);
	} else if (strstr(c->reboot, "Power down")) {
		snprintf(msg, sz, "the guest powered off without reporting EXIT; last stage: %s",
			 stage);
	} else if (c->reboot[0]) {
		snprintf(msg, sz, "the guest rebooted (%s) without reporting EXIT; last stage: %s",
			 c->reboot, stage);
	} else {
		/* -no-reboot turns a CPU reset into QEMU exiting 0, with no kernel message. */
		snprintf(msg, sz, "triple fault: the VM reset without a kernel message before the "
			 "guest reported EXIT; last stage: %s", stage);
	}
}
