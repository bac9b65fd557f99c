/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shell and exec messages (guest -> host), types 32-39 (docs/protocol.md).
 *
 * `ktstr shell --exec CMD` carries the command's stdout and stderr as frames of raw bytes,
 * so they reach the host's stdout and stderr byte-exact and apart from kernel messages,
 * then EXEC_DONE with how the command ended. The interactive shell announces with SHELL
 * that it owns the console from then on: the host starts copying the console to the
 * terminal.
 */
#ifndef KTSTR_EXEC_H
#define KTSTR_EXEC_H

#include <stdint.h>
#include "wire.h"

enum {
	KT_MSG_EXEC_STDOUT = 32,	/* payload: bytes the command wrote to stdout */
	KT_MSG_EXEC_STDERR = 33,	/* payload: bytes the command wrote to stderr */
	KT_MSG_EXEC_DONE = 34,		/* struct kt_exec_done */
	KT_MSG_SHELL = 35,		/* the interactive shell starts on the console; no payload */
};

struct kt_exec_done {
	int32_t code;		/* exit code, or -1 when killed by a signal */
	int32_t signo;		/* the signal that killed it, or 0 */
};

int kt_enc_exec_done(struct kt_wbuf *out, uint32_t seq, const struct kt_exec_done *m);
int kt_dec_exec_done(const struct kt_frame *f, struct kt_exec_done *m);
/* The status a shell would give: the exit code, or 128 + the signal. Always 0..255. */
int kt_exec_status(const struct kt_exec_done *m);

#endif
