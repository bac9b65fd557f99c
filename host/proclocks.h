/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Who holds a lock file: /proc/locks names each lock by device and inode, with the device
 * of the superblock (what /proc/self/mountinfo shows, not always stat's st_dev: btrfs
 * subvolumes and overlayfs differ), so both files are parsed here.
 */
#ifndef KTSTR_PROCLOCKS_H
#define KTSTR_PROCLOCKS_H

#include <stddef.h>
#include <sys/types.h>

struct proclock {
	char kind[16];		/* FLOCK, POSIX, OFDLCK, LEASE, ... */
	int write;		/* 1: WRITE (exclusive), 0: READ (shared) */
	pid_t pid;		/* 0 or -1 when the kernel does not say (OFD locks, other pidns) */
	unsigned maj, min;
	unsigned long long ino;
};

/*
 * Parses /proc/locks text into a malloc'd array (*out, *n). Blocked waiters ("->" lines)
 * are not holders and are skipped. Returns 0, or -1 naming the bad line in why.
 */
int proclocks_parse(const char *text, struct proclock **out, size_t *n, char *why, size_t wsz);

/*
 * From /proc/self/mountinfo text: the device (major:minor) of the mount holding path (an
 * absolute, symlink-free path; the longest mount point that is a prefix wins). Octal
 * escapes in mount points (\040 for a space) are decoded. Returns 0, or -1 if none.
 */
int mountinfo_dev_of(const char *text, const char *path, unsigned *maj, unsigned *min);

/* The command name of pid from /proc/<pid>/comm, or "?" */
void proc_comm(pid_t pid, char *buf, size_t sz);

#endif
