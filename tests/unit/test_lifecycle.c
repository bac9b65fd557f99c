// SPDX-License-Identifier: GPL-2.0-only
/*
 * The worker lifecycle natively (guest/workers.c, worker.c and the work loops, built for
 * the host): real forks, threads, signals and pipes, under the sanitizers too. Only the
 * init's report channel is replaced: reports land in an array instead of a virtio port.
 * Assertions are about behaviour, never about speed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../guest/init.h"
#include "../../guest/work.h"

/* ---- the init's side that workers.c calls ---- */

#define MAX_REPORTS 64
static struct kt_worker_report reports[MAX_REPORTS];
static unsigned nreports, nerrors;

void report_worker(const struct kt_worker_report *r)
{
	if (nreports < MAX_REPORTS)
		reports[nreports++] = *r;
}

void report_error(const char *stage, const char *call, const char *path, int err,
		  const char *fmt, ...)
{
	fprintf(stderr, "# error: %s %s %s: %d\n", stage, call, path ? path : "", err);
	(void)fmt;
	nerrors++;
}

void report_stage(const char *name)
{
	(void)name;
}

void report_text(uint16_t type, const char *fmt, ...)
{
	(void)type;
	(void)fmt;
}

void con_printf(const char *fmt, ...)
{
	(void)fmt;
}

int init_poll(void)
{
	return 0;
}

int cgroup_enter(const struct kt_group *g, pid_t pid)
{
	(void)g;
	(void)pid;
	return 0;
}

/* ---- helpers ---- */

static struct kt_group *group(struct kt_job *j, const char *work, uint32_t workers,
			      const char *k, const char *v)
{
	struct kt_group *g = kt_job_add_group(j, work);

	assert_non_null(g);
	snprintf(g->work, sizeof(g->work), "%s", work);
	g->workers = workers;
	if (k) {
		snprintf(g->params[0].key, sizeof(g->params[0].key), "%s", k);
		snprintf(g->params[0].value, sizeof(g->params[0].value), "%s", v);
		g->nparams = 1;
	}
	return g;
}

static const struct kt_worker_report *find(uint32_t group, uint32_t index)
{
	for (unsigned i = 0; i < nreports; i++)
		if (reports[i].group == group && reports[i].index == index)
			return &reports[i];
	fail_msg("no report for worker %u/%u", group, index);
	return NULL;
}

static void run(struct kt_job *j)
{
	nreports = nerrors = 0;
	assert_int_equal(workers_run(j), 0);
	assert_int_equal(nerrors, 0);
}

/* ---- tests ---- */

static void test_every_worker_reports(void **state)
{
	struct kt_job j;
	uint32_t total = 0;

	(void)state;
	kt_job_init(&j);
	j.duration_ms = 300;
	group(&j, "spin", 2, NULL, NULL);
	group(&j, "futex-pingpong", 2, NULL, NULL)->clone_thread = 1;
	group(&j, "pipe-io", 2, NULL, NULL);
	group(&j, "timer-latency", 1, "interval", "2ms");
	group(&j, "wake-chain", 3, NULL, NULL);
	for (uint32_t g = 0; g < j.ngroups; g++)
		total += j.groups[g].workers;
	run(&j);
	assert_int_equal(nreports, total);
	for (unsigned i = 0; i < nreports; i++) {
		const struct kt_worker_report *r = &reports[i];

		if (r->status != KT_W_DONE || !r->completed || !r->work_units || !r->ncpus)
			fail_msg("worker %u/%u: status %u completed %u units %llu: %s", r->group,
				 r->index, r->status, r->completed,
				 (unsigned long long)r->work_units, r->error);
		assert_true(r->wall_ns >= r->cpu_ns || r->cpu_ns - r->wall_ns < 10000000);
	}
	/* Threads of one process: distinct tids, one report each. */
	assert_int_not_equal(find(1, 0)->tid, find(1, 1)->tid);
	for (uint32_t g = 1; g <= 2; g++)
		for (uint32_t i = 0; i < 2; i++) {
			const struct kt_worker_report *r = find(g, i);

			assert_int_equal(r->wake.count, r->iterations);
			assert_true(r->wake.n > 0 && r->wake.max_ns > 0);
		}
	assert_true(find(3, 0)->timer.count > 0);
	kt_job_free(&j);
}

static void test_sentinels(void **state)
{
	const struct kt_worker_report *r;
	struct kt_job j;

	(void)state;
	kt_job_init(&j);
	/* Far past the crash point, so a loaded host still gets the workers there first. */
	j.duration_ms = 1000;
	group(&j, "spin", 2, "test_crash", "50ms");
	group(&j, "spin", 1, "test_short", "1");
	group(&j, "spin", 2, "test_crash", "50ms")->clone_thread = 1;
	run(&j);
	assert_int_equal(nreports, 5);
	r = find(0, 0);
	assert_int_equal(r->status, KT_W_KILLED);
	assert_int_equal(r->signo, 11);
	assert_non_null(strstr(r->error, "killed by signal 11"));
	assert_int_equal(find(0, 1)->status, KT_W_DONE);
	r = find(1, 0);
	assert_int_equal(r->status, KT_W_SHORT);
	assert_non_null(strstr(r->error, "short or malformed report"));
	/* A crashing thread takes its whole process: both workers are accounted for. */
	assert_int_equal(find(2, 0)->status, KT_W_KILLED);
	assert_int_equal(find(2, 1)->status, KT_W_KILLED);
	kt_job_free(&j);
}

static void test_deaf_worker_times_out(void **state)
{
	struct kt_job j;

	(void)state;
	kt_job_init(&j);
	j.duration_ms = 200;
	group(&j, "spin", 2, "test_hang", "1");
	run(&j);
	assert_int_equal(nreports, 2);
	assert_int_equal(find(0, 0)->status, KT_W_TIMEOUT);
	assert_non_null(strstr(find(0, 0)->error, "timed out"));
	assert_int_equal(find(0, 1)->status, KT_W_DONE);
	kt_job_free(&j);
}

/* A worker SIGSTOPped for 300 ms shows a gap of about that (90%, as the issue asks of 1 s). */
static void test_sigstop_is_a_gap(void **state)
{
	struct kt_job j;

	(void)state;
	kt_job_init(&j);
	j.duration_ms = 1200;
	group(&j, "spin", 1, "test_sigstop", "300ms");
	run(&j);
	assert_int_equal(find(0, 0)->status, KT_W_DONE);
	if (find(0, 0)->max_gap_ns < 270000000ull)
		fail_msg("max gap %llu ns", (unsigned long long)find(0, 0)->max_gap_ns);
	kt_job_free(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_worker_reports),
		cmocka_unit_test(test_sentinels),
		cmocka_unit_test(test_deaf_worker_times_out),
		cmocka_unit_test(test_sigstop_is_a_gap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
