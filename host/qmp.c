// SPDX-License-Identifier: GPL-2.0-only
#include "qmp.h"
#include "util.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct qmp {
	int fd;
	char buf[65536];
	size_t len;
	uint64_t deadline;
};

/* The next message (QMP ends each with CRLF); NULL with why on timeout, EOF or bad JSON. */
static json_t *qmp_read(struct qmp *q, char *why, size_t wsz)
{
	for (;;) {
		char *nl = memchr(q->buf, '\n', q->len);

		if (nl) {
			size_t n = (size_t)(nl - q->buf) + 1;
			json_error_t err;
			json_t *j = json_loadb(q->buf, n, 0, &err);

			memmove(q->buf, q->buf + n, q->len - n);
			q->len -= n;
			if (!j) {
				snprintf(why, wsz, "QMP sent malformed JSON: %s", err.text);
				return NULL;
			}
			return j;
		}
		if (q->len == sizeof(q->buf)) {
			snprintf(why, wsz, "QMP message longer than %zu bytes", sizeof(q->buf));
			return NULL;
		}
		{
			uint64_t now = kt_now_ms();
			struct pollfd p = { .fd = q->fd, .events = POLLIN };
			ssize_t r;
			int pr;

			if (now >= q->deadline) {
				snprintf(why, wsz, "QEMU's monitor did not answer in time");
				return NULL;
			}
			pr = poll(&p, 1, (int)(q->deadline - now));
			if (pr < 0 && errno == EINTR)
				continue;
			if (pr < 0) {
				snprintf(why, wsz, "poll on the QMP socket: %s", strerror(errno));
				return NULL;
			}
			if (pr == 0)
				continue;
			r = read(q->fd, q->buf + q->len, sizeof(q->buf) - q->len);
			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				snprintf(why, wsz, "QEMU closed its monitor (%s)",
					 r < 0 ? strerror(errno) : "EOF; did QEMU exit?");
				return NULL;
			}
			q->len += (size_t)r;
		}
	}
}

/* Sends a command and returns its reply (events in between are skipped). */
static json_t *qmp_exec(struct qmp *q, const char *cmd, char *why, size_t wsz)
{
	char line[128];
	int n = snprintf(line, sizeof(line), "{\"execute\":\"%s\"}\n", cmd);

	/* MSG_NOSIGNAL: a QEMU that died must not take ktstr with it by SIGPIPE. */
	if (send(q->fd, line, (size_t)n, MSG_NOSIGNAL) != n) {
		snprintf(why, wsz, "sending %s to QEMU: %s", cmd, strerror(errno));
		return NULL;
	}
	for (;;) {
		json_t *j = qmp_read(q, why, wsz);

		if (!j)
			return NULL;
		if (json_object_get(j, "return"))
			return j;
		if (json_object_get(j, "error")) {
			const char *d = json_string_value(
				json_object_get(json_object_get(j, "error"), "desc"));

			snprintf(why, wsz, "QEMU refused %s: %s", cmd, d ? d : "(no reason)");
			json_decref(j);
			return NULL;
		}
		json_decref(j);	/* an asynchronous event */
	}
}

int qmp_parse_cpus(const char *json, size_t len, pid_t *tids, unsigned max, char *why,
		   size_t wsz)
{
	json_error_t err;
	json_t *j = json_loadb(json, len, 0, &err), *ret, *cpu;
	size_t i;
	int n = 0;

	if (!j) {
		snprintf(why, wsz, "query-cpus-fast reply is not JSON: %s", err.text);
		return -1;
	}
	ret = json_object_get(j, "return");
	if (!json_is_array(ret)) {
		snprintf(why, wsz, "query-cpus-fast reply has no 'return' array");
		json_decref(j);
		return -1;
	}
	json_array_foreach(ret, i, cpu) {
		json_t *idx = json_object_get(cpu, "cpu-index"), *tid = json_object_get(cpu, "thread-id");
		json_int_t k;

		if (!json_is_integer(idx) || !json_is_integer(tid) || json_integer_value(tid) <= 0) {
			snprintf(why, wsz, "query-cpus-fast entry %zu lacks cpu-index or thread-id", i);
			json_decref(j);
			return -1;
		}
		k = json_integer_value(idx);
		if (k < 0 || (json_int_t)max <= k) {
			snprintf(why, wsz, "query-cpus-fast names vCPU %lld; expected fewer than %u",
				 (long long)k, max);
			json_decref(j);
			return -1;
		}
		tids[k] = (pid_t)json_integer_value(tid);
		if ((int)k + 1 > n)
			n = (int)k + 1;
	}
	json_decref(j);
	return n;
}

int qmp_vcpu_threads(int fd, int timeout_ms, pid_t *tids, unsigned max, char *why, size_t wsz)
{
	static struct qmp q;	/* 64 KiB buffer: off the stack */
	json_t *j;
	char *s;
	int n;

	q.fd = fd;
	q.len = 0;
	q.deadline = kt_now_ms() + (uint64_t)timeout_ms;
	j = qmp_read(&q, why, wsz);	/* the greeting */
	if (!j)
		return -1;
	if (!json_object_get(j, "QMP")) {
		snprintf(why, wsz, "QEMU's monitor did not greet with a QMP banner");
		json_decref(j);
		return -1;
	}
	json_decref(j);
	j = qmp_exec(&q, "qmp_capabilities", why, wsz);
	if (!j)
		return -1;
	json_decref(j);
	j = qmp_exec(&q, "query-cpus-fast", why, wsz);
	if (!j)
		return -1;
	s = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!s) {
		snprintf(why, wsz, "out of memory re-encoding the QMP reply");
		return -1;
	}
	n = qmp_parse_cpus(s, strlen(s), tids, max, why, wsz);
	free(s);
	return n;
}
