// SPDX-License-Identifier: GPL-2.0-only
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../../host/topology.h"

static void test_parse_ok(void **state)
{
	struct topology t;
	char why[256], out[64];

	(void)state;
	assert_int_equal(topology_parse("1n2l4c2t", &t, why, sizeof(why)), 0);
	assert_int_equal(t.nodes, 1);
	assert_int_equal(t.llcs, 2);
	assert_int_equal(t.cores, 4);
	assert_int_equal(t.threads, 2);
	assert_int_equal(topology_vcpus(&t), 16);
	topology_format(&t, out, sizeof(out));
	assert_string_equal(out, "1n2l4c2t");
	assert_int_equal(topology_parse("2,4,2,1", &t, why, sizeof(why)), 0);
	assert_int_equal(t.nodes, 2);
	assert_int_equal(t.llcs, 4);
	assert_int_equal(topology_vcpus(&t), 8);
}

static void expect_error(const char *s, const char *needle)
{
	struct topology t;
	char why[256];

	assert_int_equal(topology_parse(s, &t, why, sizeof(why)), -1);
	if (!strstr(why, needle))
		fail_msg("'%s': message '%s' lacks '%s'", s, why, needle);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_error("", "not a topology");
	expect_error("1n2l4c", "not a topology");
	expect_error("1n2l4c2tx", "unexpected");
	expect_error("0n1l1c1t", "NUMA node count must be at least 1");
	expect_error("1n0l1c1t", "LLC count");
	expect_error("2n3l1c1t", "cannot be split evenly");
	expect_error("1n16l8c2t", "at most 255");
	expect_error("1,2,3", "not a topology");
	expect_error("-1n1l1c1t", "not a topology");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
	};
	return cmocka_run_group_tests_name("topology", tests, NULL, NULL);
}
