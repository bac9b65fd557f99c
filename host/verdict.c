// SPDX-License-Identifier: GPL-2.0-only
#include "verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libxml/xmlstring.h>

/*
 * Details quote the guest (worker errors, kernel lines): bytes that are not UTF-8 or not
 * allowed in XML 1.0 become '?', so every output format can carry the text as it is.
 */
static void sanitise(char *s)
{
	while (*s) {
		int len = 4, c = xmlGetUTF8Char((const unsigned char *)s, &len);

		if (c < 0 || len < 1) {
			*s++ = '?';
			continue;
		}
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			*s = '?';
		s += len;
	}
}

int verdict_add(struct verdict *vd, const char *group, const char *check,
		enum outcome_result result, const char *fmt, ...)
{
	struct outcome *o;
	va_list ap;

	if (vd->n == vd->cap) {
		size_t cap = vd->cap ? vd->cap * 2 : 16;
		struct outcome *nv = realloc(vd->v, cap * sizeof(*nv));

		if (!nv)
			return -1;
		vd->v = nv;
		vd->cap = cap;
	}
	o = &vd->v[vd->n++];
	memset(o, 0, sizeof(*o));
	snprintf(o->group, sizeof(o->group), "%s", group ? group : "");
	snprintf(o->check, sizeof(o->check), "%s", check);
	o->result = result;
	va_start(ap, fmt);
	vsnprintf(o->detail, sizeof(o->detail), fmt, ap);
	va_end(ap);
	sanitise(o->detail);
	sanitise(o->group);
	return 0;
}

size_t verdict_count(const struct verdict *vd, enum outcome_result result)
{
	size_t n = 0;

	for (size_t i = 0; i < vd->n; i++)
		n += vd->v[i].result == result;
	return n;
}

void verdict_free(struct verdict *vd)
{
	free(vd->v);
	memset(vd, 0, sizeof(*vd));
}
