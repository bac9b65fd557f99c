// SPDX-License-Identifier: GPL-2.0-only
/*
 * Collecting a run from an untrusted stream: reports that lie about counts, CPUs, groups or
 * workers are rejected and counted, never used; the host's job beats the guest's echo.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../host/checks.h"
#include "synth.h"

static void feed(struct result *r, struct synth *s)
{
	result_init(r);
	assert_int_equal(result_feed_buf(r, s->w.buf, s->w.len), 0);
	kt_wbuf_free(&s->w);
	s->seq = 0;
}

static void expect_reject(const struct result *r, const char *substr)
{
	for (size_t i = 0; i < r->rejects_kept; i++)
		if (strstr(r->rejects[i], substr))
			return;
	fail_msg("no rejection mentions '%s' (%zu kept, first '%s')", substr, r->rejects_kept,
		 r->rejects_kept ? r->rejects[0] : "");
}

/* A worker frame whose wake reservoir claims n samples and count events. */
static void worker_claiming(struct synth *s, const struct kt_worker_report *w, uint32_t n,
			    uint64_t count)
{
	struct kt_wbuf one = { 0 };
	/* fixed fields 93 bytes, ncpus 4 + 2 per CPU, migrations 8, nmig 4, gap 20 */
	size_t wake = 93 + 4 + 2 * w->ncpus + 8 + 4 + 20;
	uint8_t *p;

	assert_int_equal(w->nmig, 0);
	kt_enc_worker(&one, 0, w);
	p = one.buf + KT_HDR_LEN;
	assert_int_equal(p[wake + 24], w->wake.n & 0xff);	/* where we think n is */
	for (int i = 0; i < 8; i++)
		p[wake + i] = (uint8_t)(count >> (8 * i));
	for (int i = 0; i < 4; i++)
		p[wake + 24 + i] = (uint8_t)(n >> (8 * i));
	kt_frame_append(&s->w, KT_MSG_WORKER, s->seq++, p, one.len - KT_HDR_LEN - KT_TRAILER_LEN);
	kt_wbuf_free(&one);
}

static void test_valid_stream(void **state)
{
	struct kt_worker_report w;
	struct synth s = { 0 };
	struct result r;
	struct kt_job j;

	(void)state;
	synth_job1(&j, 1);
	synth_mkworker(&w, 0, 0, 7, 10, 5);
	w.wake.count = 3;
	w.wake.n = 3;
	synth_hello(&s, 2);
	synth_job(&s, &j);
	synth_group(&s, 0, "0-1");
	synth_worker(&s, &w);
	synth_text(&s, KT_MSG_LOG, "workers started");
	synth_exit(&s, 0);
	feed(&r, &s);
	assert_true(r.have_hello && r.have_job && r.have_exit);
	assert_int_equal(r.hello.ncpus, 2);
	assert_string_equal(r.job.groups[0].name, "pingers");
	assert_true(r.groups[0].have_info);
	assert_string_equal(r.groups[0].info.cpus, "0-1");
	assert_non_null(r.groups[0].slot[0]);
	assert_int_equal(r.groups[0].slot[0]->tid, 7);
	assert_int_equal(r.frames, 6);
	assert_int_equal(r.invalid, 0);
	assert_int_equal(r.seq_gaps, 0);
	assert_int_equal(result_missing(&r), 0);
	result_free(&r);
	kt_job_free(&j);
}

static void test_lying_reports_rejected(void **state)
{
	struct kt_worker_report w[8];
	struct synth s = { 0 };
	struct result r;
	struct verdict vd = { 0 };
	struct kt_job j;
	char why[256];

	(void)state;
	synth_job1(&j, 2);
	for (uint32_t i = 0; i < 8; i++)
		synth_mkworker(&w[i], 0, i % 2, 100 + i, 10, 5);
	synth_worker(&s, &w[0]);		/* before HELLO */
	synth_hello(&s, 2);
	synth_worker(&s, &w[0]);		/* before the job */
	synth_job(&s, &j);
	w[2].cpus[0] = 2;			/* the VM has CPUs 0 and 1 */
	synth_worker(&s, &w[2]);
	w[3].group = 1;				/* the job has one group */
	synth_worker(&s, &w[3]);
	w[4].index = 2;				/* the group has two workers */
	synth_worker(&s, &w[4]);
	worker_claiming(&s, &w[5], 0xffffffffu, 1ull << 32);	/* 2^32 - 1 samples kept */
	w[6].max_gap_ns = 1;
	w[6].max_gap_cpu = 9;
	synth_worker(&s, &w[6]);
	synth_worker(&s, &w[0]);		/* worker 0: accepted */
	synth_worker(&s, &w[0]);		/* ... and again */
	synth_group(&s, 5, "0");
	synth_exit(&s, 0);
	feed(&r, &s);
	expect_reject(&r, "before HELLO");
	expect_reject(&r, "before the JOB frame");
	expect_reject(&r, "cpu 2, the VM has 2");
	expect_reject(&r, "group index 1, the job has 1");
	expect_reject(&r, "worker index 2, group pingers has 2 workers");
	expect_reject(&r, "malformed or counts over capacity");
	expect_reject(&r, "gap on cpu 9");
	expect_reject(&r, "second report for worker 0");
	expect_reject(&r, "GROUP frame seq");
	assert_int_equal(r.invalid, 9);
	assert_int_equal(r.groups[0].nreports, 1);
	assert_int_equal(r.groups[0].slot[0]->tid, 100);
	assert_null(r.groups[0].slot[1]);
	assert_int_equal(result_missing(&r), 1);
	assert_int_equal(checks_run(&r, &vd), 0);
	assert_int_equal(checks_exit_status(&r, &vd, why, sizeof(why)), 99);
	assert_non_null(strstr(why, "9 frames rejected"));
	verdict_free(&vd);
	result_free(&r);

	/* A reservoir that keeps more than it saw, or 513 samples, is malformed too. */
	worker_claiming(&s, &w[5], 3, 2);
	worker_claiming(&s, &w[5], KT_RES_CAP + 1, 1ull << 32);
	feed(&r, &s);
	assert_int_equal(r.invalid, 2);
	result_free(&r);
	kt_job_free(&j);
}

static void test_host_job_wins(void **state)
{
	struct kt_worker_report w;
	struct synth s = { 0 };
	struct result r;
	struct kt_job host, guest;

	(void)state;
	synth_job1(&host, 1);
	synth_job1(&guest, 1);
	guest.groups[0].checks.max_gap_ms = 1e9;	/* a guest loosening its own limit */
	synth_mkworker(&w, 0, 0, 7, 10, 5);
	synth_hello(&s, 1);
	synth_job(&s, &guest);
	synth_worker(&s, &w);
	synth_exit(&s, 0);
	result_init(&r);
	assert_int_equal(result_set_job(&r, &host), 0);
	assert_int_equal(result_feed_buf(&r, s.w.buf, s.w.len), 0);
	expect_reject(&r, "differs from the job the host sent");
	assert_true(r.job.groups[0].checks.max_gap_ms == 2000);
	assert_int_equal(r.groups[0].nreports, 1);
	result_free(&r);
	kt_wbuf_free(&s.w);

	/* the faithful echo is accepted silently */
	s.seq = 0;
	synth_hello(&s, 1);
	synth_job(&s, &host);
	synth_exit(&s, 0);
	result_init(&r);
	assert_int_equal(result_set_job(&r, &host), 0);
	assert_int_equal(result_feed_buf(&r, s.w.buf, s.w.len), 0);
	assert_int_equal(r.invalid, 0);
	result_free(&r);
	kt_wbuf_free(&s.w);
	kt_job_free(&host);
	kt_job_free(&guest);
}

static void test_damaged_stream(void **state)
{
	struct kt_worker_report w[2];
	struct synth s = { 0 };
	struct result r;
	struct verdict vd = { 0 };
	struct kt_job j;
	size_t mark;
	char why[256];

	(void)state;
	synth_job1(&j, 2);
	synth_mkworker(&w[0], 0, 0, 7, 10, 5);
	synth_mkworker(&w[1], 0, 1, 8, 10, 5);
	synth_hello(&s, 1);
	synth_job(&s, &j);
	synth_worker(&s, &w[0]);
	mark = s.w.len;
	synth_worker(&s, &w[1]);
	synth_exit(&s, 0);
	s.w.buf[mark + KT_HDR_LEN + 40] ^= 0x55;	/* payload damage: checksum fails */
	feed(&r, &s);
	assert_int_equal(r.dec.bad_checksum, 1);
	assert_int_equal(r.seq_gaps, 1);
	assert_int_equal(result_missing(&r), 1);
	assert_int_equal(checks_run(&r, &vd), 0);
	assert_int_equal(checks_exit_status(&r, &vd, why, sizeof(why)), 99);
	verdict_free(&vd);
	result_free(&r);
	kt_job_free(&j);
}

static void test_feed_fd(void **state)
{
	struct kt_worker_report w;
	struct synth s = { 0 };
	struct result r;
	struct kt_job j;
	char path[] = "/tmp/ktstr-result-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	synth_job1(&j, 1);
	synth_mkworker(&w, 0, 0, 7, 10, 5);
	w.wake.n = w.timer.n = KT_RES_CAP;
	w.wake.count = w.timer.count = KT_RES_CAP;
	synth_hello(&s, 1);
	synth_job(&s, &j);
	for (int i = 0; i < 300; i++)	/* > 1 MiB of stream: several reads, frames split */
		synth_worker(&s, &w);
	synth_exit(&s, 0);
	assert_true(s.w.len > (1 << 20));
	assert_int_equal(write(fd, s.w.buf, s.w.len), (ssize_t)s.w.len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	result_init(&r);
	assert_int_equal(result_feed_fd(&r, fd), 0);
	close(fd);
	unlink(path);
	assert_int_equal(r.frames, 303);
	assert_int_equal(r.groups[0].nreports, 1);
	assert_int_equal(r.invalid, 299);	/* duplicates */
	assert_true(r.have_exit);
	result_free(&r);
	kt_wbuf_free(&s.w);
	kt_job_free(&j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_stream),
		cmocka_unit_test(test_lying_reports_rejected),
		cmocka_unit_test(test_host_job_wins),
		cmocka_unit_test(test_damaged_stream),
		cmocka_unit_test(test_feed_fd),
	};
	return cmocka_run_group_tests_name("result", tests, NULL, NULL);
}
