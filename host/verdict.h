/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The outcome of every check of a run: one row per check per group, what the human output,
 * --json and --junit are made from.
 */
#ifndef KTSTR_VERDICT_H
#define KTSTR_VERDICT_H

#include <stddef.h>

/* ERROR: the run could not be judged (infrastructure); JUnit shows it as an <error>. */
enum outcome_result { OUTCOME_PASS, OUTCOME_FAIL, OUTCOME_SKIP, OUTCOME_ERROR };

struct outcome {
	char group[64];		/* "" for run-wide checks (scheduler, kernel) */
	char check[32];		/* starvation, fairness, gaps, isolation, latency, ... */
	enum outcome_result result;
	char detail[512];	/* e.g. "worker 213 max gap 2310 ms on cpu 1 at +4.2 s (limit 2000 ms)" */
};

struct verdict {
	struct outcome *v;
	size_t n, cap;
};

/* Returns -1 if out of memory. */
int verdict_add(struct verdict *vd, const char *group, const char *check,
		enum outcome_result result, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
size_t verdict_count(const struct verdict *vd, enum outcome_result result);
void verdict_free(struct verdict *vd);

/*
 * JUnit XML: one <testcase> per outcome (classname "ktstr.<group>", name the check),
 * <failure>, <error> or <skipped> with the detail. Written to path ("-": stdout) via a temp file and
 * rename, so a reader never sees half a report. Returns 0, or -1 after printing why.
 */
int junit_write(const struct verdict *vd, const char *suite, double seconds, const char *path);

#endif
