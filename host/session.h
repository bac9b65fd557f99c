/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One VM session: start QEMU, pump the console and the report stream until the guest
 * says EXIT and powers off (or QEMU dies, the kernel panics, time runs out, or ktstr is
 * signalled), then stop QEMU. Nothing outlives session_run().
 */
#ifndef KTSTR_SESSION_H
#define KTSTR_SESSION_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include "../shared/msg.h"
#include "console.h"
#include "guest_topo.h"
#include "vm.h"

struct session {
	/* set by the caller */
	int verbose;
	FILE *dmesg;		/* echo the console here, or NULL */
	int console_log_fd;	/* -1: no log */
	int raw_fd;		/* -1, or where every byte of the report stream is copied */
	/* Called for frames the session does not handle itself (later: worker reports). */
	void (*on_frame)(void *ctx, const struct kt_frame *f);
	void *ctx;
	/* Sees every verified frame first, whoever handles it (host/judge.c collects the run). */
	void (*observe)(void *octx, const struct kt_frame *f);
	/* Called at least every 250 ms while the VM runs (the progress line). */
	void (*tick)(void *octx, const struct session *s);
	void *octx;
	FILE *out;		/* what the guest says (HELLO, EXIT, ...); stdout, NULL: quiet */
	/*
	 * An interactive console (ktstr shell): bytes read from con_in go to the guest's
	 * ttyS0 through on_input, which filters them into out (room for 2 * n bytes, at
	 * least 16) and returns how many to send, or -1 to kill the VM (sets user_quit);
	 * n == 0 means con_in ended. While con_out is not -1, the console's bytes are also
	 * copied there unchanged. -1: off.
	 */
	int con_in, con_out;
	int con_mid_line;	/* the last byte copied to con_out was not a newline */
	int winch_fd;		/* a terminal whose new sizes go to the guest (SIGWINCH), or -1 */
	ssize_t (*on_input)(void *ctx, const char *in, size_t n, char *out);

	/* filled in by session_run */
	struct vm vm;
	struct console con;
	struct kt_decoder dec;
	int have_hello, have_exit;
	struct kt_hello hello;
	struct kt_exit exit;
	char last_stage[32];
	unsigned errors;	/* ERROR frames */
	unsigned kmsg_warnings;	/* KMSG frames that are kernel warnings (shared/kmsgmatch.h) */
	unsigned sched_deaths;	/* SCHED_EXIT frames of a scheduler that died or did not attach */
	unsigned unknown;	/* frames of a type this host does not know */
	unsigned seq_gaps;
	uint32_t next_seq;
	int signo;		/* signal that interrupted the run, or 0 */
	int timed_out;
	struct guest_topo topo;	/* what the guest reported of its CPUs */
	const struct topology *want_topo;
	int stop_sent;		/* the guest was asked to stop (timeout) */
	int64_t timeout_ms;	/* for messages; session_run sets it unless the caller did */
	unsigned mem_mib;
	int user_quit;		/* on_input asked to kill the VM */
	char qemu_out[2048];	/* the last of what QEMU printed */
	size_t qemu_outlen;
};

void session_init(struct session *s);
/* Returns ktstr's exit status for the run (see util.h). */
int session_run(struct session *s, const struct vm_config *cfg, int64_t timeout_ms);
void session_free(struct session *s);

/* Blocks the signals the session takes through a signalfd; call early in main. */
int session_block_signals(void);

#endif
