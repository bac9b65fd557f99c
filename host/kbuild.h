/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Running host/kernel-build.sh for 'ktstr kernel build' and 'ktstr scx build': its make -j
 * is the CPU budget the lock planner grants (default mode, shared locks held for the whole
 * build, the script pinned to those CPUs), and a signal to ktstr stops the build (the
 * script kills make; nothing is published).
 */
#ifndef KTSTR_KBUILD_H
#define KTSTR_KBUILD_H

struct kbuild_args {
	const char *cmd;	/* "kernel" or "scx" */
	const char *source;	/* --source DIR, or NULL: Debian's linux-source-6.12 */
	unsigned jobs;		/* --jobs N, 0: every usable CPU the planner grants */
	unsigned wait_locks_s;	/* --wait-locks S */
	int verbose;
	int nnames;
	char **names;		/* schedulers (scx) */
};

/* Parses [--source DIR] [--jobs N] [--wait-locks S] [-v] [NAME...] (names only if
 * allowed). Prints usage on --help (exit 0). Returns 0, or KT_EXIT_* to exit with. */
int kbuild_parse(int argc, char **argv, const char *usage, int names_ok, struct kbuild_args *a);
/* Reserves CPUs, runs the script, returns ktstr's exit status. */
int kbuild_run(const struct kbuild_args *a);
/* The script: $KTSTR_KERNEL_BUILD, next to ktstr, in ../libexec/ktstr, or the source tree. */
int kbuild_find_script(char *path, unsigned long sz);

#endif
