// SPDX-License-Identifier: GPL-2.0-only
/* Measurement core: reservoir, checkpoint bookkeeping, /proc parsers on captured text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../shared/measure.h"

#define MS 1000000ull

static void test_reservoir_small(void **state)
{
	struct kt_samples s = { 0 };
	struct kt_rng r;

	(void)state;
	kt_rng_seed(&r, 1);
	for (uint64_t i = 1; i <= 100; i++)
		kt_samples_add(&s, i * 1000, &r);
	/* Under capacity every value is kept, in order. */
	assert_int_equal(s.count, 100);
	assert_int_equal(s.n, 100);
	assert_int_equal(s.sum_ns, 5050 * 1000);
	assert_int_equal(s.max_ns, 100000);
	for (uint32_t i = 0; i < 100; i++)
		assert_int_equal(s.v_ns[i], (i + 1) * 1000);
	/* Values over 32 bits saturate in the sample but count fully in sum and max. */
	kt_samples_add(&s, 10000000000ull, &r);
	assert_int_equal(s.v_ns[100], UINT32_MAX);
	assert_int_equal(s.max_ns, 10000000000ull);
}

static void test_reservoir_capacity_and_uniformity(void **state)
{
	struct kt_samples *s = calloc(1, sizeof(*s));
	const uint64_t n = 200000;
	unsigned quart[4] = { 0 };
	uint64_t late = 0;
	struct kt_rng r;

	(void)state;
	kt_rng_seed(&r, 42);
	for (uint64_t i = 0; i < n; i++)
		kt_samples_add(s, i, &r);
	assert_int_equal(s->count, n);
	assert_int_equal(s->n, KT_RES_CAP);
	assert_int_equal(s->max_ns, n - 1);
	assert_int_equal(s->sum_ns, n * (n - 1) / 2);
	for (uint32_t i = 0; i < s->n; i++) {
		quart[s->v_ns[i] * 4 / n]++;
		late += s->v_ns[i] >= n / 2;
	}
	/*
	 * A uniform sample of 512 puts 128 in each quarter (sd ~9.8): a reservoir that kept
	 * the first values, or favoured the last ones, fails by far. 5 sd either way.
	 */
	for (int q = 0; q < 4; q++)
		assert_in_range(quart[q], 128 - 49, 128 + 49);
	assert_in_range(late, 256 - 57, 256 + 57);
	free(s);
}

/* Different seeds give different samples; the same seed the same one (reproducible). */
static void test_reservoir_seeded(void **state)
{
	struct kt_samples *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	struct kt_rng ra, rb;

	(void)state;
	kt_rng_seed(&ra, 7);
	kt_rng_seed(&rb, 8);
	for (uint64_t i = 0; i < 5000; i++) {
		kt_samples_add(a, i, &ra);
		kt_samples_add(b, i, &rb);
	}
	assert_memory_not_equal(a->v_ns, b->v_ns, sizeof(a->v_ns));
	kt_rng_seed(&rb, 7);
	memset(b, 0, sizeof(*b));
	for (uint64_t i = 0; i < 5000; i++)
		kt_samples_add(b, i, &rb);
	assert_memory_equal(a->v_ns, b->v_ns, sizeof(a->v_ns));
	for (int i = 0; i < 1000; i++)
		assert_true(kt_rng_below(&ra, 3) < 3);
	free(a);
	free(b);
}

static void test_ckpt_gaps(void **state)
{
	struct kt_worker_report *r = calloc(1, sizeof(*r));
	struct kt_ckpt c;

	(void)state;
	kt_ckpt_start(&c, r, 1000 * MS, 1);
	kt_ckpt_progress(&c, r, 1001 * MS, 1);
	kt_ckpt_progress(&c, r, 1003 * MS, 1);
	assert_int_equal(r->max_gap_ns, 2 * MS);
	/* A 900 ms stall (preempted, SIGSTOPped) between two checkpoints is the gap. */
	kt_ckpt_progress(&c, r, 1903 * MS, 1);
	kt_ckpt_progress(&c, r, 1904 * MS, 1);
	assert_int_equal(r->max_gap_ns, 900 * MS);
	assert_int_equal(r->max_gap_at_ns, 903 * MS);
	assert_int_equal(r->max_gap_cpu, 1);
	assert_int_equal(r->migrations, 0);
	free(r);
}

static void test_ckpt_sleep_is_not_a_gap(void **state)
{
	struct kt_worker_report *r = calloc(1, sizeof(*r));
	struct kt_ckpt c;

	(void)state;
	kt_ckpt_start(&c, r, 0, 0);
	kt_ckpt_progress(&c, r, 3 * MS, 0);	/* work before the sleep: a 3 ms gap */
	/* The worker sleeps 5 s (blocking call), then resumes: no 5 s gap. */
	kt_ckpt_resume(&c, r, 5003 * MS, 0);
	kt_ckpt_progress(&c, r, 5004 * MS, 0);
	assert_int_equal(r->max_gap_ns, 3 * MS);
	/* But a stall after the resume is one. */
	kt_ckpt_progress(&c, r, 5104 * MS, 0);
	assert_int_equal(r->max_gap_ns, 100 * MS);
	assert_int_equal(r->max_gap_at_ns, 5104 * MS);
	free(r);
}

static void test_ckpt_migrations(void **state)
{
	struct kt_worker_report *r = calloc(1, sizeof(*r));
	struct kt_ckpt c;

	(void)state;
	kt_ckpt_start(&c, r, 10 * MS, 2);
	kt_ckpt_progress(&c, r, 11 * MS, 2);
	kt_ckpt_progress(&c, r, 12 * MS, 0);	/* 2 -> 0 */
	kt_ckpt_resume(&c, r, 20 * MS, 3);	/* woke elsewhere: 0 -> 3 */
	kt_ckpt_progress(&c, r, 21 * MS, 3);
	assert_int_equal(r->migrations, 2);
	assert_int_equal(r->nmig, 2);
	assert_int_equal(r->mig[0].t_ns, 2 * MS);
	assert_int_equal(r->mig[0].from, 2);
	assert_int_equal(r->mig[0].to, 0);
	assert_int_equal(r->mig[1].t_ns, 10 * MS);
	assert_int_equal(r->mig[1].from, 0);
	assert_int_equal(r->mig[1].to, 3);
	/* Only the first KT_MIG_CAP keep their details; the count goes on. */
	for (int i = 0; i < 100; i++)
		kt_ckpt_progress(&c, r, (uint64_t)(22 + i) * MS, i % 2 ? 3 : 200);
	assert_int_equal(r->migrations, 102);
	assert_int_equal(r->nmig, KT_MIG_CAP);
	kt_ckpt_finish(&c, r);
	assert_int_equal(r->ncpus, 4);
	assert_int_equal(r->cpus[0], 0);
	assert_int_equal(r->cpus[1], 2);
	assert_int_equal(r->cpus[2], 3);
	assert_int_equal(r->cpus[3], 200);
	free(r);
}

/* A pinned worker: one CPU, no migrations, whatever the checkpoints. */
static void test_ckpt_pinned(void **state)
{
	struct kt_worker_report *r = calloc(1, sizeof(*r));
	struct kt_ckpt c;

	(void)state;
	kt_ckpt_start(&c, r, 0, 1);
	for (int i = 1; i < 1000; i++)
		(i % 3 ? kt_ckpt_progress : kt_ckpt_resume)(&c, r, (uint64_t)i * MS, 1);
	kt_ckpt_finish(&c, r);
	assert_int_equal(r->migrations, 0);
	assert_int_equal(r->ncpus, 1);
	assert_int_equal(r->cpus[0], 1);
	free(r);
}

static void test_schedstat(void **state)
{
	uint64_t v[3];

	(void)state;
	/* Captured from /proc/<pid>/task/<tid>/schedstat (Linux 6.12). */
	assert_int_equal(kt_parse_schedstat("1095763 2227192 5\n", v), 0);
	assert_int_equal(v[0], 1095763);
	assert_int_equal(v[1], 2227192);
	assert_int_equal(v[2], 5);
	assert_int_equal(kt_parse_schedstat("0 3043097 1\n", v), 0);
	assert_int_equal(v[0], 0);
	assert_int_equal(kt_parse_schedstat("18446744073709551615 0 0", v), 0);
	assert_int_equal(v[0], UINT64_MAX);
	assert_int_equal(kt_parse_schedstat("1 2\n", v), -1);
	assert_int_equal(kt_parse_schedstat("1 2 x\n", v), -1);
	assert_int_equal(kt_parse_schedstat("1 2 3 4\n", v), -1);
	assert_int_equal(kt_parse_schedstat("", v), -1);
}

/* Captured from /proc/self/numa_maps of cat(1) on a one-node host (Linux 6.12). */
static const char numa_host[] =
	"55fa9543b000 default file=/usr/bin/cat mapped=2 N0=2 kernelpagesize_kB=4\n"
	"55fa95445000 default file=/usr/bin/cat anon=1 dirty=1 active=0 N0=1 kernelpagesize_kB=4\n"
	"55faaa2cb000 default heap anon=4 dirty=4 active=0 N0=4 kernelpagesize_kB=4\n"
	"7f2045ed0000 default file=/usr/lib/locale/C.utf8/LC_CTYPE mapped=32 mapmax=26 N0=32 kernelpagesize_kB=4\n"
	"7f2045f2a000 default file=/usr/lib/locale/C.utf8/LC_MONETARY mapped=1 mapmax=19 N0=1 kernelpagesize_kB=4\n"
	"7f2046100000 default file=/usr/lib/x86_64-linux-gnu/libc.so.6 anon=4 dirty=4 active=0 N0=4 kernelpagesize_kB=4\n"
	"7f2046124000 default\n"
	"7f2046126000 default\n"
	"7f2046128000 default file=/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 mapped=1 mapmax=34 N0=1 kernelpagesize_kB=4\n"
	"7f2046129000 default file=/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 mapped=38 mapmax=34 N0=38 kernelpagesize_kB=4\n"
	"7f204614f000 default file=/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 mapped=10 mapmax=34 N0=10 kernelpagesize_kB=4\n"
	"7f2046159000 default file=/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 anon=2 dirty=2 active=0 N0=2 kernelpagesize_kB=4\n"
	"7f204615b000 default file=/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 anon=2 dirty=2 active=0 N0=2 kernelpagesize_kB=4\n"
	"7ffdce9e1000 default stack anon=3 dirty=3 active=1 N0=3 kernelpagesize_kB=4\n";

static void test_numa_maps_host(void **state)
{
	uint64_t pages[KT_NODES_CAP] = { 0 };
	uint32_t nn = 0;

	(void)state;
	assert_int_equal(kt_parse_numa_maps(numa_host, strlen(numa_host), pages, &nn), 14);
	assert_int_equal(nn, 1);
	assert_int_equal(pages[0], 100);
	assert_int_equal(pages[1], 0);
}

/* The two-node forms the kernel prints: interleave policy, several N<k>, huge pages. */
static const char numa_two[] =
	"7f6a2c000000 interleave:0-1 anon=512 dirty=512 N0=256 N1=256 kernelpagesize_kB=4\n"
	"7f6a40000000 bind:1 anon=2 dirty=2 N1=2 kernelpagesize_kB=2048\n"
	"7f6a50000000 default file=/init mapped=3 N0=3 kernelpagesize_kB=4\n"
	"7f6a60000000 default anon=1 N99=5 N1=x N=3 kernelpagesize_kB=4\n"
	"7f6a70000000 default anon=1 N3=1 kernelpagesize_kB=4";

static void test_numa_maps_nodes(void **state)
{
	uint64_t pages[KT_NODES_CAP] = { 0 };
	uint32_t nn = 0;

	(void)state;
	assert_int_equal(kt_parse_numa_maps(numa_two, strlen(numa_two), pages, &nn), 5);
	assert_int_equal(pages[0], 259);
	assert_int_equal(pages[1], 256 + 2 * 512);	/* 2 MiB pages count as 512 each */
	assert_int_equal(pages[2], 0);
	assert_int_equal(pages[3], 1);	/* last line without a newline */
	assert_int_equal(nn, 4);	/* N99 is beyond the cap: ignored */
	nn = 0;
	assert_int_equal(kt_parse_numa_maps("", 0, pages, &nn), 0);
	assert_int_equal(nn, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reservoir_small),
		cmocka_unit_test(test_reservoir_capacity_and_uniformity),
		cmocka_unit_test(test_reservoir_seeded),
		cmocka_unit_test(test_ckpt_gaps),
		cmocka_unit_test(test_ckpt_sleep_is_not_a_gap),
		cmocka_unit_test(test_ckpt_migrations),
		cmocka_unit_test(test_ckpt_pinned),
		cmocka_unit_test(test_schedstat),
		cmocka_unit_test(test_numa_maps_host),
		cmocka_unit_test(test_numa_maps_nodes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
