// SPDX-License-Identifier: GPL-2.0-only
#include "init.h"

#include <errno.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>

struct mnt {
	const char *src, *target, *type;
	unsigned long flags;
	int optional;	/* a kernel without it still runs tests: note, don't fail */
};

static const struct mnt mounts[] = {
	{ "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0 },
	{ "sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, 0 },
	{ "devtmpfs", "/dev", "devtmpfs", MS_NOSUID, 0 },
};

/* Returns 0, or -1 after reporting which mount failed. */
int mount_all(void)
{
	for (size_t i = 0; i < sizeof(mounts) / sizeof(mounts[0]); i++) {
		const struct mnt *m = &mounts[i];

		if (mkdir(m->target, 0755) && errno != EEXIST) {
			report_error("mounts", "mkdir", m->target, errno, "cannot create mount point");
			if (!m->optional)
				return -1;
			continue;
		}
		if (mount(m->src, m->target, m->type, m->flags, NULL) == 0 || errno == EBUSY)
			continue;
		if (m->optional) {
			con_printf("ktstr-init: note: %s not mounted on %s: %s\n", m->type, m->target,
				   strerror(errno));
			continue;
		}
		report_error("mounts", "mount", m->target, errno, "mount %s", m->type);
		return -1;
	}
	return 0;
}
