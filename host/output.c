// SPDX-License-Identifier: GPL-2.0-only
/* The human summary: what a person reads at the end of a run. */
#include "output.h"
#include "checks.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define C_RED	"\033[31m"
#define C_GREEN	"\033[32m"
#define C_YEL	"\033[33m"
#define C_BOLD	"\033[1m"
#define C_OFF	"\033[0m"

const char *output_verdict_name(int status)
{
	switch (status) {
	case 0: return "pass";
	case 1: return "fail";
	case 77: return "skip";
	}
	return "error";
}

int output_use_colour(FILE *out)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	if (nc && *nc)
		return 0;
	if (term && !strcmp(term, "dumb"))
		return 0;
	return isatty(fileno(out));
}

/* "p50/p99" in microseconds, SI-scaled so a 2 s outlier keeps the column's width. */
static const char *pair(char *buf, size_t sz, const struct latency_stats *l)
{
	char a[16], b[16];

	if (!l->us.n)
		snprintf(buf, sz, "-");
	else
		snprintf(buf, sz, "%s/%s", fmt_si(a, sizeof(a), l->us.p50),
			 fmt_si(b, sizeof(b), l->us.p99));
	return buf;
}

static void table(FILE *out, const struct result *r)
{
	fprintf(out, "%-16s %4s %-9s %7s %19s %6s %9s %6s %13s %13s %9s\n", "group", "wrk",
		"cpus", "work/s", "off-CPU% min/avg/max", "spread", "max gap", "migr",
		"wake p50/p99", "timer p50/p99", "run delay");
	for (uint32_t g = 0; g < r->job.ngroups; g++) {
		struct group_stats gs;
		char rate[16], off[40], wk[32], tm[32], wrk[24];

		if (group_stats_compute(r, g, &gs) < 0)
			continue;
		snprintf(wrk, sizeof(wrk), "%u", gs.reports);
		if (gs.reports != r->groups[g].nslots)
			snprintf(wrk, sizeof(wrk), "%u/%u", gs.reports, r->groups[g].nslots);
		if (gs.offcpu.n)
			snprintf(off, sizeof(off), "%.1f/%.1f/%.1f", gs.offcpu.min, gs.offcpu.mean,
				 gs.offcpu.max);
		else
			snprintf(off, sizeof(off), "-");
		fprintf(out, "%-16.16s %4s %-9.9s %7s %19s %6.1f %6.0f ms %6llu %13s %13s %6.1f ms\n",
			r->job.groups[g].name, wrk, gs.cpus[0] ? gs.cpus : "-",
			gs.rate.n ? fmt_si(rate, sizeof(rate), gs.rate.mean) : "-", off,
			gs.offcpu.max - gs.offcpu.min, gs.max_gap_ms,
			(unsigned long long)gs.migrations, pair(wk, sizeof(wk), &gs.wake),
			pair(tm, sizeof(tm), &gs.timer), gs.run_delay_ms.mean);
	}
	fprintf(out, "(work/s: mean per worker; latencies in us; run delay: mean per worker, "
		"time runnable but waiting)\n");
}

static const char *status_name(uint32_t s)
{
	static const char *const n[] = { "done", "exited", "killed", "timeout", "short" };

	return s < sizeof(n) / sizeof(n[0]) ? n[s] : "?";
}

static void workers(FILE *out, const struct result *r)
{
	fprintf(out, "\n%-16s %5s %8s %-8s %-9s %7s %8s %9s %6s %9s\n", "group", "index", "tid",
		"status", "cpus", "work/s", "off-CPU%", "max gap", "migr", "wake p99");
	for (uint32_t g = 0; g < r->job.ngroups; g++)
		for (uint32_t i = 0; i < r->groups[g].nslots; i++) {
			const struct kt_worker_report *w = r->groups[g].slot[i];
			char rate[16], cpus[64] = "", wake[24] = "-";
			size_t n = 0;

			if (!w) {
				fprintf(out, "%-16.16s %5u %8s %-8s\n", r->job.groups[g].name, i, "-",
					"missing");
				continue;
			}
			for (uint32_t c = 0; c < w->ncpus && n < sizeof(cpus) - 8; c++)
				n += (size_t)snprintf(cpus + n, sizeof(cpus) - n, "%s%u",
						      c ? "," : "", w->cpus[c]);
			if (w->wake.n) {
				double v[KT_RES_CAP];
				struct stats st;

				for (uint32_t j = 0; j < w->wake.n; j++)
					v[j] = w->wake.v_ns[j] / 1e3;
				if (!stats_summarise(v, w->wake.n, &st))
					snprintf(wake, sizeof(wake), "%s us",
						 fmt_si(rate, sizeof(rate), st.p99));
			}
			fprintf(out, "%-16.16s %5u %8u %-8s %-9.9s %7s %8.1f %6.0f ms %6llu %9s\n",
				r->job.groups[g].name, w->index, w->tid, status_name(w->status),
				cpus[0] ? cpus : "-", fmt_si(rate, sizeof(rate), worker_rate(w)),
				worker_offcpu_pct(w), w->max_gap_ns / 1e6,
				(unsigned long long)w->migrations, wake);
		}
}

static void outcomes(FILE *out, const struct verdict *vd, int colour, int verbose)
{
	size_t skipped = 0;

	fputc('\n', out);
	for (size_t i = 0; i < vd->n; i++) {
		const struct outcome *o = &vd->v[i];
		const char *tag = o->result == OUTCOME_PASS ? "PASS" :
				  o->result == OUTCOME_FAIL ? "FAIL" :
				  o->result == OUTCOME_ERROR ? "ERROR" : "SKIP";
		const char *c = o->result == OUTCOME_PASS ? C_GREEN :
				o->result == OUTCOME_SKIP ? C_YEL : C_RED;

		if (o->result == OUTCOME_SKIP && !verbose) {
			skipped++;
			continue;
		}
		fprintf(out, "%s%s%s %s: %s\n", colour ? c : "", tag, colour ? C_OFF : "",
			o->check, o->detail);
	}
	if (skipped)
		fprintf(out, "(%zu checks off or not applicable; -v lists them)\n", skipped);
}

/* Warnings the job chose to accept are still worth a line. */
static void ignored_warnings(FILE *out, const struct result *r)
{
	if (r->nwarnings && r->have_job && r->job.checks.kernel_warnings != 1)
		fprintf(out, "note: %llu kernel warning line%s ignored (kernel_warnings=ignore)\n",
			(unsigned long long)r->nwarnings, r->nwarnings == 1 ? "" : "s");
}

static void stream(FILE *out, const struct result *r)
{
	uint64_t missing = result_missing(r);

	if (!r->invalid && !missing && !r->dec.bad_checksum && !r->dec.bad_header &&
	    !r->seq_gaps && !r->dec.skipped_bytes)
		return;
	fprintf(out, "\nreport stream: %llu frames, %llu rejected, %llu worker reports missing, "
		"%llu bad checksums, %llu bad headers, %llu bytes skipped, %llu sequence gaps\n",
		(unsigned long long)r->frames, (unsigned long long)r->invalid,
		(unsigned long long)missing, (unsigned long long)r->dec.bad_checksum,
		(unsigned long long)r->dec.bad_header, (unsigned long long)r->dec.skipped_bytes,
		(unsigned long long)r->seq_gaps);
	for (size_t i = 0; i < r->rejects_kept; i++)
		fprintf(out, "  rejected: %s\n", r->rejects[i]);
	if (r->invalid > r->rejects_kept)
		fprintf(out, "  and %llu more rejected frames\n",
			(unsigned long long)(r->invalid - r->rejects_kept));
}

void output_summary(FILE *out, const struct result *r, const struct verdict *vd, int status,
		    const char *why, int colour, int verbose)
{
	const char *name = output_verdict_name(status);
	const char *c = status == 0 ? C_GREEN : status == 77 ? C_YEL : C_RED;
	char upper[8];
	size_t i;

	if (r->have_job && r->job.ngroups) {
		fputc('\n', out);
		table(out, r);
		if (verbose)
			workers(out, r);
	}
	if (vd->n)
		outcomes(out, vd, colour, verbose);
	ignored_warnings(out, r);
	if (r->have_job)
		stream(out, r);
	for (i = 0; i < sizeof(upper) - 1 && name[i]; i++)
		upper[i] = (char)(name[i] - 'a' + 'A');
	upper[i] = '\0';
	fprintf(out, "%sverdict: %s%s (exit %d)%s%s%s\n", colour ? C_BOLD : "",
		colour ? c : "", upper, status, why && *why ? ": " : "", why ? why : "",
		colour ? C_OFF : "");
	fflush(out);
}
