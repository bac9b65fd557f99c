// SPDX-License-Identifier: GPL-2.0-only
/* Small files of /proc and /sys, read in one go. */
#include "init.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

ssize_t read_text(const char *path, char *buf, size_t sz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return -1;
	n = read(fd, buf, sz - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return n;
}

int read_line(const char *path, char *buf, size_t sz)
{
	if (read_text(path, buf, sz) < 0)
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}
