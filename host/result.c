// SPDX-License-Identifier: GPL-2.0-only
#include "result.h"
#include "../shared/kmsgmatch.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void result_init(struct result *r)
{
	memset(r, 0, sizeof(*r));
}

static void free_groups(struct result *r)
{
	for (uint32_t g = 0; r->groups && g < r->job.ngroups; g++) {
		for (uint32_t i = 0; i < r->groups[g].nslots; i++)
			free(r->groups[g].slot[i]);
		free(r->groups[g].slot);
	}
	free(r->groups);
	r->groups = NULL;
}

void result_free(struct result *r)
{
	free(r->topo_cpus);
	free(r->topo_nodes);
	free_groups(r);
	kt_job_free(&r->job);
	memset(r, 0, sizeof(*r));
}

static void reject(struct result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reject(struct result *r, const char *fmt, ...)
{
	va_list ap;

	r->invalid++;
	if (r->rejects_kept >= RESULT_MAX_REJECTS)
		return;
	va_start(ap, fmt);
	vsnprintf(r->rejects[r->rejects_kept++], sizeof(r->rejects[0]), fmt, ap);
	va_end(ap);
}

/* Slots for every worker the job declares; reports fill them. */
static int alloc_groups(struct result *r)
{
	r->groups = calloc(r->job.ngroups ? r->job.ngroups : 1, sizeof(*r->groups));
	if (!r->groups)
		return -1;
	for (uint32_t g = 0; g < r->job.ngroups; g++) {
		uint32_t n = r->job.groups[g].workers;

		r->groups[g].slot = calloc(n ? n : 1, sizeof(*r->groups[g].slot));
		if (!r->groups[g].slot)
			return -1;
		r->groups[g].nslots = n;
	}
	return 0;
}

/* A deep copy through the wire encoding: one definition of what a job contains. */
int result_set_job(struct result *r, const struct kt_job *j)
{
	struct kt_wbuf w = { 0 };
	char why[256];
	int ret = -1;

	free_groups(r);
	kt_job_free(&r->job);
	r->have_job = 0;
	if (kt_job_encode(&w, 0, j) < 0)
		goto out;
	if (kt_job_decode_buf(w.buf, w.len, &r->job, why, sizeof(why)) < 0)
		goto out;
	if (alloc_groups(r) < 0) {
		free_groups(r);
		kt_job_free(&r->job);
		goto out;
	}
	r->have_job = 1;
	r->job_from_host = 1;
	ret = 0;
out:
	kt_wbuf_free(&w);
	return ret;
}

/* The guest's echo must say what the host sent; a difference means a confused guest. */
static void echoed_job(struct result *r, const struct kt_frame *f)
{
	struct kt_wbuf w = { 0 };
	char why[256];

	if (r->job_from_host) {
		if (kt_job_encode(&w, f->seq, &r->job) < 0) {
			kt_wbuf_free(&w);
			return;
		}
		if (w.len != f->len + KT_HDR_LEN + KT_TRAILER_LEN ||
		    memcmp(w.buf + KT_HDR_LEN, f->payload, f->len))
			reject(r, "JOB frame seq %u differs from the job the host sent", f->seq);
		kt_wbuf_free(&w);
		return;
	}
	if (r->have_job) {
		reject(r, "second JOB frame (seq %u) ignored", f->seq);
		return;
	}
	if (kt_job_decode(f, &r->job, why, sizeof(why)) < 0) {
		reject(r, "JOB frame seq %u: %s", f->seq, why);
		return;
	}
	if (alloc_groups(r) < 0) {
		free_groups(r);
		kt_job_free(&r->job);
		reject(r, "JOB frame seq %u: out of memory", f->seq);
		return;
	}
	r->have_job = 1;
}

static void worker(struct result *r, const struct kt_frame *f)
{
	struct kt_worker_report *m = malloc(sizeof(*m));
	struct result_group *g;
	char why[160];

	if (!m) {
		reject(r, "WORKER frame seq %u: out of memory", f->seq);
		return;
	}
	if (kt_dec_worker(f, m) < 0) {
		reject(r, "WORKER frame seq %u: malformed or counts over capacity", f->seq);
		goto drop;
	}
	if (!r->have_hello || !r->have_job) {
		reject(r, "WORKER frame seq %u before %s", f->seq,
		       r->have_hello ? "the JOB frame" : "HELLO");
		goto drop;
	}
	if (kt_worker_validate(m, r->hello.ncpus, r->job.ngroups, why, sizeof(why)) < 0) {
		reject(r, "WORKER frame seq %u (tid %u): %s", f->seq, m->tid, why);
		goto drop;
	}
	g = &r->groups[m->group];
	if (m->index >= g->nslots) {
		reject(r, "WORKER frame seq %u: worker index %u, group %s has %u workers", f->seq,
		       m->index, r->job.groups[m->group].name, g->nslots);
		goto drop;
	}
	if (g->slot[m->index]) {
		reject(r, "WORKER frame seq %u: second report for worker %u of group %s", f->seq,
		       m->index, r->job.groups[m->group].name);
		goto drop;
	}
	g->slot[m->index] = m;
	g->nreports++;
	return;
drop:
	free(m);
}

static void group_info(struct result *r, const struct kt_frame *f)
{
	struct kt_group_info gi;

	if (kt_dec_group_info(f, &gi) < 0) {
		reject(r, "GROUP frame seq %u: malformed", f->seq);
		return;
	}
	if (!r->have_job || gi.group >= r->job.ngroups) {
		reject(r, "GROUP frame seq %u: group index %u%s", f->seq, gi.group,
		       r->have_job ? " not in the job" : " before the JOB frame");
		return;
	}
	r->groups[gi.group].info = gi;
	r->groups[gi.group].have_info = 1;
}

int result_kmsg_is_warning(const char *line)
{
	return kt_kmsg_classify(line) == KT_KMSG_WARN;
}

static void kmsg(struct result *r, const struct kt_frame *f)
{
	struct kt_text t;
	int warn;

	if (kt_dec_text(f, &t) < 0) {
		reject(r, "KMSG frame seq %u: malformed", f->seq);
		return;
	}
	warn = result_kmsg_is_warning(t.text);
	r->nkmsg++;
	r->nwarnings += warn;
	if (r->kmsg_kept < RESULT_MAX_KMSG) {
		snprintf(r->kmsg[r->kmsg_kept].text, sizeof(r->kmsg[0].text), "%s", t.text);
		r->kmsg[r->kmsg_kept++].warning = warn;
	}
}

/* An unreadable SCHED_EXIT counts as a death: the safe reading. */
static void sched_exit(struct result *r, const struct kt_frame *f)
{
	r->sched_exited = 1;
	if (kt_dec_sched_exit(f, &r->sched) < 0) {
		memset(&r->sched, 0, sizeof(r->sched));
		snprintf(r->sched.why, sizeof(r->sched.why), "malformed SCHED_EXIT frame");
		reject(r, "SCHED_EXIT frame seq %u: malformed", f->seq);
		r->sched_deaths++;
		return;
	}
	if (!r->sched.expected)
		r->sched_deaths++;
}

/* Kept for the JSON result; capped, since a guest could send any number. */
static void topo(struct result *r, const struct kt_frame *f)
{
	if (f->type == KT_MSG_TOPO_CPU) {
		struct kt_topo_cpu c, *more;

		if (kt_dec_topo_cpu(f, &c) < 0) {
			reject(r, "TOPO_CPU frame seq %u: malformed", f->seq);
			return;
		}
		if (r->ntopo_cpus >= RESULT_MAX_TOPO_CPUS)
			return;
		more = realloc(r->topo_cpus, (r->ntopo_cpus + 1) * sizeof(*more));
		if (!more)
			return;
		r->topo_cpus = more;
		r->topo_cpus[r->ntopo_cpus++] = c;
	} else {
		struct kt_topo_node n, *more;

		if (kt_dec_topo_node(f, &n) < 0) {
			reject(r, "TOPO_NODE frame seq %u: malformed", f->seq);
			return;
		}
		if (r->ntopo_nodes >= RESULT_MAX_TOPO_NODES)
			return;
		more = realloc(r->topo_nodes, (r->ntopo_nodes + 1) * sizeof(*more));
		if (!more)
			return;
		r->topo_nodes = more;
		r->topo_nodes[r->ntopo_nodes++] = n;
	}
}

void result_frame(struct result *r, const struct kt_frame *f)
{
	r->frames++;
	if (f->seq != r->next_seq)
		r->seq_gaps++;
	r->next_seq = f->seq + 1;
	if (f->version != KT_VERSION) {
		reject(r, "frame seq %u speaks wire version %u", f->seq, f->version);
		return;
	}
	switch (f->type) {
	case KT_MSG_HELLO:
		if (r->have_hello) {
			reject(r, "second HELLO (seq %u) ignored", f->seq);
			break;
		}
		if (kt_dec_hello(f, &r->hello) < 0)
			reject(r, "HELLO frame seq %u: malformed", f->seq);
		else
			r->have_hello = 1;
		break;
	case KT_MSG_EXIT:
		if (kt_dec_exit(f, &r->exit) < 0)
			reject(r, "EXIT frame seq %u: malformed", f->seq);
		else
			r->have_exit = 1;
		break;
	case KT_MSG_ERROR: {
		struct kt_error e;

		if (kt_dec_error(f, &e) < 0) {
			reject(r, "ERROR frame seq %u: malformed", f->seq);
			break;
		}
		r->nerrors++;
		if (r->errors_kept < RESULT_MAX_ERRORS)
			r->errors[r->errors_kept++] = e;
		break;
	}
	case KT_MSG_KMSG:
		kmsg(r, f);
		break;
	case KT_MSG_SCHED_EXIT:
		sched_exit(r, f);
		break;
	case KT_MSG_JOB:
		echoed_job(r, f);
		break;
	case KT_MSG_WORKER:
		worker(r, f);
		break;
	case KT_MSG_GROUP:
		group_info(r, f);
		break;
	case KT_MSG_TOPO_CPU:
	case KT_MSG_TOPO_NODE:
		topo(r, f);
		break;
	case KT_MSG_STAGE:
	case KT_MSG_LOG:
		break;
	default:
		r->unknown++;
		break;
	}
}

static void feed(struct result *r, struct kt_decoder *d, const uint8_t *p, size_t len)
{
	struct kt_frame f;

	while (len) {
		size_t n = kt_decoder_feed(d, p, len);
		enum kt_dec_result res;

		p += n;
		len -= n;
		while ((res = kt_decoder_next(d, &f)) != KT_DEC_MORE)
			if (res == KT_DEC_FRAME)
				result_frame(r, &f);
	}
}

int result_feed_buf(struct result *r, const void *buf, size_t len)
{
	struct kt_decoder d;

	if (kt_decoder_init(&d) < 0)
		return -1;
	feed(r, &d, buf, len);
	kt_decoder_finish(&d);
	r->dec = d.st;
	kt_decoder_free(&d);
	return 0;
}

int result_feed_fd(struct result *r, int fd)
{
	static uint8_t buf[1 << 20];
	struct kt_decoder d;
	int ret = 0;

	if (kt_decoder_init(&d) < 0) {
		errno = ENOMEM;
		return -1;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -1;
			break;
		}
		if (n == 0)
			break;
		feed(r, &d, buf, (size_t)n);
	}
	kt_decoder_finish(&d);
	r->dec = d.st;
	kt_decoder_free(&d);
	return ret;
}

uint64_t result_missing(const struct result *r)
{
	uint64_t n = 0;

	for (uint32_t g = 0; r->have_job && g < r->job.ngroups; g++)
		n += r->groups[g].nslots - r->groups[g].nreports;
	return n;
}
