// SPDX-License-Identifier: GPL-2.0-only
/* ktstr kernel: the kernels ktstr can boot (list) and getting one (fetch). */
#include "cmd.h"
#include "kernel.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

static const char kernel_usage[] =
	"usage: ktstr kernel <list|fetch|build> [options]\n"
	"\n"
	"  list [PATH...]   the kernels ktstr finds (the cache, /boot, /lib/modules/*/vmlinuz)\n"
	"                   and any PATH given: version (from the bzImage header), size, whether\n"
	"                   a module directory was found, where it came from\n"
	"  fetch [--quiet]  download Debian's newest linux-image-6.12*-cloud-amd64-unsigned into\n"
	"                   the cache with apt-get download (no install) and print its path\n"
	"  build            build a sched_ext kernel from source into the cache (see\n"
	"                   'ktstr kernel build --help'); 'list' then shows it, with SCHED_EXT\n"
	"                   and the schedulers 'ktstr scx build' built for it\n"
	"\n"
	"environment: KTSTR_CACHE_DIR (default ~/.cache/ktstr), KTSTR_KERNEL_PKG (fetch this\n"
	"package), KTSTR_FETCH_KERNEL (the fetch script to run)\n";

static void row(const char *path, const char *source, int *rows)
{
	struct kernel_info k;
	char why[512];
	struct stat st;

	if (kernel_from_file(path, &k, why, sizeof(why)) < 0) {
		printf("%-36s %8s %-7s %-10s %s (%s)\n", "?", "-", "-", source, path, why);
		(*rows)++;
		return;
	}
	if (stat(path, &st) < 0)
		st.st_size = 0;
	printf("%-36s %6.1fM %-7s %-10s %s\n", k.version[0] ? k.version : "(no version)",
	       st.st_size / 1048576.0, k.modules[0] ? "yes" : "no", source, path);
	(*rows)++;
}

static int seen_add(char seen[][4096], int *n, const char *path)
{
	char real[4096];

	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	for (int i = 0; i < *n; i++)
		if (!strcmp(seen[i], real))
			return 0;
	if (*n < 64)
		snprintf(seen[(*n)++], 4096, "%s", real);
	return 1;
}

static int kernel_list(int argc, char **argv)
{
	static char seen[64][4096];
	char dir[4096], entry[4400], img[4096];
	const char *pats[] = { "/boot/vmlinuz-*", "/lib/modules/*/vmlinuz" };
	struct utsname u;
	struct dirent *de;
	int rows = 0, nseen = 0;
	DIR *d;

	printf("%-36s %8s %-7s %-10s %s\n", "VERSION", "SIZE", "MODULES", "SOURCE", "PATH");
	for (int i = 1; i < argc; i++) {
		struct kernel_info k;
		char why[1024];

		if (kernel_resolve(argv[i], &k, why, sizeof(why)) < 0) {
			kt_err("%s", why);
			return KT_EXIT_USAGE;
		}
		if (seen_add(seen, &nseen, k.image))
			row(k.image, k.source, &rows);
	}
	if (kernel_cache_dir(dir, sizeof(dir)) == 0 && (d = opendir(dir))) {
		while ((de = readdir(d))) {
			size_t len;
			char *txt;

			if (de->d_name[0] == '.' ||
			    kt_pathf(entry, sizeof(entry), "%s/%s/.ktstr-vmlinuz", dir, de->d_name))
				continue;
			txt = kt_read_file(entry, 4096, &len);
			if (!txt)
				continue;
			txt[strcspn(txt, "\n")] = '\0';
			snprintf(img, sizeof(img), "%s", txt);
			free(txt);
			if (seen_add(seen, &nseen, img))
				row(img, "cache", &rows);
		}
		closedir(d);
	}
	for (size_t p = 0; p < 2; p++) {
		glob_t g;

		if (glob(pats[p], 0, NULL, &g) != 0)
			continue;
		for (size_t i = 0; i < g.gl_pathc; i++)
			if (seen_add(seen, &nseen, g.gl_pathv[i]))
				row(g.gl_pathv[i], p ? "modules" : "installed", &rows);
		globfree(&g);
	}
	/* Kernels from 'ktstr kernel build' (host/cmd_kernel_build.c), in their own table. */
	printf("\nbuilt by 'ktstr kernel build':\n");
	if (kernel_list_built(stdout) > 0)
		rows++;
	else
		printf("(none)\n");
	if (!rows) {
		printf("(none found)\n");
		fprintf(stderr, "ktstr: run 'ktstr kernel fetch' to get Debian's cloud kernel%s%s\n",
			uname(&u) == 0 ? "; the running kernel's image is not readable: " : "",
			uname(&u) == 0 ? u.release : "");
	}
	return KT_EXIT_PASS;
}

/* The fetch script: $KTSTR_FETCH_KERNEL, installed in libexec, or in the source tree. */
static int find_fetch_script(char *path, size_t sz)
{
	const char *env = getenv("KTSTR_FETCH_KERNEL");
	const char *rel[] = { "%s/fetch-kernel.sh", "%s/../libexec/ktstr/fetch-kernel.sh",
			      "%s/../../host/fetch-kernel.sh" };
	char dir[4096];

	if (env && *env)
		return kt_pathf(path, sz, "%s", env) || access(path, R_OK) ? -1 : 0;
	if (kt_exe_dir(dir, sizeof(dir)) < 0)
		return -1;
	for (size_t i = 0; i < sizeof(rel) / sizeof(rel[0]); i++)
		if (kt_pathf(path, sz, rel[i], dir) == 0 && access(path, R_OK) == 0)
			return 0;
	return -1;
}

static int kernel_fetch(int argc, char **argv)
{
	char script[4096];
	int quiet = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quiet") || !strcmp(argv[i], "-q")) {
			quiet = 1;
		} else {
			kt_err("kernel fetch: unexpected argument '%s'; see 'ktstr kernel --help'",
			       argv[i]);
			return KT_EXIT_USAGE;
		}
	}
	if (find_fetch_script(script, sizeof(script)) < 0) {
		kt_err("kernel fetch: fetch-kernel.sh not found next to ktstr, in "
		       "../libexec/ktstr or the source tree (set KTSTR_FETCH_KERNEL)");
		return KT_EXIT_INFRA;
	}
	fflush(stdout);
	/* The script prints progress on stderr and the vmlinuz path on stdout. */
	execlp("bash", "bash", script, quiet ? "--quiet" : NULL, (char *)NULL);
	kt_err("kernel fetch: running %s: %s", script, strerror(errno));
	return KT_EXIT_INFRA;
}

int cmd_kernel(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} subs[] = {
		{ "list", kernel_list },
		{ "fetch", kernel_fetch },
		{ "build", cmd_kernel_build },	/* host/cmd_kernel_build.c */
	};

	if (argc < 2) {
		fputs(kernel_usage, stderr);
		return KT_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(kernel_usage, stdout);
		return KT_EXIT_PASS;
	}
	for (int i = 2; i < argc && strcmp(argv[1], "build"); i++) {	/* build has its own */
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(kernel_usage, stdout);
			return KT_EXIT_PASS;
		}
	}
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(argv[1], subs[i].name))
			return subs[i].fn(argc - 1, argv + 1);
	kt_err("kernel: unknown subcommand '%s'; see 'ktstr kernel --help'", argv[1]);
	return KT_EXIT_USAGE;
}
