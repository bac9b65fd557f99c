// SPDX-License-Identifier: GPL-2.0-only
#include "session.h"
#include "report.h"
#include "diagnose.h"
#include "tty.h"
#include "util.h"
#include "../shared/kmsgmatch.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_GRACE_MS 5000	/* after EXIT, how long QEMU gets to power off */
#define STOP_GRACE_MS 3000	/* after the timeout, how long the guest gets to stop */

static sigset_t session_sigs(void)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGINT);
	sigaddset(&s, SIGTERM);
	sigaddset(&s, SIGHUP);
	sigaddset(&s, SIGWINCH);	/* not an end: see winch_fd */
	return s;
}

int session_block_signals(void)
{
	sigset_t s = session_sigs();

	return sigprocmask(SIG_BLOCK, &s, NULL);
}

void session_init(struct session *s)
{
	memset(s, 0, sizeof(*s));
	s->console_log_fd = -1;
	s->raw_fd = -1;
	s->out = stdout;
	s->con_in = s->con_out = s->winch_fd = -1;
	s->vm.pid = 0;
	s->vm.report_fd = s->vm.console_fd = s->vm.stderr_fd = s->vm.serial_fd = -1;
}

void session_free(struct session *s)
{
	vm_stop(&s->vm);
	kt_decoder_free(&s->dec);
}

static void on_frame(struct session *s, const struct kt_frame *f)
{
	struct report_msg m;

	if (s->observe)
		s->observe(s->octx, f);
	if (f->seq != s->next_seq)
		s->seq_gaps++;
	s->next_seq = f->seq + 1;
	/* A kernel line (shell --dmesg) starts a line of its own, not the prompt's. */
	if (s->out && s->con_out >= 0 && s->con_mid_line &&
	    (f->type == KT_MSG_KMSG || f->type == KT_MSG_LOG)) {
		fputc('\n', s->out);
		s->con_mid_line = 0;
	}
	switch (report_show(f, s->out, s->verbose, &m)) {
	case REPORT_BAD:
		if (f->version != KT_VERSION)
			s->unknown++;
		return;
	case REPORT_OTHER:
		if (f->type == KT_MSG_TOPO_CPU || f->type == KT_MSG_TOPO_NODE) {
			if (guest_topo_frame(&s->topo, f, s->want_topo, s->verbose) < 0)
				kt_err("malformed %s frame (seq %u) from the guest; ignored",
				       kt_msg_name(f->type), f->seq);
		} else if (s->on_frame)
			s->on_frame(s->ctx, f);
		else
			s->unknown++;
		return;
	case REPORT_SHOWN:
		break;
	}
	switch (m.type) {
	case KT_MSG_HELLO:
		s->hello = m.u.hello;
		s->have_hello = 1;
		break;
	case KT_MSG_STAGE:
		snprintf(s->last_stage, sizeof(s->last_stage), "%s", m.u.stage.name);
		break;
	case KT_MSG_ERROR:
		s->errors++;
		break;
	case KT_MSG_KMSG:
		if (kt_kmsg_classify(m.u.text.text) == KT_KMSG_WARN)
			s->kmsg_warnings++;
		break;
	case KT_MSG_SCHED_EXIT:
		if (!m.u.sched_exit.expected)
			s->sched_deaths++;
		break;
	case KT_MSG_EXIT:
		s->exit = m.u.exit;
		s->have_exit = 1;
		/* Acknowledge, so the guest knows every frame arrived and may power off. */
		if (send(s->vm.report_fd, "A", 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && s->verbose)
			kt_note("acknowledging EXIT: %s", strerror(errno));
		break;
	}
}

static void pump_reports(struct session *s, const char *buf, size_t n)
{
	struct kt_frame f;

	while (n) {
		size_t k = kt_decoder_feed(&s->dec, buf, n);
		enum kt_dec_result r;

		buf += k;
		n -= k;
		while ((r = kt_decoder_next(&s->dec, &f)) != KT_DEC_MORE) {
			if (r == KT_DEC_FRAME)
				on_frame(s, &f);
			else
				kt_err("report frame seq %u (%s) dropped: bad checksum", f.seq,
				       kt_msg_name(f.type));
		}
	}
}

static void keep_qemu_out(struct session *s, const char *buf, size_t n)
{
	size_t cap = sizeof(s->qemu_out) - 1;

	if (n >= cap) {
		buf += n - cap;
		n = cap;
	}
	if (s->qemu_outlen + n > cap) {
		size_t drop = s->qemu_outlen + n - cap;

		memmove(s->qemu_out, s->qemu_out + drop, s->qemu_outlen - drop);
		s->qemu_outlen -= drop;
	}
	memcpy(s->qemu_out + s->qemu_outlen, buf, n);
	s->qemu_outlen += n;
	s->qemu_out[s->qemu_outlen] = '\0';
}

/* Host input for an interactive console; 0 when it is done (EOF, error, or kill the VM). */
static int pump_input(struct session *s)
{
	char in[4096], out[2 * sizeof(in)];
	ssize_t n = read(s->con_in, in, sizeof(in)), k;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0) {
		/* The caller may have a last word at the end of input (n == 0). */
		k = s->on_input ? s->on_input(s->ctx, in, 0, out) : 0;
		if (k > 0 && kt_write_all(s->vm.console_fd, out, (size_t)k) < 0)
			kt_note("sending input to the guest console: %s", strerror(errno));
		return 0;
	}
	k = s->on_input ? s->on_input(s->ctx, in, (size_t)n, out) : n;
	if (k < 0) {
		s->user_quit = 1;
		return 0;
	}
	if (kt_write_all(s->vm.console_fd, s->on_input ? out : in, (size_t)k) < 0)
		kt_note("sending input to the guest console: %s", strerror(errno));
	return 1;
}

/* Reads once from fd; returns 0 at EOF or on error (the channel is then done). */
static int pump(struct session *s, int which, int fd)
{
	char buf[65536];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 1;
	if (n <= 0)
		return 0;
	if (which == 3)
		which = 0;	/* ttyS1 carries the reports when there is no virtio console */
	if (which == 0 && s->raw_fd >= 0 && kt_write_all(s->raw_fd, buf, (size_t)n) < 0) {
		kt_err("saving the raw report stream: %s; no longer saving it", strerror(errno));
		s->raw_fd = -1;
	}
	if (which == 0)
		pump_reports(s, buf, (size_t)n);
	else if (which == 1) {
		if (s->con_out >= 0 && kt_write_all(s->con_out, buf, (size_t)n) < 0)
			s->con_out = -1;	/* the terminal went away: keep the VM's output logged */
		s->con_mid_line = buf[n - 1] != '\n';
		console_feed(&s->con, buf, (size_t)n);
	} else {
		keep_qemu_out(s, buf, (size_t)n);
	}
	return 1;
}

/* The terminal's new size, as 'W' u16 rows u16 cols (docs/protocol.md, host to guest). */
static void send_winsize(struct session *s)
{
	unsigned rows, cols;
	unsigned char cmd[5] = { 'W' };

	if (s->winch_fd < 0 || tty_size(s->winch_fd, &rows, &cols) < 0)
		return;
	cmd[1] = (unsigned char)rows;
	cmd[2] = (unsigned char)(rows >> 8);
	cmd[3] = (unsigned char)cols;
	cmd[4] = (unsigned char)(cols >> 8);
	if (send(s->vm.report_fd, cmd, sizeof(cmd), MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
	    s->verbose)
		kt_note("passing the terminal size to the guest: %s", strerror(errno));
}

static int report_failure(struct session *s)
{
	char msg[2048];

	diagnose_failure(s, msg, sizeof(msg));
	kt_err("%s", msg);
	if (s->qemu_outlen)
		fprintf(stderr, "QEMU said:\n%s%s", s->qemu_out,
			s->qemu_out[s->qemu_outlen - 1] == '\n' ? "" : "\n");
	fprintf(stderr, "last console lines:\n");
	console_print_tail(&s->con, stderr, CONSOLE_TAIL);
	return KT_EXIT_INFRA;
}

int session_run(struct session *s, const struct vm_config *cfg, int64_t timeout_ms)
{
	sigset_t sigs = session_sigs();
	uint64_t deadline = kt_now_ms() + (uint64_t)timeout_ms;
	int open_fds = 4, sigfd, ret;
	int live[4] = { 1, 1, 1, 1 };

	if (!s->timeout_ms)	/* the caller may have set the whole run's, for the message */
		s->timeout_ms = timeout_ms;
	s->mem_mib = cfg->mem_mib;
	s->want_topo = &cfg->topo;
	console_init(&s->con, s->console_log_fd, s->dmesg);
	if (kt_decoder_init(&s->dec) < 0) {
		kt_err("out of memory for the report decoder");
		return KT_EXIT_INFRA;
	}
	sigfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	if (sigfd < 0) {
		kt_err("signalfd: %s", strerror(errno));
		return KT_EXIT_INFRA;
	}
	if (vm_start(cfg, &s->vm) < 0) {
		close(sigfd);
		return KT_EXIT_INFRA;
	}
	/* Until QEMU has closed every channel (it exited), or we give up on it. */
	while (open_fds > 0) {
		struct pollfd p[6] = {
			{ .fd = live[0] ? s->vm.report_fd : -1, .events = POLLIN },
			{ .fd = live[1] ? s->vm.console_fd : -1, .events = POLLIN },
			{ .fd = live[2] ? s->vm.stderr_fd : -1, .events = POLLIN },
			{ .fd = sigfd, .events = POLLIN },
			{ .fd = live[3] ? s->vm.serial_fd : -1, .events = POLLIN },
			{ .fd = live[1] ? s->con_in : -1, .events = POLLIN },
		};
		uint64_t now = kt_now_ms();
		int n;

		if (now >= deadline) {
			if (s->have_exit || s->stop_sent)
				break;
			/* Time is up: ask the guest to stop, and kill QEMU if it does not. */
			s->stop_sent = 1;
			if (send(s->vm.report_fd, "S", 1, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 &&
			    s->verbose)
				kt_note("asking the guest to stop: %s", strerror(errno));
			deadline = now + STOP_GRACE_MS;
			continue;
		}
		if (s->tick)
			s->tick(s->octx, s);
		n = poll(p, 6, s->tick && deadline - now > 250 ? 250 : (int)(deadline - now));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			kt_err("poll: %s", strerror(errno));
			break;
		}
		if (p[3].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGWINCH) {
					send_winsize(s);
					continue;
				}
				s->signo = (int)si.ssi_signo;
				break;
			}
		}
		if (p[5].revents && !pump_input(s)) {
			if (s->user_quit)
				break;
			s->con_in = -1;	/* stdin ended: the guest keeps running */
		}
		for (int i = 0; i < 5; i++) {
			int ch = i == 4 ? 3 : i;	/* p[3] is the signalfd */

			if (i == 3 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			if (!pump(s, ch, p[i].fd)) {
				live[ch] = 0;
				open_fds--;
			}
		}
		if (s->have_exit && !s->stop_sent && deadline > kt_now_ms() + EXIT_GRACE_MS)
			deadline = kt_now_ms() + EXIT_GRACE_MS;
	}
	close(sigfd);
	vm_stop(&s->vm);
	console_flush(&s->con);
	kt_decoder_finish(&s->dec);

	if (s->user_quit) {
		kt_note("VM killed (Ctrl-A x)");
		return KT_EXIT_PASS;
	}
	if (s->signo) {
		kt_note("interrupted by signal %d (%s); QEMU stopped", s->signo, strsignal(s->signo));
		return 128 + s->signo;
	}
	report_show_stream_stats(&s->dec.st, s->seq_gaps);
	s->timed_out = s->stop_sent;
	if (!s->have_exit || s->timed_out)
		return report_failure(s);
	guest_topo_summary(&s->topo, s->want_topo);
	report_show_exit(s->out, &s->exit);
	ret = s->exit.status;
	if (ret < 0 || ret > 255)
		ret = KT_EXIT_INFRA;
	if (ret == KT_EXIT_INFRA) {
		fprintf(stderr, "last console lines:\n");
		console_print_tail(&s->con, stderr, CONSOLE_TAIL);
	}
	return ret;
}
