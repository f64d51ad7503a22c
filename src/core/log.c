/*
 * log.c - log lines on standard error: a timestamp, a level and a lower-case
 * message.  Callers never pass secrets.  The level is set once at start-up.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

static enum log_level log_level = LOG_LVL_INFO;

void log_set_level(enum log_level lvl) { log_level = lvl; }
enum log_level log_get_level(void) { return log_level; }

static void log_vline(const char *lvl, const char *fmt, va_list ap, int errnum)
{
	char ts[32], line[1024];
	int n;

	time_iso8601(ts, sizeof(ts), time_now());
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (n < 0)
		return;
	if (errnum)
		fprintf(stderr, "%s %s %s: %s\n", ts, lvl, line, strerror(errnum));
	else
		fprintf(stderr, "%s %s %s\n", ts, lvl, line);
}

void log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_vline("warn", fmt, ap, saved);
	va_end(ap);
	errno = saved;
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vline("warn", fmt, ap, 0);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_LVL_INFO)
		return;
	va_start(ap, fmt);
	log_vline("info", fmt, ap, 0);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_LVL_DEBUG)
		return;
	va_start(ap, fmt);
	log_vline("debug", fmt, ap, 0);
	va_end(ap);
}
