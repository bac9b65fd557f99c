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

static int set_cpus(pid_t tid, const cpu_set_t *s, const char *what)
{
	char cl[64];

	if (sched_setaffinity(tid, sizeof(*s), s) < 0) {
		if (errno == ESRCH)	/* the thread exited meanwhile: no failure */
			return 1;
		snprintf(cl, sizeof(cl), "%d CPU%s", CPU_COUNT(s), CPU_COUNT(s) == 1 ? "" : "s");
		kt_err("pinning QEMU %s (thread %d) to %s: %s", what, (int)tid, cl, strerror(errno));
		return -1;
	}
	return 0;
}

static int set_one(pid_t tid, int cpu, const char *what)
{
	cpu_set_t s;

	CPU_ZERO(&s);
	CPU_SET(cpu, &s);
	return set_cpus(tid, &s, what);
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
	/*
	 * A vCPU thread gets the CPUs of the vCPUs it runs: its own one, or all of them when
	 * single-threaded TCG (machine_tcg_single) runs every vCPU on one thread.
	 */
	for (int i = 0; i < n; i++) {
		cpu_set_t s;
		int seen = 0;

		for (int j = 0; j < i; j++)
			seen |= tids[j] == tids[i];
		if (seen)
			continue;
		CPU_ZERO(&s);
		for (int j = i; j < n; j++)
			if (tids[j] == tids[i] && p->vcpu_cpu[j] >= 0 && p->vcpu_cpu[j] < CPU_SETSIZE)
				CPU_SET(p->vcpu_cpu[j], &s);
		snprintf(what, sizeof(what), "vCPU %d", i);
		if (set_cpus(tids[i], &s, what) < 0)
			return -1;
		if (verbose && CPU_COUNT(&s) == 1)
			kt_note("pinned QEMU %d vCPU %d thread %d to CPU %d", (int)qemu, i,
				(int)tids[i], p->vcpu_cpu[i]);
		else if (verbose)
			kt_note("QEMU %d runs vCPU %d and others on thread %d: confined to their %d "
				"CPUs", (int)qemu, i, (int)tids[i], CPU_COUNT(&s));
	}
	return 0;
}
