// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every check on both sides of its threshold, from synthetic report streams decoded the
 * way a run decodes them; failure messages name group, worker, value and limit.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../host/checks.h"
#include "synth.h"

struct run {
	struct result r;
	struct verdict vd;
	int status;
	char why[512];
};

static void judge_stream(struct run *x, struct synth *s)
{
	memset(x, 0, sizeof(*x));
	result_init(&x->r);
	assert_int_equal(result_feed_buf(&x->r, s->w.buf, s->w.len), 0);
	kt_wbuf_free(&s->w);
	assert_int_equal(checks_run(&x->r, &x->vd), 0);
	x->status = checks_exit_status(&x->r, &x->vd, x->why, sizeof(x->why));
}

/* HELLO (ncpus), the job, the workers, EXIT 0. */
static void judge(struct run *x, const struct kt_job *j, const struct kt_worker_report *w,
		  size_t n, uint32_t ncpus)
{
	struct synth s = { 0 };

	synth_hello(&s, ncpus);
	synth_job(&s, j);
	for (size_t i = 0; i < n; i++)
		synth_worker(&s, &w[i]);
	synth_exit(&s, 0);
	judge_stream(x, &s);
}

static void done(struct run *x, struct kt_job *j)
{
	verdict_free(&x->vd);
	result_free(&x->r);
	if (j)
		kt_job_free(j);
}

static const struct outcome *find(const struct run *x, const char *group, const char *check)
{
	for (size_t i = 0; i < x->vd.n; i++)
		if (!strcmp(x->vd.v[i].group, group ? group : "") &&
		    !strcmp(x->vd.v[i].check, check))
			return &x->vd.v[i];
	fail_msg("no outcome %s/%s", group ? group : "(run)", check);
	return NULL;
}

static void expect(const struct run *x, const char *group, const char *check,
		   enum outcome_result want, const char *substr)
{
	const struct outcome *o = find(x, group, check);
	static const char *const names[] = { "PASS", "FAIL", "SKIP" };

	if (o->result != want)
		fail_msg("%s/%s is %s, expected %s: %s", group ? group : "(run)", check,
			 names[o->result], names[want], o->detail);
	if (substr && !strstr(o->detail, substr))
		fail_msg("%s/%s detail '%s' lacks '%s'", group ? group : "(run)", check, o->detail,
			 substr);
}

static void test_all_pass_and_exit_0(void **state)
{
	struct kt_worker_report w[2];
	struct kt_job j;
	struct run x;

	(void)state;
	synth_job1(&j, 2);
	synth_mkworker(&w[0], 0, 0, 101, 1000, 10);
	synth_mkworker(&w[1], 0, 1, 102, 1100, 12);
	judge(&x, &j, w, 2, 2);
	expect(&x, "pingers", "starvation", OUTCOME_PASS, NULL);
	expect(&x, "pingers", "fairness", OUTCOME_PASS, "spread 2.0 %");
	expect(&x, "pingers", "gaps", OUTCOME_PASS, "(limit 2000 ms)");
	expect(&x, "pingers", "isolation", OUTCOME_SKIP, "no cpuset");
	expect(&x, "pingers", "wake_latency", OUTCOME_SKIP, "off");
	expect(&x, "pingers", "sentinel", OUTCOME_PASS, NULL);
	expect(&x, NULL, "reports", OUTCOME_PASS, NULL);
	expect(&x, NULL, "scheduler", OUTCOME_SKIP, NULL);
	expect(&x, NULL, "kernel_warnings", OUTCOME_PASS, NULL);
	assert_int_equal(verdict_count(&x.vd, OUTCOME_FAIL), 0);
	assert_int_equal(x.status, 0);
	done(&x, &j);
}

static void test_starvation(void **state)
{
	struct kt_worker_report w[2];
	struct kt_job j;
	struct run x;

	(void)state;
	synth_job1(&j, 2);
	synth_mkworker(&w[0], 0, 0, 101, 1000, 10);
	synth_mkworker(&w[1], 0, 1, 102, 0, 10);
	judge(&x, &j, w, 2, 2);
	expect(&x, "pingers", "starvation", OUTCOME_FAIL,
	       "group pingers: worker 102 did no work in 1.0 s");
	assert_int_equal(x.status, 1);
	done(&x, NULL);
	j.groups[0].checks.starvation = 0;
	judge(&x, &j, w, 2, 2);
	expect(&x, "pingers", "starvation", OUTCOME_SKIP, "off");
	done(&x, &j);
}

static void test_fairness(void **state)
{
	struct kt_worker_report w[3];
	struct kt_job j;
	struct run x;

	(void)state;
	synth_job1(&j, 3);
	synth_mkworker(&w[0], 0, 0, 101, 1000, 10);
	synth_mkworker(&w[1], 0, 1, 102, 1000, 30);
	synth_mkworker(&w[2], 0, 2, 103, 1000, 20);
	/* spread 30 - 10 = 20 > 15 */
	judge(&x, &j, w, 3, 2);
	expect(&x, "pingers", "fairness", OUTCOME_FAIL,
	       "group pingers: off-CPU spread 20.0 % (worker 101 10.0 %, worker 102 30.0 %) "
	       "(limit 15 %)");
	assert_int_equal(x.status, 1);
	done(&x, NULL);
	/* exactly at the limit passes: only above fails */
	w[1].offcpu_ns = 250000000;
	judge(&x, &j, w, 3, 2);
	expect(&x, "pingers", "fairness", OUTCOME_PASS, "spread 15.0 %");
	done(&x, NULL);
	j.groups[0].checks.max_spread_pct = NAN;
	w[1].offcpu_ns = 900000000;
	judge(&x, &j, w, 3, 2);
	expect(&x, "pingers", "fairness", OUTCOME_SKIP, "off");
	done(&x, &j);
}

static void test_gaps(void **state)
{
	struct kt_worker_report w[2];
	struct kt_job j;
	struct run x;

	(void)state;
	synth_job1(&j, 2);
	synth_mkworker(&w[0], 0, 0, 213, 1000, 10);
	synth_mkworker(&w[1], 0, 1, 214, 1000, 10);
	w[0].max_gap_ns = 2310000000ull;
	w[0].max_gap_cpu = 1;
	w[0].max_gap_at_ns = 4200000000ull;
	w[0].ncpus = 2;
	w[0].cpus[1] = 1;
	judge(&x, &j, w, 2, 2);
	expect(&x, "pingers", "gaps", OUTCOME_FAIL,
	       "group pingers: worker 213 max gap 2310 ms on cpu 1 at +4.2 s (limit 2000 ms)");
	done(&x, NULL);
	w[0].max_gap_ns = 1999000000ull;
	judge(&x, &j, w, 2, 2);
	expect(&x, "pingers", "gaps", OUTCOME_PASS, "longest gap 1999 ms, worker 213");
	assert_int_equal(x.status, 0);
	done(&x, &j);
}

static void test_isolation(void **state)
{
	struct kt_worker_report w[2];
	struct kt_job j;
	struct synth s = { 0 };
	struct run x;

	(void)state;
	synth_job1(&j, 2);
	snprintf(j.groups[0].cpus, sizeof(j.groups[0].cpus), "0-1");
	synth_mkworker(&w[0], 0, 0, 101, 1000, 10);
	synth_mkworker(&w[1], 0, 1, 102, 1000, 10);
	w[1].ncpus = 2;
	w[1].cpus[0] = 1;
	w[1].cpus[1] = 3;
	judge(&x, &j, w, 2, 4);
	expect(&x, "pingers", "isolation", OUTCOME_FAIL,
	       "group pingers: worker 102 ran on cpu 3, outside cpuset 0-1");
	done(&x, NULL);
	w[1].ncpus = 1;
	judge(&x, &j, w, 2, 4);
	expect(&x, "pingers", "isolation", OUTCOME_PASS, "ran on cpus 0-1, within cpuset 0-1");
	done(&x, NULL);
	/* The effective cpuset the guest read back wins over the requested one. */
	synth_hello(&s, 4);
	synth_job(&s, &j);
	synth_group(&s, 0, "0");
	synth_worker(&s, &w[0]);
	synth_worker(&s, &w[1]);
	synth_exit(&s, 0);
	judge_stream(&x, &s);
	expect(&x, "pingers", "isolation", OUTCOME_FAIL, "cpu 1, outside effective cpuset 0");
	done(&x, NULL);
	j.groups[0].checks.isolation = 0;
	judge(&x, &j, w, 2, 4);
	expect(&x, "pingers", "isolation", OUTCOME_SKIP, "off");
	done(&x, &j);
}

/* 100 samples 1..100 us: p50 = 50.5, p99 = 99.01 (rank 98.01). */
static void fill_samples(struct kt_samples *sm, unsigned scale)
{
	sm->count = 100;
	sm->n = 100;
	sm->sum_ns = 0;
	for (uint32_t i = 0; i < 100; i++) {
		sm->v_ns[i] = (i + 1) * 1000 * scale;
		sm->sum_ns += sm->v_ns[i];
	}
	sm->max_ns = 150000ull * scale;	/* observed beyond the reservoir */
}

static void test_latency(void **state)
{
	struct kt_worker_report w[2];
	struct kt_job j;
	struct run x;

	(void)state;
	synth_job1(&j, 2);
	synth_mkworker(&w[0], 0, 0, 101, 1000, 10);
	synth_mkworker(&w[1], 0, 1, 102, 1000, 10);
	fill_samples(&w[0].wake, 1);
	fill_samples(&w[1].wake, 2);	/* p99 198.02 us */
	fill_samples(&w[0].timer, 1);
	fill_samples(&w[1].timer, 1);
	j.groups[0].checks.max_p99_wake_us = 150;
	j.groups[0].checks.max_p99_timer_us = 100;
	judge(&x, &j, w, 2, 2);
	expect(&x, "pingers", "wake_latency", OUTCOME_FAIL,
	       "group pingers: worker 102 wake p99 198 us (p50 101 us, max 300 us) "
	       "(limit 150 us)");
	expect(&x, "pingers", "timer_latency", OUTCOME_PASS, "timer p50 50 us, p99 99 us, max 150 us");
	done(&x, NULL);
	j.groups[0].checks.max_p99_wake_us = 200;
	j.groups[0].checks.max_p99_timer_us = 99;
	judge(&x, &j, w, 2, 2);
	expect(&x, "pingers", "wake_latency", OUTCOME_PASS, NULL);
	expect(&x, "pingers", "timer_latency", OUTCOME_FAIL, "worker 101 timer p99 99 us");
	done(&x, NULL);
	/* a limit with no samples at all: not applicable rather than a silent pass */
	memset(&w[0].wake, 0, sizeof(w[0].wake));
	memset(&w[1].wake, 0, sizeof(w[1].wake));
	judge(&x, &j, w, 2, 2);
	expect(&x, "pingers", "wake_latency", OUTCOME_SKIP, "no wake latency samples");
	done(&x, &j);
}

static void test_throughput(void **state)
{
	struct kt_worker_report w[2];
	struct kt_job j;
	struct run x;

	(void)state;
	synth_job1(&j, 2);
	/* rates 100/s and 300/s: mean 200, population sd 100, CV 0.5 */
	synth_mkworker(&w[0], 0, 0, 101, 100, 10);
	synth_mkworker(&w[1], 0, 1, 102, 300, 10);
	j.groups[0].checks.max_throughput_cv = 0.4;
	j.groups[0].checks.min_work_rate = 250;
	judge(&x, &j, w, 2, 2);
	expect(&x, "pingers", "throughput_cv", OUTCOME_FAIL,
	       "group pingers: work rate CV 0.500 (slowest worker 101 100/s, fastest worker 102 "
	       "300/s) (limit 0.4)");
	expect(&x, "pingers", "work_rate", OUTCOME_FAIL,
	       "group pingers: work rate 200/s per worker (slowest worker 101 100/s) (limit 250/s)");
	done(&x, NULL);
	j.groups[0].checks.max_throughput_cv = 0.6;
	j.groups[0].checks.min_work_rate = 150;
	judge(&x, &j, w, 2, 2);
	expect(&x, "pingers", "throughput_cv", OUTCOME_PASS, "CV 0.500");
	expect(&x, "pingers", "work_rate", OUTCOME_PASS, "200/s");
	done(&x, &j);
}

static void test_migrations(void **state)
{
	struct kt_worker_report w[2];
	struct kt_job j;
	struct run x;

	(void)state;
	synth_job1(&j, 2);
	synth_mkworker(&w[0], 0, 0, 101, 100, 10);
	synth_mkworker(&w[1], 0, 1, 102, 100, 10);
	w[1].migrations = 10;	/* 10 in 100 iterations */
	j.groups[0].checks.max_migration_ratio = 0.05;
	judge(&x, &j, w, 2, 2);
	expect(&x, "pingers", "migrations", OUTCOME_FAIL,
	       "group pingers: worker 102 0.1 migrations per iteration (10 in 100) (limit 0.05)");
	done(&x, NULL);
	j.groups[0].checks.max_migration_ratio = 0.1;
	judge(&x, &j, w, 2, 2);
	expect(&x, "pingers", "migrations", OUTCOME_PASS, "at most 0.1 migrations");
	done(&x, &j);
}

static void test_sentinel(void **state)
{
	struct kt_worker_report w[2];
	struct kt_job j;
	struct run x;

	(void)state;
	synth_job1(&j, 2);
	synth_mkworker(&w[0], 0, 0, 101, 100, 10);
	synth_mkworker(&w[1], 0, 1, 102, 0, 0);
	w[1].status = KT_W_KILLED;
	w[1].signo = 9;
	w[1].completed = 0;
	judge(&x, &j, w, 2, 2);
	expect(&x, "pingers", "sentinel", OUTCOME_FAIL,
	       "group pingers: worker 102 killed by signal 9 (KILL)");
	/* a sentinel is not also a starved worker */
	expect(&x, "pingers", "starvation", OUTCOME_PASS, NULL);
	assert_int_equal(x.status, 1);
	done(&x, NULL);
	w[1].status = KT_W_TIMEOUT;
	snprintf(w[1].error, sizeof(w[1].error), "no report after 5 s");
	judge(&x, &j, w, 2, 2);
	expect(&x, "pingers", "sentinel", OUTCOME_FAIL,
	       "worker 102 did not report in time and was killed: no report after 5 s");
	done(&x, &j);
}

static void test_scheduler(void **state)
{
	struct kt_worker_report w[1];
	struct kt_job j;
	struct synth s = { 0 };
	struct run x;

	(void)state;
	synth_job1(&j, 1);
	snprintf(j.scheduler, sizeof(j.scheduler), "/ktstr/scx_simple");
	j.scheduler_kind = KT_SCHED_EXT;
	synth_mkworker(&w[0], 0, 0, 101, 100, 10);
	w[0].policy = 7;
	judge(&x, &j, w, 1, 2);
	expect(&x, NULL, "scheduler", OUTCOME_PASS, "/ktstr/scx_simple ran to the end");
	done(&x, NULL);
	synth_hello(&s, 2);
	synth_job(&s, &j);
	synth_worker(&s, &w[0]);
	synth_sched_exit(&s, 0, 1, "died while workers ran",
			 "starting\nEXIT: runtime error (stall detected)\n");
	synth_exit(&s, 0);
	judge_stream(&x, &s);
	expect(&x, NULL, "scheduler", OUTCOME_FAIL,
	       "/ktstr/scx_simple died while workers ran: exit status 1 at +3.5 s; its last line: "
	       "EXIT: runtime error (stall detected)");
	assert_int_equal(x.status, 1);
	done(&x, NULL);
	/* stopped by the init at the end: that is how every run ends, not a failure */
	s.seq = 0;
	synth_hello(&s, 2);
	synth_job(&s, &j);
	synth_worker(&s, &w[0]);
	synth_sched_exit(&s, 1, 0, "stopped at the end", "");
	synth_exit(&s, 0);
	judge_stream(&x, &s);
	expect(&x, NULL, "scheduler", OUTCOME_PASS, "ran to the end and was stopped by the init");
	assert_int_equal(x.status, 0);
	done(&x, NULL);
	/* SCHED_NORMAL tasks run under a sched_ext scheduler that takes every task */
	w[0].policy = 0;
	judge(&x, &j, w, 1, 2);
	expect(&x, NULL, "scheduler", OUTCOME_PASS, "ran to the end");
	done(&x, &j);
}

/* Under a sched_ext scheduler, workers must have run in its class (policy 7 in the report). */
static void test_sched_ext(void **state)
{
	struct kt_worker_report w[2];
	struct kt_group *g;
	struct kt_job j;
	struct run x;

	(void)state;
	synth_job1(&j, 1);
	g = kt_job_add_group(&j, "hogs");
	g->workers = 1;
	snprintf(j.scheduler, sizeof(j.scheduler), "/ktstr/scx_simple");
	j.scheduler_kind = KT_SCHED_EXT;
	synth_mkworker(&w[0], 0, 0, 101, 100, 10);
	synth_mkworker(&w[1], 1, 0, 102, 100, 10);
	w[0].policy = w[1].policy = KT_POLICY_EXT;
	judge(&x, &j, w, 2, 2);
	expect(&x, "pingers", "sched_ext", OUTCOME_PASS, "1 of 1 workers ran under SCHED_EXT");
	expect(&x, "hogs", "sched_ext", OUTCOME_PASS, "1 of 1 workers ran under SCHED_EXT");
	assert_int_equal(x.status, 0);
	done(&x, NULL);
	/* a partial-switch scheduler may leave a group out: noted, not failed */
	w[1].policy = 0;
	judge(&x, &j, w, 2, 2);
	expect(&x, "hogs", "sched_ext", OUTCOME_SKIP, "0 of 1 workers ran under SCHED_EXT");
	assert_int_equal(x.status, 0);
	done(&x, NULL);
	/* attached, but no worker at all ran under it */
	w[0].policy = 0;
	judge(&x, &j, w, 2, 2);
	expect(&x, NULL, "sched_ext", OUTCOME_FAIL, "none of the 2 workers ran under SCHED_EXT");
	assert_int_equal(x.status, 1);
	done(&x, NULL);
	/* the kernel's own scheduler: no such check */
	j.scheduler_kind = KT_SCHED_PROCESS;
	judge(&x, &j, w, 2, 2);
	for (size_t i = 0; i < x.vd.n; i++)
		assert_string_not_equal(x.vd.v[i].check, "sched_ext");
	assert_int_equal(x.status, 0);
	done(&x, &j);
}

static void test_kernel_warnings(void **state)
{
	struct kt_worker_report w[1];
	struct kt_job j;
	struct synth s = { 0 };
	struct run x;

	(void)state;
	synth_job1(&j, 1);
	synth_mkworker(&w[0], 0, 0, 101, 100, 10);
	for (int ignore = 0; ignore < 2; ignore++) {
		j.checks.kernel_warnings = !ignore;
		synth_hello(&s, 2);
		synth_job(&s, &j);
		synth_text(&s, KT_MSG_KMSG, "sched_ext: enabling");
		synth_text(&s, KT_MSG_KMSG, "WARNING: CPU: 1 PID: 42 at kernel/sched/ext.c:123");
		synth_worker(&s, &w[0]);
		synth_exit(&s, 0);
		judge_stream(&x, &s);
		s.seq = 0;
		assert_int_equal(x.r.nkmsg, 2);
		assert_int_equal(x.r.nwarnings, 1);
		if (!ignore)
			expect(&x, NULL, "kernel_warnings", OUTCOME_FAIL,
			       "1 kernel warning line (kernel_warnings=ignore to accept them); first: WARNING: CPU: 1 PID: 42");
		else
			expect(&x, NULL, "kernel_warnings", OUTCOME_SKIP, "ignored");
		assert_int_equal(x.status, ignore ? 0 : 1);
		done(&x, NULL);
	}
	kt_job_free(&j);
	assert_false(result_kmsg_is_warning("random: crng init done"));
	assert_true(result_kmsg_is_warning("rcu: INFO: rcu_preempt self-detected stall on CPU"));
	assert_true(result_kmsg_is_warning("BUG: kernel NULL pointer dereference, address: 0"));
}

static void test_exit_status(void **state)
{
	struct kt_worker_report w[2];
	struct kt_job j;
	struct synth s = { 0 };
	struct run x;

	(void)state;
	synth_job1(&j, 2);
	synth_mkworker(&w[0], 0, 0, 101, 100, 10);
	synth_mkworker(&w[1], 0, 1, 102, 100, 10);
	/* a missing report: the stream is incomplete, so the run cannot be judged */
	judge(&x, &j, w, 1, 2);
	expect(&x, NULL, "reports", OUTCOME_FAIL, "1 worker reports missing");
	assert_int_equal(x.status, 99);
	assert_non_null(strstr(x.why, "1 worker reports missing"));
	done(&x, NULL);
	/* no EXIT */
	synth_hello(&s, 2);
	synth_job(&s, &j);
	synth_worker(&s, &w[0]);
	synth_worker(&s, &w[1]);
	judge_stream(&x, &s);
	assert_int_equal(x.status, 99);
	assert_non_null(strstr(x.why, "without the guest's EXIT"));
	done(&x, NULL);
	/* an ERROR frame from the init */
	s.seq = 0;
	synth_hello(&s, 2);
	synth_error(&s, "cgroup", "mkdir", "/sys/fs/cgroup/ktstr", 13);
	synth_exit(&s, 99);
	judge_stream(&x, &s);
	assert_int_equal(x.status, 99);
	assert_non_null(strstr(x.why, "stage cgroup: mkdir /sys/fs/cgroup/ktstr"));
	done(&x, NULL);
	/* the guest skips */
	s.seq = 0;
	synth_hello(&s, 2);
	synth_exit(&s, 77);
	judge_stream(&x, &s);
	assert_int_equal(x.status, 77);
	assert_int_equal(checks_note_status(&x.vd, x.status, x.why), 0);
	expect(&x, NULL, "infrastructure", OUTCOME_SKIP, "the guest skipped");
	done(&x, NULL);
	/* the guest's own status (ktstr.exit=3 skips the workers): not a damaged stream */
	s.seq = 0;
	synth_hello(&s, 2);
	synth_job(&s, &j);
	synth_exit(&s, 3);
	judge_stream(&x, &s);
	assert_int_equal(x.status, 3);
	assert_non_null(strstr(x.why, "status 3"));
	done(&x, NULL);
	/* a scheduler that died at start: no workers, an ERROR, the guest says 1: it is a FAIL */
	s.seq = 0;
	synth_hello(&s, 2);
	synth_job(&s, &j);
	synth_error(&s, "scheduler", "waitpid", "/ktstr/bin/sched", 0);
	synth_sched_exit(&s, 0, 3, "exited within 1 s of starting", "giving up\n");
	synth_exit(&s, 1);
	judge_stream(&x, &s);
	assert_int_equal(x.status, 1);
	expect(&x, NULL, "scheduler", OUTCOME_FAIL, "exited within 1 s of starting: exit status 3");
	done(&x, NULL);
	/* ... but when the guest says 99 (no sched_ext in the kernel), that is the news */
	s.seq = 0;
	synth_hello(&s, 2);
	synth_job(&s, &j);
	synth_error(&s, "scheduler", "attach", "/sys/kernel/sched_ext/state", 2);
	synth_sched_exit(&s, 0, 0, "not attached to sched_ext within 3 s", "");
	synth_exit(&s, 99);
	judge_stream(&x, &s);
	assert_int_equal(x.status, 99);
	assert_non_null(strstr(x.why, "stage scheduler: attach /sys/kernel/sched_ext/state"));
	done(&x, NULL);
	/* nothing at all */
	judge_stream(&x, &s);
	assert_int_equal(x.status, 99);
	assert_non_null(strstr(x.why, "HELLO"));
	done(&x, &j);
}

/* Three failing workers are named, the rest counted, and the detail stays bounded. */
static void test_many_failures(void **state)
{
	struct kt_worker_report w[6];
	struct kt_job j;
	struct run x;

	(void)state;
	synth_job1(&j, 6);
	for (uint32_t i = 0; i < 6; i++)
		synth_mkworker(&w[i], 0, i, 200 + i, 0, 10);
	judge(&x, &j, w, 6, 2);
	expect(&x, "pingers", "starvation", OUTCOME_FAIL, "worker 202 did no work");
	expect(&x, "pingers", "starvation", OUTCOME_FAIL, "; and 3 more workers");
	assert_null(strstr(find(&x, "pingers", "starvation")->detail, "worker 203"));
	done(&x, &j);
}

#define EPS 1e-9
#define assert_near(a, b) \
	do { \
		double a_ = (a), b_ = (b); \
		if (!(a_ - b_ <= EPS && b_ - a_ <= EPS)) \
			fail_msg("%s = %.12g, expected %.12g", #a, a_, b_); \
	} while (0)

/* Group statistics against values computed by hand. */
static void test_group_stats(void **state)
{
	struct kt_worker_report w[3];
	struct group_stats gs;
	struct kt_job j;
	struct run x;

	(void)state;
	synth_job1(&j, 3);
	synth_mkworker(&w[0], 0, 0, 101, 100, 10);
	synth_mkworker(&w[1], 0, 1, 102, 200, 20);
	synth_mkworker(&w[2], 0, 2, 103, 600, 60);
	w[0].cpus[0] = 2;
	w[1].ncpus = 2;
	w[1].cpus[0] = 0;
	w[1].cpus[1] = 1;
	w[2].cpus[0] = 3;
	w[1].max_gap_ns = 75000000;
	w[1].max_gap_cpu = 1;
	w[1].max_gap_at_ns = 1500000000;
	w[0].run_delay_ns = 1000000;
	w[1].run_delay_ns = 2000000;
	w[2].run_delay_ns = 6000000;
	w[0].migrations = 5;
	w[2].migrations = 300;		/* 300 in 600 iterations: ratio 0.5 */
	/* wake samples: worker 0 {10, 20} us, worker 1 {30} us: pooled p50 20, p99 29.8 */
	w[0].wake.count = 2;
	w[0].wake.n = 2;
	w[0].wake.v_ns[0] = 10000;
	w[0].wake.v_ns[1] = 20000;
	w[0].wake.max_ns = 20000;
	w[1].wake.count = 7;
	w[1].wake.n = 1;
	w[1].wake.v_ns[0] = 30000;
	w[1].wake.max_ns = 90000;
	judge(&x, &j, w, 3, 4);
	assert_int_equal(group_stats_compute(&x.r, 0, &gs), 0);
	assert_int_equal(gs.reports, 3);
	assert_int_equal(gs.done, 3);
	assert_string_equal(gs.cpus, "0-3");
	/* rates 100, 200, 600: mean 300; deviations -200,-100,300: var 140000/3 */
	assert_near(gs.rate.mean, 300);
	assert_near(gs.rate.stddev, sqrt(140000.0 / 3));
	assert_near(stats_cv(&gs.rate), sqrt(140000.0 / 3) / 300);
	assert_near(gs.offcpu.min, 10);
	assert_near(gs.offcpu.mean, 30);
	assert_near(gs.offcpu.max, 60);
	assert_near(stats_spread(&gs.offcpu), 50);
	assert_near(gs.max_gap_ms, 75);
	assert_int_equal(gs.max_gap_tid, 102);
	assert_int_equal(gs.max_gap_cpu, 1);
	assert_near(gs.max_gap_at_s, 1.5);
	assert_int_equal(gs.migrations, 305);
	assert_near(gs.max_migration_ratio, 0.5);
	assert_int_equal(gs.wake.count, 9);
	assert_near(gs.wake.us.p50, 20);
	assert_near(gs.wake.us.p99, 29.8);	/* rank 1.98 of {10, 20, 30} */
	assert_near(gs.wake.max_us, 90);
	assert_int_equal(gs.timer.us.n, 0);
	assert_near(gs.run_delay_ms.mean, 3);
	assert_near(worker_offcpu_pct(&w[1]), 20);
	assert_near(worker_rate(&w[2]), 600);
	assert_near(worker_migration_ratio(&w[0]), 0.05);
	done(&x, &j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_pass_and_exit_0),
		cmocka_unit_test(test_starvation),
		cmocka_unit_test(test_fairness),
		cmocka_unit_test(test_gaps),
		cmocka_unit_test(test_isolation),
		cmocka_unit_test(test_latency),
		cmocka_unit_test(test_throughput),
		cmocka_unit_test(test_migrations),
		cmocka_unit_test(test_sentinel),
		cmocka_unit_test(test_scheduler),
		cmocka_unit_test(test_sched_ext),
		cmocka_unit_test(test_kernel_warnings),
		cmocka_unit_test(test_exit_status),
		cmocka_unit_test(test_many_failures),
		cmocka_unit_test(test_group_stats),
	};
	return cmocka_run_group_tests_name("checks", tests, NULL, NULL);
}
