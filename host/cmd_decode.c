// SPDX-License-Identifier: GPL-2.0-only
/*
 * ktstr decode: judge a captured report stream (report.bin from --output-dir, or the bytes
 * of the report port or ttyS1 from a run without the host driver): the lines 'ktstr run'
 * prints live, then the same summary, checks and verdict, and exit status.
 */
#include "cmd.h"
#include "checks.h"
#include "guest_topo.h"
#include "output.h"
#include "report.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char decode_usage[] =
	"usage: ktstr decode [options] FILE|-\n"
	"\n"
	"Decodes a report stream captured from a guest (the org.ktstr.report port or ttyS1\n"
	"saved to a file, or report.bin from 'ktstr run --output-dir'), prints the same lines\n"
	"'ktstr run' prints, then judges it like 'ktstr run': the summary, the checks and the\n"
	"verdict, with the thresholds of the job echoed in the stream. Garbage between frames\n"
	"is skipped.\n"
	"\n"
	"      --json FILE|-   write the result as JSON (docs/json-schema.md); with '-' the\n"
	"                      JSON goes to stdout instead of the lines and the summary\n"
	"      --junit FILE    write JUnit XML: one testcase per check per group\n"
	"  -v, --verbose       also print the guest's stages, every worker and the checks that\n"
	"                      are off\n"
	"  -h, --help          this text\n"
	"\n"
	"exit status: 0 pass, 1 a check failed, 2 usage, 77 skipped, 99 the stream shows an\n"
	"infrastructure failure (no EXIT, init errors, missing or rejected reports); without a\n"
	"job in the stream, the guest's EXIT status\n";

enum { OPT_JSON = 256, OPT_JUNIT };

static const struct option decode_opts[] = {
	{ "json", required_argument, NULL, OPT_JSON },
	{ "junit", required_argument, NULL, OPT_JUNIT },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

struct decode {
	struct kt_decoder dec;
	struct result r;
	struct guest_topo topo;
	int verbose, quiet;	/* quiet: a document goes to stdout */
	uint32_t next_seq;
	unsigned seq_gaps;
};

static void take(struct decode *d, const struct kt_frame *f)
{
	struct report_msg m;

	if (f->seq != d->next_seq)
		d->seq_gaps++;
	d->next_seq = f->seq + 1;
	/* The topology the guest saw: printed as 'ktstr run -v' prints it. */
	if (!d->quiet && report_show(f, stdout, d->verbose, &m) == REPORT_OTHER &&
	    guest_topo_frame(&d->topo, f, NULL, 1) < 0 &&
	    (f->type == KT_MSG_TOPO_CPU || f->type == KT_MSG_TOPO_NODE))
		kt_err("malformed %s frame (seq %u); ignored", kt_msg_name(f->type), f->seq);
	result_frame(&d->r, f);
}

static void feed(struct decode *d, const char *buf, size_t n)
{
	struct kt_frame f;

	while (n) {
		size_t k = kt_decoder_feed(&d->dec, buf, n);
		enum kt_dec_result r;

		buf += k;
		n -= k;
		while ((r = kt_decoder_next(&d->dec, &f)) != KT_DEC_MORE) {
			if (r == KT_DEC_FRAME)
				take(d, &f);
			else
				kt_err("report frame seq %u (%s) dropped: bad checksum", f.seq,
				       kt_msg_name(f.type));
		}
	}
}

/* Reads the whole stream; -1 with errno on a read error. */
static int read_stream(struct decode *d, int fd)
{
	static char buf[1 << 20];

	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		feed(d, buf, (size_t)n);
	}
}

static int judge(struct decode *d, const char *path, const char *json, const char *junit)
{
	struct run_meta meta = { .source = "decode", .input = path, .seconds = -1 };
	struct verdict vd = { 0 };
	char why[512];
	int status;

	if (!d->quiet)
		report_show_stream_stats(&d->dec.st, d->seq_gaps);
	if (!d->r.have_exit)
		kt_err("decode: no EXIT frame in %s (%llu frames): the guest did not finish",
		       path, (unsigned long long)d->dec.st.frames);
	else if (!d->quiet)
		report_show_exit(stdout, &d->r.exit);
	if (checks_run(&d->r, &vd) < 0) {
		kt_err("decode: out of memory running the checks");
		verdict_free(&vd);
		return KT_EXIT_INFRA;
	}
	status = checks_exit_status(&d->r, &vd, why, sizeof(why));
	if (checks_note_status(&vd, status, why) < 0)
		status = KT_EXIT_INFRA;
	if (!d->quiet)
		output_summary(stdout, &d->r, &vd, status, why, output_use_colour(stdout),
			       d->verbose);
	if (json && output_json("--json", json, &d->r, &vd, status, why, &meta) < 0)
		status = KT_EXIT_INFRA;
	if (junit && junit_write(&vd, d->r.have_job ? d->r.job.name : "ktstr", 0, junit) < 0)
		status = KT_EXIT_INFRA;
	verdict_free(&vd);
	return status;
}

int cmd_decode(int argc, char **argv)
{
	const char *json = NULL, *junit = NULL, *path;
	struct decode d = { 0 };
	int c, fd, ret;

	optind = 1;
	while ((c = getopt_long(argc, argv, "vh", decode_opts, NULL)) != -1) {
		switch (c) {
		case OPT_JSON:
			json = optarg;
			break;
		case OPT_JUNIT:
			junit = optarg;
			break;
		case 'v':
			d.verbose = 1;
			break;
		case 'h':
			fputs(decode_usage, stdout);
			return KT_EXIT_PASS;
		default:
			fprintf(stderr, "see 'ktstr decode --help'\n");
			return KT_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		kt_err("decode: no file given; see 'ktstr decode --help'");
		return KT_EXIT_USAGE;
	}
	if (optind < argc - 1) {
		kt_err("decode: more than one file ('%s', '%s')", argv[optind], argv[optind + 1]);
		return KT_EXIT_USAGE;
	}
	path = argv[optind];
	if (json && junit && !strcmp(json, "-") && !strcmp(junit, "-")) {
		kt_err("decode: --json - and --junit - cannot both write to stdout");
		return KT_EXIT_USAGE;
	}
	d.quiet = (json && !strcmp(json, "-")) || (junit && !strcmp(junit, "-"));
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0) {
		kt_err("decode: cannot open %s: %s", path, strerror(errno));
		return KT_EXIT_USAGE;
	}
	if (kt_decoder_init(&d.dec) < 0) {
		kt_err("out of memory for the report decoder");
		ret = KT_EXIT_INFRA;
		goto out;
	}
	result_init(&d.r);
	if (read_stream(&d, fd) < 0) {
		kt_err("decode: reading %s: %s", path, strerror(errno));
		ret = KT_EXIT_INFRA;
	} else {
		kt_decoder_finish(&d.dec);
		d.r.dec = d.dec.st;
		ret = judge(&d, path, json, junit);
	}
	result_free(&d.r);
	kt_decoder_free(&d.dec);
out:
	if (fd != STDIN_FILENO)
		close(fd);
	return ret;
}
