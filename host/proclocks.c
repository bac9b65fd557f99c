// SPDX-License-Identifier: GPL-2.0-only
#include "proclocks.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A line looks like
 *   1: FLOCK  ADVISORY  WRITE 5713 fe:00:10953088 0 EOF
 *   2: POSIX  ADVISORY  READ 812 00:1a:4242 0 EOF
 *   3: OFDLCK ADVISORY  WRITE -1 08:01:1234 0 EOF
 *   1: -> FLOCK  ADVISORY  WRITE 5714 fe:00:10953088 0 EOF     (a waiter)
 * and the device is hexadecimal.
 */
static int parse_line(const char *line, struct proclock *l, int *waiter)
{
	char kind[16], mode[16], rw[16], arrow[4];
	long pid;
	unsigned maj, min;
	unsigned long long ino;
	int off = 0;

	*waiter = 0;
	if (sscanf(line, "%*u: %3s%n", arrow, &off) == 1 && !strcmp(arrow, "->")) {
		*waiter = 1;
		return 0;
	}
	if (sscanf(line, "%*u: %15s %15s %15s %ld %x:%x:%llu", kind, mode, rw, &pid, &maj, &min,
		   &ino) != 7)
		return -1;
	snprintf(l->kind, sizeof(l->kind), "%s", kind);
	l->write = !strcmp(rw, "WRITE");
	l->pid = (pid_t)pid;
	l->maj = maj;
	l->min = min;
	l->ino = ino;
	return 0;
}

int proclocks_parse(const char *text, struct proclock **out, size_t *n, char *why, size_t wsz)
{
	size_t cap = 0, cnt = 0, lineno = 0;
	struct proclock *v = NULL;
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		char line[512];
		struct proclock l;
		int waiter;

		lineno++;
		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : NULL;
		if (!line[0])
			continue;
		if (parse_line(line, &l, &waiter) < 0) {
			snprintf(why, wsz, "/proc/locks line %zu: cannot parse '%.80s'", lineno, line);
			free(v);
			return -1;
		}
		if (waiter)
			continue;
		if (cnt == cap) {
			struct proclock *nv = realloc(v, (cap = cap ? cap * 2 : 64) * sizeof(*v));

			if (!nv) {
				snprintf(why, wsz, "out of memory parsing /proc/locks");
				free(v);
				return -1;
			}
			v = nv;
		}
		v[cnt++] = l;
	}
	*out = v;
	*n = cnt;
	return 0;
}

/* Decodes mountinfo's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash). */
static void unescape(const char *s, size_t len, char *out, size_t sz)
{
	size_t o = 0;

	for (size_t i = 0; i < len && o + 1 < sz; i++) {
		if (s[i] == '\\' && i + 3 < len &&
		    s[i + 1] >= '0' && s[i + 1] <= '3' && s[i + 2] >= '0' && s[i + 2] <= '7' &&
		    s[i + 3] >= '0' && s[i + 3] <= '7') {
			out[o++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
			i += 3;
		} else {
			out[o++] = s[i];
		}
	}
	out[o] = '\0';
}

static int under(const char *path, const char *mnt)
{
	size_t n = strlen(mnt);

	if (!strcmp(mnt, "/"))
		return 1;
	return !strncmp(path, mnt, n) && (path[n] == '/' || path[n] == '\0');
}

int mountinfo_dev_of(const char *text, const char *path, unsigned *maj, unsigned *min)
{
	const char *p = text;
	size_t best = 0;
	int found = 0;

	/* "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue" */
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		char line[4096], mnt[4096], rawmnt[4096];
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		unsigned a, b;

		if (len >= sizeof(line))
			len = sizeof(line) - 1;
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl ? nl + 1 : NULL;
		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &a, &b, rawmnt) != 3)
			continue;
		unescape(rawmnt, strlen(rawmnt), mnt, sizeof(mnt));
		/* Later mounts over the same point hide earlier ones: >= keeps the last. */
		if (under(path, mnt) && strlen(mnt) >= best) {
			best = strlen(mnt);
			*maj = a;
			*min = b;
			found = 1;
		}
	}
	return found ? 0 : -1;
}

void proc_comm(pid_t pid, char *buf, size_t sz)
{
	char path[64];
	size_t n;
	char *s;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	s = pid > 0 ? kt_read_file(path, 256, &n) : NULL;
	if (!s) {
		snprintf(buf, sz, "?");
		return;
	}
	while (n && (s[n - 1] == '\n'))
		n--;
	snprintf(buf, sz, "%.*s", (int)n, s);
	free(s);
}
