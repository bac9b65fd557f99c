/* SPDX-License-Identifier: GPL-2.0-only */
/* ktstr-init: PID 1 in the test VM. Shared declarations of the init's parts. */
#ifndef KTSTR_INIT_H
#define KTSTR_INIT_H

#include <stdint.h>
#include "../shared/msg.h"

/* report.c: the report channel to the host */
int report_open(void);
void report_hello(void);
void report_stage(const char *name);
void report_error(const char *stage, const char *call, const char *path, int err,
		  const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void report_text(uint16_t type, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void report_exit(int status, const char *reason);
/* Waits (bounded) for the host to acknowledge EXIT, so power-off loses no frame. */
void report_drain(void);

/* mounts.c */
int mount_all(void);

/* cmdline.c: ktstr.* options from /proc/cmdline */
struct init_opts {
	int exit_status;	/* ktstr.exit=N: test knob, the status to report */
};
void cmdline_parse(struct init_opts *o);

/* console.c: messages on /dev/console (the kernel log's serial port) */
void con_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void console_setup(void);
uint64_t mono_ns(void);

#endif
