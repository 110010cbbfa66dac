/* cli-harness.h - parse a NULL-terminated argument list the way sbx does,
 * for the unit tests of the option parser and the view options */
#pragma once

#include <stdarg.h>
#include <string.h>

#include "cli.h"
#include "config.h"

static const struct sbx_caller test_caller = {
	.uid = 1000, .gid = 1000, .user_name = "u", .home = "/home/u", .cwd = "/home/u/proj",
	.shell = "/bin/bash",
};

/* cli_parse() then config_finish() on "sbx ARGS..." for @caller; @c is
 * initialised here. */
static inline int parse_args_as(const struct sbx_caller *caller, struct sbx_config *c,
				struct sbx_error *e, enum cli_action *act, va_list ap)
{
	char *argv[64];
	int argc = 0, r;

	argv[argc++] = "sbx";
	for (char *a; argc < 63 && (a = va_arg(ap, char *));)
		argv[argc++] = a;
	argv[argc] = NULL;
	config_init(c, caller);
	memset(e, 0, sizeof(*e));
	r = cli_parse(c, argc, argv, act, e);
	if (r == 0)
		r = config_finish(c, e);
	return r;
}

/* parse_args_as() for the usual caller. */
static inline int parse_args(struct sbx_config *c, struct sbx_error *e, enum cli_action *act,
			     va_list ap)
{
	return parse_args_as(&test_caller, c, e, act, ap);
}
