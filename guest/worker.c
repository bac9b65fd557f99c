// SPDX-License-Identifier: GPL-2.0-only
/*
 * Inside a worker process: take a process group and the death signal, wait to be moved
 * into the group's cgroup, apply the group's affinity, policy, nice and mempolicy (a
 * failure goes into the report, the worker still runs), write a ready byte, wait for the
 * start pipe to close, run the work loop until the stop, and send the report down the
 * worker's own pipe. A clone_thread group runs these steps per thread in one process.
 */
#include "init.h"
#include "workers.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

static const struct work_impl impls[] = {
	{ "spin", work_spin, 0 },
	{ "yield", work_yield, 0 },
	{ "mixed", work_mixed, 0 },
	{ "bursty", work_bursty, 0 },
	{ "idle-churn", work_idle_churn, 0 },
	{ "timer-latency", work_timer_latency, 0 },
	{ "pipe-io", work_pipe_io, WORK_F_PIPES },
	{ "futex-pingpong", work_futex_pingpong, 0 },
	{ "futex-fanout", work_futex_fanout, 0 },
	{ "wake-chain", work_wake_chain, 0 },
	{ "mutex-contention", work_mutex_contention, 0 },
	{ "cache-pressure", work_cache_pressure, 0 },
	{ "page-fault-churn", work_page_fault_churn, 0 },
	{ "fork-exit", work_fork_exit, 0 },
	{ "exec", work_exec, 0 },
	{ "affinity-churn", work_affinity_churn, 0 },
	{ "policy-churn", work_policy_churn, 0 },
	{ "nice-sweep", work_nice_sweep, 0 },
};

const struct work_impl *work_impl_find(const char *name)
{
	for (size_t i = 0; i < sizeof(impls) / sizeof(impls[0]); i++)
		if (!strcmp(impls[i].name, name))
			return &impls[i];
	return NULL;
}

static struct group_shm *stop_shm;	/* per process: the group whose stop SIGUSR1 means */

static void on_stop(int sig)
{
	(void)sig;
	if (stop_shm)
		__atomic_store_n(&stop_shm->stop, 1, __ATOMIC_RELAXED);
}

/* Parses "0-3,6" into set; -1 on a malformed list. */
static int parse_cpus(const char *s, cpu_set_t *set)
{
	CPU_ZERO(set);
	while (*s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;

		if (end == s)
			return -1;
		if (*end == '-') {
			s = end + 1;
			b = strtoul(s, &end, 10);
			if (end == s || b < a)
				return -1;
		}
		if (b >= CPU_SETSIZE)
			return -1;
		for (unsigned long c = a; c <= b; c++)
			CPU_SET(c, set);
		s = end;
		if (*s == ',')
			s++;
		else if (*s)
			return -1;
	}
	return 0;
}

/* musl ships no numaif.h: the kernel's memory policy modes. */
enum { MPOL_DEFAULT, MPOL_PREFERRED, MPOL_BIND, MPOL_INTERLEAVE, MPOL_LOCAL };

static void apply_mempolicy(struct worker *w, const char *spec)
{
	static const struct {
		const char *name;
		int mode;
	} modes[] = {
		{ "default", MPOL_DEFAULT }, { "preferred", MPOL_PREFERRED }, { "bind", MPOL_BIND },
		{ "interleave", MPOL_INTERLEAVE }, { "local", MPOL_LOCAL },
	};
	unsigned long mask[CPU_SETSIZE / (8 * sizeof(unsigned long))] = { 0 };
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	int mode = -1, with_nodes;
	cpu_set_t nodes;

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (strlen(modes[i].name) == len && !strncmp(spec, modes[i].name, len))
			mode = modes[i].mode;
	with_nodes = mode != MPOL_DEFAULT && mode != MPOL_LOCAL;
	if (mode < 0 || (with_nodes && (!colon || parse_cpus(colon + 1, &nodes)))) {
		work_error(w, "mempolicy '%s' is malformed", spec);
		return;
	}
	/* The node list parses like a CPU list; set_mempolicy wants a bit mask. */
	for (int n = 0; with_nodes && n < CPU_SETSIZE; n++)
		if (CPU_ISSET(n, &nodes))
			mask[n / (8 * sizeof(unsigned long))] |= 1ul << (n % (8 * sizeof(unsigned long)));
	if (syscall(SYS_set_mempolicy, mode, with_nodes ? mask : NULL,
		    with_nodes ? CPU_SETSIZE + 1 : 0))
		work_error(w, "set_mempolicy %s: %s", spec, strerror(errno));
}

/* Per thread: what the group asks for. A failure is noted in the report; the worker runs. */
static void apply_sched(struct worker *w)
{
	const struct kt_group *g = w->g;
	cpu_set_t set;

	if (g->affinity[0]) {
		if (parse_cpus(g->affinity, &set))
			work_error(w, "affinity '%s' is malformed", g->affinity);
		else if (sched_setaffinity(0, sizeof(set), &set))
			work_error(w, "sched_setaffinity %s: %s", g->affinity, strerror(errno));
	}
	if (g->policy != KT_POLICY_OTHER || g->rt_priority) {
		struct sched_param sp = { .sched_priority = (int)g->rt_priority };

		if (syscall(SYS_sched_setscheduler, 0, (int)g->policy, &sp))
			work_error(w, "sched_setscheduler policy %u priority %u: %s", g->policy,
				   g->rt_priority, strerror(errno));
	}
	if (g->nice && setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), g->nice))
		work_error(w, "setpriority nice %d: %s", g->nice, strerror(errno));
	if (g->mempolicy[0])
		apply_mempolicy(w, g->mempolicy);
}

static int write_all(int fd, const void *p, size_t n)
{
	while (n) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p = (const char *)p + k;
		n -= (size_t)k;
	}
	return 0;
}

struct wargs {
	struct run *run;
	uint32_t group, index;
	int fd;			/* the report pipe's write end */
	const char *proc_err;	/* set up for the whole process: cgroup */
};

static void *worker_main(void *arg)
{
	struct wargs *a = arg;
	const struct kt_group *g = &a->run->job->groups[a->group];
	struct gstate *gs = &a->run->gs[a->group];
	struct worker w = { .g = g, .group = a->group, .index = a->index,
			    .nworkers = g->workers, .shm = gs->shm, .pipe_in = -1,
			    .pipe_out = -1 };
	struct kt_wbuf out = { 0 };
	uint64_t crash = 0;
	int hang = 0, cut = 0;
	char c = 'r';

	w.rep = calloc(1, sizeof(*w.rep));
	if (!w.rep)
		return NULL;	/* the init sees no report: a sentinel */
	w.rep->group = a->group;
	w.rep->index = a->index;
	if (a->proc_err[0])
		work_error(&w, "%s", a->proc_err);
	if (gs->impl->flags & WORK_F_PIPES) {
		int (*p)[2] = &gs->pipes[(a->index / 2) * 2];

		/* Pair k: pipe 2k carries even -> odd, pipe 2k+1 odd -> even. */
		w.pipe_out = a->index % 2 ? p[1][1] : p[0][1];
		w.pipe_in = a->index % 2 ? p[0][0] : p[1][0];
	}
	if (a->index == 0) {
		crash = kt_work_param_u64(g, "test_crash") * 1000;
		hang = (int)kt_work_param_u64(g, "test_hang");
		cut = (int)kt_work_param_u64(g, "test_short");
	}
	apply_sched(&w);
	if (write_all(a->run->ready[1], &c, 1))
		work_error(&w, "writing the ready byte: %s", strerror(errno));
	/* The start pipe's write end closes when every worker is ready: read sees EOF. */
	while (read(a->run->start[0], &c, 1) < 0 && errno == EINTR)
		;
	meas_start(&w);
	if (crash)
		w.crash_at_ns = w.t0_ns + crash;
	if (hang) {
		/* Test knob: a worker deaf to the stop, which the init must kill. */
		sigset_t s;

		sigemptyset(&s);
		sigaddset(&s, SIGUSR1);
		pthread_sigmask(SIG_BLOCK, &s, NULL);
		for (;;)
			pause();
	}
	w.rep->completed = gs->impl->fn(&w) == 0 && stopping(&w);
	meas_finish(&w);
	if (kt_enc_worker(&out, 0, w.rep) < 0 || out.oom) {
		con_printf("ktstr-init: worker %s/%u: encoding its report failed\n", g->name,
			   a->index);
	} else {
		if (cut)
			out.len /= 2;	/* test knob: a truncated report */
		if (write_all(a->fd, out.buf, out.len))
			con_printf("ktstr-init: worker %s/%u: sending its report: %s\n", g->name,
				   a->index, strerror(errno));
	}
	kt_wbuf_free(&out);
	close(a->fd);
	free(w.rep);
	return NULL;
}

void worker_proc_main(struct run *r, uint32_t gi, uint32_t first, uint32_t count,
		      const int *fds, int go)
{
	const struct kt_group *g = &r->job->groups[gi];
	struct gstate *gs = &r->gs[gi];
	struct sigaction sa = { .sa_handler = on_stop };	/* no SA_RESTART: cut waits short */
	char err[96] = "", c = 0;
	pthread_t *th;
	int fd;
	struct wargs *a;

	/* Both matter for cleanup: without them a straggler could outlive the run. */
	if (setpgid(0, 0) && errno != EPERM)	/* EPERM: the init already made us a leader */
		snprintf(err, sizeof(err), "setpgid: %s", strerror(errno));
	if (prctl(PR_SET_PDEATHSIG, SIGKILL))
		snprintf(err, sizeof(err), "PR_SET_PDEATHSIG: %s", strerror(errno));
	if (getppid() != r->init_pid)
		_exit(1);	/* the init died before the death signal was armed */
	/*
	 * Wait until the init has moved us into the group's cgroup: a cpuset applied after
	 * our own sched_setaffinity would overwrite it.
	 */
	while (read(go, &c, 1) < 0 && errno == EINTR)
		;
	close(go);
	if (c != 'g' && !err[0])
		snprintf(err, sizeof(err), "not moved into cgroup ktstr/%.40s", g->name);
	close(r->start[1]);
	close(r->ready[0]);
	stop_shm = gs->shm;
	/*
	 * Nothing of the parent's signal setup carries over: a crash must end the worker (and
	 * show as its signal), its children must be waitable. A dead pipe partner is an error
	 * to report (EPIPE), not a death.
	 */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);	/* SIGKILL, SIGSTOP and the libc's own: EINVAL */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sa.sa_mask);
	sigprocmask(SIG_SETMASK, &sa.sa_mask, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	/* The init shields itself from the OOM killer; its workers must stay fair game. */
	fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "0", 1) != 1 && !err[0])
			snprintf(err, sizeof(err), "oom_score_adj 0: %s", strerror(errno));
		close(fd);
	}
	/* A forked worker holds only its own pair's pipes (threads share them all). */
	for (uint32_t i = 0; !g->clone_thread && i < gs->npipes; i++) {
		if (i / 2 != first / 2) {
			close(gs->pipes[i][0]);
			close(gs->pipes[i][1]);
		}
	}
	a = calloc(count, sizeof(*a));
	th = calloc(count, sizeof(*th));
	if (!a || !th)
		_exit(3);
	for (uint32_t i = 0; i < count; i++)
		a[i] = (struct wargs){ r, gi, first + i, fds[i], err };
	if (count == 1 && !g->clone_thread) {
		worker_main(&a[0]);
		_exit(0);
	}
	for (uint32_t i = 0; i < count; i++) {
		int e = pthread_create(&th[i], NULL, worker_main, &a[i]);

		if (e) {
			con_printf("ktstr-init: group %s: pthread_create: %s\n", g->name, strerror(e));
			_exit(3);
		}
	}
	for (uint32_t i = 0; i < count; i++)
		pthread_join(th[i], NULL);
	_exit(0);
}
