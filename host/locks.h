/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Host CPU reservations between ktstr processes: one lock file per LLC and per CPU in the
 * lock directory ($KTSTR_LOCK_DIR, default /tmp), flock()ed without blocking. The kernel
 * drops a flock when its holder dies, so no reservation outlives its process.
 */
#ifndef KTSTR_LOCKS_H
#define KTSTR_LOCKS_H

#include <stdint.h>
#include <sys/types.h>
#include "plan.h"

struct lockset {
	unsigned n;
	int fd[PLAN_MAX_LOCKS];
};

#define LOCK_MAX_HOLDERS 16

struct lock_holder {
	pid_t pid;
	int write;
	char comm[32];
};

struct lock_info {
	char kind;		/* 'l' LLC, 'c' CPU */
	unsigned idx;
	unsigned nholders;
	struct lock_holder h[LOCK_MAX_HOLDERS];
};

const char *locks_dir(void);
void locks_path(const char *dir, char kind, unsigned idx, char *buf, size_t sz);

/*
 * Takes every lock of p, all or nothing. Returns 0; 1 when one is held by someone else
 * (nothing is then held); -1 on an error, printed.
 */
int locks_acquire(const char *dir, const struct plan *p, struct lockset *ls);
/* Drops every lock in ls (idempotent). */
void locks_release(struct lockset *ls);

/*
 * Every ktstr lock file in dir and who holds it (from /proc/locks and mountinfo), ordered
 * LLCs first, then CPUs, by number. *out is malloc'd. Returns 0, or -1 with why.
 */
int locks_scan(const char *dir, struct lock_info **out, size_t *n, char *why, size_t wsz);
/* The planner's view of what others hold, from a scan (our own pid is left out). */
void locks_held_view(const struct lock_info *li, size_t n, struct plan_held *h);
/* "pid 123 (ktstr) holds LLC 0 exclusively, CPUs 0-7 exclusively; ..." */
void locks_describe_holders(const struct lock_info *li, size_t n, char *buf, size_t sz);

/*
 * Discover -> plan -> acquire, retried a few times with short increasing sleeps, then
 * until wait_ms has passed (0: no waiting). KTSTR_NO_LOCKS=1 plans against an idle host
 * and takes no lock (with a warning). Returns KT_EXIT_PASS with ls holding the locks,
 * KT_EXIT_SKIP (never satisfiable, or busy: the reason and the holders printed), or
 * KT_EXIT_INFRA.
 */
int locks_reserve(const struct hosttopo *t, const struct plan_req *req, int64_t wait_ms,
		  struct plan *p, struct lockset *ls);

/*
 * For 'ktstr run': reads this host's topology, checks --cpu-cap against the usable CPUs
 * (KT_EXIT_USAGE), then locks_reserve(). With verbose, prints the plan.
 */
int locks_reserve_run(const struct topology *vt, int perf, unsigned cpu_cap, int64_t wait_ms,
		      int verbose, struct plan *p, struct lockset *ls);

#endif
