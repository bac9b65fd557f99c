/* SPDX-License-Identifier: GPL-2.0-only */
/* Starting and stopping the QEMU process that runs the test VM. */
#ifndef KTSTR_VM_H
#define KTSTR_VM_H

#include <sys/types.h>
#include "topology.h"

struct plan;

enum vm_accel { VM_ACCEL_AUTO, VM_ACCEL_KVM, VM_ACCEL_TCG };

struct vm_config {
	const char *kernel;
	const char *initrd;
	const char *append;	/* extra kernel parameters, may be NULL */
	struct topology topo;
	unsigned mem_mib;
	enum vm_accel accel;
	const struct plan *plan;	/* host CPUs to confine/pin QEMU to (plan.h), or NULL */
	int verbose;		/* say how QEMU was pinned */
	const char *machine;		/* --machine, NULL: q35 */
	const unsigned char *numa_dist;	/* nodes x nodes distances, NULL: QEMU's default */
	int tcg_single;		/* TCG: every vCPU on one thread (machine_tcg_single) */
};

struct vm {
	pid_t pid;		/* 0 once reaped */
	int report_fd;		/* host end of the org.ktstr.report port */
	int console_fd;		/* host end of ttyS0 */
	int stderr_fd;		/* QEMU's own stdout and stderr */
	int serial_fd;		/* host end of ttyS1: the report channel without virtio */
	int kvm;		/* 1 if started with KVM */
	int status;		/* wait status once reaped */
};

/* Returns 0, or -1 after printing why. */
int vm_start(const struct vm_config *cfg, struct vm *vm);
/* Reaps QEMU if it has exited; returns 1 if it is gone. */
int vm_reap(struct vm *vm, int block);
/* Kills QEMU (if still running), reaps it and closes the channels. Idempotent. */
void vm_stop(struct vm *vm);
/* 1 when KVM can run a guest: /dev/kvm opens read-write and the CPU has vmx/svm. */
int vm_kvm_usable(void);
/* --accel auto|kvm|tcg; -1 after naming the bad value. */
int vm_parse_accel(const char *s, enum vm_accel *out);
/* NULL when KVM is usable, else why not. */
const char *vm_kvm_unusable_reason(void);

#endif
