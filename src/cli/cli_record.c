/* cli_record.c - the record of applied options that --print-config prints */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "cli_path.h"
#include "cli_record.h"
#include "util.h"

/* Drop the records of option @name. */
static void forget_records(struct sbx_config *c, const char *name)
{
	size_t out = 0;

	for (size_t i = 0; i < c->n_applied; i++) {
		struct sbx_applied_opt *a = &c->applied[i];

		if (strcmp(a->name, name) == 0) {
			for (unsigned k = 0; k < a->nargs; k++)
				free(a->args[k]);
			free(a->origin);
		} else {
			c->applied[out++] = *a;
		}
	}
	c->n_applied = out;
}

/* SRC[:DEST[:OPTS]] with SRC and a non-empty DEST made absolute; *@ret_colon
 * tells whether either came to hold a ':' (a cwd or $HOME with one). */
static char *resolve_bind(const struct sbx_config *c, const char *arg, bool *ret_colon)
{
	const char *colon = strchr(arg, ':');
	_cleanup_free_ char *src = colon ? strndup(arg, (size_t)(colon - arg)) : xstrdup(arg);
	_cleanup_free_ char *rsrc = NULL, *dest = NULL, *rdest = NULL;
	const char *colon2 = colon ? strchr(colon + 1, ':') : NULL;

	if (!src)
		abort();
	rsrc = cli_resolve_path(src, c->home, c->cwd);
	*ret_colon = rsrc && strchr(rsrc, ':');
	if (!colon)
		return TAKE_PTR(rsrc);
	dest = colon2 ? strndup(colon + 1, (size_t)(colon2 - colon - 1)) : xstrdup(colon + 1);
	if (!dest)
		abort();
	rdest = *dest ? cli_resolve_path(dest, c->home, c->cwd) : xstrdup("");
	*ret_colon = *ret_colon || (rdest && strchr(rdest, ':'));
	return xasprintf("%s:%s%s%s", rsrc ? rsrc : src, rdest ? rdest : dest, colon2 ? ":" : "",
			 colon2 ? colon2 + 1 : "");
}

void cli_record(struct sbx_config *c, const struct cli_option *o, const char *const *args,
		const char *origin)
{
	unsigned flags = o->flags;
	struct sbx_applied_opt *a;

	if (flags & CLI_F_CMDLINE)
		return;
	if (flags & CLI_F_SINGLE)
		forget_records(c, o->name);
	/* --clearenv voids every --setenv/--unsetenv before it. */
	if (strcmp(o->name, "clearenv") == 0) {
		forget_records(c, "setenv");
		forget_records(c, "unsetenv");
	}
	c->applied = xreallocarray(c->applied, c->n_applied + 1, sizeof(*c->applied));
	a = &c->applied[c->n_applied++];
	memset(a, 0, sizeof(*a));
	a->name = o->name;
	a->nargs = o->nargs;
	a->origin = origin ? xstrdup(origin) : NULL;
	for (unsigned k = 0; k < o->nargs; k++) {
		bool keyword = strcmp(o->name, "seccomp") == 0 &&
			       (strcmp(args[k], "default") == 0 || strcmp(args[k], "unconfined") == 0);

		if ((flags & CLI_F_BIND) && k == 0)
			a->args[k] = resolve_bind(c, args[k], &a->colon_path);
		else if ((flags & (CLI_F_PATH0 << k)) && *args[k] && !keyword)
			a->args[k] = cli_resolve_path(args[k], c->home, c->cwd);
		if (!a->args[k])
			a->args[k] = xstrdup(args[k]);
	}
}
