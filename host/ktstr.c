// SPDX-License-Identifier: GPL-2.0-only
/* ktstr: boot a kernel under a chosen topology, run a workload, judge the scheduler. */
#include "cmd.h"
#include "util.h"

#include <stdio.h>
#include <string.h>

#ifndef KTSTR_VERSION
#define KTSTR_VERSION "0.1.0"
#endif

struct cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct cmd cmds[] = {
	{ "run", cmd_run, "boot a kernel and run a job in it" },
	{ "initramfs", cmd_initramfs, "write ktstr-init (and a job) as an initramfs to embed" },
	{ "decode", cmd_decode, "print and judge a captured report stream like 'ktstr run'" },
	{ "cache", cmd_cache, "list or clean the initramfs cache" },
	{ "job", cmd_job, "check a job file, or compile it for an embedded init" },
	{ "topo", cmd_topo, "show the host topology ktstr plans CPU reservations with" },
	{ "locks", cmd_locks, "show which ktstr runs hold which host LLCs and CPUs" },
	{ "kernel", cmd_kernel, "list the kernels ktstr finds, fetch one, build a sched_ext one" },
	{ "scx", cmd_scx, "build the sched_ext schedulers of a built kernel's tree, list them" },
	{ "doctor", cmd_doctor, "check that this host can run ktstr, and say how to fix it" },
	{ "shell", cmd_shell, "a shell (or one command) in the VM, to reproduce by hand" },
};

static void usage(FILE *to)
{
	fprintf(to, "usage: ktstr [--version] [--help] <command> [<args>]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(to, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(to, "\n'ktstr <command> --help' describes a command.\n"
		    "exit status: 0 pass, 1 checks failed, 2 usage error, 77 skipped,\n"
		    "99 infrastructure failure (no kernel, boot failure, panic, timeout)\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return KT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return KT_EXIT_PASS;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("ktstr %s\n", KTSTR_VERSION);
		return KT_EXIT_PASS;
	}
	for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	kt_err("unknown command '%s'; see 'ktstr --help'", argv[1]);
	return KT_EXIT_USAGE;
}
