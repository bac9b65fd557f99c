// SPDX-License-Identifier: GPL-2.0-only
#include "pin.h"
#include "qmp.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QMP_TIMEOUT_MS 30000	/* TCG on a loaded host can be slow to reach its main loop */

void pin_cpuset(const struct plan *p, cpu_set_t *out)
{
	CPU_ZERO(out);
	cpuset_for_each(c, &p->cpus)
		if (c < CPU_SETSIZE)
			CPU_SET(c, out);
}

static int set_one(pid_t tid, int cpu, const char *what)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	if (sched_setaffinity(tid, sizeof(s), &s) < 0) {
		if (errno == ESRCH)	/* the thread exited meanwhile: no failure */
			return 1;
		kt_err("pinning QEMU %s (thread %d) to CPU %d: %s", what, (int)tid, cpu,
		       strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Single-threaded TCG (machine_tcg_single): one thread runs every vCPU, so it gets all
 * their CPUs rather than the last one's.
 */
static int pin_shared(pid_t tid, const struct plan *p, int n, int verbose)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	for (int i = 0; i < n; i++)
		if (p->vcpu_cpu[i] >= 0 && p->vcpu_cpu[i] < CPU_SETSIZE)
			CPU_SET(p->vcpu_cpu[i], &s);
	if (sched_setaffinity(tid, sizeof(s), &s) < 0 && errno != ESRCH) {
		kt_err("confining QEMU's vCPU thread %d to the vCPUs' CPUs: %s", (int)tid,
		       strerror(errno));
		return -1;
	}
	if (verbose)
		kt_note("QEMU runs its %d vCPUs on one thread (%d): confined to their %d CPUs", n,
			(int)tid, CPU_COUNT(&s));
	return 0;
}

int pin_qemu(pid_t qemu, int qmp_fd, const struct plan *p, int verbose)
{
	pid_t tids[TOPO_MAX_VCPUS];
	char why[512], path[64], what[32];
	struct dirent *d;
	DIR *dir;
	int n;

	if (p->mode != PLAN_PERF) {	/* confined before exec; nothing to pin */
		if (verbose) {
			char cl[4096];

			cpulist_format(&p->cpus, cl, sizeof(cl));
			kt_note("QEMU %d confined to CPUs %s", (int)qemu, cl);
		}
		return 0;
	}
	n = qmp_vcpu_threads(qmp_fd, QMP_TIMEOUT_MS, tids, TOPO_MAX_VCPUS, why, sizeof(why));
	if (n < 0) {
		kt_err("asking QEMU for its vCPU threads: %s", why);
		return -1;
	}
	if ((unsigned)n != p->nvcpus) {
		kt_err("QEMU reports %d vCPUs, the plan has %u", n, p->nvcpus);
		return -1;
	}
	/* The other threads first: with single-threaded TCG the one vCPU thread is shared. */
	snprintf(path, sizeof(path), "/proc/%d/task", (int)qemu);
	dir = opendir(path);
	if (!dir) {
		kt_err("listing QEMU's threads in %s: %s", path, strerror(errno));
		return -1;
	}
	while ((d = readdir(dir))) {
		pid_t tid = (pid_t)atoi(d->d_name);
		int vcpu = 0;

		if (tid <= 0)
			continue;
		for (int i = 0; i < n; i++)
			vcpu |= tids[i] == tid;
		if (vcpu)
			continue;
		if (set_one(tid, p->service_cpu, "service thread") < 0) {
			closedir(dir);
			return -1;
		}
		if (verbose)
			kt_note("pinned QEMU %d thread %d to service CPU %d", (int)qemu, (int)tid,
				p->service_cpu);
	}
	closedir(dir);
	if (n > 1 && tids[0] == tids[n - 1])
		return pin_shared(tids[0], p, n, verbose);
	for (int i = 0; i < n; i++) {
		snprintf(what, sizeof(what), "vCPU %d", i);
		if (set_one(tids[i], p->vcpu_cpu[i], what) < 0)
			return -1;
		if (verbose)
			kt_note("pinned QEMU %d vCPU %d thread %d to CPU %d", (int)qemu, i,
				(int)tids[i], p->vcpu_cpu[i]);
	}
	return 0;
}
