// SPDX-License-Identifier: GPL-2.0-only
/* Process work: fork-exit, and exec (a program from the initramfs as the worker). */
#include "work.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

int work_fork_exit(struct worker *w)
{
	while (!stopping(w)) {
		pid_t pid = fork();
		int st;

		if (pid < 0) {
			work_error(w, "fork-exit: fork: %s", strerror(errno));
			return -1;
		}
		if (pid == 0)
			_exit(0);
		meas_progress(w);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		meas_resume(w);
		w->iterations++;
		work_done(w, 1);
	}
	return 0;
}

#define EXEC_MAX_ARGS 32

/* Splits cmd on blanks into argv (in place in buf); returns argc. */
static int split(char *buf, char **argv)
{
	int argc = 0;

	for (char *tok = strtok(buf, " \t"); tok && argc < EXEC_MAX_ARGS;
	     tok = strtok(NULL, " \t"))
		argv[argc++] = tok;
	argv[argc] = NULL;
	return argc;
}

/* Waits for pid, at most 100 ms at a time through a pidfd; at the stop, ends it. */
static int wait_child(struct worker *w, pid_t pid, int *status)
{
	int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int stopped = 0;

	for (;;) {
		pid_t r = waitpid(pid, status, WNOHANG);

		if (r == pid)
			break;
		if (r < 0 && errno != EINTR) {
			work_error(w, "exec: waitpid %d: %s", (int)pid, strerror(errno));
			break;
		}
		if (stopping(w) && stopped < 2) {
			/* TERM first so the program can finish its output; KILL 100 ms later. */
			kill(pid, stopped++ ? SIGKILL : SIGTERM);
		}
		if (pfd >= 0) {
			struct pollfd p = { .fd = pfd, .events = POLLIN };

			poll(&p, 1, (int)(KT_MAX_BLOCK_NS / 1000000));
		} else {
			usleep(10000);
		}
	}
	if (pfd >= 0)
		close(pfd);
	return stopped;
}

int work_exec(struct worker *w)
{
	char cmd[sizeof(w->g->params[0].value)], *argv[EXEC_MAX_ARGS + 1];
	int loop = (int)kt_work_param_u64(w->g, "loop");

	snprintf(cmd, sizeof(cmd), "%s", kt_work_param_str(w->g, "cmd"));
	if (!split(cmd, argv)) {
		work_error(w, "exec: empty cmd");
		return -1;
	}
	do {
		int errpipe[2], st = 0, err = 0, stopped;
		uint64_t t;
		pid_t pid;

		/* A close-on-exec pipe tells a failed execve (its errno) from a program's exit. */
		if (pipe2(errpipe, O_CLOEXEC)) {
			work_error(w, "exec: pipe: %s", strerror(errno));
			return -1;
		}
		t = now_ns();
		pid = fork();
		if (pid < 0) {
			work_error(w, "exec: fork: %s", strerror(errno));
			close(errpipe[0]);
			close(errpipe[1]);
			return -1;
		}
		if (pid == 0) {
			close(errpipe[0]);
			prctl(PR_SET_PDEATHSIG, SIGKILL);	/* gone with its worker */
			execv(argv[0], argv);
			err = errno;
			if (write(errpipe[1], &err, sizeof(err)) < 0)
				_exit(127);
			_exit(127);
		}
		close(errpipe[1]);
		meas_progress(w);
		stopped = wait_child(w, pid, &st);
		t = meas_resume(w) - t;
		if (read(errpipe[0], &err, sizeof(err)) == sizeof(err)) {
			close(errpipe[0]);
			work_error(w, "exec: %s: %s", argv[0], strerror(err));
			return -1;
		}
		close(errpipe[0]);
		w->rep->exec_ns += t;
		/*
		 * A run cut short by the stop (SIGUSR1 reaches the program through the worker's
		 * process group, or the worker ended it) does not count, nor hide the status
		 * of a run that ended on its own.
		 */
		if (stopped || (stopping(w) && WIFSIGNALED(st))) {
			if (!w->iterations)
				w->rep->exec_status = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
			break;
		}
		w->rep->exec_status = WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
		w->iterations++;
		work_done(w, 1);
	} while (loop && !stopping(w));
	/* A program that ended before the stop: the worker idles until then. */
	while (!stopping(w))
		sleep_for(w, KT_MAX_BLOCK_NS);
	return 0;
}
