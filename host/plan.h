/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The lock planner: which host LLCs and CPUs a run takes, given the host topology, the
 * virtual topology and what other ktstr processes hold now. Pure: no I/O, so the tests
 * drive it with synthetic hosts and synthetic holders.
 *
 * Locks: one file per LLC and per CPU. Performance mode takes its LLCs and its CPUs
 * exclusively (plus a shared lock on the LLC of a service CPU outside them); default mode
 * takes shared locks on its LLCs and CPUs. So a perf run never overlaps anyone, and
 * default runs overlap only each other.
 */
#ifndef KTSTR_PLAN_H
#define KTSTR_PLAN_H

#include "hosttopo.h"
#include "topology.h"

enum plan_mode { PLAN_DEFAULT, PLAN_PERF };
enum plan_result { PLAN_OK = 0, PLAN_NEVER = 1, PLAN_BUSY = 2 };

struct plan_req {
	enum plan_mode mode;
	struct topology vtopo;
	unsigned cpu_cap;	/* default mode: the CPU budget; 0 = from the vCPU count */
};

/* What other ktstr processes hold now (from /proc/locks). */
struct plan_held {
	unsigned char llc_excl[HT_MAX_LLCS];	/* 1: someone holds the LLC exclusively */
	unsigned short llc_shared[HT_MAX_LLCS];	/* shared holders of the LLC */
	struct cpuset cpu_excl;
	unsigned short cpu_shared[KT_MAX_CPUS];	/* shared holders of the CPU */
};

struct plan_lock {
	char kind;		/* 'l' LLC, 'c' CPU */
	unsigned idx;		/* LLC index or CPU number */
	int excl;
};

#define PLAN_MAX_LOCKS (HT_MAX_LLCS + KT_MAX_CPUS)

struct plan {
	enum plan_mode mode;
	unsigned nllcs;
	unsigned llc[HT_MAX_LLCS];	/* host LLC per virtual LLC (perf), or LLCs used */
	struct cpuset cpus;		/* every CPU QEMU may run on */
	unsigned budget;		/* default mode: CPUs taken */
	unsigned nvcpus;		/* perf mode: vcpu_cpu[0..nvcpus) */
	int vcpu_cpu[TOPO_MAX_VCPUS];
	int service_cpu;		/* perf mode: QEMU's other threads; else -1 */
	unsigned nlocks;
	struct plan_lock locks[PLAN_MAX_LOCKS];
	char note[256];			/* a NUMA spill worth telling the user, or "" */
};

/*
 * The default-mode budget: cpu_cap if set, else the vCPU count floored at 30% of the
 * usable CPUs (rounded up) and capped at all of them.
 */
unsigned plan_budget(unsigned cpu_cap, unsigned vcpus, unsigned usable);

/*
 * Plans a run. held may be NULL (nothing held). PLAN_NEVER: the host cannot satisfy the
 * shape even when idle; PLAN_BUSY: it could, but not with what is held now. why says which.
 */
enum plan_result plan_make(const struct hosttopo *t, const struct plan_req *req,
			   const struct plan_held *held, struct plan *p, char *why, size_t wsz);

/* One line per virtual LLC or CPU group, for -v and 'ktstr locks --acquire'. */
void plan_describe(const struct hosttopo *t, const struct plan *p, char *buf, size_t sz);

#endif
