// SPDX-License-Identifier: GPL-2.0-only
/* JUnit output, validated by parsing it back with libxml2. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "../../host/verdict.h"
#include "xpath.h"

static void test_junit_parses(void **state)
{
	struct verdict vd = { 0 };
	char path[] = "/tmp/ktstr-junit-XXXXXX";
	int fd = mkstemp(path);
	xmlDocPtr doc;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(verdict_add(&vd, "pingers", "starvation", OUTCOME_PASS, "%s", ""), 0);
	/* Characters that must be escaped in XML, in both the attribute and the text. */
	assert_int_equal(verdict_add(&vd, "pingers", "gaps", OUTCOME_FAIL,
				     "worker 213 max gap 2310 ms <cpu \"1\"> & more (limit %d ms)",
				     2000), 0);
	assert_int_equal(verdict_add(&vd, NULL, "latency", OUTCOME_SKIP, "off by default"), 0);
	assert_int_equal(junit_write(&vd, "ktstr", 12.5, path), 0);

	doc = xmlReadFile(path, NULL, XML_PARSE_NONET);
	assert_non_null(doc);
	xpath_expect(doc, "string(/testsuites/testsuite/@tests)", "3");
	xpath_expect(doc, "string(/testsuites/testsuite/@failures)", "1");
	xpath_expect(doc, "string(/testsuites/testsuite/@skipped)", "1");
	xpath_expect(doc, "string(/testsuites/testsuite/@time)", "12.500");
	xpath_expect(doc, "string(//testcase[@name='gaps']/@classname)", "ktstr.pingers");
	xpath_expect(doc, "string(//testcase[@name='gaps']/failure/@message)",
	       "worker 213 max gap 2310 ms <cpu \"1\"> & more (limit 2000 ms)");
	xpath_expect(doc, "count(//testcase[@name='starvation']/failure)", "0");
	xpath_expect(doc, "string(//testcase[@name='latency']/@classname)", "ktstr.run");
	xpath_expect(doc, "count(//testcase[@name='latency']/skipped)", "1");
	xmlFreeDoc(doc);
	unlink(path);
	verdict_free(&vd);
}

static void test_junit_bad_path(void **state)
{
	struct verdict vd = { 0 };

	(void)state;
	assert_int_equal(junit_write(&vd, "ktstr", 0, "/nonexistent-dir/x.xml"), -1);
	assert_int_equal(access("/nonexistent-dir/x.xml", F_OK), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_junit_parses),
		cmocka_unit_test(test_junit_bad_path),
	};
	int ret = cmocka_run_group_tests_name("junit", tests, NULL, NULL);

	xmlCleanupParser();
	return ret;
}
