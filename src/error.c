/* error.c - filling and rendering struct sbx_error */
#include "autoconf.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"

int sbx_error_set(struct sbx_error *e, int err, const char *fmt, ...)
{
	va_list ap;

	if (err < 0)
		err = -err;
	if (e) {
		e->err = err;
		if (e->exit_code == 0)
			e->exit_code = SBX_EXIT_SETUP;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
		va_end(ap);
	}
	return err ? -err : -EINVAL;
}

void sbx_error_format(const struct sbx_error *e, char *buf, size_t len)
{
	if (e->err)
		snprintf(buf, len, "%s: %s", e->msg, strerror(e->err));
	else
		snprintf(buf, len, "%s", e->msg);
}
