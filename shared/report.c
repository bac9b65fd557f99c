// SPDX-License-Identifier: GPL-2.0-only
#include "report.h"

#include <stdio.h>
#include <string.h>

static void put_samples(struct kt_wbuf *w, const struct kt_samples *s)
{
	uint32_t n = s->n < KT_RES_CAP ? s->n : KT_RES_CAP;

	kt_put_u64(w, s->count);
	kt_put_u64(w, s->sum_ns);
	kt_put_u64(w, s->max_ns);
	kt_put_u32(w, n);
	for (uint32_t i = 0; i < n; i++)
		kt_put_u32(w, s->v_ns[i]);
}

/* Counts over capacity are malformed, not truncated: a guest that claims them is lying. */
static void get_samples(struct kt_rbuf *r, struct kt_samples *s)
{
	s->count = kt_get_u64(r);
	s->sum_ns = kt_get_u64(r);
	s->max_ns = kt_get_u64(r);
	s->n = kt_get_u32(r);
	if (s->n > KT_RES_CAP || s->n > s->count || !kt_rbuf_can_hold(r, s->n, 4)) {
		r->err = 1;
		s->n = 0;
		return;
	}
	for (uint32_t i = 0; i < s->n; i++)
		s->v_ns[i] = kt_get_u32(r);
}

int kt_enc_worker(struct kt_wbuf *out, uint32_t seq, const struct kt_worker_report *m)
{
	struct kt_wbuf p = { 0 };
	uint32_t ncpus = m->ncpus < KT_CPUS_CAP ? m->ncpus : KT_CPUS_CAP;
	uint32_t nmig = m->nmig < KT_MIG_CAP ? m->nmig : KT_MIG_CAP;
	uint32_t nnodes = m->nnodes < KT_NODES_CAP ? m->nnodes : KT_NODES_CAP;

	kt_put_u32(&p, m->group);
	kt_put_u32(&p, m->index);
	kt_put_u32(&p, m->tid);
	kt_put_u32(&p, m->status);
	kt_put_u32(&p, (uint32_t)m->exit_code);
	kt_put_u32(&p, (uint32_t)m->signo);
	kt_put_u8(&p, m->completed);
	kt_put_u32(&p, m->policy);
	kt_put_u64(&p, m->work_units);
	kt_put_u64(&p, m->iterations);
	kt_put_u64(&p, m->cpu_ns);
	kt_put_u64(&p, m->wall_ns);
	kt_put_u64(&p, m->offcpu_ns);
	kt_put_u64(&p, m->run_ns);
	kt_put_u64(&p, m->run_delay_ns);
	kt_put_u64(&p, m->timeslices);
	kt_put_u32(&p, ncpus);
	for (uint32_t i = 0; i < ncpus; i++)
		kt_put_u16(&p, m->cpus[i]);
	kt_put_u64(&p, m->migrations);
	kt_put_u32(&p, nmig);
	for (uint32_t i = 0; i < nmig; i++) {
		kt_put_u64(&p, m->mig[i].t_ns);
		kt_put_u32(&p, m->mig[i].from);
		kt_put_u32(&p, m->mig[i].to);
	}
	kt_put_u64(&p, m->max_gap_ns);
	kt_put_u32(&p, m->max_gap_cpu);
	kt_put_u64(&p, m->max_gap_at_ns);
	put_samples(&p, &m->wake);
	put_samples(&p, &m->timer);
	kt_put_u32(&p, nnodes);
	for (uint32_t i = 0; i < nnodes; i++)
		kt_put_u64(&p, m->numa_pages[i]);
	kt_put_str(&p, m->error);
	/* Appended later: older decoders ignore these, and this one reads them if present. */
	kt_put_u32(&p, (uint32_t)m->exec_status);
	kt_put_u64(&p, m->exec_ns);
	return kt_frame_finish(out, KT_MSG_WORKER, seq, &p);
}

int kt_dec_worker(const struct kt_frame *f, struct kt_worker_report *m)
{
	struct kt_rbuf r;

	memset(m, 0, sizeof(*m));
	kt_rbuf_of_frame(&r, f);
	m->group = kt_get_u32(&r);
	m->index = kt_get_u32(&r);
	m->tid = kt_get_u32(&r);
	m->status = kt_get_u32(&r);
	m->exit_code = (int32_t)kt_get_u32(&r);
	m->signo = (int32_t)kt_get_u32(&r);
	m->completed = kt_get_u8(&r);
	m->policy = kt_get_u32(&r);
	m->work_units = kt_get_u64(&r);
	m->iterations = kt_get_u64(&r);
	m->cpu_ns = kt_get_u64(&r);
	m->wall_ns = kt_get_u64(&r);
	m->offcpu_ns = kt_get_u64(&r);
	m->run_ns = kt_get_u64(&r);
	m->run_delay_ns = kt_get_u64(&r);
	m->timeslices = kt_get_u64(&r);
	m->ncpus = kt_get_u32(&r);
	if (m->ncpus > KT_CPUS_CAP || !kt_rbuf_can_hold(&r, m->ncpus, 2))
		return -1;
	for (uint32_t i = 0; i < m->ncpus; i++)
		m->cpus[i] = kt_get_u16(&r);
	m->migrations = kt_get_u64(&r);
	m->nmig = kt_get_u32(&r);
	if (m->nmig > KT_MIG_CAP || m->nmig > m->migrations || !kt_rbuf_can_hold(&r, m->nmig, 16))
		return -1;
	for (uint32_t i = 0; i < m->nmig; i++) {
		m->mig[i].t_ns = kt_get_u64(&r);
		m->mig[i].from = kt_get_u32(&r);
		m->mig[i].to = kt_get_u32(&r);
	}
	m->max_gap_ns = kt_get_u64(&r);
	m->max_gap_cpu = kt_get_u32(&r);
	m->max_gap_at_ns = kt_get_u64(&r);
	get_samples(&r, &m->wake);
	get_samples(&r, &m->timer);
	if (r.err)
		return -1;
	m->nnodes = kt_get_u32(&r);
	if (m->nnodes > KT_NODES_CAP || !kt_rbuf_can_hold(&r, m->nnodes, 8))
		return -1;
	for (uint32_t i = 0; i < m->nnodes; i++)
		m->numa_pages[i] = kt_get_u64(&r);
	kt_get_str(&r, m->error, sizeof(m->error));
	if (!r.err && r.off < r.len) {
		m->exec_status = (int32_t)kt_get_u32(&r);
		m->exec_ns = kt_get_u64(&r);
	}
	if (!r.err && m->status > KT_W_SHORT)
		return -1;
	return r.err ? -1 : 0;
}

int kt_worker_validate(const struct kt_worker_report *m, uint32_t ncpus, uint32_t ngroups,
		       char *why, size_t wsz)
{
	if (m->group >= ngroups) {
		snprintf(why, wsz, "group index %u, the job has %u", m->group, ngroups);
		return -1;
	}
	for (uint32_t i = 0; i < m->ncpus; i++)
		if (m->cpus[i] >= ncpus) {
			snprintf(why, wsz, "cpu %u, the VM has %u", m->cpus[i], ncpus);
			return -1;
		}
	for (uint32_t i = 0; i < m->nmig; i++)
		if (m->mig[i].from >= ncpus || m->mig[i].to >= ncpus) {
			snprintf(why, wsz, "migration %u -> %u, the VM has %u CPUs",
				 m->mig[i].from, m->mig[i].to, ncpus);
			return -1;
		}
	if (m->max_gap_ns && m->max_gap_cpu >= ncpus) {
		snprintf(why, wsz, "gap on cpu %u, the VM has %u", m->max_gap_cpu, ncpus);
		return -1;
	}
	return 0;
}

int kt_enc_group_info(struct kt_wbuf *out, uint32_t seq, const struct kt_group_info *m)
{
	struct kt_wbuf p = { 0 };

	kt_put_u32(&p, m->group);
	kt_put_str(&p, m->cgroup);
	kt_put_str(&p, m->cpus);
	kt_put_str(&p, m->mems);
	kt_put_u32(&p, m->cpu_weight);
	kt_put_u32(&p, m->workers);
	kt_put_u32(&p, m->ext_workers);
	return kt_frame_finish(out, KT_MSG_GROUP, seq, &p);
}

int kt_dec_group_info(const struct kt_frame *f, struct kt_group_info *m)
{
	struct kt_rbuf r;

	memset(m, 0, sizeof(*m));
	kt_rbuf_of_frame(&r, f);
	m->group = kt_get_u32(&r);
	kt_get_str(&r, m->cgroup, sizeof(m->cgroup));
	kt_get_str(&r, m->cpus, sizeof(m->cpus));
	kt_get_str(&r, m->mems, sizeof(m->mems));
	m->cpu_weight = kt_get_u32(&r);
	m->workers = kt_get_u32(&r);
	m->ext_workers = kt_get_u32(&r);
	return r.err ? -1 : 0;
}
