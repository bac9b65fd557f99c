/* SPDX-License-Identifier: GPL-2.0-only */
/* The guest's kernel console (ttyS0): logged, tail kept, panics recognised. */
#ifndef KTSTR_CONSOLE_H
#define KTSTR_CONSOLE_H

#include <stddef.h>
#include <stdio.h>

#define CONSOLE_TAIL 20
#define CONSOLE_LINE 512

struct console {
	int log_fd;		/* -1: not logged */
	FILE *echo;		/* non-NULL: copy every line here (--dmesg) */
	char cur[CONSOLE_LINE];
	size_t curlen;
	char tail[CONSOLE_TAIL][CONSOLE_LINE];
	unsigned ntail;		/* lines ever completed */
	char panic[CONSOLE_LINE];	/* first "Kernel panic" line, or "" */
	char oops[CONSOLE_LINE];	/* first oops line ("Oops: int3: 0000 [#1] ..."), or "" */
	char unpack_err[CONSOLE_LINE];	/* "Initramfs unpacking failed: ..." (out of memory) */
	char reboot[CONSOLE_LINE];	/* the kernel's last "reboot: ..." line */
};

void console_init(struct console *c, int log_fd, FILE *echo);
void console_feed(struct console *c, const char *buf, size_t n);
/* Completes a partial last line (at end of stream). */
void console_flush(struct console *c);
void console_print_tail(const struct console *c, FILE *to, unsigned n);

#endif
