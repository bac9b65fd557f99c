/* SPDX-License-Identifier: GPL-2.0-only */
/* The machine a run asks QEMU for: accelerator, memory size, vCPU limits. */
#ifndef KTSTR_MACHINE_H
#define KTSTR_MACHINE_H

#include <stddef.h>
#include "vm.h"

/*
 * Guest memory when --memory-mib is not given: enough for the kernel (256 MiB), each vCPU
 * (per-CPU areas, 4 MiB) and the initramfs three times over (the archive as loaded, its
 * unpacked copy in the root tmpfs, which may only fill half of memory), at least 512 MiB,
 * rounded up to whole MiB per NUMA node.
 */
unsigned machine_default_mem_mib(size_t initrd_bytes, unsigned vcpus, unsigned nodes);

/* Resolves VM_ACCEL_AUTO to KVM or TCG; prints which one and why. */
enum vm_accel machine_pick_accel(enum vm_accel want, int verbose);

/* KVM's vCPU limit (KVM_CAP_MAX_VCPUS), or 0 when /dev/kvm cannot tell. */
unsigned machine_kvm_max_vcpus(void);

#endif
