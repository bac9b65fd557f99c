/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Which kernel log lines matter to a scheduler test. The guest forwards the lines that
 * match as KMSG frames; the host counts the warnings among them (kernel_warnings=fail).
 */
#ifndef KTSTR_KMSGMATCH_H
#define KTSTR_KMSGMATCH_H

enum kt_kmsg_class {
	KT_KMSG_NONE = 0,	/* not interesting */
	KT_KMSG_INFO = 1,	/* from sched_ext: forwarded, does not fail a run */
	KT_KMSG_WARN = 2,	/* WARNING:, BUG:, Oops, watchdog:, rcu: ... stall */
};

/* Classifies one log message (the text, without the /dev/kmsg "prio,seq,ts;" prefix). */
enum kt_kmsg_class kt_kmsg_classify(const char *msg);

#endif
