/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * How a run's result is shown: the human summary (a table per group, PASS/FAIL lines with
 * reasons, one verdict line) and the versioned JSON document (docs/json-schema.md).
 * `ktstr run` and `ktstr decode` call the same functions, so a captured stream reads the
 * same as a live run.
 */
#ifndef KTSTR_OUTPUT_H
#define KTSTR_OUTPUT_H

#include <stdio.h>
#include "result.h"
#include "verdict.h"

#define KT_JSON_SCHEMA_VERSION	1

/* What the host knows that the stream does not; NULL fields are left out (null in JSON). */
struct run_meta {
	const char *source;		/* "run" or "decode" */
	const char *kernel;		/* path of the kernel image */
	const char *kernel_version;	/* from its header */
	const char *topology;		/* e.g. "1n1l2c1t" */
	const char *accel;		/* "kvm" or "tcg" */
	const char *input;		/* the decoded file */
	double seconds;			/* wall time of the run, < 0 unknown */
};

/* The verdict of an exit status: "pass", "fail", "skip" or "error". */
const char *output_verdict_name(int status);

/* Colour on out: only a terminal, and never with NO_COLOR set (https://no-color.org). */
int output_use_colour(FILE *out);

/*
 * The human summary: per-group table, per-worker rows when verbose, PASS/FAIL lines (SKIP
 * too when verbose), stream problems, then the verdict line.
 */
void output_summary(FILE *out, const struct result *r, const struct verdict *vd, int status,
		    const char *why, int colour, int verbose);

/*
 * The JSON document to path ("-": stdout), written through a temporary file and rename so a
 * reader never sees half of it. Returns 0, or -1 after printing why (flag names the option).
 */
int output_json(const char *flag, const char *path, const struct result *r,
		const struct verdict *vd, int status, const char *why, const struct run_meta *m);
/* The same document as a malloc'd string (NULL if out of memory). */
char *output_json_string(const struct result *r, const struct verdict *vd, int status,
			 const char *why, const struct run_meta *m);

#endif
