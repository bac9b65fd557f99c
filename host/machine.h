/* SPDX-License-Identifier: GPL-2.0-only */
/* The machine a run asks QEMU for: accelerator, memory size, vCPU limits. */
#ifndef KTSTR_MACHINE_H
#define KTSTR_MACHINE_H

#include <stddef.h>
#include "vm.h"

struct kt_job;

/*
 * Guest memory when --memory-mib is not given: enough for the kernel (256 MiB), each vCPU
 * (per-CPU areas, 4 MiB) and the initramfs three times over (the archive as loaded, its
 * unpacked copy in the root tmpfs, which may only fill half of memory), at least 512 MiB,
 * rounded up to whole MiB per NUMA node.
 */
unsigned machine_default_mem_mib(size_t initrd_bytes, unsigned vcpus, unsigned nodes);

/* Resolves VM_ACCEL_AUTO to KVM or TCG; prints which one and why. */
enum vm_accel machine_pick_accel(enum vm_accel want, int verbose);

/*
 * Whether TCG runs every vCPU on one host thread: under TCG, for a guest of two or more
 * vCPUs whose job attaches a sched_ext scheduler. Attaching flips many static keys, and
 * with one thread per vCPU (QEMU 7.2) a vCPU can keep executing an int3 the kernel has
 * already patched away ("Oops: int3", a panic in about 1 boot in 5). The vCPUs then take
 * turns on one host CPU. Says so on stderr when it applies and say is set.
 */
int machine_tcg_single(enum vm_accel accel, unsigned vcpus, const struct kt_job *job, int say);

/* KVM's vCPU limit (KVM_CAP_MAX_VCPUS), or 0 when /dev/kvm cannot tell. */
unsigned machine_kvm_max_vcpus(void);

#endif
