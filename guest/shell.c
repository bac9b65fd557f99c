// SPDX-License-Identifier: GPL-2.0-only
/*
 * `ktstr shell`: after the job's setup, busybox's applets are installed and either the
 * command in /ktstr/exec runs (exec.c) or an interactive busybox sh gets the console.
 *
 * The interactive shell is a session leader with the console as its controlling tty, so
 * job control works and Ctrl-C (which the host passes through as a byte) interrupts the
 * guest's foreground job. Kernel messages are kept off the console while it runs; with
 * ktstr.dmesg=1 they travel as KMSG frames instead and the host prints them on stderr.
 */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/klog.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define EXEC_PATH "/ktstr/exec"
#define JOB_PATH "/ktstr/job"
#define MOTD_PATH "/ktstr/motd"
#define BUSYBOX "/bin/busybox"
#define MAX_CMD (1u << 20)
#define SYSLOG_ACTION_CONSOLE_LEVEL 8

/* Included files come first: a tool packed with -i wins over a busybox applet. */
#define SHELL_PATH "/include:/include/bin:/bin:/sbin:/usr/bin:/usr/sbin"

void shell_child_env(const char *term)
{
	sigset_t none;

	/* PID 1 ignores SIGPIPE and SIGHUP, and ignored signals survive exec. */
	for (int i = 1; i < NSIG; i++)
		signal(i, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setenv("PATH", SHELL_PATH, 1);
	setenv("HOME", "/root", 1);
	setenv("SHELL", "/bin/sh", 1);
	setenv("TERM", term, 1);
	setenv("PS1", "ktstr:\\w# ", 1);
	if (chdir("/root") < 0 && chdir("/") < 0)
		dprintf(2, "ktstr-init: chdir /: %s\n", strerror(errno));
}

/* Returns 0 when the path exists as a directory afterwards. */
static int make_dir(const char *path)
{
	if (mkdir(path, 0755) == 0 || errno == EEXIST)
		return 0;
	report_error("shell", "mkdir", path, errno, "directory for the shell");
	return -1;
}

/* What a shell expects (mounts.c did /tmp and /dev/shm): /bin/sh and every busybox applet. */
static int prepare(void)
{
	static const char *const dirs[] = { "/bin", "/sbin", "/usr", "/usr/bin", "/usr/sbin",
					    "/root" };
	int status;
	pid_t pid;

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		if (make_dir(dirs[i]) < 0)
			return -1;
	if (access(BUSYBOX, X_OK) < 0) {
		report_error("shell", "access", BUSYBOX, errno, "the initramfs has no busybox");
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		execl(BUSYBOX, "busybox", "--install", "-s", (char *)NULL);
		_exit(127);
	}
	if (pid < 0) {
		report_error("shell", "fork", BUSYBOX, errno, "busybox --install");
		return -1;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			report_error("shell", "waitpid", BUSYBOX, errno, "busybox --install");
			return -1;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		report_error("shell", "busybox --install", BUSYBOX, 0, "wait status %#x", status);
		return -1;
	}
	return 0;
}

/* A whole small file as a string; NULL with errno set (ENOENT: not there). */
static char *slurp(const char *path)
{
	struct stat st;
	char *buf;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || st.st_size < 0 || st.st_size > MAX_CMD) {
		close(fd);
		errno = EFBIG;
		return NULL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		errno = ENOMEM;
		return NULL;
	}
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(buf);
		errno = EIO;
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

/* The console's tty: the last name in /sys/class/tty/console/active (the primary one). */
static void console_tty(char *path, size_t sz)
{
	char buf[256], *name = NULL;
	ssize_t n;
	int fd = open("/sys/class/tty/console/active", O_RDONLY | O_CLOEXEC);

	snprintf(path, sz, "/dev/ttyS0");
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (char *save, *t = strtok_r(buf, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
		name = t;
	if (name)
		snprintf(path, sz, "/dev/%s", name);
}

static __attribute__((noreturn)) void shell_child(const struct init_opts *o, const char *tty)
{
	struct winsize ws = { .ws_row = (unsigned short)o->rows, .ws_col = (unsigned short)o->cols };
	int fd;

	setsid();
	/* Opened without O_NOCTTY by a session leader: it becomes the controlling tty. */
	fd = open(tty, O_RDWR);
	if (fd < 0) {
		dprintf(2, "ktstr-init: open %s: %s\n", tty, strerror(errno));
		_exit(127);
	}
	if (ioctl(fd, TIOCSCTTY, 0) < 0)
		dprintf(fd, "ktstr-init: %s as controlling tty: %s; no job control\n", tty,
			strerror(errno));
	if (o->rows && o->cols && ioctl(fd, TIOCSWINSZ, &ws) < 0)
		dprintf(fd, "ktstr-init: terminal size on %s: %s\n", tty, strerror(errno));
	for (int i = 0; i < 3; i++)
		dup2(fd, i);
	if (fd > 2)
		close(fd);
	shell_child_env(o->term[0] ? o->term : "linux");
	execl("/bin/sh", "sh", "-i", (char *)NULL);
	dprintf(2, "ktstr-init: cannot run /bin/sh: %s\n", strerror(errno));
	_exit(127);
}

static int interactive(const struct init_opts *o)
{
	struct relay r = { .out_fd = -1, .err_fd = -1, .kmsg_fd = -1, .tty_fd = -1 };
	char tty[128], *motd;
	int status;

	console_tty(tty, sizeof(tty));
	/*
	 * Only emergencies stay on the console: a panic must still reach the host, which
	 * watches the console for it, but nothing else should land in the user's typing.
	 */
	if (klogctl(SYSLOG_ACTION_CONSOLE_LEVEL, NULL, 1) < 0)
		con_printf("ktstr-init: note: console log level: %s\n", strerror(errno));
	if (o->dmesg) {
		r.kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
		if (r.kmsg_fd < 0)
			con_printf("ktstr-init: note: open /dev/kmsg: %s; no --dmesg\n",
				   strerror(errno));
		else if (lseek(r.kmsg_fd, 0, SEEK_END) < 0)	/* the boot log went already */
			con_printf("ktstr-init: note: seek /dev/kmsg: %s\n", strerror(errno));
	}
	/* Our own handle on the shell's terminal, to pass on the host's window size. */
	r.tty_fd = open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (r.tty_fd < 0)
		con_printf("ktstr-init: note: open %s: %s; window size changes are not passed on\n",
			   tty, strerror(errno));
	report_raw(KT_MSG_SHELL, "", 0);
	motd = slurp(MOTD_PATH);
	if (motd) {
		/* Whole, not through con_printf's 1 KiB: many includes make a long MOTD. */
		for (size_t off = 0, len = strlen(motd); off < len;) {
			ssize_t n = write(1, motd + off, len - off);

			if (n <= 0 && errno != EINTR)
				break;
			off += n > 0 ? (size_t)n : 0;
		}
		free(motd);
	}
	r.child = relay_fork();
	if (r.child == 0)
		shell_child(o, tty);
	if (r.child < 0) {
		report_error("shell", "fork", "/bin/sh", errno, "starting the shell");
		if (r.kmsg_fd >= 0)
			close(r.kmsg_fd);
		if (r.tty_fd >= 0)
			close(r.tty_fd);
		return -1;
	}
	return relay_run(&r, &status);
}

int shell_main(const struct init_opts *o)
{
	char *cmd;
	int ret;

	if (prepare() < 0)
		return 99;
	report_stage("shell");
	cmd = slurp(EXEC_PATH);
	if (!cmd && errno != ENOENT) {
		report_error("shell", "read", EXEC_PATH, errno, "the command to run");
		return 99;
	}
	if (cmd) {
		ret = exec_run(cmd);
		free(cmd);
		return ret < 0 ? 99 : 0;
	}
	return interactive(o) < 0 ? 99 : 0;
}

int shell_workers(void)
{
	struct kt_job job;
	int ret = job_load(JOB_PATH, &job);

	if (ret <= 0) {
		fprintf(stderr, "ktstr-init workers: no job at %s\n", JOB_PATH);
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	report_echo_workers(&job);
	printf("running the workers of job '%s' (%u groups)\n", job.name, job.ngroups);
	ret = workers_run(&job);
	kt_job_free(&job);
	return ret < 0 ? 1 : 0;
}
