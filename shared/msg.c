// SPDX-License-Identifier: GPL-2.0-only
#include "msg.h"
#include "exec.h"

#include <string.h>

const char *kt_msg_name(uint16_t type)
{
	switch (type) {
	case KT_MSG_HELLO: return "HELLO";
	case KT_MSG_EXIT: return "EXIT";
	case KT_MSG_STAGE: return "STAGE";
	case KT_MSG_ERROR: return "ERROR";
	case KT_MSG_KMSG: return "KMSG";
	case KT_MSG_LOG: return "LOG";
	case KT_MSG_SCHED_EXIT: return "SCHED_EXIT";
	case KT_MSG_TOPO_CPU: return "TOPO_CPU";
	case KT_MSG_TOPO_NODE: return "TOPO_NODE";
	case KT_MSG_EXEC_STDOUT: return "EXEC_STDOUT";
	case KT_MSG_EXEC_STDERR: return "EXEC_STDERR";
	case KT_MSG_EXEC_DONE: return "EXEC_DONE";
	case KT_MSG_SHELL: return "SHELL";
	}
	return "UNKNOWN";
}

int kt_enc_hello(struct kt_wbuf *out, uint32_t seq, const struct kt_hello *m)
{
	struct kt_wbuf p = { 0 };

	kt_put_u16(&p, m->proto);
	kt_put_u32(&p, m->ncpus);
	kt_put_u64(&p, m->mem_kib);
	kt_put_str(&p, m->release);
	kt_put_str(&p, m->machine);
	return kt_frame_finish(out, KT_MSG_HELLO, seq, &p);
}

int kt_enc_exit(struct kt_wbuf *out, uint32_t seq, const struct kt_exit *m)
{
	struct kt_wbuf p = { 0 };

	kt_put_u32(&p, (uint32_t)m->status);
	kt_put_str(&p, m->reason);
	return kt_frame_finish(out, KT_MSG_EXIT, seq, &p);
}

int kt_enc_stage(struct kt_wbuf *out, uint32_t seq, const struct kt_stage *m)
{
	struct kt_wbuf p = { 0 };

	kt_put_u64(&p, m->t_ns);
	kt_put_str(&p, m->name);
	return kt_frame_finish(out, KT_MSG_STAGE, seq, &p);
}

int kt_enc_error(struct kt_wbuf *out, uint32_t seq, const struct kt_error *m)
{
	struct kt_wbuf p = { 0 };

	kt_put_u32(&p, (uint32_t)m->err);
	kt_put_str(&p, m->stage);
	kt_put_str(&p, m->call);
	kt_put_str(&p, m->path);
	kt_put_str(&p, m->msg);
	return kt_frame_finish(out, KT_MSG_ERROR, seq, &p);
}

int kt_enc_text(struct kt_wbuf *out, uint16_t type, uint32_t seq, const struct kt_text *m)
{
	struct kt_wbuf p = { 0 };

	kt_put_str(&p, m->text);
	return kt_frame_finish(out, type, seq, &p);
}

/* Trailing bytes are allowed: a newer guest may append fields an older host ignores. */
static int done(struct kt_rbuf *r)
{
	return r->err ? -1 : 0;
}

int kt_dec_hello(const struct kt_frame *f, struct kt_hello *m)
{
	struct kt_rbuf r;

	memset(m, 0, sizeof(*m));
	kt_rbuf_of_frame(&r, f);
	m->proto = kt_get_u16(&r);
	m->ncpus = kt_get_u32(&r);
	m->mem_kib = kt_get_u64(&r);
	kt_get_str(&r, m->release, sizeof(m->release));
	kt_get_str(&r, m->machine, sizeof(m->machine));
	return done(&r);
}

int kt_dec_exit(const struct kt_frame *f, struct kt_exit *m)
{
	struct kt_rbuf r;

	memset(m, 0, sizeof(*m));
	kt_rbuf_of_frame(&r, f);
	m->status = (int32_t)kt_get_u32(&r);
	kt_get_str(&r, m->reason, sizeof(m->reason));
	return done(&r);
}

int kt_dec_stage(const struct kt_frame *f, struct kt_stage *m)
{
	struct kt_rbuf r;

	memset(m, 0, sizeof(*m));
	kt_rbuf_of_frame(&r, f);
	m->t_ns = kt_get_u64(&r);
	kt_get_str(&r, m->name, sizeof(m->name));
	return done(&r);
}

int kt_dec_error(const struct kt_frame *f, struct kt_error *m)
{
	struct kt_rbuf r;

	memset(m, 0, sizeof(*m));
	kt_rbuf_of_frame(&r, f);
	m->err = (int32_t)kt_get_u32(&r);
	kt_get_str(&r, m->stage, sizeof(m->stage));
	kt_get_str(&r, m->call, sizeof(m->call));
	kt_get_str(&r, m->path, sizeof(m->path));
	kt_get_str(&r, m->msg, sizeof(m->msg));
	return done(&r);
}

int kt_dec_text(const struct kt_frame *f, struct kt_text *m)
{
	struct kt_rbuf r;

	memset(m, 0, sizeof(*m));
	kt_rbuf_of_frame(&r, f);
	kt_get_str(&r, m->text, sizeof(m->text));
	return done(&r);
}

int kt_enc_sched_exit(struct kt_wbuf *out, uint32_t seq, const struct kt_sched_exit *m)
{
	struct kt_wbuf p = { 0 };

	kt_put_u32(&p, (uint32_t)m->code);
	kt_put_u32(&p, (uint32_t)m->signo);
	kt_put_u8(&p, m->expected);
	kt_put_u64(&p, m->t_ns);
	kt_put_str(&p, m->why);
	kt_put_str(&p, m->log);
	return kt_frame_finish(out, KT_MSG_SCHED_EXIT, seq, &p);
}

int kt_dec_sched_exit(const struct kt_frame *f, struct kt_sched_exit *m)
{
	struct kt_rbuf r;

	memset(m, 0, sizeof(*m));
	kt_rbuf_of_frame(&r, f);
	m->code = (int32_t)kt_get_u32(&r);
	m->signo = (int32_t)kt_get_u32(&r);
	m->expected = kt_get_u8(&r);
	m->t_ns = kt_get_u64(&r);
	kt_get_str(&r, m->why, sizeof(m->why));
	kt_get_str(&r, m->log, sizeof(m->log));
	return done(&r);
}

int kt_enc_topo_cpu(struct kt_wbuf *out, uint32_t seq, const struct kt_topo_cpu *m)
{
	struct kt_wbuf p = { 0 };

	kt_put_u32(&p, m->cpu);
	kt_put_u32(&p, (uint32_t)m->node);
	kt_put_u32(&p, (uint32_t)m->package);
	kt_put_u32(&p, (uint32_t)m->die);
	kt_put_u32(&p, (uint32_t)m->core);
	kt_put_str(&p, m->llc);
	kt_put_str(&p, m->siblings);
	return kt_frame_finish(out, KT_MSG_TOPO_CPU, seq, &p);
}

int kt_enc_topo_node(struct kt_wbuf *out, uint32_t seq, const struct kt_topo_node *m)
{
	struct kt_wbuf p = { 0 };

	kt_put_u32(&p, m->node);
	kt_put_u64(&p, m->mem_kib);
	kt_put_str(&p, m->cpus);
	kt_put_str(&p, m->distance);
	return kt_frame_finish(out, KT_MSG_TOPO_NODE, seq, &p);
}

int kt_dec_topo_cpu(const struct kt_frame *f, struct kt_topo_cpu *m)
{
	struct kt_rbuf r;

	memset(m, 0, sizeof(*m));
	kt_rbuf_of_frame(&r, f);
	m->cpu = kt_get_u32(&r);
	m->node = (int32_t)kt_get_u32(&r);
	m->package = (int32_t)kt_get_u32(&r);
	m->die = (int32_t)kt_get_u32(&r);
	m->core = (int32_t)kt_get_u32(&r);
	kt_get_str(&r, m->llc, sizeof(m->llc));
	kt_get_str(&r, m->siblings, sizeof(m->siblings));
	return done(&r);
}

int kt_dec_topo_node(const struct kt_frame *f, struct kt_topo_node *m)
{
	struct kt_rbuf r;

	memset(m, 0, sizeof(*m));
	kt_rbuf_of_frame(&r, f);
	m->node = kt_get_u32(&r);
	m->mem_kib = kt_get_u64(&r);
	kt_get_str(&r, m->cpus, sizeof(m->cpus));
	kt_get_str(&r, m->distance, sizeof(m->distance));
	return done(&r);
}
