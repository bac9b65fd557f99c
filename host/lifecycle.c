// SPDX-License-Identifier: GPL-2.0-only
#include "lifecycle.h"
#include "scx.h"
#include "util.h"

#include <stdio.h>

int lifecycle_verdict(const struct kt_job *job, const struct session *s, int status)
{
	if (status != KT_EXIT_PASS && status != KT_EXIT_FAIL)
		return status;	/* infrastructure, usage or a signal: that is the news */
	status = scx_verdict(job, status, s->sched_deaths != 0);
	if (s->sched_deaths) {
		printf("FAIL scheduler: the scheduler under test died or did not attach\n");
		status = KT_EXIT_FAIL;
	}
	if (s->kmsg_warnings && job->checks.kernel_warnings) {
		printf("FAIL kernel_warnings: %u kernel warning line%s (kernel_warnings=ignore "
		       "to accept them)\n", s->kmsg_warnings, s->kmsg_warnings == 1 ? "" : "s");
		status = KT_EXIT_FAIL;
	} else if (s->kmsg_warnings) {
		printf("note: %u kernel warning line%s ignored (kernel_warnings=ignore)\n",
		       s->kmsg_warnings, s->kmsg_warnings == 1 ? "" : "s");
	}
	return status;
}
