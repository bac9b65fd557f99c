// SPDX-License-Identifier: GPL-2.0-only
#include "errbuf.h"

#include <stdarg.h>
#include <stdio.h>

void seterr(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errsz, fmt, ap);
	va_end(ap);
}
