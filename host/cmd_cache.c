// SPDX-License-Identifier: GPL-2.0-only
/* ktstr cache: list and clean the initramfs cache. */
#include "cmd.h"
#include "util.h"
#include "../initramfs/cache.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char cache_usage[] =
	"usage: ktstr cache list\n"
	"       ktstr cache clean\n"
	"\n"
	"The initramfs cache: one entry per distinct base (init, busybox, includes and their\n"
	"libraries, options), in $KTSTR_CACHE_DIR/initramfs (default ~/.cache/ktstr/initramfs).\n"
	"\n"
	"  list    every entry: key, size, last use, state (ok, in use, or why it is bad)\n"
	"  clean   remove every entry no ktstr process is using, and the digest memo\n"
	"\n"
	"exit status: 0 done, 2 usage error, 99 the cache directory cannot be used\n";

static void print_entry(void *ctx, const struct cache_info *i)
{
	char when[32];
	struct tm tm;
	time_t t = (time_t)i->mtime;
	unsigned *n = ctx;

	localtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	printf("%-36.32s %12llu  %s  %s%s%s\n", i->name, (unsigned long long)i->size, when,
	       i->valid ? "ok" : i->why, i->in_use ? ", in use" : "",
	       i->foreign ? ", not ours" : "");
	(*n)++;
}

int cmd_cache(int argc, char **argv)
{
	struct cache c = { 0 };
	char err[4400];
	const char *sub = argc > 1 ? argv[1] : NULL;
	int ret = KT_EXIT_INFRA;

	if (!sub || !strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		fputs(cache_usage, sub ? stdout : stderr);
		return sub ? KT_EXIT_PASS : KT_EXIT_USAGE;
	}
	if (strcmp(sub, "list") && strcmp(sub, "clean")) {
		kt_err("cache: unknown subcommand '%s' (expected list or clean)", sub);
		return KT_EXIT_USAGE;
	}
	if (argc > 2) {
		if (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help")) {
			fputs(cache_usage, stdout);
			return KT_EXIT_PASS;
		}
		kt_err("cache %s: unexpected argument '%s'", sub, argv[2]);
		return KT_EXIT_USAGE;
	}
	if (cache_open(&c, NULL, err, sizeof(err)) < 0) {
		kt_err("cache: %s", err);
		return KT_EXIT_INFRA;
	}
	if (!strcmp(sub, "list")) {
		unsigned n = 0;

		printf("# %s\n", c.dir);
		if (cache_list(&c, print_entry, &n, err, sizeof(err)) < 0) {
			kt_err("cache list: %s", err);
			goto out;
		}
		printf("# %u entr%s\n", n, n == 1 ? "y" : "ies");
	} else {
		unsigned removed = 0, busy = 0;
		uint64_t bytes = 0;
		char memo[4200];

		if (cache_prune(&c, 0, &removed, &busy, &bytes, err, sizeof(err)) < 0) {
			kt_err("cache clean: %s", err);
			goto out;
		}
		snprintf(memo, sizeof(memo), "%s/digests", c.dir);
		if (unlink(memo) < 0 && errno != ENOENT) {
			kt_err("cache clean: removing %s: %s", memo, strerror(errno));
			goto out;
		}
		c.nfresh = 0;	/* and do not write it back */
		printf("removed %u entr%s (%.1f MiB)", removed, removed == 1 ? "y" : "ies",
		       bytes / 1048576.0);
		if (busy)
			printf("; %u in use by running ktstr processes kept", busy);
		printf("\n");
	}
	ret = KT_EXIT_PASS;
out:
	cache_close(&c);
	return ret;
}
