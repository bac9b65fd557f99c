/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a run concludes: statistics per group from the worker reports, every check against
 * the job's thresholds (struct kt_checks, NaN = off), and the exit status. One outcome per
 * check per group (verdict.h), so JUnit shows a stable set of testcases; a failure names
 * the group, the worker, the measured value and the limit.
 */
#ifndef KTSTR_CHECKS_H
#define KTSTR_CHECKS_H

#include <stddef.h>
#include <stdint.h>
#include "result.h"
#include "stats.h"
#include "verdict.h"

/* Per-worker derived values (0 when the report has no wall time). */
double worker_offcpu_pct(const struct kt_worker_report *w);
double worker_rate(const struct kt_worker_report *w);		/* work units per second */
double worker_migration_ratio(const struct kt_worker_report *w);	/* per iteration */

/* 1234567 -> "1.23M": three significant digits and an SI suffix. */
const char *fmt_si(char *buf, size_t sz, double v);

struct latency_stats {
	uint64_t count;		/* events observed in the group */
	struct stats us;	/* over the pooled reservoir samples, microseconds */
	double max_us;		/* the largest observed, sampled or not */
};

struct group_stats {
	uint32_t reports;	/* valid reports */
	uint32_t done;		/* ... of workers that completed normally (KT_W_DONE) */
	uint32_t sentinels;	/* ... of workers that crashed, hung or sent a short report */
	char cpus[256];		/* the CPUs the group's workers ran on, as a list */
	struct stats rate;	/* work units per second per worker (done workers) */
	struct stats offcpu;	/* off-CPU % per worker (done workers) */
	double max_gap_ms;
	uint32_t max_gap_tid, max_gap_cpu;
	double max_gap_at_s;
	uint64_t migrations;
	double max_migration_ratio;
	struct latency_stats wake, timer;
	struct stats run_delay_ms;	/* per worker */
};

/* Statistics of group g of r's job. Returns -1 if out of memory. */
int group_stats_compute(const struct result *r, uint32_t g, struct group_stats *gs);

/*
 * Runs every check and appends the outcomes to vd: per group starvation, fairness, gaps,
 * isolation, wake_latency, timer_latency, throughput_cv, work_rate, migrations, sentinel;
 * run-wide reports, scheduler, kernel_warnings. Returns -1 if out of memory.
 */
int checks_run(const struct result *r, struct verdict *vd);

/*
 * ktstr's exit status for the run: 99 when the run cannot be judged (no HELLO or EXIT, the
 * guest's status 99, init errors, a damaged or incomplete report stream), 77 when the guest
 * skipped, 1 when a check failed, else the guest's status. A scheduler that died makes it
 * 1 even with init errors or missing reports: its death explains them. why gets a one-line reason when it is not 0.
 */
int checks_exit_status(const struct result *r, const struct verdict *vd, char *why, size_t wsz);
/*
 * A run that could not be judged (status 99, or 77, or a guest status) becomes one
 * run-wide "infrastructure" outcome, so JUnit and JSON readers see why. -1 if out of memory.
 */
int checks_note_status(struct verdict *vd, int status, const char *why);

#endif
