// SPDX-License-Identifier: GPL-2.0-only
#include "measure.h"

#include <stdlib.h>
#include <string.h>

void kt_rng_seed(struct kt_rng *r, uint64_t seed)
{
	/* splitmix64 spreads a small seed (a tid) over all bits; 0 would stick at 0. */
	seed += 0x9e3779b97f4a7c15ull;
	seed = (seed ^ (seed >> 30)) * 0xbf58476d1ce4e5b9ull;
	seed = (seed ^ (seed >> 27)) * 0x94d049bb133111ebull;
	seed ^= seed >> 31;
	r->s = seed ? seed : 1;
}

uint64_t kt_rng_next(struct kt_rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545f4914f6cdd1dull;
}

uint64_t kt_rng_below(struct kt_rng *r, uint64_t n)
{
	return (uint64_t)(((unsigned __int128)kt_rng_next(r) * n) >> 64);
}

void kt_samples_add(struct kt_samples *s, uint64_t v_ns, struct kt_rng *r)
{
	uint32_t v = v_ns > UINT32_MAX ? UINT32_MAX : (uint32_t)v_ns;

	s->count++;
	s->sum_ns += v_ns;
	if (v_ns > s->max_ns)
		s->max_ns = v_ns;
	if (s->n < KT_RES_CAP) {
		s->v_ns[s->n++] = v;
	} else {
		/* Algorithm R: the count-th value replaces a random slot with p = cap/count. */
		uint64_t j = kt_rng_below(r, s->count);

		if (j < KT_RES_CAP)
			s->v_ns[j] = v;
	}
}

static void note_cpu(struct kt_ckpt *c, struct kt_worker_report *r, uint64_t now_ns, int cpu)
{
	if (cpu < 0)
		return;
	if (cpu < KT_CPUS_CAP)
		c->cpumask[cpu / 64] |= 1ull << (cpu % 64);
	if (c->last_cpu >= 0 && cpu != c->last_cpu) {
		if (r->nmig < KT_MIG_CAP) {
			r->mig[r->nmig].t_ns = now_ns - c->t0_ns;
			r->mig[r->nmig].from = (uint32_t)c->last_cpu;
			r->mig[r->nmig].to = (uint32_t)cpu;
			r->nmig++;
		}
		r->migrations++;
	}
	c->last_cpu = cpu;
}

void kt_ckpt_start(struct kt_ckpt *c, struct kt_worker_report *r, uint64_t now_ns, int cpu)
{
	memset(c, 0, sizeof(*c));
	c->t0_ns = c->last_ns = now_ns;
	c->last_cpu = -1;
	note_cpu(c, r, now_ns, cpu);
}

void kt_ckpt_progress(struct kt_ckpt *c, struct kt_worker_report *r, uint64_t now_ns, int cpu)
{
	uint64_t gap = now_ns > c->last_ns ? now_ns - c->last_ns : 0;

	if (gap > r->max_gap_ns) {
		r->max_gap_ns = gap;
		/* The CPU the worker was stuck on, not the one that finally ran it. */
		r->max_gap_cpu = c->last_cpu >= 0 ? (uint32_t)c->last_cpu : 0;
		r->max_gap_at_ns = now_ns - c->t0_ns;
	}
	c->last_ns = now_ns;
	note_cpu(c, r, now_ns, cpu);
}

void kt_ckpt_resume(struct kt_ckpt *c, struct kt_worker_report *r, uint64_t now_ns, int cpu)
{
	c->last_ns = now_ns;
	note_cpu(c, r, now_ns, cpu);
}

void kt_ckpt_finish(const struct kt_ckpt *c, struct kt_worker_report *r)
{
	r->ncpus = 0;
	for (int cpu = 0; cpu < KT_CPUS_CAP; cpu++)
		if (c->cpumask[cpu / 64] & (1ull << (cpu % 64)))
			r->cpus[r->ncpus++] = (uint16_t)cpu;
}

/* Parses an unsigned decimal at *p, advancing it; -1 when there is none. */
static int get_u64(const char **p, const char *end, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;

	if (s >= end || *s < '0' || *s > '9')
		return -1;
	while (s < end && *s >= '0' && *s <= '9') {
		v = v * 10 + (uint64_t)(*s - '0');
		s++;
	}
	*p = s;
	*out = v;
	return 0;
}

int kt_parse_schedstat(const char *text, uint64_t out[3])
{
	const char *p = text, *end = text + strlen(text);

	for (int i = 0; i < 3; i++) {
		while (p < end && *p == ' ')
			p++;
		if (get_u64(&p, end, &out[i]) < 0)
			return -1;
	}
	while (p < end && (*p == ' ' || *p == '\n'))
		p++;
	return p == end ? 0 : -1;
}

/* One numa_maps line: "ADDR POLICY key=value ...", with N<node>=<pages> among the keys. */
static void numa_line(const char *p, const char *end, uint64_t pages[KT_NODES_CAP],
		      uint32_t *nnodes)
{
	uint64_t node_pages[KT_NODES_CAP] = { 0 }, scale = 1;
	uint32_t hi = 0;

	while (p < end) {
		const char *tok = p;
		uint64_t node, v;

		while (p < end && *p != ' ')
			p++;
		if (tok[0] == 'N') {
			const char *q = tok + 1;

			if (!get_u64(&q, p, &node) && q < p && *q == '=') {
				q++;
				if (!get_u64(&q, p, &v) && q == p && node < KT_NODES_CAP) {
					node_pages[node] += v;
					if (node + 1 > hi)
						hi = (uint32_t)node + 1;
				}
			}
		} else if (p - tok > 18 && !memcmp(tok, "kernelpagesize_kB=", 18)) {
			const char *q = tok + 18;

			if (!get_u64(&q, p, &v) && v >= 4)
				scale = v / 4;
		}
		while (p < end && *p == ' ')
			p++;
	}
	for (uint32_t i = 0; i < hi; i++)
		pages[i] += node_pages[i] * scale;
	if (hi > *nnodes)
		*nnodes = hi;
}

int kt_parse_numa_maps(const char *text, size_t len, uint64_t pages[KT_NODES_CAP],
		       uint32_t *nnodes)
{
	const char *p = text, *end = text + len;
	int lines = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;

		if (le > p) {
			numa_line(p, le, pages, nnodes);
			lines++;
		}
		p = nl ? nl + 1 : end;
	}
	return lines;
}
