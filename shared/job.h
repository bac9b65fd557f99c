/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The compiled job: what the host sends the guest to run. The host parses the INI job file
 * (or CLI shorthands), validates it and encodes this; the guest only ever decodes it, so
 * there is one parser. It travels as one KT_MSG_JOB frame (same framing as the reports),
 * read by the guest from /ktstr/job, and the guest echoes it back verbatim as its second
 * frame so a captured report stream is self-describing (`ktstr decode`).
 *
 * All strings are bounded; the decoder rejects counts above the limits below.
 */
#ifndef KTSTR_JOB_H
#define KTSTR_JOB_H

#include <stdint.h>
#include "wire.h"

#define KT_MSG_JOB		100	/* frame type of a compiled job */
#define KT_JOB_VERSION		1
#define KT_JOB_MAX_GROUPS	64
#define KT_JOB_MAX_PARAMS	32
#define KT_JOB_MAX_SYSCTLS	64
#define KT_JOB_MAX_WORKERS	4096	/* per group */

enum kt_sched_kind { KT_SCHED_PROCESS = 0, KT_SCHED_EXT = 1 };

/* Scheduling policies use the kernel's SCHED_* numbers so the guest passes them through. */
enum kt_policy {
	KT_POLICY_OTHER = 0,
	KT_POLICY_FIFO = 1,
	KT_POLICY_RR = 2,
	KT_POLICY_BATCH = 3,
	KT_POLICY_IDLE = 5,
	KT_POLICY_EXT = 7,	/* SCHED_EXT; a worker report's policy also says 7 when the
				 * task ran in the sched_ext class under SCHED_NORMAL */
};

/*
 * Check thresholds. A NaN double means "off". Groups carry resolved values (the host merges
 * [global] into each group), so the guest and `ktstr decode` need no inheritance rules.
 */
struct kt_checks {
	int8_t starvation;		/* 1: a worker with 0 work units fails (default 1) */
	int8_t isolation;		/* 1 on, 0 off, -1 auto: on when the group has a cpuset */
	int8_t kernel_warnings;		/* 1: kernel warnings fail the run, 0: ignore */
	double max_spread_pct;		/* off-CPU % max - min within a group (15) */
	double max_gap_ms;		/* longest gap without progress (2000) */
	double max_p99_wake_us;		/* off */
	double max_p99_timer_us;	/* off */
	double max_throughput_cv;	/* coefficient of variation of work rate; off */
	double min_work_rate;		/* work units per second per worker; off */
	double max_migration_ratio;	/* migrations per iteration; off */
};

/* A work-type parameter, validated on the host against shared/worktypes.c. */
struct kt_param {
	char key[32];
	char value[128];
};

struct kt_group {
	char name[64];			/* section name; also the cgroup name */
	char work[32];			/* work type (shared/worktypes.h) */
	uint32_t nparams;
	struct kt_param params[KT_JOB_MAX_PARAMS];
	uint32_t workers;
	uint64_t duration_ms;		/* resolved: the group's, else the global one */
	char cpus[256];			/* cpuset.cpus; "" leaves the group unconstrained */
	char mems[64];			/* cpuset.mems; "" inherits */
	char affinity[256];		/* sched_setaffinity list for each worker; "" none */
	char mempolicy[64];		/* "", default, bind:LIST, interleave:LIST, preferred:N */
	int32_t nice;
	uint32_t policy;		/* enum kt_policy */
	uint32_t rt_priority;		/* for fifo/rr, 1..99 */
	uint32_t cpu_weight;		/* cpu.weight 1..10000; 0 leaves the default */
	uint8_t clone_thread;		/* 1: workers are threads of one process */
	struct kt_checks checks;
};

struct kt_sysctl {
	char name[128];			/* dotted, e.g. kernel.sched_rt_runtime_us */
	char value[128];
};

struct kt_job {
	uint32_t version;		/* KT_JOB_VERSION */
	char name[64];			/* the job file's base name, or "cli" */
	char scheduler[256];		/* path in the guest; "" runs the kernel's own */
	char scheduler_args[1024];	/* split on blanks by the guest */
	uint32_t scheduler_kind;	/* enum kt_sched_kind */
	uint64_t duration_ms;		/* default for groups */
	uint64_t settle_ms;		/* pause after setup, before workers start */
	uint32_t flags;			/* KT_JOB_F_* */
	uint32_t nsysctls;
	struct kt_sysctl sysctls[KT_JOB_MAX_SYSCTLS];
	struct kt_checks checks;	/* job-wide: kernel_warnings, scheduler death */
	uint32_t ngroups;
	struct kt_group *groups;	/* ngroups entries, owned by the job */
};

/* Set up everything, then hand over to a shell instead of starting the workers. */
#define KT_JOB_F_SHELL		(1u << 0)

/* Fills c with the documented defaults. */
void kt_checks_default(struct kt_checks *c);
/* A zeroed job with defaults; groups are added with kt_job_add_group. */
void kt_job_init(struct kt_job *j);
/* Appends a zeroed group (defaults applied); NULL when full or out of memory. */
struct kt_group *kt_job_add_group(struct kt_job *j, const char *name);
void kt_job_free(struct kt_job *j);
/* The value of a work parameter, or NULL if the group does not set it. */
const char *kt_group_param(const struct kt_group *g, const char *key);

/* Appends the job as one KT_MSG_JOB frame (seq 0 in a job file; the guest echoes it with
 * its own sequence number). -1 on allocation failure or oversize. */
int kt_job_encode(struct kt_wbuf *out, uint32_t seq, const struct kt_job *j);
/*
 * Decodes a KT_MSG_JOB frame's payload into j (which the caller frees with kt_job_free).
 * Returns -1 with a reason in why on a short payload, a count over the limits or an
 * unknown version.
 */
int kt_job_decode(const struct kt_frame *f, struct kt_job *j, char *why, size_t wsz);
/* Finds the one job frame in a buffer (e.g. the /ktstr/job file) and decodes it. */
int kt_job_decode_buf(const void *buf, size_t len, struct kt_job *j, char *why, size_t wsz);

#endif
