// SPDX-License-Identifier: GPL-2.0-only
/* Statistics against values computed by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../../host/stats.h"

#define EPS 1e-9
/* cmocka 1.1 compares floats only; doubles need their own check. */
#define assert_double_equal(a, b, eps) \
	do { \
		double a_ = (a), b_ = (b); \
		if (!(a_ - b_ <= (eps) && b_ - a_ <= (eps))) \
			fail_msg("%s = %.12g, expected %.12g", #a, a_, b_); \
	} while (0)

static void test_percentiles(void **state)
{
	/* rank = p/100 * (n-1): n=5 -> p50 rank 2 (=30), p99 rank 3.96 (=40+0.96*10), p25 rank 1 */
	const double v[] = { 10, 20, 30, 40, 50 };

	(void)state;
	assert_double_equal(stats_percentile_sorted(v, 5, 50), 30, EPS);
	assert_double_equal(stats_percentile_sorted(v, 5, 99), 49.6, EPS);
	assert_double_equal(stats_percentile_sorted(v, 5, 25), 20, EPS);
	assert_double_equal(stats_percentile_sorted(v, 5, 10), 14, EPS);	/* rank 0.4 */
	assert_double_equal(stats_percentile_sorted(v, 5, 0), 10, EPS);
	assert_double_equal(stats_percentile_sorted(v, 5, 100), 50, EPS);
	assert_double_equal(stats_percentile_sorted(v, 1, 99), 10, EPS);
	assert_double_equal(stats_percentile_sorted(v, 0, 50), 0, EPS);
	/* n=2: p50 is the midpoint */
	assert_double_equal(stats_percentile_sorted(v, 2, 50), 15, EPS);
}

static void test_summary_unsorted(void **state)
{
	/* mean 5; deviations -3,-1,-1,-1,0,0,2,4 -> squares sum 32; population var 4, sd 2 */
	const double v[] = { 9, 2, 5, 4, 5, 4, 7, 4 };
	struct stats s;

	(void)state;
	assert_int_equal(stats_summarise(v, 8, &s), 0);
	assert_int_equal(s.n, 8);
	assert_double_equal(s.mean, 5, EPS);
	assert_double_equal(s.stddev, 2, EPS);
	assert_double_equal(s.min, 2, EPS);
	assert_double_equal(s.max, 9, EPS);
	assert_double_equal(stats_spread(&s), 7, EPS);
	assert_double_equal(stats_cv(&s), 0.4, EPS);
	/* sorted: 2 4 4 4 5 5 7 9; p50 rank 3.5 -> 4.5; p99 rank 6.93 -> 7 + 0.93*2 */
	assert_double_equal(s.p50, 4.5, EPS);
	assert_double_equal(s.p99, 8.86, EPS);
	/* the input is untouched */
	assert_double_equal(v[0], 9, EPS);
}

static void test_edge_cases(void **state)
{
	const double zeros[] = { 0, 0, 0 };
	struct stats s;

	(void)state;
	assert_int_equal(stats_summarise(zeros, 0, &s), 0);
	assert_int_equal(s.n, 0);
	assert_int_equal(stats_summarise(zeros, 3, &s), 0);
	assert_double_equal(stats_cv(&s), 0, EPS);	/* no division by zero */
	assert_double_equal(stats_spread(&s), 0, EPS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentiles),
		cmocka_unit_test(test_summary_unsorted),
		cmocka_unit_test(test_edge_cases),
	};
	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
