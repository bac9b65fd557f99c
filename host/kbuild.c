// SPDX-License-Identifier: GPL-2.0-only
#include "kbuild.h"
#include "locks.h"
#include "pin.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int kbuild_find_script(char *path, unsigned long sz)
{
	const char *env = getenv("KTSTR_KERNEL_BUILD");
	/* installed: libexec/ktstr; source tree: build/bin/ktstr -> host/ */
	const char *rel[] = { "%s/kernel-build.sh", "%s/../libexec/ktstr/kernel-build.sh",
			      "%s/../../host/kernel-build.sh" };
	char dir[4096];

	if (env && *env) {
		snprintf(path, sz, "%s", env);
		return access(path, R_OK) ? -1 : 0;
	}
	if (kt_exe_dir(dir, sizeof(dir)) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++) {
		int n = snprintf(path, sz, rel[i], dir);

		if (n > 0 && (size_t)n < sz && access(path, R_OK) == 0)
			return 0;
	}
	return -1;
}

static int parse_count(const char *flag, const char *v, unsigned max, unsigned *out)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(v, &end, 10);
	if (errno || end == v || *end || v[0] == '-' || n > max) {
		kt_err("%s: '%s' is not a whole number from 0 to %u", flag, v, max);
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

int kbuild_parse(int argc, char **argv, const char *usage, int names_ok, struct kbuild_args *a)
{
	static const struct option opts[] = {
		{ "source", required_argument, NULL, 's' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "wait-locks", required_argument, NULL, 'w' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "s:j:vh", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			a->source = optarg;
			break;
		case 'j':
			if (parse_count("--jobs", optarg, 4096, &a->jobs))
				return KT_EXIT_USAGE;
			if (!a->jobs) {
				kt_err("--jobs: 0 CPUs cannot build anything");
				return KT_EXIT_USAGE;
			}
			break;
		case 'w':
			if (parse_count("--wait-locks", optarg, 86400, &a->wait_locks_s))
				return KT_EXIT_USAGE;
			break;
		case 'v':
			a->verbose = 1;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(KT_EXIT_PASS);
		default:
			fprintf(stderr, "see 'ktstr %s build --help'\n", a->cmd);
			return KT_EXIT_USAGE;
		}
	}
	if (optind < argc && !names_ok) {
		kt_err("%s build: unexpected argument '%s'", a->cmd, argv[optind]);
		return KT_EXIT_USAGE;
	}
	for (int i = optind; i < argc; i++) {
		/* Names go to the script as arguments: keep them names. */
		if (argv[i][0] == '-' || strchr(argv[i], '/')) {
			kt_err("%s build: '%s' is not a scheduler name (like scx_simple)", a->cmd,
			       argv[i]);
			return KT_EXIT_USAGE;
		}
	}
	a->names = argv + optind;
	a->nnames = argc - optind;
	return 0;
}

static volatile sig_atomic_t got_signal;
static volatile pid_t child;

static void on_signal(int sig)
{
	got_signal = sig;
	if (child > 0)
		kill(child, SIGTERM);	/* the script's trap kills make and publishes nothing */
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			kt_err("waiting for kernel-build.sh (pid %d): %s", (int)pid, strerror(errno));
			return KT_EXIT_INFRA;
		}
	}
	if (got_signal)
		return 128 + got_signal;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	switch (WEXITSTATUS(status)) {
	case 0:
		return KT_EXIT_PASS;
	case 2:
		return KT_EXIT_USAGE;
	default:
		return KT_EXIT_INFRA;	/* the script said why */
	}
}

int kbuild_run(const struct kbuild_args *a)
{
	char script[4096], jobs[16];
	struct topology vt = { 1, 1, 1, 1 };
	static struct plan plan;
	struct lockset locks = { 0 };
	struct sigaction sa = { .sa_handler = on_signal }, old[3];
	const int sigs[3] = { SIGINT, SIGTERM, SIGHUP };
	cpu_set_t cpus;
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	char *argv[64];
	int argc = 0, ret;
	pid_t pid;

	if (kbuild_find_script(script, sizeof(script)) < 0) {
		kt_err("%s build: kernel-build.sh not found next to ktstr, in ../libexec/ktstr or "
		       "the source tree (set KTSTR_KERNEL_BUILD)", a->cmd);
		return KT_EXIT_INFRA;
	}
	if (a->jobs && online > 0 && a->jobs > (unsigned)online) {
		kt_err("--jobs %u: this host has %ld CPUs online", a->jobs, online);
		return KT_EXIT_USAGE;
	}
	/* Shaped like a run: as many vCPUs as make jobs, in the default (shared) mode. */
	vt.cores = a->jobs ? a->jobs : (online > 0 ? (unsigned)online : 1);
	ret = locks_reserve_run(&vt, 0, a->jobs, a->wait_locks_s * 1000LL, a->verbose, &plan,
				&locks);
	if (ret != KT_EXIT_PASS)
		return ret;
	snprintf(jobs, sizeof(jobs), "%u", plan.budget ? plan.budget : 1);
	kt_note("%s build: %s CPUs granted by the lock planner (make -j%s when building)", a->cmd,
		jobs, jobs);
	argv[argc++] = "bash";
	argv[argc++] = script;
	argv[argc++] = (char *)a->cmd;
	argv[argc++] = "--jobs";
	argv[argc++] = jobs;
	if (a->source) {
		argv[argc++] = "--source";
		argv[argc++] = (char *)a->source;
	}
	for (int i = 0; i < a->nnames && argc < 63; i++)
		argv[argc++] = a->names[i];
	argv[argc] = NULL;
	pin_cpuset(&plan, &cpus);
	for (int i = 0; i < 3; i++) {
		if (sigaction(sigs[i], &sa, &old[i]) < 0) {
			kt_err("%s build: sigaction %d: %s", a->cmd, sigs[i], strerror(errno));
			while (i--)
				sigaction(sigs[i], &old[i], NULL);
			locks_release(&locks);
			return KT_EXIT_INFRA;
		}
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		kt_err("%s build: fork: %s", a->cmd, strerror(errno));
		ret = KT_EXIT_INFRA;
	} else if (pid == 0) {
		for (int i = 0; i < 3; i++)
			signal(sigs[i], SIG_DFL);
		if (sched_setaffinity(0, sizeof(cpus), &cpus) < 0)
			kt_note("%s build: pinning to the granted CPUs: %s", a->cmd,
				strerror(errno));
		execvp("bash", argv);
		kt_err("%s build: running bash %s: %s", a->cmd, script, strerror(errno));
		_exit(KT_EXIT_INFRA);
	} else {
		child = pid;
		if (got_signal)	/* came before child was set */
			kill(pid, SIGTERM);
		ret = wait_child(pid);
		child = 0;
		if (got_signal)
			kt_err("%s build: interrupted by signal %d; nothing was cached", a->cmd,
			       (int)got_signal);
	}
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	locks_release(&locks);
	return ret;
}
