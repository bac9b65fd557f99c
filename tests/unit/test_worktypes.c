// SPDX-License-Identifier: GPL-2.0-only
/* The work-type table: consistent, every default valid, values read back as the guest does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "../../shared/job.h"
#include "../../shared/worktypes.h"

/* The types the issue asks for, by name: none may go missing from the table. */
static const char *const required[] = {
	"spin", "yield", "mixed", "bursty", "idle-churn", "pipe-io", "futex-pingpong",
	"futex-fanout", "wake-chain", "mutex-contention", "cache-pressure", "page-fault-churn",
	"fork-exit", "affinity-churn", "policy-churn", "nice-sweep", "timer-latency", "exec",
};

static void test_required_types(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!kt_work_find(required[i]))
			fail_msg("work type %s is missing", required[i]);
	assert_null(kt_work_find("nosuch"));
	assert_int_equal(kt_work_find("pipe-io")->workers_multiple, 2);
	assert_int_equal(kt_work_find("futex-pingpong")->workers_multiple, 2);
}

static void check_params(const char *type, const struct kt_work_param *p)
{
	char why[256];
	uint64_t v;

	for (; p->key; p++) {
		if (kt_work_param_parse(p, p->def, &v, why, sizeof(why)))
			fail_msg("%s: default %s=%s does not parse: %s", type, p->key, p->def, why);
		assert_non_null(p->help);
		if (p->kind != KT_P_STRING)
			assert_true(p->min <= p->max);
	}
}

static void test_defaults_parse_and_names_unique(void **state)
{
	(void)state;
	for (size_t i = 0; i < kt_nwork_types; i++) {
		const struct kt_work_type *t = &kt_work_types[i];

		check_params(t->name, t->params);
		for (size_t j = i + 1; j < kt_nwork_types; j++)
			assert_string_not_equal(t->name, kt_work_types[j].name);
		for (const struct kt_work_param *p = t->params; p->key; p++)
			for (const struct kt_work_param *q = kt_work_common_params; q->key; q++)
				assert_string_not_equal(p->key, q->key);
	}
	check_params("(common)", kt_work_common_params);
}

static void test_values_as_the_guest_reads_them(void **state)
{
	struct kt_job j;
	struct kt_group *g;

	(void)state;
	kt_job_init(&j);
	g = kt_job_add_group(&j, "t");
	snprintf(g->work, sizeof(g->work), "timer-latency");
	/* Defaults, in the kind's unit (durations in microseconds). */
	assert_int_equal(kt_work_param_u64(g, "interval"), 1000);
	assert_int_equal(kt_work_param_u64(g, "test_hang"), 0);
	assert_int_equal(kt_work_param_u64(g, "nosuch"), 0);
	snprintf(g->params[0].key, sizeof(g->params[0].key), "interval");
	snprintf(g->params[0].value, sizeof(g->params[0].value), "250us");
	snprintf(g->params[1].key, sizeof(g->params[1].key), "test_sigstop");
	snprintf(g->params[1].value, sizeof(g->params[1].value), "1s");
	g->nparams = 2;
	assert_int_equal(kt_work_param_u64(g, "interval"), 250);
	assert_int_equal(kt_work_param_u64(g, "test_sigstop"), 1000000);
	/* Out of bounds (the host rejects it): the guest falls back to the default. */
	snprintf(g->params[0].value, sizeof(g->params[0].value), "5s");
	assert_int_equal(kt_work_param_u64(g, "interval"), 1000);
	snprintf(g->work, sizeof(g->work), "cache-pressure");
	assert_int_equal(kt_work_param_u64(g, "size"), 1024 * 1024);
	snprintf(g->work, sizeof(g->work), "exec");
	assert_string_equal(kt_work_param_str(g, "cmd"), "/ktstr/init --ktstr-exit=0");
	kt_job_free(&j);
}

static void test_list_names_every_type(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	(void)state;
	assert_non_null(f);
	kt_work_print(f);
	fclose(f);
	for (size_t i = 0; i < kt_nwork_types; i++) {
		char name[64];

		snprintf(name, sizeof(name), "\n  %s: ", kt_work_types[i].name);
		if (!strstr(buf, name))
			fail_msg("--list-work does not show %s", kt_work_types[i].name);
	}
	assert_non_null(strstr(buf, "interval       duration default 1ms, 10us..100ms"));
	assert_non_null(strstr(buf, "test_sigstop"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_required_types),
		cmocka_unit_test(test_defaults_parse_and_names_unique),
		cmocka_unit_test(test_values_as_the_guest_reads_them),
		cmocka_unit_test(test_list_names_every_type),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
