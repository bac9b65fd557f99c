// SPDX-License-Identifier: GPL-2.0-only
/*
 * `ktstr shell --exec CMD`: CMD runs under /bin/sh -c with stdin on /dev/null and stdout
 * and stderr on two pipes that PID 1 relays as EXEC_STDOUT and EXEC_STDERR frames, byte
 * for byte. The console (and so every kernel message) stays out of both streams.
 */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int exec_run(const char *cmd)
{
	struct relay r = { .out_fd = -1, .err_fd = -1, .kmsg_fd = -1, .tty_fd = -1 };
	struct kt_exec_done d = { 0 };
	int out[2], err[2], null, status = 0;
	pid_t pid;

	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0) {
		report_error("exec", "open", "/dev/null", errno, "the command's stdin");
		return -1;
	}
	if (pipe2(out, O_CLOEXEC) < 0) {
		report_error("exec", "pipe2", "", errno, "the command's stdout");
		close(null);
		return -1;
	}
	if (pipe2(err, O_CLOEXEC) < 0) {
		report_error("exec", "pipe2", "", errno, "the command's stderr");
		close(null);
		close(out[0]);
		close(out[1]);
		return -1;
	}
	pid = relay_fork();
	if (pid == 0) {
		/* Its own session: no controlling tty, so nothing it does reaches the console. */
		setsid();
		dup2(null, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		shell_child_env("dumb");
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		dprintf(2, "ktstr-init: cannot run /bin/sh: %s\n", strerror(errno));
		_exit(127);
	}
	close(null);
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		report_error("exec", "fork", "/bin/sh", errno, "starting the command");
		close(out[0]);
		close(err[0]);
		return -1;
	}
	r.child = pid;
	r.out_fd = out[0];
	r.err_fd = err[0];
	if (relay_run(&r, &status) < 0)
		return -1;
	if (WIFSIGNALED(status)) {
		d.code = -1;
		d.signo = WTERMSIG(status);
	} else {
		d.code = WEXITSTATUS(status);
	}
	report_exec_done(&d);
	return 0;
}
