// SPDX-License-Identifier: GPL-2.0-only
/* ktstr initramfs: write ktstr-init (and a job) as an archive to boot or embed. */
#include "cmd.h"
#include "initrd.h"
#include "jobfile.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_INCLUDES 256
#define MAX_JOB_SIZE (16u << 20)
#define JOB_PATH "/ktstr/job"

static const char initramfs_usage[] =
	"usage: ktstr initramfs -o FILE [options]\n"
	"\n"
	"Writes an initramfs holding ktstr-init as /init and /ktstr/init. Boot it as it is, or\n"
	"append it to your own initramfs (it must come last when LZ4-compressed):\n"
	"  cat yours.cpio.gz ktstr.cpio.lz4 > combined; see docs/embedding.md.\n"
	"\n"
	"  -o, --output FILE       where to write it ('-' for stdout)\n"
	"      --job JOB           the job to run, packed at " JOB_PATH ": a job file (compiled\n"
	"                          here, its scheduler added) or a compiled job\n"
	"  -i, --include PATH[:GUEST_PATH]\n"
	"                          add a host file (at GUEST_PATH, default the same path);\n"
	"                          a dynamic ELF brings its interpreter and libraries\n"
	"      --busybox           add the host's static busybox as /bin/busybox\n"
	"      --compress MODE     lz4 (default; the kernel's legacy LZ4 format) or none\n"
	"      --no-root-init      leave /init alone (boot with rdinit=/ktstr/init)\n"
	"  -v, --verbose           say whether the base was built or came from the cache\n"
	"  -h, --help              this text\n"
	"\n"
	"The base is cached in $KTSTR_CACHE_DIR/initramfs (default ~/.cache/ktstr/initramfs);\n"
	"see 'ktstr cache'.\n"
	"exit status: 0 written, 2 usage error, 99 failure\n";

enum { OPT_JOB = 256, OPT_BUSYBOX, OPT_COMPRESS, OPT_NO_ROOT_INIT };

static const struct option initramfs_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "job", required_argument, NULL, OPT_JOB },
	{ "include", required_argument, NULL, 'i' },
	{ "busybox", no_argument, NULL, OPT_BUSYBOX },
	{ "compress", required_argument, NULL, OPT_COMPRESS },
	{ "no-root-init", no_argument, NULL, OPT_NO_ROOT_INIT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * The job as the guest reads it at /ktstr/job: a job file compiled here (its scheduler is
 * added to the includes), or a job already compiled by 'ktstr job compile', packed verbatim.
 */
static int initramfs_compile_job(const char *path, void **out, size_t *len,
				 struct jobspec *js, struct initrd_entry *sched)
{
	struct kt_wbuf w = { 0 };
	char err[4096];

	*out = kt_read_file(path, MAX_JOB_SIZE, len);
	if (!*out) {
		kt_err("--job: cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	if (*len >= 4 && !memcmp(*out, "KTSR", 4))
		return 0;
	free(*out);
	*out = NULL;
	if (jobfile_parse(path, js, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s\n", err);
		kt_err("--job: %s is not a valid job", path);
		return -1;
	}
	if (kt_job_encode(&w, 0, &js->job) < 0 || w.oom) {
		kt_err("--job: %s does not fit in one frame", path);
		kt_wbuf_free(&w);
		return -1;
	}
	*out = w.buf;
	*len = w.len;
	if (js->scheduler_host[0])
		*sched = (struct initrd_entry){ .path = js->job.scheduler,
						.host = js->scheduler_host, .mode = 0755 };
	return 0;
}

/* PATH[:GUEST_PATH] -> host and guest path; a host path without ':' lands at itself. */
static int parse_include(char *arg, struct initrd_entry *e)
{
	char *colon = strchr(arg, ':');

	memset(e, 0, sizeof(*e));
	e->mode = -1;
	e->host = arg;
	e->path = arg;
	if (colon) {
		*colon = '\0';
		e->path = colon + 1;
	}
	if (!*e->host || !*e->path) {
		kt_err("-i: '%s' is not PATH or PATH:GUEST_PATH", arg);
		return -1;
	}
	if (e->path[0] != '/') {
		kt_err("-i: the guest path '%s' must be absolute", e->path);
		return -1;
	}
	return 0;
}

int cmd_initramfs(int argc, char **argv)
{
	struct initrd_opts o = { .compress = INITRD_LZ4 };
	struct initrd_entry inc[MAX_INCLUDES + 1] = { 0 }, job = { .path = JOB_PATH, .mode = 0644 };
	struct jobspec js = { 0 };
	const char *out = NULL, *job_path = NULL;
	char init[4096], bb[4096];
	void *job_bytes = NULL;
	size_t ninc = 0;
	int c, busybox = 0, ret = KT_EXIT_INFRA;
	struct initrd r;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:i:vh", initramfs_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case OPT_JOB:
			job_path = optarg;
			break;
		case 'i':
			if (ninc == MAX_INCLUDES) {
				kt_err("-i: more than %d includes", MAX_INCLUDES);
				return KT_EXIT_USAGE;
			}
			if (parse_include(optarg, &inc[ninc]) < 0)
				return KT_EXIT_USAGE;
			ninc++;
			break;
		case OPT_BUSYBOX:
			busybox = 1;
			break;
		case OPT_COMPRESS:
			if (initrd_parse_compress(optarg, &o.compress) < 0) {
				kt_err("--compress: '%s' is not one of lz4, none", optarg);
				return KT_EXIT_USAGE;
			}
			break;
		case OPT_NO_ROOT_INIT:
			o.no_root_init = 1;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'h':
			fputs(initramfs_usage, stdout);
			return KT_EXIT_PASS;
		default:
			fprintf(stderr, "see 'ktstr initramfs --help'\n");
			return KT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		kt_err("initramfs: unexpected argument '%s'; see 'ktstr initramfs --help'",
		       argv[optind]);
		return KT_EXIT_USAGE;
	}
	if (!out) {
		kt_err("initramfs: -o FILE is required; see 'ktstr initramfs --help'");
		return KT_EXIT_USAGE;
	}
	for (size_t i = 0; i < ninc; i++)
		if (access(inc[i].host, R_OK) < 0) {
			kt_err("-i: cannot read %s: %s", inc[i].host, strerror(errno));
			return KT_EXIT_USAGE;
		}
	if (job_path && initramfs_compile_job(job_path, &job_bytes, &job.len, &js,
					      &inc[ninc]) < 0) {
		jobspec_free(&js);
		return KT_EXIT_USAGE;
	}
	if (inc[ninc].host)
		ninc++;	/* the job's scheduler */
	job.data = job_bytes;
	if (initrd_find_init(init, sizeof(init)) < 0) {
		kt_err("ktstr-init not found next to ktstr or in ../libexec/ktstr (set KTSTR_INIT)");
		goto out;
	}
	o.init = init;
	if (busybox) {
		if (initrd_find_busybox(bb, sizeof(bb)) < 0) {
			kt_err("--busybox: no busybox at $KTSTR_BUSYBOX, /bin/busybox or "
			       "/usr/bin/busybox (Debian: apt-get install busybox-static)");
			ret = KT_EXIT_USAGE;
			goto out;
		}
		o.busybox = bb;
	}
	if (initrd_begin(&r, &o) < 0) {
		initrd_end(&r);
		goto out;
	}
	for (size_t i = 0; i < ninc; i++)
		if (initrd_add(&r, &inc[i]) < 0) {
			initrd_end(&r);
			ret = KT_EXIT_USAGE;
			goto out;
		}
	if (initrd_write_out(&r, job_path ? &job : NULL, job_path ? 1 : 0, out) == 0)
		ret = KT_EXIT_PASS;
	initrd_end(&r);
out:
	free(job_bytes);
	jobspec_free(&js);
	return ret;
}
