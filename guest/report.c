// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report channel: a virtio-console port named org.ktstr.report, or ttyS1 in raw mode
 * when the kernel has no virtio console. Frames are written whole; nothing is buffered, so
 * a crash loses at most the frame being written.
 */
#include "init.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define PORT_NAME "org.ktstr.report"

static int report_fd = -1;
static int report_serial;	/* report_fd is ttyS1: nothing comes back on it */
static uint32_t report_seq;

/*
 * What the host writes on the channel (docs/protocol.md): one-byte commands, 'A' ack,
 * 'S' stop, and 'W' followed by the terminal's new size (u16 rows, u16 cols, LE).
 * Parsed byte by byte, as the stream happens to arrive.
 */
static struct {
	int acked, stop, resized;
	unsigned need;		/* bytes of a 'W' still to come */
	unsigned char arg[4];
	unsigned rows, cols;
} host;

static int open_virtio_port(void)
{
	char path[300], name[64];
	struct dirent *de;
	int fd = -1;
	DIR *d = opendir("/sys/class/virtio-ports");

	if (!d)
		return -1;
	while (fd < 0 && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/class/virtio-ports/%s/name", de->d_name);
		if (read_line(path, name, sizeof(name)) || strcmp(name, PORT_NAME))
			continue;
		snprintf(path, sizeof(path), "/dev/%s", de->d_name);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			con_printf("ktstr-init: open %s: %s\n", path, strerror(errno));
	}
	closedir(d);
	return fd;
}

static int open_serial(void)
{
	struct termios t;
	int fd = open("/dev/ttyS1", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (tcgetattr(fd, &t) == 0) {
		cfmakeraw(&t);
		cfsetspeed(&t, B115200);
		tcsetattr(fd, TCSANOW, &t);
	}
	return fd;
}

int report_open(int serial_only)
{
	/* The port's device node can trail the driver's probe by a moment: retry briefly. */
	for (int i = 0; !serial_only && i < 50 && report_fd < 0; i++) {
		report_fd = open_virtio_port();
		if (report_fd < 0)
			usleep(20000);
	}
	if (report_fd < 0) {
		report_fd = open_serial();
		report_serial = report_fd >= 0;
		if (report_fd >= 0)
			con_printf("ktstr-init: no %s port, reporting on ttyS1\n", PORT_NAME);
	}
	return report_fd < 0 ? -1 : 0;
}

static void send_frame(struct kt_wbuf *w)
{
	size_t off = 0;

	if (w->oom)
		con_printf("ktstr-init: out of memory encoding a report\n");
	while (report_fd >= 0 && !w->oom && off < w->len) {
		ssize_t n = write(report_fd, w->buf + off, w->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			con_printf("ktstr-init: write to report channel: %s\n", strerror(errno));
			break;
		}
		off += (size_t)n;
	}
	kt_wbuf_free(w);
}

uint32_t report_next_seq(void)
{
	return report_seq++;
}

void report_send(struct kt_wbuf *w)
{
	send_frame(w);
}

static void host_byte(unsigned char c)
{
	if (host.need) {
		host.arg[4 - host.need--] = c;
		if (!host.need) {
			host.rows = host.arg[0] | (unsigned)host.arg[1] << 8;
			host.cols = host.arg[2] | (unsigned)host.arg[3] << 8;
			host.resized = 1;
		}
		return;
	}
	switch (c) {
	case 'A':
		host.acked = 1;
		break;
	case 'S':
		host.stop = 1;
		break;
	case 'W':
		host.need = 4;
		break;
	}	/* anything else: a command of a newer host, ignored */
}

/*
 * Takes in what the host wrote, waiting up to timeout_ms for it to start. -1 when nothing
 * more can come: no host end, or ttyS1 (the serial line carries reports only).
 */
static int host_read(int timeout_ms)
{
	struct pollfd p = { .fd = report_fd, .events = POLLIN };
	unsigned char buf[64];
	int n;

	if (report_fd < 0 || report_serial)
		return -1;
	while ((n = poll(&p, 1, timeout_ms)) == 1) {
		ssize_t got;

		if (!(p.revents & POLLIN))
			return -1;	/* hung up */
		got = read(report_fd, buf, sizeof(buf));
		if (got <= 0)
			return got < 0 && errno == EINTR ? 0 : -1;
		for (ssize_t i = 0; i < got; i++)
			host_byte(buf[i]);
		timeout_ms = 0;
	}
	return n < 0 && errno != EINTR ? -1 : 0;
}

/* The host asked the guest to stop (its timeout expired). */
int report_stop_requested(void)
{
	host_read(0);
	return host.stop;
}

int report_winsize(unsigned *rows, unsigned *cols)
{
	host_read(0);
	if (!host.resized || !host.rows || !host.cols)
		return 0;
	host.resized = 0;
	*rows = host.rows;
	*cols = host.cols;
	return 1;
}

void report_hello(void)
{
	struct kt_hello h = { .proto = KT_PROTO };
	struct kt_wbuf w = { 0 };
	struct utsname u;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	h.ncpus = n > 0 ? (uint32_t)n : 0;
	h.mem_kib = (uint64_t)sysconf(_SC_PHYS_PAGES) * (uint64_t)sysconf(_SC_PAGESIZE) / 1024;
	if (uname(&u) == 0) {
		snprintf(h.release, sizeof(h.release), "%s", u.release);
		snprintf(h.machine, sizeof(h.machine), "%s", u.machine);
	}
	kt_enc_hello(&w, report_seq++, &h);
	send_frame(&w);
}

void report_job(const struct kt_job *j)
{
	struct kt_wbuf w = { 0 };

	kt_job_encode(&w, report_seq++, j);
	send_frame(&w);
}

/* `/ktstr/init workers` from the shell: no report channel, so results print as lines. */
static const struct kt_job *echo_job;

void report_echo_workers(const struct kt_job *j)
{
	echo_job = j;
}

void report_worker(const struct kt_worker_report *r)
{
	static const char *const status[] = { "done", "exited", "killed", "timed out", "short" };
	struct kt_wbuf w = { 0 };

	if (echo_job && report_fd < 0)
		printf("worker %s/%u tid %u: %s, %llu work units, cpu %.1f ms, wall %.1f ms\n",
		       r->group < echo_job->ngroups ? echo_job->groups[r->group].name : "?",
		       r->index, r->tid, r->status <= KT_W_SHORT ? status[r->status] : "?",
		       (unsigned long long)r->work_units, r->cpu_ns / 1e6, r->wall_ns / 1e6);

	kt_enc_worker(&w, report_seq++, r);
	send_frame(&w);
}

void report_group(const struct kt_group_info *g)
{
	struct kt_wbuf w = { 0 };

	kt_enc_group_info(&w, report_seq++, g);
	send_frame(&w);
}

void report_sched_exit(const struct kt_sched_exit *e)
{
	struct kt_wbuf w = { 0 };

	kt_enc_sched_exit(&w, report_seq++, e);
	send_frame(&w);
}

void report_stage(const char *name)
{
	struct kt_stage s = { .t_ns = mono_ns() };
	struct kt_wbuf w = { 0 };

	snprintf(s.name, sizeof(s.name), "%s", name);
	kt_enc_stage(&w, report_seq++, &s);
	send_frame(&w);
}

void report_error(const char *stage, const char *call, const char *path, int err,
		  const char *fmt, ...)
{
	struct kt_error e = { .err = err };
	struct kt_wbuf w = { 0 };
	va_list ap;

	snprintf(e.stage, sizeof(e.stage), "%s", stage);
	snprintf(e.call, sizeof(e.call), "%s", call);
	snprintf(e.path, sizeof(e.path), "%s", path ? path : "");
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof(e.msg), fmt, ap);
	va_end(ap);
	con_printf("ktstr-init: %s: %s %s: %s (%s)\n", stage, call, e.path,
		   err ? strerror(err) : "failed", e.msg);
	kt_enc_error(&w, report_seq++, &e);
	send_frame(&w);
}

void report_text(uint16_t type, const char *fmt, ...)
{
	struct kt_text t;
	struct kt_wbuf w = { 0 };
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t.text, sizeof(t.text), fmt, ap);
	va_end(ap);
	kt_enc_text(&w, type, report_seq++, &t);
	send_frame(&w);
}

void report_exit(int status, const char *reason)
{
	struct kt_exit e = { .status = status };
	struct kt_wbuf w = { 0 };

	snprintf(e.reason, sizeof(e.reason), "%s", reason);
	kt_enc_exit(&w, report_seq++, &e);
	send_frame(&w);
}

void report_drain(void)
{
	if (report_fd < 0)
		return;
	/*
	 * The host answers EXIT with one byte once it has decoded it. Without a host
	 * (an embedded init whose port is merely captured) the wait ends after 2 s.
	 */
	if (report_serial) {
		tcdrain(report_fd);
		return;
	}
	for (uint64_t end = mono_ns() + 2000000000ull; !host.acked && mono_ns() < end;)
		if (host_read((int)((end - mono_ns()) / 1000000) + 1) < 0)
			break;
}

void report_raw(uint16_t type, const void *p, size_t len)
{
	struct kt_wbuf w = { 0 };

	if (kt_frame_append(&w, type, report_seq++, p, len) < 0)
		w.oom = 1;
	send_frame(&w);
}

void report_exec_done(const struct kt_exec_done *d)
{
	struct kt_wbuf w = { 0 };

	kt_enc_exec_done(&w, report_seq++, d);
	send_frame(&w);
}
