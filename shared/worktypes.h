/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The work types a group can run and their parameters: one table compiled into both
 * programs. The host validates a job's `work` and parameters against it before boot
 * (`ktstr run --list-work` prints it); the guest reads parameter values with the same
 * parser, so a value the host accepted means the same thing in the guest.
 */
#ifndef KTSTR_WORKTYPES_H
#define KTSTR_WORKTYPES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct kt_group;

enum kt_pkind {
	KT_P_UINT,	/* plain count: 0..max */
	KT_P_DURATION,	/* "500us", "2ms", "1s": stored in microseconds */
	KT_P_SIZE,	/* "64", "4k", "2m" KiB-based sizes: stored in bytes */
	KT_P_STRING,	/* free text, e.g. a command line for `exec` */
};

struct kt_work_param {
	const char *key;
	enum kt_pkind kind;
	const char *def;	/* default, in the same syntax a job file uses */
	uint64_t min, max;	/* bounds on the parsed value (not for strings) */
	const char *help;
};

struct kt_work_type {
	const char *name;
	const char *help;
	unsigned workers_multiple;	/* 2 for pairs: workers must be a multiple; else 1 */
	const struct kt_work_param *params;	/* terminated by { NULL } */
	unsigned min_workers;	/* e.g. 2: a fan-out needs a messenger and a waiter */
};

extern const struct kt_work_type kt_work_types[];
extern const size_t kt_nwork_types;
/* Parameters every type accepts (test knobs); kt_work_param_find also looks here. */
extern const struct kt_work_param kt_work_common_params[];

const struct kt_work_type *kt_work_find(const char *name);
const struct kt_work_param *kt_work_param_find(const struct kt_work_type *t, const char *key);
/*
 * Parses a value of the parameter's kind into *out (strings: 0). Returns -1 with why
 * naming the value and the accepted range when it is malformed or out of bounds.
 */
int kt_work_param_parse(const struct kt_work_param *p, const char *val, uint64_t *out,
			char *why, size_t wsz);

/*
 * A group's parameter value: the group's own, else the table's default, parsed (0 for an
 * unknown key). Strings: the raw text or the default. For the guest's work loops.
 */
uint64_t kt_work_param_u64(const struct kt_group *g, const char *key);
const char *kt_work_param_str(const struct kt_group *g, const char *key);
/* The table, as `ktstr run --list-work` prints it. */
void kt_work_print(FILE *to);

#endif
