// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel log watcher: /dev/kmsg records that say WARNING:, BUG:, Oops, watchdog:,
 * rcu: ... stall, or come from sched_ext go to the host as KMSG frames. PID 1 polls it
 * between steps and every <= 100 ms while the workers run (init_poll).
 */
#include "init.h"
#include "../shared/kmsgmatch.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_FORWARDED 256	/* a flood of warnings is summarised, not streamed */

static int kmsg_fd = -1;
static unsigned forwarded, dropped;
static char ext_disabled[256];	/* the kernel's last "BPF scheduler ... disabled (...)" */

void kmsg_open(const char *test_line)
{
	/* Reading from the first record: warnings during boot count too. */
	kmsg_fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (kmsg_fd < 0) {
		report_text(KT_MSG_LOG, "note: /dev/kmsg: %s; kernel warnings are not watched",
			    strerror(errno));
		return;
	}
	/* ktstr.test_kmsg=TEXT: a line for the watcher to find ('_' stands for a blank). */
	if (test_line && *test_line) {
		char line[256];
		int fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);

		snprintf(line, sizeof(line), "%s\n", test_line);
		for (char *c = line; *c; c++)
			if (*c == '_')
				*c = ' ';
		if (fd < 0 || write(fd, line, strlen(line)) < 0)
			report_error("kmsg", "write", "/dev/kmsg", errno, "test line");
		if (fd >= 0)
			close(fd);
	}
}

void kmsg_poll(void)
{
	char rec[8192];

	while (kmsg_fd >= 0) {
		ssize_t n = read(kmsg_fd, rec, sizeof(rec) - 1);
		char *msg;

		if (n < 0 && (errno == EPIPE || errno == EINTR))
			continue;	/* EPIPE: records were overwritten; go on */
		if (n <= 0)
			break;
		rec[n] = '\0';
		/* "prio,seq,usec,flags;text\n" then " KEY=value" continuation lines */
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		msg++;
		msg[strcspn(msg, "\n")] = '\0';
		if (kt_kmsg_classify(msg) == KT_KMSG_NONE)
			continue;
		if (strstr(msg, "sched_ext: BPF scheduler") && strstr(msg, " disabled ("))
			snprintf(ext_disabled, sizeof(ext_disabled), "%s", msg);
		if (forwarded++ < MAX_FORWARDED)
			report_text(KT_MSG_KMSG, "%s", msg);
		else
			dropped++;
	}
}

const char *kmsg_ext_disabled(void)
{
	return ext_disabled;
}

void kmsg_close(void)
{
	kmsg_poll();
	if (dropped)
		report_text(KT_MSG_LOG, "%u more kernel log lines matched but were not sent",
			    dropped);
}
