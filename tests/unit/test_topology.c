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
	expect_error("17n17l1c1t", "at most 16 NUMA nodes");
	/* 3 cores pad to 4 APIC IDs per die: 1n80l3c1t has 240 vCPUs but IDs up to 318 */
	expect_error("1n80l3c1t", "APIC IDs up to 318");
}

static void test_apic_and_nodes(void **state)
{
	struct topology t;
	char why[256];

	(void)state;
	assert_int_equal(topology_parse("2n4l2c1t", &t, why, sizeof(why)), 0);
	assert_int_equal(topology_max_apic_id(&t), 7);
	assert_int_equal(topology_node_of(&t, 3), 0);
	assert_int_equal(topology_node_of(&t, 4), 1);
	assert_int_equal(topology_parse("1n1l3c1t", &t, why, sizeof(why)), 0);
	assert_int_equal(topology_max_apic_id(&t), 2);
	assert_int_equal(topology_parse("1n1l127c2t", &t, why, sizeof(why)), 0);
	assert_int_equal(topology_max_apic_id(&t), 253);
}

static void expect_dist_error(const char *s, unsigned nodes, const char *needle)
{
	unsigned char d[TOPO_MAX_NODES * TOPO_MAX_NODES];
	char why[256];

	assert_int_equal(topology_parse_distance(s, nodes, d, why, sizeof(why)), -1);
	if (!strstr(why, needle))
		fail_msg("'%s': message '%s' lacks '%s'", s, why, needle);
}

static void test_distance(void **state)
{
	unsigned char d[TOPO_MAX_NODES * TOPO_MAX_NODES];
	char why[256];

	(void)state;
	assert_int_equal(topology_parse_distance("30", 3, d, why, sizeof(why)), 0);
	assert_int_equal(d[0], 10);
	assert_int_equal(d[1], 30);
	assert_int_equal(d[3 * 2 + 1], 30);
	assert_int_equal(d[3 * 2 + 2], 10);
	assert_int_equal(topology_parse_distance("10,21,22,10", 2, d, why, sizeof(why)), 0);
	assert_int_equal(d[1], 21);
	assert_int_equal(d[2], 22);
	expect_dist_error("10,20,20", 2, "has 3 values");
	expect_dist_error("12,20,20,10", 2, "to itself must be 10");
	expect_dist_error("10", 2, "not in 11..255");
	expect_dist_error("300", 2, "not in 11..255");
	expect_dist_error("20,", 2, "not a distance");
	expect_dist_error("x", 2, "not a distance");
}

static void test_qemu_args(void **state)
{
	struct topology t;
	struct topo_args ta = { 0 };
	unsigned char d[4] = { 10, 25, 25, 10 };
	const char *argv[64];
	char why[256];
	int argc = 0;

	(void)state;
	assert_int_equal(topology_parse("1n2l2c2t", &t, why, sizeof(why)), 0);
	assert_int_equal(topology_qemu_args(&t, 512, NULL, &ta, argv, &argc, 64), 0);
	assert_int_equal(argc, 0);	/* one node: no -numa at all */
	assert_int_equal(topology_parse("2n4l2c1t", &t, why, sizeof(why)), 0);
	assert_int_equal(topology_qemu_args(&t, 513, d, &ta, argv, &argc, 64), 0);
	assert_int_equal(argc, 12);
	assert_string_equal(argv[1], "memory-backend-ram,id=ktmem0,size=256M");
	assert_string_equal(argv[3], "node,nodeid=0,cpus=0-3,memdev=ktmem0");
	assert_string_equal(argv[5], "memory-backend-ram,id=ktmem1,size=257M");
	assert_string_equal(argv[7], "node,nodeid=1,cpus=4-7,memdev=ktmem1");
	assert_string_equal(argv[9], "dist,src=0,dst=1,val=25");
	assert_string_equal(argv[11], "dist,src=1,dst=0,val=25");
	argc = 0;
	assert_int_equal(topology_qemu_args(&t, 512, d, &ta, argv, &argc, 8), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ok),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_apic_and_nodes),
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_qemu_args),
	};
	return cmocka_run_group_tests_name("topology", tests, NULL, NULL);
}
