/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The options of every command that boots a VM (run, shell), parsed in one place:
 * -k/--kernel, -T/--topology, --memory-mib, -t/--timeout, --accel, --append, --dmesg.
 */
#ifndef KTSTR_VMOPTS_H
#define KTSTR_VMOPTS_H

#include <getopt.h>
#include <stdint.h>
#include "vm.h"

/* getopt values past the commands' own (256...) and jobcli's (1000...). */
enum { VMOPT_MEM = 1100, VMOPT_ACCEL, VMOPT_APPEND, VMOPT_DMESG };
#define VMOPTS_SHORT "k:T:t:"
extern const struct option vmopts[];	/* NULL-terminated */

struct vmopts {
	const char *kernel;	/* --kernel, else $KTSTR_KERNEL, else NULL */
	int64_t timeout_ms;	/* 0: not given */
	struct vm_config vm;	/* topology, memory (0: from the initramfs), accel, append */
	int dmesg;
};

void vmopts_init(struct vmopts *v);
/* For getopt_long's c: 1 taken, 0 not a VM option, -1 a bad value (named on stderr). */
int vmopts_handle(struct vmopts *v, int c, const char *arg);
/* Checks that need every option: --accel kvm on a host without usable KVM. 0 or -1. */
int vmopts_check(const struct vmopts *v);

#endif
