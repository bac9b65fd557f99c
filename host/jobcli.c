// SPDX-License-Identifier: GPL-2.0-only
/* Command-line shorthands that build the same job entries a job file would. */
#include "jobcli.h"

#include <stdlib.h>
#include <string.h>

const struct option jobcli_options[] = {
	{ "work", required_argument, NULL, JOBCLI_WORK },
	{ "workers", required_argument, NULL, JOBCLI_WORKERS },
	{ "duration", required_argument, NULL, JOBCLI_DURATION },
	{ "group", required_argument, NULL, JOBCLI_GROUP },
	{ "set", required_argument, NULL, JOBCLI_SET },
	{ "sysctl", required_argument, NULL, JOBCLI_SYSCTL },
	{ "scheduler", required_argument, NULL, JOBCLI_SCHED },
	{ "scheduler-args", required_argument, NULL, JOBCLI_SCHED_ARGS },
	{ "scheduler-kind", required_argument, NULL, JOBCLI_SCHED_KIND },
	{ "settle", required_argument, NULL, JOBCLI_SETTLE },
	{ "print-job", no_argument, NULL, JOBCLI_PRINT_JOB },
	{ NULL, 0, NULL, 0 },
};

const char jobcli_help[] =
	"  JOBFILE                 an INI job file (docs/job-format.md); the options below\n"
	"                          override its [global] section\n"
	"      --work TYPE         work type of every group (spin)\n"
	"      --workers N         workers per group (one per vCPU)\n"
	"      --duration DUR      how long the workers run (5s; units ms, s, m)\n"
	"      --group NAME:KEY=VALUE,...\n"
	"                          add a group, e.g. --group a:work=spin,workers=2,cpus=0-1\n"
	"                          (repeatable; without groups the job has one, 'default')\n"
	"      --set KEY=VALUE     any [global] key, e.g. --set max_gap_ms=500\n"
	"      --sysctl NAME=VALUE a sysctl to set in the guest (repeatable)\n"
	"      --scheduler PATH    scheduler binary to pack into the guest and run; a bare\n"
	"                          NAME (scx_simple) is one 'ktstr scx build' cached (sched_ext)\n"
	"      --scheduler-args ARGS, --scheduler-kind process|sched_ext\n"
	"      --settle DUR        pause after setup, before the workers start (0)\n"
	"      --print-job         print the job as canonical INI and exit\n";

static int add_kv(struct job_src *s, const char *where, const char *kv, const char *prefix)
{
	const char *eq = strchr(kv, '=');
	char key[64];

	if (!eq || eq == kv || (size_t)(eq - kv) + strlen(prefix) >= sizeof(key)) {
		jobsrc_error(s, where, "", "", "'%s' is not KEY=VALUE", kv);
		return 1;	/* ours, and recorded */
	}
	snprintf(key, sizeof(key), "%s%.*s", prefix, (int)(eq - kv), kv);
	if (jobsrc_add(s, where, "global", key, eq + 1, 1) < 0)
		jobsrc_error(s, where, "", "", "out of memory");
	return 1;
}

/*
 * NAME:k=v,k=v. A comma-separated piece without '=' continues the previous value, so lists
 * such as cpus=0-3,6 need no quoting.
 */
static void add_group(struct job_src *s, const char *arg)
{
	char where[160], *buf, *colon, *save, *tok, key[64] = "", val[1024] = "";

	snprintf(where, sizeof(where), "--group %s", arg);
	buf = strdup(arg);
	if (!buf) {
		jobsrc_error(s, where, "", "", "out of memory");
		return;
	}
	colon = strchr(buf, ':');
	if (colon)
		*colon = '\0';
	snprintf(where, sizeof(where), "--group %s", buf);
	if (!buf[0] || !strcmp(buf, "global")) {
		jobsrc_error(s, where, "", "", "expected NAME:KEY=VALUE,... with a group NAME");
		goto out;
	}
	if (jobsrc_add_section(s, where, buf) < 0)
		goto oom;
	for (tok = colon ? strtok_r(colon + 1, ",", &save) : NULL; tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');

		if (!eq && key[0]) {
			size_t len = strlen(val);

			snprintf(val + len, sizeof(val) - len, ",%s", tok);
			continue;
		}
		if (key[0] && jobsrc_add(s, where, buf, key, val, 1) < 0)
			goto oom;
		key[0] = '\0';
		if (!eq || eq == tok || (size_t)(eq - tok) >= sizeof(key)) {
			jobsrc_error(s, where, buf, "", "'%s' is not KEY=VALUE", tok);
			continue;
		}
		snprintf(key, sizeof(key), "%.*s", (int)(eq - tok), tok);
		snprintf(val, sizeof(val), "%s", eq + 1);
	}
	if (key[0] && jobsrc_add(s, where, buf, key, val, 1) < 0)
		goto oom;
	goto out;
oom:
	jobsrc_error(s, where, "", "", "out of memory");
out:
	free(buf);
}

int jobcli_handle(struct job_src *s, int opt, const char *arg, int *print_job)
{
	static const struct { int opt; const char *flag, *key; } simple[] = {
		{ JOBCLI_WORK, "--work", "work" },
		{ JOBCLI_WORKERS, "--workers", "workers" },
		{ JOBCLI_DURATION, "--duration", "duration" },
		{ JOBCLI_SCHED, "--scheduler", "scheduler" },
		{ JOBCLI_SCHED_ARGS, "--scheduler-args", "scheduler_args" },
		{ JOBCLI_SCHED_KIND, "--scheduler-kind", "scheduler_kind" },
		{ JOBCLI_SETTLE, "--settle", "settle" },
	};

	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
		if (opt == simple[i].opt) {
			if (jobsrc_add(s, simple[i].flag, "global", simple[i].key, arg, 1) < 0)
				jobsrc_error(s, simple[i].flag, "", "", "out of memory");
			return 1;
		}
	switch (opt) {
	case JOBCLI_GROUP:
		add_group(s, arg);
		return 1;
	case JOBCLI_SET:
		return add_kv(s, "--set", arg, "");
	case JOBCLI_SYSCTL:
		return add_kv(s, "--sysctl", arg, "sysctl.");
	case JOBCLI_PRINT_JOB:
		*print_job = 1;
		return 1;
	}
	return 0;
}
