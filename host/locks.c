// SPDX-License-Identifier: GPL-2.0-only
#include "locks.h"
#include "proclocks.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define QUICK_TRIES 5		/* sleeps 10, 20, 40, 80 ms (+ jitter) between them */
#define MAX_SLEEP_MS 250	/* while --wait-locks waits */

const char *locks_dir(void)
{
	const char *d = getenv("KTSTR_LOCK_DIR");

	return d && *d ? d : "/tmp";
}

void locks_path(const char *dir, char kind, unsigned idx, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s/ktstr-%s-%u.lock", dir, kind == 'l' ? "llc" : "cpu", idx);
}

/*
 * Opens (creating if needed) a lock file without following a symlink planted in a shared
 * directory; it must be a regular file.
 */
static int open_lock(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);

	if (fd < 0 && errno == EACCES)	/* fs.protected_regular: another user's file */
		fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		kt_err("opening lock file %s: %s%s", path, strerror(errno),
		       errno == ELOOP ? " (a symlink: refusing to follow it)" : "");
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		kt_err("fstat lock file %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		kt_err("lock file %s is not a regular file", path);
		close(fd);
		return -1;
	}
	return fd;
}

static int cmp_lock(const void *a, const void *b)
{
	const struct plan_lock *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind == 'l' ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int locks_acquire(const char *dir, const struct plan *p, struct lockset *ls)
{
	struct plan_lock sorted[PLAN_MAX_LOCKS];
	char path[PATH_MAX];

	ls->n = 0;
	/* One global order (LLCs, then CPUs, ascending) so peers collide early and cheaply. */
	memcpy(sorted, p->locks, p->nlocks * sizeof(sorted[0]));
	qsort(sorted, p->nlocks, sizeof(sorted[0]), cmp_lock);
	for (unsigned i = 0; i < p->nlocks; i++) {
		int fd;

		locks_path(dir, sorted[i].kind, sorted[i].idx, path, sizeof(path));
		fd = open_lock(path);
		if (fd < 0) {
			locks_release(ls);
			return -1;
		}
		if (flock(fd, (sorted[i].excl ? LOCK_EX : LOCK_SH) | LOCK_NB) < 0) {
			int e = errno;

			close(fd);
			locks_release(ls);
			if (e == EWOULDBLOCK)
				return 1;
			kt_err("flock %s: %s", path, strerror(e));
			return -1;
		}
		ls->fd[ls->n++] = fd;
	}
	return 0;
}

void locks_release(struct lockset *ls)
{
	/* Closing the only descriptor of each open file drops its flock. */
	for (unsigned i = 0; i < ls->n; i++)
		close(ls->fd[i]);
	ls->n = 0;
}

static int cmp_info(const void *a, const void *b)
{
	const struct lock_info *x = a, *y = b;

	if (x->kind != y->kind)
		return x->kind == 'l' ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

int locks_scan(const char *dir, struct lock_info **out, size_t *n, char *why, size_t wsz)
{
	char real[PATH_MAX], w[256];
	struct lock_info *v = NULL;
	unsigned long long *inos = NULL;
	struct proclock *pl = NULL;
	size_t cnt = 0, cap = 0, npl = 0, len;
	unsigned maj = 0, min = 0, smaj = 0, smin = 0;
	char *mi, *text;
	struct dirent *d;
	DIR *dp;
	int have_dev = 0;

	*out = NULL;
	*n = 0;
	if (!realpath(dir, real)) {
		snprintf(why, wsz, "lock directory %s: %s", dir, strerror(errno));
		return -1;
	}
	dp = opendir(real);
	if (!dp) {
		snprintf(why, wsz, "reading lock directory %s: %s", real, strerror(errno));
		return -1;
	}
	while ((d = readdir(dp))) {
		unsigned idx;
		char kind[4], tail[8];
		struct stat st;

		if (sscanf(d->d_name, "ktstr-%3[a-z]-%u.%7s", kind, &idx, tail) != 3 ||
		    strcmp(tail, "lock") || (strcmp(kind, "llc") && strcmp(kind, "cpu")))
			continue;
		if (fstatat(dirfd(dp), d->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (cnt == cap) {
			struct lock_info *nv;
			unsigned long long *ni;

			cap = cap ? cap * 2 : 64;
			nv = realloc(v, cap * sizeof(*v));
			if (nv)
				v = nv;
			ni = realloc(inos, cap * sizeof(*inos));
			if (ni)
				inos = ni;
			if (!nv || !ni) {
				snprintf(why, wsz, "out of memory scanning %s", real);
				closedir(dp);
				free(v);
				free(inos);
				return -1;
			}
		}
		memset(&v[cnt], 0, sizeof(v[cnt]));
		v[cnt].kind = kind[0] == 'l' ? 'l' : 'c';
		v[cnt].idx = idx;
		inos[cnt] = st.st_ino;
		if (!have_dev) {	/* stat's device, unless mountinfo knows better below */
			maj = smaj = major(st.st_dev);
			min = smin = minor(st.st_dev);
			have_dev = 1;
		}
		cnt++;
	}
	closedir(dp);

	mi = kt_read_file("/proc/self/mountinfo", 4 << 20, &len);
	if (mi) {
		mountinfo_dev_of(mi, real, &maj, &min);
		free(mi);
	}
	text = cnt ? kt_read_file("/proc/locks", 64 << 20, &len) : NULL;
	if (cnt && !text) {
		snprintf(why, wsz, "reading /proc/locks: %s", strerror(errno));
		free(v);
		free(inos);
		return -1;
	}
	/*
	 * A /proc/locks this parser does not understand costs the holder names, not the run:
	 * flock itself still keeps reservations apart.
	 */
	if (text && proclocks_parse(text, &pl, &npl, w, sizeof(w)) < 0) {
		kt_note("warning: %s; cannot tell who holds host CPUs", w);
		pl = NULL;
		npl = 0;
	}
	free(text);
	for (size_t i = 0; i < npl; i++) {
		/* The superblock's device; stat's too, for filesystems (overlayfs) that differ. */
		if ((pl[i].maj != maj || pl[i].min != min) && (pl[i].maj != smaj || pl[i].min != smin))
			continue;
		for (size_t k = 0; k < cnt; k++) {
			struct lock_info *li = &v[k];

			if (inos[k] != pl[i].ino || li->nholders == LOCK_MAX_HOLDERS)
				continue;
			li->h[li->nholders].pid = pl[i].pid;
			li->h[li->nholders].write = pl[i].write;
			proc_comm(pl[i].pid, li->h[li->nholders].comm, sizeof(li->h[0].comm));
			li->nholders++;
		}
	}
	free(pl);
	free(inos);
	if (cnt)
		qsort(v, cnt, sizeof(*v), cmp_info);
	*out = v;
	*n = cnt;
	return 0;
}

void locks_held_view(const struct lock_info *li, size_t n, struct plan_held *h)
{
	pid_t self = getpid();

	memset(h, 0, sizeof(*h));
	for (size_t i = 0; i < n; i++) {
		for (unsigned k = 0; k < li[i].nholders; k++) {
			const struct lock_holder *x = &li[i].h[k];

			if (x->pid == self)
				continue;
			if (li[i].kind == 'l' && li[i].idx < HT_MAX_LLCS) {
				if (x->write)
					h->llc_excl[li[i].idx] = 1;
				else
					h->llc_shared[li[i].idx]++;
			} else if (li[i].kind == 'c' && li[i].idx < KT_MAX_CPUS) {
				if (x->write)
					cpuset_set(&h->cpu_excl, li[i].idx);
				else
					h->cpu_shared[li[i].idx]++;
			}
		}
	}
}

void locks_describe_holders(const struct lock_info *li, size_t n, char *buf, size_t sz)
{
	pid_t seen[64];
	unsigned nseen = 0;
	size_t o = 0;

#define OUT(...) (o += (size_t)snprintf(buf + (o < sz ? o : sz), o < sz ? sz - o : 0, __VA_ARGS__))
	if (sz)
		buf[0] = '\0';
	for (size_t i = 0; i < n; i++)
		for (unsigned k = 0; k < li[i].nholders; k++) {
			pid_t pid = li[i].h[k].pid;
			int dup = 0;

			for (unsigned s = 0; s < nseen; s++)
				dup |= seen[s] == pid;
			if (dup || nseen == 64)
				continue;
			seen[nseen++] = pid;
			OUT("%spid %d (%s) holds", nseen > 1 ? "; " : "", (int)pid, li[i].h[k].comm);
			/* Everything this pid holds, as LLC and CPU lists, by mode. */
			for (int kind = 0; kind < 2; kind++)
				for (int wr = 1; wr >= 0; wr--) {
					struct cpuset set;
					char cl[1024];

					cpuset_zero(&set);
					for (size_t j = 0; j < n; j++)
						for (unsigned m = 0; m < li[j].nholders; m++)
							if (li[j].h[m].pid == pid &&
							    li[j].h[m].write == wr &&
							    li[j].kind == (kind ? 'c' : 'l'))
								cpuset_set(&set, li[j].idx);
					if (!cpuset_count(&set))
						continue;
					cpulist_format(&set, cl, sizeof(cl));
					OUT(" %s %s %s", kind ? "CPU" : "LLC", cl,
					    wr ? "exclusively" : "shared");
				}
		}
#undef OUT
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int locks_reserve(const struct hosttopo *t, const struct plan_req *req, int64_t wait_ms,
		  struct plan *p, struct lockset *ls)
{
	const char *dir = locks_dir();
	const char *nolocks = getenv("KTSTR_NO_LOCKS");
	uint64_t deadline = kt_now_ms() + (uint64_t)(wait_ms > 0 ? wait_ms : 0);
	char why[512], holders[2048];
	unsigned sleep = 10;

	ls->n = 0;
	if (nolocks && !strcmp(nolocks, "1")) {
		kt_note("KTSTR_NO_LOCKS=1: reserving no host CPUs; other ktstr runs may share them");
		if (plan_make(t, req, NULL, p, why, sizeof(why)) != PLAN_OK) {
			kt_note("skipped: %s", why);
			return KT_EXIT_SKIP;
		}
		return KT_EXIT_PASS;
	}
	for (unsigned attempt = 0;; attempt++) {
		struct lock_info *li;
		struct plan_held held;
		enum plan_result r;
		size_t n;
		int a;

		if (locks_scan(dir, &li, &n, why, sizeof(why)) < 0) {
			kt_err("finding who holds host CPUs: %s", why);
			return KT_EXIT_INFRA;
		}
		locks_held_view(li, n, &held);
		r = plan_make(t, req, &held, p, why, sizeof(why));
		if (r == PLAN_NEVER) {
			free(li);
			kt_note("skipped: this host can never run it: %s", why);
			return KT_EXIT_SKIP;
		}
		if (r == PLAN_OK) {
			a = locks_acquire(dir, p, ls);
			if (a == 0) {
				free(li);
				return KT_EXIT_PASS;
			}
			if (a < 0) {
				free(li);
				return KT_EXIT_INFRA;
			}
			snprintf(why, sizeof(why), "a lock was taken by another ktstr run meanwhile");
		}
		free(li);
		if (attempt + 1 >= QUICK_TRIES && kt_now_ms() >= deadline)
			break;
		/* Jitter keeps peers that collided from colliding again in step. */
		sleep_ms(sleep + (unsigned)(getpid() % 7) * 2);
		sleep = sleep * 2 > MAX_SLEEP_MS ? MAX_SLEEP_MS : sleep * 2;
	}
	{	/* who holds them now, not at the last plan: a racing peer shows up here */
		struct lock_info *li;
		size_t n;

		if (locks_scan(dir, &li, &n, holders, sizeof(holders)) == 0) {
			locks_describe_holders(li, n, holders, sizeof(holders));
			free(li);
		} else {
			holders[0] = '\0';
		}
	}
	kt_note("skipped: host CPUs busy%s: %s%s%s", wait_ms > 0 ? " after --wait-locks" : "",
		why, holders[0] ? "; " : "", holders);
	return KT_EXIT_SKIP;
}

int locks_reserve_run(const struct topology *vt, int perf, unsigned cpu_cap, int64_t wait_ms,
		      int verbose, struct plan *p, struct lockset *ls)
{
	struct plan_req req = { perf ? PLAN_PERF : PLAN_DEFAULT, *vt, cpu_cap };
	struct hosttopo *t = malloc(sizeof(*t));
	char why[512], desc[4096];
	int ret;

	ls->n = 0;
	if (!t) {
		kt_err("out of memory for the host topology");
		return KT_EXIT_INFRA;
	}
	if (hosttopo_read("/sys", NULL, t, why, sizeof(why)) < 0) {
		kt_err("reading the host topology: %s", why);
		free(t);
		return KT_EXIT_INFRA;
	}
	if (cpu_cap > t->nusable) {
		char cl[1024];

		cpulist_format(&t->usable, cl, sizeof(cl));
		kt_err("--cpu-cap %u: this process may use only %u CPUs (%s)", cpu_cap, t->nusable,
		       cl);
		free(t);
		return KT_EXIT_USAGE;
	}
	ret = locks_reserve(t, &req, wait_ms, p, ls);
	if (ret == KT_EXIT_PASS) {
		if (p->note[0])
			kt_note("%s", p->note);
		if (verbose) {
			char *line, *save = NULL;

			plan_describe(t, p, desc, sizeof(desc));
			for (line = strtok_r(desc, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
				kt_note("plan: %s", line);
		}
	}
	free(t);
	return ret;
}
