/* log.c - formatting of sbx's own messages on stderr */
#include "autoconf.h"

#include <stdarg.h>
#include <stdio.h>

#include "log.h"

int log_verbosity;
const char *log_prefix = "sbx";
struct timespec log_start;

static __attribute__((format(printf, 1, 0))) void vlog(const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	/* One write per line keeps it whole when the command writes too. */
	fprintf(stderr, "%s: %s\n", log_prefix, line);
}

void log_error(const struct sbx_error *e)
{
	char buf[SBX_ERROR_MSG_MAX + 128];

	sbx_error_format(e, buf, sizeof(buf));
	fprintf(stderr, "%s: %s\n", log_prefix, buf);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void log_verbose(int level, const char *fmt, ...)
{
	va_list ap;

	if (log_verbosity < level)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void log_phase(const char *what)
{
	struct timespec now;

	if (log_verbosity < 3)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	log_verbose(3, "%.3f ms: %s", (double)(now.tv_sec - log_start.tv_sec) * 1e3 +
					       (double)(now.tv_nsec - log_start.tv_nsec) / 1e6,
		    what);
}
