// SPDX-License-Identifier: GPL-2.0-only
#include "plan.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

unsigned plan_budget(unsigned cpu_cap, unsigned vcpus, unsigned usable)
{
	unsigned floor30 = (usable * 3 + 9) / 10;	/* 30%, rounded up */
	unsigned b;

	if (cpu_cap)
		return cpu_cap;
	b = vcpus > floor30 ? vcpus : floor30;
	if (b > usable)
		b = usable;
	return b ? b : 1;
}

static const struct plan_held no_holders;

static void add_lock(struct plan *p, char kind, unsigned idx, int excl)
{
	if (p->nlocks < PLAN_MAX_LOCKS)
		p->locks[p->nlocks++] = (struct plan_lock){ kind, idx, excl };
}

/* A CPU nobody holds in any way (perf mode needs those). */
static int cpu_idle(const struct plan_held *h, unsigned c)
{
	return !cpuset_has(&h->cpu_excl, c) && !h->cpu_shared[c];
}

static int llc_idle(const struct hosttopo *t, const struct plan_held *h, unsigned l)
{
	if (h->llc_excl[l] || h->llc_shared[l])
		return 0;
	cpuset_for_each(c, &t->llc[l].usable)
		if (!cpu_idle(h, (unsigned)c))
			return 0;
	return 1;
}

/* Host node indices ordered by distance from node 'from' (ties: lower id first). */
static void nodes_by_distance(const struct hosttopo *t, unsigned from, unsigned *order)
{
	for (unsigned i = 0; i < t->nnodes; i++)
		order[i] = i;
	for (unsigned i = 1; i < t->nnodes; i++) {	/* insertion sort: a handful of nodes */
		unsigned v = order[i], j = i;

		while (j > 0 && t->node[from].dist[order[j - 1]] > t->node[from].dist[v]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = v;
	}
}

/* ---- performance mode ---- */

/*
 * The CPUs of set in the order vCPUs take them. Guest SMT (threads > 1): core by core, the
 * siblings of a core together, so guest siblings share a host core. No guest SMT: the first
 * thread of every core, then the second ..., so vCPUs get whole cores while they last.
 */
static unsigned smt_order(const struct hosttopo *t, const struct cpuset *set, int core_major,
			  int *out)
{
	struct cpuset left = *set;
	unsigned n = 0;

	if (core_major) {
		cpuset_for_each(c, set) {
			if (!cpuset_has(&left, (unsigned)c))
				continue;
			cpuset_for_each(s, &left)
				if (t->core_of[s] == t->core_of[c]) {
					out[n++] = s;
					cpuset_clear(&left, (unsigned)s);
				}
		}
		return n;
	}
	while (cpuset_count(&left)) {	/* one round per SMT thread */
		struct cpuset round_cores;

		cpuset_zero(&round_cores);
		cpuset_for_each(c, set) {
			if (!cpuset_has(&left, (unsigned)c) || cpuset_has(&round_cores, t->core_of[c]))
				continue;
			cpuset_set(&round_cores, t->core_of[c]);
			out[n++] = c;
			cpuset_clear(&left, (unsigned)c);
		}
	}
	return n;
}

static enum plan_result plan_perf(const struct hosttopo *t, const struct plan_req *req,
				  const struct plan_held *h, struct plan *p, char *why, size_t wsz)
{
	const struct topology *v = &req->vtopo;
	unsigned per_llc = v->cores * v->threads, per_node = v->llcs / v->nodes;
	unsigned eligible = 0, nfree = 0, order[HT_MAX_NODES];
	unsigned char isfree[HT_MAX_LLCS] = { 0 }, taken[HT_MAX_LLCS] = { 0 };
	unsigned char node_used[HT_MAX_NODES] = { 0 };
	struct cpuset vcpus;
	int svc = -1;

	for (unsigned l = 0; l < t->nllcs; l++) {
		if (t->llc[l].nusable < per_llc)
			continue;
		eligible++;
		isfree[l] = llc_idle(t, h, l);
		nfree += isfree[l];
	}
	if (eligible < v->llcs) {
		snprintf(why, wsz,
			 "--perf-mode needs %u whole host LLCs with at least %u usable CPUs each "
			 "(one per virtual LLC); this host has %u such LLC%s (%u LLCs, %u usable CPUs)",
			 v->llcs, per_llc, eligible, eligible == 1 ? "" : "s", t->nllcs, t->nusable);
		return PLAN_NEVER;
	}
	if (t->nusable < v->llcs * per_llc + 1) {
		snprintf(why, wsz,
			 "--perf-mode needs %u CPUs for vCPUs plus a service CPU; this host has %u "
			 "usable CPUs", v->llcs * per_llc, t->nusable);
		return PLAN_NEVER;
	}
	if (nfree < v->llcs) {
		snprintf(why, wsz, "--perf-mode needs %u free LLCs with %u+ CPUs; %u of %u are "
			 "held by other ktstr runs", v->llcs, per_llc, eligible - nfree, eligible);
		return PLAN_BUSY;
	}

	/* Each guest node on one host node, distinct host nodes first, else the nearest. */
	for (unsigned g = 0; g < v->nodes; g++) {
		unsigned cnt[HT_MAX_NODES] = { 0 }, best = ~0u, got = 0;

		for (unsigned l = 0; l < t->nllcs; l++)
			if (isfree[l] && !taken[l])
				cnt[t->llc[l].node]++;
		for (int pass = 0; pass < 2 && best == ~0u; pass++)
			for (unsigned n = 0; n < t->nnodes && best == ~0u; n++)
				if (cnt[n] >= per_node && (pass || !node_used[n]))
					best = n;
		if (best != ~0u) {
			order[0] = best;
		} else {
			/* Spill: start where most is free, then by distance from there. */
			unsigned start = 0;

			for (unsigned n = 1; n < t->nnodes; n++)
				if (cnt[n] > cnt[start])
					start = n;
			nodes_by_distance(t, start, order);
		}
		for (unsigned oi = 0; oi < t->nnodes && got < per_node; oi++) {
			unsigned n = order[oi];

			if (best != ~0u && oi > 0)
				break;
			node_used[n] = 1;
			for (unsigned l = 0; l < t->nllcs && got < per_node; l++) {
				if (!isfree[l] || taken[l] || t->llc[l].node != n)
					continue;
				taken[l] = 1;
				p->llc[p->nllcs++] = l;
				got++;
			}
		}
		if (best == ~0u) {	/* name the host nodes it spans, in the order taken */
			int o = snprintf(p->note, sizeof(p->note), "guest node %u (%u LLCs) does not "
					 "fit in one host node: spans host nodes", g, per_node);
			unsigned char named[HT_MAX_NODES] = { 0 };
			const char *sep = " ";

			for (unsigned i = p->nllcs - got; i < p->nllcs; i++) {
				unsigned n = t->llc[p->llc[i]].node;

				if (named[n] || o < 0 || (size_t)o >= sizeof(p->note))
					continue;
				named[n] = 1;
				o += snprintf(p->note + o, sizeof(p->note) - (size_t)o, "%s%u", sep,
					      t->node[n].id);
				sep = ",";
			}
		}
		if (got < per_node) {	/* cannot happen: nfree >= llcs was checked */
			snprintf(why, wsz, "--perf-mode: ran out of free LLCs placing guest node %u", g);
			return PLAN_BUSY;
		}
	}

	/* vCPU i sits in virtual LLC i / per_llc (QEMU numbers socket, die, core, thread). */
	cpuset_zero(&vcpus);
	p->nvcpus = v->llcs * per_llc;
	for (unsigned vl = 0; vl < p->nllcs; vl++) {
		int cpus[KT_MAX_CPUS];
		unsigned n = smt_order(t, &t->llc[p->llc[vl]].usable, v->threads > 1, cpus);

		for (unsigned k = 0; k < per_llc && k < n; k++) {
			p->vcpu_cpu[vl * per_llc + k] = cpus[k];
			cpuset_set(&vcpus, (unsigned)cpus[k]);
		}
	}

	/*
	 * The service CPU: a spare CPU of our own LLCs; else one in an LLC other runs already
	 * share (leaving idle LLCs whole for other perf runs); else one in an idle LLC; each
	 * nearest to the first guest node's host node.
	 */
	for (unsigned vl = 0; vl < p->nllcs && svc < 0; vl++) {
		int cpus[KT_MAX_CPUS];	/* a core no vCPU uses, if there is one */
		unsigned n = smt_order(t, &t->llc[p->llc[vl]].usable, 0, cpus);

		for (unsigned k = 0; k < n && svc < 0; k++)
			if (!cpuset_has(&vcpus, (unsigned)cpus[k]))
				svc = cpus[k];
	}
	nodes_by_distance(t, t->llc[p->llc[0]].node, order);
	for (int pass = 0; pass < 2 && svc < 0; pass++)
		for (unsigned oi = 0; oi < t->nnodes && svc < 0; oi++)
			for (unsigned l = 0; l < t->nllcs && svc < 0; l++) {
				if (taken[l] || t->llc[l].node != order[oi] || h->llc_excl[l])
					continue;
				if (!pass && !h->llc_shared[l])
					continue;
				cpuset_for_each(c, &t->llc[l].usable)
					if (cpu_idle(h, (unsigned)c)) {
						svc = c;
						break;
					}
			}
	if (svc < 0) {
		snprintf(why, wsz, "--perf-mode: no free service CPU outside the %u vCPU CPUs; "
			 "other ktstr runs hold the rest", p->nvcpus);
		return PLAN_BUSY;
	}
	p->service_cpu = svc;
	p->cpus = vcpus;
	cpuset_set(&p->cpus, (unsigned)svc);
	for (unsigned vl = 0; vl < p->nllcs; vl++)
		add_lock(p, 'l', p->llc[vl], 1);
	cpuset_for_each(c, &p->cpus)
		add_lock(p, 'c', (unsigned)c, 1);
	{
		int sl = hosttopo_llc_of(t, (unsigned)svc);

		if (sl >= 0 && !taken[sl])
			add_lock(p, 'l', (unsigned)sl, 0);
	}
	return PLAN_OK;
}

/* ---- default mode ---- */

static int cpu_avail(const struct hosttopo *t, const struct plan_held *h, unsigned c)
{
	int l = hosttopo_llc_of(t, c);

	return l >= 0 && cpuset_has(&t->usable, c) && !h->llc_excl[l] &&
	       !cpuset_has(&h->cpu_excl, c);
}

static const struct plan_held *sort_h;	/* qsort has no context argument */

static int cmp_cpu_load(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	if (sort_h->cpu_shared[x] != sort_h->cpu_shared[y])
		return sort_h->cpu_shared[x] < sort_h->cpu_shared[y] ? -1 : 1;
	return x < y ? -1 : x > y;
}

static enum plan_result plan_default(const struct hosttopo *t, const struct plan_req *req,
				     const struct plan_held *h, struct plan *p, char *why,
				     size_t wsz)
{
	unsigned budget = plan_budget(req->cpu_cap, topology_vcpus(&req->vtopo), t->nusable);
	unsigned avail[HT_MAX_NODES] = { 0 }, shared[HT_MAX_NODES] = { 0 };
	unsigned order[HT_MAX_NODES], total = 0, got = 0, best = ~0u;

	p->budget = budget;
	if (budget > t->nusable) {
		snprintf(why, wsz, "a budget of %u CPUs is more than the %u CPUs this process "
			 "may use", budget, t->nusable);
		return PLAN_NEVER;
	}
	for (unsigned l = 0; l < t->nllcs; l++)
		cpuset_for_each(c, &t->llc[l].usable)
			if (cpu_avail(t, h, (unsigned)c)) {
				avail[t->llc[l].node]++;
				shared[t->llc[l].node] += h->llc_shared[l] > 0;
				total++;
			}
	if (total < budget) {
		snprintf(why, wsz, "a budget of %u CPUs is needed; other ktstr runs hold %u of "
			 "the %u usable CPUs exclusively", budget, t->nusable - total, t->nusable);
		return PLAN_BUSY;
	}
	/* One node that fits the budget, the one with most CPUs peers already share. */
	for (unsigned n = 0; n < t->nnodes; n++)
		if (avail[n] >= budget && (best == ~0u || shared[n] > shared[best]))
			best = n;
	if (best == ~0u) {	/* spill: start where most is free, then the nearest */
		best = 0;
		for (unsigned n = 1; n < t->nnodes; n++)
			if (avail[n] > avail[best])
				best = n;
	}
	nodes_by_distance(t, best, order);
	for (unsigned oi = 0; oi < t->nnodes && got < budget; oi++) {
		unsigned n = order[oi], lorder[HT_MAX_LLCS], nl = 0;

		if (oi == 1) {
			char more[96] = "";

			for (unsigned k = 2; k < t->nnodes; k++)
				if (avail[order[k]]) {
					snprintf(more, sizeof(more), " and beyond");
					break;
				}
			snprintf(p->note, sizeof(p->note),
				 "budget of %u CPUs does not fit in host node %u (%u free): spilling "
				 "to node %u (distance %u)%s", budget, t->node[best].id, avail[best],
				 t->node[n].id, t->node[best].dist[n], more);
		}
		/* LLCs shared by peers first (most sharers first), then in order. */
		for (unsigned l = 0; l < t->nllcs; l++)
			if (t->llc[l].node == n)
				lorder[nl++] = l;
		for (unsigned i = 1; i < nl; i++) {
			unsigned v = lorder[i], j = i;

			while (j > 0 && h->llc_shared[lorder[j - 1]] < h->llc_shared[v]) {
				lorder[j] = lorder[j - 1];
				j--;
			}
			lorder[j] = v;
		}
		for (unsigned i = 0; i < nl && got < budget; i++) {
			unsigned l = lorder[i];
			int cpus[KT_MAX_CPUS], nc = 0;

			cpuset_for_each(c, &t->llc[l].usable)
				if (cpu_avail(t, h, (unsigned)c))
					cpus[nc++] = c;
			if (!nc)
				continue;
			/* Within the LLC, the CPUs fewest peers run on. */
			sort_h = h;
			qsort(cpus, (size_t)nc, sizeof(cpus[0]), cmp_cpu_load);
			p->llc[p->nllcs++] = l;
			add_lock(p, 'l', l, 0);
			for (int k = 0; k < nc && got < budget; k++, got++)
				cpuset_set(&p->cpus, (unsigned)cpus[k]);
		}
	}
	cpuset_for_each(c, &p->cpus)
		add_lock(p, 'c', (unsigned)c, 0);
	return PLAN_OK;
}

enum plan_result plan_make(const struct hosttopo *t, const struct plan_req *req,
			   const struct plan_held *held, struct plan *p, char *why, size_t wsz)
{
	memset(p, 0, sizeof(*p));
	p->mode = req->mode;
	p->service_cpu = -1;
	if (why && wsz)
		why[0] = '\0';
	if (!held)
		held = &no_holders;
	if (req->mode == PLAN_PERF)
		return plan_perf(t, req, held, p, why, wsz);
	return plan_default(t, req, held, p, why, wsz);
}

void plan_describe(const struct hosttopo *t, const struct plan *p, char *buf, size_t sz)
{
	size_t n = 0;
	char cl[4096];

#define OUT(...) (n += (size_t)snprintf(buf + (n < sz ? n : sz), n < sz ? sz - n : 0, __VA_ARGS__))
	if (sz)
		buf[0] = '\0';
	if (p->mode == PLAN_PERF) {
		unsigned per = p->nllcs ? p->nvcpus / p->nllcs : 0;

		for (unsigned vl = 0; vl < p->nllcs; vl++) {
			const struct host_llc *l = &t->llc[p->llc[vl]];

			OUT("virtual LLC %u -> host LLC %u (node %u), vCPUs", vl, p->llc[vl],
			    t->node[l->node].id);
			for (unsigned k = 0; k < per; k++)
				OUT(" %u:%d", vl * per + k, p->vcpu_cpu[vl * per + k]);
			OUT("\n");
		}
		OUT("service CPU %d\n", p->service_cpu);
	} else {
		cpulist_format(&p->cpus, cl, sizeof(cl));
		OUT("budget %u CPUs: %s in LLC", p->budget, cl);
		for (unsigned i = 0; i < p->nllcs; i++)
			OUT("%s%u", i ? "," : " ", p->llc[i]);
		OUT(" (shared)\n");
	}
#undef OUT
}
