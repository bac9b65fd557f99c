// SPDX-License-Identifier: GPL-2.0-only
/*
 * The result as JSON through jansson (escaping, UTF-8 and number formatting are the
 * library's job). The layout is docs/json-schema.md, checked by docs/result.schema.json.
 * Thresholds that are off (NaN) and values that are unknown are null.
 */
#include "output.h"
#include "checks.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <jansson.h>

#ifndef KTSTR_VERSION
#define KTSTR_VERSION "0.1.0"
#endif

/*
 * json_array_append_new quietly drops a NULL (a json_pack that failed); count those, so a
 * document with a hole is an error rather than a silently shorter array.
 */
static int holes;

static void append(json_t *a, json_t *v)
{
	if (!v || json_array_append_new(a, v) < 0)
		holes++;
}

/* json_real refuses NaN and infinities: those are null. */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *u64(uint64_t v)
{
	/* jansson's integers are signed 64-bit; a guest may claim more. */
	return v > (uint64_t)INT64_MAX ? json_real((double)v) : json_integer((json_int_t)v);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

/* Strings from the guest are bytes; jansson needs UTF-8, so invalid bytes become '?'. */
static json_t *gstr(const char *s)
{
	json_t *j = json_string(s);
	char buf[1024];
	size_t i;

	if (j)
		return j;
	for (i = 0; i < sizeof(buf) - 1 && s[i]; i++)
		buf[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
	buf[i] = '\0';
	return json_string(buf);
}

/* An object key from the guest, made valid UTF-8 the same way. */
static const char *key_of(const char *s, char *buf, size_t sz)
{
	json_t *j = json_string(s);
	size_t i;

	if (j) {
		json_decref(j);
		return s;
	}
	for (i = 0; i < sz - 1 && s[i]; i++)
		buf[i] = (unsigned char)s[i] < 0x80 ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

static json_t *checks_obj(const struct kt_checks *c)
{
	return json_pack("{s:b, s:o, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "starvation", c->starvation == 1,
			 "isolation", c->isolation < 0 ? json_string("auto") :
				      json_boolean(c->isolation),
			 "kernel_warnings", c->kernel_warnings == 1,
			 "max_spread_pct", num(c->max_spread_pct),
			 "max_gap_ms", num(c->max_gap_ms),
			 "max_p99_wake_us", num(c->max_p99_wake_us),
			 "max_p99_timer_us", num(c->max_p99_timer_us),
			 "max_throughput_cv", num(c->max_throughput_cv),
			 "min_work_rate", num(c->min_work_rate),
			 "max_migration_ratio", num(c->max_migration_ratio));
}

static json_t *job_obj(const struct kt_job *j)
{
	json_t *sys = json_array(), *groups = json_array();

	for (uint32_t i = 0; i < j->nsysctls; i++)
		append(sys, json_pack("{s:o, s:o}", "name", gstr(j->sysctls[i].name),
						     "value", gstr(j->sysctls[i].value)));
	for (uint32_t i = 0; i < j->ngroups; i++) {
		const struct kt_group *g = &j->groups[i];
		json_t *params = json_object();
		char key[sizeof(g->params[0].key)];

		for (uint32_t k = 0; k < g->nparams; k++)
			if (json_object_set_new(params, key_of(g->params[k].key, key, sizeof(key)),
						gstr(g->params[k].value)) < 0)
				holes++;
		append(groups, json_pack(
			"{s:o, s:o, s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:i, s:I, s:I, s:I, s:b, s:o}",
			"name", gstr(g->name), "work", gstr(g->work), "params", params,
			"workers", (json_int_t)g->workers, "duration_ms", (json_int_t)g->duration_ms,
			"cpus", gstr(g->cpus), "mems", gstr(g->mems), "affinity", gstr(g->affinity),
			"mempolicy", gstr(g->mempolicy), "nice", (int)g->nice,
			"policy", (json_int_t)g->policy, "rt_priority", (json_int_t)g->rt_priority,
			"cpu_weight", (json_int_t)g->cpu_weight, "clone_thread", g->clone_thread != 0,
			"checks", checks_obj(&g->checks)));
	}
	return json_pack("{s:I, s:o, s:o, s:o, s:s, s:I, s:I, s:I, s:o, s:o, s:o}",
			 "version", (json_int_t)j->version, "name", gstr(j->name),
			 "scheduler", gstr(j->scheduler), "scheduler_args", gstr(j->scheduler_args),
			 "scheduler_kind", j->scheduler_kind == KT_SCHED_EXT ? "sched_ext" : "process",
			 "duration_ms", (json_int_t)j->duration_ms,
			 "settle_ms", (json_int_t)j->settle_ms, "flags", (json_int_t)j->flags,
			 "sysctls", sys, "checks", checks_obj(&j->checks), "groups", groups);
}

static json_t *stats_obj(const struct stats *s)
{
	if (!s->n)
		return json_null();
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:o}", "n", (json_int_t)s->n,
			 "min", num(s->min), "mean", num(s->mean), "max", num(s->max),
			 "stddev", num(s->stddev), "p50", num(s->p50), "p99", num(s->p99));
}

static json_t *samples_obj(const struct kt_samples *s)
{
	double v[KT_RES_CAP];
	struct stats st;

	for (uint32_t i = 0; i < s->n; i++)
		v[i] = s->v_ns[i] / 1e3;
	if (stats_summarise(v, s->n, &st) < 0)
		return NULL;
	return json_pack("{s:o, s:I, s:o, s:o, s:o, s:o}", "count", u64(s->count),
			 "sampled", (json_int_t)s->n,
			 "mean_us", s->count ? num(s->sum_ns / 1e3 / (double)s->count) : json_null(),
			 "p50_us", s->n ? num(st.p50) : json_null(),
			 "p99_us", s->n ? num(st.p99) : json_null(),
			 "max_us", s->count ? num(s->max_ns / 1e3) : json_null());
}

static const char *status_name(uint32_t s)
{
	static const char *const n[] = { "done", "exited", "killed", "timeout", "short" };

	return s < sizeof(n) / sizeof(n[0]) ? n[s] : "unknown";
}

static json_t *worker_obj(const struct kt_worker_report *w)
{
	json_t *cpus = json_array(), *mig = json_array(), *numa = json_array();

	for (uint32_t i = 0; i < w->ncpus; i++)
		append(cpus, json_integer(w->cpus[i]));
	for (uint32_t i = 0; i < w->nmig; i++)
		append(mig, json_pack("{s:o, s:I, s:I}", "t_ns", u64(w->mig[i].t_ns),
						     "from", (json_int_t)w->mig[i].from,
						     "to", (json_int_t)w->mig[i].to));
	for (uint32_t i = 0; i < w->nnodes; i++)
		append(numa, u64(w->numa_pages[i]));
	return json_pack("{s:I, s:I, s:s, s:i, s:i, s:b, s:I, s:o, s:o, s:o, s:o, s:o, s:o, "
			 "s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:I, s:o, s:o, s:o, s:o, "
			 "s:o, s:i, s:o}",
			 "index", (json_int_t)w->index, "tid", (json_int_t)w->tid,
			 "status", status_name(w->status), "exit_code", (int)w->exit_code,
			 "signo", (int)w->signo, "completed", w->completed != 0,
			 "policy", (json_int_t)w->policy,
			 "work_units", u64(w->work_units), "iterations", u64(w->iterations),
			 "cpu_ns", u64(w->cpu_ns), "wall_ns", u64(w->wall_ns),
			 "offcpu_ns", u64(w->offcpu_ns), "run_ns", u64(w->run_ns),
			 "run_delay_ns", u64(w->run_delay_ns), "timeslices", u64(w->timeslices),
			 "offcpu_pct", num(worker_offcpu_pct(w)), "work_rate", num(worker_rate(w)),
			 "cpus", cpus, "migrations", u64(w->migrations),
			 "migration_log", mig, "migration_ratio", num(worker_migration_ratio(w)),
			 "max_gap_ms", num(w->max_gap_ns / 1e6), "max_gap_cpu",
			 (json_int_t)w->max_gap_cpu, "max_gap_at_s", num(w->max_gap_at_ns / 1e9),
			 "wake", samples_obj(&w->wake), "timer", samples_obj(&w->timer),
			 "numa_pages", numa, "error", gstr(w->error),
			 "exec_status", (int)w->exec_status, "exec_ns", u64(w->exec_ns));
}

static json_t *latency_obj(const struct latency_stats *l)
{
	return json_pack("{s:o, s:o, s:o, s:o}", "count", u64(l->count),
			 "p50_us", l->us.n ? num(l->us.p50) : json_null(),
			 "p99_us", l->us.n ? num(l->us.p99) : json_null(),
			 "max_us", l->count ? num(l->max_us) : json_null());
}

static json_t *group_obj(const struct result *r, uint32_t g)
{
	const struct result_group *rg = &r->groups[g];
	struct group_stats gs;
	json_t *workers = json_array(), *info = json_null(), *stats;

	if (group_stats_compute(r, g, &gs) < 0)
		return NULL;
	for (uint32_t i = 0; i < rg->nslots; i++)
		if (rg->slot[i])
			append(workers, worker_obj(rg->slot[i]));
	if (rg->have_info)
		info = json_pack("{s:o, s:o, s:o, s:I, s:I, s:I}", "cgroup", gstr(rg->info.cgroup),
				 "cpus", gstr(rg->info.cpus), "mems", gstr(rg->info.mems),
				 "cpu_weight", (json_int_t)rg->info.cpu_weight,
				 "workers", (json_int_t)rg->info.workers,
				 "ext_workers", (json_int_t)rg->info.ext_workers);
	stats = json_pack("{s:I, s:I, s:I, s:I, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
			  "s:o, s:o}",
			  "expected", (json_int_t)rg->nslots, "reports", (json_int_t)gs.reports,
			  "done", (json_int_t)gs.done, "sentinels", (json_int_t)gs.sentinels,
			  "cpus", gs.cpus, "work_rate", stats_obj(&gs.rate),
			  "offcpu_pct", stats_obj(&gs.offcpu),
			  "offcpu_spread_pct", gs.offcpu.n ? num(gs.offcpu.max - gs.offcpu.min) :
							     json_null(),
			  "throughput_cv", gs.rate.n ? num(stats_cv(&gs.rate)) : json_null(),
			  "max_gap_ms", gs.reports ? num(gs.max_gap_ms) : json_null(),
			  "migrations", u64(gs.migrations),
			  "max_migration_ratio", gs.reports ? num(gs.max_migration_ratio) :
							      json_null(),
			  "wake", latency_obj(&gs.wake), "timer", latency_obj(&gs.timer),
			  "run_delay_ms", stats_obj(&gs.run_delay_ms));
	return json_pack("{s:I, s:o, s:o, s:o, s:o}", "index", (json_int_t)g,
			 "name", gstr(r->job.groups[g].name), "info", info, "stats", stats,
			 "workers", workers);
}

/* What the guest saw (TOPO frames): null when it sent none. */
static json_t *topology_obj(const struct result *r)
{
	json_t *cpus, *nodes;

	if (!r->ntopo_cpus && !r->ntopo_nodes)
		return json_null();
	cpus = json_array();
	nodes = json_array();
	for (size_t i = 0; i < r->ntopo_cpus; i++) {
		const struct kt_topo_cpu *c = &r->topo_cpus[i];

		append(cpus, json_pack("{s:I, s:i, s:i, s:i, s:i, s:o, s:o}", "cpu",
				       (json_int_t)c->cpu, "node", (int)c->node, "package",
				       (int)c->package, "die", (int)c->die, "core", (int)c->core,
				       "llc", gstr(c->llc), "siblings", gstr(c->siblings)));
	}
	for (size_t i = 0; i < r->ntopo_nodes; i++) {
		const struct kt_topo_node *n = &r->topo_nodes[i];

		append(nodes, json_pack("{s:I, s:o, s:o, s:o}", "node", (json_int_t)n->node,
					"mem_kib", u64(n->mem_kib), "cpus", gstr(n->cpus),
					"distance", gstr(n->distance)));
	}
	return json_pack("{s:o, s:o}", "cpus", cpus, "nodes", nodes);
}

static json_t *document(const struct result *r, const struct verdict *vd, int status,
			const char *why, const struct run_meta *m)
{
	json_t *doc, *groups = json_array(), *checks = json_array(), *kmsg = json_array();
	json_t *errors = json_array(), *rejects = json_array(), *guest = json_null();
	json_t *exitj = json_null(), *sched = json_null(), *host;

	for (uint32_t g = 0; r->have_job && g < r->job.ngroups; g++) {
		json_t *go = group_obj(r, g);

		if (!go)
			goto oom;
		append(groups, go);
	}
	for (size_t i = 0; i < vd->n; i++) {
		const struct outcome *o = &vd->v[i];

		append(checks, json_pack("{s:o, s:s, s:s, s:o}",
			"group", o->group[0] ? gstr(o->group) : json_null(), "check", o->check,
			"result", o->result == OUTCOME_PASS ? "pass" :
				  o->result == OUTCOME_FAIL ? "fail" :
				  o->result == OUTCOME_ERROR ? "error" : "skip",
			"detail", gstr(o->detail)));
	}
	for (size_t i = 0; i < r->kmsg_kept; i++)
		append(kmsg, json_pack("{s:o, s:b}", "text", gstr(r->kmsg[i].text),
						      "warning", r->kmsg[i].warning));
	for (size_t i = 0; i < r->errors_kept; i++) {
		const struct kt_error *e = &r->errors[i];

		append(errors, json_pack("{s:i, s:o, s:o, s:o, s:o}", "errno",
			(int)e->err, "stage", gstr(e->stage), "call", gstr(e->call),
			"path", gstr(e->path), "message", gstr(e->msg)));
	}
	for (size_t i = 0; i < r->rejects_kept; i++)
		append(rejects, gstr(r->rejects[i]));
	if (r->have_hello)
		guest = json_pack("{s:i, s:I, s:o, s:o, s:o, s:o}", "protocol", (int)r->hello.proto,
				  "ncpus", (json_int_t)r->hello.ncpus, "mem_kib", u64(r->hello.mem_kib),
				  "release", gstr(r->hello.release), "machine", gstr(r->hello.machine),
				  "topology", topology_obj(r));
	if (r->have_exit)
		exitj = json_pack("{s:i, s:o}", "status", (int)r->exit.status,
				  "reason", gstr(r->exit.reason));
	if (r->sched_exited)
		sched = json_pack("{s:b, s:i, s:i, s:o, s:o, s:o, s:I}",
				  "expected", r->sched.expected != 0, "code", (int)r->sched.code,
				  "signo", (int)r->sched.signo, "t_s", num(r->sched.t_ns / 1e9),
				  "why", gstr(r->sched.why), "log", gstr(r->sched.log),
				  "deaths", (json_int_t)r->sched_deaths);
	host = json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
			 "ktstr_version", KTSTR_VERSION,
			 "source", str_or_null(m ? m->source : NULL),
			 "kernel", str_or_null(m ? m->kernel : NULL),
			 "kernel_version", str_or_null(m ? m->kernel_version : NULL),
			 "topology", str_or_null(m ? m->topology : NULL),
			 "accel", str_or_null(m ? m->accel : NULL),
			 "input", str_or_null(m ? m->input : NULL),
			 "seconds", m && m->seconds >= 0 ? num(m->seconds) : json_null());
	doc = json_pack("{s:s, s:i, s:s, s:i, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, "
			"s:o}",
			"schema", "ktstr-result", "schema_version", KT_JSON_SCHEMA_VERSION,
			"verdict", output_verdict_name(status), "exit_status", status,
			"reason", why ? why : "", "host", host, "guest", guest,
			"job", r->have_job ? job_obj(&r->job) : json_null(), "exit", exitj,
			"scheduler_exit", sched,
			"stream", json_pack("{s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
				"frames", u64(r->frames), "rejected", u64(r->invalid),
				"missing_reports", u64(result_missing(r)),
				"unknown_frames", u64(r->unknown), "seq_gaps", u64(r->seq_gaps),
				"bad_checksums", u64(r->dec.bad_checksum),
				"bad_headers", u64(r->dec.bad_header),
				"skipped_bytes", u64(r->dec.skipped_bytes),
				"kernel_lines", u64(r->nkmsg), "kernel_warnings", u64(r->nwarnings),
				"rejects", rejects),
			"kernel_messages", kmsg, "errors", errors, "groups", groups,
			"checks", checks);
	return doc;
oom:
	json_decref(groups);
	json_decref(checks);
	json_decref(kmsg);
	json_decref(errors);
	json_decref(rejects);
	return NULL;
}

char *output_json_string(const struct result *r, const struct verdict *vd, int status,
			 const char *why, const struct run_meta *m)
{
	json_t *doc;
	char *text;

	holes = 0;
	doc = document(r, vd, status, why, m);
	if (!doc || holes) {
		json_decref(doc);
		return NULL;
	}
	text = json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(10));
	json_decref(doc);
	return text;
}

int output_json(const char *flag, const char *path, const struct result *r,
		const struct verdict *vd, int status, const char *why, const struct run_meta *m)
{
	char *text = output_json_string(r, vd, status, why, m);
	struct stat st;
	char tmp[4200];
	int fd, ret = 0;

	if (!text) {
		kt_err("%s: building the JSON document failed (out of memory)", flag);
		return -1;
	}
	if (!strcmp(path, "-")) {
		if (fputs(text, stdout) < 0 || fputc('\n', stdout) < 0 || fflush(stdout) < 0) {
			kt_err("%s: writing JSON to stdout: %s", flag, strerror(errno));
			ret = -1;
		}
		free(text);
		return ret;
	}
	/* A device or FIFO (/dev/null, a pipe) is written in place: never renamed over. */
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || kt_write_all(fd, text, strlen(text)) < 0 ||
		    kt_write_all(fd, "\n", 1) < 0 || close(fd) < 0) {
			kt_err("%s: writing %s: %s", flag, path, strerror(errno));
			ret = -1;
		}
		free(text);
		return ret;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || kt_write_all(fd, text, strlen(text)) < 0 || kt_write_all(fd, "\n", 1) < 0 ||
	    close(fd) < 0 || rename(tmp, path) < 0) {
		kt_err("%s: writing %s: %s", flag, fd < 0 ? tmp : path, strerror(errno));
		if (fd >= 0)
			unlink(tmp);
		ret = -1;
	}
	free(text);
	return ret;
}
