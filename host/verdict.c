// SPDX-License-Identifier: GPL-2.0-only
#include "verdict.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <locale.h>
#include <wchar.h>

/*
 * Details quote the guest (worker errors, kernel lines): bytes that are not UTF-8 or not
 * allowed in XML 1.0 become '?', so every output format can carry the text as it is.
 * Decoded by the C library under C.UTF-8 whatever the user's locale; where that locale
 * is missing, every non-ASCII byte becomes '?'.
 */
static void sanitise(char *s)
{
	static locale_t utf8;
	locale_t old = (locale_t)0;
	mbstate_t st;
	size_t left = strlen(s);

	if (!utf8)
		utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	if (utf8)
		old = uselocale(utf8);
	memset(&st, 0, sizeof(st));
	while (left) {
		wchar_t c = (unsigned char)*s;
		size_t len = 1;

		if (c >= 0x80)
			len = utf8 ? mbrtowc(&c, s, left, &st) : (size_t)-1;

		if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
			memset(&st, 0, sizeof(st));
			*s++ = '?';
			left--;
			continue;
		}
		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
			*s = '?';
		s += len;
		left -= len;
	}
	if (utf8)
		uselocale(old);
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
