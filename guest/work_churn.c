// SPDX-License-Identifier: GPL-2.0-only
/* Churn: spin while changing what the scheduler sees: CPU affinity, policy, nice. */
#include "work.h"

#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SCHED_EXT
#define SCHED_EXT 7
#endif

int work_affinity_churn(struct worker *w)
{
	uint64_t interval = kt_work_param_u64(w->g, "interval") * 1000;
	int cpus[CPU_SETSIZE], n = 0, i = 0;
	cpu_set_t allowed, one;

	/* The CPUs the group's cpuset and affinity leave it: it moves only among those. */
	if (sched_getaffinity(0, sizeof(allowed), &allowed)) {
		work_error(w, "affinity-churn: sched_getaffinity: %s", strerror(errno));
		return -1;
	}
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &allowed))
			cpus[n++] = c;
	while (!stopping(w)) {
		spin_for(w, interval);
		if (n < 2)
			continue;
		i = (i + 1) % n;
		if (cpus[i] == sched_getcpu())
			i = (i + 1) % n;
		CPU_ZERO(&one);
		CPU_SET(cpus[i], &one);
		if (sched_setaffinity(0, sizeof(one), &one) && !w->rep->error[0])
			work_error(w, "affinity-churn: sched_setaffinity cpu %d: %s", cpus[i],
				   strerror(errno));
		meas_progress(w);	/* sees the move at once */
		w->iterations++;
	}
	sched_setaffinity(0, sizeof(allowed), &allowed);
	return 0;
}

static int policy_of(const char *s, size_t len)
{
	static const struct {
		const char *name;
		int pol;
	} t[] = {
		{ "other", SCHED_OTHER }, { "batch", SCHED_BATCH }, { "idle", SCHED_IDLE },
		{ "fifo", SCHED_FIFO }, { "rr", SCHED_RR }, { "ext", SCHED_EXT },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (strlen(t[i].name) == len && !strncmp(t[i].name, s, len))
			return t[i].pol;
	return -1;
}

int work_policy_churn(struct worker *w)
{
	uint64_t interval = kt_work_param_u64(w->g, "interval") * 1000;
	const char *list = kt_work_param_str(w->g, "policies");
	int pols[16], n = 0, i = 0, failed = 0;

	for (const char *p = list; *p && n < 16;) {
		size_t len = strcspn(p, ",");
		int pol = policy_of(p, len);

		if (pol < 0) {
			work_error(w, "policy-churn: unknown policy '%.*s'", (int)len, p);
			return -1;
		}
		pols[n++] = pol;
		p += len + (p[len] == ',');
	}
	while (!stopping(w) && n) {
		struct sched_param sp = { .sched_priority = 0 };
		int pol = pols[i++ % n];

		if (pol == SCHED_FIFO || pol == SCHED_RR)
			sp.sched_priority = 1;
		/* musl's sched_setscheduler is ENOSYS by design: this is per thread anyway. */
		if (syscall(SYS_sched_setscheduler, 0, pol, &sp) && !failed++)
			work_error(w, "policy-churn: sched_setscheduler %d: %s", pol,
				   strerror(errno));
		meas_progress(w);
		spin_for(w, interval);
		w->iterations++;
	}
	return 0;
}

int work_nice_sweep(struct worker *w)
{
	uint64_t interval = kt_work_param_u64(w->g, "interval") * 1000;
	int step = (int)kt_work_param_u64(w->g, "step"), nice = -20, dir = 1, failed = 0;
	id_t tid = (id_t)syscall(SYS_gettid);

	while (!stopping(w)) {
		/* Linux's nice is per thread: PRIO_PROCESS with a tid sets just this one. */
		if (setpriority(PRIO_PROCESS, tid, nice) && !failed++)
			work_error(w, "nice-sweep: setpriority %d: %s", nice, strerror(errno));
		meas_progress(w);
		spin_for(w, interval);
		w->iterations++;
		if (nice + dir * step > 19 || nice + dir * step < -20)
			dir = -dir;
		nice += dir * step;
	}
	return 0;
}
