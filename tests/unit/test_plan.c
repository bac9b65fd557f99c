// SPDX-License-Identifier: GPL-2.0-only
/* The lock planner on synthetic hosts: exact CPUs and LLCs, NUMA placement, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "sysfs_fixture.h"
#include "../../host/plan.h"

static struct hosttopo big, tiny, holes, four;	/* 2n x 4 LLCs x 8, 1x1x2, offline, 4 nodes */
static struct plan p;
static struct plan_held held;

static int setup(void **state)
{
	static const unsigned dist4[] = {	/* from node 0: node 2, then 1, then 3 */
		10, 30, 20, 40,
		30, 10, 20, 30,
		20, 20, 10, 30,
		40, 30, 30, 10,
	};
	static const unsigned dist2[] = { 10, 21, 21, 10 };
	struct { struct fx_host h; struct hosttopo *t; } hosts[] = {
		{ { 2, 4, 8, .dist = dist2 }, &big },
		{ { 1, 1, 2, .no_cache = 1, .no_numa = 1 }, &tiny },
		{ { 1, 2, 4, .online = "0-1,3-4,6-7" }, &holes },
		{ { 4, 1, 4, .dist = dist4 }, &four },
	};
	char why[512];

	(void)state;
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		char *root = fx_make(&hosts[i].h);

		if (hosttopo_load(root, hosts[i].t, why, sizeof(why)) < 0)
			fail_msg("fixture %zu: %s", i, why);
		fx_free(root);
	}
	return 0;
}

static struct plan_req req(enum plan_mode m, const char *shape, unsigned cap)
{
	struct plan_req r = { m, { 0, 0, 0, 0 }, cap };
	char why[256];

	if (topology_parse(shape, &r.vtopo, why, sizeof(why)) < 0)
		fail_msg("%s", why);
	return r;
}

static enum plan_result run(const struct hosttopo *t, enum plan_mode m, const char *shape,
			    unsigned cap, const struct plan_held *h, char *why)
{
	struct plan_req r = req(m, shape, cap);

	return plan_make(t, &r, h, &p, why, 512);
}

static void assert_cpus(const char *want)
{
	char buf[4096];

	cpulist_format(&p.cpus, buf, sizeof(buf));
	if (strcmp(buf, want))
		fail_msg("planned CPUs '%s', want '%s'", buf, want);
}

static void assert_llcs(unsigned n, const unsigned *want)
{
	assert_int_equal(p.nllcs, n);
	for (unsigned i = 0; i < n; i++)
		if (p.llc[i] != want[i])
			fail_msg("LLC %u is host LLC %u, want %u", i, p.llc[i], want[i]);
}

/* The lock of kind/idx in the plan: 1 exclusive, 0 shared, -1 absent. */
static int lock_of(char kind, unsigned idx)
{
	for (unsigned i = 0; i < p.nlocks; i++)
		if (p.locks[i].kind == kind && p.locks[i].idx == idx)
			return p.locks[i].excl;
	return -1;
}

static void test_budget(void **state)
{
	(void)state;
	assert_int_equal(plan_budget(0, 1, 64), 20);	/* 19.2 rounds up */
	assert_int_equal(plan_budget(0, 1, 10), 3);
	assert_int_equal(plan_budget(0, 1, 4), 2);	/* 1.2 -> 2 */
	assert_int_equal(plan_budget(0, 1, 3), 1);	/* 0.9 -> 1 */
	assert_int_equal(plan_budget(0, 1, 2), 1);
	assert_int_equal(plan_budget(0, 30, 64), 30);	/* the vCPU count above the floor */
	assert_int_equal(plan_budget(0, 100, 64), 64);	/* capped at all */
	assert_int_equal(plan_budget(5, 1, 64), 5);	/* --cpu-cap is taken as given */
}

static void test_perf_two_nodes(void **state)
{
	char why[512];

	(void)state;
	/* Each guest node on its own host node; vCPUs in order; the spare CPU serves. */
	assert_int_equal(run(&big, PLAN_PERF, "2n4l4c1t", 0, NULL, why), PLAN_OK);
	assert_llcs(4, (const unsigned[]){ 0, 1, 4, 5 });
	assert_int_equal(p.nvcpus, 16);
	assert_int_equal(p.vcpu_cpu[0], 0);
	assert_int_equal(p.vcpu_cpu[3], 3);
	assert_int_equal(p.vcpu_cpu[4], 8);
	assert_int_equal(p.vcpu_cpu[8], 32);
	assert_int_equal(p.vcpu_cpu[15], 43);
	assert_int_equal(p.service_cpu, 4);
	assert_cpus("0-4,8-11,32-35,40-43");
	assert_int_equal(lock_of('l', 0), 1);
	assert_int_equal(lock_of('l', 5), 1);
	assert_int_equal(lock_of('l', 2), -1);
	assert_int_equal(lock_of('c', 4), 1);
	assert_int_equal(lock_of('c', 5), -1);
	assert_int_equal(p.nlocks, 4 + 17);
	assert_string_equal(p.note, "");
	/* SMT threads count: 1n1l2c2t takes 4 CPUs of one LLC */
	assert_int_equal(run(&big, PLAN_PERF, "1n1l2c2t", 0, NULL, why), PLAN_OK);
	assert_cpus("0-4");
	assert_int_equal(p.service_cpu, 4);
}

static void test_perf_held(void **state)
{
	char why[512];

	(void)state;
	/* LLC 0 is someone's, LLC 1 is shared: 8-CPU LLCs leave no spare, so the service
	 * CPU comes from the shared LLC rather than breaking up an idle one. */
	memset(&held, 0, sizeof(held));
	held.llc_excl[0] = 1;
	held.llc_shared[1] = 1;
	held.cpu_shared[8] = 1;
	assert_int_equal(run(&big, PLAN_PERF, "1n2l8c1t", 0, &held, why), PLAN_OK);
	assert_llcs(2, (const unsigned[]){ 2, 3 });
	assert_int_equal(p.service_cpu, 9);	/* CPU 8 has a sharer */
	assert_int_equal(lock_of('l', 1), 0);	/* the service CPU's LLC, shared */
	assert_int_equal(lock_of('c', 9), 1);
	/* A second guest node goes to the other host node even though node 0 has room. */
	memset(&held, 0, sizeof(held));
	assert_int_equal(run(&big, PLAN_PERF, "2n2l2c1t", 0, &held, why), PLAN_OK);
	assert_llcs(2, (const unsigned[]){ 0, 4 });
	/* Node 1 mostly busy: both guest nodes then share host node 0. */
	held.llc_excl[4] = held.llc_excl[5] = held.llc_excl[6] = 1;
	assert_int_equal(run(&big, PLAN_PERF, "2n4l2c1t", 0, &held, why), PLAN_OK);
	assert_llcs(4, (const unsigned[]){ 0, 1, 2, 3 });
	assert_string_equal(p.note, "");
}

static void test_perf_spill(void **state)
{
	char why[512];

	(void)state;
	/* One guest node of 6 LLCs: no host node has 6, so it spans node 0 then node 1. */
	assert_int_equal(run(&big, PLAN_PERF, "1n6l1c1t", 0, NULL, why), PLAN_OK);
	assert_llcs(6, (const unsigned[]){ 0, 1, 2, 3, 4, 5 });
	assert_string_equal(p.note, "guest node 0 (6 LLCs) does not fit in one host node: "
			    "spans host nodes 0,1");
	/* On the 4-node host the nearest node to node 0 is node 2, then 1. */
	assert_int_equal(run(&four, PLAN_PERF, "1n3l2c1t", 0, NULL, why), PLAN_OK);
	assert_llcs(3, (const unsigned[]){ 0, 2, 1 });
	assert_string_equal(p.note, "guest node 0 (3 LLCs) does not fit in one host node: "
			    "spans host nodes 0,2,1");
	assert_int_equal(p.vcpu_cpu[2], 8);
	assert_int_equal(p.vcpu_cpu[4], 4);
}

static void test_perf_smt(void **state)
{
	/* 8-CPU LLCs, siblings (0,1), (2,3), ... and (0,4), (1,5), ... */
	char *r1 = fx_make(&(struct fx_host){ 1, 1, 8, .smt = 1 });
	char *r2 = fx_make(&(struct fx_host){ 1, 1, 8, .smt = 2 });
	static struct hosttopo amd, intel;
	char why[512];

	(void)state;
	assert_int_equal(hosttopo_load(r1, &amd, why, sizeof(why)), 0);
	assert_int_equal(hosttopo_load(r2, &intel, why, sizeof(why)), 0);
	fx_free(r1);
	fx_free(r2);
	assert_int_equal(amd.core_of[3], 2);
	assert_int_equal(intel.core_of[6], 2);
	/* No guest SMT: a whole host core per vCPU, the service CPU on a free core too */
	assert_int_equal(run(&amd, PLAN_PERF, "1n1l2c1t", 0, NULL, why), PLAN_OK);
	assert_int_equal(p.vcpu_cpu[0], 0);
	assert_int_equal(p.vcpu_cpu[1], 2);
	assert_int_equal(p.service_cpu, 4);
	assert_int_equal(run(&intel, PLAN_PERF, "1n1l2c1t", 0, NULL, why), PLAN_OK);
	assert_cpus("0-2");
	/* Guest SMT: guest siblings on host siblings */
	assert_int_equal(run(&amd, PLAN_PERF, "1n1l2c2t", 0, NULL, why), PLAN_OK);
	assert_cpus("0-4");
	assert_int_equal(run(&intel, PLAN_PERF, "1n1l2c2t", 0, NULL, why), PLAN_OK);
	assert_int_equal(p.vcpu_cpu[0], 0);
	assert_int_equal(p.vcpu_cpu[1], 4);
	assert_int_equal(p.vcpu_cpu[2], 1);
	assert_int_equal(p.vcpu_cpu[3], 5);
	assert_int_equal(p.service_cpu, 2);
	/* More vCPUs than cores: the second threads after the first ones */
	assert_int_equal(run(&amd, PLAN_PERF, "1n1l6c1t", 0, NULL, why), PLAN_OK);
	assert_int_equal(p.vcpu_cpu[3], 6);
	assert_int_equal(p.vcpu_cpu[4], 1);
	assert_int_equal(p.vcpu_cpu[5], 3);
	assert_int_equal(p.service_cpu, 5);
}

static void test_perf_offline(void **state)
{
	char why[512];

	(void)state;
	assert_int_equal(run(&holes, PLAN_PERF, "1n2l2c1t", 0, NULL, why), PLAN_OK);
	assert_llcs(2, (const unsigned[]){ 0, 1 });
	assert_int_equal(p.vcpu_cpu[0], 0);
	assert_int_equal(p.vcpu_cpu[1], 1);
	assert_int_equal(p.vcpu_cpu[2], 4);	/* CPU 5 is offline */
	assert_int_equal(p.vcpu_cpu[3], 6);
	assert_int_equal(p.service_cpu, 3);
	assert_cpus("0-1,3-4,6");
}

static void test_perf_errors(void **state)
{
	char why[512];

	(void)state;
	assert_int_equal(run(&tiny, PLAN_PERF, "1n1l4c1t", 0, NULL, why), PLAN_NEVER);
	assert_non_null(strstr(why, "needs 1 whole host LLCs with at least 4 usable CPUs"));
	assert_non_null(strstr(why, "has 0 such LLCs"));
	/* 2 CPUs: both vCPUs fit, the service CPU does not */
	assert_int_equal(run(&tiny, PLAN_PERF, "1n1l2c1t", 0, NULL, why), PLAN_NEVER);
	assert_non_null(strstr(why, "plus a service CPU"));
	assert_int_equal(run(&tiny, PLAN_PERF, "1n1l1c1t", 0, NULL, why), PLAN_OK);
	assert_int_equal(p.service_cpu, 1);
	assert_int_equal(run(&big, PLAN_PERF, "1n9l1c1t", 0, NULL, why), PLAN_NEVER);
	assert_int_equal(run(&holes, PLAN_PERF, "1n2l3c1t", 0, NULL, why), PLAN_NEVER);
	/* Busy: all but one LLC shared by default-mode runs */
	memset(&held, 0, sizeof(held));
	for (unsigned l = 1; l < 8; l++)
		held.llc_shared[l] = 1;
	assert_int_equal(run(&big, PLAN_PERF, "1n2l1c1t", 0, &held, why), PLAN_BUSY);
	assert_non_null(strstr(why, "7 of 8 are held"));
	assert_int_equal(run(&big, PLAN_PERF, "1n1l1c1t", 0, &held, why), PLAN_OK);
	assert_llcs(1, (const unsigned[]){ 0 });
	/* Busy: the service CPU (no spare in an 8-CPU LLC, everything else exclusive) */
	memset(&held, 0, sizeof(held));
	for (unsigned l = 1; l < 8; l++)
		held.llc_excl[l] = 1;
	assert_int_equal(run(&big, PLAN_PERF, "1n1l8c1t", 0, &held, why), PLAN_BUSY);
	assert_non_null(strstr(why, "service CPU"));
	/* A CPU lock held in an otherwise free LLC makes that LLC unusable for perf */
	memset(&held, 0, sizeof(held));
	cpuset_set(&held.cpu_excl, 3);
	assert_int_equal(run(&big, PLAN_PERF, "1n1l1c1t", 0, &held, why), PLAN_OK);
	assert_llcs(1, (const unsigned[]){ 1 });
}

static void test_default(void **state)
{
	char why[512];

	(void)state;
	/* 1 vCPU on 64 CPUs: the 30% floor, 20 CPUs, all in node 0 */
	assert_int_equal(run(&big, PLAN_DEFAULT, "1n1l1c1t", 0, NULL, why), PLAN_OK);
	assert_int_equal(p.budget, 20);
	assert_cpus("0-19");
	assert_llcs(3, (const unsigned[]){ 0, 1, 2 });
	assert_int_equal(lock_of('l', 2), 0);
	assert_int_equal(lock_of('c', 19), 0);
	assert_int_equal(lock_of('c', 20), -1);
	assert_int_equal(p.service_cpu, -1);
	/* --cpu-cap 12 */
	assert_int_equal(run(&big, PLAN_DEFAULT, "1n1l1c1t", 12, NULL, why), PLAN_OK);
	assert_cpus("0-11");
	/* tiny host: 1 CPU of 2 */
	assert_int_equal(run(&tiny, PLAN_DEFAULT, "1n1l4c1t", 0, NULL, why), PLAN_OK);
	assert_int_equal(p.budget, 2);	/* 4 vCPUs, capped at the 2 CPUs */
	assert_cpus("0-1");
	assert_int_equal(run(&tiny, PLAN_DEFAULT, "1n1l1c1t", 0, NULL, why), PLAN_OK);
	assert_cpus("0");
}

static void test_default_prefers_shared(void **state)
{
	char why[512];

	(void)state;
	/* Another run shares LLC 5 (on node 1), on CPUs 40-41: join it there. */
	memset(&held, 0, sizeof(held));
	held.llc_shared[5] = 1;
	held.cpu_shared[40] = held.cpu_shared[41] = 1;
	assert_int_equal(run(&big, PLAN_DEFAULT, "1n1l1c1t", 4, &held, why), PLAN_OK);
	assert_llcs(1, (const unsigned[]){ 5 });
	assert_cpus("42-45");	/* the CPUs nobody runs on first */
	/* 8 CPUs: LLC 5 has 8, so the least-loaded 6 and then the sharers' 2 */
	assert_int_equal(run(&big, PLAN_DEFAULT, "1n1l1c1t", 8, &held, why), PLAN_OK);
	assert_cpus("40-47");
	/* Exclusive holders are avoided: LLC 0 and CPU 9 */
	memset(&held, 0, sizeof(held));
	held.llc_excl[0] = 1;
	cpuset_set(&held.cpu_excl, 9);
	assert_int_equal(run(&big, PLAN_DEFAULT, "1n1l1c1t", 4, &held, why), PLAN_OK);
	assert_cpus("8,10-12");
}

static void test_default_spill(void **state)
{
	char why[512];

	(void)state;
	/* 10 CPUs on 4-CPU nodes: node 0, then by distance node 2, then node 1. */
	assert_int_equal(run(&four, PLAN_DEFAULT, "1n1l1c1t", 10, NULL, why), PLAN_OK);
	assert_cpus("0-5,8-11");
	assert_llcs(3, (const unsigned[]){ 0, 2, 1 });
	assert_string_equal(p.note, "budget of 10 CPUs does not fit in host node 0 (4 free): "
			    "spilling to node 2 (distance 20) and beyond");
	/* Node 0 busy: start on the node with most free CPUs (ties: lowest), node 1 */
	memset(&held, 0, sizeof(held));
	held.llc_excl[0] = 1;
	assert_int_equal(run(&four, PLAN_DEFAULT, "1n1l1c1t", 6, &held, why), PLAN_OK);
	assert_cpus("4-9");
	assert_non_null(strstr(p.note, "host node 1 (4 free): spilling to node 2 (distance 20)"));
	/* 2 nodes: 40 CPUs spill from node 0 to node 1 */
	assert_int_equal(run(&big, PLAN_DEFAULT, "1n1l1c1t", 40, NULL, why), PLAN_OK);
	assert_cpus("0-39");
	assert_string_equal(p.note, "budget of 40 CPUs does not fit in host node 0 (32 free): "
			    "spilling to node 1 (distance 21)");
}

static void test_default_errors(void **state)
{
	char why[512];

	(void)state;
	assert_int_equal(run(&big, PLAN_DEFAULT, "1n1l1c1t", 65, NULL, why), PLAN_NEVER);
	assert_non_null(strstr(why, "65 CPUs is more than the 64"));
	memset(&held, 0, sizeof(held));
	for (unsigned l = 0; l < 8; l++)
		held.llc_excl[l] = 1;
	assert_int_equal(run(&big, PLAN_DEFAULT, "1n1l1c1t", 0, &held, why), PLAN_BUSY);
	assert_non_null(strstr(why, "hold 64 of the 64"));
	/* 20 needed, 24 CPUs free in LLCs 5-7: fine; 4 more taken: busy */
	for (unsigned l = 5; l < 8; l++)
		held.llc_excl[l] = 0;
	assert_int_equal(run(&big, PLAN_DEFAULT, "1n1l1c1t", 0, &held, why), PLAN_OK);
	assert_cpus("40-59");
	for (unsigned c = 40; c < 45; c++)
		cpuset_set(&held.cpu_excl, c);
	assert_int_equal(run(&big, PLAN_DEFAULT, "1n1l1c1t", 0, &held, why), PLAN_BUSY);
}

static void test_describe(void **state)
{
	char why[512], buf[4096];

	(void)state;
	assert_int_equal(run(&big, PLAN_PERF, "2n2l2c1t", 0, NULL, why), PLAN_OK);
	plan_describe(&big, &p, buf, sizeof(buf));
	assert_string_equal(buf, "virtual LLC 0 -> host LLC 0 (node 0), vCPUs 0:0 1:1\n"
				 "virtual LLC 1 -> host LLC 4 (node 1), vCPUs 2:32 3:33\n"
				 "service CPU 2\n");
	assert_int_equal(run(&big, PLAN_DEFAULT, "1n1l1c1t", 12, NULL, why), PLAN_OK);
	plan_describe(&big, &p, buf, sizeof(buf));
	assert_string_equal(buf, "budget 12 CPUs: 0-11 in LLC 0,1 (shared)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_perf_two_nodes),
		cmocka_unit_test(test_perf_held),
		cmocka_unit_test(test_perf_spill),
		cmocka_unit_test(test_perf_smt),
		cmocka_unit_test(test_perf_offline),
		cmocka_unit_test(test_perf_errors),
		cmocka_unit_test(test_default),
		cmocka_unit_test(test_default_prefers_shared),
		cmocka_unit_test(test_default_spill),
		cmocka_unit_test(test_default_errors),
		cmocka_unit_test(test_describe),
	};
	return cmocka_run_group_tests_name("plan", tests, setup, NULL);
}
