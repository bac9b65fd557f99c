// SPDX-License-Identifier: GPL-2.0-only
/* Loading the compiled job the host (or `ktstr job compile`) put into the initramfs. */
#include "init.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_JOB_SIZE (4u << 20)

int job_load(const char *path, struct kt_job *j)
{
	struct stat st;
	char why[256];
	uint8_t *buf;
	ssize_t n;
	int fd, ret;

	memset(j, 0, sizeof(*j));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		report_error("job", "open", path, errno, "cannot read the job");
		return -1;
	}
	if (fstat(fd, &st) < 0 || st.st_size <= 0 || st.st_size > MAX_JOB_SIZE) {
		report_error("job", "fstat", path, errno, "job file size %lld is not usable",
			     (long long)st.st_size);
		close(fd);
		return -1;
	}
	buf = malloc((size_t)st.st_size);
	if (!buf) {
		report_error("job", "malloc", path, ENOMEM, "job of %lld bytes",
			     (long long)st.st_size);
		close(fd);
		return -1;
	}
	n = read(fd, buf, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		report_error("job", "read", path, n < 0 ? errno : 0, "short read");
		free(buf);
		return -1;
	}
	ret = kt_job_decode_buf(buf, (size_t)n, j, why, sizeof(why));
	free(buf);
	if (ret < 0) {
		report_error("job", "decode", path, 0, "%s", why);
		return -1;
	}
	return 1;
}
