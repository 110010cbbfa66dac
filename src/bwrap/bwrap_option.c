/* bwrap_option.c - the argument values bwrap's option handlers share */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>

#include "bwrap_option.h"
#include "util.h"

int bwrap_option_fd(const char *option, const char *s, int *ret, struct sbx_error *e)
{
	unsigned long v;

	if (parse_uint(s, 0x7fffffff, &v) < 0)
		return sbx_error_set(e, 0, "Invalid fd: %s", s);
	(void)option;
	*ret = (int)v;
	return 0;
}

int bwrap_option_used_fd(const char *option, const char *s, int *ret, struct sbx_error *e)
{
	int r = bwrap_option_fd(option, s, ret, e);

	if (r < 0)
		return r;
	if (fcntl(*ret, F_GETFD) < 0)
		return sbx_error_set(e, errno, "%s %s", option, s);
	fcntl(*ret, F_SETFD, FD_CLOEXEC);
	return 0;
}

char *bwrap_option_sandbox_path(const char *path)
{
	return path[0] == '/' ? xstrdup(path) : xasprintf("/%s", path);
}

