// SPDX-License-Identifier: GPL-2.0-only
/*
 * spin work units per second: the guest's instrumented `spin` loop (guest/work_cpu.c with
 * guest/measure.c: checkpoints, getcpu, schedstat, numa_maps) against the bare loop of
 * the same work units, natively, alternating rounds on one CPU; medians are compared.
 * Rates are per second of the thread's CPU time, so time the loops spend preempted by
 * whatever else runs on a shared machine does not count against either.
 * usage: spin_bench [SECONDS_PER_ROUND] [ROUNDS]
 */
#include "../../guest/work.h"

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct group_shm shm;
static double round_s = 0.3;

static void *stopper(void *arg)
{
	(void)arg;
	usleep((useconds_t)(round_s * 1e6));
	__atomic_store_n(&shm.stop, 1, __ATOMIC_RELAXED);
	return NULL;
}

static double run_round(int instrumented, const struct kt_group *g)
{
	struct kt_worker_report *rep = calloc(1, sizeof(*rep));
	struct worker w = { .g = g, .nworkers = 1, .rep = rep, .shm = &shm };
	uint64_t t0, t1, units = 0, x = 1;
	struct timespec c0, c1;
	pthread_t th;

	if (!rep)
		exit(99);
	shm.stop = 0;
	pthread_create(&th, NULL, stopper, NULL);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	if (instrumented) {
		meas_start(&w);
		work_spin(&w);
		meas_finish(&w);
		units = rep->work_units;
	} else {
		/* The bare loop: the same unit and the same stop check, nothing else. */
		while (!__atomic_load_n(&shm.stop, __ATOMIC_RELAXED)) {
			x = spin_unit(x);
			units++;
		}
		w.sink = x;
	}
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	t0 = (uint64_t)c0.tv_sec * 1000000000ull + (uint64_t)c0.tv_nsec;
	t1 = (uint64_t)c1.tv_sec * 1000000000ull + (uint64_t)c1.tv_nsec;
	pthread_join(th, NULL);
	if (w.sink == 42)
		putchar(' ');	/* keeps the bare loop's result alive */
	free(rep);
	return units / ((t1 - t0) / 1e9);
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	int rounds = argc > 2 ? atoi(argv[2]) : 11;
	double bare[64], inst[64], mb, mi;
	struct kt_job job;
	struct kt_group *g;
	cpu_set_t one;

	if (argc > 1)
		round_s = atof(argv[1]);
	if (rounds < 1 || rounds > 64 || round_s <= 0) {
		fprintf(stderr, "usage: spin_bench [SECONDS_PER_ROUND] [ROUNDS 1..64]\n");
		return 2;
	}
	kt_job_init(&job);
	g = kt_job_add_group(&job, "bench");
	if (!g)
		return 99;
	/* One CPU for both loops, so they compete for the same core under the same load. */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	sched_setaffinity(0, sizeof(one), &one);
	for (int i = 0; i < rounds; i++) {
		bare[i] = run_round(0, g);
		inst[i] = run_round(1, g);
	}
	qsort(bare, (size_t)rounds, sizeof(double), cmp);
	qsort(inst, (size_t)rounds, sizeof(double), cmp);
	mb = bare[rounds / 2];
	mi = inst[rounds / 2];
	printf("BENCH\tspin work units per CPU second, instrumented vs bare\t%.0f\t%.0f\t"
	       "units/cpu-s\t%.3f\t>= 0.97\n", mi, mb, mi / mb);
	kt_job_free(&job);
	return 0;
}
