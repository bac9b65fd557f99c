// SPDX-License-Identifier: GPL-2.0-only
/* ktstr job: check a job file, print it canonically, or compile it for an embedded init. */
#include "cmd.h"
#include "jobcli.h"
#include "jobfile.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char job_usage[] =
	"usage: ktstr job check [JOB OPTIONS] [JOBFILE]\n"
	"       ktstr job compile [JOB OPTIONS] [JOBFILE] -o OUT\n"
	"\n"
	"check    validates the job (every problem named by file:line, section and key) and\n"
	"         prints it as canonical INI\n"
	"compile  writes the compiled job (one KT_MSG_JOB frame, docs/protocol.md) to OUT, for\n"
	"         an initramfs of your own: ktstr-init reads /ktstr/job, or the path given by\n"
	"         ktstr.job= on the kernel command line\n"
	"\n"
	"  -o, --output OUT        where compile writes the job\n"
	"  -q, --quiet             check: print nothing when the job is valid\n"
	"  -h, --help              this text\n"
	"\n"
	"job options (as for 'ktstr run'):\n";

int cmd_job(int argc, char **argv)
{
	static const struct option base[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct option *opts;
	struct job_src src, cli;
	struct jobspec js;
	const char *out = NULL, *sub;
	int c, print = 0, quiet = 0, ret = KT_EXIT_USAGE;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		printf("%s%s", job_usage, jobcli_help);
		return KT_EXIT_PASS;
	}
	if (argc < 2 || (strcmp(argv[1], "check") && strcmp(argv[1], "compile"))) {
		kt_err("job: expected 'check' or 'compile'; see 'ktstr job --help'");
		return KT_EXIT_USAGE;
	}
	sub = argv[1];
	argc--;
	argv++;
	opts = kt_opts_concat(base, jobcli_options);
	if (!opts) {
		kt_err("out of memory");
		return KT_EXIT_INFRA;
	}
	jobsrc_init(&src);
	jobsrc_init(&cli);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", opts, NULL)) != -1) {
		if (jobcli_handle(&cli, c, optarg, &print))
			continue;
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			printf("%s%s", job_usage, jobcli_help);
			ret = KT_EXIT_PASS;
			goto done;
		default:
			fprintf(stderr, "see 'ktstr job --help'\n");
			goto done;
		}
	}
	if (argc - optind > 1) {
		kt_err("job %s: one job file at most, got '%s' and '%s'", sub, argv[optind],
		       argv[optind + 1]);
		goto done;
	}
	if (!strcmp(sub, "compile") && !out) {
		kt_err("job compile: -o OUT is required");
		goto done;
	}
	/* The file first, so the command line's entries override it. */
	if (optind < argc)
		jobsrc_load_file(&src, argv[optind]);
	if (jobsrc_merge(&src, &cli) < 0) {
		kt_err("out of memory");
		ret = KT_EXIT_INFRA;
		goto done;
	}
	if (jobsrc_compile(&src, &js) == 0) {
		if (!strcmp(sub, "compile"))
			ret = jobfile_write_compiled(&js, out) < 0 ? KT_EXIT_INFRA : KT_EXIT_PASS;
		else {
			if (!quiet)
				jobfile_print(stdout, &js);
			ret = KT_EXIT_PASS;
		}
		jobspec_free(&js);
	}
	if (src.nerr) {
		fprintf(stderr, "%s\n", src.err);
		kt_err("%u error%s in the job", src.nerr, src.nerr == 1 ? "" : "s");
	}
done:
	jobsrc_free(&src);
	jobsrc_free(&cli);
	free(opts);
	return ret;
}
