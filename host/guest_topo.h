/* SPDX-License-Identifier: GPL-2.0-only */
/* The guest's view of its CPUs and NUMA nodes (TOPO_CPU / TOPO_NODE frames). */
#ifndef KTSTR_GUEST_TOPO_H
#define KTSTR_GUEST_TOPO_H

#include "../shared/wire.h"
#include "topology.h"

struct guest_topo {
	unsigned cpus, nodes;	/* frames seen */
	unsigned mismatches;	/* CPUs or nodes that differ from the request */
};

/*
 * Decodes a TOPO_CPU or TOPO_NODE frame, compares it with the requested topology want
 * (a difference is printed as a warning) and, when verbose, prints it as one line:
 *   guest topo: cpu 3 node 0 package 0 die 1 core 0 llc 2-3 siblings 3
 *   guest topo: node 0 cpus 0-3 mem 245760 KiB distance 10 20
 * Returns 0, or -1 when the frame is malformed.
 */
int guest_topo_frame(struct guest_topo *g, const struct kt_frame *f,
		     const struct topology *want, int verbose);
/* After the run: one line saying whether what the guest saw matched the request. */
void guest_topo_summary(const struct guest_topo *g, const struct topology *want);

#endif
