// SPDX-License-Identifier: GPL-2.0-only
/* ktstr topo: the host topology the lock planner sees. */
#include "cmd.h"
#include "hosttopo.h"
#include "plan.h"
#include "util.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char topo_usage[] =
	"usage: ktstr topo [--json] [--sysfs ROOT]\n"
	"\n"
	"Prints the host topology ktstr plans with: online and usable CPUs (this process's\n"
	"affinity), LLC groups (cache/index3, else the package) and NUMA nodes with distances.\n"
	"\n"
	"      --json          machine-readable output\n"
	"      --sysfs ROOT    read ROOT/devices/system/... instead of /sys (a synthetic host;\n"
	"                      all its online CPUs count as usable)\n"
	"      --bench-plan T  (benchmarks) plan topology T --repeat times on the host read,\n"
	"                      print median ns of planning and of reading the topology\n"
	"      --perf-mode     (with --bench-plan) plan in performance mode\n"
	"      --repeat N      (with --bench-plan) repetitions (1000)\n"
	"  -h, --help          this text\n";

enum { OPT_JSON = 256, OPT_SYSFS, OPT_BENCH, OPT_PERF, OPT_REPEAT };

static const struct option topo_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "sysfs", required_argument, NULL, OPT_SYSFS },
	{ "bench-plan", required_argument, NULL, OPT_BENCH },
	{ "perf-mode", no_argument, NULL, OPT_PERF },
	{ "repeat", required_argument, NULL, OPT_REPEAT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static json_t *json_cpulist(const struct cpuset *s)
{
	char buf[4096];

	cpulist_format(s, buf, sizeof(buf));
	return json_string(buf);
}

/* Physical cores in LLC i (CPUs sharing thread_siblings count once). */
static unsigned llc_cores(const struct hosttopo *t, unsigned i)
{
	unsigned n = 0;

	cpuset_for_each(c, &t->llc[i].cpus)
		n += t->core_of[c] == (unsigned)c;
	return n;
}

static void print_json(const struct hosttopo *t, const char *root)
{
	json_t *o = json_object(), *llcs = json_array(), *nodes = json_array();
	char *s;

	json_object_set_new(o, "sysfs", json_string(root));
	json_object_set_new(o, "online", json_cpulist(&t->online));
	json_object_set_new(o, "allowed", json_cpulist(&t->allowed));
	json_object_set_new(o, "usable", json_cpulist(&t->usable));
	json_object_set_new(o, "llc_source", json_string(t->llc_source));
	for (unsigned i = 0; i < t->nllcs; i++) {
		json_t *l = json_object();

		json_object_set_new(l, "index", json_integer(i));
		json_object_set_new(l, "node", json_integer(t->node[t->llc[i].node].id));
		json_object_set_new(l, "cpus", json_cpulist(&t->llc[i].cpus));
		json_object_set_new(l, "usable", json_cpulist(&t->llc[i].usable));
		json_object_set_new(l, "cores", json_integer(llc_cores(t, i)));
		json_array_append_new(llcs, l);
	}
	json_object_set_new(o, "llcs", llcs);
	for (unsigned i = 0; i < t->nnodes; i++) {
		json_t *n = json_object(), *d = json_array();

		json_object_set_new(n, "id", json_integer(t->node[i].id));
		json_object_set_new(n, "cpus", json_cpulist(&t->node[i].cpus));
		for (unsigned j = 0; j < t->nnodes; j++)
			json_array_append_new(d, json_integer(t->node[i].dist[j]));
		json_object_set_new(n, "distances", d);
		json_array_append_new(nodes, n);
	}
	json_object_set_new(o, "nodes", nodes);
	s = json_dumps(o, JSON_INDENT(2));
	if (s)
		puts(s);
	free(s);
	json_decref(o);
}

static void print_text(const struct hosttopo *t, const char *root)
{
	char a[4096], b[4096];

	cpulist_format(&t->online, a, sizeof(a));
	cpulist_format(&t->usable, b, sizeof(b));
	printf("host %s: %u online CPUs (%s), %u usable by this process (%s)\n", root, t->nonline,
	       a, t->nusable, b);
	printf("%u LLC%s (from %s), %u NUMA node%s%s\n", t->nllcs, t->nllcs == 1 ? "" : "s",
	       t->llc_source == NULL ? "?" : strcmp(t->llc_source, "cache") ?
	       "physical_package_id: no cache information" : "cache/index3", t->nnodes,
	       t->nnodes == 1 ? "" : "s", t->numa_source ? "" : " (no NUMA information)");
	for (unsigned i = 0; i < t->nllcs; i++) {
		cpulist_format(&t->llc[i].cpus, a, sizeof(a));
		cpulist_format(&t->llc[i].usable, b, sizeof(b));
		printf("  LLC %-3u node %-2u CPUs %s (%u cores)%s%s%s\n", i,
		       t->node[t->llc[i].node].id, a, llc_cores(t, i),
		       t->llc[i].nusable == t->llc[i].ncpus ? "" : " (usable: ",
		       t->llc[i].nusable == t->llc[i].ncpus ? "" : (b[0] ? b : "none"),
		       t->llc[i].nusable == t->llc[i].ncpus ? "" : ")");
	}
	for (unsigned i = 0; i < t->nnodes; i++) {
		cpulist_format(&t->node[i].cpus, a, sizeof(a));
		printf("  node %-2u CPUs %s distances", t->node[i].id, a[0] ? a : "none");
		for (unsigned j = 0; j < t->nnodes; j++)
			printf(" %u", t->node[i].dist[j]);
		printf("\n");
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Median time of plan_make and of hosttopo_read (the baseline) over repeat runs. */
static int bench_plan(const char *root, unsigned repeat, const char *shape, int perf)
{
	struct plan_req req = { perf ? PLAN_PERF : PLAN_DEFAULT, { 0, 0, 0, 0 }, 0 };
	struct hosttopo *t = malloc(sizeof(*t));
	uint64_t *tp = calloc(repeat, sizeof(uint64_t)), *tr = calloc(repeat, sizeof(uint64_t));
	static struct plan p;
	char why[512];
	int ret = KT_EXIT_INFRA;

	if (!t || !tp || !tr) {
		kt_err("out of memory");
		goto out;
	}
	if (topology_parse(shape, &req.vtopo, why, sizeof(why)) < 0) {
		kt_err("--bench-plan: %s", why);
		ret = KT_EXIT_USAGE;
		goto out;
	}
	for (unsigned i = 0; i < repeat; i++) {
		uint64_t t0 = now_ns();

		if (hosttopo_load(root, t, why, sizeof(why)) < 0) {
			kt_err("%s", why);
			goto out;
		}
		tr[i] = now_ns() - t0;
	}
	for (unsigned i = 0; i < repeat; i++) {
		uint64_t t0 = now_ns();
		enum plan_result r = plan_make(t, &req, NULL, &p, why, sizeof(why));

		tp[i] = now_ns() - t0;
		if (r != PLAN_OK) {
			kt_err("--bench-plan %s: %s", shape, why);
			goto out;
		}
	}
	qsort(tp, repeat, sizeof(*tp), cmp_u64);
	qsort(tr, repeat, sizeof(*tr), cmp_u64);
	printf("plan_ns_median %llu\nread_ns_median %llu\n", (unsigned long long)tp[repeat / 2],
	       (unsigned long long)tr[repeat / 2]);
	ret = KT_EXIT_PASS;
out:
	free(t);
	free(tp);
	free(tr);
	return ret;
}

int cmd_topo(int argc, char **argv)
{
	const char *root = "/sys", *bench = NULL;
	struct hosttopo *t;
	int c, json = 0, perf = 0;
	unsigned repeat = 1000;
	char why[512];

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", topo_opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			json = 1;
			break;
		case OPT_SYSFS:
			root = optarg;
			break;
		case OPT_BENCH:
			bench = optarg;
			break;
		case OPT_PERF:
			perf = 1;
			break;
		case OPT_REPEAT: {
			char *end;

			repeat = (unsigned)strtoul(optarg, &end, 10);
			if (*end || !repeat || repeat > 1000000) {
				kt_err("--repeat: '%s' is not a number from 1 to 1000000", optarg);
				return KT_EXIT_USAGE;
			}
			break;
		}
		case 'h':
			fputs(topo_usage, stdout);
			return KT_EXIT_PASS;
		default:
			fprintf(stderr, "see 'ktstr topo --help'\n");
			return KT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		kt_err("topo: unexpected argument '%s'; see 'ktstr topo --help'", argv[optind]);
		return KT_EXIT_USAGE;
	}
	t = malloc(sizeof(*t));
	if (!t) {
		kt_err("out of memory");
		return KT_EXIT_INFRA;
	}
	if (bench) {
		c = bench_plan(root, repeat, bench, perf);
		free(t);
		return c;
	}
	if (hosttopo_load(root, t, why, sizeof(why)) < 0) {
		kt_err("reading the host topology: %s", why);
		free(t);
		return strcmp(root, "/sys") ? KT_EXIT_USAGE : KT_EXIT_INFRA;
	}
	if (json)
		print_json(t, root);
	else
		print_text(t, root);
	free(t);
	return KT_EXIT_PASS;
}
