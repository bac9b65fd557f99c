/* SPDX-License-Identifier: GPL-2.0-only */
/* Reading JUnit output back in the tests: one XPath expression's value as a string. */
#ifndef KTSTR_TEST_XPATH_H
#define KTSTR_TEST_XPATH_H

#include <string.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>

/* The expression's value as a string; xmlFree() it. Include after cmocka.h. */
static inline char *xpath_str(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	xmlXPathObjectPtr o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	char *s = (char *)xmlXPathCastToString(o);

	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	return s;
}

/* Fails the test unless the expression's value is want. */
static inline void xpath_expect(xmlDocPtr doc, const char *expr, const char *want)
{
	char *got = xpath_str(doc, expr);

	if (strcmp(got, want))
		fail_msg("%s = '%s', expected '%s'", expr, got, want);
	xmlFree(got);
}

#endif
