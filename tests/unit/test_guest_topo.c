// SPDX-License-Identifier: GPL-2.0-only
/* The host's check of the topology the guest reports against the one requested. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "../../host/guest_topo.h"
#include "../../shared/msg.h"

static void feed(struct guest_topo *g, const struct topology *t, const struct kt_topo_cpu *c)
{
	struct kt_wbuf w = { 0 };
	struct kt_frame f = { .type = KT_MSG_TOPO_CPU };

	assert_int_equal(kt_enc_topo_cpu(&w, 0, c), 0);
	/* The payload sits between the header and the trailer. */
	f.payload = w.buf + KT_HDR_LEN;
	f.len = (uint32_t)(w.len - KT_HDR_LEN - KT_TRAILER_LEN);
	assert_int_equal(guest_topo_frame(g, &f, t, 0), 0);
	kt_wbuf_free(&w);
}

static void test_match_and_mismatch(void **state)
{
	struct topology t;
	struct guest_topo g = { 0 };
	char why[128];
	/* 2n4l2c1t: cpu 5 is node 1, LLC 4-5, siblings 5 */
	struct kt_topo_cpu good = { .cpu = 5, .node = 1, .llc = "4-5", .siblings = "5" };
	struct kt_topo_cpu wide = { .cpu = 5, .node = 1, .llc = "4-7", .siblings = "5" };
	struct kt_topo_cpu node = { .cpu = 5, .node = 0, .llc = "4-5", .siblings = "5" };
	struct kt_topo_cpu extra = { .cpu = 8, .node = 1, .llc = "8", .siblings = "8" };

	(void)state;
	assert_int_equal(topology_parse("2n4l2c1t", &t, why, sizeof(why)), 0);
	feed(&g, &t, &good);
	assert_int_equal(g.mismatches, 0);
	feed(&g, &t, &wide);
	assert_int_equal(g.mismatches, 1);
	feed(&g, &t, &node);
	assert_int_equal(g.mismatches, 2);
	feed(&g, &t, &extra);
	assert_int_equal(g.mismatches, 3);
	assert_int_equal(g.cpus, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match_and_mismatch),
	};
	return cmocka_run_group_tests_name("guest_topo", tests, NULL, NULL);
}
