/*
 * err.c - the one error convention: functions return a CC_E* code and fill
 * a caller-owned struct err with a message meant for the client.
 */
#include <stdio.h>
#include <string.h>

#include "core.h"

int err_set(struct err *e, int code, const char *aws_code, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return code;
	e->code = code;
	e->http = 0;
	e->aws_code = aws_code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
	return code;
}

int err_oom(struct err *e)
{
	log_warnx("out of memory");
	return err_set(e, CC_ERROR, NULL, "out of memory");
}

void err_clear(struct err *e)
{
	if (e == NULL)
		return;
	memset(e, 0, sizeof(*e));
}
