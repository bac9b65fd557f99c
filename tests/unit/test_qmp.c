// SPDX-License-Identifier: GPL-2.0-only
/*
 * The QMP client against a scripted peer replaying what QEMU 7.2 said (captured with
 * -qmp stdio, -smp 2); the real QEMU is exercised by tests/e2e/pin.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../host/pin.h"
#include "../../host/qmp.h"

static const char greeting[] =
	"{\"QMP\": {\"version\": {\"qemu\": {\"micro\": 22, \"minor\": 2, \"major\": 7}, "
	"\"package\": \"Debian 1:7.2+dfsg-7+deb12u18+b3\"}, \"capabilities\": [\"oob\"]}}\r\n";
static const char caps_ok[] = "{\"return\": {}}\r\n";
static const char cpus_reply[] =
	"{\"return\": [{\"thread-id\": 9470, \"props\": {\"core-id\": 0, \"thread-id\": 0, "
	"\"socket-id\": 0}, \"qom-path\": \"/machine/unattached/device[0]\", \"cpu-index\": 0, "
	"\"target\": \"x86_64\"}, {\"thread-id\": 9471, \"props\": {\"core-id\": 1, "
	"\"thread-id\": 0, \"socket-id\": 0}, \"qom-path\": \"/machine/unattached/device[2]\", "
	"\"cpu-index\": 1, \"target\": \"x86_64\"}]}\r\n";
static const char event[] =
	"{\"timestamp\": {\"seconds\": 1795598732, \"microseconds\": 863852}, \"event\": "
	"\"RESUME\"}\r\n";

/*
 * A peer that sends greet, then for each command line it reads, the next reply. Replies
 * NULL: close. Returns our end.
 */
static int peer(const char *greet, const char *const *replies, pid_t *child)
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	*child = fork();
	assert_true(*child >= 0);
	if (*child == 0) {
		char buf[4096];

		close(sv[0]);
		if (greet && write(sv[1], greet, strlen(greet)) < 0)
			_exit(1);
		for (; *replies; replies++) {
			if (read(sv[1], buf, sizeof(buf)) <= 0)	/* one command per read */
				_exit(1);
			if (write(sv[1], *replies, strlen(*replies)) < 0)
				_exit(1);
		}
		if (!greet)
			sleep(10);	/* silent: the client must time out */
		_exit(0);
	}
	close(sv[1]);
	return sv[0];
}

static void finish(int fd, pid_t child)
{
	close(fd);
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

static void test_parse(void **state)
{
	pid_t tids[4] = { 0 };
	char why[256];

	(void)state;
	assert_int_equal(qmp_parse_cpus(cpus_reply, strlen(cpus_reply), tids, 4, why, sizeof(why)), 2);
	assert_int_equal(tids[0], 9470);
	assert_int_equal(tids[1], 9471);
	assert_int_equal(qmp_parse_cpus(cpus_reply, strlen(cpus_reply), tids, 1, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "names vCPU 1"));
	assert_int_equal(qmp_parse_cpus("{\"return\": {}}", 14, tids, 4, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "no 'return' array"));
	assert_int_equal(qmp_parse_cpus("{\"return\": [{\"cpu-index\": 0}]}", 30, tids, 4, why,
					sizeof(why)), -1);
	assert_non_null(strstr(why, "lacks cpu-index or thread-id"));
	assert_int_equal(qmp_parse_cpus("{ret", 4, tids, 4, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "not JSON"));
}

static void test_session(void **state)
{
	pid_t child, tids[8] = { 0 };
	char why[256], both[2048];
	int fd;

	(void)state;
	/* An asynchronous event before the reply is skipped. */
	snprintf(both, sizeof(both), "%s%s", event, cpus_reply);
	fd = peer(greeting, (const char *const[]){ caps_ok, both, NULL }, &child);
	assert_int_equal(qmp_vcpu_threads(fd, 10000, tids, 8, why, sizeof(why)), 2);
	assert_int_equal(tids[1], 9471);
	finish(fd, child);
}

static void test_errors(void **state)
{
	pid_t child, tids[8];
	char why[256];
	int fd;

	(void)state;
	/* QEMU refuses the command */
	fd = peer(greeting, (const char *const[]){ caps_ok,
		  "{\"error\": {\"class\": \"CommandNotFound\", \"desc\": \"The command "
		  "query-cpus-fast has not been found\"}}\r\n", NULL }, &child);
	assert_int_equal(qmp_vcpu_threads(fd, 10000, tids, 8, why, sizeof(why)), -1);
	assert_string_equal(why, "QEMU refused query-cpus-fast: The command query-cpus-fast "
				 "has not been found");
	finish(fd, child);
	/* QEMU exits after reading the first command: EOF */
	fd = peer(greeting, (const char *const[]){ "", NULL }, &child);
	assert_int_equal(qmp_vcpu_threads(fd, 10000, tids, 8, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "QEMU closed its monitor"));
	finish(fd, child);
	/* silence */
	fd = peer(NULL, (const char *const[]){ NULL }, &child);
	assert_int_equal(qmp_vcpu_threads(fd, 200, tids, 8, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "did not answer in time"));
	finish(fd, child);
	/* not QMP */
	fd = peer("{\"hello\": 1}\r\n", (const char *const[]){ NULL }, &child);
	assert_int_equal(qmp_vcpu_threads(fd, 10000, tids, 8, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "QMP banner"));
	finish(fd, child);
	fd = peer("{not json\r\n", (const char *const[]){ NULL }, &child);
	assert_int_equal(qmp_vcpu_threads(fd, 10000, tids, 8, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "malformed JSON"));
	finish(fd, child);
}

/*
 * Single-threaded TCG: QEMU names one thread for both vCPUs. It gets both vCPUs' CPUs, not
 * the last one's. The "QEMU" is a sleeping child with that one thread.
 */
static void test_pin_shared_thread(void **state)
{
	struct plan p = { .mode = PLAN_PERF, .nvcpus = 2, .vcpu_cpu = { 0, 1 }, .service_cpu = 0 };
	char reply[512];
	cpu_set_t got;
	pid_t qemu, child;
	int fd;

	(void)state;
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		skip();
	qemu = fork();
	assert_true(qemu >= 0);
	if (qemu == 0) {
		pause();
		_exit(0);
	}
	snprintf(reply, sizeof(reply), "{\"return\": [{\"thread-id\": %d, \"cpu-index\": 0}, "
		 "{\"thread-id\": %d, \"cpu-index\": 1}]}\r\n", (int)qemu, (int)qemu);
	fd = peer(greeting, (const char *const[]){ caps_ok, reply, NULL }, &child);
	assert_int_equal(pin_qemu(qemu, fd, &p, 0), 0);
	assert_int_equal(sched_getaffinity(qemu, sizeof(got), &got), 0);
	assert_int_equal(CPU_COUNT(&got), 2);
	assert_true(CPU_ISSET(0, &got) && CPU_ISSET(1, &got));
	finish(fd, child);
	kill(qemu, SIGKILL);
	waitpid(qemu, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_session),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_pin_shared_thread),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("qmp", tests, NULL, NULL);
}
