// SPDX-License-Identifier: GPL-2.0-only
/*
 * PID 1 while a shell or an exec command runs. It stays the only writer of the report
 * channel: what the command writes and new kernel messages (shell --dmesg) become frames
 * here, so frames from different sources never interleave and sequence numbers stay in
 * order. It keeps watching the scheduler and the kernel log (init_poll) as during a run.
 *
 * PID 1 waits for one pid only, a subreaper between it and the shell (relay_fork), which it
 * registers with the init's orphan reaper (reaper.c); orphans of the shell's tree go to the
 * subreaper, so they neither pile up as zombies nor meet the init's own children.
 */
#include "init.h"
#include "../shared/kmsgmatch.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * After the command ended, its pipes are drained until they stay quiet for DRAIN_MS or
 * DRAIN_MAX_MS have passed: a background job that keeps them open is not waited for.
 */
#define DRAIN_MS 200
#define DRAIN_MAX_MS 2000
#define POLL_MS 100	/* init_poll's period, as while workers run */

pid_t relay_fork(void)
{
	pid_t pid = fork(), shell;
	int status;

	if (pid != 0)
		return pid;
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	shell = fork();
	if (shell == 0)
		return 0;
	if (shell < 0)
		_exit(127);
	/* The subreaper needs no file, and must not hold the command's pipes open. */
	for (int fd = 0; fd < 1024; fd++)
		close(fd);
	for (;;) {
		pid_t p = wait(&status);

		if (p == shell)
			break;
		if (p < 0 && errno != EINTR)
			_exit(127);
	}
	/* Pass the shell's end on as our own: its exit code, or the same signal. */
	if (WIFSIGNALED(status)) {
		sigset_t none;

		prctl(PR_SET_DUMPABLE, 0);	/* no core file in the guest's root */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 127);
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* The host's terminal changed size: so does the shell's, which signals SIGWINCH to its job. */
static void pass_winsize(int tty_fd)
{
	unsigned rows, cols;
	struct winsize ws = { 0 };

	if (tty_fd < 0 || !report_winsize(&rows, &cols))
		return;
	ws.ws_row = (unsigned short)rows;
	ws.ws_col = (unsigned short)cols;
	if (ioctl(tty_fd, TIOCSWINSZ, &ws) < 0)
		report_error("shell", "ioctl TIOCSWINSZ", "console", errno, "%ux%u", cols, rows);
}

/* Returns 1 once r->child has exited (and been reaped). */
static int reap(struct relay *r, int *status)
{
	pid_t p = waitpid(r->child, status, WNOHANG);

	if (p < 0 && errno == ECHILD) {	/* reaped elsewhere: its status is lost */
		report_error("shell", "waitpid", "", ECHILD, "pid %d was reaped elsewhere",
			     (int)r->child);
		*status = 127 << 8;
		return 1;
	}
	return p == r->child;
}

/* Forwards one read of a pipe as one frame; 0 at EOF or error (the pipe is then done). */
static int forward_pipe(int fd, uint16_t type)
{
	static char buf[65536];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	report_raw(type, buf, (size_t)n);
	return 1;
}

/*
 * One /dev/kmsg record ("prio,seq,usec,flags;text\n" plus continuation lines) as a KMSG
 * frame "[seconds] text". EPIPE means records were overwritten: skip to the next one.
 */
static int forward_kmsg(int fd)
{
	char rec[2048], *text, *nl;
	unsigned long long usec = 0;
	ssize_t n = read(fd, rec, sizeof(rec) - 1);

	if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EPIPE))
		return 1;
	if (n <= 0)
		return 0;
	rec[n] = '\0';
	text = strchr(rec, ';');
	if (!text)
		return 1;
	sscanf(rec, "%*u,%*u,%llu", &usec);
	text++;
	nl = strchr(text, '\n');
	if (nl)
		*nl = '\0';
	/* The kernel log watcher (kmsg.c) sends the lines that matter already. */
	if (kt_kmsg_classify(text) != KT_KMSG_NONE)
		return 1;
	report_text(KT_MSG_KMSG, "[%5llu.%06llu] %s", usec / 1000000, usec % 1000000, text);
	return 1;
}

int relay_run(struct relay *r, int *status)
{
	sigset_t chld, old;
	int sigfd, done = 0, ret = 0;
	uint64_t done_ns = 0;

	/* Ours to reap: the init's orphan reaper (init_poll) must leave it alone. */
	reaper_own(r->child);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sigfd < 0) {
		report_error("shell", "signalfd", "", errno, "waiting for pid %d", (int)r->child);
		ret = -1;
		goto out;
	}
	for (;;) {
		struct pollfd p[4] = {
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = r->out_fd, .events = POLLIN },
			{ .fd = r->err_fd, .events = POLLIN },
			{ .fd = done ? -1 : r->kmsg_fd, .events = POLLIN },
		};
		struct signalfd_siginfo si;
		int n;

		/* A SIGCHLD before the mask took effect is lost, so reap before every wait. */
		if (!done && reap(r, status)) {
			done = 1;
			done_ns = mono_ns();
		}
		if (done && ((r->out_fd < 0 && r->err_fd < 0) ||
			     mono_ns() - done_ns > DRAIN_MAX_MS * 1000000ull))
			break;
		n = poll(p, 4, done ? DRAIN_MS : POLL_MS);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			report_error("shell", "poll", "", errno, "relaying the command's output");
			ret = -1;
			break;
		}
		if (n == 0 && done)
			break;
		/* A scheduler that dies is reported, and the shell goes on: the person decides. */
		init_poll();
		pass_winsize(r->tty_fd);
		if (p[0].revents & POLLIN)
			while (read(sigfd, &si, sizeof(si)) == sizeof(si))
				;
		if (p[1].revents && !forward_pipe(r->out_fd, KT_MSG_EXEC_STDOUT))
			close_fd(&r->out_fd);
		if (p[2].revents && !forward_pipe(r->err_fd, KT_MSG_EXEC_STDERR))
			close_fd(&r->err_fd);
		if (p[3].revents && !forward_kmsg(r->kmsg_fd))
			close_fd(&r->kmsg_fd);
	}
	close(sigfd);
out:
	close_fd(&r->out_fd);
	close_fd(&r->err_fd);
	close_fd(&r->kmsg_fd);
	close_fd(&r->tty_fd);
	reaper_disown(r->child);
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}
