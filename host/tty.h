/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The host terminal during an interactive `ktstr shell`: raw input (every key, Ctrl-C and
 * Ctrl-Z included, goes to the guest), restored on every way out, and the Ctrl-A escape.
 */
#ifndef KTSTR_TTY_H
#define KTSTR_TTY_H

#include <stddef.h>
#include <sys/types.h>

#define TTY_ESCAPE_CHAR 0x01	/* Ctrl-A, as in QEMU and screen */

/*
 * Puts terminal fd into raw mode, remembering its settings. Restoring is registered with
 * atexit and on fatal signals; session signals (SIGINT, SIGTERM, SIGHUP) are the caller's
 * to block and handle, then call tty_restore. Returns 0, or -1 after printing why.
 */
int tty_raw(int fd);
/* Puts the terminal back as tty_raw found it. Idempotent, async-signal-safe. */
void tty_restore(void);
/* The terminal's size; -1 when fd is not a terminal or the size is unknown. */
int tty_size(int fd, unsigned *rows, unsigned *cols);

/* Ctrl-A x kills the VM, Ctrl-A Ctrl-A sends one Ctrl-A, Ctrl-A anything else sends both. */
struct tty_escape {
	int pending;		/* the last byte seen was a lone Ctrl-A */
};

/*
 * Filters n bytes typed on the host into out (room for 2 * n bytes). Returns how many bytes
 * to forward to the guest, or -1 when the user typed Ctrl-A x.
 */
ssize_t tty_escape_filter(struct tty_escape *e, const char *in, size_t n, char *out);

#endif
