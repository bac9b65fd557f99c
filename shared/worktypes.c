// SPDX-License-Identifier: GPL-2.0-only
#include "worktypes.h"
#include "job.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define US 1ull
#define MS 1000ull
#define SEC 1000000ull
#define KIB 1024ull
#define MIB (1024ull * 1024)
#define END { NULL, 0, NULL, 0, 0, NULL }

/*
 * Blocking calls inside the work loops wait at most 100 ms, so every worker sees the stop
 * flag within ~100 ms: durations that are slept are chunked, and the longest single waits
 * (timer intervals) are bounded here.
 */
static const struct kt_work_param no_params[] = { END };

static const struct kt_work_param mixed_params[] = {
	{ "spin", KT_P_UINT, "100", 1, 1000000, "spin work units between two sched_yield()s" },
	END,
};

static const struct kt_work_param bursty_params[] = {
	{ "burst", KT_P_DURATION, "5ms", 10 * US, 10 * SEC, "how long each burst spins" },
	{ "sleep", KT_P_DURATION, "5ms", 10 * US, 10 * SEC, "how long it sleeps between bursts" },
	END,
};

static const struct kt_work_param idle_params[] = {
	{ "sleep", KT_P_DURATION, "100us", 1 * US, 100 * MS, "each sleep (clock_nanosleep)" },
	{ "spin", KT_P_UINT, "10", 0, 1000000, "spin work units between sleeps" },
	END,
};

static const struct kt_work_param timer_params[] = {
	{ "interval", KT_P_DURATION, "1ms", 10 * US, 100 * MS,
	  "period of the absolute deadlines (TIMER_ABSTIME); latency = wake - deadline" },
	END,
};

static const struct kt_work_param pipe_params[] = {
	{ "size", KT_P_SIZE, "8", 8, 64 * KIB, "bytes per message (the first 8 carry the send time)" },
	END,
};

static const struct kt_work_param spin_between_params[] = {
	{ "spin", KT_P_UINT, "0", 0, 1000000, "spin work units each worker does per round" },
	END,
};

static const struct kt_work_param mutex_params[] = {
	{ "hold", KT_P_UINT, "10", 0, 1000000, "spin work units done holding the lock" },
	{ "spin", KT_P_UINT, "10", 0, 1000000, "spin work units done between acquisitions" },
	END,
};

static const struct kt_work_param cache_params[] = {
	{ "size", KT_P_SIZE, "1m", 4 * KIB, 1024 * MIB, "buffer size (e.g. 512k, 8m)" },
	{ "stride", KT_P_SIZE, "64", 1, 4 * KIB, "bytes between touched locations" },
	END,
};

static const struct kt_work_param fault_params[] = {
	{ "size", KT_P_SIZE, "1m", 4 * KIB, 256 * MIB,
	  "region mapped, touched page by page and unmapped each iteration" },
	END,
};

static const struct kt_work_param exec_params[] = {
	{ "cmd", KT_P_STRING, "/ktstr/init --ktstr-exit=0", 0, 0,
	  "program and arguments, split on blanks (a path in the initramfs); the default is "
	  "ktstr-init's no-op mode" },
	{ "loop", KT_P_UINT, "0", 0, 1, "1: run it again each time it exits until the stop" },
	END,
};

static const struct kt_work_param churn_params[] = {
	{ "interval", KT_P_DURATION, "1ms", 10 * US, 1 * SEC, "spin time between changes" },
	END,
};

static const struct kt_work_param policy_params[] = {
	{ "interval", KT_P_DURATION, "1ms", 10 * US, 1 * SEC, "spin time between changes" },
	{ "policies", KT_P_STRING, "other,batch,idle", 0, 0,
	  "cycle through these (other, batch, idle, fifo, rr, ext)" },
	END,
};

static const struct kt_work_param nice_params[] = {
	{ "interval", KT_P_DURATION, "1ms", 10 * US, 1 * SEC, "spin time between changes" },
	{ "step", KT_P_UINT, "1", 1, 39, "nice increment per change, sweeping -20..19 and back" },
	END,
};

/* Accepted by every work type: knobs the project's own tests use to provoke failures. */
const struct kt_work_param kt_work_common_params[] = {
	{ "test_crash", KT_P_DURATION, "0", 0, 3600 * SEC,
	  "test only: worker 0 raises SIGSEGV this long after the start (0: never)" },
	{ "test_hang", KT_P_UINT, "0", 0, 1, "test only: worker 0 ignores the stop signal" },
	{ "test_short", KT_P_UINT, "0", 0, 1, "test only: worker 0 sends half its report" },
	{ "test_sigstop", KT_P_DURATION, "0", 0, 60 * SEC,
	  "test only: the init SIGSTOPs worker 0 for this long, a quarter into the run" },
	END,
};

#define T(name, help, mult, minw, params) { name, help, mult, params, minw }
const struct kt_work_type kt_work_types[] = {
	T("spin", "busy loop: pure CPU demand", 1, 1, no_params),
	T("yield", "sched_yield() in a loop", 1, 1, no_params),
	T("mixed", "spin, then sched_yield(), repeatedly", 1, 1, mixed_params),
	T("bursty", "spin for a burst, then sleep", 1, 1, bursty_params),
	T("idle-churn", "short precise sleeps with a little work between them (oversleep is "
	  "reported as timer latency)", 1, 1, idle_params),
	T("timer-latency", "clock_nanosleep(TIMER_ABSTIME) on a fixed period; timer latency = "
	  "wake - deadline", 1, 1, timer_params),
	T("pipe-io", "pairs ping-pong a message over two pipes; wake latency = receive - send",
	  2, 2, pipe_params),
	T("futex-pingpong", "pairs hand a futex back and forth; wake latency = wake - FUTEX_WAKE",
	  2, 2, no_params),
	T("futex-fanout", "worker 0 wakes all the others with one FUTEX_WAKE and waits for every "
	  "ack", 1, 2, spin_between_params),
	T("wake-chain", "a ring of stages (one per worker), each wakes the next", 1, 2,
	  spin_between_params),
	T("mutex-contention", "all workers contend for one futex-based lock", 1, 1, mutex_params),
	T("cache-pressure", "read-modify-write over a buffer, one stride per work unit", 1, 1,
	  cache_params),
	T("page-fault-churn", "map, touch every page, unmap: one page fault per work unit", 1, 1,
	  fault_params),
	T("fork-exit", "fork a child that exits at once, wait for it", 1, 1, no_params),
	T("exec", "run a program from the initramfs as the worker, recording its exit status "
	  "and run time", 1, 1, exec_params),
	T("affinity-churn", "spin, moving itself to the next allowed CPU every interval", 1, 1,
	  churn_params),
	T("policy-churn", "spin, switching scheduling policy every interval", 1, 1, policy_params),
	T("nice-sweep", "spin, stepping its nice value through -20..19 every interval", 1, 1,
	  nice_params),
};
#undef T
const size_t kt_nwork_types = sizeof(kt_work_types) / sizeof(kt_work_types[0]);

const struct kt_work_type *kt_work_find(const char *name)
{
	for (size_t i = 0; i < kt_nwork_types; i++)
		if (!strcmp(kt_work_types[i].name, name))
			return &kt_work_types[i];
	return NULL;
}

const struct kt_work_param *kt_work_param_find(const struct kt_work_type *t, const char *key)
{
	for (const struct kt_work_param *p = t->params; p->key; p++)
		if (!strcmp(p->key, key))
			return p;
	for (const struct kt_work_param *p = kt_work_common_params; p->key; p++)
		if (!strcmp(p->key, key))
			return p;
	return NULL;
}

uint64_t kt_work_param_u64(const struct kt_group *g, const char *key)
{
	const struct kt_work_type *t = kt_work_find(g->work);
	const struct kt_work_param *p = t ? kt_work_param_find(t, key) : NULL;
	const char *v = kt_group_param(g, key);
	uint64_t out = 0;
	char why[160];

	if (!p)
		return 0;
	/* The host validated the job; a value that still fails to parse falls back. */
	if (v && !kt_work_param_parse(p, v, &out, why, sizeof(why)))
		return out;
	if (kt_work_param_parse(p, p->def, &out, why, sizeof(why)))
		return 0;
	return out;
}

const char *kt_work_param_str(const struct kt_group *g, const char *key)
{
	const struct kt_work_type *t = kt_work_find(g->work);
	const struct kt_work_param *p = t ? kt_work_param_find(t, key) : NULL;
	const char *v = kt_group_param(g, key);

	return v ? v : p && p->def ? p->def : "";
}

/* A bound in the syntax a job file uses: 10us, 5ms, 2s; 4k, 1m. */
static const char *fmt_bound(char *buf, size_t sz, enum kt_pkind kind, uint64_t v)
{
	static const char *const dur[] = { "us", "ms", "s" }, *const size[] = { "", "k", "m", "g" };
	unsigned u = 0;

	if (kind == KT_P_DURATION)
		for (; u < 2 && v && v % 1000 == 0; u++)
			v /= 1000;
	else if (kind == KT_P_SIZE)
		for (; u < 3 && v && v % 1024 == 0; u++)
			v /= 1024;
	snprintf(buf, sz, "%" PRIu64 "%s", v,
		 kind == KT_P_DURATION ? dur[u] : kind == KT_P_SIZE ? size[u] : "");
	return buf;
}

static void print_params(FILE *to, const struct kt_work_param *p)
{
	static const char *const kind[] = { "count", "duration", "size", "string" };
	char lo[32], hi[32];

	for (; p->key; p++) {
		fprintf(to, "    %-14s %-8s default %s", p->key, kind[p->kind], p->def);
		if (p->kind != KT_P_STRING)
			fprintf(to, ", %s..%s", fmt_bound(lo, sizeof(lo), p->kind, p->min),
				fmt_bound(hi, sizeof(hi), p->kind, p->max));
		fprintf(to, "\n      %s\n", p->help);
	}
}

void kt_work_print(FILE *to)
{
	fprintf(to, "work types (work=TYPE; parameters as KEY=VALUE in the group):\n");
	for (size_t i = 0; i < kt_nwork_types; i++) {
		const struct kt_work_type *t = &kt_work_types[i];

		fprintf(to, "\n  %s: %s", t->name, t->help);
		if (t->workers_multiple > 1)
			fprintf(to, " [workers: a multiple of %u]", t->workers_multiple);
		else if (t->min_workers > 1)
			fprintf(to, " [workers: at least %u]", t->min_workers);
		fputc('\n', to);
		print_params(to, t->params);
	}
	fprintf(to, "\n  every type also accepts:\n");
	print_params(to, kt_work_common_params);
}

/* Suffix multipliers per kind; the first entry is the unit a bare number means. */
struct unit {
	const char *sfx;
	uint64_t mul;
};
static const struct unit dur_units[] = {
	{ "us", 1 }, { "ms", 1000 }, { "s", 1000000 }, { "m", 60000000 }, { NULL, 0 },
};
static const struct unit size_units[] = {
	{ "", 1 }, { "k", 1024 }, { "m", 1024 * 1024 }, { "g", 1024ull * 1024 * 1024 },
	{ NULL, 0 },
};

int kt_work_param_parse(const struct kt_work_param *p, const char *val, uint64_t *out,
			char *why, size_t wsz)
{
	const struct unit *units = NULL;
	unsigned long long v;
	char *end;

	*out = 0;
	if (p->kind == KT_P_STRING)
		return 0;
	if (p->kind == KT_P_DURATION)
		units = dur_units;
	else if (p->kind == KT_P_SIZE)
		units = size_units;
	errno = 0;
	v = strtoull(val, &end, 10);
	if (end == val || errno || val[0] == '-')
		goto bad;
	if (units) {
		const struct unit *u = *end ? NULL : &units[0];

		for (const struct unit *x = units; !u && x->sfx; x++)
			if (*x->sfx && !strcasecmp(end, x->sfx))
				u = x;
		if (!u || (u->mul && v > UINT64_MAX / u->mul))
			goto bad;
		v *= u->mul;
	} else if (*end) {
		goto bad;
	}
	if (v < p->min || v > p->max) {
		snprintf(why, wsz, "%s=%s is out of range (%" PRIu64 "..%" PRIu64 "%s)", p->key,
			 val, p->min, p->max,
			 p->kind == KT_P_DURATION ? " us" : p->kind == KT_P_SIZE ? " bytes" : "");
		return -1;
	}
	*out = v;
	return 0;
bad:
	snprintf(why, wsz, "%s=%s is not %s", p->key, val,
		 p->kind == KT_P_DURATION ? "a duration (e.g. 500us, 2ms, 1s)" :
		 p->kind == KT_P_SIZE ? "a size (e.g. 64k, 2m)" : "a whole number");
	return -1;
}
