// SPDX-License-Identifier: GPL-2.0-only
#include "scx.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int scx_built_dir(char *buf, size_t sz)
{
	const char *c = getenv("KTSTR_CACHE_DIR"), *x = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	int n;

	/* The same order as host/kernel-build.sh. */
	if (c && *c)
		n = snprintf(buf, sz, "%s/kernels-built", c);
	else if (x && *x)
		n = snprintf(buf, sz, "%s/ktstr/kernels-built", x);
	else if (home && *home)
		n = snprintf(buf, sz, "%s/.cache/ktstr/kernels-built", home);
	else
		return -1;
	return n > 0 && (size_t)n < sz ? 0 : -1;
}

int scx_find(const char *name, char *path, size_t psz, char *kernel, size_t ksz)
{
	char dir[4096], p[8192], k[8192];
	struct dirent *de;
	struct stat st;
	time_t best = 0;
	int found = -1;
	DIR *d;

	if (!*name || strchr(name, '/') || name[0] == '.')
		return -1;
	if (scx_built_dir(dir, sizeof(dir)) < 0 || !(d = opendir(dir)))
		return -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		/* .ktstr-vmlinuz is written last before the entry is published by rename. */
		snprintf(k, sizeof(k), "%s/%s/.ktstr-vmlinuz", dir, de->d_name);
		if (stat(k, &st) < 0 || (found == 0 && st.st_mtime <= best))
			continue;
		snprintf(p, sizeof(p), "%s/%s/scx/%s", dir, de->d_name, name);
		if (access(p, X_OK))
			continue;
		snprintf(k, sizeof(k), "%s/%s/bzImage", dir, de->d_name);
		if ((size_t)snprintf(path, psz, "%s", p) >= psz ||
		    (size_t)snprintf(kernel, ksz, "%s", k) >= ksz)
			continue;
		best = st.st_mtime;
		found = 0;
	}
	closedir(d);
	return found;
}

int scx_kernel_for(const char *sched_path, char *kernel, size_t ksz)
{
	char dir[4096];
	const char *rest, *slash;
	size_t len;
	int n;

	if (scx_built_dir(dir, sizeof(dir)) < 0)
		return -1;
	len = strlen(dir);
	/* <dir>/<key>/scx/<name> */
	if (strncmp(sched_path, dir, len) || sched_path[len] != '/')
		return -1;
	rest = sched_path + len + 1;
	slash = strchr(rest, '/');
	if (!slash || strncmp(slash, "/scx/", 5) || strchr(slash + 5, '/'))
		return -1;
	n = snprintf(kernel, ksz, "%s/%.*s/bzImage", dir, (int)(slash - rest), rest);
	return n > 0 && (size_t)n < ksz && access(kernel, R_OK) == 0 ? 0 : -1;
}
