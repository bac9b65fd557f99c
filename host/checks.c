// SPDX-License-Identifier: GPL-2.0-only
#include "checks.h"
#include "cpulist.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double worker_offcpu_pct(const struct kt_worker_report *w)
{
	return w->wall_ns ? 100.0 * (double)w->offcpu_ns / (double)w->wall_ns : 0;
}

double worker_rate(const struct kt_worker_report *w)
{
	return w->wall_ns ? (double)w->work_units / ((double)w->wall_ns / 1e9) : 0;
}

double worker_migration_ratio(const struct kt_worker_report *w)
{
	return w->iterations ? (double)w->migrations / (double)w->iterations
			     : (double)w->migrations;
}

/* 1234567 -> "1.23M": work rates span nine orders of magnitude across work types. */
const char *fmt_si(char *buf, size_t sz, double v)
{
	static const char suffix[] = " kMGT";
	int i = 0;

	while (v >= 999.5 && i < 4) {
		v /= 1000;
		i++;
	}
	if (i == 0)
		snprintf(buf, sz, "%.3g", v);
	else
		snprintf(buf, sz, "%.3g%c", v, suffix[i]);
	return buf;
}

/* The group's valid reports in worker order; *n of them. NULL with n 0 when there are none. */
static const struct kt_worker_report **reports(const struct result *r, uint32_t g, size_t *n,
					       int done_only)
{
	const struct result_group *rg = &r->groups[g];
	const struct kt_worker_report **v = calloc(rg->nslots ? rg->nslots : 1, sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (uint32_t i = 0; i < rg->nslots; i++)
		if (rg->slot[i] && (!done_only || rg->slot[i]->status == KT_W_DONE))
			v[(*n)++] = rg->slot[i];
	return v;
}

static int latency(const struct kt_worker_report *const *w, size_t n, int timer,
		   struct latency_stats *ls)
{
	size_t total = 0, k = 0;
	double *v;
	int ret;

	memset(ls, 0, sizeof(*ls));
	for (size_t i = 0; i < n; i++) {
		const struct kt_samples *s = timer ? &w[i]->timer : &w[i]->wake;

		total += s->n;
		ls->count += s->count;
		if (s->max_ns / 1e3 > ls->max_us)
			ls->max_us = s->max_ns / 1e3;
	}
	v = malloc((total ? total : 1) * sizeof(*v));
	if (!v)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const struct kt_samples *s = timer ? &w[i]->timer : &w[i]->wake;

		for (uint32_t j = 0; j < s->n; j++)
			v[k++] = s->v_ns[j] / 1e3;
	}
	ret = stats_summarise(v, total, &ls->us);
	free(v);
	return ret;
}

int group_stats_compute(const struct result *r, uint32_t g, struct group_stats *gs)
{
	const struct kt_worker_report **all, **done;
	size_t nall, ndone;
	double *rate = NULL, *off = NULL, *delay = NULL;
	struct cpuset used;
	int ret = -1;

	memset(gs, 0, sizeof(*gs));
	all = reports(r, g, &nall, 0);
	done = reports(r, g, &ndone, 1);
	rate = malloc((nall + 1) * sizeof(double));
	off = malloc((nall + 1) * sizeof(double));
	delay = malloc((nall + 1) * sizeof(double));
	if (!all || !done || !rate || !off || !delay)
		goto out;
	gs->reports = (uint32_t)nall;
	gs->done = (uint32_t)ndone;
	gs->sentinels = (uint32_t)(nall - ndone);
	cpuset_zero(&used);
	for (size_t i = 0; i < nall; i++) {
		const struct kt_worker_report *w = all[i];

		for (uint32_t c = 0; c < w->ncpus; c++)
			cpuset_set(&used, w->cpus[c]);
		gs->migrations += w->migrations;
		if (worker_migration_ratio(w) > gs->max_migration_ratio)
			gs->max_migration_ratio = worker_migration_ratio(w);
		if (w->max_gap_ns / 1e6 > gs->max_gap_ms || (i == 0 && w->max_gap_ns)) {
			gs->max_gap_ms = w->max_gap_ns / 1e6;
			gs->max_gap_tid = w->tid;
			gs->max_gap_cpu = w->max_gap_cpu;
			gs->max_gap_at_s = w->max_gap_at_ns / 1e9;
		}
		delay[i] = w->run_delay_ns / 1e6;
	}
	cpulist_format(&used, gs->cpus, sizeof(gs->cpus));
	for (size_t i = 0; i < ndone; i++) {
		rate[i] = worker_rate(done[i]);
		off[i] = worker_offcpu_pct(done[i]);
	}
	if (stats_summarise(rate, ndone, &gs->rate) < 0 ||
	    stats_summarise(off, ndone, &gs->offcpu) < 0 ||
	    stats_summarise(delay, nall, &gs->run_delay_ms) < 0 ||
	    latency(all, nall, 0, &gs->wake) < 0 || latency(all, nall, 1, &gs->timer) < 0)
		goto out;
	ret = 0;
out:
	free(all);
	free(done);
	free(rate);
	free(off);
	free(delay);
	return ret;
}

/* Up to three failing workers in one detail, then how many more. */
#define FAILS_SHOWN 3
struct fails {
	char buf[sizeof(((struct outcome *)0)->detail)];
	size_t len;
	unsigned n;
};

static void fails_start(struct fails *f, const char *group)
{
	f->n = 0;
	f->len = (size_t)snprintf(f->buf, sizeof(f->buf), "group %s: ", group);
}

static void fails_add(struct fails *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fails_add(struct fails *f, const char *fmt, ...)
{
	va_list ap;

	if (f->n++ >= FAILS_SHOWN || f->len >= sizeof(f->buf))
		return;
	if (f->n > 1)
		f->len += (size_t)snprintf(f->buf + f->len, sizeof(f->buf) - f->len, "; ");
	if (f->len >= sizeof(f->buf))
		return;
	va_start(ap, fmt);
	f->len += (size_t)vsnprintf(f->buf + f->len, sizeof(f->buf) - f->len, fmt, ap);
	va_end(ap);
}

static const char *fails_end(struct fails *f)
{
	if (f->n > FAILS_SHOWN && f->len < sizeof(f->buf))
		snprintf(f->buf + f->len, sizeof(f->buf) - f->len, "; and %u more workers",
			 f->n - FAILS_SHOWN);
	return f->buf;
}

struct ctx {
	const struct result *r;
	struct verdict *vd;
	const char *name;		/* group name */
	uint32_t gi;			/* group index */
	const struct kt_group *g;
	const struct kt_checks *c;
	const struct kt_worker_report **all, **done;
	size_t nall, ndone;
	const struct group_stats *gs;
	int oom;
};

static void add(struct ctx *x, const char *check, enum outcome_result res, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(struct ctx *x, const char *check, enum outcome_result res, const char *fmt, ...)
{
	char detail[sizeof(((struct outcome *)0)->detail)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (verdict_add(x->vd, x->name, check, res, "%s", detail) < 0)
		x->oom = 1;
}

static void check_starvation(struct ctx *x)
{
	struct fails f;
	char num[16];

	if (x->c->starvation != 1) {
		add(x, "starvation", OUTCOME_SKIP, "group %s: off (starvation=0)", x->name);
		return;
	}
	if (!x->ndone) {
		add(x, "starvation", OUTCOME_SKIP, "group %s: no completed worker reported",
		    x->name);
		return;
	}
	fails_start(&f, x->name);
	for (size_t i = 0; i < x->ndone; i++)
		if (!x->done[i]->work_units)
			fails_add(&f, "worker %u did no work in %.1f s (starved)", x->done[i]->tid,
				  x->done[i]->wall_ns / 1e9);
	if (f.n)
		add(x, "starvation", OUTCOME_FAIL, "%s", fails_end(&f));
	else
		add(x, "starvation", OUTCOME_PASS, "group %s: every worker did work (the least "
		    "%s units/s)", x->name, fmt_si(num, sizeof(num), x->gs->rate.min));
}

static void check_fairness(struct ctx *x)
{
	const struct kt_worker_report *lo = NULL, *hi = NULL;
	double lim = x->c->max_spread_pct, spread;

	if (isnan(lim)) {
		add(x, "fairness", OUTCOME_SKIP, "group %s: off", x->name);
		return;
	}
	if (x->ndone < 2) {
		add(x, "fairness", OUTCOME_SKIP, "group %s: needs two completed workers, %zu "
		    "reported", x->name, x->ndone);
		return;
	}
	for (size_t i = 0; i < x->ndone; i++) {
		if (!lo || worker_offcpu_pct(x->done[i]) < worker_offcpu_pct(lo))
			lo = x->done[i];
		if (!hi || worker_offcpu_pct(x->done[i]) > worker_offcpu_pct(hi))
			hi = x->done[i];
	}
	spread = worker_offcpu_pct(hi) - worker_offcpu_pct(lo);
	add(x, "fairness", spread > lim ? OUTCOME_FAIL : OUTCOME_PASS,
	    "group %s: off-CPU spread %.1f %% (worker %u %.1f %%, worker %u %.1f %%) "
	    "(limit %.4g %%)", x->name, spread, lo->tid, worker_offcpu_pct(lo), hi->tid,
	    worker_offcpu_pct(hi), lim);
}

static void check_gaps(struct ctx *x)
{
	double lim = x->c->max_gap_ms;
	struct fails f;

	if (isnan(lim)) {
		add(x, "gaps", OUTCOME_SKIP, "group %s: off", x->name);
		return;
	}
	if (!x->nall) {
		add(x, "gaps", OUTCOME_SKIP, "group %s: no worker reported", x->name);
		return;
	}
	fails_start(&f, x->name);
	for (size_t i = 0; i < x->nall; i++) {
		const struct kt_worker_report *w = x->all[i];

		if (w->max_gap_ns / 1e6 > lim)
			fails_add(&f, "worker %u max gap %.0f ms on cpu %u at +%.1f s (limit %.4g ms)",
				  w->tid, w->max_gap_ns / 1e6, w->max_gap_cpu,
				  w->max_gap_at_ns / 1e9, lim);
	}
	if (f.n)
		add(x, "gaps", OUTCOME_FAIL, "%s", fails_end(&f));
	else if (!x->gs->max_gap_tid)
		add(x, "gaps", OUTCOME_PASS, "group %s: no gap recorded (limit %.4g ms)", x->name,
		    lim);
	else
		add(x, "gaps", OUTCOME_PASS, "group %s: longest gap %.0f ms, worker %u "
		    "(limit %.4g ms)", x->name, x->gs->max_gap_ms, x->gs->max_gap_tid, lim);
}

static void check_isolation(struct ctx *x)
{
	const struct result_group *rg = &x->r->groups[x->gi];
	const char *list = NULL, *src = "cpuset";
	struct cpuset allowed;
	char why[256];
	struct fails f;

	if (x->c->isolation == 0) {
		add(x, "isolation", OUTCOME_SKIP, "group %s: off (isolation=0)", x->name);
		return;
	}
	/* The effective cpuset the guest read back, else the one the job asked for. */
	if (rg->have_info && rg->info.cpus[0] &&
	    cpulist_parse(rg->info.cpus, &allowed, why, sizeof(why)) == 0) {
		list = rg->info.cpus;
		src = "effective cpuset";
	}
	if (!list && x->g->cpus[0]) {
		if (cpulist_parse(x->g->cpus, &allowed, why, sizeof(why)) < 0) {
			add(x, "isolation", OUTCOME_SKIP, "group %s: cpus: %s", x->name, why);
			return;
		}
		list = x->g->cpus;
	}
	if (!list) {
		add(x, "isolation", OUTCOME_SKIP, "group %s: no cpuset", x->name);
		return;
	}
	if (!x->nall) {
		add(x, "isolation", OUTCOME_SKIP, "group %s: no worker reported", x->name);
		return;
	}
	if (!x->gs->cpus[0]) {
		add(x, "isolation", OUTCOME_SKIP, "group %s: the workers recorded no CPUs", x->name);
		return;
	}
	fails_start(&f, x->name);
	for (size_t i = 0; i < x->nall; i++) {
		const struct kt_worker_report *w = x->all[i];

		for (uint32_t c = 0; c < w->ncpus; c++)
			if (!cpuset_has(&allowed, w->cpus[c])) {
				fails_add(&f, "worker %u ran on cpu %u, outside %s %s", w->tid,
					  w->cpus[c], src, list);
				break;
			}
	}
	if (f.n)
		add(x, "isolation", OUTCOME_FAIL, "%s", fails_end(&f));
	else
		add(x, "isolation", OUTCOME_PASS, "group %s: ran on cpus %s, within %s %s",
		    x->name, x->gs->cpus, src, list);
}

static void check_latency(struct ctx *x, int timer)
{
	const char *check = timer ? "timer_latency" : "wake_latency";
	const char *what = timer ? "timer" : "wake";
	double lim = timer ? x->c->max_p99_timer_us : x->c->max_p99_wake_us;
	const struct latency_stats *gl = timer ? &x->gs->timer : &x->gs->wake;
	struct fails f;

	if (isnan(lim)) {
		add(x, check, OUTCOME_SKIP, "group %s: off", x->name);
		return;
	}
	if (!gl->us.n) {
		add(x, check, OUTCOME_SKIP, "group %s: no %s latency samples (work type %s)",
		    x->name, what, x->g->work);
		return;
	}
	fails_start(&f, x->name);
	for (size_t i = 0; i < x->nall; i++) {
		const struct kt_samples *s = timer ? &x->all[i]->timer : &x->all[i]->wake;
		double v[KT_RES_CAP];
		struct stats st;

		for (uint32_t j = 0; j < s->n; j++)
			v[j] = s->v_ns[j] / 1e3;
		if (stats_summarise(v, s->n, &st) < 0) {
			x->oom = 1;
			return;
		}
		if (s->n && st.p99 > lim)
			fails_add(&f, "worker %u %s p99 %.0f us (p50 %.0f us, max %.0f us) "
				  "(limit %.4g us)", x->all[i]->tid, what, st.p99, st.p50,
				  s->max_ns / 1e3, lim);
	}
	if (f.n)
		add(x, check, OUTCOME_FAIL, "%s", fails_end(&f));
	else
		add(x, check, OUTCOME_PASS, "group %s: %s p50 %.0f us, p99 %.0f us, max %.0f us "
		    "(limit p99 %.4g us per worker)", x->name, what, gl->us.p50, gl->us.p99,
		    gl->max_us, lim);
}

static void slowest_fastest(struct ctx *x, const struct kt_worker_report **lo,
			    const struct kt_worker_report **hi)
{
	*lo = *hi = NULL;
	for (size_t i = 0; i < x->ndone; i++) {
		if (!*lo || worker_rate(x->done[i]) < worker_rate(*lo))
			*lo = x->done[i];
		if (!*hi || worker_rate(x->done[i]) > worker_rate(*hi))
			*hi = x->done[i];
	}
}

static void check_throughput(struct ctx *x)
{
	const struct kt_worker_report *lo, *hi;
	double lim = x->c->max_throughput_cv, cv = stats_cv(&x->gs->rate);

	if (isnan(lim)) {
		add(x, "throughput_cv", OUTCOME_SKIP, "group %s: off", x->name);
		return;
	}
	if (x->ndone < 2) {
		add(x, "throughput_cv", OUTCOME_SKIP, "group %s: needs two completed workers, "
		    "%zu reported", x->name, x->ndone);
		return;
	}
	slowest_fastest(x, &lo, &hi);
	add(x, "throughput_cv", cv > lim ? OUTCOME_FAIL : OUTCOME_PASS,
	    "group %s: work rate CV %.3f (slowest worker %u %.4g/s, fastest worker %u %.4g/s) "
	    "(limit %.4g)", x->name, cv, lo->tid, worker_rate(lo), hi->tid, worker_rate(hi), lim);
}

static void check_work_rate(struct ctx *x)
{
	const struct kt_worker_report *lo, *hi;
	double lim = x->c->min_work_rate;

	if (isnan(lim)) {
		add(x, "work_rate", OUTCOME_SKIP, "group %s: off", x->name);
		return;
	}
	if (!x->ndone) {
		add(x, "work_rate", OUTCOME_SKIP, "group %s: no completed worker reported",
		    x->name);
		return;
	}
	slowest_fastest(x, &lo, &hi);
	add(x, "work_rate", x->gs->rate.mean < lim ? OUTCOME_FAIL : OUTCOME_PASS,
	    "group %s: work rate %.4g/s per worker (slowest worker %u %.4g/s) (limit %.4g/s)",
	    x->name, x->gs->rate.mean, lo->tid, worker_rate(lo), lim);
}

static void check_migrations(struct ctx *x)
{
	double lim = x->c->max_migration_ratio;
	struct fails f;

	if (isnan(lim)) {
		add(x, "migrations", OUTCOME_SKIP, "group %s: off", x->name);
		return;
	}
	if (!x->nall) {
		add(x, "migrations", OUTCOME_SKIP, "group %s: no worker reported", x->name);
		return;
	}
	fails_start(&f, x->name);
	for (size_t i = 0; i < x->nall; i++) {
		const struct kt_worker_report *w = x->all[i];

		if (worker_migration_ratio(w) > lim)
			fails_add(&f, "worker %u %.4g migrations per iteration (%llu in %llu) "
				  "(limit %.4g)", w->tid, worker_migration_ratio(w),
				  (unsigned long long)w->migrations,
				  (unsigned long long)w->iterations, lim);
	}
	if (f.n)
		add(x, "migrations", OUTCOME_FAIL, "%s", fails_end(&f));
	else
		add(x, "migrations", OUTCOME_PASS, "group %s: at most %.4g migrations per "
		    "iteration (limit %.4g)", x->name, x->gs->max_migration_ratio, lim);
}

static void sentinel_text(const struct kt_worker_report *w, char *buf, size_t sz)
{
	switch (w->status) {
	case KT_W_EXITED:
		snprintf(buf, sz, "exited with status %d before reporting", w->exit_code);
		break;
	case KT_W_KILLED:
		snprintf(buf, sz, "killed by signal %d (%s)", w->signo,
			 w->signo > 0 && w->signo < 65 ? sigabbrev_np(w->signo) ?
			 sigabbrev_np(w->signo) : "?" : "?");
		break;
	case KT_W_TIMEOUT:
		snprintf(buf, sz, "did not report in time and was killed");
		break;
	default:
		snprintf(buf, sz, "sent a short or malformed report");
		break;
	}
}

static void check_sentinels(struct ctx *x)
{
	struct fails f;
	char what[128];

	if (!x->nall) {
		add(x, "sentinel", OUTCOME_SKIP, "group %s: no worker reported", x->name);
		return;
	}
	fails_start(&f, x->name);
	for (size_t i = 0; i < x->nall; i++) {
		const struct kt_worker_report *w = x->all[i];

		if (w->status == KT_W_DONE)
			continue;
		sentinel_text(w, what, sizeof(what));
		fails_add(&f, "worker %u %s%s%s", w->tid, what, w->error[0] ? ": " : "", w->error);
	}
	if (f.n)
		add(x, "sentinel", OUTCOME_FAIL, "%s", fails_end(&f));
	else
		add(x, "sentinel", OUTCOME_PASS, "group %s: all %zu workers completed and reported",
		    x->name, x->nall);
}

static int check_group(const struct result *r, uint32_t g, struct verdict *vd)
{
	struct group_stats gs;
	struct ctx x = {
		.r = r, .vd = vd, .gi = g, .name = r->job.groups[g].name, .g = &r->job.groups[g],
		.c = &r->job.groups[g].checks, .gs = &gs,
	};

	if (group_stats_compute(r, g, &gs) < 0)
		return -1;
	x.all = reports(r, g, &x.nall, 0);
	x.done = reports(r, g, &x.ndone, 1);
	if (x.all && x.done) {
		check_starvation(&x);
		check_fairness(&x);
		check_gaps(&x);
		check_isolation(&x);
		check_latency(&x, 0);
		check_latency(&x, 1);
		check_throughput(&x);
		check_work_rate(&x);
		check_migrations(&x);
		check_sentinels(&x);
	} else {
		x.oom = 1;
	}
	free(x.all);
	free(x.done);
	return x.oom ? -1 : 0;
}

static int check_reports(const struct result *r, struct verdict *vd)
{
	uint64_t missing = result_missing(r);

	if (!r->have_job)
		return verdict_add(vd, NULL, "reports", OUTCOME_SKIP, "no job in the stream");
	if (r->invalid || missing || r->dec.bad_checksum || r->dec.bad_header)
		return verdict_add(vd, NULL, "reports", OUTCOME_FAIL,
				   "%llu worker reports missing, %llu frames rejected, %llu bad "
				   "checksums, %llu bad headers%s%s",
				   (unsigned long long)missing, (unsigned long long)r->invalid,
				   (unsigned long long)r->dec.bad_checksum,
				   (unsigned long long)r->dec.bad_header,
				   r->rejects_kept ? "; first: " : "",
				   r->rejects_kept ? r->rejects[0] : "");
	return verdict_add(vd, NULL, "reports", OUTCOME_PASS, "every worker reported, no frame "
			   "rejected");
}

/* The last line of the scheduler's log: usually its own last word on why it stopped. */
static const char *last_line(const char *log, char *buf, size_t sz)
{
	size_t n = strlen(log);

	while (n && log[n - 1] == '\n')
		n--;
	for (size_t i = n; i > 0; i--)
		if (log[i - 1] == '\n') {
			snprintf(buf, sz, "%.*s", (int)(n - i), log + i);
			return buf;
		}
	snprintf(buf, sz, "%.*s", (int)n, log);
	return buf;
}

static int check_scheduler(const struct result *r, struct verdict *vd)
{
	const char *name = r->job.scheduler[0] ? r->job.scheduler : "the scheduler";
	const struct kt_sched_exit *e = &r->sched;
	char how[64], last[200];

	if (r->sched_deaths) {
		if (e->signo)
			snprintf(how, sizeof(how), "killed by signal %d (%s)", e->signo,
				 sigabbrev_np(e->signo) ? sigabbrev_np(e->signo) : "?");
		else
			snprintf(how, sizeof(how), "exit status %d", e->code);
		return verdict_add(vd, NULL, "scheduler", OUTCOME_FAIL,
				   "%s %s: %s at +%.1f s%s%s", name, e->why[0] ? e->why : "exited",
				   how, e->t_ns / 1e9, e->log[0] ? "; its last line: " : "",
				   e->log[0] ? last_line(e->log, last, sizeof(last)) : "");
	}
	if (!r->job.scheduler[0])
		return verdict_add(vd, NULL, "scheduler", OUTCOME_SKIP,
				   "no scheduler under test: the kernel's own");
	/*
	 * Whether a sched_ext scheduler was in charge is the guest's to check (it waits for
	 * /sys/kernel/sched_ext/state to say enabled): a task's policy stays SCHED_NORMAL under
	 * a scheduler that takes every task, so the reports cannot tell.
	 */
	return verdict_add(vd, NULL, "scheduler", OUTCOME_PASS, "%s ran to the end%s", name,
			   r->sched_exited ? " and was stopped by the init" : "");
}

/*
 * Under a sched_ext scheduler the workers must actually have run in its class: the guest
 * reads ext.enabled from /proc/<tid>/sched and reports policy 7 (a task's policy field
 * stays SCHED_NORMAL under a scheduler that switches every task). Only a run where no
 * worker at all ran under it fails: a partial-switch scheduler may leave some groups out.
 */
static int check_sched_ext(const struct result *r, struct verdict *vd)
{
	unsigned long workers = 0, ext = 0;

	if (r->job.scheduler_kind != KT_SCHED_EXT || r->sched_deaths)
		return 0;
	for (uint32_t g = 0; g < r->job.ngroups; g++) {
		unsigned long gw = 0, ge = 0;
		size_t n;
		const struct kt_worker_report **w = reports(r, g, &n, 1);

		if (!w)
			return -1;
		for (size_t i = 0; i < n; i++) {
			gw++;
			ge += w[i]->policy == KT_POLICY_EXT;
		}
		free(w);
		if (gw && verdict_add(vd, r->job.groups[g].name, "sched_ext",
				      ge ? OUTCOME_PASS : OUTCOME_SKIP,
				      "group %s: %lu of %lu workers ran under SCHED_EXT",
				      r->job.groups[g].name, ge, gw) < 0)
			return -1;
		workers += gw;
		ext += ge;
	}
	if (workers && !ext)
		return verdict_add(vd, NULL, "sched_ext", OUTCOME_FAIL, "the scheduler attached "
				   "but none of the %lu workers ran under SCHED_EXT", workers);
	return 0;
}

static int check_kernel(const struct result *r, struct verdict *vd)
{
	const char *first = "";

	for (size_t i = 0; i < r->kmsg_kept; i++)
		if (r->kmsg[i].warning) {
			first = r->kmsg[i].text;
			break;
		}
	if (r->job.checks.kernel_warnings != 1)
		return verdict_add(vd, NULL, "kernel_warnings", OUTCOME_SKIP,
				   "ignored (kernel_warnings=ignore): %llu kernel warning line%s",
				   (unsigned long long)r->nwarnings, r->nwarnings == 1 ? "" : "s");
	if (r->nwarnings)
		return verdict_add(vd, NULL, "kernel_warnings", OUTCOME_FAIL,
				   "%llu kernel warning line%s (kernel_warnings=ignore to accept "
				   "them); first: %s", (unsigned long long)r->nwarnings,
				   r->nwarnings == 1 ? "" : "s", first);
	return verdict_add(vd, NULL, "kernel_warnings", OUTCOME_PASS, "no kernel warnings in %llu "
			   "kernel lines reported", (unsigned long long)r->nkmsg);
}

int checks_run(const struct result *r, struct verdict *vd)
{
	if (!r->have_job)
		return 0;
	for (uint32_t g = 0; g < r->job.ngroups; g++)
		if (check_group(r, g, vd) < 0)
			return -1;
	if (check_reports(r, vd) < 0 || check_scheduler(r, vd) < 0 ||
	    check_sched_ext(r, vd) < 0 || check_kernel(r, vd) < 0)
		return -1;
	return 0;
}

/* "3 of 23 checks failed: pingers/fairness, hogs/sentinel, scheduler" */
static void failed_list(const struct verdict *vd, size_t failed, char *why, size_t wsz)
{
	size_t n = (size_t)snprintf(why, wsz, "%zu of %zu checks failed", failed, vd->n), k = 0;

	for (size_t i = 0; i < vd->n && n < wsz; i++) {
		const struct outcome *o = &vd->v[i];

		if (o->result != OUTCOME_FAIL)
			continue;
		if (k++ == 4) {
			snprintf(why + n, wsz - n, ", ...");
			break;
		}
		n += (size_t)snprintf(why + n, wsz - n, "%s%s%s%s", k == 1 ? ": " : ", ", o->group,
				      o->group[0] ? "/" : "", o->check);
	}
}

int checks_exit_status(const struct result *r, const struct verdict *vd, char *why, size_t wsz)
{
	uint64_t missing = result_missing(r);
	size_t failed = verdict_count(vd, OUTCOME_FAIL);
	const struct kt_error *e = &r->errors[0];

	snprintf(why, wsz, "%s", "");
	if (!r->have_hello) {
		snprintf(why, wsz, "the guest never said HELLO");
		return 99;
	}
	if (!r->have_exit) {
		snprintf(why, wsz, "the stream ends without the guest's EXIT");
		return 99;
	}
	if (r->exit.status == 77) {
		snprintf(why, wsz, "the guest skipped: %s", r->exit.reason);
		return 77;
	}
	if (r->exit.status == 99 || (r->nerrors && !r->sched_deaths)) {
		if (r->nerrors)
			snprintf(why, wsz, "the guest's init failed at stage %s: %s %s%s%s", e->stage,
				 e->call, e->path, e->msg[0] ? ": " : "", e->msg);
		else
			snprintf(why, wsz, "the guest exited 99: %s", r->exit.reason);
		return 99;
	}
	/* A scheduler that died explains what follows (setup errors, workers that never ran). */
	if (r->sched_deaths) {
		failed_list(vd, failed, why, wsz);
		return 1;
	}
	if (r->invalid) {
		snprintf(why, wsz, "the report stream cannot be trusted: %llu frames rejected",
			 (unsigned long long)r->invalid);
		return 99;
	}
	/* Missing reports from a guest that says it succeeded: the stream lost them. */
	if (missing && (r->exit.status == 0 || r->exit.status < 0 || r->exit.status > 255)) {
		snprintf(why, wsz, "the report stream is incomplete: %llu worker reports missing",
			 (unsigned long long)missing);
		return 99;
	}
	if (missing) {
		snprintf(why, wsz, "the guest exited with status %d (%s) before all workers "
			 "reported", r->exit.status, r->exit.reason);
		return r->exit.status;
	}
	if (failed) {
		failed_list(vd, failed, why, wsz);
		return 1;
	}
	if (r->exit.status < 0 || r->exit.status > 255) {
		snprintf(why, wsz, "the guest exited with status %d", r->exit.status);
		return 99;
	}
	if (r->exit.status)
		snprintf(why, wsz, "the guest exited with status %d: %s", r->exit.status,
			 r->exit.reason);
	return r->exit.status;
}

int checks_note_status(struct verdict *vd, int status, const char *why)
{
	if (status == 0 || status == 1)
		return 0;
	return verdict_add(vd, NULL, "infrastructure", status == 77 ? OUTCOME_SKIP : OUTCOME_ERROR,
			   "%s", why);
}
