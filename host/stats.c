// SPDX-License-Identifier: GPL-2.0-only
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

double stats_percentile_sorted(const double *sorted, size_t n, double p)
{
	double rank, frac;
	size_t lo;

	if (n == 0)
		return 0;
	if (p <= 0)
		return sorted[0];
	if (p >= 100)
		return sorted[n - 1];
	rank = p / 100.0 * (double)(n - 1);
	lo = (size_t)rank;
	frac = rank - (double)lo;
	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

int stats_summarise(const double *v, size_t n, struct stats *s)
{
	double *sorted, sum = 0, sq = 0;

	memset(s, 0, sizeof(*s));
	if (n == 0)
		return 0;
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted)
		return -1;
	memcpy(sorted, v, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_double);
	for (size_t i = 0; i < n; i++)
		sum += sorted[i];
	s->n = n;
	s->mean = sum / (double)n;
	/* Two passes: the textbook one-pass formula loses precision on large values. */
	for (size_t i = 0; i < n; i++)
		sq += (sorted[i] - s->mean) * (sorted[i] - s->mean);
	s->stddev = sqrt(sq / (double)n);
	s->min = sorted[0];
	s->max = sorted[n - 1];
	s->p50 = stats_percentile_sorted(sorted, n, 50);
	s->p99 = stats_percentile_sorted(sorted, n, 99);
	free(sorted);
	return 0;
}

double stats_cv(const struct stats *s)
{
	return s->mean != 0 ? s->stddev / fabs(s->mean) : 0;
}

double stats_spread(const struct stats *s)
{
	return s->max - s->min;
}
