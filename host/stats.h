/* SPDX-License-Identifier: GPL-2.0-only */
/* Descriptive statistics for worker measurements. */
#ifndef KTSTR_STATS_H
#define KTSTR_STATS_H

#include <stddef.h>

struct stats {
	size_t n;
	double min, max, mean;
	double stddev;		/* population standard deviation */
	double p50, p99;
};

/*
 * Percentile p (0..100) of n sorted values, interpolating linearly between the two nearest
 * ranks (the "linear" method of numpy and R type 7): rank = p/100 * (n - 1).
 * Returns 0 for n == 0.
 */
double stats_percentile_sorted(const double *sorted, size_t n, double p);
/* Summarises n values (not modified; sorted in a copy). Returns -1 if out of memory. */
int stats_summarise(const double *v, size_t n, struct stats *s);
/* Coefficient of variation: stddev / mean; 0 when the mean is 0. */
double stats_cv(const struct stats *s);
/* max - min */
double stats_spread(const struct stats *s);

#endif
