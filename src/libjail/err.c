/*
 * err.c - the error helpers every layer uses (vjail.h: one sentence into
 * a caller-owned buffer) and the public one, jail_errmsg.  A leaf: it
 * calls nothing of libjail.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "vjail.h"

char jail_errmsg[JAIL_ERRMSGLEN];

int
jerr(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, JAIL_ERRMSGLEN, fmt, ap);
	va_end(ap);
	return -1;
}

/* Like jerr() with ": strerror(errno)" appended; errno is kept. */
int
jerrno(char *err, const char *fmt, ...)
{
	int e = errno;
	size_t n;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, JAIL_ERRMSGLEN, fmt, ap);
	va_end(ap);
	n = strlen(err);
	snprintf(err + n, JAIL_ERRMSGLEN - n, ": %s", strerror(e));
	errno = e;
	return -1;
}
