// SPDX-License-Identifier: GPL-2.0-only
/* A compiled job written back out: canonical INI (--print-job) and the binary job file. */
#include "jobfile.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The shortest decimal that reads back as exactly d. */
static void put_double(FILE *f, const char *key, double d)
{
	char buf[64];

	if (isnan(d)) {
		fprintf(f, "%s = off\n", key);
		return;
	}
	for (int prec = 6; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	fprintf(f, "%s = %s\n", key, buf);
}

static void print_checks(FILE *f, const struct kt_checks *c)
{
	fprintf(f, "starvation = %s\n", c->starvation ? "on" : "off");
	fprintf(f, "isolation = %s\n", c->isolation < 0 ? "auto" : c->isolation ? "on" : "off");
	fprintf(f, "kernel_warnings = %s\n", c->kernel_warnings ? "fail" : "ignore");
	put_double(f, "max_spread_pct", c->max_spread_pct);
	put_double(f, "max_gap_ms", c->max_gap_ms);
	put_double(f, "max_p99_wake_us", c->max_p99_wake_us);
	put_double(f, "max_p99_timer_us", c->max_p99_timer_us);
	put_double(f, "max_throughput_cv", c->max_throughput_cv);
	put_double(f, "min_work_rate", c->min_work_rate);
	put_double(f, "max_migration_ratio", c->max_migration_ratio);
}

static const char *policy_name(uint32_t p)
{
	switch (p) {
	case KT_POLICY_BATCH: return "batch";
	case KT_POLICY_IDLE: return "idle";
	case KT_POLICY_FIFO: return "fifo";
	case KT_POLICY_RR: return "rr";
	}
	return "other";
}

void jobfile_print(FILE *f, const struct jobspec *js)
{
	const struct kt_job *j = &js->job;

	fprintf(f, "# ktstr job, canonical form (ktstr run --print-job)\n[global]\n");
	fprintf(f, "name = %s\n", j->name);
	fprintf(f, "duration = %" PRIu64 "ms\n", j->duration_ms);
	fprintf(f, "settle = %" PRIu64 "ms\n", j->settle_ms);
	if (js->scheduler_host[0])
		fprintf(f, "scheduler = %s\n", js->scheduler_host);
	if (j->scheduler_args[0])
		fprintf(f, "scheduler_args = %s\n", j->scheduler_args);
	fprintf(f, "scheduler_kind = %s\n",
		j->scheduler_kind == KT_SCHED_EXT ? "sched_ext" : "process");
	for (uint32_t i = 0; i < j->nsysctls; i++)
		fprintf(f, "sysctl.%s = %s\n", j->sysctls[i].name, j->sysctls[i].value);
	print_checks(f, &j->checks);
	for (uint32_t i = 0; i < j->ngroups; i++) {
		const struct kt_group *g = &j->groups[i];

		fprintf(f, "\n[%s]\nwork = %s\n", g->name, g->work);
		for (uint32_t p = 0; p < g->nparams; p++)
			fprintf(f, "%s = %s\n", g->params[p].key, g->params[p].value);
		fprintf(f, "workers = %u\n", g->workers);
		fprintf(f, "duration = %" PRIu64 "ms\n", g->duration_ms);
		fprintf(f, "clone = %s\n", g->clone_thread ? "thread" : "process");
		if (g->cpus[0])
			fprintf(f, "cpus = %s\n", g->cpus);
		if (g->mems[0])
			fprintf(f, "mems = %s\n", g->mems);
		if (g->affinity[0])
			fprintf(f, "affinity = %s\n", g->affinity);
		if (g->mempolicy[0])
			fprintf(f, "mempolicy = %s\n", g->mempolicy);
		fprintf(f, "nice = %d\n", g->nice);
		if (g->policy == KT_POLICY_FIFO || g->policy == KT_POLICY_RR)
			fprintf(f, "policy = %s:%u\n", policy_name(g->policy), g->rt_priority);
		else
			fprintf(f, "policy = %s\n", policy_name(g->policy));
		if (g->cpu_weight)
			fprintf(f, "cpu_weight = %u\n", g->cpu_weight);
		print_checks(f, &g->checks);
	}
}

int jobfile_write_compiled(const struct jobspec *js, const char *path)
{
	struct kt_wbuf w = { 0 };
	char tmp[PATH_MAX + 16];
	int fd, ret = -1;

	if (kt_job_encode(&w, 0, &js->job) < 0 || w.oom) {
		kt_err("encoding the job: out of memory or too large");
		kt_wbuf_free(&w);
		return -1;
	}
	/* Through a temporary file and rename, so a reader never sees half a job. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0) {
		kt_err("creating %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (kt_write_all(fd, w.buf, w.len) < 0 || close(fd) < 0) {
		kt_err("writing %s: %s", tmp, strerror(errno));
		unlink(tmp);
		goto out;
	}
	if (rename(tmp, path) < 0) {
		kt_err("renaming %s to %s: %s", tmp, path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	ret = 0;
out:
	kt_wbuf_free(&w);
	return ret;
}
