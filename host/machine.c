// SPDX-License-Identifier: GPL-2.0-only
#include "machine.h"
#include "util.h"
#include "../shared/job.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <unistd.h>

int machine_tcg_single(enum vm_accel accel, unsigned vcpus, const struct kt_job *job, int say)
{
	if (accel != VM_ACCEL_TCG || vcpus < 2 || !job->scheduler[0] ||
	    job->scheduler_kind != KT_SCHED_EXT)
		return 0;
	if (say)
		kt_note("sched_ext under TCG: one QEMU thread runs the %u vCPUs in turn (with a "
			"thread per vCPU, QEMU can run code the kernel has patched away, and the "
			"guest panics)", vcpus);
	return 1;
}

unsigned machine_default_mem_mib(size_t initrd_bytes, unsigned vcpus, unsigned nodes)
{
	unsigned long mib = 256 + 4ul * vcpus + 3 * ((initrd_bytes + (1u << 20) - 1) >> 20);

	if (mib < 512)
		mib = 512;
	if (nodes > 1)
		mib = (mib + nodes - 1) / nodes * nodes;
	return mib > (1u << 20) ? 1u << 20 : (unsigned)mib;
}

enum vm_accel machine_pick_accel(enum vm_accel want, int verbose)
{
	const char *why;

	if (want == VM_ACCEL_KVM) {
		if (verbose)
			kt_note("accelerator: KVM (--accel kvm)");
		return VM_ACCEL_KVM;
	}
	if (want == VM_ACCEL_TCG) {
		if (verbose)
			kt_note("accelerator: TCG (--accel tcg), timings are emulated");
		return VM_ACCEL_TCG;
	}
	why = vm_kvm_unusable_reason();
	if (why) {
		kt_note("KVM not usable (%s): using TCG, timings are emulated", why);
		return VM_ACCEL_TCG;
	}
	if (verbose)
		kt_note("accelerator: KVM (/dev/kvm is usable)");
	return VM_ACCEL_KVM;
}

unsigned machine_kvm_max_vcpus(void)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC), n;

	if (fd < 0)
		return 0;
	n = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (n <= 0)	/* older kernels: KVM_CAP_NR_VCPUS is the recommended maximum */
		n = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	close(fd);
	return n > 0 ? (unsigned)n : 0;
}
