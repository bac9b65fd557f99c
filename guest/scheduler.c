// SPDX-License-Identifier: GPL-2.0-only
/*
 * The scheduler under test: started with its arguments and its output in a log file; it
 * must stay alive for 1 s and, for sched_ext, show as enabled in /sys/kernel/sched_ext
 * within 3 s. While the workers run, sched_check() (every <= 100 ms, from init_poll) notices
 * when it dies. Every end of the scheduler goes to the host as a SCHED_EXIT frame with the
 * tail of its log. For sched_ext, LOG lines say when the kernel showed it enabled (and what
 * root/ops calls it) and disabled again; sched_ext leaving "enabled" while the workers run
 * is an ejection (watchdog, BPF error, SysRq S), reported with the kernel's reason.
 */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SCHED_LOG "/tmp/ktstr-scheduler.log"
#define SCHED_EXT_STATE "/sys/kernel/sched_ext/state"
#define SCHED_EXT_OPS "/sys/kernel/sched_ext/root/ops"
#define EJECT_GRACE_MS 3000	/* for an ejected scheduler to notice and print why */
#define ALIVE_MS 1000
#define ATTACH_MS 3000
#define STOP_GRACE_MS 2000
#define TAIL_LINES 20

static pid_t sched_pid;
static pid_t sched_pgid;	/* its process group: its helpers, orphaned when it dies */
static int sched_ext;
static int sched_failed;
static uint64_t attached_ns;	/* when sched_ext showed enabled */
static char sysrq_key;		/* ktstr.test_sysrq knob */
static uint32_t sysrq_ms;

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* The last TAIL_LINES lines of the log (at most sz - 1 bytes). */
static void log_tail(char *buf, size_t sz)
{
	int fd = open(SCHED_LOG, O_RDONLY | O_CLOEXEC);
	off_t end = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
	off_t from = end > (off_t)(sz - 1) ? end - (off_t)(sz - 1) : 0;
	ssize_t n = end < 0 ? -1 : pread(fd, buf, sz - 1, from);
	char *p;
	int lines = 0;

	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	for (p = buf + (n > 0 ? n : 0); p > buf; p--)
		if (p[-1] == '\n' && ++lines == TAIL_LINES)
			break;
	memmove(buf, p, strlen(p) + 1);
}

static void send_exit(int status, int expected, const char *why)
{
	struct kt_sched_exit e = { .expected = (uint8_t)expected, .t_ns = mono_ns() };

	e.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
	e.signo = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	snprintf(e.why, sizeof(e.why), "%s", why);
	log_tail(e.log, sizeof(e.log));
	report_sched_exit(&e);
}

static int ext_enabled(void)
{
	char buf[32];

	read_line(SCHED_EXT_STATE, buf, sizeof(buf));
	return !strcmp(buf, "enabled");
}

static void report_detached(void);

/* What the kernel says once the scheduler is attached: state and root/ops. */
static void report_attached(const struct kt_job *j)
{
	char ops[128];
	const char *base = strrchr(j->scheduler, '/');

	base = base ? base + 1 : j->scheduler;
	read_line(SCHED_EXT_OPS, ops, sizeof(ops));
	report_text(KT_MSG_LOG, "sched_ext: state enabled at %.3f s, root/ops '%s' (%s)",
		    attached_ns / 1e9, ops,
		    !ops[0] ? "empty: no scheduler named" :
		    !strcmp(ops, base) || (!strncmp(base, "scx_", 4) && !strcmp(ops, base + 4)) ?
		    "names the scheduler" : "a name of the scheduler's own choosing");
}

void sched_test_sysrq(char key, uint32_t ms)
{
	sysrq_key = key;
	sysrq_ms = ms;
}

/* The ktstr.test_sysrq knob: SysRq S disables sched_ext ("disabled by sysrq-S"). */
static void test_sysrq(void)
{
	int fd;

	if (!sysrq_key || !attached_ns || mono_ns() - attached_ns < sysrq_ms * 1000000ull)
		return;
	fd = open("/proc/sysrq-trigger", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, &sysrq_key, 1) != 1)
		report_error("scheduler", "write", "/proc/sysrq-trigger", errno, "test knob");
	else
		report_text(KT_MSG_LOG, "test knob: SysRq '%c' written at %.3f s", sysrq_key,
			    mono_ns() / 1e9);
	if (fd >= 0)
		close(fd);
	sysrq_key = 0;
}

/*
 * sched_ext left "enabled" under a live scheduler: the kernel ejected it (watchdog, error,
 * SysRq). Give the scheduler a moment to notice and print its own exit message, and the
 * kernel log its reason, then report both.
 */
static void ejected(void)
{
	uint64_t t0 = mono_ns();
	char why[sizeof(((struct kt_sched_exit *)0)->why)];
	int status;

	while (mono_ns() - t0 < EJECT_GRACE_MS * 1000000ull) {
		kmsg_poll();
		if (waitpid(sched_pid, &status, WNOHANG) == sched_pid) {
			reaper_disown(sched_pid);
			sched_pid = 0;
			break;
		}
		sleep_ms(20);
	}
	kmsg_poll();
	snprintf(why, sizeof(why), "ejected: %s",
		 kmsg_ext_disabled()[0] ? kmsg_ext_disabled() : "no reason in the kernel log");
	if (sched_pid) {
		sched_stop(why, 0);
	} else {
		send_exit(status, 0, why);
		report_detached();
	}
}

static __attribute__((noreturn)) void child(const struct kt_job *j)
{
	static char args[sizeof(j->scheduler_args)];
	char *argv[64], *save;
	int argc = 0, fd;

	setsid();	/* its own process group: SIGINT at the end reaches its helpers too */
	fd = open(SCHED_LOG, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd >= 0)
		dup2(fd, 0);
	snprintf(args, sizeof(args), "%s", j->scheduler_args);
	argv[argc++] = (char *)j->scheduler;
	for (char *t = strtok_r(args, " \t", &save); t && argc < 63; t = strtok_r(NULL, " \t", &save))
		argv[argc++] = t;
	argv[argc] = NULL;
	setenv("PATH", "/bin:/sbin:/usr/bin:/usr/sbin", 1);
	signal(SIGPIPE, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	execv(j->scheduler, argv);
	dprintf(2, "ktstr-init: cannot execute %s: %s\n", j->scheduler, strerror(errno));
	_exit(127);
}

int sched_start(const struct kt_job *j)
{
	uint64_t t0 = mono_ns();
	int status, attached = 0;

	if (!j->scheduler[0])
		return 0;
	sched_ext = j->scheduler_kind == KT_SCHED_EXT;
	sched_pid = fork();
	if (sched_pid < 0) {
		report_error("scheduler", "fork", j->scheduler, errno, "starting the scheduler");
		sched_pid = 0;
		return -1;
	}
	if (sched_pid == 0)
		child(j);
	reaper_own(sched_pid);
	sched_pgid = sched_pid;
	report_text(KT_MSG_LOG, "scheduler %s started (pid %d), output in %s", j->scheduler,
		    (int)sched_pid, SCHED_LOG);
	for (;;) {
		uint64_t ms = (mono_ns() - t0) / 1000000;

		kmsg_poll();
		if (waitpid(sched_pid, &status, WNOHANG) == sched_pid) {
			reaper_disown(sched_pid);
			sched_pid = 0;
			sched_failed = 1;
			send_exit(status, 0, ms < ALIVE_MS ? "exited within 1 s of starting" :
					     sched_ext ? "exited before attaching to sched_ext" :
					     "exited while starting");
			return -2;
		}
		if (sched_ext && !attached && ext_enabled()) {
			attached = 1;
			attached_ns = mono_ns();
		}
		if (ms >= ALIVE_MS && (!sched_ext || attached)) {
			if (sched_ext)
				report_attached(j);
			return 0;
		}
		if (ms >= ATTACH_MS) {
			/* No sched_ext in the kernel says nothing about the scheduler: infra. */
			int nokernel = access("/sys/kernel/sched_ext", F_OK) != 0;

			if (nokernel)
				report_error("scheduler", "attach", "/sys/kernel/sched_ext", errno,
					     "this kernel has no sched_ext (CONFIG_SCHED_CLASS_EXT)");
			else
				report_error("scheduler", "attach", SCHED_EXT_STATE, 0,
					     "%s is alive but sched_ext is not enabled after 3 s",
					     j->scheduler);
			sched_failed = !nokernel;
			sched_stop("not attached to sched_ext within 3 s", nokernel);
			return nokernel ? -1 : -2;
		}
		sleep_ms(20);
	}
}

int sched_check(void)
{
	int status;

	/* Orphans of the scheduler come to PID 1; its process group tells them apart from
	 * the workers, which workers_run reaps itself. */
	if (sched_pgid && sched_pgid != sched_pid)
		while (waitpid(-sched_pgid, NULL, WNOHANG) > 0)
			;
	if (!sched_pid)
		return sched_failed ? -1 : 0;
	if (waitpid(sched_pid, &status, WNOHANG) == sched_pid) {
		char why[128];

		reaper_disown(sched_pid);
		sched_pid = 0;
		sched_failed = 1;
		if (sched_ext)	/* the kernel's word on it, if it has spoken yet */
			report_detached();
		snprintf(why, sizeof(why), "died while the workers ran%s%s",
			 sched_ext && kmsg_ext_disabled()[0] ? ": " : "",
			 sched_ext ? kmsg_ext_disabled() : "");
		send_exit(status, 0, why);
		return -1;
	}
	if (sched_ext && !ext_enabled()) {
		sched_failed = 1;
		ejected();
		return -1;
	}
	test_sysrq();
	return 0;
}

int sched_has_failed(void)
{
	return sched_failed;
}

/* After the scheduler's end: sched_ext must go back to disabled (the unregistering is
 * asynchronous, so wait a little). */
static void report_detached(void)
{
	uint64_t t0 = mono_ns();
	char state[32];

	for (;;) {
		read_line(SCHED_EXT_STATE, state, sizeof(state));
		if (!strcmp(state, "disabled") || mono_ns() - t0 >= STOP_GRACE_MS * 1000000ull)
			break;
		sleep_ms(10);
	}
	kmsg_poll();
	report_text(KT_MSG_LOG, "sched_ext: state %s at %.3f s, after the scheduler ended",
		    state, mono_ns() / 1e9);
}

void sched_stop(const char *why, int expected)
{
	uint64_t t0 = mono_ns();
	int status = 0, sig = SIGINT;
	char msg[256];

	if (!sched_pid)
		return;
	kill(-sched_pid, SIGINT);
	kill(sched_pid, SIGINT);
	while (waitpid(sched_pid, &status, WNOHANG) == 0) {
		if (sig == SIGINT && mono_ns() - t0 >= STOP_GRACE_MS * 1000000ull) {
			sig = SIGKILL;
			kill(-sched_pid, SIGKILL);
			kill(sched_pid, SIGKILL);
		}
		sleep_ms(10);
	}
	reaper_disown(sched_pid);
	sched_pid = 0;
	snprintf(msg, sizeof(msg), "%s (%s)", why,
		 sig == SIGINT ? "SIGINT" : "SIGKILL after 2 s");
	send_exit(status, expected, msg);
	if (sched_ext)
		report_detached();
}
