// SPDX-License-Identifier: GPL-2.0-only
#include "job.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kt_checks_default(struct kt_checks *c)
{
	c->starvation = 1;
	c->isolation = -1;
	c->kernel_warnings = 1;
	c->max_spread_pct = 15;
	c->max_gap_ms = 2000;
	c->max_p99_wake_us = NAN;
	c->max_p99_timer_us = NAN;
	c->max_throughput_cv = NAN;
	c->min_work_rate = NAN;
	c->max_migration_ratio = NAN;
}

void kt_job_init(struct kt_job *j)
{
	memset(j, 0, sizeof(*j));
	j->version = KT_JOB_VERSION;
	snprintf(j->name, sizeof(j->name), "cli");
	j->duration_ms = 5000;
	kt_checks_default(&j->checks);
}

struct kt_group *kt_job_add_group(struct kt_job *j, const char *name)
{
	struct kt_group *g, *more;

	if (j->ngroups >= KT_JOB_MAX_GROUPS)
		return NULL;
	more = realloc(j->groups, (j->ngroups + 1) * sizeof(*more));
	if (!more)
		return NULL;
	j->groups = more;
	g = &j->groups[j->ngroups++];
	memset(g, 0, sizeof(*g));
	snprintf(g->name, sizeof(g->name), "%s", name);
	snprintf(g->work, sizeof(g->work), "spin");
	g->workers = 1;
	g->duration_ms = j->duration_ms;
	g->checks = j->checks;
	return g;
}

void kt_job_free(struct kt_job *j)
{
	free(j->groups);
	j->groups = NULL;
	j->ngroups = 0;
}

const char *kt_group_param(const struct kt_group *g, const char *key)
{
	for (uint32_t i = 0; i < g->nparams && i < KT_JOB_MAX_PARAMS; i++)
		if (!strcmp(g->params[i].key, key))
			return g->params[i].value;
	return NULL;
}

static void put_checks(struct kt_wbuf *w, const struct kt_checks *c)
{
	kt_put_u8(w, (uint8_t)c->starvation);
	kt_put_u8(w, (uint8_t)c->isolation);
	kt_put_u8(w, (uint8_t)c->kernel_warnings);
	kt_put_f64(w, c->max_spread_pct);
	kt_put_f64(w, c->max_gap_ms);
	kt_put_f64(w, c->max_p99_wake_us);
	kt_put_f64(w, c->max_p99_timer_us);
	kt_put_f64(w, c->max_throughput_cv);
	kt_put_f64(w, c->min_work_rate);
	kt_put_f64(w, c->max_migration_ratio);
}

static void get_checks(struct kt_rbuf *r, struct kt_checks *c)
{
	c->starvation = (int8_t)kt_get_u8(r);
	c->isolation = (int8_t)kt_get_u8(r);
	c->kernel_warnings = (int8_t)kt_get_u8(r);
	c->max_spread_pct = kt_get_f64(r);
	c->max_gap_ms = kt_get_f64(r);
	c->max_p99_wake_us = kt_get_f64(r);
	c->max_p99_timer_us = kt_get_f64(r);
	c->max_throughput_cv = kt_get_f64(r);
	c->min_work_rate = kt_get_f64(r);
	c->max_migration_ratio = kt_get_f64(r);
}

static void put_group(struct kt_wbuf *w, const struct kt_group *g)
{
	kt_put_str(w, g->name);
	kt_put_str(w, g->work);
	kt_put_u32(w, g->nparams);
	for (uint32_t i = 0; i < g->nparams; i++) {
		kt_put_str(w, g->params[i].key);
		kt_put_str(w, g->params[i].value);
	}
	kt_put_u32(w, g->workers);
	kt_put_u64(w, g->duration_ms);
	kt_put_str(w, g->cpus);
	kt_put_str(w, g->mems);
	kt_put_str(w, g->affinity);
	kt_put_str(w, g->mempolicy);
	kt_put_u32(w, (uint32_t)g->nice);
	kt_put_u32(w, g->policy);
	kt_put_u32(w, g->rt_priority);
	kt_put_u32(w, g->cpu_weight);
	kt_put_u8(w, g->clone_thread);
	put_checks(w, &g->checks);
}

int kt_job_encode(struct kt_wbuf *out, uint32_t seq, const struct kt_job *j)
{
	struct kt_wbuf p = { 0 };

	kt_put_u32(&p, j->version);
	kt_put_str(&p, j->name);
	kt_put_str(&p, j->scheduler);
	kt_put_str(&p, j->scheduler_args);
	kt_put_u32(&p, j->scheduler_kind);
	kt_put_u64(&p, j->duration_ms);
	kt_put_u64(&p, j->settle_ms);
	kt_put_u32(&p, j->flags);
	kt_put_u32(&p, j->nsysctls);
	for (uint32_t i = 0; i < j->nsysctls; i++) {
		kt_put_str(&p, j->sysctls[i].name);
		kt_put_str(&p, j->sysctls[i].value);
	}
	put_checks(&p, &j->checks);
	kt_put_u32(&p, j->ngroups);
	for (uint32_t i = 0; i < j->ngroups; i++)
		put_group(&p, &j->groups[i]);
	return kt_frame_finish(out, KT_MSG_JOB, seq, &p);
}

static int get_group(struct kt_rbuf *r, struct kt_group *g, char *why, size_t wsz)
{
	memset(g, 0, sizeof(*g));
	kt_get_str(r, g->name, sizeof(g->name));
	kt_get_str(r, g->work, sizeof(g->work));
	g->nparams = kt_get_u32(r);
	if (g->nparams > KT_JOB_MAX_PARAMS) {
		snprintf(why, wsz, "group %s: %u parameters (at most %u)", g->name, g->nparams,
			 KT_JOB_MAX_PARAMS);
		return -1;
	}
	for (uint32_t i = 0; i < g->nparams; i++) {
		kt_get_str(r, g->params[i].key, sizeof(g->params[i].key));
		kt_get_str(r, g->params[i].value, sizeof(g->params[i].value));
	}
	g->workers = kt_get_u32(r);
	if (g->workers > KT_JOB_MAX_WORKERS) {
		snprintf(why, wsz, "group %s: %u workers (at most %u)", g->name, g->workers,
			 KT_JOB_MAX_WORKERS);
		return -1;
	}
	g->duration_ms = kt_get_u64(r);
	kt_get_str(r, g->cpus, sizeof(g->cpus));
	kt_get_str(r, g->mems, sizeof(g->mems));
	kt_get_str(r, g->affinity, sizeof(g->affinity));
	kt_get_str(r, g->mempolicy, sizeof(g->mempolicy));
	g->nice = (int32_t)kt_get_u32(r);
	g->policy = kt_get_u32(r);
	g->rt_priority = kt_get_u32(r);
	g->cpu_weight = kt_get_u32(r);
	g->clone_thread = kt_get_u8(r);
	get_checks(r, &g->checks);
	return 0;
}

int kt_job_decode(const struct kt_frame *f, struct kt_job *j, char *why, size_t wsz)
{
	struct kt_rbuf r;
	uint32_t ngroups;

	memset(j, 0, sizeof(*j));
	snprintf(why, wsz, "short or malformed job");
	if (f->type != KT_MSG_JOB) {
		snprintf(why, wsz, "frame type %u is not a job", f->type);
		return -1;
	}
	kt_rbuf_of_frame(&r, f);
	j->version = kt_get_u32(&r);
	if (!r.err && j->version != KT_JOB_VERSION) {
		snprintf(why, wsz, "job version %u (this build reads %u)", j->version,
			 KT_JOB_VERSION);
		return -1;
	}
	kt_get_str(&r, j->name, sizeof(j->name));
	kt_get_str(&r, j->scheduler, sizeof(j->scheduler));
	kt_get_str(&r, j->scheduler_args, sizeof(j->scheduler_args));
	j->scheduler_kind = kt_get_u32(&r);
	j->duration_ms = kt_get_u64(&r);
	j->settle_ms = kt_get_u64(&r);
	j->flags = kt_get_u32(&r);
	j->nsysctls = kt_get_u32(&r);
	if (j->nsysctls > KT_JOB_MAX_SYSCTLS) {
		snprintf(why, wsz, "%u sysctls (at most %u)", j->nsysctls, KT_JOB_MAX_SYSCTLS);
		j->nsysctls = 0;
		return -1;
	}
	for (uint32_t i = 0; i < j->nsysctls; i++) {
		kt_get_str(&r, j->sysctls[i].name, sizeof(j->sysctls[i].name));
		kt_get_str(&r, j->sysctls[i].value, sizeof(j->sysctls[i].value));
	}
	get_checks(&r, &j->checks);
	ngroups = kt_get_u32(&r);
	if (r.err)
		return -1;
	if (ngroups > KT_JOB_MAX_GROUPS) {
		snprintf(why, wsz, "%u groups (at most %u)", ngroups, KT_JOB_MAX_GROUPS);
		return -1;
	}
	if (ngroups) {
		j->groups = calloc(ngroups, sizeof(*j->groups));
		if (!j->groups) {
			snprintf(why, wsz, "out of memory");
			return -1;
		}
	}
	for (uint32_t i = 0; i < ngroups; i++) {
		j->ngroups = i + 1;
		if (get_group(&r, &j->groups[i], why, wsz) < 0)
			goto bad;
		if (r.err)
			break;
	}
	if (r.err) {
		snprintf(why, wsz, "short or malformed job");
		goto bad;
	}
	return 0;
bad:
	kt_job_free(j);
	return -1;
}

int kt_job_decode_buf(const void *buf, size_t len, struct kt_job *j, char *why, size_t wsz)
{
	struct kt_decoder d;
	struct kt_frame f;
	const uint8_t *p = buf;
	int ret = -1, found = 0;

	memset(j, 0, sizeof(*j));
	if (kt_decoder_init(&d) < 0) {
		snprintf(why, wsz, "out of memory");
		return -1;
	}
	snprintf(why, wsz, "no job frame found");
	while (!found && len) {
		size_t n = kt_decoder_feed(&d, p, len);
		enum kt_dec_result res;

		p += n;
		len -= n;
		while ((res = kt_decoder_next(&d, &f)) != KT_DEC_MORE) {
			if (res == KT_DEC_FRAME && f.type == KT_MSG_JOB) {
				ret = kt_job_decode(&f, j, why, wsz);
				found = 1;
				break;
			}
			if (res == KT_DEC_BAD && f.type == KT_MSG_JOB)
				snprintf(why, wsz, "job frame has a bad checksum");
		}
		if (!n)
			break;
	}
	kt_decoder_free(&d);
	return ret;
}
