/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What a work loop sees: its worker (group, index, parameters, report being filled in),
 * the group's shared memory for the types that cooperate (futex words, timestamps), and
 * the measurement calls. Loops poll stopping() and never block longer than 100 ms, so
 * every worker stops within ~100 ms of the stop signal.
 *
 * Measurement protocol for a loop:
 *   work_done(w, n)    after n work units; checkpoints every KT_CKPT_UNITS of them
 *   meas_progress(w)   a progress checkpoint (also: before a blocking call)
 *   meas_resume(w)     after a blocking call (a sleep is not a gap); returns the time
 * Only this header and measure.c/work_*.c are needed to run a loop, so the host's spin
 * benchmark links exactly the guest's loop.
 */
#ifndef KTSTR_WORK_H
#define KTSTR_WORK_H

#include <stdint.h>
#include <time.h>
#include "../shared/job.h"
#include "../shared/measure.h"
#include "../shared/report.h"
#include "../shared/worktypes.h"

#define KT_MAX_BLOCK_NS	100000000ull	/* the longest a loop may block: 100 ms */

/* One worker's words in the group's shared area, a cache line each. */
struct wslot {
	_Alignas(64) uint32_t futex;
	uint32_t pad;
	uint64_t t_ns;		/* when the waker woke it (CLOCK_MONOTONIC) */
};

/* The group's shared memory (MAP_SHARED: seen by forked workers and threads alike). */
struct group_shm {
	_Alignas(64) uint32_t stop;	/* set once: every loop of the group returns */
	_Alignas(64) uint32_t gen;	/* futex-fanout: the round, woken on */
	uint64_t gen_t_ns;
	_Alignas(64) uint32_t ack;	/* futex-fanout: waiters that saw the round */
	_Alignas(64) uint32_t lock;	/* mutex-contention: 0 free, 1 held, 2 contended */
	uint64_t release_t_ns;
	struct wslot slot[];		/* one per worker */
};

struct worker {
	const struct kt_group *g;
	uint32_t group, index, nworkers;
	struct kt_worker_report *rep;
	struct group_shm *shm;
	int pipe_in, pipe_out;		/* pipe-io: this worker's ends, else -1 */
	int tid;
	uint64_t units, iterations;
	uint64_t crash_at_ns;		/* test knob: raise SIGSEGV at this time (0: never) */
	uint64_t sink;			/* keeps the compiler from deleting the work */
	/* measurement state */
	struct kt_ckpt ck;
	struct kt_rng rng;
	uint64_t t0_ns, cpu0_ns, sched0[3];
	int have_sched0, have_numa;
};

typedef int (*work_fn)(struct worker *w);

/* How the lifecycle prepares a type: pipes for pairs. */
#define WORK_F_PIPES	(1u << 0)

struct work_impl {
	const char *name;
	work_fn fn;
	unsigned flags;
};
/* The loop for a work type name (shared/worktypes.c lists the same names), or NULL. */
const struct work_impl *work_impl_find(const char *name);

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static inline int stopping(const struct worker *w)
{
	return __atomic_load_n(&w->shm->stop, __ATOMIC_RELAXED) != 0;
}

/* The unit of CPU work: 64 dependent multiply-adds (an LCG step), ~100 ns natively. */
static inline uint64_t spin_unit(uint64_t x)
{
	for (int i = 0; i < 64; i++)
		x = x * 6364136223846793005ull + 1442695040888963407ull;
	return x;
}

/* measure.c */
void meas_start(struct worker *w);
void meas_progress(struct worker *w);
uint64_t meas_resume(struct worker *w);
/*
 * Pages per NUMA node, from /proc/self/numa_maps, once: a loop that frees its memory before
 * returning calls it first (meas_finish does otherwise).
 */
void meas_numa(struct worker *w);
void meas_finish(struct worker *w);
/* Appends a message to the report's error text ("; " between messages). */
void work_error(struct worker *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static inline void work_done(struct worker *w, uint64_t n)
{
	uint64_t before = w->units;

	w->units += n;
	if ((before ^ w->units) >> KT_CKPT_SHIFT)
		meas_progress(w);
}

/* Spins n units (counted), returning early at the stop. */
static inline void spin_units(struct worker *w, uint64_t n)
{
	uint64_t x = w->sink;

	for (uint64_t i = 0; i < n && !stopping(w); i++) {
		x = spin_unit(x);
		work_done(w, 1);
	}
	w->sink = x;
}

/* Spins until ns have passed (the clock is read every 16 units). */
void spin_for(struct worker *w, uint64_t ns);
/* Sleeps ns in chunks of at most 100 ms; a checkpoint before, a resume after. */
void sleep_for(struct worker *w, uint64_t ns);

/* Work loops, one family per file. */
int work_spin(struct worker *w);
int work_yield(struct worker *w);
int work_mixed(struct worker *w);
int work_bursty(struct worker *w);
int work_idle_churn(struct worker *w);
int work_timer_latency(struct worker *w);
int work_pipe_io(struct worker *w);
int work_futex_pingpong(struct worker *w);
int work_futex_fanout(struct worker *w);
int work_wake_chain(struct worker *w);
int work_mutex_contention(struct worker *w);
int work_cache_pressure(struct worker *w);
int work_page_fault_churn(struct worker *w);
int work_fork_exit(struct worker *w);
int work_exec(struct worker *w);
int work_affinity_churn(struct worker *w);
int work_policy_churn(struct worker *w);
int work_nice_sweep(struct worker *w);

#endif
