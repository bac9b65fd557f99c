// SPDX-License-Identifier: GPL-2.0-only
#include "console.h"
#include "util.h"

#include <string.h>

void console_init(struct console *c, int log_fd, FILE *echo)
{
	memset(c, 0, sizeof(*c));
	c->log_fd = log_fd;
	c->echo = echo;
}

static void end_line(struct console *c)
{
	char *line = c->tail[c->ntail % CONSOLE_TAIL];

	/* Serial lines end in \r\n; keep the text only. */
	while (c->curlen && (c->cur[c->curlen - 1] == '\r'))
		c->curlen--;
	memcpy(line, c->cur, c->curlen);
	line[c->curlen] = '\0';
	c->ntail++;
	c->curlen = 0;
	if (!c->panic[0] && strstr(line, "Kernel panic - not syncing"))
		snprintf(c->panic, sizeof(c->panic), "%s", line);
	if (!c->oops[0] && (strstr(line, "Oops: ") || strstr(line, ": 0000 [#1]")))
		snprintf(c->oops, sizeof(c->oops), "%s", line);
	if (!c->unpack_err[0] && strstr(line, "Initramfs unpacking failed"))
		snprintf(c->unpack_err, sizeof(c->unpack_err), "%s", line);
	if (strstr(line, "reboot: "))
		snprintf(c->reboot, sizeof(c->reboot), "%s", line);
	if (c->echo)
		fprintf(c->echo, "%s\n", line);
}

void console_feed(struct console *c, const char *buf, size_t n)
{
	if (c->log_fd >= 0 && kt_write_all(c->log_fd, buf, n) < 0) {
		kt_note("console log write failed; continuing without it");
		c->log_fd = -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			end_line(c);
			continue;
		}
		if (c->curlen < CONSOLE_LINE - 1)
			c->cur[c->curlen++] = buf[i];
	}
}

void console_flush(struct console *c)
{
	if (c->curlen)
		end_line(c);
}

void console_print_tail(const struct console *c, FILE *to, unsigned n)
{
	unsigned have = c->ntail < CONSOLE_TAIL ? c->ntail : CONSOLE_TAIL;

	if (n > have)
		n = have;
	if (!n) {
		fprintf(to, "  (the kernel printed nothing on the console)\n");
		return;
	}
	for (unsigned i = c->ntail - n; i < c->ntail; i++)
		fprintf(to, "  | %s\n", c->tail[i % CONSOLE_TAIL]);
}
