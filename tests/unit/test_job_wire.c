// SPDX-License-Identifier: GPL-2.0-only
/* The compiled job and the worker report: round trips and untrusted counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../shared/job.h"
#include "../../shared/report.h"

/* Decodes the single frame in w; the payload points into w. */
static void one_frame(const struct kt_wbuf *w, struct kt_frame *f, struct kt_decoder *d)
{
	assert_int_equal(kt_decoder_init(d), 0);
	assert_int_equal(kt_decoder_feed(d, w->buf, w->len), w->len);
	assert_int_equal(kt_decoder_next(d, f), KT_DEC_FRAME);
}

static void test_job_roundtrip(void **state)
{
	struct kt_job j, got;
	struct kt_group *g;
	struct kt_wbuf w = { 0 };
	char why[128];

	(void)state;
	kt_job_init(&j);
	snprintf(j.scheduler, sizeof(j.scheduler), "/bin/scx_simple");
	j.nsysctls = 1;
	snprintf(j.sysctls[0].name, sizeof(j.sysctls[0].name), "kernel.foo");
	snprintf(j.sysctls[0].value, sizeof(j.sysctls[0].value), "3");
	g = kt_job_add_group(&j, "a");
	g->workers = 4;
	snprintf(g->cpus, sizeof(g->cpus), "0-3,6");
	g->nparams = 1;
	snprintf(g->params[0].key, sizeof(g->params[0].key), "interval");
	snprintf(g->params[0].value, sizeof(g->params[0].value), "1ms");
	g->checks.max_p99_wake_us = 250.5;
	g = kt_job_add_group(&j, "b");
	g->nice = -5;
	assert_int_equal(kt_job_encode(&w, 0, &j), 0);
	assert_int_equal(kt_job_decode_buf(w.buf, w.len, &got, why, sizeof(why)), 0);
	assert_string_equal(got.scheduler, "/bin/scx_simple");
	assert_string_equal(got.sysctls[0].name, "kernel.foo");
	assert_int_equal(got.ngroups, 2);
	assert_int_equal(got.groups[0].workers, 4);
	assert_string_equal(got.groups[0].cpus, "0-3,6");
	assert_string_equal(kt_group_param(&got.groups[0], "interval"), "1ms");
	assert_null(kt_group_param(&got.groups[0], "depth"));
	assert_true(got.groups[0].checks.max_p99_wake_us == 250.5);
	assert_true(isnan(got.groups[1].checks.max_p99_wake_us));
	assert_int_equal(got.groups[1].nice, -5);
	assert_int_equal(got.groups[1].checks.max_gap_ms, 2000);
	kt_job_free(&got);
	kt_job_free(&j);
	kt_wbuf_free(&w);
}

static void test_job_rejects_huge_counts(void **state)
{
	struct kt_wbuf p = { 0 }, w = { 0 };
	struct kt_job got;
	char why[128];

	(void)state;
	kt_put_u32(&p, KT_JOB_VERSION);
	kt_put_str(&p, "x");
	kt_put_str(&p, "");
	kt_put_str(&p, "");
	kt_put_u32(&p, 0);
	kt_put_u64(&p, 1000);
	kt_put_u64(&p, 0);
	kt_put_u32(&p, 0);
	kt_put_u32(&p, 0xffffffffu);	/* sysctls */
	assert_int_equal(kt_frame_finish(&w, KT_MSG_JOB, 0, &p), 0);
	assert_int_equal(kt_job_decode_buf(w.buf, w.len, &got, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "sysctls"));
	kt_wbuf_free(&w);
	/* truncated: no frame at all */
	assert_int_equal(kt_job_decode_buf("KTSR", 4, &got, why, sizeof(why)), -1);
}

static void test_worker_roundtrip_and_limits(void **state)
{
	static struct kt_worker_report r, got;
	struct kt_wbuf w = { 0 };
	struct kt_decoder d;
	struct kt_frame f;
	char why[128];

	(void)state;
	r.group = 1;
	r.tid = 213;
	r.work_units = 123456;
	r.ncpus = 2;
	r.cpus[0] = 0;
	r.cpus[1] = 3;
	r.migrations = 5;
	r.nmig = 1;
	r.mig[0] = (struct kt_migration){ 77, 0, 3 };
	r.wake.count = 1000;
	r.wake.n = 2;
	r.wake.v_ns[0] = 10;
	r.wake.v_ns[1] = 20;
	snprintf(r.error, sizeof(r.error), "sched_setaffinity: Invalid argument");
	r.exec_status = -9;
	r.exec_ns = 1234567890123ull;
	assert_int_equal(kt_enc_worker(&w, 7, &r), 0);
	one_frame(&w, &f, &d);
	assert_int_equal(f.type, KT_MSG_WORKER);
	assert_int_equal(kt_dec_worker(&f, &got), 0);
	assert_int_equal(got.tid, 213);
	assert_int_equal(got.cpus[1], 3);
	assert_int_equal(got.mig[0].to, 3);
	assert_int_equal(got.wake.n, 2);
	assert_int_equal(got.wake.v_ns[1], 20);
	assert_string_equal(got.error, r.error);
	assert_int_equal(got.exec_status, -9);
	assert_int_equal(got.exec_ns, 1234567890123ull);
	assert_int_equal(kt_worker_validate(&got, 4, 2, why, sizeof(why)), 0);
	assert_int_equal(kt_worker_validate(&got, 2, 2, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "cpu 3"));
	assert_int_equal(kt_worker_validate(&got, 4, 1, why, sizeof(why)), -1);
	kt_decoder_free(&d);
	{
		/* A guest from before the exec fields were appended: still a sound report. */
		struct kt_wbuf old = { 0 };

		assert_int_equal(kt_frame_append(&old, KT_MSG_WORKER, 7, w.buf + KT_HDR_LEN,
						 w.len - KT_HDR_LEN - KT_TRAILER_LEN - 12), 0);
		one_frame(&old, &f, &d);
		assert_int_equal(kt_dec_worker(&f, &got), 0);
		assert_int_equal(got.tid, 213);
		assert_int_equal(got.exec_ns, 0);
		assert_string_equal(got.error, r.error);
		kt_decoder_free(&d);
		kt_wbuf_free(&old);
	}
	kt_wbuf_free(&w);

	/* More samples kept than observed is a lie, and so is more than the capacity. */
	r.wake.count = 1;
	assert_int_equal(kt_enc_worker(&w, 8, &r), 0);
	one_frame(&w, &f, &d);
	assert_int_equal(kt_dec_worker(&f, &got), -1);
	kt_decoder_free(&d);
	kt_wbuf_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_roundtrip),
		cmocka_unit_test(test_job_rejects_huge_counts),
		cmocka_unit_test(test_worker_roundtrip_and_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
