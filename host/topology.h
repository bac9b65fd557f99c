/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The virtual topology a run asks for, as code: NnLlCcTt (e.g. 1n2l4c2t: 1 NUMA node,
 * 2 LLCs in total, 4 cores per LLC, 2 threads per core) or N,L,C,T.
 * QEMU mapping: sockets = N, dies = L / N, cores = C, threads = T, one NUMA node per socket.
 */
#ifndef KTSTR_TOPOLOGY_H
#define KTSTR_TOPOLOGY_H

#include <stddef.h>

#define TOPO_MAX_VCPUS 255	/* QEMU's q35 limit without an x2APIC IOMMU */

struct topology {
	unsigned nodes, llcs, cores, threads;
};

/* Parses s; on error returns -1 with a message naming the problem in why. */
int topology_parse(const char *s, struct topology *t, char *why, size_t wsz);
unsigned topology_vcpus(const struct topology *t);
/* "1n2l4c2t" */
void topology_format(const struct topology *t, char *buf, size_t sz);

#endif
