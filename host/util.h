/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef KTSTR_UTIL_H
#define KTSTR_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Exit codes: the automake convention (see docs/exit-codes in README). */
enum {
	KT_EXIT_PASS = 0,
	KT_EXIT_FAIL = 1,
	KT_EXIT_USAGE = 2,
	KT_EXIT_SKIP = 77,
	KT_EXIT_INFRA = 99,
};

void kt_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kt_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Reads a whole file (at most max bytes); returns malloc'd buffer or NULL with errno set. */
void *kt_read_file(const char *path, size_t max, size_t *len);
/* Writes all of buf; returns -1 with errno set on failure. */
int kt_write_all(int fd, const void *buf, size_t len);
/* A flag's whole number in [min, max]; -1 after naming the flag and the value. */
int kt_parse_uint(const char *flag, const char *s, unsigned min, unsigned max, unsigned *out);
/* Parses "60", "500ms", "10s", "2m" into milliseconds; -1 if malformed. */
int64_t kt_parse_duration_ms(const char *s);
/* Directory holding the running ktstr binary (for finding ktstr-init). */
int kt_exe_dir(char *buf, size_t sz);
uint64_t kt_now_ms(void);
struct option;
/* base followed by more (both NULL-terminated) in a new NULL-terminated table; free() it. */
struct option *kt_opts_concat(const struct option *base, const struct option *more);
/* snprintf for paths: returns 0, or -1 (errno ENAMETOOLONG) if the result did not fit. */
int kt_pathf(char *buf, size_t sz, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
