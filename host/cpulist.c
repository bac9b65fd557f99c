// SPDX-License-Identifier: GPL-2.0-only
#include "cpulist.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned cpuset_count(const struct cpuset *s)
{
	unsigned n = 0;

	for (size_t i = 0; i < KT_MAX_CPUS / 64; i++)
		n += (unsigned)__builtin_popcountll(s->w[i]);
	return n;
}

void cpuset_and(struct cpuset *d, const struct cpuset *a, const struct cpuset *b)
{
	for (size_t i = 0; i < KT_MAX_CPUS / 64; i++)
		d->w[i] = a->w[i] & b->w[i];
}

void cpuset_or(struct cpuset *d, const struct cpuset *a, const struct cpuset *b)
{
	for (size_t i = 0; i < KT_MAX_CPUS / 64; i++)
		d->w[i] = a->w[i] | b->w[i];
}

int cpuset_equal(const struct cpuset *a, const struct cpuset *b)
{
	for (size_t i = 0; i < KT_MAX_CPUS / 64; i++)
		if (a->w[i] != b->w[i])
			return 0;
	return 1;
}

int cpuset_next(const struct cpuset *s, int from)
{
	if (from < 0)
		from = 0;
	for (unsigned i = (unsigned)from / 64; i < KT_MAX_CPUS / 64; i++) {
		uint64_t w = s->w[i];

		if (i == (unsigned)from / 64)
			w &= ~0ull << (from % 64);
		if (w)
			return (int)(i * 64 + (unsigned)__builtin_ctzll(w));
	}
	return -1;
}

static int cpu_num(const char **p, unsigned *out)
{
	char *end;
	unsigned long v;

	if (!isdigit((unsigned char)**p))
		return -1;
	errno = 0;
	v = strtoul(*p, &end, 10);
	if (errno || v >= KT_MAX_CPUS)
		return -1;
	*out = (unsigned)v;
	*p = end;
	return 0;
}

int cpulist_parse(const char *s, struct cpuset *out, char *why, size_t wsz)
{
	const char *p = s;

	cpuset_zero(out);
	while (*p && !isspace((unsigned char)*p)) {
		unsigned lo, hi;

		if (cpu_num(&p, &lo))
			goto bad;
		hi = lo;
		if (*p == '-') {
			p++;
			if (cpu_num(&p, &hi) || hi < lo)
				goto bad;
		}
		for (unsigned c = lo; c <= hi; c++)
			cpuset_set(out, c);
		if (*p == ',') {
			p++;
			if (!*p || isspace((unsigned char)*p))
				goto bad;
		} else if (*p && !isspace((unsigned char)*p)) {
			goto bad;
		}
	}
	while (isspace((unsigned char)*p))
		p++;
	if (*p)
		goto bad;
	return 0;
bad:
	snprintf(why, wsz, "'%.*s' is not a CPU list like 0-3,8 (CPUs 0 to %d) at '%.20s'",
		 (int)strcspn(s, "\n"), s, KT_MAX_CPUS - 1, p);
	return -1;
}

size_t cpulist_format(const struct cpuset *s, char *buf, size_t sz)
{
	size_t n = 0;
	int c = cpuset_next(s, 0);

	if (sz)
		buf[0] = '\0';
	while (c >= 0) {
		int e = c;
		int k;

		while (cpuset_has(s, (unsigned)e + 1))
			e++;
		if (e == c)
			k = snprintf(buf + (n < sz ? n : sz), n < sz ? sz - n : 0, "%s%d",
				     n ? "," : "", c);
		else
			k = snprintf(buf + (n < sz ? n : sz), n < sz ? sz - n : 0, "%s%d-%d",
				     n ? "," : "", c, e);
		n += (size_t)k;
		c = cpuset_next(s, e + 1);
	}
	return n;
}
