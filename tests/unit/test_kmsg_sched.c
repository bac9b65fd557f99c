// SPDX-License-Identifier: GPL-2.0-only
/* Kernel log classification and the SCHED_EXIT frame (round trip, untrusted input). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../shared/kmsgmatch.h"
#include "../../shared/msg.h"

static void test_classify(void **state)
{
	(void)state;
	assert_int_equal(kt_kmsg_classify("WARNING: CPU: 0 PID: 1 at kernel/sched/ext.c:123"),
			 KT_KMSG_WARN);
	assert_int_equal(kt_kmsg_classify("BUG: kernel NULL pointer dereference"), KT_KMSG_WARN);
	assert_int_equal(kt_kmsg_classify("Oops: 0000 [#1] PREEMPT SMP"), KT_KMSG_WARN);
	assert_int_equal(kt_kmsg_classify("watchdog: BUG: soft lockup - CPU#0 stuck for 22s!"),
			 KT_KMSG_WARN);
	assert_int_equal(kt_kmsg_classify("rcu: INFO: rcu_preempt detected stalls on CPUs/tasks:"),
			 KT_KMSG_WARN);
	assert_int_equal(kt_kmsg_classify("sched_ext: BPF scheduler \"simple\" enabled"),
			 KT_KMSG_INFO);
	assert_int_equal(kt_kmsg_classify("NMI watchdog: Perf NMI watchdog permanently disabled"),
			 KT_KMSG_NONE);
	assert_int_equal(kt_kmsg_classify("rcu: Hierarchical RCU implementation."), KT_KMSG_NONE);
	assert_int_equal(kt_kmsg_classify("Kernel command line: ktstr.test_kmsg=WARNING:_x"),
			 KT_KMSG_NONE);
	assert_int_equal(kt_kmsg_classify("Run /init as init process"), KT_KMSG_NONE);
}

static void test_sched_exit_round_trip(void **state)
{
	struct kt_sched_exit e = { .code = 3, .signo = 0, .expected = 0, .t_ns = 123456789 }, got;
	struct kt_wbuf w = { 0 };
	struct kt_decoder d;
	struct kt_frame f;

	(void)state;
	snprintf(e.why, sizeof(e.why), "died while the workers ran");
	snprintf(e.log, sizeof(e.log), "line 1\nline 2");
	assert_int_equal(kt_enc_sched_exit(&w, 7, &e), 0);
	assert_int_equal(kt_decoder_init(&d), 0);
	kt_decoder_feed(&d, w.buf, w.len);
	assert_int_equal(kt_decoder_next(&d, &f), KT_DEC_FRAME);
	assert_int_equal(f.type, KT_MSG_SCHED_EXIT);
	assert_string_equal(kt_msg_name(f.type), "SCHED_EXIT");
	assert_int_equal(kt_dec_sched_exit(&f, &got), 0);
	assert_int_equal(got.code, 3);
	assert_int_equal(got.expected, 0);
	assert_int_equal(got.t_ns, 123456789);
	assert_string_equal(got.why, "died while the workers ran");
	assert_string_equal(got.log, "line 1\nline 2");
	/* a payload cut short is rejected, not read past */
	f.len = 10;
	assert_int_equal(kt_dec_sched_exit(&f, &got), -1);
	kt_decoder_free(&d);
	kt_wbuf_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_sched_exit_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
