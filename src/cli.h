/* cli.h - the option table: argv -> struct sbx_config */
#pragma once

#include <stdio.h>

#include "config.h"

enum cli_action {
	CLI_RUN,
	CLI_HELP,
	CLI_VERSION,
};

/**
 * cli_parse() - parse @argv (argv[0] is the program name) into @c
 * @c:		initialised with config_init()
 * @ret_action:	what main should do next
 *
 * Options end at "--" or the first argument that is not an option; the rest is
 * the command. Paths are made absolute against @c->cwd and @c->home here, so
 * nothing later depends on the caller's working directory.
 *
 * Return: 0 or -errno with @e filled (a usage error is -EINVAL, exit 125)
 */
int cli_parse(struct sbx_config *c, int argc, char *const argv[], enum cli_action *ret_action,
	      struct sbx_error *e);

/**
 * cli_print_help() - the --help text, generated from the option table
 */
void cli_print_help(FILE *out);

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
