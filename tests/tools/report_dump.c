// SPDX-License-Identifier: GPL-2.0-only
/*
 * report_dump REPORT.BIN: prints every WORKER frame of a captured report stream
 * (`ktstr run --output-dir DIR` keeps DIR/report.bin) as one line of key=value pairs, so
 * the end-to-end tests can assert on any field with grep and awk.
 */
#include "../../shared/job.h"
#include "../../shared/report.h"
#include "../../shared/wire.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void samples(const char *name, const struct kt_samples *s)
{
	uint32_t min = UINT32_MAX;

	for (uint32_t i = 0; i < s->n; i++)
		if (s->v_ns[i] < min)
			min = s->v_ns[i];
	printf(" %s_count=%llu %s_n=%u %s_max_ns=%llu %s_min_ns=%u %s_sum_ns=%llu", name,
	       (unsigned long long)s->count, name, s->n, name, (unsigned long long)s->max_ns,
	       name, s->n ? min : 0, name, (unsigned long long)s->sum_ns);
}

static void worker(const struct kt_worker_report *r, const struct kt_job *j)
{
	printf("worker group=%s index=%u tid=%u status=%u exit_code=%d signo=%d completed=%u "
	       "policy=%u units=%llu iterations=%llu cpu_ns=%llu wall_ns=%llu offcpu_ns=%llu "
	       "run_ns=%llu run_delay_ns=%llu timeslices=%llu cpus=",
	       r->group < j->ngroups ? j->groups[r->group].name : "?", r->index, r->tid,
	       r->status, r->exit_code, r->signo, r->completed, r->policy,
	       (unsigned long long)r->work_units, (unsigned long long)r->iterations,
	       (unsigned long long)r->cpu_ns, (unsigned long long)r->wall_ns,
	       (unsigned long long)r->offcpu_ns, (unsigned long long)r->run_ns,
	       (unsigned long long)r->run_delay_ns, (unsigned long long)r->timeslices);
	for (uint32_t i = 0; i < r->ncpus; i++)
		printf("%s%u", i ? "," : "", r->cpus[i]);
	printf(" migrations=%llu mig=", (unsigned long long)r->migrations);
	for (uint32_t i = 0; i < r->nmig; i++)
		printf("%s%u>%u", i ? "," : "", r->mig[i].from, r->mig[i].to);
	printf(" max_gap_ns=%llu max_gap_cpu=%u max_gap_at_ns=%llu",
	       (unsigned long long)r->max_gap_ns, r->max_gap_cpu,
	       (unsigned long long)r->max_gap_at_ns);
	samples("wake", &r->wake);
	samples("timer", &r->timer);
	printf(" numa_pages=");
	for (uint32_t i = 0; i < r->nnodes; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)r->numa_pages[i]);
	printf(" exec_status=%d exec_ns=%llu error=\"%s\"\n", r->exec_status,
	       (unsigned long long)r->exec_ns, r->error);
}

int main(int argc, char **argv)
{
	struct kt_job job = { 0 };
	struct kt_decoder d;
	struct kt_frame f;
	char buf[65536], why[256];
	FILE *in;
	size_t n;
	int bad = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: report_dump REPORT.BIN\n");
		return 2;
	}
	in = fopen(argv[1], "rb");
	if (!in) {
		perror(argv[1]);
		return 2;
	}
	if (kt_decoder_init(&d) < 0)
		return 99;
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		const char *p = buf;

		while (n) {
			size_t k = kt_decoder_feed(&d, p, n);
			enum kt_dec_result res;

			p += k;
			n -= k;
			while ((res = kt_decoder_next(&d, &f)) != KT_DEC_MORE) {
				struct kt_worker_report r;

				if (res != KT_DEC_FRAME)
					bad++;
				else if (f.type == KT_MSG_JOB) {
					kt_job_free(&job);
					if (kt_job_decode(&f, &job, why, sizeof(why)) < 0)
						fprintf(stderr, "report_dump: job: %s\n", why);
				} else if (f.type == KT_MSG_WORKER) {
					if (kt_dec_worker(&f, &r) < 0)
						bad++;
					else
						worker(&r, &job);
				}
			}
		}
	}
	fclose(in);
	kt_decoder_free(&d);
	kt_job_free(&job);
	if (bad)
		fprintf(stderr, "report_dump: %d bad frames\n", bad);
	return bad ? 1 : 0;
}
