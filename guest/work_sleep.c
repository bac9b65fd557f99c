// SPDX-License-Identifier: GPL-2.0-only
/* Sleeping work: idle-churn (short precise sleeps) and timer-latency (periodic deadlines). */
#include "work.h"

#include <errno.h>
#include <string.h>

static struct timespec ts_of(uint64_t ns)
{
	return (struct timespec){ .tv_sec = (time_t)(ns / 1000000000ull),
				  .tv_nsec = (long)(ns % 1000000000ull) };
}

int work_idle_churn(struct worker *w)
{
	uint64_t nap = kt_work_param_u64(w->g, "sleep") * 1000;	/* at most 100 ms */
	uint64_t n = kt_work_param_u64(w->g, "spin");
	struct timespec req = ts_of(nap);

	while (!stopping(w)) {
		uint64_t t;
		int err;

		spin_units(w, n);
		meas_progress(w);
		t = now_ns();
		err = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL);
		if (err && err != EINTR) {
			work_error(w, "clock_nanosleep: %s", strerror(err));
			return -1;
		}
		/* Oversleep: how much later than asked the worker ran again. */
		t = meas_resume(w) - t;
		if (!err)
			kt_samples_add(&w->rep->timer, t > nap ? t - nap : 0, &w->rng);
		w->iterations++;
		if (!n)
			work_done(w, 1);
	}
	return 0;
}

int work_timer_latency(struct worker *w)
{
	uint64_t interval = kt_work_param_u64(w->g, "interval") * 1000;	/* <= 100 ms */
	uint64_t next = now_ns() + interval;

	while (!stopping(w)) {
		struct timespec dl = ts_of(next);
		uint64_t now;
		int err;

		meas_progress(w);
		err = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL);
		now = meas_resume(w);
		if (err == EINTR)
			continue;	/* the stop signal: the loop condition decides */
		if (err) {
			work_error(w, "clock_nanosleep: %s", strerror(err));
			return -1;
		}
		/*
		 * Every deadline gets one sample, late ones included: a missed period shows
		 * as a long latency instead of vanishing from the count.
		 */
		kt_samples_add(&w->rep->timer, now > next ? now - next : 0, &w->rng);
		next += interval;
		w->iterations++;
		work_done(w, 1);
	}
	return 0;
}
