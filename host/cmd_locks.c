// SPDX-License-Identifier: GPL-2.0-only
/* ktstr locks: who holds which host LLC and CPU (and, for tests, take some). */
#include "cmd.h"
#include "hosttopo.h"
#include "locks.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char locks_usage[] =
	"usage: ktstr locks [--json] [--watch SECONDS]\n"
	"\n"
	"Lists the host CPU reservations of ktstr runs: each LLC and CPU lock file in\n"
	"$KTSTR_LOCK_DIR (/tmp) with the pid and command of its holders (from /proc/locks).\n"
	"\n"
	"      --json            machine-readable output\n"
	"      --watch SECONDS   print again every SECONDS until interrupted\n"
	"  -h, --help            this text\n"
	"\n"
	"For tests and benchmarks: reserve CPUs as 'ktstr run' would, without a VM:\n"
	"      --acquire         plan and take the locks, print the plan, hold, release\n"
	"      --sysfs ROOT      plan on the synthetic host below ROOT (default: this host)\n"
	"  -T, --topology T      the virtual topology to plan for (1n1l1c1t)\n"
	"      --perf-mode, --cpu-cap N, --wait-locks SECONDS   as for 'ktstr run'\n"
	"      --hold DUR        keep the locks DUR (0; units ms, s, m) before releasing\n"
	"\n"
	"exit status: 0, 2 usage, 77 (--acquire) the host cannot give the CPUs, 99 error\n";

enum { OPT_JSON = 256, OPT_WATCH, OPT_ACQUIRE, OPT_SYSFS, OPT_PERF, OPT_CPUCAP, OPT_WAIT,
       OPT_HOLD };

static const struct option locks_opts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "watch", required_argument, NULL, OPT_WATCH },
	{ "acquire", no_argument, NULL, OPT_ACQUIRE },
	{ "sysfs", required_argument, NULL, OPT_SYSFS },
	{ "topology", required_argument, NULL, 'T' },
	{ "perf-mode", no_argument, NULL, OPT_PERF },
	{ "cpu-cap", required_argument, NULL, OPT_CPUCAP },
	{ "wait-locks", required_argument, NULL, OPT_WAIT },
	{ "hold", required_argument, NULL, OPT_HOLD },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static int print_locks(int json)
{
	const char *dir = locks_dir();
	struct lock_info *li;
	char why[512], path[PATH_MAX];
	size_t n;

	if (locks_scan(dir, &li, &n, why, sizeof(why)) < 0) {
		kt_err("%s", why);
		return KT_EXIT_INFRA;
	}
	if (json) {
		json_t *o = json_object(), *arr = json_array();
		char *s;

		json_object_set_new(o, "dir", json_string(dir));
		for (size_t i = 0; i < n; i++) {
			json_t *l = json_object(), *hs = json_array();

			locks_path(dir, li[i].kind, li[i].idx, path, sizeof(path));
			json_object_set_new(l, "kind", json_string(li[i].kind == 'l' ? "llc" : "cpu"));
			json_object_set_new(l, "index", json_integer(li[i].idx));
			json_object_set_new(l, "path", json_string(path));
			for (unsigned k = 0; k < li[i].nholders; k++) {
				json_t *h = json_object();

				json_object_set_new(h, "pid", json_integer(li[i].h[k].pid));
				json_object_set_new(h, "comm", json_string(li[i].h[k].comm));
				json_object_set_new(h, "mode", json_string(li[i].h[k].write ?
									   "exclusive" : "shared"));
				json_array_append_new(hs, h);
			}
			json_object_set_new(l, "holders", hs);
			json_array_append_new(arr, l);
		}
		json_object_set_new(o, "locks", arr);
		s = json_dumps(o, JSON_INDENT(2));
		if (s)
			puts(s);
		free(s);
		json_decref(o);
	} else {
		unsigned held = 0;

		for (size_t i = 0; i < n; i++)
			held += li[i].nholders > 0;
		printf("lock directory %s: %zu lock files, %u held\n", dir, n, held);
		for (size_t i = 0; i < n; i++) {
			printf("  %s %-4u", li[i].kind == 'l' ? "LLC" : "CPU", li[i].idx);
			if (!li[i].nholders)
				printf(" free");
			for (unsigned k = 0; k < li[i].nholders; k++)
				printf("%s pid %d (%s) %s", k ? ";" : "", (int)li[i].h[k].pid,
				       li[i].h[k].comm, li[i].h[k].write ? "exclusive" : "shared");
			printf("\n");
		}
	}
	fflush(stdout);
	free(li);
	return KT_EXIT_PASS;
}

static int acquire(const char *root, const char *shape, int perf, unsigned cap,
		   unsigned wait_s, int64_t hold_ms)
{
	struct plan_req req = { perf ? PLAN_PERF : PLAN_DEFAULT, { 1, 1, 1, 1 }, cap };
	struct hosttopo *t = malloc(sizeof(*t));
	static struct plan p;
	static struct lockset ls;
	char why[512], desc[8192], cl[4096];
	int ret;

	if (!t) {
		kt_err("out of memory");
		return KT_EXIT_INFRA;
	}
	if (shape && topology_parse(shape, &req.vtopo, why, sizeof(why)) < 0) {
		kt_err("--topology: %s", why);
		free(t);
		return KT_EXIT_USAGE;
	}
	if (hosttopo_load(root, t, why, sizeof(why)) < 0) {
		kt_err("reading the host topology: %s", why);
		free(t);
		return strcmp(root, "/sys") ? KT_EXIT_USAGE : KT_EXIT_INFRA;
	}
	if (cap > t->nusable) {
		kt_err("--cpu-cap %u: only %u CPUs are usable", cap, t->nusable);
		free(t);
		return KT_EXIT_USAGE;
	}
	ret = locks_reserve(t, &req, wait_s * 1000LL, &p, &ls);
	if (ret != KT_EXIT_PASS) {
		free(t);
		return ret;
	}
	/* One parseable line for the tests, then the human description. */
	cpulist_format(&p.cpus, cl, sizeof(cl));
	printf("reserved pid %d mode %s cpus %s llcs", (int)getpid(),
	       perf ? "perf" : "default", cl);
	for (unsigned i = 0; i < p.nllcs; i++)
		printf("%s%u", i ? "," : " ", p.llc[i]);
	printf("\n");
	if (p.note[0])
		printf("note: %s\n", p.note);
	plan_describe(t, &p, desc, sizeof(desc));
	fputs(desc, stdout);
	fflush(stdout);
	free(t);
	if (hold_ms > 0) {
		struct timespec ts = { hold_ms / 1000, (long)(hold_ms % 1000) * 1000000L };

		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	locks_release(&ls);
	return KT_EXIT_PASS;
}

int cmd_locks(int argc, char **argv)
{
	const char *root = "/sys", *shape = NULL;
	int c, json = 0, acq = 0, perf = 0;
	unsigned watch = 0, cap = 0, wait_s = 0;
	int64_t hold_ms = 0;

	optind = 1;
	while ((c = getopt_long(argc, argv, "T:h", locks_opts, NULL)) != -1) {
		char *end;
		unsigned long v;

		switch (c) {
		case OPT_JSON:
			json = 1;
			break;
		case OPT_WATCH:
		case OPT_CPUCAP:
		case OPT_WAIT:
			errno = 0;
			v = strtoul(optarg, &end, 10);
			if (errno || end == optarg || *end || *optarg == '-' ||
			    v > (c == OPT_CPUCAP ? KT_MAX_CPUS : 86400) || (c != OPT_WAIT && !v)) {
				kt_err("--%s: '%s' is not a whole number from %d to %d",
				       c == OPT_WATCH ? "watch" : c == OPT_CPUCAP ? "cpu-cap" : "wait-locks",
				       optarg, c == OPT_WAIT ? 0 : 1, c == OPT_CPUCAP ? KT_MAX_CPUS : 86400);
				return KT_EXIT_USAGE;
			}
			*(c == OPT_WATCH ? &watch : c == OPT_CPUCAP ? &cap : &wait_s) = (unsigned)v;
			break;
		case OPT_ACQUIRE:
			acq = 1;
			break;
		case OPT_SYSFS:
			root = optarg;
			break;
		case 'T':
			shape = optarg;
			break;
		case OPT_PERF:
			perf = 1;
			break;
		case OPT_HOLD:
			hold_ms = kt_parse_duration_ms(optarg);
			if (hold_ms < 0) {
				kt_err("--hold: '%s' is not a duration like 500ms, 2s or 1m", optarg);
				return KT_EXIT_USAGE;
			}
			break;
		case 'h':
			fputs(locks_usage, stdout);
			return KT_EXIT_PASS;
		default:
			fprintf(stderr, "see 'ktstr locks --help'\n");
			return KT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		kt_err("locks: unexpected argument '%s'; see 'ktstr locks --help'", argv[optind]);
		return KT_EXIT_USAGE;
	}
	if (acq)
		return acquire(root, shape, perf, cap, wait_s, hold_ms);
	for (;;) {
		int r = print_locks(json);

		if (r != KT_EXIT_PASS || !watch)
			return r;
		sleep(watch);
		if (!json)
			printf("\n");
	}
}
