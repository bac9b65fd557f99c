/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * sched_ext on the host side: the kernels and schedulers host/kernel-build.sh put in
 * $KTSTR_CACHE_DIR/kernels-built/<key>/{bzImage,info,scx/<name>}, and the per-group count
 * of workers that ran under SCHED_EXT.
 */
#ifndef KTSTR_SCX_H
#define KTSTR_SCX_H

#include <stddef.h>
#include "../shared/job.h"
#include "../shared/report.h"

/* $KTSTR_CACHE_DIR/kernels-built (default ~/.cache/ktstr/kernels-built). 0 or -1. */
int scx_built_dir(char *buf, size_t sz);

/*
 * A scheduler built into the cache, by its bare name (scx_simple): the newest built kernel
 * that has it. Fills its path and that kernel's bzImage. 0, or -1 when none has it.
 */
int scx_find(const char *name, char *path, size_t psz, char *kernel, size_t ksz);

/* The bzImage of the cached kernel a scheduler from scx_find was built for. 0 or -1. */
int scx_kernel_for(const char *sched_path, char *kernel, size_t ksz);

#endif
