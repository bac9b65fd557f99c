/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Printing the guest's report stream, shared by 'ktstr run' (live, from the VM) and
 * 'ktstr decode' (from a captured file), so both print the same lines.
 */
#ifndef KTSTR_HOST_REPORT_H
#define KTSTR_HOST_REPORT_H

#include <stdint.h>
#include <stdio.h>
#include <stdio.h>
#include "../shared/msg.h"
#include "../shared/report.h"

/* A decoded frame of one of the types every report stream carries. */
struct report_msg {
	uint16_t type;
	union {
		struct kt_hello hello;
		struct kt_stage stage;
		struct kt_error error;
		struct kt_exit exit;
		struct kt_text text;	/* KMSG, LOG */
		struct kt_sched_exit sched_exit;
		struct kt_group_info group;
	} u;
};

enum report_result {
	REPORT_SHOWN = 0,	/* decoded into *m (and printed, except EXIT) */
	REPORT_OTHER = 1,	/* a type this printer leaves to the caller */
	REPORT_BAD = -1,	/* malformed or wrong version; already reported */
};

/*
 * Decodes f and prints it to out the way 'ktstr run' does (stdout). verbose adds stage
 * lines on stderr. out NULL decodes quietly (ktstr shell --exec keeps stdout for the
 * command), except that the init's ERROR lines still go to stderr.
 */
enum report_result report_show(const struct kt_frame *f, FILE *out, int verbose,
			       struct report_msg *m);
/* The closing line: "guest exit: status N (reason)"; nothing when out is NULL. */
void report_show_exit(FILE *out, const struct kt_exit *e);
/* A note when the stream lost or skipped anything. */
void report_show_stream_stats(const struct kt_decoder_stats *st, unsigned seq_gaps);

#endif
