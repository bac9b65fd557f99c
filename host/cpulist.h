/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sets of host CPU numbers and the kernel's list format ("0-3,8,10-11") used by sysfs,
 * /proc/<pid>/status and cpusets. The one parser every part of ktstr uses.
 */
#ifndef KTSTR_CPULIST_H
#define KTSTR_CPULIST_H

#include <stddef.h>
#include <stdint.h>

#define KT_MAX_CPUS 1024	/* glibc's CPU_SETSIZE: what sched_setaffinity takes here */

struct cpuset {
	uint64_t w[KT_MAX_CPUS / 64];
};

static inline void cpuset_zero(struct cpuset *s)
{
	for (size_t i = 0; i < KT_MAX_CPUS / 64; i++)
		s->w[i] = 0;
}

static inline void cpuset_set(struct cpuset *s, unsigned cpu)
{
	if (cpu < KT_MAX_CPUS)
		s->w[cpu / 64] |= 1ull << (cpu % 64);
}

static inline void cpuset_clear(struct cpuset *s, unsigned cpu)
{
	if (cpu < KT_MAX_CPUS)
		s->w[cpu / 64] &= ~(1ull << (cpu % 64));
}

static inline int cpuset_has(const struct cpuset *s, unsigned cpu)
{
	return cpu < KT_MAX_CPUS && (s->w[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned cpuset_count(const struct cpuset *s);
/* d = a & b (d may alias a or b) */
void cpuset_and(struct cpuset *d, const struct cpuset *a, const struct cpuset *b);
void cpuset_or(struct cpuset *d, const struct cpuset *a, const struct cpuset *b);
int cpuset_equal(const struct cpuset *a, const struct cpuset *b);
/* Lowest CPU in s at or after from, or -1. */
int cpuset_next(const struct cpuset *s, int from);
#define cpuset_for_each(cpu, s) \
	for (int cpu = cpuset_next((s), 0); cpu >= 0; cpu = cpuset_next((s), cpu + 1))

/*
 * Parses a CPU list; trailing whitespace (sysfs's newline) is allowed, an empty list is
 * the empty set. Returns 0, or -1 with why naming the bad part.
 */
int cpulist_parse(const char *s, struct cpuset *out, char *why, size_t wsz);
/* Formats s as a CPU list ("" when empty); returns the length it needed. */
size_t cpulist_format(const struct cpuset *s, char *buf, size_t sz);

#endif
