// SPDX-License-Identifier: GPL-2.0-only
#include "include.h"
#include "util.h"

#include <errno.h>
#include <fts.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A bare name (no '/') is looked up in $PATH like a shell would, then in the current directory. */
static int find_in_path(const char *name, char *out, size_t sz)
{
	const char *path = getenv("PATH");
	char *copy, *save, *dir;
	int found = -1;

	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		snprintf(out, sz, "%s", name);
		return 0;
	}
	copy = strdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	if (!copy)
		return -1;
	for (dir = strtok_r(copy, ":", &save); dir && found < 0; dir = strtok_r(NULL, ":", &save)) {
		if ((size_t)snprintf(out, sz, "%s/%s", *dir ? dir : ".", name) >= sz)
			continue;
		if (access(out, X_OK) == 0)
			found = 0;
	}
	free(copy);
	if (found < 0 && access(name, F_OK) == 0) {
		snprintf(out, sz, "%s", name);
		found = 0;
	}
	return found;
}

int include_parse(const char *arg, const char *default_dir, struct include *inc)
{
	char host[4096];
	const char *colon = strchr(arg, ':');
	size_t hl = colon ? (size_t)(colon - arg) : strlen(arg);
	const char *base;
	struct stat st;
	size_t gl;

	memset(inc, 0, sizeof(*inc));
	if (!hl || hl >= sizeof(host) || (colon && colon[1] != '/')) {
		kt_err("-i: '%s' is not PATH or PATH:/GUEST/PATH", arg);
		return -1;
	}
	memcpy(host, arg, hl);
	host[hl] = '\0';
	if (find_in_path(host, inc->host, sizeof(inc->host)) < 0) {
		kt_err("-i: '%s' not found (not a path, and not in $PATH)", host);
		return -1;
	}
	if (stat(inc->host, &st) < 0) {
		kt_err("-i: %s: %s", inc->host, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
		kt_err("-i: %s is neither a regular file nor a directory", inc->host);
		return -1;
	}
	inc->dir = S_ISDIR(st.st_mode);
	/* Trailing slashes would leave an empty name. */
	for (size_t n = strlen(inc->host); n > 1 && inc->host[n - 1] == '/'; n--)
		inc->host[n - 1] = '\0';
	base = strrchr(inc->host, '/');
	base = base && base[1] ? base + 1 : inc->host;
	if ((size_t)(colon ? snprintf(inc->guest, sizeof(inc->guest), "%s", colon + 1)
		     : snprintf(inc->guest, sizeof(inc->guest), "%s/%s", default_dir, base)) >=
	    sizeof(inc->guest)) {
		kt_err("-i: '%s': the guest path is too long", arg);
		return -1;
	}
	gl = strlen(inc->guest);
	while (gl > 1 && inc->guest[gl - 1] == '/')
		inc->guest[--gl] = '\0';
	if (!strcmp(inc->guest, "/")) {
		kt_err("-i: '%s': GUEST_PATH cannot be /", arg);
		return -1;
	}
	return 0;
}

int initrd_list_add(struct initrd_list *l, const char *path, const char *host, const void *data,
		    size_t len, int mode)
{
	struct initrd_entry *e;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct initrd_entry *ne = realloc(l->e, cap * sizeof(*ne));

		if (!ne)
			return -1;
		l->e = ne;
		l->cap = cap;
	}
	e = &l->e[l->n];
	*e = (struct initrd_entry){ .data = data, .len = len, .mode = mode };
	e->path = strdup(path);
	e->host = host ? strdup(host) : NULL;
	if (!e->path || (host && !e->host)) {
		free((char *)e->path);
		free((char *)e->host);
		return -1;
	}
	l->n++;
	return 0;
}

void initrd_list_free(struct initrd_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((char *)l->e[i].path);
		free((char *)l->e[i].host);
	}
	free(l->e);
	memset(l, 0, sizeof(*l));
}

/*
 * A directory's regular files (symlinks followed) at the same places under guest. Other
 * kinds of file (devices, sockets) make no sense in a fresh VM and are skipped.
 */
static int add_dir(struct initrd_list *l, struct include *inc)
{
	char *const roots[] = { inc->host, NULL };
	char guest[8192];
	FTSENT *f;
	FTS *fts = fts_open(roots, FTS_LOGICAL | FTS_NOCHDIR, NULL);
	int ret = 0;

	if (!fts) {
		kt_err("-i: reading directory %s: %s", inc->host, strerror(errno));
		return -1;
	}
	while (ret == 0) {
		errno = 0;
		f = fts_read(fts);
		if (!f) {	/* the end, or a failure with errno set */
			if (errno) {
				kt_err("-i: reading directory %s: %s", inc->host, strerror(errno));
				ret = -1;
			}
			break;
		}
		if (f->fts_info == FTS_DNR || f->fts_info == FTS_ERR) {
			kt_err("-i: reading %s: %s", f->fts_path, strerror(f->fts_errno));
			ret = -1;
		} else if (f->fts_info == FTS_DC) {
			kt_err("-i: %s: a directory loop", f->fts_path);
			ret = -1;
		} else if (f->fts_info == FTS_F) {
			if ((size_t)snprintf(guest, sizeof(guest), "%s%s", inc->guest,
					     f->fts_path + strlen(inc->host)) >= sizeof(guest)) {
				kt_err("-i: %s: the guest path is too long", f->fts_path);
				ret = -1;
			} else if (initrd_list_add(l, guest, f->fts_path, NULL, 0, -1) < 0) {
				kt_err("out of memory listing %s", inc->host);
				ret = -1;
			} else {
				inc->nfiles++;
			}
		}
	}
	fts_close(fts);
	return ret;
}

int include_add(struct initrd_list *l, struct include *inc)
{
	if (inc->dir)
		return add_dir(l, inc);
	if (initrd_list_add(l, inc->guest, inc->host, NULL, 0, -1) < 0) {
		kt_err("out of memory");
		return -1;
	}
	return 0;
}
