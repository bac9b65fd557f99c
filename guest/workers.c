// SPDX-License-Identifier: GPL-2.0-only
/*
 * Worker lifecycle, first version: forked `spin` workers per group that start together,
 * run for the job's duration, and send one KT_MSG_WORKER report each. A worker that does
 * not report gets a sentinel report, so none silently disappears.
 */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define COLLECT_DEADLINE_MS 5000

struct worker {
	pid_t pid;
	int rfd;		/* the worker's report pipe, read end */
	uint32_t group, index;
};

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static int write_all(int fd, const uint8_t *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static __attribute__((noreturn)) void worker_main(const struct worker *w, int start_fd,
						  int ready_fd, int rep_fd)
{
	struct kt_worker_report r = { .group = w->group, .index = w->index };
	struct sigaction sa = { .sa_handler = on_stop };
	struct kt_wbuf out = { 0 };
	uint64_t t0, c0;
	char b = 'r';

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setpgid(0, 0);
	sigaction(SIGUSR1, &sa, NULL);
	if (write(ready_fd, &b, 1) != 1 || read(start_fd, &b, 1) != 1)
		_exit(3);
	t0 = clock_ns(CLOCK_MONOTONIC);
	c0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	while (!stop_flag) {
		for (volatile unsigned i = 0; i < 1024; i++)
			;
		r.work_units += 1024;
		r.iterations++;
	}
	r.tid = (uint32_t)getpid();
	r.completed = 1;
	r.cpu_ns = clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
	r.wall_ns = clock_ns(CLOCK_MONOTONIC) - t0;
	r.offcpu_ns = r.wall_ns > r.cpu_ns ? r.wall_ns - r.cpu_ns : 0;
	if (kt_enc_worker(&out, 0, &r) < 0 || write_all(rep_fd, out.buf, out.len) < 0)
		_exit(4);
	_exit(0);
}

/* Reads one worker's report until EOF or the deadline; fills a sentinel when it fails. */
static void collect(struct worker *w, uint64_t deadline_ns, struct kt_worker_report *r)
{
	struct kt_wbuf in = { 0 };
	struct kt_decoder d;
	struct kt_frame f;
	int status = 0, got = 0;

	for (;;) {
		int64_t left = (int64_t)(deadline_ns - clock_ns(CLOCK_MONOTONIC)) / 1000000;
		struct pollfd p = { .fd = w->rfd, .events = POLLIN };
		char buf[4096];
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		n = read(w->rfd, buf, sizeof(buf));
		if (n <= 0)
			break;
		kt_put_bytes(&in, buf, (size_t)n);
	}
	if (!in.oom && kt_decoder_init(&d) == 0) {
		kt_decoder_feed(&d, in.buf, in.len);
		got = kt_decoder_next(&d, &f) == KT_DEC_FRAME && kt_dec_worker(&f, r) == 0;
		kt_decoder_free(&d);
	}
	kt_wbuf_free(&in);
	if (waitpid(w->pid, &status, WNOHANG) == 0) {
		kill(-w->pid, SIGKILL);
		waitpid(w->pid, &status, 0);
		if (!got) {
			memset(r, 0, sizeof(*r));
			r->status = KT_W_TIMEOUT;
		}
	} else if (!got) {
		memset(r, 0, sizeof(*r));
		r->status = WIFSIGNALED(status) ? KT_W_KILLED : KT_W_EXITED;
		r->signo = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
		r->exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 0;
	}
	r->group = w->group;
	r->index = w->index;
	if (!r->tid)
		r->tid = (uint32_t)w->pid;
}

int workers_run(const struct kt_job *job)
{
	struct sigaction sa = { .sa_handler = on_stop };
	int start[2], ready[2], ret = 0;
	uint32_t total = 0, n = 0;
	uint64_t duration_ms = 0, deadline;
	struct worker *ws;
	char b;

	for (uint32_t g = 0; g < job->ngroups; g++) {
		total += job->groups[g].workers;
		if (job->groups[g].duration_ms > duration_ms)
			duration_ms = job->groups[g].duration_ms;
	}
	if (!total)
		return 0;
	ws = calloc(total, sizeof(*ws));
	if (!ws || pipe2(start, O_CLOEXEC) || pipe2(ready, O_CLOEXEC)) {
		report_error("workers", ws ? "pipe2" : "calloc", "", errno, "%u workers", total);
		free(ws);
		return -1;
	}
	/* Workers inherit the handler; PID 1 itself never gets SIGUSR1. */
	sigaction(SIGUSR1, &sa, NULL);
	for (uint32_t g = 0; g < job->ngroups; g++) {
		for (uint32_t i = 0; i < job->groups[g].workers; i++, n++) {
			int rep[2];

			ws[n] = (struct worker){ .group = g, .index = i, .rfd = -1 };
			if (pipe2(rep, O_CLOEXEC)) {
				report_error("workers", "pipe2", job->groups[g].name, errno, "report pipe");
				ret = -1;
				goto stop;
			}
			ws[n].pid = fork();
			if (ws[n].pid == 0) {
				close(rep[0]);
				worker_main(&ws[n], start[0], ready[1], rep[1]);
			}
			close(rep[1]);
			ws[n].rfd = rep[0];
			if (ws[n].pid < 0) {
				report_error("workers", "fork", job->groups[g].name, errno, "worker %u", i);
				ret = -1;
				goto stop;
			}
			/* Into its group's cgroup while it waits for the start signal. */
			if (cgroup_enter(&job->groups[g], ws[n].pid) < 0) {
				ret = -1;
				n++;
				goto stop;
			}
		}
	}
	/* The clock starts only when every worker is ready. */
	for (uint32_t i = 0; i < n; i++)
		if (read(ready[0], &b, 1) != 1) {
			report_error("workers", "read", "ready pipe", errno, "worker %u never became ready", i);
			ret = -1;
			goto stop;
		}
	report_stage("workers");
	for (uint32_t i = 0; i < n; i++)
		if (write(start[1], "s", 1) != 1) {
			report_error("workers", "write", "start pipe", errno, "starting worker %u", i);
			ret = -1;
			goto stop;
		}
	/* The init watches the scheduler and the kernel log at least every 100 ms. */
	deadline = clock_ns(CLOCK_MONOTONIC) + duration_ms * 1000000ull;
	for (uint64_t now; (now = clock_ns(CLOCK_MONOTONIC)) < deadline;) {
		uint64_t left = (deadline - now) / 1000000ull;
		struct timespec ts = { 0, (long)(left < 100 ? left : 100) * 1000000L };

		nanosleep(&ts, NULL);
		if (init_poll() < 0)
			break;
	}
stop:
	for (uint32_t i = 0; i < n; i++)
		if (ws[i].pid > 0)
			kill(ws[i].pid, SIGUSR1);
	report_stage("collect");
	deadline = clock_ns(CLOCK_MONOTONIC) + COLLECT_DEADLINE_MS * 1000000ull;
	for (uint32_t i = 0; i < n; i++) {
		struct kt_worker_report r;

		if (ws[i].pid <= 0)
			continue;
		collect(&ws[i], deadline, &r);
		report_worker(&r);
		close(ws[i].rfd);
	}
	close(start[0]);
	close(start[1]);
	close(ready[0]);
	close(ready[1]);
	free(ws);
	return ret;
}
