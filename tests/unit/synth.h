/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Synthetic report streams for the unit tests: the frames a guest sends (HELLO, the echoed
 * JOB, GROUP, WORKER, KMSG, SCHED_EXIT, ERROR, EXIT), encoded with the real encoders, so
 * the tests go through the same decoder and validation as a run.
 */
#ifndef KTSTR_TEST_SYNTH_H
#define KTSTR_TEST_SYNTH_H

#include <string.h>
#include "../../host/result.h"

struct synth {
	struct kt_wbuf w;
	uint32_t seq;
};

static inline void synth_hello(struct synth *s, uint32_t ncpus)
{
	struct kt_hello h = { .proto = KT_PROTO, .ncpus = ncpus, .mem_kib = 512 * 1024 };

	snprintf(h.release, sizeof(h.release), "6.12.0-test");
	snprintf(h.machine, sizeof(h.machine), "x86_64");
	kt_enc_hello(&s->w, s->seq++, &h);
}

/* The job as the guest echoes it: one frame in the stream's sequence. */
static inline void synth_job(struct synth *s, const struct kt_job *j)
{
	kt_job_encode(&s->w, s->seq++, j);
}

static inline void synth_worker(struct synth *s, const struct kt_worker_report *w)
{
	kt_enc_worker(&s->w, s->seq++, w);
}

static inline void synth_group(struct synth *s, uint32_t group, const char *cpus)
{
	struct kt_group_info gi = { .group = group, .workers = 2 };

	snprintf(gi.cgroup, sizeof(gi.cgroup), "/sys/fs/cgroup/ktstr/g%u", group);
	snprintf(gi.cpus, sizeof(gi.cpus), "%s", cpus);
	kt_enc_group_info(&s->w, s->seq++, &gi);
}

static inline void synth_text(struct synth *s, uint16_t type, const char *text)
{
	struct kt_text t;

	snprintf(t.text, sizeof(t.text), "%s", text);
	kt_enc_text(&s->w, type, s->seq++, &t);
}

static inline void synth_error(struct synth *s, const char *stage, const char *call,
			       const char *path, int err)
{
	struct kt_error e = { .err = err };

	snprintf(e.stage, sizeof(e.stage), "%s", stage);
	snprintf(e.call, sizeof(e.call), "%s", call);
	snprintf(e.path, sizeof(e.path), "%s", path);
	kt_enc_error(&s->w, s->seq++, &e);
}

static inline void synth_sched_exit(struct synth *s, int expected, int code, const char *why,
				    const char *log)
{
	struct kt_sched_exit e = { .code = code, .expected = (uint8_t)expected,
				   .t_ns = 3500000000ull };

	snprintf(e.why, sizeof(e.why), "%s", why);
	snprintf(e.log, sizeof(e.log), "%s", log);
	kt_enc_sched_exit(&s->w, s->seq++, &e);
}

/* What a 2-CPU, 1-node guest reports of its machine. */
static inline void synth_topo(struct synth *s)
{
	struct kt_topo_node n = { .node = 0, .mem_kib = 470000 };

	for (uint32_t c = 0; c < 2; c++) {
		struct kt_topo_cpu t = { .cpu = c, .node = 0, .package = 0, .die = 0,
					 .core = (int32_t)c };

		snprintf(t.llc, sizeof(t.llc), "0-1");
		snprintf(t.siblings, sizeof(t.siblings), "%u", c);
		kt_enc_topo_cpu(&s->w, s->seq++, &t);
	}
	snprintf(n.cpus, sizeof(n.cpus), "0-1");
	snprintf(n.distance, sizeof(n.distance), "10");
	kt_enc_topo_node(&s->w, s->seq++, &n);
}

static inline void synth_exit(struct synth *s, int status)
{
	struct kt_exit e = { .status = status };

	snprintf(e.reason, sizeof(e.reason), "%s", status ? "failed" : "ok");
	kt_enc_exit(&s->w, s->seq++, &e);
}

/* A completed worker: work units over wall time, off-CPU share, the CPUs it used. */
static inline void synth_mkworker(struct kt_worker_report *w, uint32_t group, uint32_t index,
				  uint32_t tid, uint64_t work_units, double offcpu_pct)
{
	memset(w, 0, sizeof(*w));
	w->group = group;
	w->index = index;
	w->tid = tid;
	w->status = KT_W_DONE;
	w->completed = 1;
	w->work_units = work_units;
	w->iterations = work_units;
	w->wall_ns = 1000000000ull;	/* 1 s: work units are then units per second */
	w->offcpu_ns = (uint64_t)(offcpu_pct / 100.0 * 1e9 + 0.5);
	w->cpu_ns = w->wall_ns - w->offcpu_ns;
	w->run_ns = w->cpu_ns;
	w->ncpus = 1;
	w->cpus[0] = 0;
	w->max_gap_ns = 10000000;	/* 10 ms */
}

/* A one-group job "pingers" of n workers with default checks. */
static inline void synth_job1(struct kt_job *j, uint32_t workers)
{
	struct kt_group *g;

	kt_job_init(j);
	g = kt_job_add_group(j, "pingers");
	g->workers = workers;
}

#endif
