// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the guest sees of its CPUs and NUMA nodes, straight from sysfs, so the host can
 * compare it with the topology it asked QEMU for.
 */
#include "init.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CPU_DIR "/sys/devices/system/cpu"
#define NODE_DIR "/sys/devices/system/node"

static int read_int(const char *path)
{
	char buf[32];

	return read_line(path, buf, sizeof(buf)) ? -1 : atoi(buf);
}

/* The last-level cache is the index whose level is 3 (its number varies by CPU model). */
static void llc_of(unsigned cpu, char *out, size_t sz)
{
	char path[128];

	out[0] = '\0';
	for (int i = 0; i < 8; i++) {
		snprintf(path, sizeof(path), CPU_DIR "/cpu%u/cache/index%d/level", cpu, i);
		if (read_int(path) != 3)
			continue;
		snprintf(path, sizeof(path), CPU_DIR "/cpu%u/cache/index%d/shared_cpu_list", cpu, i);
		read_line(path, out, sz);
		return;
	}
}

static int node_of(unsigned cpu)
{
	char path[64];
	struct dirent *de;
	int node = -1;
	DIR *d;

	snprintf(path, sizeof(path), CPU_DIR "/cpu%u", cpu);
	d = opendir(path);
	if (!d)
		return -1;
	while (node < 0 && (de = readdir(d)))
		if (!strncmp(de->d_name, "node", 4) && de->d_name[4] >= '0' && de->d_name[4] <= '9')
			node = atoi(de->d_name + 4);
	closedir(d);
	return node;
}

static uint64_t node_mem_kib(unsigned node)
{
	char path[64], buf[4096], *p;

	snprintf(path, sizeof(path), NODE_DIR "/node%u/meminfo", node);
	if (read_line(path, buf, sizeof(buf)) < 0)
		return 0;
	/* "Node 0 MemTotal:       245312 kB" is the first line */
	p = strstr(buf, "MemTotal:");
	return p ? strtoull(p + 9, NULL, 10) : 0;
}

void topo_report(void)
{
	char path[128];
	unsigned misses = 0;

	/* CPU numbers are dense at boot; stop after a long gap rather than at the first. */
	for (unsigned cpu = 0; cpu < 4096 && misses < 64; cpu++) {
		struct kt_topo_cpu c = { .cpu = cpu };
		struct kt_wbuf w = { 0 };

		snprintf(path, sizeof(path), CPU_DIR "/cpu%u/topology", cpu);
		if (access(path, F_OK)) {
			misses++;
			continue;
		}
		misses = 0;
		c.node = node_of(cpu);
		snprintf(path, sizeof(path), CPU_DIR "/cpu%u/topology/physical_package_id", cpu);
		c.package = read_int(path);
		snprintf(path, sizeof(path), CPU_DIR "/cpu%u/topology/die_id", cpu);
		c.die = read_int(path);
		snprintf(path, sizeof(path), CPU_DIR "/cpu%u/topology/core_id", cpu);
		c.core = read_int(path);
		snprintf(path, sizeof(path), CPU_DIR "/cpu%u/topology/thread_siblings_list", cpu);
		read_line(path, c.siblings, sizeof(c.siblings));
		llc_of(cpu, c.llc, sizeof(c.llc));
		kt_enc_topo_cpu(&w, report_next_seq(), &c);
		report_send(&w);
	}
	misses = 0;
	for (unsigned node = 0; node < 1024 && misses < 64; node++) {
		struct kt_topo_node n = { .node = node };
		struct kt_wbuf w = { 0 };

		snprintf(path, sizeof(path), NODE_DIR "/node%u/cpulist", node);
		if (read_line(path, n.cpus, sizeof(n.cpus)) < 0) {
			misses++;
			continue;
		}
		misses = 0;
		snprintf(path, sizeof(path), NODE_DIR "/node%u/distance", node);
		read_line(path, n.distance, sizeof(n.distance));
		n.mem_kib = node_mem_kib(node);
		kt_enc_topo_node(&w, report_next_seq(), &n);
		report_send(&w);
	}
}
