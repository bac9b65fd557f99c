/* SPDX-License-Identifier: GPL-2.0-only */
/* ktstr-init: PID 1 in the test VM. Shared declarations of the init's parts. */
#ifndef KTSTR_INIT_H
#define KTSTR_INIT_H

#include <stdint.h>
#include "../shared/job.h"
#include "../shared/msg.h"
#include "../shared/report.h"

/* report.c: the report channel to the host */
int report_open(void);
void report_hello(void);
void report_stage(const char *name);
void report_error(const char *stage, const char *call, const char *path, int err,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void report_text(uint16_t type, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void report_exit(int status, const char *reason);
/* Echoes the job the init runs, so a captured stream describes itself. */
void report_job(const struct kt_job *j);
void report_worker(const struct kt_worker_report *r);
/* Waits (bounded) for the host to acknowledge EXIT, so power-off loses no frame. */
void report_drain(void);

/* mounts.c */
int mount_all(void);

/* cmdline.c: ktstr.* options from /proc/cmdline */
struct init_opts {
	int exit_status;	/* ktstr.exit=N: test knob, the status to report */
	char job_path[256];	/* ktstr.job=PATH, default /ktstr/job */
};
void cmdline_parse(struct init_opts *o);

/* job.c: the compiled job from the initramfs. 1 loaded, 0 none there, -1 unusable. */
int job_load(const char *path, struct kt_job *j);

/* workers.c: fork the job's workers, start them together, stop them, report each one. */
int workers_run(const struct kt_job *job);

/* console.c: messages on /dev/console (the kernel log's serial port) */
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_setup(void);
uint64_t mono_ns(void);

#endif
