// SPDX-License-Identifier: GPL-2.0-only
/*
 * The worker lifecycle, the init's side (worker.c is the worker's). The init forks one
 * process per worker (or, for clone_thread groups, one process whose threads are the
 * workers) and moves it into its group's cgroup; each worker sets itself up, writes a
 * ready byte and waits for the start pipe to close. The clock starts when every worker is
 * ready. A group stops when its duration ends: its shared stop flag is set and SIGUSR1
 * sent to each worker's process group, to cut short any blocking call. Each worker writes
 * its report down its own pipe and exits. A worker that dies, says too little or has not
 * reported 5 s after its stop gets a sentinel report; stragglers are SIGKILLed by process
 * group and reaped within 3 s.
 */
#include "init.h"
#include "workers.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define READY_TIMEOUT_NS	(30 * 1000000000ull)	/* forking thousands under TCG is slow */
#define COLLECT_NS		(5 * 1000000000ull)	/* report deadline after a group's stop */
#define REAP_KILL_NS		(1 * 1000000000ull)	/* reported but not gone: SIGKILL */
#define REAP_NS			(3 * 1000000000ull)	/* all reaped by then */
#define REPORT_MAX		(64 * 1024)

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
			worker_proc_main(r, gi, first, per, fds, go[0]);
		}
		reaper_own(pid);
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
	if (!p->reaped && waitpid(p->pid, &p->wstatus, WNOHANG) == p->pid) {
		p->reaped = 1;
		reaper_disown(p->pid);
	}
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
		gs->sigcont_at = now_ns() + gs->sigstop_ns;	/* at least that long, whatever the lag */
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
			gs->sigstop_ns = st;
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
