// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktstr-init: PID 1 of the test VM. It must never return: PID 1 exiting panics the kernel.
 * Every path ends in an EXIT frame and power-off.
 */
#include "init.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

static __attribute__((noreturn)) void power_off(void)
{
	sync();
	if (getpid() == 1) {
		reboot(RB_POWER_OFF);
		/* Still here: the call failed. Halting beats exiting (which would panic). */
		con_printf("ktstr-init: reboot(RB_POWER_OFF): %s\n", strerror(errno));
		for (;;)
			pause();
	}
	exit(0);
}

static __attribute__((noreturn)) void finish(int status, const char *reason)
{
	report_exit(status, reason);
	report_drain();
	con_printf("ktstr-init: exit status %d (%s), powering off\n", status, reason);
	power_off();
}

int main(void)
{
	struct init_opts opts;
	struct kt_job job;
	int ret;

	/* PID 1 gets no default handlers; ignore what a stray terminal signal could send. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);

	ret = mount_all();
	console_setup();
	if (report_open() < 0)
		con_printf("ktstr-init: no report channel; results go to the console only\n");
	report_hello();
	if (ret < 0)
		finish(99, "mounts failed");
	report_stage("mounts");
	cmdline_parse(&opts);
	ret = job_load(opts.job_path, &job);
	if (ret < 0)
		finish(99, "the job could not be loaded");
	if (ret > 0) {
		report_job(&job);
		report_stage("job");
		if (workers_run(&job) < 0)
			finish(99, "the workers could not be run");
	}
	report_stage("done");
	finish(opts.exit_status, opts.exit_status ? "requested by ktstr.exit" : "ok");
}
