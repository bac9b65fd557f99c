// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the init checks and sets up before any work, once the report channel is open:
 * the initramfs arrived whole, the modules the host packed are loaded, and (on request)
 * the topology the guest sees is reported.
 */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SENTINEL "/ktstr/sentinel"	/* the archive's last file (host/initrd.h) */

int prepare_guest(const struct init_opts *o, const char **reason)
{
	int failed;

	/*
	 * The kernel unpacks the initramfs into memory; when memory runs out it logs
	 * "Initramfs unpacking failed" and boots anyway with whatever it got. The last file
	 * missing is how the init tells that apart from a mysterious crash later.
	 */
	if (o->sentinel && access(SENTINEL, F_OK) < 0) {
		report_error("initramfs", "access", SENTINEL, errno,
			     "the initramfs was not unpacked completely: too little guest memory "
			     "(raise --memory-mib)");
		*reason = "initramfs incomplete: too little memory";
		return 99;
	}
	/* Stages only for what happened, so a plain run's stage list stays the job's own. */
	failed = modules_report();
	if (failed) {
		*reason = "kernel modules failed to load";
		return 99;
	}
	if (modules_loaded())
		report_stage("modules");
	if (o->topo)
		topo_report();
	if (!strcmp(o->crash, "segv")) {
		volatile int *volatile nowhere = NULL;

		/* A real fault: the kernel kills PID 1 and panics "Attempted to kill init". */
		report_stage("crash");
		*nowhere = 1;
	}
	if (!strcmp(o->crash, "reset")) {
		int fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);

		/* SysRq 'b': an immediate restart, which reboot=t makes a triple fault. */
		report_stage("reset");
		if (fd < 0 || write(fd, "b", 1) != 1)
			report_error("crash", "write", "/proc/sysrq-trigger", errno, "reset");
		*reason = "SysRq reset failed";
		return 99;
	}
	if (!strcmp(o->crash, "hang")) {
		/* Waits for the host's stop request, as a long workload would check it. */
		report_stage("hang");
		while (!report_stop_requested())
			usleep(50000);
		*reason = "stopped by the host";
		return 99;
	}
	return 0;
}
