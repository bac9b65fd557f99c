// SPDX-License-Identifier: GPL-2.0-only
/* ktstr scx: the sched_ext schedulers of a built kernel's tree (build, list). */
#include "cmd.h"
#include "kbuild.h"
#include "scx.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char scx_usage[] =
	"usage: ktstr scx build [--source DIR] [--jobs N] [--wait-locks S] [-v] [NAME...]\n"
	"       ktstr scx list\n"
	"\n"
	"build: builds the schedulers in tools/sched_ext of the kernel tree (scx_simple,\n"
	"scx_qmap, scx_central, scx_flatcg: whichever the tree has; NAMEs pick some) into the\n"
	"cache entry of that tree's sched_ext kernel, building the kernel first if it is not\n"
	"cached (see 'ktstr kernel build --help'; the same --source and CPU reservation). They\n"
	"are linked statically, so the guest needs no libraries. Needs clang >= 16 ($CLANG,\n"
	"default clang-19). Prints the directory of the schedulers.\n"
	"list: the schedulers in the cache, newest kernel first, with their kernel.\n"
	"\n"
	"Then 'ktstr run --scheduler scx_simple' (or scheduler = scx_simple in a job) packs the\n"
	"cached binary, sets scheduler_kind = sched_ext, and boots the kernel it was built for\n"
	"unless --kernel says otherwise.\n"
	"exit status: 0 built (or cached), 2 usage error, 77 CPUs busy, 99 the build failed\n";

static int scx_list(void)
{
	char dir[4096], sdir[4096], path[4096], kernel[4096];
	struct dirent *de, *s;
	int n = 0;
	DIR *d, *sd;

	if (scx_built_dir(dir, sizeof(dir)) < 0 || !(d = opendir(dir))) {
		printf("(none: build them with 'ktstr scx build')\n");
		return KT_EXIT_PASS;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (kt_pathf(sdir, sizeof(sdir), "%s/%s/scx", dir, de->d_name) ||
		    !(sd = opendir(sdir)))
			continue;
		while ((s = readdir(sd))) {
			if (s->d_name[0] == '.')
				continue;
			if (kt_pathf(path, sizeof(path), "%s/%s", sdir, s->d_name) ||
			    access(path, X_OK))
				continue;
			if (scx_kernel_for(path, kernel, sizeof(kernel)) < 0)
				snprintf(kernel, sizeof(kernel), "-");
			if (!n++)
				printf("%-16s %-60s %s\n", "NAME", "PATH", "KERNEL");
			printf("%-16s %-60s %s\n", s->d_name, path, kernel);
		}
		closedir(sd);
	}
	closedir(d);
	if (!n)
		printf("(none: build them with 'ktstr scx build')\n");
	return KT_EXIT_PASS;
}

int cmd_scx(int argc, char **argv)
{
	struct kbuild_args a = { .cmd = "scx" };
	int ret;

	if (argc < 2) {
		fputs(scx_usage, stderr);
		return KT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(scx_usage, stdout);
		return KT_EXIT_PASS;
	}
	if (!strcmp(argv[1], "list")) {
		if (argc > 2) {
			if (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")) {
				fputs(scx_usage, stdout);
				return KT_EXIT_PASS;
			}
			kt_err("scx list: unexpected argument '%s'", argv[2]);
			return KT_EXIT_USAGE;
		}
		return scx_list();
	}
	if (strcmp(argv[1], "build")) {
		kt_err("scx: unknown subcommand '%s'; see 'ktstr scx --help'", argv[1]);
		return KT_EXIT_USAGE;
	}
	ret = kbuild_parse(argc - 1, argv + 1, scx_usage, 1, &a);
	return ret ? ret : kbuild_run(&a);
}
