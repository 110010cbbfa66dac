/* cli_path.c - the paths of options and profiles made absolute */
#include "autoconf.h"

#include <string.h>

#include "cli_path.h"
#include "util.h"

static void append_str(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = xreallocarray(*buf, *cap, 1);
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

char *cli_resolve_path(const char *path, const char *home, const char *cwd)
{
	_cleanup_free_ char *joined = NULL;
	char *out = NULL;
	size_t len = 0, cap = 0;
	const char *p;

	if (path[0] == '~' && (path[1] == '\0' || path[1] == '/'))
		joined = xasprintf("%s/%s", home, path + 1);
	else if (path[0] != '/' && !cwd)
		return NULL;
	else if (path[0] != '/')
		joined = xasprintf("%s/%s", cwd, path);
	else
		joined = xstrdup(path);

	append_str(&out, &len, &cap, "", 0);
	for (p = joined; *p;) {
		const char *end;
		size_t n;

		while (*p == '/')
			p++;
		end = strchrnul(p, '/');
		n = (size_t)(end - p);
		if (n == 0 || (n == 1 && p[0] == '.')) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(out, '/');
			len = slash ? (size_t)(slash - out) : 0;
			out[len] = '\0';
		} else {
			append_str(&out, &len, &cap, "/", 1);
			append_str(&out, &len, &cap, p, n);
		}
		p = end;
	}
	if (len == 0)
		append_str(&out, &len, &cap, "/", 1);
	return out;
}

int cli_resolve_arg(const struct sbx_config *c, const char *option, const char *path, char **ret,
		    struct sbx_error *e)
{
	*ret = cli_resolve_path(path, c->home, c->cwd);
	if (!*ret)
		return sbx_error_set(e, c->cwd_errno, "--%s %s: a relative path, but the current "
						       "directory cannot be found", option, path);
	return 0;
}
