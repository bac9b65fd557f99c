// SPDX-License-Identifier: GPL-2.0-only
/* CPU-bound work: spin, yield, mixed, bursty. */
#include "work.h"

#include <sched.h>

/*
 * The loop the spin benchmark holds to 97% of a bare one: the count and the stop flag
 * stay in registers; the only extra is a test for the checkpoint every 1024 units.
 */
int work_spin(struct worker *w)
{
	const uint32_t *stop = &w->shm->stop;
	uint64_t x = w->sink | 1, n = w->units;

	while (!__atomic_load_n(stop, __ATOMIC_RELAXED)) {
		x = spin_unit(x);
		if (!(++n & (KT_CKPT_UNITS - 1))) {
			w->units = n;
			meas_progress(w);
		}
	}
	w->units = w->iterations = n;
	w->sink = x;
	return 0;
}

int work_yield(struct worker *w)
{
	while (!stopping(w)) {
		sched_yield();
		w->iterations++;
		work_done(w, 1);
	}
	return 0;
}

int work_mixed(struct worker *w)
{
	uint64_t n = kt_work_param_u64(w->g, "spin");

	while (!stopping(w)) {
		spin_units(w, n);
		sched_yield();
		w->iterations++;
	}
	return 0;
}

int work_bursty(struct worker *w)
{
	uint64_t burst = kt_work_param_u64(w->g, "burst") * 1000;
	uint64_t nap = kt_work_param_u64(w->g, "sleep") * 1000;

	while (!stopping(w)) {
		spin_for(w, burst);
		sleep_for(w, nap);
		w->iterations++;
	}
	return 0;
}
