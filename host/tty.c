// SPDX-License-Identifier: GPL-2.0-only
#include "tty.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

/* Process-wide by nature: there is one controlling terminal to give back. */
static struct termios saved;
static volatile sig_atomic_t saved_fd = -1;

void tty_restore(void)
{
	int fd = saved_fd;

	if (fd < 0)
		return;
	saved_fd = -1;
	/* TCSADRAIN: what the guest printed last still reaches the screen. */
	tcsetattr(fd, TCSADRAIN, &saved);
}

static void on_fatal(int sig)
{
	tty_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}

int tty_raw(int fd)
{
	static const int fatal[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL };
	static int registered;
	struct termios t;

	if (tcgetattr(fd, &saved) < 0) {
		kt_err("reading the terminal settings of fd %d: %s", fd, strerror(errno));
		return -1;
	}
	t = saved;
	cfmakeraw(&t);
	/*
	 * Output processing stays on (as QEMU's -serial stdio does): the guest's tty already
	 * sends \r\n, and ktstr's own messages during the session end in a bare \n.
	 */
	t.c_oflag |= OPOST;
	if (!registered) {
		struct sigaction sa = { .sa_handler = on_fatal, .sa_flags = SA_RESETHAND };

		sigemptyset(&sa.sa_mask);
		for (size_t i = 0; i < sizeof(fatal) / sizeof(fatal[0]); i++)
			sigaction(fatal[i], &sa, NULL);
		if (atexit(tty_restore)) {
			kt_err("registering the terminal restore: out of memory");
			return -1;
		}
		registered = 1;
	}
	saved_fd = fd;
	if (tcsetattr(fd, TCSAFLUSH, &t) < 0) {
		saved_fd = -1;
		kt_err("putting the terminal (fd %d) in raw mode: %s", fd, strerror(errno));
		return -1;
	}
	return 0;
}

int tty_size(int fd, unsigned *rows, unsigned *cols)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) < 0 || !ws.ws_row || !ws.ws_col)
		return -1;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return 0;
}

ssize_t tty_escape_filter(struct tty_escape *e, const char *in, size_t n, char *out)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++) {
		char c = in[i];

		if (!e->pending) {
			if (c == TTY_ESCAPE_CHAR)
				e->pending = 1;
			else
				out[k++] = c;
			continue;
		}
		e->pending = 0;
		if (c == 'x' || c == 'X')
			return -1;
		out[k++] = TTY_ESCAPE_CHAR;
		if (c != TTY_ESCAPE_CHAR)
			out[k++] = c;
	}
	return (ssize_t)k;
}
