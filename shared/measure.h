/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The pure part of per-worker measurement, compiled into both programs so the unit tests
 * exercise exactly what the guest runs: the latency reservoir (Algorithm R), checkpoint
 * bookkeeping (gaps, migrations, CPUs used) and the parsers of /proc's schedstat and
 * numa_maps text. Nothing here reads a clock or a file: callers pass the time, the CPU
 * and the text in (guest/measure.c does that in the guest).
 */
#ifndef KTSTR_MEASURE_H
#define KTSTR_MEASURE_H

#include <stddef.h>
#include <stdint.h>
#include "report.h"

/* Checkpoints run every 2^KT_CKPT_SHIFT work units and after every blocking call. */
#define KT_CKPT_SHIFT	10
#define KT_CKPT_UNITS	(1u << KT_CKPT_SHIFT)

/* xorshift64*: a cheap per-worker generator for the reservoir (never seeded with 0). */
struct kt_rng {
	uint64_t s;
};

void kt_rng_seed(struct kt_rng *r, uint64_t seed);
uint64_t kt_rng_next(struct kt_rng *r);
/* Uniform in [0, n) without modulo bias worth speaking of (Lemire's multiply-shift). */
uint64_t kt_rng_below(struct kt_rng *r, uint64_t n);

/*
 * Adds one latency to s: every value counts in count/sum/max; the kept sample stays a
 * uniform random subset of at most KT_RES_CAP of all values seen (Algorithm R).
 */
void kt_samples_add(struct kt_samples *s, uint64_t v_ns, struct kt_rng *r);

/*
 * Checkpoint bookkeeping. A progress checkpoint ends a gap: the time since the previous
 * checkpoint, during which the worker made no progress it could report. A resume
 * checkpoint follows a blocking call the worker asked for (a sleep, a futex wait): it
 * restarts the gap clock, because sleeping is not starvation. Both detect migrations.
 */
struct kt_ckpt {
	uint64_t t0_ns;		/* the worker's start */
	uint64_t last_ns;	/* the previous checkpoint */
	int last_cpu;		/* -1 before the first */
	uint64_t cpumask[KT_CPUS_CAP / 64];
};

void kt_ckpt_start(struct kt_ckpt *c, struct kt_worker_report *r, uint64_t now_ns, int cpu);
void kt_ckpt_progress(struct kt_ckpt *c, struct kt_worker_report *r, uint64_t now_ns, int cpu);
void kt_ckpt_resume(struct kt_ckpt *c, struct kt_worker_report *r, uint64_t now_ns, int cpu);
/* Writes the CPUs used into r->cpus/ncpus, in ascending order. */
void kt_ckpt_finish(const struct kt_ckpt *c, struct kt_worker_report *r);

/*
 * /proc/<pid>/task/<tid>/schedstat: "run_ns delay_ns timeslices". Returns 0 and fills
 * out[3], or -1 when the text is not three numbers.
 */
int kt_parse_schedstat(const char *text, uint64_t out[3]);

/*
 * /proc/<pid>/numa_maps: adds each mapping's N<node>=<pages> to pages[node], counted in
 * 4 KiB pages (a huge page mapping's kernelpagesize_kB scales its counts), and raises
 * *nnodes to cover the highest node seen. Nodes at or above KT_NODES_CAP are ignored.
 * Returns the number of mappings parsed.
 */
int kt_parse_numa_maps(const char *text, size_t len, uint64_t pages[KT_NODES_CAP],
		       uint32_t *nnodes);

#endif
