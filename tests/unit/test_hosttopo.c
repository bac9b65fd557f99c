// SPDX-License-Identifier: GPL-2.0-only
/* CPU lists and the host topology reader, on synthetic sysfs trees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sysfs_fixture.h"
#include "../../host/hosttopo.h"

static struct hosttopo topo;

static void assert_list(const struct cpuset *s, const char *want)
{
	char buf[4096];

	cpulist_format(s, buf, sizeof(buf));
	if (strcmp(buf, want))
		fail_msg("CPU list '%s', want '%s'", buf, want);
}

static void test_cpulist(void **state)
{
	struct cpuset s;
	char why[256], buf[8];

	(void)state;
	assert_int_equal(cpulist_parse("0-3,8,10-11\n", &s, why, sizeof(why)), 0);
	assert_int_equal(cpuset_count(&s), 7);
	assert_list(&s, "0-3,8,10-11");
	assert_int_equal(cpulist_parse("", &s, why, sizeof(why)), 0);
	assert_int_equal(cpuset_count(&s), 0);
	assert_list(&s, "");
	assert_int_equal(cpulist_parse("1023", &s, why, sizeof(why)), 0);
	assert_int_equal(cpuset_next(&s, 0), 1023);
	assert_int_equal(cpuset_next(&s, 1024), -1);
	assert_int_equal(cpulist_parse("0,2,4", &s, why, sizeof(why)), 0);
	assert_int_equal(cpulist_format(&s, buf, sizeof(buf)), 5);	/* length, not truncated */
	assert_int_equal(cpulist_parse("0-7", &s, why, sizeof(why)), 0);
	assert_int_equal(cpulist_format(&s, buf, 3), 3);	/* truncated, terminated */
	assert_string_equal(buf, "0-");
	for (const char **bad = (const char *[]){ "3-1", "a", "0,,1", "1024", "0-", ",1", "1,",
						 "-1", "2 3", NULL }; *bad; bad++) {
		if (cpulist_parse(*bad, &s, why, sizeof(why)) != -1)
			fail_msg("'%s' parsed", *bad);
		assert_non_null(strstr(why, "not a CPU list"));
	}
}

static void test_status(void **state)
{
	struct cpuset s;
	char why[256];

	(void)state;
	/* Lines from a real /proc/self/status */
	assert_int_equal(hosttopo_parse_status("Name:\tcat\nCpus_allowed:\t3\n"
					       "Cpus_allowed_list:\t0-1\nMems_allowed:\t1\n",
					       &s, why, sizeof(why)), 0);
	assert_list(&s, "0-1");
	assert_int_equal(hosttopo_parse_status("Name:\tcat\n", &s, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "Cpus_allowed_list"));
	assert_int_equal(hosttopo_parse_status("Cpus_allowed_list:\tx\n", &s, why, sizeof(why)), -1);
	/* sched_getaffinity agrees with the kernel's own text */
	assert_int_equal(hosttopo_allowed(&s, why, sizeof(why)), 0);
	assert_true(cpuset_count(&s) >= 1);
}

static void test_two_nodes(void **state)
{
	const unsigned dist[] = { 10, 21, 21, 10 };
	char *root = fx_make(&(struct fx_host){ 2, 4, 8, .dist = dist });
	char why[256];

	(void)state;
	assert_int_equal(hosttopo_load(root, &topo, why, sizeof(why)), 0);
	assert_int_equal(topo.nonline, 64);
	assert_int_equal(topo.nusable, 64);
	assert_string_equal(topo.llc_source, "cache");
	assert_int_equal(topo.nllcs, 8);
	assert_int_equal(topo.nnodes, 2);
	for (unsigned l = 0; l < 8; l++) {
		assert_int_equal(topo.llc[l].ncpus, 8);
		assert_int_equal(topo.llc[l].node, l / 4);
		assert_int_equal(cpuset_next(&topo.llc[l].cpus, 0), (int)l * 8);
	}
	assert_list(&topo.node[1].cpus, "32-63");
	assert_int_equal(topo.node[0].dist[1], 21);
	assert_int_equal(topo.node[1].dist[1], 10);
	assert_int_equal(hosttopo_llc_of(&topo, 42), 5);
	assert_int_equal(hosttopo_llc_of(&topo, 64), -1);
	fx_free(root);
}

static void test_no_cache_no_numa(void **state)
{
	char *root = fx_make(&(struct fx_host){ 1, 1, 2, .no_cache = 1, .no_numa = 1 });
	char why[256];

	(void)state;
	assert_int_equal(hosttopo_load(root, &topo, why, sizeof(why)), 0);
	assert_string_equal(topo.llc_source, "package");
	assert_int_equal(topo.nllcs, 1);
	assert_list(&topo.llc[0].cpus, "0-1");
	assert_int_equal(topo.nnodes, 1);
	assert_int_equal(topo.numa_source, 0);
	assert_list(&topo.node[0].cpus, "0-1");
	fx_free(root);
	/* two packages without cache information: two LLCs */
	root = fx_make(&(struct fx_host){ 2, 1, 4, .no_cache = 1 });
	assert_int_equal(hosttopo_load(root, &topo, why, sizeof(why)), 0);
	assert_int_equal(topo.nllcs, 2);
	assert_list(&topo.llc[1].cpus, "4-7");
	assert_int_equal(topo.llc[1].node, 1);
	fx_free(root);
}

static void test_offline_and_allowed(void **state)
{
	char *root = fx_make(&(struct fx_host){ 1, 2, 4, .online = "0-1,3-4,6-7" });
	struct cpuset allowed;
	char why[256];

	(void)state;
	assert_int_equal(hosttopo_load(root, &topo, why, sizeof(why)), 0);
	assert_int_equal(topo.nonline, 6);
	assert_list(&topo.llc[0].cpus, "0-1,3");
	assert_list(&topo.llc[1].cpus, "4,6-7");
	assert_list(&topo.node[0].cpus, "0-1,3-4,6-7");
	cpulist_parse("0-6", &allowed, why, sizeof(why));
	assert_int_equal(hosttopo_read(root, &allowed, &topo, why, sizeof(why)), 0);
	assert_int_equal(topo.nusable, 5);
	assert_list(&topo.llc[1].usable, "4,6");
	assert_int_equal(topo.llc[1].nusable, 2);
	assert_int_equal(topo.llc[1].ncpus, 3);
	fx_free(root);
}

static void test_errors(void **state)
{
	char *root = fx_make(&(struct fx_host){ .nodes = 2, .llcs_per_node = 1, .cpus_per_llc = 2 });
	char why[512], rel[4200];

	(void)state;
	assert_int_equal(hosttopo_load("/nonexistent-sysfs", &topo, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "/nonexistent-sysfs/devices/system/cpu/online"));
	fx_put(root, "devices/system/node/node1/distance", "20 ten\n");
	assert_int_equal(hosttopo_load(root, &topo, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "node1/distance"));
	fx_put(root, "devices/system/node/node1/distance", "20 10\n");
	fx_put(root, "devices/system/cpu/cpu2/cache/index3/shared_cpu_list", "2-x\n");
	assert_int_equal(hosttopo_load(root, &topo, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "cpu2/cache/index3/shared_cpu_list"));
	fx_put(root, "devices/system/cpu/online", "\n");
	assert_int_equal(hosttopo_load(root, &topo, why, sizeof(why)), -1);
	snprintf(rel, sizeof(rel), "%s/devices/system/cpu/online lists no CPU", root);
	assert_string_equal(why, rel);
	fx_free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpulist),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_two_nodes),
		cmocka_unit_test(test_no_cache_no_numa),
		cmocka_unit_test(test_offline_and_allowed),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests_name("hosttopo", tests, NULL, NULL);
}
