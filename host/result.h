/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One run's result, collected from the guest's frames: who the guest is (HELLO), what it
 * ran (the echoed JOB), what it set up (GROUP), how every worker fared (WORKER), what the
 * kernel and the scheduler said (KMSG, SCHED_EXIT), what failed (ERROR) and how it ended
 * (EXIT). `ktstr run` feeds it frame by frame while the VM runs; `ktstr decode` feeds it a
 * captured stream. Checks (checks.h) and every output format read only this.
 *
 * The guest is untrusted: a worker report is kept only if it decodes, names a group of the
 * job, a worker index below the group's count, CPUs below HELLO's count, and is the first
 * report for that worker. Anything else is counted and its reason kept, never used.
 */
#ifndef KTSTR_RESULT_H
#define KTSTR_RESULT_H

#include <stddef.h>
#include <stdint.h>
#include "../shared/job.h"
#include "../shared/msg.h"
#include "../shared/report.h"

#define RESULT_MAX_KMSG		64	/* kernel lines kept (all are counted) */
#define RESULT_MAX_ERRORS	32	/* ERROR frames kept */
#define RESULT_MAX_REJECTS	32	/* reasons for rejected frames kept */
#define RESULT_MAX_TOPO_CPUS	1024	/* TOPO_CPU frames kept */
#define RESULT_MAX_TOPO_NODES	64	/* TOPO_NODE frames kept */

struct result_kmsg {
	char text[1024];
	int warning;		/* matched a warning pattern (result_kmsg_is_warning) */
};

struct result_group {
	int have_info;
	struct kt_group_info info;	/* GROUP: what the guest set up */
	uint32_t nslots;		/* the job's worker count */
	struct kt_worker_report **slot;	/* by worker index; NULL until it reports */
	uint32_t nreports;		/* slots filled */
};

struct result {
	int have_hello, have_job, have_exit, job_from_host;
	struct kt_hello hello;
	struct kt_job job;
	struct kt_exit exit;
	struct result_group *groups;	/* job.ngroups entries once the job is known */

	/* SCHED_EXIT: the last one; deaths count those the init did not ask for */
	int sched_exited;		/* any SCHED_EXIT seen */
	unsigned sched_deaths;		/* died, failed to attach, or unreadable */
	struct kt_sched_exit sched;

	uint64_t nkmsg, nwarnings;
	size_t kmsg_kept;
	struct result_kmsg kmsg[RESULT_MAX_KMSG];

	/* what the guest saw of its machine (TOPO_CPU, TOPO_NODE), in arrival order */
	struct kt_topo_cpu *topo_cpus;
	size_t ntopo_cpus;
	struct kt_topo_node *topo_nodes;
	size_t ntopo_nodes;

	uint64_t nerrors;
	size_t errors_kept;
	struct kt_error errors[RESULT_MAX_ERRORS];

	/* the stream's health */
	uint64_t frames;		/* frames seen by result_frame */
	uint64_t invalid;		/* frames rejected: malformed, out of range, duplicate */
	uint64_t unknown;		/* frame types this host does not know */
	uint64_t seq_gaps;
	uint32_t next_seq;
	size_t rejects_kept;
	char rejects[RESULT_MAX_REJECTS][160];
	struct kt_decoder_stats dec;	/* copied from the decoder at the end */
};

void result_init(struct result *r);
void result_free(struct result *r);
/*
 * The job the host built (ktstr run): authoritative for thresholds, so a guest cannot
 * loosen its own checks. The echoed JOB frame must then match it, or it counts as invalid.
 * Copies j. Returns -1 if out of memory.
 */
int result_set_job(struct result *r, const struct kt_job *j);
/* Takes one verified frame. Never fails: what cannot be used is counted as invalid. */
void result_frame(struct result *r, const struct kt_frame *f);
/* Feeds a whole captured stream (the decoder's counters end up in r->dec). -1 on OOM. */
int result_feed_buf(struct result *r, const void *buf, size_t len);

/* Reads fd to its end and feeds the stream. -1 with errno set on a read error or OOM. */
int result_feed_fd(struct result *r, int fd);

/* Worker reports the job expects but that never came (or were rejected). */
uint64_t result_missing(const struct result *r);
/* Does a kernel log line report a kernel problem? (shared/kmsgmatch.h's KT_KMSG_WARN) */
int result_kmsg_is_warning(const char *line);

#endif
