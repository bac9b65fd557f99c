// SPDX-License-Identifier: GPL-2.0-only
/*
 * The worker lifecycle. The init forks one process per worker (or, for clone_thread
 * groups, one process whose threads are the workers); each sets itself up (process
 * group, death signal, cgroup, affinity, policy, nice, mempolicy), writes a ready byte
 * and waits for the start pipe to close. The clock starts when every worker is ready.
 * A group stops when its duration ends: its shared stop flag is set and SIGUSR1 sent to
 * each worker's process group, to cut short any blocking call. Each worker writes its
 * report down its own pipe and exits. A worker that dies, says too little or has not
 * reported 5 s after its stop gets a sentinel report; stragglers are SIGKILLed by process
 * group and reaped within 3 s.
 */
#include "init.h"
#include "work.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define READY_TIMEOUT_NS	(30 * 1000000000ull)	/* forking thousands under TCG is slow */
#define COLLECT_NS		(5 * 1000000000ull)	/* report deadline after a group's stop */
#define REAP_KILL_NS		(1 * 1000000000ull)	/* reported but not gone: SIGKILL */
#define REAP_NS			(3 * 1000000000ull)	/* all reaped by then */
#define REPORT_MAX		(64 * 1024)

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

/* The init's view of one worker. */
struct wstate {
	uint32_t group, index;
	uint32_t proc;		/* index into run.procs */
	int fd;			/* report pipe, -1 once closed */
	uint8_t *buf;
	size_t len;
	int timed_out;
};

/* One process: a forked worker, or a clone_thread group's process. */
struct pstate {
	pid_t pid;
	uint32_t group;
	uint32_t nworkers;
	int reaped, wstatus, killed;
};

struct gstate {
	struct group_shm *shm;
	size_t shm_size;
	const struct work_impl *impl;
	uint64_t stop_at, collect_by;
	uint64_t sigstop_at, sigcont_at;	/* test knob; 0: none */
	int stopped, sigstopped;
	int (*pipes)[2];			/* pipe-io: 2 per pair */
	uint32_t npipes;
};

struct run {
	const struct kt_job *job;
	struct gstate *gs;
	struct wstate *ws;
	struct pstate *ps;
	uint32_t nw, np;
	int start[2], ready[2];
	pid_t init_pid;
};

/* ---- in the worker ---- */

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

/*
 * The body of a forked process: one worker, or every worker of a clone_thread group
 * (first..first+count-1, whose report pipes are fds[]).
 */
static __attribute__((noreturn)) void proc_main(struct run *r, uint32_t gi, uint32_t first,
						uint32_t count, const int *fds, int go)
{
	const struct kt_group *g = &r->job->groups[gi];
	struct gstate *gs = &r->gs[gi];
	struct sigaction sa = { .sa_handler = on_stop };	/* no SA_RESTART: cut waits short */
	char err[96] = "", c = 0;
	pthread_t *th;
	int fd;
	struct wargs *a;

	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != r->init_pid)
		_exit(1);	/* the init died before the death signal was armed */
	/*
	 * Wait until the init has moved us into the group's cgroup: a cpuset applied after
	 * our own sched_setaffinity would overwrite it.
	 */
	while (read(go, &c, 1) < 0 && errno == EINTR)
		;
	close(go);
	if (c != 'g')
		snprintf(err, sizeof(err), "not moved into cgroup ktstr/%.40s", g->name);
	close(r->start[1]);
	close(r->ready[0]);
	stop_shm = gs->shm;
	/* Nothing of PID 1's signal setup carries over: a worker's children must be waitable. */
	sigemptyset(&sa.sa_mask);
	sigprocmask(SIG_SETMASK, &sa.sa_mask, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
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

/* ---- in the init ---- */

static int setup_group(struct run *r, uint32_t gi)
{
	const struct kt_group *g = &r->job->groups[gi];
	struct gstate *gs = &r->gs[gi];

	gs->impl = work_impl_find(g->work);
	if (!gs->impl) {
		report_error("workers", "work", g->name, 0, "unknown work type '%s'", g->work);
		return -1;
	}
	gs->shm_size = sizeof(struct group_shm) + g->workers * sizeof(struct wslot);
	gs->shm = mmap(NULL, gs->shm_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		       -1, 0);
	if (gs->shm == MAP_FAILED) {
		gs->shm = NULL;
		report_error("workers", "mmap", g->name, errno, "%zu bytes of shared memory",
			     gs->shm_size);
		return -1;
	}
	if (gs->impl->flags & WORK_F_PIPES) {
		gs->npipes = g->workers & ~1u;
		gs->pipes = calloc(gs->npipes ? gs->npipes : 1, sizeof(*gs->pipes));
		if (!gs->pipes) {
			report_error("workers", "calloc", g->name, ENOMEM, "pipe-io pair pipes");
			return -1;
		}
		for (uint32_t i = 0; i < gs->npipes; i++)
			if (pipe2(gs->pipes[i], O_CLOEXEC)) {
				report_error("workers", "pipe2", g->name, errno, "pipe-io pair pipes");
				gs->npipes = i;
				return -1;
			}
	}
	return 0;
}

static void close_group_pipes(struct gstate *gs)
{
	for (uint32_t i = 0; i < gs->npipes; i++) {
		close(gs->pipes[i][0]);
		close(gs->pipes[i][1]);
	}
	gs->npipes = 0;
}

/* Closes the first n report pipes of a process that could not be forked. */
static void drop_pipes(struct run *r, const int *fds, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++) {
		close(fds[i]);
		close(r->ws[r->nw + i].fd);
	}
}

/* Forks the group's processes; each worker's report pipe read end stays with the init. */
static int spawn_group(struct run *r, uint32_t gi)
{
	const struct kt_group *g = &r->job->groups[gi];
	uint32_t per = g->clone_thread ? g->workers : 1;
	int ret;

	for (uint32_t first = 0; per && first < g->workers; first += per) {
		int fds[KT_JOB_MAX_WORKERS];
		struct pstate *p = &r->ps[r->np];
		int go[2];
		pid_t pid;

		for (uint32_t i = 0; i < per; i++) {
			int pfd[2];
			struct wstate *w = &r->ws[r->nw + i];

			if (pipe2(pfd, O_CLOEXEC)) {
				report_error("workers", "pipe2", g->name, errno, "report pipe");
				drop_pipes(r, fds, i);
				return -1;
			}
			*w = (struct wstate){ .group = gi, .index = first + i, .proc = r->np,
					      .fd = pfd[0] };
			fds[i] = pfd[1];
		}
		if (pipe2(go, O_CLOEXEC)) {
			report_error("workers", "pipe2", g->name, errno, "cgroup handshake pipe");
			drop_pipes(r, fds, per);
			return -1;
		}
		pid = fork();
		if (pid < 0) {
			report_error("workers", "fork", g->name, errno, "worker %u", first);
			drop_pipes(r, fds, per);
			close(go[0]);
			close(go[1]);
			return -1;
		}
		if (pid == 0) {
			close(go[1]);
			proc_main(r, gi, first, per, fds, go[0]);
		}
		/* Both sides set the process group, so neither races the other's kill(-pid). */
		setpgid(pid, pid);
		close(go[0]);
		for (uint32_t i = 0; i < per; i++)
			close(fds[i]);
		*p = (struct pstate){ .pid = pid, .group = gi, .nworkers = per };
		r->np++;
		r->nw += per;
		ret = cgroup_enter(g, pid);	/* guest/cgroup.c reports a failure */
		if (write(go[1], ret ? "n" : "g", 1) != 1)
			ret = -1;
		close(go[1]);
		if (ret)
			return -1;
	}
	return 0;
}

static void reap_nohang(struct pstate *p)
{
	if (!p->reaped && waitpid(p->pid, &p->wstatus, WNOHANG) == p->pid)
		p->reaped = 1;
}

/* Waits for every worker's ready byte (a dead process's workers never send theirs). */
static void wait_ready(struct run *r)
{
	uint64_t deadline = now_ns() + READY_TIMEOUT_NS;
	uint32_t ready = 0;

	while (now_ns() < deadline) {
		struct pollfd p = { .fd = r->ready[0], .events = POLLIN };
		uint32_t dead = 0;
		char buf[256];

		for (uint32_t i = 0; i < r->np; i++) {
			reap_nohang(&r->ps[i]);
			if (r->ps[i].reaped)
				dead += r->ps[i].nworkers;
		}
		if (ready + dead >= r->nw)
			return;
		if (init_poll() < 0)
			return;	/* the scheduler died: start, and the run stops at once */
		if (poll(&p, 1, 100) == 1) {
			ssize_t n = read(r->ready[0], buf, sizeof(buf));

			if (n > 0)
				ready += (uint32_t)n;
		}
	}
	report_text(KT_MSG_LOG, "workers: only %u of %u ready after %llu s; starting anyway",
		    ready, r->nw, READY_TIMEOUT_NS / 1000000000ull);
}

static void signal_group(struct run *r, uint32_t gi, int sig)
{
	for (uint32_t i = 0; i < r->np; i++)
		if (r->ps[i].group == gi && !r->ps[i].reaped)
			kill(-r->ps[i].pid, sig);
}

static void stop_group(struct run *r, uint32_t gi, uint64_t now)
{
	struct gstate *gs = &r->gs[gi];

	__atomic_store_n(&gs->shm->stop, 1, __ATOMIC_RELEASE);
	signal_group(r, gi, SIGUSR1);
	if (gs->sigstopped == 1) {
		signal_group(r, gi, SIGCONT);
		gs->sigstopped = 2;
	}
	gs->stopped = 1;
	gs->collect_by = now + COLLECT_NS;
}

/* Test knob test_sigstop: the group's worker 0 (its whole process) stops, then goes on. */
static void sigstop_knob(struct run *r, uint32_t gi, uint64_t now)
{
	struct gstate *gs = &r->gs[gi];
	pid_t pid = 0;

	for (uint32_t i = 0; i < r->nw; i++)
		if (r->ws[i].group == gi && r->ws[i].index == 0)
			pid = r->ps[r->ws[i].proc].pid;
	if (!pid)
		return;
	if (gs->sigstopped == 0 && now >= gs->sigstop_at) {
		kill(pid, SIGSTOP);
		gs->sigstopped = 1;
	} else if (gs->sigstopped == 1 && now >= gs->sigcont_at) {
		kill(pid, SIGCONT);
		gs->sigstopped = 2;
	}
}

static void read_report(struct wstate *w)
{
	uint8_t tmp[8192];
	ssize_t n = read(w->fd, tmp, sizeof(tmp));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0 && w->len + (size_t)n <= REPORT_MAX) {
		uint8_t *more = realloc(w->buf, w->len + (size_t)n);

		if (more) {
			memcpy(more + w->len, tmp, (size_t)n);
			w->buf = more;
			w->len += (size_t)n;
			return;
		}
	}
	if (n > 0)
		return;	/* oversized: keep draining, decoding will call it short */
	close(w->fd);
	w->fd = -1;
}

/* Runs from the start until every report pipe is closed or timed out. */
static void run_and_collect(struct run *r)
{
	const struct kt_job *job = r->job;
	struct pollfd *pfd = calloc(r->nw ? r->nw : 1, sizeof(*pfd));
	uint32_t *which = calloc(r->nw ? r->nw : 1, sizeof(*which));

	if (!pfd || !which) {
		report_error("workers", "calloc", NULL, ENOMEM, "poll set");
		goto out;
	}
	for (;;) {
		uint64_t now = now_ns(), next = now + 100000000ull;
		uint32_t n = 0, open = 0, pending = 0;

		for (uint32_t gi = 0; gi < job->ngroups; gi++) {
			struct gstate *gs = &r->gs[gi];

			if (!gs->stopped && now >= gs->stop_at)
				stop_group(r, gi, now);
			if (!gs->stopped) {
				pending++;
				if (gs->stop_at < next)
					next = gs->stop_at;
				if (gs->sigstop_at) {
					sigstop_knob(r, gi, now);
					if (gs->sigstopped < 2)
						next = now + 10000000ull;
				}
			}
		}
		for (uint32_t i = 0; i < r->nw; i++) {
			struct wstate *w = &r->ws[i];
			struct gstate *gs = &r->gs[w->group];

			if (w->fd < 0)
				continue;
			if (gs->stopped && now >= gs->collect_by) {
				struct pstate *p = &r->ps[w->proc];

				/* Deaf to the stop, or stuck: the whole process group goes. */
				w->timed_out = 1;
				if (!p->killed && !p->reaped)
					kill(-p->pid, SIGKILL);
				p->killed = 1;
				close(w->fd);
				w->fd = -1;
				continue;
			}
			open++;
			pfd[n] = (struct pollfd){ .fd = w->fd, .events = POLLIN };
			which[n++] = i;
		}
		if (!open && !pending)
			break;
		/*
		 * The init's watch over the scheduler and the kernel log (at least every
		 * 100 ms): a dead scheduler ends the run now.
		 */
		if (init_poll() < 0)
			for (uint32_t gi = 0; gi < job->ngroups; gi++)
				if (!r->gs[gi].stopped)
					stop_group(r, gi, now);
		if (poll(pfd, n, (int)((next > now ? next - now : 0) / 1000000) + 1) > 0)
			for (uint32_t k = 0; k < n; k++)
				if (pfd[k].revents)
					read_report(&r->ws[which[k]]);
	}
out:
	free(pfd);
	free(which);
}

/* Every process reaped: those that linger after reporting are killed after 1 s. */
static void reap_all(struct run *r)
{
	uint64_t t0 = now_ns();
	int killed = 0;

	for (;;) {
		uint32_t left = 0;

		for (uint32_t i = 0; i < r->np; i++) {
			reap_nohang(&r->ps[i]);
			left += !r->ps[i].reaped;
		}
		if (!left)
			return;
		if (!killed && now_ns() - t0 >= REAP_KILL_NS) {
			for (uint32_t i = 0; i < r->np; i++)
				if (!r->ps[i].reaped)
					kill(-r->ps[i].pid, SIGKILL);
			killed = 1;
		}
		if (now_ns() - t0 >= REAP_NS) {
			report_text(KT_MSG_LOG, "workers: %u processes not reaped after %llu s", left,
				    REAP_NS / 1000000000ull);
			return;
		}
		usleep(10000);
	}
}

/* The worker's own report if it sent a sound one, else a sentinel saying what happened. */
static void final_report(struct run *r, const struct wstate *w, struct kt_worker_report *m)
{
	const struct pstate *p = &r->ps[w->proc];
	struct kt_decoder d;
	struct kt_frame f;
	int ok = 0;

	if (w->len && kt_decoder_init(&d) == 0) {
		kt_decoder_feed(&d, w->buf, w->len);
		if (kt_decoder_next(&d, &f) == KT_DEC_FRAME && f.type == KT_MSG_WORKER &&
		    kt_dec_worker(&f, m) == 0 && m->group == w->group && m->index == w->index)
			ok = 1;
		kt_decoder_free(&d);
	}
	if (ok) {
		m->status = KT_W_DONE;
		return;
	}
	memset(m, 0, sizeof(*m));
	m->group = w->group;
	m->index = w->index;
	m->tid = (uint32_t)p->pid;
	if (w->timed_out) {
		m->status = KT_W_TIMEOUT;
		snprintf(m->error, sizeof(m->error), "timed out: no report %llu s after the stop; "
			 "killed", COLLECT_NS / 1000000000ull);
	} else if (p->reaped && WIFSIGNALED(p->wstatus)) {
		m->status = KT_W_KILLED;
		m->signo = WTERMSIG(p->wstatus);
		snprintf(m->error, sizeof(m->error), "killed by signal %d (%s)", m->signo,
			 strsignal(m->signo));
	} else if (p->reaped && WIFEXITED(p->wstatus) && (WEXITSTATUS(p->wstatus) || !w->len)) {
		m->status = KT_W_EXITED;
		m->exit_code = WEXITSTATUS(p->wstatus);
		snprintf(m->error, sizeof(m->error), "exited with status %d before reporting",
			 m->exit_code);
	} else {
		m->status = KT_W_SHORT;
		snprintf(m->error, sizeof(m->error), "short or malformed report (%zu bytes)",
			 w->len);
	}
}

static void free_run(struct run *r)
{
	for (uint32_t gi = 0; r->gs && gi < r->job->ngroups; gi++) {
		close_group_pipes(&r->gs[gi]);
		free(r->gs[gi].pipes);
		if (r->gs[gi].shm)
			munmap(r->gs[gi].shm, r->gs[gi].shm_size);
	}
	for (uint32_t i = 0; r->ws && i < r->nw; i++) {
		if (r->ws[i].fd >= 0)
			close(r->ws[i].fd);
		free(r->ws[i].buf);
	}
	for (int i = 0; i < 2; i++) {
		if (r->start[i] >= 0)
			close(r->start[i]);
		if (r->ready[i] >= 0)
			close(r->ready[i]);
	}
	free(r->gs);
	free(r->ws);
	free(r->ps);
}

/*
 * One report pipe per worker stays open in the init, and a clone_thread group's process
 * holds a pipe end per thread: lift the default 1024 descriptors (PID 1 runs as root, so
 * the hard limit can rise too).
 */
static void raise_nofile(uint32_t workers)
{
	rlim_t want = (rlim_t)workers * 2 + 64;
	struct rlimit nofile;

	if (getrlimit(RLIMIT_NOFILE, &nofile) || nofile.rlim_cur >= want)
		return;
	if (nofile.rlim_max < want) {
		struct rlimit more = { want, want };

		if (setrlimit(RLIMIT_NOFILE, &more) == 0)
			return;
	}
	nofile.rlim_cur = nofile.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &nofile))
		report_text(KT_MSG_LOG, "workers: cannot raise the descriptor limit to %llu: %s",
			    (unsigned long long)want, strerror(errno));
}

int workers_run(const struct kt_job *job)
{
	struct run r = { .job = job, .start = { -1, -1 }, .ready = { -1, -1 },
			 .init_pid = getpid() };
	struct kt_worker_report *m = NULL;
	uint32_t total = 0;
	uint64_t t0;
	int ret = -1;

	for (uint32_t gi = 0; gi < job->ngroups; gi++)
		total += job->groups[gi].workers;
	raise_nofile(total);
	r.gs = calloc(job->ngroups ? job->ngroups : 1, sizeof(*r.gs));
	r.ws = calloc(total ? total : 1, sizeof(*r.ws));
	r.ps = calloc(total ? total : 1, sizeof(*r.ps));
	m = malloc(sizeof(*m));
	if (!r.gs || !r.ws || !r.ps || !m) {
		report_error("workers", "calloc", NULL, ENOMEM, "state for %u workers", total);
		goto out;
	}
	if (pipe2(r.start, O_CLOEXEC) || pipe2(r.ready, O_CLOEXEC)) {
		report_error("workers", "pipe2", NULL, errno, "start and ready pipes");
		goto out;
	}
	for (uint32_t gi = 0; gi < job->ngroups; gi++) {
		if (setup_group(&r, gi) < 0)
			goto kill;
		if (spawn_group(&r, gi) < 0)
			goto kill;
		close_group_pipes(&r.gs[gi]);
	}
	close(r.ready[1]);
	r.ready[1] = -1;
	wait_ready(&r);
	report_stage("workers");
	t0 = now_ns();
	close(r.start[1]);	/* EOF on every worker's read: go */
	r.start[1] = -1;
	for (uint32_t gi = 0; gi < job->ngroups; gi++) {
		const struct kt_group *g = &job->groups[gi];
		struct gstate *gs = &r.gs[gi];
		uint64_t dur = (g->duration_ms ? g->duration_ms : job->duration_ms) * 1000000ull;
		uint64_t st = kt_work_param_u64(g, "test_sigstop") * 1000;

		gs->stop_at = t0 + dur;
		if (st) {
			gs->sigstop_at = t0 + dur / 4;
			gs->sigcont_at = gs->sigstop_at + st;
		}
	}
	run_and_collect(&r);
	report_stage("collect");
	reap_all(&r);
	for (uint32_t i = 0; i < r.nw; i++) {
		final_report(&r, &r.ws[i], m);
		report_worker(m);
	}
	ret = 0;
	goto out;
kill:
	/* Setup failed part way: nothing already forked may outlive the run. */
	for (uint32_t i = 0; i < r.np; i++)
		kill(-r.ps[i].pid, SIGKILL);
	reap_all(&r);
out:
	free(m);
	free_run(&r);
	return ret;
}
