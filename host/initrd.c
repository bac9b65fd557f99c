// SPDX-License-Identifier: GPL-2.0-only
#include "initrd.h"
#include "util.h"
#include "../initramfs/cpio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_INIT_SIZE (64u << 20)

int initrd_find_init(char *path, size_t sz)
{
	const char *env = getenv("KTSTR_INIT");
	char dir[4096];

	if (env && *env) {
		snprintf(path, sz, "%s", env);
		return access(path, R_OK) == 0 ? 0 : -1;
	}
	if (kt_exe_dir(dir, sizeof(dir)) < 0)
		return -1;
	snprintf(path, sz, "%s/ktstr-init", dir);
	if (access(path, R_OK) == 0)
		return 0;
	snprintf(path, sz, "%s/../libexec/ktstr/ktstr-init", dir);
	return access(path, R_OK) == 0 ? 0 : -1;
}

int initrd_write(const char *init_path, const char *out_path, const void *job, size_t job_len)
{
	struct cpio c = { 0 };
	size_t len;
	void *init = kt_read_file(init_path, MAX_INIT_SIZE, &len);
	int fd, ret = -1;

	if (!init) {
		kt_err("reading %s: %s", init_path, strerror(errno));
		return -1;
	}
	/* /dev/console lets the kernel give /init its stdio before devtmpfs is mounted. */
	if (cpio_add_dir(&c, "dev", 0755) || cpio_add_chardev(&c, "dev/console", 0600, 5, 1) ||
	    cpio_add_file(&c, "init", 0755, init, len) ||
	    (job && (cpio_add_dir(&c, "ktstr", 0755) ||
		     cpio_add_file(&c, "ktstr/job", 0644, job, job_len))) ||
	    cpio_finish(&c)) {
		kt_err("out of memory building the initramfs");
		goto out;
	}
	fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		kt_err("creating %s: %s", out_path, strerror(errno));
		goto out;
	}
	if (kt_write_all(fd, c.out.buf, c.out.len) < 0 || close(fd) < 0) {
		kt_err("writing %s: %s", out_path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	free(init);
	cpio_free(&c);
	return ret;
}
