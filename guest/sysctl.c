// SPDX-License-Identifier: GPL-2.0-only
/* The job's sysctls, written to /proc/sys before anything runs. */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Returns 0, or -1 after an ERROR naming the first sysctl that could not be set. */
int sysctl_apply(const struct kt_job *j)
{
	for (uint32_t i = 0; i < j->nsysctls; i++) {
		const struct kt_sysctl *sc = &j->sysctls[i];
		char path[300], back[160];
		size_t len = strlen(sc->value);
		ssize_t n;
		int fd;

		/* kernel.sched_rt_runtime_us -> /proc/sys/kernel/sched_rt_runtime_us */
		snprintf(path, sizeof(path), "/proc/sys/%s", sc->name);
		for (char *c = path + 10; *c; c++)
			if (*c == '.')
				*c = '/';
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0) {
			report_error("sysctls", "open", path, errno, errno == ENOENT ?
				     "sysctl %s does not exist in this kernel" :
				     "sysctl %s cannot be opened", sc->name);
			return -1;
		}
		do
			n = write(fd, sc->value, len);
		while (n < 0 && errno == EINTR);
		if (n != (ssize_t)len) {
			report_error("sysctls", "write", path, n < 0 ? errno : EIO,
				     "setting sysctl %s = %s", sc->name, sc->value);
			close(fd);
			return -1;
		}
		n = pread(fd, back, sizeof(back) - 1, 0);
		close(fd);
		back[n > 0 ? n : 0] = '\0';
		back[strcspn(back, "\n")] = '\0';
		report_text(KT_MSG_LOG, "sysctl %s = %s", sc->name, back);
	}
	return 0;
}
