// SPDX-License-Identifier: GPL-2.0-only
/*
 * Compiling a job source: every key's parser and the two passes ([global] into a template,
 * then each group on top of it) that build struct kt_job.
 */
#include "jobfile.h"
#include "scx.h"
#include "util.h"
#include "../shared/worktypes.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int job_idlist_valid(const char *s, unsigned max)
{
	const char *p = s;

	if (!*p)
		return -1;
	for (;;) {
		char *end;
		unsigned long a, b;

		if (!isdigit((unsigned char)*p))
			return -1;
		a = strtoul(p, &end, 10);
		b = a;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			b = strtoul(p, &end, 10);
			p = end;
		}
		if (a > b || b > max)
			return -1;
		if (!*p)
			return 0;
		if (*p++ != ',')
			return -1;
	}
}

static int parse_long(const char *v, long min, long max, long *out)
{
	char *end;
	long x;

	errno = 0;
	x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < min || x > max)
		return -1;
	*out = x;
	return 0;
}

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "on", "yes", "true", "1", NULL };
	static const char *const no[] = { "off", "no", "false", "0", NULL };

	for (int i = 0; yes[i]; i++)
		if (!strcasecmp(v, yes[i]))
			return *out = 1, 0;
	for (int i = 0; no[i]; i++)
		if (!strcasecmp(v, no[i]))
			return *out = 0, 0;
	return -1;
}

/* ---- keys ---- */

/* What a key is being applied to: the job, and the group ([global]: the template). */
struct target {
	struct job_src *s;
	struct jobspec *js;
	struct kt_group *g;
	int global;
	const struct job_entry *e;
};

#define ERR(t, ...) jobsrc_error((t)->s, (t)->e->where, (t)->e->section, (t)->e->key, __VA_ARGS__)

typedef int (*apply_fn)(struct target *t, const char *v);

static int k_work(struct target *t, const char *v)
{
	if (!kt_work_find(v)) {
		char list[512] = "";

		for (size_t i = 0; i < kt_nwork_types; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", kt_work_types[i].name);
		ERR(t, "unknown work type '%s'; one of: %s", v, list);
		return -1;
	}
	job_copy(t->g->work, sizeof(t->g->work), v);
	return 0;
}

static int k_workers(struct target *t, const char *v)
{
	long n;

	if (parse_long(v, 1, KT_JOB_MAX_WORKERS, &n)) {
		ERR(t, "'%s' is not a whole number from 1 to %u", v, KT_JOB_MAX_WORKERS);
		return -1;
	}
	t->g->workers = (uint32_t)n;
	return 0;
}

static int parse_dur(struct target *t, const char *v, int64_t min, uint64_t *out)
{
	int64_t ms = kt_parse_duration_ms(v);

	if (ms < min) {
		ERR(t, "'%s' is not a duration of at least %" PRId64 "ms (e.g. 500ms, 10s, 2m)",
		    v, min);
		return -1;
	}
	*out = (uint64_t)ms;
	return 0;
}

static int k_duration(struct target *t, const char *v)
{
	uint64_t ms;

	if (parse_dur(t, v, 1, &ms))
		return -1;
	t->g->duration_ms = ms;
	if (t->global)
		t->js->job.duration_ms = ms;
	return 0;
}

static int k_settle(struct target *t, const char *v)
{
	return parse_dur(t, v, 0, &t->js->job.settle_ms);
}

static int idlist(struct target *t, const char *v, unsigned max, char *dst, size_t sz)
{
	if (*v && (job_idlist_valid(v, max) || strlen(v) >= sz)) {
		ERR(t, "'%s' is not a list like 0-3,6 (ascending ranges, ids 0-%u)", v, max);
		return -1;
	}
	snprintf(dst, sz, "%s", v);
	return 0;
}

static int k_cpus(struct target *t, const char *v)
{
	return idlist(t, v, 8191, t->g->cpus, sizeof(t->g->cpus));
}

static int k_mems(struct target *t, const char *v)
{
	return idlist(t, v, 1023, t->g->mems, sizeof(t->g->mems));
}

static int k_affinity(struct target *t, const char *v)
{
	return idlist(t, v, 8191, t->g->affinity, sizeof(t->g->affinity));
}

static int k_nice(struct target *t, const char *v)
{
	long n;

	if (parse_long(v, -20, 19, &n)) {
		ERR(t, "'%s' is not a nice value from -20 to 19", v);
		return -1;
	}
	t->g->nice = (int32_t)n;
	return 0;
}

static int k_policy(struct target *t, const char *v)
{
	static const struct { const char *name; uint32_t pol; } pols[] = {
		{ "other", KT_POLICY_OTHER }, { "batch", KT_POLICY_BATCH },
		{ "idle", KT_POLICY_IDLE }, { "fifo", KT_POLICY_FIFO }, { "rr", KT_POLICY_RR },
	};
	const char *colon = strchr(v, ':');
	size_t nlen = colon ? (size_t)(colon - v) : strlen(v);

	for (size_t i = 0; i < sizeof(pols) / sizeof(pols[0]); i++) {
		int rt = pols[i].pol == KT_POLICY_FIFO || pols[i].pol == KT_POLICY_RR;
		long prio = 0;

		if (strlen(pols[i].name) != nlen || strncmp(v, pols[i].name, nlen))
			continue;
		if (rt != !!colon || (rt && parse_long(colon + 1, 1, 99, &prio)))
			break;
		t->g->policy = pols[i].pol;
		t->g->rt_priority = (uint32_t)prio;
		return 0;
	}
	ERR(t, "'%s' is not one of other, batch, idle, fifo:N, rr:N (N a priority 1-99)", v);
	return -1;
}

static int k_cpu_weight(struct target *t, const char *v)
{
	long n;

	if (parse_long(v, 1, 10000, &n)) {
		ERR(t, "'%s' is not a cpu.weight from 1 to 10000", v);
		return -1;
	}
	t->g->cpu_weight = (uint32_t)n;
	return 0;
}

static int k_mempolicy(struct target *t, const char *v)
{
	const char *colon = strchr(v, ':');
	long n;

	if (!*v || !strcmp(v, "default") || !strcmp(v, "local") ||
	    (colon && (!strncmp(v, "bind:", 5) || !strncmp(v, "interleave:", 11)) &&
	     !job_idlist_valid(colon + 1, 1023)) ||
	    (!strncmp(v, "preferred:", 10) && !parse_long(v + 10, 0, 1023, &n))) {
		if (strlen(v) >= sizeof(t->g->mempolicy)) {
			ERR(t, "'%s' is too long", v);
			return -1;
		}
		job_copy(t->g->mempolicy, sizeof(t->g->mempolicy), v);
		return 0;
	}
	ERR(t, "'%s' is not one of default, local, bind:NODES, interleave:NODES, preferred:NODE",
	    v);
	return -1;
}

static int k_clone(struct target *t, const char *v)
{
	if (strcmp(v, "thread") && strcmp(v, "process")) {
		ERR(t, "'%s' is not one of thread, process", v);
		return -1;
	}
	t->g->clone_thread = !strcmp(v, "thread");
	return 0;
}

static int k_scheduler(struct target *t, const char *v)
{
	char path[PATH_MAX + 8], real[PATH_MAX];
	struct kt_job *j = &t->js->job;
	struct stat st;
	const char *base;

	if (!*v) {
		j->scheduler[0] = t->js->scheduler_host[0] = '\0';
		return 0;
	}
	if (v[0] == '/' || t->e->cli)
		job_copy(path, sizeof(path), v);
	else
		snprintf(path, sizeof(path), "%s/%s", t->s->base_dir, v);
	/* A bare name that is no file here: a scheduler `ktstr scx build` put in the cache. */
	if (!strchr(v, '/') && access(path, F_OK) &&
	    scx_find(v, path, sizeof(path), real, sizeof(real)) == 0) {
		int kind_given = 0;

		for (size_t i = 0; i < t->s->n; i++)
			kind_given |= !strcmp(t->s->e[i].key, "scheduler_kind");
		if (!kind_given)	/* an explicit scheduler_kind wins, wherever it stands */
			j->scheduler_kind = KT_SCHED_EXT;
	}
	if (!realpath(path, real) || stat(real, &st) < 0) {
		ERR(t, "cannot use '%s': %s (a path to the scheduler binary on this host, or the "
		    "name of one built with 'ktstr scx build')", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || access(real, X_OK)) {
		ERR(t, "'%s' is not an executable file", path);
		return -1;
	}
	base = strrchr(real, '/') + 1;
	if (strlen(base) + sizeof(JOB_GUEST_BIN_DIR) + 1 > sizeof(j->scheduler)) {
		ERR(t, "file name '%s' is too long", base);
		return -1;
	}
	job_copy(t->js->scheduler_host, sizeof(t->js->scheduler_host), real);
	snprintf(j->scheduler, sizeof(j->scheduler), "%s/%s", JOB_GUEST_BIN_DIR, base);
	return 0;
}

static int k_scheduler_args(struct target *t, const char *v)
{
	if (strlen(v) >= sizeof(t->js->job.scheduler_args)) {
		ERR(t, "longer than %zu characters", sizeof(t->js->job.scheduler_args) - 1);
		return -1;
	}
	job_copy(t->js->job.scheduler_args, sizeof(t->js->job.scheduler_args), v);
	return 0;
}

static int k_scheduler_kind(struct target *t, const char *v)
{
	if (strcmp(v, "process") && strcmp(v, "sched_ext")) {
		ERR(t, "'%s' is not one of process, sched_ext", v);
		return -1;
	}
	t->js->job.scheduler_kind = !strcmp(v, "sched_ext") ? KT_SCHED_EXT : KT_SCHED_PROCESS;
	return 0;
}

static int k_name(struct target *t, const char *v)
{
	size_t n = strspn(v, JOB_NAME_CHARS);

	if (!*v || v[n] || n >= sizeof(t->js->job.name)) {
		ERR(t, "'%s' is not a name of 1-63 letters, digits, '_', '.' or '-'", v);
		return -1;
	}
	job_copy(t->js->job.name, sizeof(t->js->job.name), v);
	return 0;
}

/* Checks apply to the group, and from [global] to the job's own (run-wide) checks too. */
#define FOR_CHECKS(t, stmt) do { \
		struct kt_checks *c_ = &(t)->g->checks; stmt; \
		if ((t)->global) { c_ = &(t)->js->job.checks; stmt; } \
	} while (0)

static int k_onoff(struct target *t, const char *v, size_t off)
{
	int b;

	if (parse_bool(v, &b)) {
		ERR(t, "'%s' is not one of on, off", v);
		return -1;
	}
	FOR_CHECKS(t, *((int8_t *)c_ + off) = (int8_t)b);
	return 0;
}

static int k_starvation(struct target *t, const char *v)
{
	return k_onoff(t, v, offsetof(struct kt_checks, starvation));
}

static int k_isolation(struct target *t, const char *v)
{
	int b = -1;

	if (strcmp(v, "auto") && parse_bool(v, &b)) {
		ERR(t, "'%s' is not one of on, off, auto", v);
		return -1;
	}
	FOR_CHECKS(t, c_->isolation = (int8_t)b);
	return 0;
}

static int k_kernel_warnings(struct target *t, const char *v)
{
	if (strcmp(v, "fail") && strcmp(v, "ignore")) {
		ERR(t, "'%s' is not one of fail, ignore", v);
		return -1;
	}
	FOR_CHECKS(t, c_->kernel_warnings = !strcmp(v, "fail"));
	return 0;
}

static int threshold(struct target *t, const char *v, double max, size_t off)
{
	double d = NAN;
	char *end;

	if (strcmp(v, "off")) {
		errno = 0;
		d = strtod(v, &end);
		if (errno || end == v || *end || !isfinite(d) || d < 0 || d > max) {
			ERR(t, "'%s' is not off or a number from 0 to %g", v, max);
			return -1;
		}
	}
	FOR_CHECKS(t, *(double *)((char *)c_ + off) = d);
	return 0;
}

#define THRESH(fn, field, max) \
	static int fn(struct target *t, const char *v) \
	{ return threshold(t, v, max, offsetof(struct kt_checks, field)); }
THRESH(k_max_spread_pct, max_spread_pct, 100)
THRESH(k_max_gap_ms, max_gap_ms, 1e9)
THRESH(k_max_p99_wake_us, max_p99_wake_us, 1e12)
THRESH(k_max_p99_timer_us, max_p99_timer_us, 1e12)
THRESH(k_max_throughput_cv, max_throughput_cv, 1e6)
THRESH(k_min_work_rate, min_work_rate, 1e18)
THRESH(k_max_migration_ratio, max_migration_ratio, 1e9)

enum { GROUP = 1, GLOBAL = 2, BOTH = 3 };

static const struct keydef {
	const char *key;
	unsigned scope;
	apply_fn fn;
} keys[] = {
	{ "name", GLOBAL, k_name },
	{ "scheduler", GLOBAL, k_scheduler },
	{ "scheduler_args", GLOBAL, k_scheduler_args },
	{ "scheduler_kind", GLOBAL, k_scheduler_kind },
	{ "settle", GLOBAL, k_settle },
	{ "work", BOTH, k_work },
	{ "workers", BOTH, k_workers },
	{ "duration", BOTH, k_duration },
	{ "cpus", BOTH, k_cpus },
	{ "mems", BOTH, k_mems },
	{ "nice", BOTH, k_nice },
	{ "policy", BOTH, k_policy },
	{ "cpu_weight", BOTH, k_cpu_weight },
	{ "affinity", BOTH, k_affinity },
	{ "mempolicy", BOTH, k_mempolicy },
	{ "clone", BOTH, k_clone },
	{ "starvation", BOTH, k_starvation },
	{ "isolation", BOTH, k_isolation },
	{ "kernel_warnings", BOTH, k_kernel_warnings },
	{ "max_spread_pct", BOTH, k_max_spread_pct },
	{ "max_gap_ms", BOTH, k_max_gap_ms },
	{ "max_p99_wake_us", BOTH, k_max_p99_wake_us },
	{ "max_p99_timer_us", BOTH, k_max_p99_timer_us },
	{ "max_throughput_cv", BOTH, k_max_throughput_cv },
	{ "min_work_rate", BOTH, k_min_work_rate },
	{ "max_migration_ratio", BOTH, k_max_migration_ratio },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

static const struct keydef *key_find(const char *k)
{
	for (size_t i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].key, k))
			return &keys[i];
	return NULL;
}

static void key_list(char *buf, size_t sz, unsigned scope, const struct kt_work_type *wt)
{
	size_t len;

	buf[0] = '\0';
	for (size_t i = 0; i < NKEYS; i++) {
		len = strlen(buf);
		if (keys[i].scope & scope)
			snprintf(buf + len, sz - len, "%s%s", len ? ", " : "", keys[i].key);
	}
	if (scope & GLOBAL) {
		len = strlen(buf);
		snprintf(buf + len, sz - len, ", sysctl.NAME");
	}
	if (wt) {
		len = strlen(buf);
		snprintf(buf + len, sz - len, "; parameters of work type %s:", wt->name);
		for (const struct kt_work_param *p = wt->params; p->key; p++) {
			len = strlen(buf);
			snprintf(buf + len, sz - len, " %s", p->key);
		}
		if (!wt->params[0].key) {
			len = strlen(buf);
			snprintf(buf + len, sz - len, " none");
		}
	}
}

static int k_sysctl(struct target *t, const char *name, const char *v)
{
	struct kt_job *j = &t->js->job;
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-");
	uint32_t i;

	if (!*name || name[n] || name[0] == '.' || strstr(name, "..") ||
	    strlen(name) >= sizeof(j->sysctls[0].name)) {
		ERR(t, "'%s' is not a sysctl name like kernel.sched_rt_runtime_us", name);
		return -1;
	}
	if (strlen(v) >= sizeof(j->sysctls[0].value)) {
		ERR(t, "value longer than %zu characters", sizeof(j->sysctls[0].value) - 1);
		return -1;
	}
	for (i = 0; i < j->nsysctls; i++)
		if (!strcmp(j->sysctls[i].name, name))
			break;
	if (i == j->nsysctls) {
		if (j->nsysctls == KT_JOB_MAX_SYSCTLS) {
			ERR(t, "more than %u sysctls", KT_JOB_MAX_SYSCTLS);
			return -1;
		}
		j->nsysctls++;
	}
	job_copy(j->sysctls[i].name, sizeof(j->sysctls[i].name), name);
	job_copy(j->sysctls[i].value, sizeof(j->sysctls[i].value), v);
	return 0;
}

static int set_param(struct target *t, const struct kt_work_type *wt, const char *key,
		     const char *v)
{
	const struct kt_work_param *p = kt_work_param_find(wt, key);
	struct kt_group *g = t->g;
	char why[256];
	uint64_t x;
	uint32_t i;

	if (kt_work_param_parse(p, v, &x, why, sizeof(why))) {
		ERR(t, "%s (work type %s: %s)", why, wt->name, p->help ? p->help : "");
		return -1;
	}
	if (strlen(v) >= sizeof(g->params[0].value)) {
		ERR(t, "value longer than %zu characters", sizeof(g->params[0].value) - 1);
		return -1;
	}
	for (i = 0; i < g->nparams; i++)
		if (!strcmp(g->params[i].key, key))
			break;
	if (i == g->nparams) {
		if (g->nparams == KT_JOB_MAX_PARAMS) {
			ERR(t, "more than %u parameters", KT_JOB_MAX_PARAMS);
			return -1;
		}
		g->nparams++;
	}
	job_copy(g->params[i].key, sizeof(g->params[i].key), key);
	job_copy(g->params[i].value, sizeof(g->params[i].value), v);
	return 0;
}

/* A file may not set a key twice in one section; the command line overrides the file. */
static int duplicate(struct job_src *s, size_t idx)
{
	const struct job_entry *e = &s->e[idx];

	if (e->cli)
		return 0;
	for (size_t i = 0; i < idx; i++)
		if (!s->e[i].cli && !strcmp(s->e[i].section, e->section) &&
		    !strcmp(s->e[i].key, e->key)) {
			jobsrc_error(s, e->where, e->section, e->key, "set twice (first at %s)",
				     s->e[i].where);
			return 1;
		}
	return 0;
}

/* Applies one section's entries to t->g: work first, since it decides the parameters. */
static void apply_section(struct target *t, const char *section, const char *params_from)
{
	struct job_src *s = t->s;
	const struct kt_work_type *wt;
	char list[1024];

	for (size_t i = 0; i < s->n; i++) {
		t->e = &s->e[i];
		if (!strcmp(t->e->section, section) && !strcmp(t->e->key, "work") &&
		    !duplicate(s, i))
			k_work(t, t->e->value);
	}
	wt = kt_work_find(t->g->work);
	/* Parameters inherited from [global] must suit this group's work type. */
	for (uint32_t i = 0; params_from && wt && i < t->g->nparams; i++)
		if (!kt_work_param_find(wt, t->g->params[i].key))
			jobsrc_error(s, params_from, section, t->g->params[i].key,
				     "[global] sets this parameter, but group [%s] runs work type "
				     "%s, which has no such parameter", section, wt->name);
	for (size_t i = 0; i < s->n; i++) {
		const struct keydef *k;

		t->e = &s->e[i];
		if (strcmp(t->e->section, section) || !strcmp(t->e->key, "work") ||
		    duplicate(s, i))
			continue;
		if (!strncmp(t->e->key, "sysctl.", 7)) {
			if (t->global)
				k_sysctl(t, t->e->key + 7, t->e->value);
			else
				ERR(t, "sysctls are job-wide: set them in [global]");
			continue;
		}
		k = key_find(t->e->key);
		if (k && (k->scope & (t->global ? GLOBAL : GROUP))) {
			k->fn(t, t->e->value);
			continue;
		}
		if (k) {
			ERR(t, "only allowed in [global]");
			continue;
		}
		if (wt && kt_work_param_find(wt, t->e->key)) {
			set_param(t, wt, t->e->key, t->e->value);
			continue;
		}
		key_list(list, sizeof(list), t->global ? BOTH : GROUP, wt);
		ERR(t, "unknown key; %s keys: %s", t->global ? "[global]" : "group", list);
	}
}

static int group_name_valid(const char *n)
{
	size_t k = strspn(n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

	return *n && !n[k] && k <= JOB_MAX_SECTION;
}

int jobsrc_compile(struct job_src *s, struct jobspec *js)
{
	struct kt_group tmpl;
	struct target t = { .s = s, .js = js };
	const char *params_where = NULL;
	size_t ngroups = 0;

	memset(js, 0, sizeof(*js));
	kt_job_init(&js->job);
	job_copy(js->job.name, sizeof(js->job.name), s->name);
	/* The template every group starts from: kt_job_add_group's defaults, then [global]. */
	if (!kt_job_add_group(&js->job, "tmpl")) {
		jobsrc_error(s, "job", "", "", "out of memory");
		return -1;
	}
	tmpl = js->job.groups[0];
	kt_job_free(&js->job);
	if (s->default_workers)
		tmpl.workers = s->default_workers;
	if (s->default_duration_ms)
		js->job.duration_ms = tmpl.duration_ms = s->default_duration_ms;
	t.g = &tmpl;
	t.global = 1;
	apply_section(&t, "global", NULL);
	/* Where [global] sets a work parameter, for errors about groups that inherit it. */
	for (size_t i = 0; i < s->n && !params_where; i++)
		if (!strcmp(s->e[i].section, "global") && !key_find(s->e[i].key) &&
		    strncmp(s->e[i].key, "sysctl.", 7))
			params_where = s->e[i].where;
	t.global = 0;
	for (size_t i = 0; i < s->nsec; i++) {
		const struct job_section *sec = &s->sec[i];
		struct kt_group *g;

		if (!strcmp(sec->name, "global"))
			continue;
		ngroups++;
		if (!group_name_valid(sec->name)) {
			jobsrc_error(s, sec->where, sec->name, "",
				     "a group name is 1-%d letters, digits, '_' or '-' (it names "
				     "the group's cgroup)", JOB_MAX_SECTION);
			continue;
		}
		g = kt_job_add_group(&js->job, sec->name);
		if (!g) {
			jobsrc_error(s, sec->where, sec->name, "", "more than %u groups",
				     KT_JOB_MAX_GROUPS);
			break;
		}
		*g = tmpl;
		job_copy(g->name, sizeof(g->name), sec->name);
		t.g = g;
		apply_section(&t, sec->name, params_where);
	}
	if (js->job.scheduler_kind == KT_SCHED_EXT && !js->job.scheduler[0] && !s->nerr) {
		for (size_t i = 0; i < s->n; i++)
			if (!strcmp(s->e[i].key, "scheduler_kind"))
				jobsrc_error(s, s->e[i].where, s->e[i].section, s->e[i].key,
					     "sched_ext needs a scheduler: set scheduler = PATH");
	}
	/* No group sections: [global] alone describes one group. */
	if (!ngroups && !s->nerr) {
		struct kt_group *g = kt_job_add_group(&js->job, JOB_IMPLICIT_GROUP);

		if (!g) {
			jobsrc_error(s, "job", "", "", "out of memory");
			return -1;
		}
		*g = tmpl;
		snprintf(g->name, sizeof(g->name), JOB_IMPLICIT_GROUP);
	}
	for (uint32_t i = 0; i < js->job.ngroups; i++) {
		struct kt_group *g = &js->job.groups[i];
		const struct kt_work_type *wt = kt_work_find(g->work);

		if (wt && wt->workers_multiple > 1 && g->workers % wt->workers_multiple)
			jobsrc_error(s, s->nsec ? s->sec[0].where : "job", g->name, "workers",
				     "%u: work type %s needs a multiple of %u", g->workers,
				     wt->name, wt->workers_multiple);
		if (wt && g->workers < wt->min_workers)
			jobsrc_error(s, s->nsec ? s->sec[0].where : "job", g->name, "workers",
				     "%u: work type %s needs at least %u", g->workers, wt->name,
				     wt->min_workers);
	}
	if (s->nerr) {
		jobspec_free(js);
		return -1;
	}
	return 0;
}

/* The largest id in a valid list like 0-3,6. */
static unsigned long idlist_max(const char *s)
{
	unsigned long max = 0;

	for (const char *p = s; *p;) {
		char *end;
		unsigned long v = strtoul(p, &end, 10);

		if (v > max)
			max = v;
		p = *end ? end + 1 : end;
	}
	return max;
}

int job_check_vm(const struct kt_job *j, unsigned vcpus, unsigned nodes, char *why, size_t wsz)
{
	for (uint32_t i = 0; i < j->ngroups; i++) {
		const struct kt_group *g = &j->groups[i];
		const char *mp = strchr(g->mempolicy, ':');
		struct { const char *key, *val; unsigned have; const char *what; } l[] = {
			{ "cpus", g->cpus, vcpus, "vCPUs" },
			{ "affinity", g->affinity, vcpus, "vCPUs" },
			{ "mems", g->mems, nodes, "NUMA nodes" },
			{ "mempolicy", mp ? mp + 1 : "", nodes, "NUMA nodes" },
		};

		for (size_t k = 0; k < sizeof(l) / sizeof(l[0]); k++) {
			unsigned long max;

			if (!l[k].val[0])
				continue;
			max = idlist_max(l[k].val);
			if (max >= l[k].have) {
				snprintf(why, wsz, "[%s] %s: %s names %lu, but the VM has %u %s "
					 "(0-%u; see --topology)", g->name, l[k].key, l[k].val, max,
					 l[k].have, l[k].what, l[k].have - 1);
				return -1;
			}
		}
	}
	return 0;
}
