// SPDX-License-Identifier: GPL-2.0-only
/*
 * Per-worker measurement, the parts that touch the system: clocks, getcpu (vDSO), the
 * thread's schedstat and the process's numa_maps. The bookkeeping itself is
 * shared/measure.c, unit-tested on the host.
 */
#include "work.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void work_error(struct worker *w, const char *fmt, ...)
{
	char *e = w->rep->error;
	size_t len = strlen(e), cap = sizeof(w->rep->error);
	va_list ap;

	if (len + 3 >= cap)
		return;
	if (len) {
		memcpy(e + len, "; ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(e + len, cap - len, fmt, ap);
	va_end(ap);
}

static int read_schedstat(struct worker *w, uint64_t out[3])
{
	char path[64], buf[128];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/schedstat", w->tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return kt_parse_schedstat(buf, out);
}

/*
 * 1 when the thread runs in the sched_ext class: /proc/PID/task/TID/sched's ext.enabled
 * (CONFIG_SCHED_DEBUG). A scheduler in "switch all" mode moves SCHED_NORMAL tasks to
 * sched_ext without changing their policy, so sched_getscheduler alone would say 0.
 */
static int on_sched_ext(struct worker *w)
{
	char path[64], buf[8192], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/sched", w->tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strstr(buf, "\next.enabled");
	p = p ? strchr(p, ':') : NULL;
	return p && strtol(p + 1, NULL, 10) == 1;
}

void meas_numa(struct worker *w)
{
	size_t cap = 65536, len = 0;
	char *buf;
	int fd;

	if (w->have_numa++)
		return;	/* the loop took them while its memory was still mapped */
	buf = malloc(cap);
	fd = open("/proc/self/numa_maps", O_RDONLY | O_CLOEXEC);
	/* A kernel without CONFIG_NUMA has no numa_maps: the counts stay empty. */
	if (fd < 0 || !buf)
		goto out;
	for (;;) {
		ssize_t n;

		if (len == cap) {
			char *more = cap < (16u << 20) ? realloc(buf, cap * 2) : NULL;

			if (!more)
				break;
			buf = more;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	kt_parse_numa_maps(buf, len, w->rep->numa_pages, &w->rep->nnodes);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
}

void meas_start(struct worker *w)
{
	w->tid = (int)syscall(SYS_gettid);
	w->rep->tid = (uint32_t)w->tid;
	w->have_sched0 = read_schedstat(w, w->sched0) == 0;
	w->cpu0_ns = thread_cpu_ns();
	w->t0_ns = now_ns();
	kt_rng_seed(&w->rng, ((uint64_t)w->tid << 32) ^ w->t0_ns);
	kt_ckpt_start(&w->ck, w->rep, w->t0_ns, sched_getcpu());
}

void meas_progress(struct worker *w)
{
	uint64_t now = now_ns();

	if (w->crash_at_ns && now >= w->crash_at_ns)
		raise(SIGSEGV);
	kt_ckpt_progress(&w->ck, w->rep, now, sched_getcpu());
}

uint64_t meas_resume(struct worker *w)
{
	uint64_t now = now_ns();

	kt_ckpt_resume(&w->ck, w->rep, now, sched_getcpu());
	return now;
}

void meas_finish(struct worker *w)
{
	struct kt_worker_report *r = w->rep;
	uint64_t s[3], now = now_ns(), cpu = thread_cpu_ns();
	long pol;

	r->work_units = w->units;
	r->iterations = w->iterations;
	r->wall_ns = now - w->t0_ns;
	r->cpu_ns = cpu > w->cpu0_ns ? cpu - w->cpu0_ns : 0;
	r->offcpu_ns = r->wall_ns > r->cpu_ns ? r->wall_ns - r->cpu_ns : 0;
	if (w->have_sched0 && read_schedstat(w, s) == 0) {
		r->run_ns = s[0] - w->sched0[0];
		r->run_delay_ns = s[1] - w->sched0[1];
		r->timeslices = s[2] - w->sched0[2];
	} else {
		work_error(w, "no /proc/self/task/%d/schedstat (CONFIG_SCHED_INFO?)", w->tid);
	}
	kt_ckpt_finish(&w->ck, r);
	/* musl has no sched_getscheduler (POSIX's is per process): ask the kernel directly. */
	pol = syscall(SYS_sched_getscheduler, 0);
	r->policy = pol < 0 ? 0 : (uint32_t)pol & ~0x40000000u;	/* minus SCHED_RESET_ON_FORK */
	if (on_sched_ext(w))
		r->policy = KT_POLICY_EXT;	/* the class it ran in, whatever the policy */
	meas_numa(w);
}

void spin_for(struct worker *w, uint64_t ns)
{
	uint64_t end = now_ns() + ns, x = w->sink;

	while (!stopping(w)) {
		for (int i = 0; i < 16; i++)
			x = spin_unit(x);
		work_done(w, 16);
		if (now_ns() >= end)
			break;
	}
	w->sink = x;
}

void sleep_for(struct worker *w, uint64_t ns)
{
	uint64_t end;

	meas_progress(w);
	end = now_ns() + ns;
	while (!stopping(w)) {
		uint64_t now = now_ns(), left;
		struct timespec ts;

		if (now >= end)
			break;
		left = end - now < KT_MAX_BLOCK_NS ? end - now : KT_MAX_BLOCK_NS;
		ts.tv_sec = (time_t)(left / 1000000000ull);
		ts.tv_nsec = (long)(left % 1000000000ull);
		clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, NULL);
	}
	meas_resume(w);
}
