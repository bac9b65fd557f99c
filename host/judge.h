/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `ktstr run`'s side of the result: collects every frame of the session into a result
 * (result.h), draws the live progress line, and at the end runs the checks, prints the
 * summary and writes --json, --junit and DIR/result.json. cmd_run.c calls it in a few lines.
 */
#ifndef KTSTR_JUDGE_H
#define KTSTR_JUDGE_H

#include <stdint.h>
#include "output.h"
#include "result.h"
#include "session.h"

struct judge {
	struct result r;
	const char *json, *junit, *output_dir;	/* NULL: not asked for */
	int verbose;
	int progress;		/* draw the progress line on stderr */
	int drawn;		/* it is on screen now */
	uint64_t t0_ms, workers_ms, duration_ms;
	char stage[32];
	int saved_stdout;	/* with a document on stdout: the real stdout, -1 otherwise */
};

/* Whether the output files can be created, before any VM boots. -1 after printing why. */
int judge_check_paths(const char *json, const char *junit);
/* The host's job is authoritative for the checks. progress: stderr is a terminal. */
int judge_init(struct judge *jd, const struct kt_job *job, int progress);
/*
 * Hooks the session. With --json - or --junit -, what the session prints while the VM runs
 * goes to stderr, keeping stdout for the document. Returns -1 after printing why.
 */
int judge_attach(struct judge *jd, struct session *s);
/*
 * After session_run returned status: the checks, the summary on stdout and the files.
 * Returns ktstr's exit status.
 */
int judge_finish(struct judge *jd, const struct session *s, int status, const struct run_meta *m);
void judge_free(struct judge *jd);

#endif
