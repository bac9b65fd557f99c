/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal QMP client: QEMU gets one end of a socketpair as its monitor
 * (-chardev socket,id=qmp,fd=N -mon chardev=qmp,mode=control); ktstr negotiates
 * capabilities on the other and asks for the vCPU thread ids.
 */
#ifndef KTSTR_QMP_H
#define KTSTR_QMP_H

#include <stddef.h>
#include <sys/types.h>

/*
 * Thread id of each vCPU, by cpu-index, from query-cpus-fast. Returns the number of vCPUs,
 * or -1 with why set (QEMU silent for timeout_ms, an error reply, a malformed reply).
 */
int qmp_vcpu_threads(int fd, int timeout_ms, pid_t *tids, unsigned max, char *why, size_t wsz);

/* Parses a query-cpus-fast reply object (one JSON text); the same return as above. */
int qmp_parse_cpus(const char *json, size_t len, pid_t *tids, unsigned max, char *why,
		   size_t wsz);

#endif
