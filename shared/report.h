/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Per-worker measurement reports (guest -> host): how the scheduler treated one worker.
 * One KT_MSG_WORKER frame per worker, sent after the workers stop. A worker that died,
 * hung or sent a short report still gets one (a sentinel), so no worker silently vanishes.
 *
 * The host treats every count as untrusted: kt_dec_worker rejects a frame whose counts
 * exceed the fixed capacities, and kt_worker_validate rejects CPU or node ids beyond what
 * the VM has, before any statistic is computed.
 */
#ifndef KTSTR_REPORT_H
#define KTSTR_REPORT_H

#include <stdint.h>
#include "wire.h"

#define KT_MSG_WORKER		16	/* struct kt_worker_report */
#define KT_MSG_GROUP		17	/* struct kt_group_info: what the guest set up */

#define KT_RES_CAP		512	/* reservoir capacity per latency kind */
#define KT_MIG_CAP		16	/* migrations recorded with time/from/to */
#define KT_CPUS_CAP		256	/* distinct CPUs recorded per worker */
#define KT_NODES_CAP		16	/* NUMA nodes in numa_maps page counts */

enum kt_worker_status {
	KT_W_DONE = 0,		/* completed and reported */
	KT_W_EXITED = 1,	/* exited before reporting; exit_code holds its status */
	KT_W_KILLED = 2,	/* died on a signal; signo */
	KT_W_TIMEOUT = 3,	/* did not report by the collection deadline: killed */
	KT_W_SHORT = 4,		/* sent a short or malformed report */
};

/* A uniform sample (Algorithm R) of at most KT_RES_CAP values, plus how many were seen. */
struct kt_samples {
	uint64_t count;		/* values observed in total */
	uint64_t sum_ns;	/* their sum, for the mean */
	uint64_t max_ns;	/* the largest observed (not only sampled) */
	uint32_t n;		/* values kept, <= KT_RES_CAP and <= count */
	uint32_t v_ns[KT_RES_CAP];	/* nanoseconds, saturated at 2^32-1 (~4.3 s) */
};

struct kt_migration {
	uint64_t t_ns;		/* since the worker's start */
	uint32_t from, to;
};

struct kt_worker_report {
	uint32_t group;		/* index into the job's groups */
	uint32_t index;		/* worker index within the group */
	uint32_t tid;
	uint32_t status;	/* enum kt_worker_status */
	int32_t exit_code;
	int32_t signo;
	uint8_t completed;	/* the work loop ran to the stop signal */
	uint32_t policy;	/* the scheduling policy seen at the end; 7 (SCHED_EXT) also when
				 * the task ran in the sched_ext class ("switch all" mode) */
	uint64_t work_units;
	uint64_t iterations;
	uint64_t cpu_ns;	/* CLOCK_THREAD_CPUTIME_ID */
	uint64_t wall_ns;
	uint64_t offcpu_ns;	/* wall - cpu, sleeps included */
	uint64_t run_ns;	/* schedstat deltas: time on CPU */
	uint64_t run_delay_ns;	/* time runnable but waiting */
	uint64_t timeslices;
	uint32_t ncpus;
	uint16_t cpus[KT_CPUS_CAP];	/* distinct CPUs the worker ran on */
	uint64_t migrations;
	uint32_t nmig;
	struct kt_migration mig[KT_MIG_CAP];	/* the first ones */
	uint64_t max_gap_ns;	/* longest time between progress checkpoints */
	uint32_t max_gap_cpu;
	uint64_t max_gap_at_ns;	/* when it ended, since the worker's start */
	struct kt_samples wake;
	struct kt_samples timer;
	uint32_t nnodes;
	uint64_t numa_pages[KT_NODES_CAP];	/* pages per node from numa_maps */
	char error[256];	/* affinity/policy/mempolicy failures, sentinel details */
	/* exec work: the program's last wait status (exit code, or -signal) and run time */
	int32_t exec_status;
	uint64_t exec_ns;
};

/* What the guest set up for a group (cgroup path and the values read back). */
struct kt_group_info {
	uint32_t group;
	char cgroup[128];
	char cpus[256];		/* cpuset.cpus.effective */
	char mems[64];		/* cpuset.mems.effective */
	uint32_t cpu_weight;
	uint32_t workers;
	uint32_t ext_workers;	/* workers seen running under SCHED_EXT */
};

int kt_enc_worker(struct kt_wbuf *out, uint32_t seq, const struct kt_worker_report *m);
int kt_dec_worker(const struct kt_frame *f, struct kt_worker_report *m);
int kt_enc_group_info(struct kt_wbuf *out, uint32_t seq, const struct kt_group_info *m);
int kt_dec_group_info(const struct kt_frame *f, struct kt_group_info *m);
/*
 * Checks a decoded report against what the VM has (ncpus from HELLO, ngroups from the
 * job). Returns -1 with a reason when an id is out of range.
 */
int kt_worker_validate(const struct kt_worker_report *m, uint32_t ncpus, uint32_t ngroups,
		       char *why, size_t wsz);

#endif
