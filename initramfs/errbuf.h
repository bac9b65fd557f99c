/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The packing code reports failures into a caller's buffer (the caller adds the context
 * and decides the exit status), never to stderr itself.
 */
#ifndef KTSTR_ERRBUF_H
#define KTSTR_ERRBUF_H

#include <stddef.h>

void seterr(char *err, size_t errsz, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
