/* bwrap_option.h - a row of bwrap's option table, and the argument values
 * its handlers share: fd numbers, paths in the new root */
#pragma once

#include "config.h"
#include "error.h"

struct bwrap_opts;

/**
 * struct bwrap_option - one row of bwrap's option table (bwrap_args.c)
 * @name:	the option with its "--"
 * @nargs:	how many words follow it
 * @fn:		what it does, to @c (sbx's config) or @o (bwrap's own decisions)
 * @data:	a constant for @fn (mount kind, flag, field...)
 */
struct bwrap_option {
	const char *name;
	int nargs;
	int (*fn)(struct sbx_config *c, struct bwrap_opts *o, const struct bwrap_option *opt,
		  char **args, struct sbx_error *e);
	int data;
};

/**
 * bwrap_option_fd() - the fd number @s, argument of @option
 * Return: 0 with *@ret set, or -EINVAL with @e filled in bwrap's wording
 */
int bwrap_option_fd(const char *option, const char *s, int *ret, struct sbx_error *e);

/**
 * bwrap_option_used_fd() - bwrap_option_fd() for an fd bwrap consumes: it
 *			    must be open, and is made close-on-exec (it is
 *			    not the command's; bwrap closes it after use)
 * Return: 0 with *@ret set, or -errno with @e filled
 */
int bwrap_option_used_fd(const char *option, const char *s, int *ret, struct sbx_error *e);

/**
 * bwrap_option_sandbox_path() - @path in the new root: bwrap resolves a
 *				 destination against it, not the cwd
 * Return: a new string
 */
char *bwrap_option_sandbox_path(const char *path);
