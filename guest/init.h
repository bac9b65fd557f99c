/* SPDX-License-Identifier: GPL-2.0-only */
/* ktstr-init: PID 1 in the test VM. Shared declarations of the init's parts. */
#ifndef KTSTR_INIT_H
#define KTSTR_INIT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "../shared/exec.h"
#include "../shared/job.h"
#include "../shared/msg.h"
#include "../shared/report.h"

/* report.c: the report channel to the host; serial_only skips virtio (ktstr.report=ttyS1) */
int report_open(int serial_only);
void report_hello(void);
void report_stage(const char *name);
void report_error(const char *stage, const char *call, const char *path, int err,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void report_text(uint16_t type, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void report_exit(int status, const char *reason);
/* Echoes the job the init runs, so a captured stream describes itself. */
void report_job(const struct kt_job *j);
void report_worker(const struct kt_worker_report *r);
/* Without a report channel (workers started by hand), print worker reports on stdout. */
void report_echo_workers(const struct kt_job *j);
void report_group(const struct kt_group_info *g);
void report_sched_exit(const struct kt_sched_exit *e);
/* For message types encoded elsewhere: take a sequence number, then send the frame. */
uint32_t report_next_seq(void);
void report_send(struct kt_wbuf *w);
/* 1 once the host has asked the guest to stop (it gives up waiting: --timeout). */
int report_stop_requested(void);
/* 1 and the size, once per new terminal size the host sent (ktstr shell); else 0. */
int report_winsize(unsigned *rows, unsigned *cols);
/* Waits (bounded) for the host to acknowledge EXIT, so power-off loses no frame. */
void report_drain(void);
/* One frame whose payload is the bytes given (exec output, SHELL). */
void report_raw(uint16_t type, const void *p, size_t len);
void report_exec_done(const struct kt_exec_done *d);

/* mounts.c: phase 0 what the report channel needs (proc, sysfs, devtmpfs), phase 1 the rest */
int mount_all(int phase);

/* cmdline.c: ktstr.* options from /proc/cmdline */
struct init_opts {
	int exit_status;	/* ktstr.exit=N: test knob, the status to report */
	char job_path[256];	/* ktstr.job=PATH, default /ktstr/job */
	int job_explicit;	/* ktstr.job= was given: the file must exist */
	char test_kmsg[256];	/* ktstr.test_kmsg=TEXT: test knob, written to /dev/kmsg */
	int serial_only;	/* ktstr.report=ttyS1: test knob, skip the virtio port */
	int sentinel;		/* ktstr.sentinel=1: the host packed INITRD_SENTINEL */
	int topo;		/* ktstr.topo=1: report the CPU topology the guest sees */
	char crash[16];		/* ktstr.crash=segv|reset|hang: test knobs for failure handling */
	char test_sysrq;	/* ktstr.test_sysrq=KEY@Ns: test knob, SysRq KEY N s after */
	uint32_t test_sysrq_ms;	/* the scheduler attached (S disables sched_ext) */
	unsigned rows, cols;	/* ktstr.rows=, ktstr.cols=: the host terminal's size, or 0 */
	char term[64];		/* ktstr.term=: the host's $TERM for the shell, or "" */
	int dmesg;		/* ktstr.dmesg=1: forward kernel messages while the shell runs */
};
void cmdline_parse(struct init_opts *o);

/* prepare.c: sentinel, modules, topology; returns 0 or an exit status with reason set */
int prepare_guest(const struct init_opts *o, const char **reason);

/*
 * modules.c: modules_load() loads what /ktstr/modules.order lists, before the report
 * channel opens; modules_report() reports each outcome once it is open. Both return the
 * number that failed.
 */
int modules_load(void);
int modules_report(void);
/* How many modules modules_load() tried. */
unsigned modules_loaded(void);

/* topo.c: TOPO_CPU and TOPO_NODE frames for every online CPU and node */
void topo_report(void);

/* job.c: the compiled job from the initramfs. 1 loaded, 0 none there, -1 unusable. */
int job_load(const char *path, struct kt_job *j);

/* workers.c: fork the job's workers, start them together, stop them, report each one. */
int workers_run(const struct kt_job *job);

/*
 * main.c: called by workers_run at least every 100 ms while the workers run: forwards
 * kernel log lines and checks the scheduler. Returns -1 when the run must stop now (the
 * scheduler died: it has been reported), else 0.
 */
int init_poll(void);

/* sysctl.c: writes the job's sysctls. 0, or -1 after an ERROR naming the sysctl. */
int sysctl_apply(const struct kt_job *j);

/* cgroup.c: /sys/fs/cgroup/ktstr/<group> for each group, reported as GROUP frames. */
int cgroup_setup(const struct kt_job *j);
/* Moves pid (a worker, before it starts) into its group's cgroup. 0, or -1 after an ERROR. */
int cgroup_enter(const struct kt_group *g, pid_t pid);

/*
 * scheduler.c: the scheduler under test. sched_start returns 0 (running, or none in the
 * job), -1 when it could not be started (infrastructure), -2 when it died or did not
 * attach (reported in a SCHED_EXIT frame: the run fails).
 */
int sched_start(const struct kt_job *j);
/* 0 while it lives; -1 once it has died (a SCHED_EXIT frame has been sent). */
int sched_check(void);
int sched_has_failed(void);
/* SIGINT, then SIGKILL after 2 s; a SCHED_EXIT frame with why and the log tail. */
void sched_stop(const char *why, int expected);
/* Arms the ktstr.test_sysrq knob: write key to /proc/sysrq-trigger ms after attaching. */
void sched_test_sysrq(char key, uint32_t ms);

/* kmsg.c: the kernel log watcher (KMSG frames). */
void kmsg_open(const char *test_line);
void kmsg_poll(void);
void kmsg_close(void);
/* The kernel's last 'sched_ext: BPF scheduler "NAME" disabled (REASON)' line, or "". */
const char *kmsg_ext_disabled(void);

/* readfile.c: a small /proc or /sys file into buf (NUL-terminated, at most sz - 1 bytes).
 * read_text returns the length or -1; read_line keeps the first line, 0 or -1. */
ssize_t read_text(const char *path, char *buf, size_t sz);
int read_line(const char *path, char *buf, size_t sz);

/* reaper.c: orphans are reaped; children the init forked itself are registered so their
 * owners keep their exit status. */
void reaper_own(pid_t pid);
void reaper_disown(pid_t pid);
void reaper_poll(void);
unsigned long reaper_count(void);
/*
 * shell.c: `ktstr shell`, after the job's setup: busybox tools installed, then the command
 * in /ktstr/exec (exec.c) or an interactive shell on the console. Returns the status for
 * EXIT: 0, or 99 when neither could be started.
 */
int shell_main(const struct init_opts *o);
/*
 * `/ktstr/init workers` typed in the shell (not PID 1): runs the job's workers in the
 * cgroups PID 1 set up and prints one line per worker. Returns the process's exit status.
 */
int shell_workers(void);
/* exec.c: runs CMD with /bin/sh -c, its output as frames, then EXEC_DONE. 0 or -1. */
int exec_run(const char *cmd);
/* In a child of PID 1 before exec: default signals, the shell's environment, cwd. */
void shell_child_env(const char *term);

/* relay.c: PID 1 while a child runs. See there. */
struct relay {
	pid_t child;
	int out_fd, err_fd;	/* the command's stdout and stderr pipes, or -1 */
	int kmsg_fd;		/* /dev/kmsg to forward as KMSG frames, or -1 */
	int tty_fd;		/* the shell's terminal, resized as the host's is, or -1 */
};
/*
 * Like fork(), but the child returned to sits below a subreaper that reaps its orphans and
 * ends as the child does; the pid returned to PID 1 is the subreaper's.
 */
pid_t relay_fork(void);
/* Returns 0 with the child's wait status, or -1 after reporting why. Closes the fds. */
int relay_run(struct relay *r, int *status);

/* console.c: messages on /dev/console (the kernel log's serial port) */
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_setup(void);
uint64_t mono_ns(void);

#endif
