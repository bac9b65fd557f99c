// SPDX-License-Identifier: GPL-2.0-only
#include "guest_topo.h"
#include "util.h"
#include "../shared/msg.h"

#include <stdio.h>
#include <string.h>

/* A sysfs cpulist for first..last: "4-7", or "4" alone. */
static void cpulist(char *buf, size_t sz, unsigned first, unsigned last)
{
	if (first == last)
		snprintf(buf, sz, "%u", first);
	else
		snprintf(buf, sz, "%u-%u", first, last);
}

/* QEMU numbers vCPUs socket, die, core, thread; one NUMA node per socket. */
static void check_cpu(struct guest_topo *g, const struct kt_topo_cpu *c,
		      const struct topology *t)
{
	unsigned per_llc = t->cores * t->threads, llc0 = c->cpu / per_llc * per_llc;
	unsigned sib0 = c->cpu / t->threads * t->threads;
	char llc[32], sib[32];

	cpulist(llc, sizeof(llc), llc0, llc0 + per_llc - 1);
	cpulist(sib, sizeof(sib), sib0, sib0 + t->threads - 1);
	if (c->cpu >= topology_vcpus(t)) {
		kt_note("warning: the guest has a cpu %u, more than the %u requested", c->cpu,
			topology_vcpus(t));
		g->mismatches++;
		return;
	}
	if (strcmp(c->llc, llc) || strcmp(c->siblings, sib) ||
	    (t->nodes > 1 && c->node != (int32_t)topology_node_of(t, c->cpu))) {
		kt_note("warning: the guest's cpu %u has node %d, LLC %s, siblings %s; the "
			"requested topology gives node %u, LLC %s, siblings %s", c->cpu, c->node,
			c->llc[0] ? c->llc : "(none)", c->siblings, topology_node_of(t, c->cpu), llc,
			sib);
		g->mismatches++;
	}
}

int guest_topo_frame(struct guest_topo *g, const struct kt_frame *f,
		     const struct topology *want, int verbose)
{
	if (f->type == KT_MSG_TOPO_CPU) {
		struct kt_topo_cpu c;

		if (kt_dec_topo_cpu(f, &c) < 0)
			return -1;
		g->cpus++;
		if (verbose)
			printf("guest topo: cpu %u node %d package %d die %d core %d llc %s "
			       "siblings %s\n", c.cpu, c.node, c.package, c.die, c.core,
			       c.llc[0] ? c.llc : "-", c.siblings[0] ? c.siblings : "-");
		if (want)
			check_cpu(g, &c, want);
		return 0;
	}
	if (f->type == KT_MSG_TOPO_NODE) {
		struct kt_topo_node n;

		if (kt_dec_topo_node(f, &n) < 0)
			return -1;
		g->nodes++;
		if (verbose)
			printf("guest topo: node %u cpus %s mem %llu KiB distance %s\n", n.node,
			       n.cpus[0] ? n.cpus : "-", (unsigned long long)n.mem_kib,
			       n.distance[0] ? n.distance : "-");
		return 0;
	}
	return -1;
}

void guest_topo_summary(const struct guest_topo *g, const struct topology *want)
{
	char shape[64];

	if (!g->cpus || !want)
		return;
	topology_format(want, shape, sizeof(shape));
	if (g->mismatches || g->cpus != topology_vcpus(want) || g->nodes != want->nodes)
		kt_note("warning: the guest sees %u CPUs in %u NUMA nodes, %u of them differing "
			"from the requested %s", g->cpus, g->nodes, g->mismatches, shape);
	else
		printf("guest topo: matches %s (%u CPUs, %u NUMA node%s)\n", shape, g->cpus,
		       g->nodes, g->nodes == 1 ? "" : "s");
}
