// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lock files for real: flock in a temp directory, holders read back from /proc/locks,
 * all-or-nothing acquisition against a holder in another process, the retry loop.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>

#include "sysfs_fixture.h"
#include "../../host/locks.h"
#include "../../host/util.h"

static char dir[] = "/tmp/ktstr-locktest.XXXXXX";
static struct hosttopo topo;	/* 1 node x 4 LLCs x 4 CPUs */
static struct plan p;
static struct lockset ls;

static int setup(void **state)
{
	char *root, why[512];

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	setenv("KTSTR_LOCK_DIR", dir, 1);
	unsetenv("KTSTR_NO_LOCKS");
	root = fx_make(&(struct fx_host){ .nodes = 1, .llcs_per_node = 4, .cpus_per_llc = 4 });
	if (hosttopo_load(root, &topo, why, sizeof(why)) < 0)
		fail_msg("%s", why);
	fx_free(root);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nftw(dir, fx_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/*
 * A child that flocks the given files (mode per file) and holds them until killed, or for
 * hold_ms. Returns once it holds them.
 */
static pid_t holder(const char *const *names, const int *ops, int hold_ms)
{
	int sync[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(sync), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char path[4200];

		for (int i = 0; names[i]; i++) {
			int fd;

			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			fd = open(path, O_RDONLY | O_CREAT, 0644);
			if (fd < 0 || flock(fd, ops[i] | LOCK_NB) < 0)
				_exit(1);
		}
		if (write(sync[1], "x", 1) != 1)
			_exit(1);
		if (hold_ms)
			usleep((useconds_t)hold_ms * 1000);
		else
			pause();
		_exit(0);
	}
	close(sync[1]);
	assert_int_equal(read(sync[0], &c, 1), 1);
	close(sync[0]);
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static enum plan_result make(enum plan_mode m, const char *shape, const struct plan_held *h)
{
	struct plan_req r = { m, { 0, 0, 0, 0 }, 0 };
	char why[512];

	assert_int_equal(topology_parse(shape, &r.vtopo, why, sizeof(why)), 0);
	return plan_make(&topo, &r, h, &p, why, sizeof(why));
}

/* Holders of kind/idx in a fresh scan: a bitmask 1 = pid me exclusive, 2 = me shared, 4 other */
static int scan_of(char kind, unsigned idx)
{
	struct lock_info *li;
	size_t n;
	char why[512];
	int m = 0;

	assert_int_equal(locks_scan(dir, &li, &n, why, sizeof(why)), 0);
	for (size_t i = 0; i < n; i++)
		if (li[i].kind == kind && li[i].idx == idx)
			for (unsigned k = 0; k < li[i].nholders; k++)
				m |= li[i].h[k].pid == getpid() ? (li[i].h[k].write ? 1 : 2) : 4;
	free(li);
	return m;
}

static void test_acquire_and_scan(void **state)
{
	struct lock_info *li;
	struct plan_held h;
	size_t n;
	char why[512];

	(void)state;
	assert_int_equal(make(PLAN_PERF, "1n1l2c1t", NULL), PLAN_OK);
	assert_int_equal(locks_acquire(dir, &p, &ls), 0);
	assert_int_equal(ls.n, 1 + 3);	/* LLC 0, CPUs 0-2 (2 is the service CPU) */
	assert_int_equal(scan_of('l', 0), 1);
	assert_int_equal(scan_of('c', 2), 1);
	assert_int_equal(scan_of('c', 3), 0);
	/* our own locks are not "held by others" */
	assert_int_equal(locks_scan(dir, &li, &n, why, sizeof(why)), 0);
	locks_held_view(li, n, &h);
	assert_int_equal(h.llc_excl[0], 0);
	free(li);
	locks_release(&ls);
	assert_int_equal(ls.n, 0);
	assert_int_equal(scan_of('l', 0), 0);
}

static void test_all_or_nothing(void **state)
{
	pid_t child = holder((const char *const[]){ "ktstr-cpu-2.lock", NULL },
			     (const int[]){ LOCK_EX }, 0);
	struct lock_info *li;
	struct plan_held h;
	char why[512], desc[1024];
	size_t n;

	(void)state;
	/* planned without looking: the third lock is busy, so none is kept */
	assert_int_equal(make(PLAN_PERF, "1n1l2c1t", NULL), PLAN_OK);
	assert_int_equal(locks_acquire(dir, &p, &ls), 1);
	assert_int_equal(ls.n, 0);
	assert_int_equal(scan_of('l', 0), 0);
	assert_int_equal(scan_of('c', 0), 0);
	assert_int_equal(scan_of('c', 2), 4);
	/* looking first: LLC 0 has a busy CPU, so the plan moves to LLC 1 */
	assert_int_equal(locks_scan(dir, &li, &n, why, sizeof(why)), 0);
	locks_held_view(li, n, &h);
	assert_true(cpuset_has(&h.cpu_excl, 2));
	locks_describe_holders(li, n, desc, sizeof(desc));
	free(li);
	snprintf(why, sizeof(why), "pid %d (test_locks) holds CPU 2 exclusively", (int)child);
	assert_string_equal(desc, why);
	assert_int_equal(make(PLAN_PERF, "1n1l2c1t", &h), PLAN_OK);
	assert_int_equal(p.llc[0], 1);
	assert_int_equal(locks_acquire(dir, &p, &ls), 0);
	locks_release(&ls);
	reap(child);
	/* the dead holder's lock is gone */
	assert_int_equal(scan_of('c', 2), 0);
}

static void test_shared(void **state)
{
	pid_t child = holder((const char *const[]){ "ktstr-llc-3.lock", "ktstr-cpu-12.lock", NULL },
			     (const int[]){ LOCK_SH, LOCK_SH }, 0);
	struct plan_held h;
	struct lock_info *li;
	size_t n;
	char why[512];

	(void)state;
	assert_int_equal(locks_scan(dir, &li, &n, why, sizeof(why)), 0);
	locks_held_view(li, n, &h);
	free(li);
	assert_int_equal(h.llc_shared[3], 1);
	/* a default run joins the shared LLC, on the CPUs the other one does not use */
	assert_int_equal(make(PLAN_DEFAULT, "1n1l2c1t", &h), PLAN_OK);
	assert_int_equal(p.llc[0], 3);
	assert_int_equal(locks_acquire(dir, &p, &ls), 0);
	assert_int_equal(scan_of('l', 3), 2 | 4);
	locks_release(&ls);
	/* an exclusive plan on it is refused by the kernel */
	assert_int_equal(make(PLAN_PERF, "1n4l1c1t", NULL), PLAN_OK);
	assert_int_equal(locks_acquire(dir, &p, &ls), 1);
	reap(child);
}

static void test_reserve(void **state)
{
	struct plan_req perf4 = { PLAN_PERF, { 1, 4, 2, 1 }, 0 };
	struct plan_req never = { PLAN_PERF, { 1, 5, 1, 1 }, 0 };
	pid_t child;
	uint64_t t0;

	(void)state;
	assert_int_equal(locks_reserve(&topo, &never, 0, &p, &ls), KT_EXIT_SKIP);
	assert_int_equal(locks_reserve(&topo, &perf4, 0, &p, &ls), KT_EXIT_PASS);
	locks_release(&ls);
	/* busy: skipped after the quick retries */
	child = holder((const char *const[]){ "ktstr-llc-1.lock", NULL }, (const int[]){ LOCK_SH },
		       0);
	assert_int_equal(locks_reserve(&topo, &perf4, 0, &p, &ls), KT_EXIT_SKIP);
	assert_int_equal(ls.n, 0);
	reap(child);
	/* --wait-locks: the holder lets go after 300 ms */
	child = holder((const char *const[]){ "ktstr-llc-1.lock", NULL }, (const int[]){ LOCK_EX },
		       300);
	t0 = kt_now_ms();
	assert_int_equal(locks_reserve(&topo, &perf4, 20000, &p, &ls), KT_EXIT_PASS);
	assert_true(kt_now_ms() - t0 >= 200);
	locks_release(&ls);
	waitpid(child, NULL, 0);
	/* KTSTR_NO_LOCKS=1: planned, nothing taken */
	child = holder((const char *const[]){ "ktstr-llc-0.lock", NULL }, (const int[]){ LOCK_EX },
		       0);
	setenv("KTSTR_NO_LOCKS", "1", 1);
	assert_int_equal(locks_reserve(&topo, &perf4, 0, &p, &ls), KT_EXIT_PASS);
	assert_int_equal(ls.n, 0);
	unsetenv("KTSTR_NO_LOCKS");
	reap(child);
}

static void test_symlink(void **state)
{
	char link[4200], target[4200];

	(void)state;
	snprintf(link, sizeof(link), "%s/ktstr-cpu-15.lock", dir);
	snprintf(target, sizeof(target), "%s/victim", dir);
	unlink(link);	/* an earlier test may have made the real file */
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(make(PLAN_DEFAULT, "1n1l1c1t", NULL), PLAN_OK);
	p.locks[0] = (struct plan_lock){ 'c', 15, 0 };
	p.nlocks = 1;
	assert_int_equal(locks_acquire(dir, &p, &ls), -1);
	assert_int_equal(access(target, F_OK), -1);	/* not created through the link */
	unlink(link);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_acquire_and_scan),
		cmocka_unit_test(test_all_or_nothing),
		cmocka_unit_test(test_shared),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_symlink),
	};
	return cmocka_run_group_tests_name("locks", tests, setup, teardown);
}
