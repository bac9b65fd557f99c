// SPDX-License-Identifier: GPL-2.0-only
/*
 * Communicating work: pipe-io, futex-pingpong, futex-fanout, wake-chain, mutex-contention.
 * Wake latency is the time from the waker's timestamp (taken just before it wakes) to the
 * woken worker running again; each wakeup a worker receives is one sample, so a report's
 * wake.count equals its iterations for the pair types.
 *
 * Futexes live in MAP_SHARED memory and are used without FUTEX_PRIVATE_FLAG, so forked
 * workers and threads work alike. Every wait has a 100 ms timeout: stop stays prompt.
 */
#include "work.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* musl ships no kernel headers: the two futex operations used, from linux/futex.h. */
#define FUTEX_WAIT	0
#define FUTEX_WAKE	1

static const struct timespec block_ts = { 0, (long)KT_MAX_BLOCK_NS };

/* Waits while *addr == val, at most 100 ms. */
static void futex_wait(uint32_t *addr, uint32_t val)
{
	syscall(SYS_futex, addr, FUTEX_WAIT, val, &block_ts, NULL, 0);
}

static void futex_wake(uint32_t *addr, int n)
{
	syscall(SYS_futex, addr, FUTEX_WAKE, n, NULL, NULL, 0);
}

static uint32_t load(uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_ACQUIRE);
}

static void store(uint32_t *p, uint32_t v)
{
	__atomic_store_n(p, v, __ATOMIC_RELEASE);
}

static void wake_sample(struct worker *w, uint64_t now, uint64_t sent)
{
	kt_samples_add(&w->rep->wake, now > sent ? now - sent : 0, &w->rng);
}

/* Reads exactly n bytes, polling at most 100 ms at a time. -1 at the stop or on error. */
static int read_full(struct worker *w, int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		if (stopping(w))
			return -1;
		if (poll(&p, 1, (int)(KT_MAX_BLOCK_NS / 1000000)) <= 0)
			continue;
		k = read(fd, (char *)buf + got, n - got);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0) {
			if (!stopping(w))
				work_error(w, "pipe-io: read: %s", k ? strerror(errno) : "partner gone");
			return -1;
		}
		got += (size_t)k;
	}
	return 0;
}

static int write_full(struct worker *w, int fd, const void *buf, size_t n)
{
	size_t put = 0;

	while (put < n) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		ssize_t k;

		if (stopping(w))
			return -1;
		if (poll(&p, 1, (int)(KT_MAX_BLOCK_NS / 1000000)) <= 0)
			continue;
		k = write(fd, (const char *)buf + put, n - put);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k <= 0) {
			if (!stopping(w))
				work_error(w, "pipe-io: write: %s", strerror(errno));
			return -1;
		}
		put += (size_t)k;
	}
	return 0;
}

/* Pairs (2k, 2k+1): the even worker sends first; each message carries its send time. */
int work_pipe_io(struct worker *w)
{
	size_t size = (size_t)kt_work_param_u64(w->g, "size");
	char *msg = calloc(1, size);
	int turn = w->index % 2 == 0;	/* 1: send now */
	uint64_t t;

	if (!msg) {
		work_error(w, "pipe-io: out of memory for a %zu byte message", size);
		return -1;
	}
	while (!stopping(w)) {
		if (turn) {
			t = now_ns();
			memcpy(msg, &t, sizeof(t));
			meas_progress(w);
			if (write_full(w, w->pipe_out, msg, size) < 0)
				break;
		} else {
			if (read_full(w, w->pipe_in, msg, size) < 0)
				break;
			memcpy(&t, msg, sizeof(t));
			wake_sample(w, meas_resume(w), t);
			w->iterations++;
			work_done(w, 1);
		}
		turn = !turn;
	}
	free(msg);
	return 0;
}

/*
 * Pairs share slot[2k].futex: 0 is the even worker's turn, 1 the odd one's. The one whose
 * turn it is stamps the time, hands the turn over and wakes its partner.
 */
int work_futex_pingpong(struct worker *w)
{
	struct wslot *s = &w->shm->slot[w->index & ~1u];
	uint32_t mine = w->index % 2, v;

	if (!mine)
		goto hand_over;	/* the even worker's turn comes first */
	while (!stopping(w)) {
		meas_progress(w);
		while ((v = load(&s->futex)) != mine && !stopping(w))
			futex_wait(&s->futex, v);
		if (v != mine)
			break;
		wake_sample(w, meas_resume(w), __atomic_load_n(&s->t_ns, __ATOMIC_ACQUIRE));
		w->iterations++;
		work_done(w, 1);
hand_over:
		__atomic_store_n(&s->t_ns, now_ns(), __ATOMIC_RELEASE);
		store(&s->futex, !mine);
		futex_wake(&s->futex, 1);
	}
	return 0;
}

/* Worker 0 starts round after round; every other worker wakes on it and acks. */
int work_futex_fanout(struct worker *w)
{
	struct group_shm *g = w->shm;
	uint64_t n = kt_work_param_u64(w->g, "spin");
	uint32_t others = w->nworkers - 1, seen = 0;	/* only worker 0 moves gen */

	while (!stopping(w)) {
		spin_units(w, n);
		if (w->index == 0) {
			uint32_t a;

			store(&g->ack, 0);
			__atomic_store_n(&g->gen_t_ns, now_ns(), __ATOMIC_RELEASE);
			__atomic_add_fetch(&g->gen, 1, __ATOMIC_RELEASE);
			futex_wake(&g->gen, INT_MAX);
			meas_progress(w);
			while ((a = load(&g->ack)) < others && !stopping(w))
				futex_wait(&g->ack, a);
			meas_resume(w);
			w->iterations++;
			work_done(w, 1);
			continue;
		}
		meas_progress(w);
		while (load(&g->gen) == seen && !stopping(w))
			futex_wait(&g->gen, seen);
		if (load(&g->gen) == seen)
			break;
		seen = load(&g->gen);
		wake_sample(w, meas_resume(w), __atomic_load_n(&g->gen_t_ns, __ATOMIC_ACQUIRE));
		w->iterations++;
		work_done(w, 1);
		if (__atomic_add_fetch(&g->ack, 1, __ATOMIC_ACQ_REL) == others)
			futex_wake(&g->ack, 1);
	}
	return 0;
}

/* A ring: stage i waits for slot[i].futex, then passes the token to stage i+1. */
int work_wake_chain(struct worker *w)
{
	struct wslot *me = &w->shm->slot[w->index];
	struct wslot *next = &w->shm->slot[(w->index + 1) % w->nworkers];
	uint64_t n = kt_work_param_u64(w->g, "spin");
	int first = w->index == 0;	/* stage 0 holds the token at the start */

	while (!stopping(w)) {
		if (!first) {
			meas_progress(w);
			while (!load(&me->futex) && !stopping(w))
				futex_wait(&me->futex, 0);
			if (!load(&me->futex))
				break;
			wake_sample(w, meas_resume(w), __atomic_load_n(&me->t_ns, __ATOMIC_ACQUIRE));
			store(&me->futex, 0);
			w->iterations++;
			work_done(w, 1);
		}
		first = 0;
		spin_units(w, n);
		__atomic_store_n(&next->t_ns, now_ns(), __ATOMIC_RELEASE);
		store(&next->futex, 1);
		futex_wake(&next->futex, 1);
	}
	return 0;
}

static uint32_t cas(uint32_t *p, uint32_t old, uint32_t new)
{
	__atomic_compare_exchange_n(p, &old, new, 0, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
	return old;
}

/*
 * Drepper's futex mutex ("Futexes are tricky", mutex3). Returns 1 when acquired after
 * sleeping, 0 when acquired at once, -1 at the stop.
 */
static int lock(struct worker *w, uint32_t *l)
{
	uint32_t c = cas(l, 0, 1);
	int slept = 0;

	if (!c)
		return 0;
	if (c != 2)
		c = __atomic_exchange_n(l, 2, __ATOMIC_ACQUIRE);
	while (c) {
		if (stopping(w))
			return -1;
		meas_progress(w);
		futex_wait(l, 2);
		slept = 1;
		c = __atomic_exchange_n(l, 2, __ATOMIC_ACQUIRE);
	}
	return slept;
}

static void unlock(struct worker *w, uint32_t *l)
{
	if (__atomic_fetch_sub(l, 1, __ATOMIC_RELEASE) != 1) {
		__atomic_store_n(&w->shm->release_t_ns, now_ns(), __ATOMIC_RELEASE);
		store(l, 0);
		futex_wake(l, 1);
	}
}

int work_mutex_contention(struct worker *w)
{
	uint64_t hold = kt_work_param_u64(w->g, "hold");
	uint64_t n = kt_work_param_u64(w->g, "spin");

	while (!stopping(w)) {
		int r = lock(w, &w->shm->lock);

		if (r < 0)
			break;
		if (r) {
			uint64_t now = meas_resume(w);

			wake_sample(w, now, __atomic_load_n(&w->shm->release_t_ns, __ATOMIC_ACQUIRE));
		}
		spin_units(w, hold);
		unlock(w, &w->shm->lock);
		w->iterations++;
		spin_units(w, n);
		if (!hold && !n)
			work_done(w, 1);
	}
	return 0;
}
