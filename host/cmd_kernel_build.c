// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktstr kernel build: a sched_ext kernel from source (host/kernel-build.sh), and the rows
 * 'ktstr kernel list' shows for the kernels built that way.
 */
#include "cmd.h"
#include "kbuild.h"
#include "kernel.h"
#include "scx.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char build_usage[] =
	"usage: ktstr kernel build [--source DIR] [--jobs N] [--wait-locks S] [-v]\n"
	"\n"
	"Builds a kernel with sched_ext into the cache and prints its bzImage path. With no\n"
	"--source, Debian's linux-source-6.12 is downloaded (apt-get download) and unpacked\n"
	"into the cache. The tree gets x86_64_defconfig plus ktstr's fragment\n"
	"(kconfig/sched_ext.config, next to kernel-build.sh), olddefconfig, and a check that\n"
	"every option of the fragment came out =y (the build stops naming those that did not).\n"
	"The result is cached under a key of the source and the fragment; an existing entry is\n"
	"reused. 20-40 minutes on 2 CPUs; needs gcc, flex, bison, bc, libelf-dev, libssl-dev,\n"
	"dwarves (pahole, for BTF).\n"
	"\n"
	"  --source DIR     a kernel source tree to build instead of Debian's\n"
	"  --jobs N         make -j N; the CPUs are reserved with the lock planner (default\n"
	"                   mode, shared locks) for the whole build, so perf-mode runs stay off\n"
	"                   them; default: every CPU the planner grants\n"
	"  --wait-locks S   wait up to S seconds for CPUs held by other ktstr runs\n"
	"  -v, --verbose    print the CPU plan\n"
	"\n"
	"Ctrl-C stops make and leaves no cache entry. Then 'ktstr scx build' builds the\n"
	"schedulers of the same tree. The cache: $KTSTR_CACHE_DIR/kernels-built (default\n"
	"~/.cache/ktstr/kernels-built).\n"
	"exit status: 0 built (or cached), 2 usage error, 77 CPUs busy, 99 the build failed\n";

int cmd_kernel_build(int argc, char **argv)
{
	struct kbuild_args a = { .cmd = "kernel" };
	int ret = kbuild_parse(argc, argv, build_usage, 0, &a);

	return ret ? ret : kbuild_run(&a);
}

/* One line of a file "key=value" list (info), or "". */
static void info_value(const char *info, const char *key, char *out, size_t sz)
{
	size_t klen = strlen(key);
	const char *p = info;

	out[0] = '\0';
	while (p && *p) {
		if (!strncmp(p, key, klen) && p[klen] == '=') {
			snprintf(out, sz, "%.*s", (int)strcspn(p + klen + 1, "\n"), p + klen + 1);
			return;
		}
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
}

int kernel_list_built(FILE *out)
{
	char dir[4096], path[8192], version[256], sched[1024], why[512];
	struct dirent *de;
	int rows = 0;
	DIR *d;

	if (scx_built_dir(dir, sizeof(dir)) < 0 || !(d = opendir(dir)))
		return 0;
	while ((de = readdir(d))) {
		char *cfg, *info;
		size_t len;
		int ext;
		DIR *sd;

		if (de->d_name[0] == '.')
			continue;
		/* Only published entries: .ktstr-vmlinuz is in place before the rename. */
		snprintf(path, sizeof(path), "%s/%s/.ktstr-vmlinuz", dir, de->d_name);
		if (access(path, R_OK))
			continue;
		snprintf(path, sizeof(path), "%s/%s/config", dir, de->d_name);
		cfg = kt_read_file(path, 1 << 22, &len);
		ext = cfg && strstr(cfg, "\nCONFIG_SCHED_CLASS_EXT=y\n");
		free(cfg);
		snprintf(path, sizeof(path), "%s/%s/info", dir, de->d_name);
		info = kt_read_file(path, 1 << 16, &len);
		sched[0] = '\0';
		snprintf(path, sizeof(path), "%s/%s/scx", dir, de->d_name);
		if ((sd = opendir(path))) {
			struct dirent *s;

			while ((s = readdir(sd)))
				if (s->d_name[0] != '.' && strlen(sched) + strlen(s->d_name) + 2 <
							   sizeof(sched))
					snprintf(sched + strlen(sched), sizeof(sched) - strlen(sched),
						 "%s%s", sched[0] ? "," : "", s->d_name);
			closedir(sd);
		}
		snprintf(path, sizeof(path), "%s/%s/bzImage", dir, de->d_name);
		if (kernel_probe(path, version, sizeof(version), why, sizeof(why)) < 0)
			snprintf(version, sizeof(version), "?");
		if (!rows++)
			fprintf(out, "%-24s %-9s %-16s %-40s %s\n", "VERSION", "SCHED_EXT", "KEY",
				"SCHEDULERS", "PATH");
		fprintf(out, "%-24s %-9s %-16s %-40s %s\n", version[0] ? version : "?",
			ext ? "yes" : "no", de->d_name, sched[0] ? sched : "-", path);
		if (info) {
			char src[1024];

			info_value(info, "source", src, sizeof(src));
			if (src[0])
				fprintf(out, "%-24s source %s\n", "", src);
		}
		free(info);
	}
	closedir(d);
	return rows;
}
