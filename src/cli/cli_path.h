/* cli_path.h - the paths of options and profiles made absolute */
#pragma once

#include "config.h"
#include "error.h"

/**
 * cli_resolve_path() - "~", "~/x" and relative paths made absolute, then
 *			"." / ".." / "//" folded lexically
 * @cwd:	NULL when unknown: a relative @path then gives NULL
 * Return: a new string, or NULL (relative @path, no @cwd)
 */
char *cli_resolve_path(const char *path, const char *home, const char *cwd);

/**
 * cli_resolve_arg() - cli_resolve_path() against @c's home and cwd, for
 *		       the argument @path of --@option
 *
 * A relative path while the caller's working directory is unknown (deleted)
 * is an error naming the option and the path, not a guess.
 * Return: 0 with a new string in @ret, or -errno with @e filled
 */
int cli_resolve_arg(const struct sbx_config *c, const char *option, const char *path, char **ret,
		    struct sbx_error *e);
