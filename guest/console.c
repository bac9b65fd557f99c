// SPDX-License-Identifier: GPL-2.0-only
#include "init.h"

#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

/*
 * The kernel hands PID 1 /dev/console as fds 0-2 only if the initramfs has that node.
 * An embedding user's archive may lack it, so reopen it once devtmpfs is mounted.
 */
void console_setup(void)
{
	int fd;

	if (fcntl(1, F_GETFD) != -1)
		return;
	fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return;
	for (int i = 0; i < 3; i++)
		dup2(fd, i);	/* dup2 clears FD_CLOEXEC on the copies */
	if (fd > 2)
		close(fd);
}

void con_printf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	/* One write per message so lines from the kernel do not interleave mid-line. */
	if (write(2, buf, (size_t)n) < 0)
		return;
}

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
