/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Synthetic sysfs trees for the topology and planner tests: NODES x LLCS x CPUS hosts,
 * CPUs numbered node by node, LLC by LLC, optionally without cache or NUMA information,
 * with SMT siblings, offline CPUs or a given distance matrix. Built in a temp dir, removed
 * afterwards.
 */
#ifndef KTSTR_SYSFS_FIXTURE_H
#define KTSTR_SYSFS_FIXTURE_H

#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fx_host {
	unsigned nodes, llcs_per_node, cpus_per_llc;
	int no_cache, no_numa;
	int smt;			/* 0 none; 1 siblings c, c^1; 2 LLC halves i, i + n/2 */
	const char *online;		/* NULL: all */
	const unsigned *dist;		/* nodes*nodes, NULL: 10 / 20 */
};

static void fx_mkdirs(char *path)
{
	for (char *p = path + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(path, 0755) < 0 && errno != EEXIST) {
				fprintf(stderr, "mkdir %s: %s\n", path, strerror(errno));
				abort();
			}
			*p = '/';
		}
}

static void __attribute__((format(printf, 3, 4)))
fx_put(const char *root, const char *rel, const char *fmt, ...)
{
	char path[4096];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fx_mkdirs(path);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "fopen %s: %s\n", path, strerror(errno));
		abort();
	}
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

static char *fx_make(const struct fx_host *h)
{
	char tmpl[] = "/tmp/ktstr-sysfs.XXXXXX", rel[256];
	unsigned per_node = h->llcs_per_node * h->cpus_per_llc, n = h->nodes * per_node;
	char *root;

	if (!mkdtemp(tmpl))
		abort();
	root = strdup(tmpl);
	if (h->online)
		fx_put(root, "devices/system/cpu/online", "%s\n", h->online);
	else
		fx_put(root, "devices/system/cpu/online", "0-%u\n", n - 1);
	for (unsigned c = 0; c < n; c++) {
		unsigned node = c / per_node, llc0 = c / h->cpus_per_llc * h->cpus_per_llc;

		snprintf(rel, sizeof(rel), "devices/system/cpu/cpu%u/topology/physical_package_id", c);
		fx_put(root, rel, "%u\n", node);
		if (h->smt) {
			unsigned a = h->smt == 1 ? c & ~1u : llc0 + (c - llc0) % (h->cpus_per_llc / 2);
			unsigned b = h->smt == 1 ? a + 1 : a + h->cpus_per_llc / 2;

			snprintf(rel, sizeof(rel), "devices/system/cpu/cpu%u/topology/thread_siblings_list", c);
			fx_put(root, rel, h->smt == 1 ? "%u-%u\n" : "%u,%u\n", a, b);
		}
		if (!h->no_cache) {
			snprintf(rel, sizeof(rel), "devices/system/cpu/cpu%u/cache/index3/shared_cpu_list", c);
			fx_put(root, rel, "%u-%u\n", llc0, llc0 + h->cpus_per_llc - 1);
		}
	}
	if (h->no_numa)
		return root;
	for (unsigned i = 0; i < h->nodes; i++) {
		char d[1024] = "";
		size_t o = 0;

		snprintf(rel, sizeof(rel), "devices/system/node/node%u/cpulist", i);
		fx_put(root, rel, "%u-%u\n", i * per_node, (i + 1) * per_node - 1);
		for (unsigned j = 0; j < h->nodes; j++)
			o += (size_t)snprintf(d + o, sizeof(d) - o, "%s%u", j ? " " : "",
					      h->dist ? h->dist[i * h->nodes + j] : i == j ? 10 : 20);
		snprintf(rel, sizeof(rel), "devices/system/node/node%u/distance", i);
		fx_put(root, rel, "%s\n", d);
	}
	return root;
}

static int fx_rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(p);
}

static void fx_free(char *root)
{
	nftw(root, fx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(root);
}

#endif
