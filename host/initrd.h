/* SPDX-License-Identifier: GPL-2.0-only */
/* The initramfs a run boots: ktstr-init as /init plus what the job needs. */
#ifndef KTSTR_INITRD_H
#define KTSTR_INITRD_H

#include <stddef.h>

/* Finds ktstr-init: $KTSTR_INIT, next to the ktstr binary, or ../libexec/ktstr/. */
int initrd_find_init(char *path, size_t sz);
/*
 * Writes the run's initramfs to out_path: the init, and the compiled job (job_len bytes)
 * at /ktstr/job when job is not NULL. Returns 0, or -1 after printing why.
 */
int initrd_write(const char *init_path, const char *out_path, const void *job, size_t job_len);

#endif
