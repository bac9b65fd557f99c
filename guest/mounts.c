// SPDX-License-Identifier: GPL-2.0-only
#include "init.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

struct mnt {
	const char *src, *target, *type;
	unsigned long flags;
	int optional;	/* a kernel without it still runs tests: note, don't fail */
};

/* Phase 0 is what the report channel needs; the rest is mounted once failures can be sent. */
static const struct mnt early[] = {
	{ "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0 },
	{ "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0 },
	{ "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, 0 },
	{ NULL, NULL, NULL, 0, 0 },
};
static const struct mnt late[] = {
	{ "tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, 0 },
	{ "tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, 0 },
	{ "tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, 0 },
	{ "cgroup2", "/sys/fs/cgroup", "cgroup2", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0 },
	{ "debugfs", "/sys/kernel/debug", "debugfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, 1 },
	{ "tracefs", "/sys/kernel/tracing", "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, 1 },
	{ "bpf", "/sys/fs/bpf", "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC, 1 },
	{ NULL, NULL, NULL, 0, 0 },
};

/* Returns 0, or -1 after reporting which mount failed. */
int mount_all(int phase)
{
	for (const struct mnt *m = phase ? late : early; m->src; m++) {
		if (mkdir(m->target, 0755) && errno != EEXIST) {
			if (m->optional)
				continue;	/* e.g. no /sys/kernel/debug: the kernel lacks it */
			report_error("mounts", "mkdir", m->target, errno, "cannot create mount point");
			return -1;
		}
		if (mount(m->src, m->target, m->type, m->flags, NULL) == 0 || errno == EBUSY)
			continue;
		if (m->optional) {
			report_text(KT_MSG_LOG, "note: %s not mounted on %s: %s", m->type, m->target,
				    strerror(errno));
			continue;
		}
		report_error("mounts", "mount", m->target, errno, "mount %s", m->type);
		return -1;
	}
	return 0;
}
