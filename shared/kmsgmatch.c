// SPDX-License-Identifier: GPL-2.0-only
#include "kmsgmatch.h"

#include <string.h>

enum kt_kmsg_class kt_kmsg_classify(const char *msg)
{
	const char *rcu;

	/* The kernel echoes its command line, which may hold anything (test knobs too). */
	if (!strncmp(msg, "Command line:", 13) || !strncmp(msg, "Kernel command line:", 20))
		return KT_KMSG_NONE;
	if (strstr(msg, "WARNING:") || strstr(msg, "BUG:") || strstr(msg, "Oops"))
		return KT_KMSG_WARN;
	/* "watchdog: BUG: soft lockup" and friends, not the boot-time "NMI watchdog: ..." */
	if (!strncmp(msg, "watchdog:", 9))
		return KT_KMSG_WARN;
	rcu = strstr(msg, "rcu:");
	if (rcu && strstr(rcu, "stall"))
		return KT_KMSG_WARN;
	if (strstr(msg, "sched_ext"))
		return KT_KMSG_INFO;
	return KT_KMSG_NONE;
}
