// SPDX-License-Identifier: GPL-2.0-only
/* /proc/locks and /proc/self/mountinfo parsers, on text captured from a real host. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../host/proclocks.h"

/*
 * Captured on the development VM: flock -x on a (inode 10953757) with a blocked waiter,
 * two flock -s on b (10953758), a POSIX lockf on c (10953759), all on /dev/vda (fe:00).
 */
static const char real_locks[] =
	"1: POSIX  ADVISORY  WRITE 26144 fe:00:10953759 0 EOF\n"
	"2: FLOCK  ADVISORY  READ 26078 fe:00:10953758 0 EOF\n"
	"3: FLOCK  ADVISORY  READ 26074 fe:00:10953758 0 EOF\n"
	"4: FLOCK  ADVISORY  WRITE 26072 fe:00:10953757 0 EOF\n"
	"4: -> FLOCK  ADVISORY  WRITE 26145 fe:00:10953757 0 EOF\n";

/* The same machine's /proc/self/mountinfo, plus a tmpfs mounted on "/tmp/capt/sp ace". */
static const char real_mountinfo[] =
	"22 27 0:21 / /proc rw,relatime - proc proc rw\n"
	"23 27 0:22 / /sys rw,relatime - sysfs sysfs rw\n"
	"24 27 0:6 / /dev rw,relatime - devtmpfs devtmpfs rw,size=12334492k,nr_inodes=3083623,mode=755\n"
	"25 24 0:23 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24684092k\n"
	"26 24 0:24 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000\n"
	"27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard,resv_strict,resuid=65534,resgid=65534\n"
	"28 27 0:25 / /mnt/sandboxing/model_tools_env/v1/python ro,nosuid,nodev,relatime - tmpfs model_tools_unavailable ro,size=4k,mode=755\n"
	"29 26 0:26 / /dev/pts rw,relatime - devpts devpts rw,mode=600,ptmxmode=000\n"
	"30 25 0:27 / /dev/shm rw,relatime - tmpfs tmpfs rw,size=24684092k\n"
	"31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
	"42 27 0:39 / /tmp/capt/sp\\040ace rw,relatime - tmpfs none rw\n";

static void test_locks_real(void **state)
{
	struct proclock *l;
	size_t n;
	char why[256];

	(void)state;
	assert_int_equal(proclocks_parse(real_locks, &l, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 4);	/* the waiter is not a holder */
	assert_string_equal(l[0].kind, "POSIX");
	assert_int_equal(l[0].write, 1);
	assert_int_equal(l[0].pid, 26144);
	assert_int_equal(l[0].ino, 10953759);
	assert_string_equal(l[1].kind, "FLOCK");
	assert_int_equal(l[1].write, 0);
	assert_int_equal(l[1].pid, 26078);
	assert_int_equal(l[2].pid, 26074);
	assert_int_equal(l[2].ino, 10953758);
	assert_int_equal(l[3].write, 1);
	assert_int_equal(l[3].pid, 26072);
	assert_int_equal(l[3].maj, 0xfe);
	assert_int_equal(l[3].min, 0);
	assert_int_equal(l[3].ino, 10953757);
	free(l);
}

static void test_locks_edge(void **state)
{
	struct proclock *l = NULL;
	size_t n = 99;
	char why[256];

	(void)state;
	assert_int_equal(proclocks_parse("", &l, &n, why, sizeof(why)), 0);
	assert_int_equal(n, 0);
	free(l);
	/* OFD locks have no pid; a hex device with letters in the minor. */
	assert_int_equal(proclocks_parse("7: OFDLCK ADVISORY  READ -1 08:1a:99 0 EOF\n", &l, &n,
					 why, sizeof(why)), 0);
	assert_int_equal(n, 1);
	assert_int_equal(l[0].pid, -1);
	assert_int_equal(l[0].min, 0x1a);
	free(l);
	assert_int_equal(proclocks_parse("1: FLOCK ADVISORY WRITE 12\n", &l, &n, why, sizeof(why)),
			 -1);
	assert_non_null(strstr(why, "line 1"));
	assert_int_equal(proclocks_parse(real_locks, &l, &n, why, sizeof(why)), 0);
	free(l);
	assert_int_equal(proclocks_parse("1: FLOCK  ADVISORY  WRITE 1 fe:00:1 0 EOF\ngarbage\n", &l,
					 &n, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "line 2"));
}

static void test_mountinfo_real(void **state)
{
	unsigned maj = 0, min = 0;

	(void)state;
	assert_int_equal(mountinfo_dev_of(real_mountinfo, "/tmp", &maj, &min), 0);
	assert_int_equal(maj, 254);	/* /proc/locks says fe:00 */
	assert_int_equal(min, 0);
	assert_int_equal(mountinfo_dev_of(real_mountinfo, "/dev/shm/x", &maj, &min), 0);
	assert_int_equal(min, 27);	/* the later mount over /dev/shm hides the first */
	assert_int_equal(mountinfo_dev_of(real_mountinfo, "/dev/shmem", &maj, &min), 0);
	assert_int_equal(min, 6);	/* a prefix of the name is not a parent directory */
	assert_int_equal(mountinfo_dev_of(real_mountinfo, "/tmp/capt/sp ace/locks", &maj, &min), 0);
	assert_int_equal(maj, 0);
	assert_int_equal(min, 39);	/* \040 decoded */
	assert_int_equal(mountinfo_dev_of("", "/tmp", &maj, &min), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_locks_real),
		cmocka_unit_test(test_locks_edge),
		cmocka_unit_test(test_mountinfo_real),
	};
	return cmocka_run_group_tests_name("proclocks", tests, NULL, NULL);
}
