// SPDX-License-Identifier: GPL-2.0-only
/* ktstr decode: print a captured report stream the way 'ktstr run' prints it live. */
#include "cmd.h"
#include "report.h"
#include "guest_topo.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char decode_usage[] =
	"usage: ktstr decode [-v] FILE|-\n"
	"\n"
	"Decodes a report stream captured from a guest (the org.ktstr.report port or ttyS1\n"
	"saved to a file, or report.bin from 'ktstr run --output-dir') and prints the same\n"
	"lines 'ktstr run' prints. Garbage between frames is skipped.\n"
	"\n"
	"  -v, --verbose   also print the guest's stages\n"
	"  -h, --help      this text\n"
	"\n"
	"exit status: the guest's EXIT status, 2 usage error, 99 no EXIT in the stream\n";

struct decode {
	struct kt_decoder dec;
	int verbose, have_exit;
	struct kt_exit exit;
	uint32_t next_seq;
	unsigned seq_gaps;
	struct guest_topo topo;
};

static void take(struct decode *d, const struct kt_frame *f)
{
	struct report_msg m;

	if (f->seq != d->next_seq)
		d->seq_gaps++;
	d->next_seq = f->seq + 1;
	switch (report_show(f, d->verbose, &m)) {
	case REPORT_SHOWN:
		if (m.type == KT_MSG_EXIT) {
			d->exit = m.u.exit;
			d->have_exit = 1;
		}
		break;
	case REPORT_OTHER:
		/* The topology the guest saw: printed as 'ktstr run -v' prints it. */
		if (guest_topo_frame(&d->topo, f, NULL, 1) < 0 &&
		    (f->type == KT_MSG_TOPO_CPU || f->type == KT_MSG_TOPO_NODE))
			kt_err("malformed %s frame (seq %u); ignored", kt_msg_name(f->type), f->seq);
		break;
	case REPORT_BAD:
		break;
	}
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

int cmd_decode(int argc, char **argv)
{
	struct decode d = { 0 };
	const char *path = NULL;
	char buf[65536];
	int fd, ret;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(decode_usage, stdout);
			return KT_EXIT_PASS;
		} else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
			d.verbose = 1;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			kt_err("decode: unknown option '%s'; see 'ktstr decode --help'", argv[i]);
			return KT_EXIT_USAGE;
		} else if (path) {
			kt_err("decode: more than one file ('%s', '%s')", path, argv[i]);
			return KT_EXIT_USAGE;
		} else {
			path = argv[i];
		}
	}
	if (!path) {
		kt_err("decode: no file given; see 'ktstr decode --help'");
		return KT_EXIT_USAGE;
	}
	fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
	if (fd < 0) {
		kt_err("decode: cannot open %s: %s", path, strerror(errno));
		return KT_EXIT_USAGE;
	}
	if (kt_decoder_init(&d.dec) < 0) {
		kt_err("out of memory for the report decoder");
		return KT_EXIT_INFRA;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			kt_err("decode: reading %s: %s", path, strerror(errno));
			ret = KT_EXIT_INFRA;
			goto out;
		}
		if (n == 0)
			break;
		feed(&d, buf, (size_t)n);
	}
	kt_decoder_finish(&d.dec);
	report_show_stream_stats(&d.dec.st, d.seq_gaps);
	if (!d.have_exit) {
		kt_err("decode: no EXIT frame in %s (%llu frames): the guest did not finish",
		       path, (unsigned long long)d.dec.st.frames);
		ret = KT_EXIT_INFRA;
		goto out;
	}
	report_show_exit(&d.exit);
	ret = d.exit.status < 0 || d.exit.status > 255 ? KT_EXIT_INFRA : d.exit.status;
out:
	if (fd != STDIN_FILENO)
		close(fd);
	kt_decoder_free(&d.dec);
	return ret;
}
