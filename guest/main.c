// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktstr-init: PID 1 of the test VM. It must never return: PID 1 exiting panics the kernel.
 * Every path ends in an EXIT frame and power-off, after the port is drained.
 *
 * Lifecycle, one STAGE frame per step: mounts, job, sysctls, cgroups, scheduler, [settle],
 * workers, collect (from workers_run), scheduler-stop, done. A failing step sends an ERROR
 * frame (stage, call, path, errno) and ends the run with status 99; a scheduler that dies
 * or does not attach ends it with status 1 (see docs/job-format.md "Exit status").
 */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <time.h>
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

/* PID 1 inherits every orphan; collect the ones that have exited. */
static void reap_orphans(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static __attribute__((noreturn)) void finish(int status, const char *reason)
{
	sched_stop("stopped at the end", 1);
	reaper_poll();
	if (reaper_count())
		report_text(KT_MSG_LOG, "reaped %lu orphaned processes", reaper_count());
	reap_orphans();
	kmsg_close();
	report_exit(status, reason);
	report_drain();
	con_printf("ktstr-init: exit status %d (%s), powering off\n", status, reason);
	power_off();
}

int init_poll(void)
{
	kmsg_poll();
	reaper_poll();
	/* The host's --timeout expired: stop; the last stage says how far the run got. */
	if (report_stop_requested())
		finish(99, "stopped by the host: its --timeout expired");
	return sched_check();
}

/* The settle pause: the scheduler is watched through it like during the run. */
static int settle(uint64_t ms)
{
	uint64_t end = mono_ns() + ms * 1000000ull;

	while (mono_ns() < end) {
		uint64_t left = (end - mono_ns()) / 1000000ull;
		struct timespec ts = { 0, (long)(left < 100 ? left : 100) * 1000000L };

		nanosleep(&ts, NULL);
		if (init_poll() < 0)
			return -1;
	}
	return 0;
}

/* Keeps the OOM killer off PID 1: a workload that eats memory must not take the init. */
static void protect_from_oom(void)
{
	int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

	/* Not fatal: the run can go on, but the host should know PID 1 is exposed. */
	if (fd < 0 || write(fd, "-1000", 5) != 5)
		report_text(KT_MSG_LOG, "note: writing -1000 to /proc/self/oom_score_adj: %s",
			    strerror(errno));
	if (fd >= 0)
		close(fd);
}

static __attribute__((noreturn)) void run(struct kt_job *job, const struct init_opts *o)
{
	int ret;

	report_job(job);
	report_stage("job");
	if (sysctl_apply(job) < 0)
		finish(99, "a sysctl could not be set");
	report_stage("sysctls");
	if (cgroup_setup(job) < 0)
		finish(99, "the cgroup tree could not be set up");
	report_stage("cgroups");
	ret = sched_start(job);
	if (ret == -1)
		finish(99, "the scheduler could not be started or the kernel lacks sched_ext");
	if (ret == -2)
		finish(1, "the scheduler exited or did not attach");
	report_stage("scheduler");
	if (job->settle_ms) {
		if (settle(job->settle_ms) < 0)
			finish(1, "the scheduler died while settling");
		report_stage("settle");
	}
	/* ktstr shell: everything is set up; a person (or --exec) takes over from here. */
	if (job->flags & KT_JOB_F_SHELL) {
		ret = shell_main(o);
		finish(ret, ret ? "the shell could not be started" : "shell ended");
	}
	ret = workers_run(job);
	reaper_poll();	/* not waitpid(-1): the scheduler's status is sched_check's */
	if (sched_has_failed())
		finish(1, "the scheduler died while the workers ran");
	if (ret < 0)
		finish(99, "the workers could not be run");
	if (job->scheduler[0]) {
		sched_stop("stopped at the end", 1);
		report_stage("scheduler-stop");
	}
	report_stage("done");
	finish(0, "ok");
}

int main(int argc, char **argv)
{
	struct init_opts opts;
	struct kt_job job;
	const char *why = "";
	int ret;

	/* `exec` work's default program: ktstr-init run as a no-op that exits with N. */
	if (argc > 1 && !strncmp(argv[1], "--ktstr-exit=", 13))
		return atoi(argv[1] + 13);
	/* Test aid for the orphan reaper: leave a child that outlives its parent. */
	if (argc > 1 && !strcmp(argv[1], "--ktstr-orphan")) {
		if (fork() == 0) {
			usleep(20000);
			_exit(0);
		}
		return 0;
	}
	/* Typed in `ktstr shell`: a tool, not the init. */
	if (getpid() != 1 && argc == 2 && !strcmp(argv[1], "workers"))
		return shell_workers();

	/* PID 1 gets no default handlers; ignore what a stray terminal signal could send. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGHUP, SIG_IGN);

	ret = mount_all(0);
	console_setup();
	cmdline_parse(&opts);
	modules_load();		/* first: the report channel's driver may be a module */
	if (report_open(opts.serial_only) < 0)
		con_printf("ktstr-init: no report channel; results go to the console only\n");
	report_hello();
	if (ret < 0 || mount_all(1) < 0)
		finish(99, "mounts failed");
	report_stage("mounts");
	ret = prepare_guest(&opts, &why);
	if (ret)
		finish(ret, why);
	protect_from_oom();
	kmsg_open(opts.test_kmsg);
	sched_test_sysrq(opts.test_sysrq, opts.test_sysrq_ms);
	kmsg_poll();
	ret = job_load(opts.job_path, &job);
	if (ret == 0 && opts.job_explicit)
		report_error("job", "open", opts.job_path, ENOENT, "the job named by ktstr.job=");
	if (ret < 0 || (ret == 0 && opts.job_explicit))
		finish(99, "the job could not be loaded");
	if (ret > 0) {
		if (opts.exit_status)
			report_text(KT_MSG_LOG, "ktstr.exit=%d overrides the job", opts.exit_status);
		else
			run(&job, &opts);
	}
	report_stage("done");
	finish(opts.exit_status, opts.exit_status ? "requested by ktstr.exit" : "ok");
}
