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
#define TOPO_MAX_APIC_ID 254	/* xAPIC IDs (255 is broadcast) without interrupt remapping */
#define TOPO_MAX_NODES 16	/* ktstr's limit: keeps QEMU's -numa arguments bounded */

struct topology {
	unsigned nodes, llcs, cores, threads;
};

/* Parses s; on error returns -1 with a message naming the problem in why. */
int topology_parse(const char *s, struct topology *t, char *why, size_t wsz);
unsigned topology_vcpus(const struct topology *t);
/* "1n2l4c2t" */
void topology_format(const struct topology *t, char *buf, size_t sz);
/* The largest APIC ID QEMU gives this shape (each level padded to a power of two). */
unsigned topology_max_apic_id(const struct topology *t);
/* The NUMA node (0-based) QEMU's vCPU index cpu belongs to: one node per socket. */
unsigned topology_node_of(const struct topology *t, unsigned cpu);

/*
 * --numa-distance: one value for every remote pair ("20") or the whole row-major matrix
 * ("10,20,20,10" for 2 nodes). Local distances must be 10, remote ones 11..255 (ACPI SLIT).
 * Fills dist[nodes * nodes]. Returns 0, or -1 with why.
 */
int topology_parse_distance(const char *s, unsigned nodes, unsigned char *dist, char *why,
			    size_t wsz);

/*
 * QEMU arguments for the NUMA layout: one memory backend and node per socket with its
 * share of mem_mib, and the distances if dist is not NULL. Nothing for a single node.
 * Appends to argv (at most max entries in all); strings live in store. Returns 0 or -1.
 */
struct topo_args {
	char store[16384];
	size_t used;
};
int topology_qemu_args(const struct topology *t, unsigned mem_mib, const unsigned char *dist,
		       struct topo_args *ta, const char **argv, int *argc, int max);

#endif
