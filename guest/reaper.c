// SPDX-License-Identifier: GPL-2.0-only
/*
 * PID 1 inherits every orphan. The init's own children (workers, the scheduler) are reaped
 * by the code that forked them, which needs their exit status, so a blanket waitpid(-1)
 * would steal it. Instead the forking code registers its children here, and reaper_poll()
 * reaps the zombies among our children that nobody registered: the orphans.
 */
#include "init.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t *owned;
static size_t nowned, capowned;
static unsigned long orphans_reaped;

void reaper_own(pid_t pid)
{
	if (nowned == capowned) {
		size_t cap = capowned ? capowned * 2 : 64;
		pid_t *more = realloc(owned, cap * sizeof(*more));

		/* Untracked, an owned child could be reaped as an orphan: its owner then sees
		 * ECHILD and reports the worker as lost, which is still reported, not silent. */
		if (!more)
			return;
		owned = more;
		capowned = cap;
	}
	owned[nowned++] = pid;
}

void reaper_disown(pid_t pid)
{
	for (size_t i = 0; i < nowned; i++)
		if (owned[i] == pid) {
			owned[i] = owned[--nowned];
			return;
		}
}

static int is_owned(pid_t pid)
{
	for (size_t i = 0; i < nowned; i++)
		if (owned[i] == pid)
			return 1;
	return 0;
}

/* From /proc/PID/stat: "pid (comm) state ppid ...". comm may hold spaces and parens. */
static int zombie_child_of_init(pid_t pid)
{
	char path[64], buf[512], *p, state;
	int ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_text(path, buf, sizeof(buf)) <= 0)
		return 0;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d", &state, &ppid) != 2)
		return 0;
	return state == 'Z' && ppid == (int)getpid();
}

void reaper_poll(void)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		pid_t pid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = (pid_t)atoi(de->d_name);
		if (is_owned(pid) || !zombie_child_of_init(pid))
			continue;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			orphans_reaped++;
	}
	closedir(d);
}

unsigned long reaper_count(void)
{
	return orphans_reaped;
}
