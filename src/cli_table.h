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

/* Arguments that are host paths: shown absolute by --print-config. */
#define CLI_F_PATH0 0x01u
#define CLI_F_PATH1 0x02u
#define CLI_F_PATH2 0x04u
#define CLI_F_BIND 0x08u    /* argument 0 is SRC[:DEST[:OPTS]]: SRC and DEST */
#define CLI_F_SINGLE 0x10u  /* single-valued: a later one replaces it */
#define CLI_F_CMDLINE 0x20u /* command line only: not in a profile, not printed */

/**
 * cli_option_flags() - the CLI_F_* flags of @o (0 for a plain repeatable option)
 */
unsigned cli_option_flags(const struct cli_option *o);

/* The order of the table is the order of --help. */
extern const struct cli_option cli_options[];
extern const size_t cli_n_options;
