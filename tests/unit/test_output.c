// SPDX-License-Identifier: GPL-2.0-only
/*
 * What people and CI read: the JSON document validated against docs/result.schema.json
 * (and the validator shown to reject bad documents), the schema's properties documented in
 * docs/json-schema.md, the human summary, colour rules, and JUnit with one testcase per
 * check per group parsed back with libxml2.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../host/checks.h"
#include "../../host/output.h"
#include "../../host/util.h"
#include "jsonschema.h"
#include "synth.h"
#include "xpath.h"

struct run {
	struct result r;
	struct verdict vd;
	int status;
	char why[512];
};

static const char *top(void)
{
	const char *t = getenv("KTSTR_TOP");

	return t && *t ? t : ".";
}

/* Two groups, latency samples, a migration, a sentinel, kernel lines, a scheduler exit. */
static void rich_run(struct run *x)
{
	struct kt_worker_report w[4];
	struct synth s = { 0 };
	struct kt_job j;
	struct kt_group *g;

	synth_job1(&j, 2);
	snprintf(j.scheduler, sizeof(j.scheduler), "/ktstr/scx_test");
	j.nsysctls = 1;
	snprintf(j.sysctls[0].name, sizeof(j.sysctls[0].name), "kernel.sched_rt_runtime_us");
	snprintf(j.sysctls[0].value, sizeof(j.sysctls[0].value), "-1");
	g = kt_job_add_group(&j, "hogs");
	g->workers = 2;
	snprintf(g->cpus, sizeof(g->cpus), "1");
	g->nparams = 1;
	snprintf(g->params[0].key, sizeof(g->params[0].key), "burst");
	snprintf(g->params[0].value, sizeof(g->params[0].value), "2ms");
	g->checks.max_p99_wake_us = 100;
	synth_mkworker(&w[0], 0, 0, 101, 1000, 10);
	synth_mkworker(&w[1], 0, 1, 102, 1200, 40);	/* spread 30 > 15: fairness fails */
	synth_mkworker(&w[2], 1, 0, 201, 500, 5);
	synth_mkworker(&w[3], 1, 1, 202, 0, 0);
	w[0].wake.count = 3;
	w[0].wake.n = 3;
	w[0].wake.v_ns[0] = 1000;
	w[0].wake.v_ns[1] = 2000;
	w[0].wake.v_ns[2] = 3000;
	w[0].wake.max_ns = 5000;
	w[0].migrations = 1;
	w[0].nmig = 1;
	w[0].mig[0].from = 0;
	w[0].mig[0].to = 1;
	w[0].nnodes = 1;
	w[0].numa_pages[0] = 12;
	w[2].cpus[0] = 1;
	w[3].status = KT_W_KILLED;
	w[3].signo = 11;
	w[3].cpus[0] = 1;
	snprintf(w[3].error, sizeof(w[3].error), "bytes \xff\xfe are not UTF-8, \x01 not XML");
	synth_hello(&s, 2);
	synth_topo(&s);
	synth_job(&s, &j);
	synth_group(&s, 1, "1");
	for (int i = 0; i < 4; i++)
		synth_worker(&s, &w[i]);
	synth_text(&s, KT_MSG_KMSG, "sched_ext: BPF scheduler \"test\" enabled");
	synth_sched_exit(&s, 0, -1, "died while workers ran", "unregistered from user space\n");
	synth_exit(&s, 0);
	memset(x, 0, sizeof(*x));
	result_init(&x->r);
	assert_int_equal(result_feed_buf(&x->r, s.w.buf, s.w.len), 0);
	kt_wbuf_free(&s.w);
	kt_job_free(&j);
	assert_int_equal(checks_run(&x->r, &x->vd), 0);
	x->status = checks_exit_status(&x->r, &x->vd, x->why, sizeof(x->why));
}

static void run_free(struct run *x)
{
	verdict_free(&x->vd);
	result_free(&x->r);
}

static json_t *load_schema(void)
{
	char path[4096];
	json_error_t e;
	json_t *s;

	snprintf(path, sizeof(path), "%s/docs/result.schema.json", top());
	s = json_load_file(path, 0, &e);
	if (!s)
		fail_msg("%s:%d: %s", path, e.line, e.text);
	return s;
}

static json_t *json_of(struct run *x, const struct run_meta *m)
{
	char path[] = "/tmp/ktstr-json-XXXXXX";
	int fd = mkstemp(path);
	json_error_t e;
	json_t *doc;

	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(output_json("--json", path, &x->r, &x->vd, x->status, x->why, m), 0);
	doc = json_load_file(path, 0, &e);
	if (!doc)
		fail_msg("output is not JSON: %d: %s", e.line, e.text);
	if (getenv("KEEP_JSON"))
		json_dump_file(doc, getenv("KEEP_JSON"), JSON_INDENT(1));
	unlink(path);
	return doc;
}

static void assert_valid(json_t *schema, json_t *doc)
{
	char err[1100];

	if (js_validate(schema, doc, err, sizeof(err)))
		fail_msg("JSON does not match the schema: %s", err);
}

static void test_json_matches_schema(void **state)
{
	struct run_meta m = { .source = "run", .kernel = "/k/vmlinuz", .topology = "1n1l2c1t",
			      .accel = "tcg", .seconds = 7.5 };
	json_t *schema = load_schema(), *doc;
	struct run x;

	(void)state;
	rich_run(&x);
	doc = json_of(&x, &m);
	assert_valid(schema, doc);
	assert_string_equal(json_string_value(json_object_get(doc, "verdict")), "fail");
	assert_int_equal(json_integer_value(json_object_get(doc, "exit_status")), 1);
	assert_int_equal(json_array_size(json_object_get(doc, "groups")), 2);
	/* thresholds that are off are null, set ones are numbers */
	assert_true(json_is_null(json_object_get(json_object_get(json_object_get(doc, "job"),
				 "checks"), "max_p99_wake_us")));
	{
		json_t *g1 = json_array_get(json_object_get(doc, "groups"), 1);
		json_t *st = json_object_get(g1, "stats");
		json_t *g0s = json_object_get(json_array_get(json_object_get(doc, "groups"), 0),
					      "stats");

		assert_string_equal(json_string_value(json_object_get(g1, "name")), "hogs");
		assert_int_equal(json_integer_value(json_object_get(st, "sentinels")), 1);
		assert_int_equal(json_array_size(json_object_get(g1, "workers")), 2);
		assert_true(json_real_value(json_object_get(g0s, "offcpu_spread_pct")) > 29.99 &&
			    json_real_value(json_object_get(g0s, "offcpu_spread_pct")) < 30.01);
	}
	/* what the guest saw of its machine */
	{
		json_t *t = json_object_get(json_object_get(doc, "guest"), "topology");

		assert_int_equal(json_array_size(json_object_get(t, "cpus")), 2);
		assert_string_equal(json_string_value(json_object_get(json_array_get(
			json_object_get(t, "cpus"), 1), "llc")), "0-1");
		assert_string_equal(json_string_value(json_object_get(json_array_get(
			json_object_get(t, "nodes"), 0), "cpus")), "0-1");
	}
	/* every check of both groups and the run-wide ones */
	assert_int_equal(json_array_size(json_object_get(doc, "checks")), 2 * 10 + 3);
	json_decref(doc);

	/* decode of a boot-only stream: no job, nulls where nothing is known */
	run_free(&x);
	{
		struct synth s = { 0 };

		synth_hello(&s, 1);
		synth_exit(&s, 0);
		memset(&x, 0, sizeof(x));
		result_init(&x.r);
		assert_int_equal(result_feed_buf(&x.r, s.w.buf, s.w.len), 0);
		kt_wbuf_free(&s.w);
		x.status = checks_exit_status(&x.r, &x.vd, x.why, sizeof(x.why));
		doc = json_of(&x, NULL);
		assert_valid(schema, doc);
		assert_true(json_is_null(json_object_get(doc, "job")));
		json_decref(doc);
	}
	run_free(&x);
	json_decref(schema);
}

/* The validator is a test too: it must reject what the schema forbids. */
static void test_schema_rejects_bad_documents(void **state)
{
	json_t *schema = load_schema(), *doc;
	struct run x;
	char err[1100];

	(void)state;
	rich_run(&x);
	doc = json_of(&x, NULL);
	assert_valid(schema, doc);

	json_object_set_new(doc, "surprise", json_true());
	assert_int_equal(js_validate(schema, doc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "surprise"));
	json_object_del(doc, "surprise");

	json_object_set_new(doc, "verdict", json_string("maybe"));
	assert_int_equal(js_validate(schema, doc, err, sizeof(err)), -1);
	json_object_set_new(doc, "verdict", json_string("fail"));

	json_object_set_new(json_object_get(doc, "stream"), "frames", json_string("many"));
	assert_int_equal(js_validate(schema, doc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/stream/frames"));
	json_object_set_new(json_object_get(doc, "stream"), "frames", json_integer(3));

	json_object_del(json_array_get(json_object_get(json_array_get(
		json_object_get(doc, "groups"), 0), "workers"), 1), "tid");
	assert_int_equal(js_validate(schema, doc, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "missing required 'tid'"));

	json_decref(doc);
	json_decref(schema);
	run_free(&x);
}

/* Every property of the schema is documented in docs/json-schema.md. */
static void test_schema_documented(void **state)
{
	json_t *schema = load_schema(), *defs;
	char path[4096], *md, pat[128];
	size_t len;
	const char *k, *dk;
	json_t *v, *dv;

	(void)state;
	snprintf(path, sizeof(path), "%s/docs/json-schema.md", top());
	md = kt_read_file(path, 1 << 20, &len);
	assert_non_null(md);
	assert_non_null(strstr(md, "schema_version"));
	json_object_foreach(json_object_get(schema, "properties"), k, v) {
		snprintf(pat, sizeof(pat), "`%s`", k);
		if (!strstr(md, pat))
			fail_msg("docs/json-schema.md does not document %s", pat);
	}
	defs = json_object_get(schema, "$defs");
	json_object_foreach(defs, dk, dv) {
		json_object_foreach(json_object_get(dv, "properties"), k, v) {
			snprintf(pat, sizeof(pat), "`%s`", k);
			if (!strstr(md, pat))
				fail_msg("docs/json-schema.md does not document %s (in %s)", pat, dk);
		}
	}
	free(md);
	json_decref(schema);
}

static char *summary_of(struct run *x, int colour, int verbose)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	output_summary(f, &x->r, &x->vd, x->status, x->why, colour, verbose);
	fclose(f);
	return buf;
}

static void test_summary(void **state)
{
	struct run x;
	char *s;

	(void)state;
	rich_run(&x);
	s = summary_of(&x, 0, 0);
	assert_non_null(strstr(s, "off-CPU% min/avg/max"));
	assert_non_null(strstr(s, "wake p50/p99"));
	assert_non_null(strstr(s, "\npingers"));
	assert_non_null(strstr(s, "10.0/25.0/40.0"));
	assert_non_null(strstr(s, "FAIL fairness: group pingers: off-CPU spread 30.0 %"));
	assert_non_null(strstr(s, "FAIL sentinel: group hogs: worker 202 killed by signal 11 (SEGV)"));
	assert_non_null(strstr(s, "FAIL scheduler: /ktstr/scx_test died while workers ran: exit status -1"));
	assert_non_null(strstr(s, "PASS starvation: "));
	assert_non_null(strstr(s, "checks off or not applicable"));
	assert_null(strstr(s, "SKIP"));
	assert_null(strchr(s, '\033'));
	/* the verdict is the last line */
	assert_non_null(strstr(s, "\nverdict: FAIL (exit 1): 3 of 23 checks failed: pingers/fairness, "
			    "hogs/sentinel, scheduler\n"));
	assert_int_equal(s[strlen(s) - 1], '\n');
	free(s);

	s = summary_of(&x, 1, 1);
	assert_non_null(strstr(s, "\033[31mFAIL\033[0m"));
	assert_non_null(strstr(s, "SKIP"));
	assert_non_null(strstr(s, "tid"));	/* the per-worker table */
	assert_non_null(strstr(s, "killed"));
	free(s);
	run_free(&x);
}

static void test_colour_rules(void **state)
{
	FILE *f = tmpfile();

	(void)state;
	assert_non_null(f);
	unsetenv("NO_COLOR");
	assert_int_equal(output_use_colour(f), 0);	/* not a terminal */
	fclose(f);
	setenv("NO_COLOR", "1", 1);
	assert_int_equal(output_use_colour(stdout), 0);
	unsetenv("NO_COLOR");
}

static void test_junit_per_check_per_group(void **state)
{
	char path[] = "/tmp/ktstr-junit-XXXXXX";
	int fd = mkstemp(path);
	xmlDocPtr doc;
	struct run x;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	rich_run(&x);
	assert_int_equal(junit_write(&x.vd, "cli", 7.5, path), 0);
	doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	xpath_expect(doc, "string(/testsuites/testsuite/@tests)", "23");
	xpath_expect(doc, "string(/testsuites/testsuite/@failures)", "3");
	xpath_expect(doc, "count(//testcase[@classname='ktstr.pingers'])", "10");
	xpath_expect(doc, "count(//testcase[@classname='ktstr.hogs'])", "10");
	xpath_expect(doc, "count(//testcase[@classname='ktstr.run'])", "3");
	xpath_expect(doc, "count(//testcase[@classname='ktstr.pingers'][@name='fairness']/failure)", "1");
	xpath_expect(doc, "count(//testcase[@classname='ktstr.hogs'][@name='fairness']/failure)", "0");
	/* the guest's bytes that are not UTF-8 or not XML arrive as '?' */
	xpath_expect(doc, "string(//testcase[@classname='ktstr.hogs'][@name='sentinel']/failure/@message)",
		"group hogs: worker 202 killed by signal 11 (SEGV): bytes ?? are not UTF-8, ? not XML");
	xmlFreeDoc(doc);
	unlink(path);
	run_free(&x);
}

/* A run that could not be judged is an <error> in JUnit and "error" in JSON. */
static void test_infrastructure_error(void **state)
{
	char path[] = "/tmp/ktstr-junit-XXXXXX";
	int fd = mkstemp(path);
	json_t *schema = load_schema(), *doc;
	struct synth s = { 0 };
	xmlDocPtr xdoc;
	struct run x;
	char *text;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	synth_hello(&s, 1);	/* and then nothing: no EXIT */
	memset(&x, 0, sizeof(x));
	result_init(&x.r);
	assert_int_equal(result_feed_buf(&x.r, s.w.buf, s.w.len), 0);
	kt_wbuf_free(&s.w);
	x.status = checks_exit_status(&x.r, &x.vd, x.why, sizeof(x.why));
	assert_int_equal(x.status, 99);
	assert_int_equal(checks_note_status(&x.vd, x.status, x.why), 0);
	assert_int_equal(junit_write(&x.vd, "cli", 1, path), 0);
	xdoc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	assert_non_null(xdoc);
	xpath_expect(xdoc, "string(/testsuites/testsuite/@errors)", "1");
	xpath_expect(xdoc, "string(/testsuites/testsuite/@failures)", "0");
	xpath_expect(xdoc, "string(//testcase[@name='infrastructure']/error/@message)",
		"the stream ends without the guest's EXIT");
	xmlFreeDoc(xdoc);
	unlink(path);
	doc = json_of(&x, NULL);
	assert_valid(schema, doc);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
		json_object_get(doc, "checks"), 0), "result")), "error");
	assert_string_equal(json_string_value(json_object_get(doc, "verdict")), "error");
	json_decref(doc);
	text = summary_of(&x, 0, 0);
	assert_non_null(strstr(text, "ERROR infrastructure: the stream ends without"));
	assert_non_null(strstr(text, "verdict: ERROR (exit 99)"));
	free(text);
	json_decref(schema);
	run_free(&x);
}

/*
 * Used by tests/e2e/checks.sh on real output: "--validate FILE" checks a JSON document
 * against the schema, "--junit FILE" parses JUnit XML and prints its counts.
 */
static int tool(int argc, char **argv)
{
	if (!strcmp(argv[1], "--validate")) {
		json_t *schema = load_schema(), *doc;
		json_error_t e;
		char err[1100];
		int ret;

		doc = json_load_file(argv[2], 0, &e);
		if (!doc) {
			printf("%s:%d: not JSON: %s\n", argv[2], e.line, e.text);
			return 1;
		}
		ret = js_validate(schema, doc, err, sizeof(err));
		printf("%s: %s\n", argv[2], ret ? err : "valid");
		json_decref(doc);
		json_decref(schema);
		return ret ? 1 : 0;
	}
	if (!strcmp(argv[1], "--junit")) {
		xmlDocPtr doc = xmlReadFile(argv[2], NULL, XML_PARSE_NONET);
		char *t, *f;

		if (!doc)
			return 1;
		t = xpath_str(doc, "string(/testsuites/testsuite/@tests)");
		f = xpath_str(doc, "string(/testsuites/testsuite/@failures)");
		printf("tests=%s failures=%s testcases=", t, f);
		xmlFree(t);
		xmlFree(f);
		t = xpath_str(doc, "count(//testcase)");
		printf("%s\n", t);
		xmlFree(t);
		xmlFreeDoc(doc);
		return 0;
	}
	(void)argc;
	fprintf(stderr, "usage: test_output [--validate FILE.json | --junit FILE.xml]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc == 3)
		return tool(argc, argv);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_matches_schema),
		cmocka_unit_test(test_schema_rejects_bad_documents),
		cmocka_unit_test(test_schema_documented),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_colour_rules),
		cmocka_unit_test(test_junit_per_check_per_group),
		cmocka_unit_test(test_infrastructure_error),
	};
	return cmocka_run_group_tests_name("output", tests, NULL, NULL);
}
