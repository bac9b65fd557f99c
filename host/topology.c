// SPDX-License-Identifier: GPL-2.0-only
#include "topology.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int num(const char **p, unsigned *out)
{
	char *end;
	unsigned long v;

	if (**p < '0' || **p > '9')
		return -1;
	errno = 0;
	v = strtoul(*p, &end, 10);
	if (errno || v > 4096)
		return -1;
	*out = (unsigned)v;
	*p = end;
	return 0;
}

int topology_parse(const char *s, struct topology *t, char *why, size_t wsz)
{
	static const char units[4] = { 'n', 'l', 'c', 't' };
	unsigned *f[4] = { &t->nodes, &t->llcs, &t->cores, &t->threads };
	const char *p = s;
	int commas = strchr(s, ',') != NULL;

	for (int i = 0; i < 4; i++) {
		if (num(&p, f[i])) {
			snprintf(why, wsz, "'%s' is not a topology like 1n2l4c2t or 1,2,4,2", s);
			return -1;
		}
		if (commas ? (i < 3 ? *p != ',' : *p != '\0') : *p != units[i]) {
			snprintf(why, wsz, "'%s' is not a topology like 1n2l4c2t or 1,2,4,2", s);
			return -1;
		}
		if (*p)
			p++;
	}
	if (*p) {
		snprintf(why, wsz, "'%s': unexpected '%s' after the topology", s, p);
		return -1;
	}
	for (int i = 0; i < 4; i++) {
		if (*f[i] == 0) {
			snprintf(why, wsz, "'%s': the %s count must be at least 1", s,
				 (const char *[]){ "NUMA node", "LLC", "core", "thread" }[i]);
			return -1;
		}
	}
	if (t->llcs % t->nodes) {
		snprintf(why, wsz, "'%s': %u LLCs cannot be split evenly over %u NUMA nodes", s,
			 t->llcs, t->nodes);
		return -1;
	}
	if ((unsigned long)t->llcs * t->cores * t->threads > TOPO_MAX_VCPUS) {
		snprintf(why, wsz, "'%s' makes %lu vCPUs; QEMU allows at most %u", s,
			 (unsigned long)t->llcs * t->cores * t->threads, (unsigned)TOPO_MAX_VCPUS);
		return -1;
	}
	if (t->nodes > TOPO_MAX_NODES) {
		snprintf(why, wsz, "'%s': at most %u NUMA nodes", s, (unsigned)TOPO_MAX_NODES);
		return -1;
	}
	if (topology_max_apic_id(t) > TOPO_MAX_APIC_ID) {
		snprintf(why, wsz, "'%s' needs APIC IDs up to %u (QEMU pads each level to a power "
			 "of two); QEMU's q35 without interrupt remapping allows at most %u: use "
			 "power-of-two core and thread counts or fewer CPUs", s,
			 topology_max_apic_id(t), (unsigned)TOPO_MAX_APIC_ID);
		return -1;
	}
	return 0;
}

static unsigned bits(unsigned n)
{
	unsigned b = 0;

	while ((1u << b) < n)
		b++;
	return b;
}

unsigned topology_max_apic_id(const struct topology *t)
{
	unsigned tb = bits(t->threads), cb = bits(t->cores), db = bits(t->llcs / t->nodes);

	return (t->nodes - 1) << (tb + cb + db) | (t->llcs / t->nodes - 1) << (tb + cb) |
	       (t->cores - 1) << tb | (t->threads - 1);
}

unsigned topology_node_of(const struct topology *t, unsigned cpu)
{
	return cpu / (topology_vcpus(t) / t->nodes);
}

int topology_parse_distance(const char *s, unsigned nodes, unsigned char *dist, char *why,
			    size_t wsz)
{
	unsigned vals[TOPO_MAX_NODES * TOPO_MAX_NODES], n = 0;
	const char *p = s;

	while (*p) {
		if (n == TOPO_MAX_NODES * TOPO_MAX_NODES || num(&p, &vals[n]) ||
		    (*p && *p != ',') || (*p == ',' && !p[1])) {
			snprintf(why, wsz, "'%s' is not a distance like 20 or a matrix like "
				 "10,20,20,10", s);
			return -1;
		}
		n++;
		if (*p)
			p++;
	}
	if (n != 1 && n != nodes * nodes) {
		snprintf(why, wsz, "'%s' has %u values; %u NUMA nodes need 1 (every remote pair) "
			 "or %u (the whole matrix)", s, n, nodes, nodes * nodes);
		return -1;
	}
	for (unsigned i = 0; i < nodes; i++) {
		for (unsigned j = 0; j < nodes; j++) {
			unsigned v = n == 1 ? (i == j ? 10 : vals[0]) : vals[i * nodes + j];

			if (i == j && v != 10) {
				snprintf(why, wsz, "'%s': the distance of node %u to itself must be 10, "
					 "not %u", s, i, v);
				return -1;
			}
			if (i != j && (v <= 10 || v > 255)) {
				snprintf(why, wsz, "'%s': distance %u from node %u to %u is not in "
					 "11..255", s, v, i, j);
				return -1;
			}
			dist[i * nodes + j] = (unsigned char)v;
		}
	}
	return 0;
}

static const char *keep(struct topo_args *ta, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static const char *keep(struct topo_args *ta, const char *fmt, ...)
{
	char *at = ta->store + ta->used;
	size_t room = sizeof(ta->store) - ta->used;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(at, room, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= room)
		return NULL;
	ta->used += (size_t)n + 1;
	return at;
}

int topology_qemu_args(const struct topology *t, unsigned mem_mib, const unsigned char *dist,
		       struct topo_args *ta, const char **argv, int *argc, int max)
{
	unsigned per = topology_vcpus(t) / t->nodes, share = mem_mib / t->nodes;

	if (t->nodes < 2)
		return 0;
	for (unsigned i = 0; i < t->nodes; i++) {
		/* The last node takes the remainder so the sizes add up to -m. */
		unsigned mib = i + 1 < t->nodes ? share : mem_mib - share * (t->nodes - 1);

		if (*argc + 4 > max)
			return -1;
		argv[(*argc)++] = "-object";
		argv[(*argc)++] = keep(ta, "memory-backend-ram,id=ktmem%u,size=%uM", i, mib);
		argv[(*argc)++] = "-numa";
		argv[(*argc)++] = per == 1 ?
			keep(ta, "node,nodeid=%u,cpus=%u,memdev=ktmem%u", i, i, i) :
			keep(ta, "node,nodeid=%u,cpus=%u-%u,memdev=ktmem%u", i, i * per,
			     (i + 1) * per - 1, i);
	}
	for (unsigned i = 0; dist && i < t->nodes; i++) {
		for (unsigned j = 0; j < t->nodes; j++) {
			if (i == j)
				continue;
			if (*argc + 2 > max)
				return -1;
			argv[(*argc)++] = "-numa";
			argv[(*argc)++] = keep(ta, "dist,src=%u,dst=%u,val=%u", i, j,
					       dist[i * t->nodes + j]);
		}
	}
	for (int i = 0; i < *argc; i++)
		if (!argv[i])
			return -1;
	return 0;
}

unsigned topology_vcpus(const struct topology *t)
{
	return t->llcs * t->cores * t->threads;
}

void topology_format(const struct topology *t, char *buf, size_t sz)
{
	snprintf(buf, sz, "%un%ul%uc%ut", t->nodes, t->llcs, t->cores, t->threads);
}
