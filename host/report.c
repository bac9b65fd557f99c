// SPDX-License-Identifier: GPL-2.0-only
#include "report.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

/* The scheduler's end, and the tail of its log, indented. */
static void show_sched_exit(FILE *out, const struct kt_sched_exit *e)
{
	char status[64];

	if (e->signo)
		snprintf(status, sizeof(status), "killed by signal %d (%s)", e->signo,
			 strsignal(e->signo));
	else
		snprintf(status, sizeof(status), "exit status %d", e->code);
	fprintf(out, "scheduler: %s: %s at %.3f s\n", e->why, status, e->t_ns / 1e9);
	if (!e->log[0]) {
		fprintf(out, "scheduler log: (empty)\n");
		return;
	}
	fprintf(out, "scheduler log (last lines):\n");
	for (const char *p = e->log; *p;) {
		size_t n = strcspn(p, "\n");

		fprintf(out, "  | %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
}

enum report_result report_show(const struct kt_frame *f, FILE *out, int verbose,
			       struct report_msg *m)
{
	m->type = f->type;
	if (f->version != KT_VERSION) {
		kt_err("guest speaks wire version %u, this ktstr speaks %u; rebuild both together",
		       f->version, KT_VERSION);
		return REPORT_BAD;
	}
	switch (f->type) {
	case KT_MSG_HELLO:
		if (kt_dec_hello(f, &m->u.hello) < 0)
			break;
		if (!out)
			return REPORT_SHOWN;
		fprintf(out, "guest: Linux %s %s, %u CPUs, %llu MiB, protocol %u\n",
			m->u.hello.release, m->u.hello.machine, m->u.hello.ncpus,
			(unsigned long long)m->u.hello.mem_kib / 1024, m->u.hello.proto);
		fflush(out);
		return REPORT_SHOWN;
	case KT_MSG_STAGE:
		if (kt_dec_stage(f, &m->u.stage) < 0)
			break;
		if (verbose)
			fprintf(stderr, "ktstr: guest stage %s at %.3f s\n", m->u.stage.name,
				m->u.stage.t_ns / 1e9);
		return REPORT_SHOWN;
	case KT_MSG_ERROR: {
		const struct kt_error *e = &m->u.error;

		if (kt_dec_error(f, &m->u.error) < 0)
			break;
		fprintf(out ? out : stderr, "init failed at stage %s: %s %s: %s%s%s\n", e->stage,
			e->call, e->path, e->err > 0 && e->err < 4096 ? strerror(e->err) : "failed",
			e->msg[0] ? " -- " : "", e->msg);
		return REPORT_SHOWN;
	}
	case KT_MSG_KMSG:
	case KT_MSG_LOG:
		if (kt_dec_text(f, &m->u.text) < 0)
			break;
		if (out)
			fprintf(out, "%s: %s\n", f->type == KT_MSG_KMSG ? "kernel" : "guest",
				m->u.text.text);
		return REPORT_SHOWN;
	case KT_MSG_EXIT:
		if (kt_dec_exit(f, &m->u.exit) < 0)
			break;
		return REPORT_SHOWN;
	case KT_MSG_SCHED_EXIT:
		if (kt_dec_sched_exit(f, &m->u.sched_exit) < 0)
			break;
		/* A scheduler that died is news even when the rest is quiet. */
		if (out || !m->u.sched_exit.expected)
			show_sched_exit(out ? out : stderr, &m->u.sched_exit);
		return REPORT_SHOWN;
	case KT_MSG_GROUP: {
		const struct kt_group_info *g = &m->u.group;
		const char *name;

		if (kt_dec_group_info(f, &m->u.group) < 0)
			break;
		/* The cgroup is /ktstr/<group name>. */
		name = strrchr(g->cgroup, '/');
		if (out)
			fprintf(out, "group %s: cgroup %s, cpus %s, mems %s, cpu.weight %u, "
				"%u workers\n", name ? name + 1 : g->cgroup, g->cgroup,
				g->cpus[0] ? g->cpus : "-", g->mems[0] ? g->mems : "-",
				g->cpu_weight, g->workers);
		return REPORT_SHOWN;
	}
	default:
		return REPORT_OTHER;
	}
	kt_err("malformed %s frame (seq %u, %u bytes) from the guest; ignored",
	       kt_msg_name(f->type), f->seq, f->len);
	return REPORT_BAD;
}

void report_show_exit(FILE *out, const struct kt_exit *e)
{
	if (out)
		fprintf(out, "guest exit: status %d (%s)\n", e->status, e->reason);
}

void report_show_stream_stats(const struct kt_decoder_stats *st, unsigned seq_gaps)
{
	if (st->bad_checksum || st->bad_header || seq_gaps)
		kt_note("report stream: %llu frames, %llu bad checksums, %llu bad headers, "
			"%llu bytes skipped, %u sequence gaps",
			(unsigned long long)st->frames, (unsigned long long)st->bad_checksum,
			(unsigned long long)st->bad_header,
			(unsigned long long)st->skipped_bytes, seq_gaps);
}
