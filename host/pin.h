/* SPDX-License-Identifier: GPL-2.0-only */
/* Putting QEMU where the plan says: confined to its CPUs, vCPU threads pinned one each. */
#ifndef KTSTR_PIN_H
#define KTSTR_PIN_H

#include <sched.h>
#include <sys/types.h>
#include "plan.h"

/* The plan's CPUs as a cpu_set_t, prepared before fork so the child only calls a syscall. */
void pin_cpuset(const struct plan *p, cpu_set_t *out);

/*
 * Default mode: only says (verbose) where QEMU was confined. Perf mode: asks QEMU (QMP on
 * qmp_fd) for its vCPU threads, pins vCPU i to p->vcpu_cpu[i] and every other QEMU thread
 * to the service CPU; verbose: one line per thread on stderr. When one thread runs every
 * vCPU (single-threaded TCG), it is confined to all their CPUs. Returns 0, or -1 after
 * printing why.
 */
int pin_qemu(pid_t qemu, int qmp_fd, const struct plan *p, int verbose);

#endif
