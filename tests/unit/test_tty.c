// SPDX-License-Identifier: GPL-2.0-only
/*
 * The shell's host terminal handling: the Ctrl-A escape, raw mode on a real pseudo-terminal
 * and its restoration (including after a crash), the size, and the exec status messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "../../host/tty.h"
#include "../../shared/exec.h"

static ssize_t filter(struct tty_escape *e, const char *in, char *out)
{
	return tty_escape_filter(e, in, strlen(in), out);
}

static void test_escape_plain_bytes_pass(void **state)
{
	struct tty_escape e = { 0 };
	char out[64];

	(void)state;
	assert_int_equal(filter(&e, "echo hi\r\x03", out), 9);
	assert_memory_equal(out, "echo hi\r\x03", 9);
}

static void test_escape_ctrl_a_x_quits(void **state)
{
	struct tty_escape e = { 0 };
	char out[64];

	(void)state;
	assert_int_equal(filter(&e, "ls\x01x", out), -1);
	/* Split across two reads, as a slow typist's keys arrive. */
	e.pending = 0;
	assert_int_equal(filter(&e, "\x01", out), 0);
	assert_true(e.pending);
	assert_int_equal(filter(&e, "x", out), -1);
}

static void test_escape_literal_ctrl_a(void **state)
{
	struct tty_escape e = { 0 };
	char out[64];

	(void)state;
	assert_int_equal(filter(&e, "\x01\x01", out), 1);
	assert_int_equal(out[0], 0x01);
	assert_false(e.pending);
	/* Ctrl-A then another key: both go through, nothing is swallowed. */
	assert_int_equal(filter(&e, "\x01" "b", out), 2);
	assert_memory_equal(out, "\x01" "b", 2);
	/* A lone x without the escape is just an x. */
	assert_int_equal(filter(&e, "x", out), 1);
}

static void test_escape_worst_case_fits(void **state)
{
	struct tty_escape e = { 0 };
	char in[8], out[16];

	(void)state;
	/* "\x01a" repeated doubles nothing, but the output bound is 2n for any input. */
	memset(in, 0x01, sizeof(in));
	in[1] = 'a';
	in[3] = 'b';
	in[5] = 'c';
	in[7] = 'd';
	assert_int_equal(tty_escape_filter(&e, in, sizeof(in), out), 8);
}

/* Field by field: the struct has padding that tcgetattr leaves alone. */
static void assert_same_termios(const struct termios *a, const struct termios *b)
{
	assert_int_equal(a->c_iflag, b->c_iflag);
	assert_int_equal(a->c_oflag, b->c_oflag);
	assert_int_equal(a->c_cflag, b->c_cflag);
	assert_int_equal(a->c_lflag, b->c_lflag);
	assert_memory_equal(a->c_cc, b->c_cc, sizeof(a->c_cc));
	assert_int_equal(cfgetispeed(a), cfgetispeed(b));
	assert_int_equal(cfgetospeed(a), cfgetospeed(b));
}

static int open_pty(int *slave)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY);

	assert_true(m >= 0);
	assert_int_equal(grantpt(m), 0);
	assert_int_equal(unlockpt(m), 0);
	*slave = open(ptsname(m), O_RDWR | O_NOCTTY);
	assert_true(*slave >= 0);
	return m;
}

static void test_raw_and_restore(void **state)
{
	struct termios before, raw, after;
	int s, m = open_pty(&s);

	(void)state;
	assert_int_equal(tcgetattr(s, &before), 0);
	assert_true(before.c_lflag & ICANON);
	assert_int_equal(tty_raw(s), 0);
	assert_int_equal(tcgetattr(s, &raw), 0);
	assert_false(raw.c_lflag & (ICANON | ISIG | ECHO));
	assert_false(raw.c_iflag & (ICRNL | IXON));
	assert_true(raw.c_oflag & OPOST);
	tty_restore();
	assert_int_equal(tcgetattr(s, &after), 0);
	assert_same_termios(&before, &after);
	tty_restore();	/* idempotent */
	close(s);
	close(m);
}

static void test_restored_after_crash(void **state)
{
	struct termios before, after;
	int s, m = open_pty(&s), st;
	pid_t pid;

	(void)state;
	assert_int_equal(tcgetattr(s, &before), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (tty_raw(s) < 0)
			_exit(3);
		abort();
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGABRT);
	assert_int_equal(tcgetattr(s, &after), 0);
	assert_same_termios(&before, &after);
	close(s);
	close(m);
}

static void test_size(void **state)
{
	struct winsize ws = { .ws_row = 33, .ws_col = 101 };
	unsigned rows = 0, cols = 0;
	int s, m = open_pty(&s), null = open("/dev/null", O_RDONLY);

	(void)state;
	assert_int_equal(ioctl(s, TIOCSWINSZ, &ws), 0);
	assert_int_equal(tty_size(s, &rows, &cols), 0);
	assert_int_equal(rows, 33);
	assert_int_equal(cols, 101);
	assert_int_equal(tty_size(null, &rows, &cols), -1);
	close(null);
	close(s);
	close(m);
}

static void test_exec_done(void **state)
{
	static const struct kt_exec_done ok[] = { { 0, 0 }, { 7, 0 }, { 255, 0 }, { -1, 9 } };
	static const struct kt_exec_done bad[] = { { 256, 0 }, { -1, 0 }, { 3, 9 }, { -2, 0 },
						   { -1, 200 } };
	static const int status[] = { 0, 7, 255, 137 };

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct kt_wbuf w = { 0 };
		struct kt_decoder d;
		struct kt_frame f;
		struct kt_exec_done got;

		assert_int_equal(kt_enc_exec_done(&w, 5, &ok[i]), 0);
		assert_int_equal(kt_decoder_init(&d), 0);
		kt_decoder_feed(&d, w.buf, w.len);
		assert_int_equal(kt_decoder_next(&d, &f), KT_DEC_FRAME);
		assert_int_equal(f.type, KT_MSG_EXEC_DONE);
		assert_int_equal(kt_dec_exec_done(&f, &got), 0);
		assert_int_equal(got.code, ok[i].code);
		assert_int_equal(got.signo, ok[i].signo);
		assert_int_equal(kt_exec_status(&got), status[i]);
		kt_decoder_free(&d);
		kt_wbuf_free(&w);
	}
	/* Statuses no process can have are malformed, not passed on as exit codes. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kt_wbuf w = { 0 };
		struct kt_decoder d;
		struct kt_frame f;
		struct kt_exec_done got;

		assert_int_equal(kt_enc_exec_done(&w, 0, &bad[i]), 0);
		assert_int_equal(kt_decoder_init(&d), 0);
		kt_decoder_feed(&d, w.buf, w.len);
		assert_int_equal(kt_decoder_next(&d, &f), KT_DEC_FRAME);
		assert_int_equal(kt_dec_exec_done(&f, &got), -1);
		/* A short payload too. */
		f.len = 4;
		assert_int_equal(kt_dec_exec_done(&f, &got), -1);
		kt_decoder_free(&d);
		kt_wbuf_free(&w);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_plain_bytes_pass),
		cmocka_unit_test(test_escape_ctrl_a_x_quits),
		cmocka_unit_test(test_escape_literal_ctrl_a),
		cmocka_unit_test(test_escape_worst_case_fits),
		cmocka_unit_test(test_raw_and_restore),
		cmocka_unit_test(test_restored_after_crash),
		cmocka_unit_test(test_size),
		cmocka_unit_test(test_exec_done),
	};
	return cmocka_run_group_tests_name("tty", tests, NULL, NULL);
}
