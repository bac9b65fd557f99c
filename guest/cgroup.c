// SPDX-License-Identifier: GPL-2.0-only
/*
 * The job's cgroup tree: /sys/fs/cgroup/ktstr/<group> per group, with +cpuset +cpu enabled
 * on the parents, and each group's cpuset.cpus, cpuset.mems and cpu.weight. What the kernel
 * made of it (the effective values) goes to the host as GROUP frames.
 */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CG_ROOT "/sys/fs/cgroup"
#define CG_TOP CG_ROOT "/ktstr"

/* Returns 0 or an errno. */
static int write_str(const char *path, const char *val)
{
	size_t len = strlen(val);
	ssize_t n;
	int fd = open(path, O_WRONLY | O_CLOEXEC), err;

	if (fd < 0)
		return errno;
	do
		n = write(fd, val, len);
	while (n < 0 && errno == EINTR);
	err = n == (ssize_t)len ? 0 : n < 0 ? errno : EIO;
	close(fd);
	return err;
}

static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return 1;
	return 0;
}

/* Enables a controller for dir's children; fails only if the job needs it. */
static int enable(const char *dir, const char *ctrl, int needed)
{
	char path[256], avail[256], val[32];
	int err;

	snprintf(path, sizeof(path), "%s/cgroup.controllers", dir);
	read_line(path, avail, sizeof(avail));
	if (!has_word(avail, ctrl)) {
		if (!needed)
			return 0;
		report_error("cgroups", "enable", path, ENOTSUP,
			     "the job needs the %s controller; %s offers '%s'", ctrl, dir, avail);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", dir);
	snprintf(val, sizeof(val), "+%s", ctrl);
	err = write_str(path, val);
	if (err && needed) {
		report_error("cgroups", "write", path, err, "enabling %s", val);
		return -1;
	}
	return 0;
}

static int set(const char *dir, const char *file, const char *val)
{
	char path[256];
	int err;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	err = write_str(path, val);
	if (err)
		report_error("cgroups", "write", path, err, "setting %s to %s", file, val);
	return err ? -1 : 0;
}

static void group_dir(const struct kt_group *g, char *buf, size_t sz)
{
	snprintf(buf, sz, "%s/%s", CG_TOP, g->name);
}

int cgroup_setup(const struct kt_job *j)
{
	int need_cpuset = 0, need_cpu = 0;

	for (uint32_t i = 0; i < j->ngroups; i++) {
		need_cpuset |= j->groups[i].cpus[0] || j->groups[i].mems[0];
		need_cpu |= j->groups[i].cpu_weight != 0;
	}
	if (mkdir(CG_TOP, 0755) && errno != EEXIST) {
		report_error("cgroups", "mkdir", CG_TOP, errno, "creating the job's cgroup");
		return -1;
	}
	if (enable(CG_ROOT, "cpuset", need_cpuset) || enable(CG_ROOT, "cpu", need_cpu) ||
	    enable(CG_TOP, "cpuset", need_cpuset) || enable(CG_TOP, "cpu", need_cpu))
		return -1;
	for (uint32_t i = 0; i < j->ngroups; i++) {
		const struct kt_group *g = &j->groups[i];
		struct kt_group_info gi = { .group = i, .workers = g->workers };
		char dir[192], path[256], val[32];

		group_dir(g, dir, sizeof(dir));
		if (mkdir(dir, 0755) && errno != EEXIST) {
			report_error("cgroups", "mkdir", dir, errno, "creating group %s", g->name);
			return -1;
		}
		snprintf(val, sizeof(val), "%u", g->cpu_weight);
		if ((g->cpus[0] && set(dir, "cpuset.cpus", g->cpus)) ||
		    (g->mems[0] && set(dir, "cpuset.mems", g->mems)) ||
		    (g->cpu_weight && set(dir, "cpu.weight", val)))
			return -1;
		/* Report what the kernel made of it, not what was asked for. */
		snprintf(gi.cgroup, sizeof(gi.cgroup), "/ktstr/%.60s", g->name);
		snprintf(path, sizeof(path), "%s/cpuset.cpus.effective", dir);
		read_line(path, gi.cpus, sizeof(gi.cpus));
		snprintf(path, sizeof(path), "%s/cpuset.mems.effective", dir);
		read_line(path, gi.mems, sizeof(gi.mems));
		snprintf(path, sizeof(path), "%s/cpu.weight", dir);
		read_line(path, val, sizeof(val));
		gi.cpu_weight = (uint32_t)strtoul(val, NULL, 10);
		report_group(&gi);
	}
	return 0;
}

int cgroup_enter(const struct kt_group *g, pid_t pid)
{
	char dir[192], path[256], val[24];
	int err;

	group_dir(g, dir, sizeof(dir));
	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(val, sizeof(val), "%d", (int)pid);
	err = write_str(path, val);
	if (err)
		report_error("cgroups", "write", path, err, "moving pid %d into group %s", (int)pid,
			     g->name);
	return err ? -1 : 0;
}
