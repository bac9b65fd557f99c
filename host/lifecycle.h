/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The run's minimal verdict from the init's lifecycle: a scheduler that died (SCHED_EXIT
 * frames) and kernel warnings (KMSG frames), counted by the session. One function, so the
 * full verdict of the checks can absorb it.
 */
#ifndef KTSTR_LIFECYCLE_H
#define KTSTR_LIFECYCLE_H

#include "session.h"
#include "../shared/job.h"

/*
 * The run's exit status from the session's (the guest's status, or 99 / 128+N): 1 when
 * the scheduler died or kernel warnings appeared under kernel_warnings=fail, else status.
 * Prints a line per reason.
 */
int lifecycle_verdict(const struct kt_job *job, const struct session *s, int status);

#endif
