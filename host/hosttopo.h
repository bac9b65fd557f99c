/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host's CPU topology as the lock planner sees it: online CPUs, the CPUs this process
 * may run on, last-level-cache groups and NUMA nodes with their distances. Read from a
 * sysfs root given as a parameter, so tests can describe hosts that are not this one.
 */
#ifndef KTSTR_HOSTTOPO_H
#define KTSTR_HOSTTOPO_H

#include <stddef.h>
#include "cpulist.h"

#define HT_MAX_LLCS 256
#define HT_MAX_NODES 64

struct host_llc {
	struct cpuset cpus;	/* online CPUs sharing this LLC */
	struct cpuset usable;	/* ... that this process may also use */
	unsigned ncpus, nusable;
	unsigned node;		/* index into hosttopo.node (the node of its first CPU) */
};

struct host_node {
	unsigned id;		/* N of sysfs nodeN */
	struct cpuset cpus;	/* online CPUs */
	unsigned dist[HT_MAX_NODES];	/* distance to node[i], by index */
};

struct hosttopo {
	struct cpuset online, allowed, usable;	/* usable = online & allowed */
	unsigned nonline, nusable;
	/* Ordered by their lowest CPU, so index i names the same LLC in every ktstr. */
	struct host_llc llc[HT_MAX_LLCS];
	unsigned nllcs;
	struct host_node node[HT_MAX_NODES];	/* ordered by id */
	unsigned nnodes;
	const char *llc_source;	/* "cache" (index3/shared_cpu_list) or "package" */
	int numa_source;	/* 1 when nodeN directories were found */
	int cpu_node[KT_MAX_CPUS];	/* node index of each online CPU */
	/* Lowest CPU of each online CPU's core (thread_siblings_list; itself if unknown). */
	unsigned short core_of[KT_MAX_CPUS];
};

/*
 * Reads the topology below root ("/sys" for this host). allowed: the CPUs this process may
 * use, or NULL to ask the kernel (hosttopo_allowed). Returns 0, or -1 with why set.
 */
int hosttopo_read(const char *root, const struct cpuset *allowed, struct hosttopo *t,
		  char *why, size_t wsz);
/*
 * hosttopo_read for ktstr's own use: root "/sys" is this host, with this process's
 * affinity; any other root is a synthetic host whose online CPUs all count as allowed.
 */
int hosttopo_load(const char *root, struct hosttopo *t, char *why, size_t wsz);
/* This process's CPU affinity: sched_getaffinity, else /proc/self/status. */
int hosttopo_allowed(struct cpuset *out, char *why, size_t wsz);
/* The Cpus_allowed_list line of a /proc/<pid>/status text. */
int hosttopo_parse_status(const char *text, struct cpuset *out, char *why, size_t wsz);
/* Index of the LLC holding cpu, or -1. */
int hosttopo_llc_of(const struct hosttopo *t, unsigned cpu);

#endif
