/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Command-line shorthands for a job: `--work spin --workers 4 --duration 5s`, repeatable
 * `--group NAME:work=spin,workers=2,cpus=0-1`, `--set KEY=VALUE` for any [global] key
 * (thresholds included) and `--sysctl NAME=VALUE`. They add entries to a job_src exactly as
 * a file's lines would, marked as command-line entries so they override the file.
 */
#ifndef KTSTR_JOBCLI_H
#define KTSTR_JOBCLI_H

#include <getopt.h>
#include "jobfile.h"

/* Option codes for getopt_long; callers join jobcli_options to theirs (kt_opts_concat). */
enum {
	JOBCLI_WORK = 1000, JOBCLI_WORKERS, JOBCLI_DURATION, JOBCLI_GROUP, JOBCLI_SET,
	JOBCLI_SYSCTL, JOBCLI_SCHED, JOBCLI_SCHED_ARGS, JOBCLI_SCHED_KIND, JOBCLI_SETTLE,
	JOBCLI_PRINT_JOB,
};
extern const struct option jobcli_options[];	/* NULL-terminated */
/* Help text for these options, one line each, for a subcommand's --help. */
extern const char jobcli_help[];

/*
 * Handles one option returned by getopt_long. Returns 1 if it was a job option (errors are
 * recorded in s), 0 if not. --print-job only sets *print_job.
 */
int jobcli_handle(struct job_src *s, int opt, const char *arg, int *print_job);

#endif
