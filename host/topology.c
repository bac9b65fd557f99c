// SPDX-License-Identifier: GPL-2.0-only
#include "topology.h"

#include <errno.h>
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
			 (unsigned long)t->llcs * t->cores * t->threads, TOPO_MAX_VCPUS);
		return -1;
	}
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
