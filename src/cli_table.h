/* cli_table.h - the option table shared by the parser and --help */
#pragma once

#include "cli.h"

struct cli_option;

/* One option's effect on the config; @args holds its nargs words. */
typedef int (*cli_handler)(struct sbx_config *c, const struct cli_option *o,
			   const char *const *args, enum cli_action *action, struct sbx_error *e);

/**
 * struct cli_option - one row of the option table
 * @name:	long name without "--"
 * @short_name:	single-letter form or 0
 * @nargs:	number of argument words (0-3)
 * @metavar:	the arguments as --help shows them
 * @help:	one line for --help
 * @apply:	what the option does
 * @data:	a constant for @apply (namespace, mount kind, field offset...)
 */
struct cli_option {
	const char *name;
	char short_name;
	unsigned nargs;
	const char *metavar;
	const char *help;
	cli_handler apply;
	long data;
};

/* The order of the table is the order of --help. */
extern const struct cli_option cli_options[];
extern const size_t cli_n_options;
