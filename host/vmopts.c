// SPDX-License-Identifier: GPL-2.0-only
#include "vmopts.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

const struct option vmopts[] = {
	{ "kernel", required_argument, NULL, 'k' },
	{ "topology", required_argument, NULL, 'T' },
	{ "timeout", required_argument, NULL, 't' },
	{ "memory-mib", required_argument, NULL, VMOPT_MEM },
	{ "accel", required_argument, NULL, VMOPT_ACCEL },
	{ "append", required_argument, NULL, VMOPT_APPEND },
	{ "dmesg", no_argument, NULL, VMOPT_DMESG },
	{ NULL, 0, NULL, 0 },
};

void vmopts_init(struct vmopts *v)
{
	memset(v, 0, sizeof(*v));
	v->kernel = getenv("KTSTR_KERNEL");
	v->vm.topo = (struct topology){ 1, 1, 1, 1 };
	v->vm.accel = VM_ACCEL_AUTO;
}

int vmopts_handle(struct vmopts *v, int c, const char *arg)
{
	char why[256];

	switch (c) {
	case 'k':
		v->kernel = arg;
		return 1;
	case 'T':
		if (topology_parse(arg, &v->vm.topo, why, sizeof(why))) {
			kt_err("--topology: %s", why);
			return -1;
		}
		return 1;
	case 't':
		v->timeout_ms = kt_parse_duration_ms(arg);
		if (v->timeout_ms <= 0) {
			kt_err("--timeout: '%s' is not a duration like 500ms, 60s or 2m", arg);
			return -1;
		}
		return 1;
	case VMOPT_MEM:
		return kt_parse_uint("--memory-mib", arg, 64, 1u << 20, &v->vm.mem_mib) ? -1 : 1;
	case VMOPT_ACCEL:
		return vm_parse_accel(arg, &v->vm.accel) < 0 ? -1 : 1;
	case VMOPT_APPEND:
		v->vm.append = arg;
		return 1;
	case VMOPT_DMESG:
		v->dmesg = 1;
		return 1;
	}
	return 0;
}

int vmopts_check(const struct vmopts *v)
{
	if (v->vm.accel == VM_ACCEL_KVM && !vm_kvm_usable()) {
		kt_err("--accel kvm: %s", vm_kvm_unusable_reason());
		return -1;
	}
	return 0;
}
