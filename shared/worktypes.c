// SPDX-License-Identifier: GPL-2.0-only
#include "worktypes.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct kt_work_param spin_params[] = {
	{ NULL, 0, NULL, 0, 0, NULL },
};

const struct kt_work_type kt_work_types[] = {
	{ "spin", "busy loop: pure CPU demand", 1, spin_params },
};
const size_t kt_nwork_types = sizeof(kt_work_types) / sizeof(kt_work_types[0]);

const struct kt_work_type *kt_work_find(const char *name)
{
	for (size_t i = 0; i < kt_nwork_types; i++)
		if (!strcmp(kt_work_types[i].name, name))
			return &kt_work_types[i];
	return NULL;
}

const struct kt_work_param *kt_work_param_find(const struct kt_work_type *t, const char *key)
{
	for (const struct kt_work_param *p = t->params; p->key; p++)
		if (!strcmp(p->key, key))
			return p;
	return NULL;
}

/* Suffix multipliers per kind; the first entry is the unit a bare number means. */
struct unit {
	const char *sfx;
	uint64_t mul;
};
static const struct unit dur_units[] = {
	{ "us", 1 }, { "ms", 1000 }, { "s", 1000000 }, { "m", 60000000 }, { NULL, 0 },
};
static const struct unit size_units[] = {
	{ "", 1 }, { "k", 1024 }, { "m", 1024 * 1024 }, { "g", 1024ull * 1024 * 1024 },
	{ NULL, 0 },
};

int kt_work_param_parse(const struct kt_work_param *p, const char *val, uint64_t *out,
			char *why, size_t wsz)
{
	const struct unit *units = NULL;
	unsigned long long v;
	char *end;

	*out = 0;
	if (p->kind == KT_P_STRING)
		return 0;
	if (p->kind == KT_P_DURATION)
		units = dur_units;
	else if (p->kind == KT_P_SIZE)
		units = size_units;
	errno = 0;
	v = strtoull(val, &end, 10);
	if (end == val || errno || val[0] == '-')
		goto bad;
	if (units) {
		const struct unit *u = *end ? NULL : &units[0];

		for (const struct unit *x = units; !u && x->sfx; x++)
			if (*x->sfx && !strcasecmp(end, x->sfx))
				u = x;
		if (!u || (u->mul && v > UINT64_MAX / u->mul))
			goto bad;
		v *= u->mul;
	} else if (*end) {
		goto bad;
	}
	if (v < p->min || v > p->max) {
		snprintf(why, wsz, "%s=%s is out of range (%" PRIu64 "..%" PRIu64 "%s)", p->key,
			 val, p->min, p->max,
			 p->kind == KT_P_DURATION ? " us" : p->kind == KT_P_SIZE ? " bytes" : "");
		return -1;
	}
	*out = v;
	return 0;
bad:
	snprintf(why, wsz, "%s=%s is not %s", p->key, val,
		 p->kind == KT_P_DURATION ? "a duration (e.g. 500us, 2ms, 1s)" :
		 p->kind == KT_P_SIZE ? "a size (e.g. 64k, 2m)" : "a whole number");
	return -1;
}
