// SPDX-License-Identifier: GPL-2.0-only
#include "hosttopo.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reads a small sysfs file into buf; -1 with errno when it cannot. */
static int read_small(const char *path, char *buf, size_t sz)
{
	size_t n;
	char *s = kt_read_file(path, sz - 1, &n);

	if (!s)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	free(s);
	return 0;
}

static int read_list(const char *path, struct cpuset *out, char *why, size_t wsz)
{
	char buf[8192], w[256];

	if (read_small(path, buf, sizeof(buf)) < 0) {
		snprintf(why, wsz, "reading %s: %s", path, strerror(errno));
		return -1;
	}
	if (cpulist_parse(buf, out, w, sizeof(w)) < 0) {
		snprintf(why, wsz, "%s: %s", path, w);
		return -1;
	}
	return 0;
}

int hosttopo_parse_status(const char *text, struct cpuset *out, char *why, size_t wsz)
{
	static const char key[] = "Cpus_allowed_list:";
	const char *p = text;
	char line[8192];

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);

		if (!strncmp(p, key, sizeof(key) - 1)) {
			const char *v = p + sizeof(key) - 1;

			n -= sizeof(key) - 1;
			while (n && (*v == ' ' || *v == '\t'))
				v++, n--;
			if (n >= sizeof(line))
				n = sizeof(line) - 1;
			memcpy(line, v, n);
			line[n] = '\0';
			return cpulist_parse(line, out, why, wsz);
		}
		p = nl ? nl + 1 : NULL;
	}
	snprintf(why, wsz, "no Cpus_allowed_list line");
	return -1;
}

int hosttopo_allowed(struct cpuset *out, char *why, size_t wsz)
{
	cpu_set_t set;
	char *text, w[256];
	size_t len;
	int r;

	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set) == 0) {
		cpuset_zero(out);
		for (unsigned c = 0; c < KT_MAX_CPUS && c < CPU_SETSIZE; c++)
			if (CPU_ISSET(c, &set))
				cpuset_set(out, c);
		return 0;
	}
	/* E.g. EINVAL when the kernel has more possible CPUs than cpu_set_t holds. */
	text = kt_read_file("/proc/self/status", 1 << 20, &len);
	if (!text) {
		snprintf(why, wsz, "sched_getaffinity failed and /proc/self/status cannot be read: %s",
			 strerror(errno));
		return -1;
	}
	r = hosttopo_parse_status(text, out, w, sizeof(w));
	free(text);
	if (r < 0)
		snprintf(why, wsz, "sched_getaffinity failed; /proc/self/status: %s", w);
	return r;
}

int hosttopo_llc_of(const struct hosttopo *t, unsigned cpu)
{
	for (unsigned i = 0; i < t->nllcs; i++)
		if (cpuset_has(&t->llc[i].cpus, cpu))
			return (int)i;
	return -1;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

/* NUMA nodes: every nodeN directory; none (no CONFIG_NUMA) means one node. */
static int read_nodes(const char *root, struct hosttopo *t, char *why, size_t wsz)
{
	char path[4096], buf[4096];
	unsigned ids[HT_MAX_NODES], n = 0;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/devices/system/node", root);
	dir = opendir(path);
	if (!dir && errno != ENOENT) {
		snprintf(why, wsz, "reading %s: %s", path, strerror(errno));
		return -1;
	}
	if (dir) {
		while ((d = readdir(dir))) {
			char *end;
			unsigned long id;

			if (strncmp(d->d_name, "node", 4) || !d->d_name[4])
				continue;
			id = strtoul(d->d_name + 4, &end, 10);
			if (*end)
				continue;
			if (n == HT_MAX_NODES) {
				closedir(dir);
				snprintf(why, wsz, "%s: more than %d NUMA nodes", path, HT_MAX_NODES);
				return -1;
			}
			ids[n++] = (unsigned)id;
		}
		closedir(dir);
	}
	if (n == 0) {
		t->nnodes = 1;
		t->node[0].id = 0;
		t->node[0].cpus = t->online;
		t->node[0].dist[0] = 10;
		return 0;
	}
	t->numa_source = 1;
	qsort(ids, n, sizeof(ids[0]), cmp_uint);
	t->nnodes = n;
	for (unsigned i = 0; i < n; i++) {
		struct host_node *nd = &t->node[i];
		char *p, *end;

		nd->id = ids[i];
		snprintf(path, sizeof(path), "%s/devices/system/node/node%u/cpulist", root, ids[i]);
		if (read_list(path, &nd->cpus, why, wsz) < 0)
			return -1;
		cpuset_and(&nd->cpus, &nd->cpus, &t->online);
		/* distance: one number per node, in node-id order; missing -> 10 / 20 */
		snprintf(path, sizeof(path), "%s/devices/system/node/node%u/distance", root, ids[i]);
		for (unsigned j = 0; j < n; j++)
			nd->dist[j] = i == j ? 10 : 20;
		if (read_small(path, buf, sizeof(buf)) < 0)
			continue;
		p = buf;
		for (unsigned j = 0; j < n; j++) {
			unsigned long v;

			errno = 0;
			v = strtoul(p, &end, 10);
			if (end == p || errno || v > 255) {
				snprintf(why, wsz, "%s: expected %u distances, got '%.60s'", path, n,
					 buf);
				return -1;
			}
			nd->dist[j] = (unsigned)v;
			p = end;
		}
	}
	return 0;
}

int hosttopo_read(const char *root, const struct cpuset *allowed, struct hosttopo *t,
		  char *why, size_t wsz)
{
	char path[4096], buf[64];
	struct cpuset seen;
	long pkg[KT_MAX_CPUS];

	memset(t, 0, sizeof(*t));
	snprintf(path, sizeof(path), "%s/devices/system/cpu/online", root);
	if (read_list(path, &t->online, why, wsz) < 0)
		return -1;
	t->nonline = cpuset_count(&t->online);
	if (!t->nonline) {
		snprintf(why, wsz, "%s lists no CPU", path);
		return -1;
	}
	if (allowed)
		t->allowed = *allowed;
	else if (hosttopo_allowed(&t->allowed, why, wsz) < 0)
		return -1;
	cpuset_and(&t->usable, &t->online, &t->allowed);
	t->nusable = cpuset_count(&t->usable);
	if (read_nodes(root, t, why, wsz) < 0)
		return -1;
	for (unsigned c = 0; c < KT_MAX_CPUS; c++)
		t->cpu_node[c] = -1;
	for (unsigned i = 0; i < t->nnodes; i++)
		cpuset_for_each(c, &t->node[i].cpus)
			t->cpu_node[c] = (int)i;
	/* SMT siblings, so guest threads of a core can land on one host core. */
	cpuset_for_each(c, &t->online) {
		struct cpuset sib;
		char w[256];
		int first;

		t->core_of[c] = (unsigned short)c;
		snprintf(path, sizeof(path), "%s/devices/system/cpu/cpu%d/topology/thread_siblings_list",
			 root, c);
		if (access(path, R_OK) < 0)
			continue;
		if (read_list(path, &sib, w, sizeof(w)) < 0) {
			snprintf(why, wsz, "%s", w);
			return -1;
		}
		cpuset_and(&sib, &sib, &t->online);
		first = cpuset_next(&sib, 0);
		if (first >= 0)
			t->core_of[c] = (unsigned short)first;
	}

	/*
	 * LLC groups, walking CPUs in order so groups come out ordered by their first CPU.
	 * index3 is the L3 on x86; hosts (or VMs) without cache information fall back to
	 * the package, the next larger domain that shares something.
	 */
	t->llc_source = "cache";
	snprintf(path, sizeof(path), "%s/devices/system/cpu/cpu%d/cache/index3/shared_cpu_list",
		 root, cpuset_next(&t->online, 0));
	if (access(path, R_OK) < 0) {
		t->llc_source = "package";
		/* Unknown package: a group of its own (distinct negative ids). */
		cpuset_for_each(cpu, &t->online) {
			snprintf(path, sizeof(path),
				 "%s/devices/system/cpu/cpu%d/topology/physical_package_id", root, cpu);
			pkg[cpu] = read_small(path, buf, sizeof(buf)) == 0 ? strtol(buf, NULL, 10)
									   : -1 - cpu;
		}
	}
	cpuset_zero(&seen);
	cpuset_for_each(cpu, &t->online) {
		struct host_llc *l;

		if (cpuset_has(&seen, (unsigned)cpu))
			continue;
		if (t->nllcs == HT_MAX_LLCS) {
			snprintf(why, wsz, "more than %d LLCs under %s", HT_MAX_LLCS, root);
			return -1;
		}
		l = &t->llc[t->nllcs];
		if (!strcmp(t->llc_source, "cache")) {
			snprintf(path, sizeof(path),
				 "%s/devices/system/cpu/cpu%d/cache/index3/shared_cpu_list", root, cpu);
			if (read_list(path, &l->cpus, why, wsz) < 0)
				return -1;
		} else {
			cpuset_zero(&l->cpus);
			cpuset_for_each(o, &t->online)
				if (pkg[o] == pkg[cpu])
					cpuset_set(&l->cpus, (unsigned)o);
		}
		cpuset_and(&l->cpus, &l->cpus, &t->online);
		/* A CPU listed by a group read earlier stays there: groups never overlap. */
		for (unsigned w = 0; w < KT_MAX_CPUS / 64; w++)
			l->cpus.w[w] &= ~seen.w[w];
		cpuset_set(&l->cpus, (unsigned)cpu);
		cpuset_or(&seen, &seen, &l->cpus);
		cpuset_and(&l->usable, &l->cpus, &t->allowed);
		l->ncpus = cpuset_count(&l->cpus);
		l->nusable = cpuset_count(&l->usable);
		l->node = t->cpu_node[cpu] >= 0 ? (unsigned)t->cpu_node[cpu] : 0;
		t->nllcs++;
	}
	return 0;
}

int hosttopo_load(const char *root, struct hosttopo *t, char *why, size_t wsz)
{
	char path[4096];
	struct cpuset online;

	if (!strcmp(root, "/sys"))
		return hosttopo_read(root, NULL, t, why, wsz);
	snprintf(path, sizeof(path), "%s/devices/system/cpu/online", root);
	if (read_list(path, &online, why, wsz) < 0)
		return -1;
	return hosttopo_read(root, &online, t, why, wsz);
}
