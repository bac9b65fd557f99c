/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The worker lifecycle's state, shared by the init's side (workers.c: spawn, start, stop,
 * collect) and the worker's side (worker.c: what runs in each forked process).
 */
#ifndef KTSTR_WORKERS_H
#define KTSTR_WORKERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "work.h"

/* The init's view of one worker. */
struct wstate {
	uint32_t group, index;
	uint32_t proc;		/* index into run.ps */
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

/* One group: its shared memory, its loop, its stop and collection times. */
struct gstate {
	struct group_shm *shm;
	size_t shm_size;
	const struct work_impl *impl;
	uint64_t stop_at, collect_by;
	uint64_t sigstop_at, sigstop_ns;	/* test knob test_sigstop; 0: none */
	uint64_t sigcont_at;
	int stopped, sigstopped;
	int (*pipes)[2];			/* pipe-io: 2 per pair */
	uint32_t npipes;
};

/* A whole run; forked workers see the init's copy as it was when they were forked. */
struct run {
	const struct kt_job *job;
	struct gstate *gs;
	struct wstate *ws;
	struct pstate *ps;
	uint32_t nw, np;
	int start[2], ready[2];
	pid_t init_pid;
};

/*
 * The body of a forked process: one worker, or every worker of a clone_thread group
 * (first..first+count-1, whose report pipes' write ends are fds[]). go is the cgroup
 * handshake pipe: the init writes 'g' once it has moved the process.
 */
__attribute__((noreturn)) void worker_proc_main(struct run *r, uint32_t gi, uint32_t first,
						uint32_t count, const int *fds, int go);

#endif
