/* SPDX-License-Identifier: GPL-2.0-only */
/* Subcommands: one file each, cmd_<name>.c, listed in ktstr.c's table. */
#ifndef KTSTR_CMD_H
#define KTSTR_CMD_H

#include <stdio.h>

int cmd_run(int argc, char **argv);
int cmd_initramfs(int argc, char **argv);
int cmd_cache(int argc, char **argv);
int cmd_decode(int argc, char **argv);
int cmd_job(int argc, char **argv);
int cmd_topo(int argc, char **argv);
int cmd_locks(int argc, char **argv);
int cmd_kernel(int argc, char **argv);
/* host/cmd_kernel_build.c: 'ktstr kernel build', and the built kernels for 'kernel list' */
int cmd_kernel_build(int argc, char **argv);
int kernel_list_built(FILE *out);
int cmd_scx(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_shell(int argc, char **argv);

#endif
